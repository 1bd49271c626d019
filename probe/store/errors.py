"""The store's error, in a module of its own so the CLI can catch it without the extras."""

from __future__ import annotations


class StoreError(Exception):
    """A store that cannot be opened, written or read; str() says which and why."""
