"""The public controls a run uses when no flag names others, and the parsers for those flags.

A volunteer who types ``probe run --list kz`` must get verdicts, not a file of "undetermined", so
the defaults are real services run outside the country: OONI's web_connectivity test helpers
(tried in this order, as OONI Probe does) and three DNS-over-HTTPS resolvers of independent
operators (the ones OONI Probe's own session resolver uses). Library code and tests build
:class:`probe.settings.Settings` directly, whose defaults contact nothing; only the CLI applies
these.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

DEFAULT_HELPER_URLS: Final = (
    "https://0.th.ooni.org/",
    "https://1.th.ooni.org/",
    "https://2.th.ooni.org/",
    "https://3.th.ooni.org/",
)
DEFAULT_DOH_URLS: Final = (
    "https://dns.google/dns-query",
    "https://cloudflare-dns.com/dns-query",
    "https://dns.quad9.net/dns-query",
)
OFF: Final = "none"
"""The flag value that turns a control off."""


def parse_helper_urls(text: str | None) -> tuple[str, ...]:
    """``--helper`` / ``PROBE_HELPER_URL``: comma-separated http(s) URLs, tried in order.

    None (neither given) means the public defaults; ``none`` means no helper. An empty value is
    an error, not a default: whoever emptied the variable may have meant "off", and guessing
    wrong would contact third parties.
    """
    return _parse(text, DEFAULT_HELPER_URLS, ("http", "https"), "test helper")


def parse_doh_urls(text: str | None) -> tuple[str, ...]:
    """``--doh-url`` / ``PROBE_DOH_URLS``: comma-separated https URLs (RFC 8484 is HTTPS only).

    None means the public defaults; ``none`` means no DoH control.
    """
    return _parse(text, DEFAULT_DOH_URLS, ("https",), "DoH")


def default_hosts() -> frozenset[str]:
    """Every host name a run with no control flags contacts for its controls."""
    urls = (*DEFAULT_HELPER_URLS, *DEFAULT_DOH_URLS)
    return frozenset(host for url in urls if (host := urlsplit(url).hostname))


def _parse(
    text: str | None, defaults: tuple[str, ...], schemes: tuple[str, ...], what: str
) -> tuple[str, ...]:
    if text is None:
        return defaults
    if text.strip().lower() == OFF:
        return ()
    urls = tuple(dict.fromkeys(u.strip() for u in text.split(",") if u.strip()))
    if not urls:
        raise ValueError(
            f"no {what} URL given (empty flag or variable): use '{OFF}' to turn this control off,"
            " or leave both unset for the defaults"
        )
    for url in urls:
        if url.lower() == OFF:
            raise ValueError(f"'{OFF}' turns the {what} control off and cannot be listed with URLs")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError as exc:
            raise ValueError(f"not a {what} URL: {url!r} ({exc})") from None
        if parts.scheme not in schemes or not parts.hostname:
            wanted = " or ".join(f"{s}://" for s in schemes)
            raise ValueError(f"not a {wanted} {what} URL: {url!r}")
    return urls
