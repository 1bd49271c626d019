"""One measurement target, as read from a list row or a ``--url`` argument."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from probe.inputs.urls import CheckedUrl, check_url


@dataclass(frozen=True)
class Target:
    """A URL to measure plus the list metadata that travels into the report."""

    url: str
    """As written in the list; IDN hosts stay in Unicode."""
    category_code: str = ""
    """Citizen Lab code; empty for plain-text lists and ``--url``."""
    category_description: str = ""
    date_added: str = ""
    source: str = ""
    notes: str = ""
    list_path: str = ""
    """File the target came from; empty for ``--url``."""
    line: int = 0
    """1-based line in ``list_path``; 0 for ``--url``."""

    @cached_property
    def _checked(self) -> CheckedUrl:
        return check_url(self.url)

    @property
    def hostname(self) -> str:
        """Lower-case host in Unicode, as people read it."""
        return self._checked.hostname

    @property
    def ascii_hostname(self) -> str:
        """IDNA 2008 (punycode) host, for DNS queries, SNI and the Host header."""
        return self._checked.ascii_hostname

    @property
    def port(self) -> int:
        """The explicit port, else 80 or 443 by scheme."""
        return self._checked.port

    @property
    def key(self) -> str:
        """The URL normalised, so two spellings of one target compare equal."""
        return self._checked.key
