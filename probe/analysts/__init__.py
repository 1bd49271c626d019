"""Analysts' tools over stored results: diff, report, export and the query store.

They read verdicts that ``probe analyze`` wrote into ``test_keys`` and never measure or judge
anything themselves, so every tool agrees with ``probe analyze`` by construction.
"""
