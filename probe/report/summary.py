"""Per-step outcomes of a stored measurement, for the end-of-run table.

Pure: it only reads ``test_keys``. It reports what each step observed and never a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from probe.i18n import _, ngettext


@dataclass(frozen=True)
class StepOutcomes:
    input: str
    dns: str
    tcp: str
    tls: str
    http: str


def _dns(queries: list[dict[str, Any]]) -> str:
    if not queries:
        return "-"
    addresses = {
        a.get("ipv4") or a.get("ipv6")
        for q in queries
        for a in q.get("answers") or []
        if a.get("answer_type") in ("A", "AAAA")
    }
    if addresses:
        return ngettext("ok ({count} addr)", "ok ({count} addr)", len(addresses)).format(
            count=len(addresses)
        )
    failures = sorted({q["failure"] for q in queries if q.get("failure")})
    return ", ".join(failures) or _("no answer")


def _tally(records: list[dict[str, Any]], failure_of: Any) -> str:
    if not records:
        return "-"
    failures = [failure_of(r) for r in records]
    ok = sum(1 for f in failures if f is None)
    if ok == len(records):
        return _("ok {ok}/{total}").format(ok=ok, total=ok)
    worst = next(f for f in failures if f is not None)
    if not ok:
        return str(worst)
    return _("{failure} ({ok}/{total} ok)").format(failure=worst, ok=ok, total=len(records))


def _http(requests: list[dict[str, Any]]) -> str:
    if not requests:
        return "-"
    final = requests[0]
    if final.get("failure"):
        return str(final["failure"])
    code = (final.get("response") or {}).get("code")
    hops = len(requests) - 1
    if not hops:
        return f"{code}"
    return ngettext("{code} after {count} redirect", "{code} after {count} redirects", hops).format(
        code=code, count=hops
    )


def step_outcomes(record: dict[str, Any]) -> StepOutcomes:
    keys = record.get("test_keys") or {}
    tcp = _tally(keys.get("tcp_connect") or [], lambda r: (r.get("status") or {}).get("failure"))
    tls = _tally(keys.get("tls_handshakes") or [], lambda r: r.get("failure"))
    http = _http(keys.get("requests") or [])
    if keys.get("x_failure"):
        http = f"{http} ({keys['x_failure']})" if http != "-" else str(keys["x_failure"])
    return StepOutcomes(
        str(record.get("input") or ""), _dns(keys.get("queries") or []), tcp, tls, http
    )
