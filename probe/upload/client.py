"""A client of OONI's collector protocol: open a report, submit measurements, close it.

Any collector speaking bk-003 will do, ours or OONI's. The proxy (``socks5://`` through
httpx's socksio support, e.g. a local Tor client) is what keeps the collector from learning the
volunteer's address.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Final

import httpx

from probe import __version__
from probe.net.tls import client_context

USER_AGENT: Final = f"probe/{__version__}"
_HEADER_KEYS: Final = (
    "data_format_version",
    "probe_asn",
    "probe_cc",
    "software_name",
    "software_version",
    "test_name",
    "test_version",
    "test_start_time",
)


class CollectorUnavailable(Exception):
    """Try later: the network failed, or the collector answered 5xx or 429."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Refused(Exception):
    """The collector answered 4xx: resending the same request will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


class CollectorClient:
    def __init__(
        self,
        url: str,
        proxy: str | None = None,
        ca_bundle: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.url = url.rstrip("/")
        verify: ssl.SSLContext = client_context(ca_bundle, alpn=("http/1.1",))
        self._http = httpx.Client(
            proxy=proxy,
            verify=verify,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
            trust_env=False,  # only --upload-proxy decides the route, never an ambient variable
        )

    def _post(self, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        try:
            response = self._http.post(self.url + path, json=body)
        except httpx.HTTPError as exc:
            raise CollectorUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise CollectorUnavailable(f"HTTP {response.status_code}", _retry_after(response))
        try:
            value = response.json()
        except ValueError:
            value = {}
        if not isinstance(value, dict):
            value = {}
        if response.status_code != 200:
            raise Refused(response.status_code, str(value.get("error", response.reason_phrase)))
        return value

    def open(self, measurement: dict[str, Any]) -> str:
        """Open a report for measurements like this one; returns the collector's report id."""
        header = {key: measurement.get(key) for key in _HEADER_KEYS}
        answer = self._post("/report", header | {"format": "json"})
        report_id = answer.get("report_id")
        if not isinstance(report_id, str) or not report_id:
            raise CollectorUnavailable("the collector opened a report without a report_id")
        return report_id

    def submit(self, report_id: str, measurement: dict[str, Any]) -> None:
        content = measurement | {"report_id": report_id}
        self._post(f"/report/{report_id}", {"format": "json", "content": content})

    def close_report(self, report_id: str) -> None:
        self._post(f"/report/{report_id}/close", None)

    def close(self) -> None:
        self._http.close()
