"""The one error a target list can raise, so callers can reject a whole list with one message."""

from __future__ import annotations


class ListError(Exception):
    """A list that cannot be used; ``str()`` is ``PATH:LINE: reason`` like a compiler error.

    ``line`` is 1-based; 0 means the problem is with the file (or name) as a whole, and is then
    left out of the message.
    """

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")
