"""A measurement's identity: what the collector and the upload queue deduplicate by.

OONI's measurements carry no id of their own, and a collector hands out a fresh ``report_id``
for every report it opens, so the id is a digest of the measurement without its ``report_id``:
the same measurement resent under another report (after a kill, a retry or a reopen) is still
recognised, by both sides, from its content alone.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def measurement_id(record: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON of ``record`` minus ``report_id`` (64 characters)."""
    content = {k: v for k, v in record.items() if k != "report_id"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
