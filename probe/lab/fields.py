"""Strict readers of a scenario file's values, each error naming the file, line, table and key.

Files come from outside the project, so a wrong type, an unknown key, a domain that is no domain or
an address outside the lab's ranges stops the lab with a message like a compiler's.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from probe.lab.errors import LabError
from probe.lab.plan import in_lab
from probe.net.names import to_ascii

_LATENCY = re.compile(r"(\d+(?:\.\d+)?)(ms|s)")
_HEADER = re.compile(r"\s*\[\[?\s*([A-Za-z0-9_-]+)\s*\]")


def table_lines(text: str) -> dict[str, list[int]]:
    """The line of each table header (``[lab]``, every ``[[rule]]``…), by table name in order."""
    lines: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if match := _HEADER.match(line):
            lines.setdefault(match.group(1), []).append(number)
    return lines


class Where:
    """Builds ``file:line: table[n]: message`` errors (the line of the table's header)."""

    def __init__(
        self, file: str, lines: dict[str, list[int]] | None = None, table: str = "", line: int = 0
    ) -> None:
        self.file = file
        self.lines = lines or {}
        self.table = table
        self.line = line

    def at(self, kind: str, index: int = 1) -> Where:
        headers = self.lines.get(kind, [])
        line = headers[index - 1] if index <= len(headers) else 0
        table = kind if kind == "lab" else f"{kind}[{index}]"
        return Where(self.file, self.lines, table, line)

    def error(self, message: str) -> LabError:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return LabError(f"{place}: {self.table + ': ' if self.table else ''}{message}")


def no_unknown(table: dict[str, Any], allowed: frozenset[str], where: Where) -> None:
    for key in table:
        if key not in allowed:
            raise where.error(f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")


def tables(data: dict[str, Any], key: str, where: Where) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise where.error(f"'{key}' must be an array of tables ([[{key}]])")
    return value


def typed(table: dict[str, Any], key: str, kind: type, what: str, where: Where) -> Any:
    value = table[key]
    # bool is an int in Python; TOML keeps them apart, and so do we.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise where.error(f"'{key}' must be {what}, not {value!r}")
    return value


def string(table: dict[str, Any], key: str, where: Where, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise where.error(f"missing key '{key}'")
        return default
    text: str = typed(table, key, str, "a string", where)
    return text


def boolean(table: dict[str, Any], key: str, where: Where, default: bool = False) -> bool:
    if key not in table:
        return default
    return bool(typed(table, key, bool, "true or false", where))


def str_list(table: dict[str, Any], key: str, where: Where) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(f"'{key}' must be a list of strings")
    return value


def domain(name: str, where: Where) -> str:
    try:
        ascii_name = to_ascii(name)
    except UnicodeError as exc:  # idna.IDNAError and the codec errors it lets through
        raise where.error(f"invalid domain {name!r}: {exc}") from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9_-]{1,63}", label) for label in labels):
        raise where.error(f"invalid domain {name!r}")
    return ascii_name


def url(url: str, where: Where, key: str) -> str:
    """An http(s) URL with its host as an A-label, case-folded, as the lab serves it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise where.error(f"'{key}' must be an http(s) URL, not {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise where.error(f"'{key}' has an invalid port: {url!r}") from None
    host = domain(parts.hostname, where)
    netloc = f"{host}:{port}" if port is not None else host
    return parts._replace(scheme=parts.scheme.lower(), netloc=netloc).geturl()


def address(value: str, where: Where, key: str) -> str:
    if not in_lab(value):
        raise where.error(
            f"'{key}' must be an address in the lab's ranges (the three IPv4 TEST-NETs or "
            f"2001:db8::/32), not {value!r}"
        )
    return str(ipaddress.ip_address(value))


def answer(value: str, where: Where) -> str:
    """A forged DNS answer: a lab address or a bogon (10.10.34.35, 127.0.0.1), never a public
    address, so a client that follows it stays inside the lab (the hop rejects the rest)."""
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        ip = None
    if ip is None or ip.version != 4 or ip.is_global:
        raise where.error(
            f"'address' must be an IPv4 address in the lab's ranges or a bogon, not {value!r}"
        )
    return value


def latency(data: dict[str, Any], where: Where) -> float:
    """The link delay in milliseconds: ``100ms`` or ``1s``, at most 10 s; 0 when absent."""
    if "latency" not in data:
        return 0.0
    text = string(data, "latency", where)
    match = _LATENCY.fullmatch(text)
    if not match:
        raise where.error(f"'latency' must look like '100ms' or '1s', not {text!r}")
    value = float(match.group(1)) * (1000 if match.group(2) == "s" else 1)
    if value > 10_000:
        raise where.error("'latency' must be at most 10s")
    return value
