"""The one exception the lab raises for problems a user can fix."""

from __future__ import annotations


class LabError(Exception):
    """A lab could not be built or used; the message says why and what to do."""
