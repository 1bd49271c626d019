"""Nettests: each one turns a target into raw observations, in OONI's key layout."""
