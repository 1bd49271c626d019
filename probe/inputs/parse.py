"""Reading target lists: Citizen Lab CSV or plain text, validated as a whole.

Any problem rejects the entire list with ``file:line: reason``: a half-run list would give a
report that looks complete but is not.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from probe.i18n import _
from probe.inputs.categories import CATEGORIES, CITIZEN_LAB_COLUMNS
from probe.inputs.errors import ListError
from probe.inputs.targets import Target
from probe.inputs.text import decode_lines
from probe.inputs.urls import check_url

URL_ARGUMENT = "--url"
"""The ``path`` of errors about ``--url`` arguments; their ``line`` is the argument's position."""
_SHOWN = 80
"""Longest value quoted back in a message."""

Record = tuple[int, dict[str, str]]


def load_list(path: Path) -> list[Target]:
    """Read and validate a list file; raises ListError."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ListError(str(path), 0, f"cannot read the list ({exc.strerror or exc})") from None
    return parse_list(data, str(path))


def parse_list(data: bytes, path: str) -> list[Target]:
    """Parse list content; ``path`` names it in errors and decides CSV by a ``.csv`` suffix.

    Without that suffix a list is CSV when its first non-blank line is a header with ``url``.
    """
    lines = decode_lines(data, path)
    first = next((line for line in lines if line.strip()), "")
    is_csv = path.lower().endswith(".csv") or _looks_like_header(first)
    records = _csv_records(lines, path) if is_csv else _text_records(lines)
    targets = _targets(records, path)
    if not targets:
        raise ListError(path, 0, _("the list has no targets"))
    return targets


def targets_from_urls(urls: Sequence[str]) -> list[Target]:
    """Targets for ``--url`` arguments, validated like a list."""
    records = ((i, {"url": url}) for i, url in enumerate(urls, 1))
    return [dataclasses.replace(t, list_path="", line=0) for t in _targets(records, URL_ARGUMENT)]


def _looks_like_header(line: str) -> bool:
    # Not csv.reader: a plain-text line may be longer than its field size limit.
    return any(cell.strip().strip('"').strip().lower() == "url" for cell in line.split(","))


def _text_records(lines: list[str]) -> Iterator[Record]:
    for number, line in enumerate(lines, 1):
        url = line.strip()
        if url and not url.startswith("#"):
            yield number, {"url": url}


def _csv_records(lines: list[str], path: str) -> Iterator[Record]:
    """Rows as dicts keyed by the header, each with the line its record starts on."""
    rows = _csv_rows(lines, path)
    header_line, header = next(rows, (1, []))
    columns = _check_header(header, path, header_line)
    for number, row in rows:
        if len(row) != len(columns):
            raise ListError(
                path,
                number,
                _("expected {expected} fields, found {found}").format(
                    expected=len(columns), found=len(row)
                ),
            )
        yield number, dict(zip(columns, (cell.strip() for cell in row), strict=True))


def _csv_rows(lines: list[str], path: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader((line + "\n" for line in lines), strict=True)
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ListError(path, start, f"bad CSV ({exc})") from None


def _check_header(header: list[str], path: str, line: int) -> list[str]:
    columns = [cell.strip().lower() for cell in header]
    if "url" not in columns:
        found = ", ".join(c for c in columns if c) or "nothing"
        raise ListError(
            path,
            line,
            _("missing required column 'url' in the header (found: {found})").format(found=found),
        )
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        columns_shown = ", ".join(map(repr, duplicated))
        raise ListError(path, line, _("duplicate column {column}").format(column=columns_shown))
    if any(c in columns for c in CITIZEN_LAB_COLUMNS[1:]):
        missing = [c for c in CITIZEN_LAB_COLUMNS if c not in columns]
        if missing:
            raise ListError(
                path,
                line,
                f"missing required column {', '.join(map(repr, missing))}: a Citizen Lab header"
                f" has all of {', '.join(CITIZEN_LAB_COLUMNS)}",
            )
    return columns


def _targets(records: Iterable[Record], path: str) -> list[Target]:
    first_seen: dict[str, int] = {}
    targets: list[Target] = []
    for number, fields in records:
        url = fields["url"].strip()
        try:
            key = check_url(url).key
        except ValueError as exc:
            raise ListError(
                path, number, _("bad URL {url}: {reason}").format(url=_show(url), reason=exc)
            ) from None
        first = first_seen.setdefault(key, number)
        if first != number:
            raise ListError(
                path,
                number,
                _("duplicate URL {url} (first at {where})").format(
                    url=_show(url), where=f"{path}:{first}"
                ),
            )
        code = _category(fields, path, number)
        targets.append(
            Target(
                url=url,
                category_code=code,
                category_description=fields.get("category_description") or CATEGORIES.get(code, ""),
                date_added=fields.get("date_added", ""),
                source=fields.get("source", ""),
                notes=fields.get("notes", ""),
                list_path=path,
                line=number,
            )
        )
    return targets


def _category(fields: dict[str, str], path: str, line: int) -> str:
    if "category_code" not in fields:
        return ""
    code = fields["category_code"]
    if not code:
        raise ListError(path, line, _("missing category code"))
    if code not in CATEGORIES:
        reason = _("unknown category code {code}").format(code=_show(code))
        if code.upper() in CATEGORIES:
            reason += "; " + _("did you mean {code}?").format(code=code.upper())
        raise ListError(path, line, reason)
    return code


def _show(value: str) -> str:
    """``repr`` of a value, shortened so one huge field cannot flood the terminal."""
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")
