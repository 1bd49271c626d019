"""The page title as OONI extracts it, shared by the helper and by analysis.

Both sides must use the same rule, or ``title_match`` would compare two different things.
"""

from __future__ import annotations

import re
from typing import Final

# OONI's rule: the first <title> with 1..512 characters and no markup inside, case-insensitive.
_TITLE: Final = re.compile(r"<title>([^<]{1,512})</title>", re.IGNORECASE)


def extract_title(body: str | bytes) -> str:
    """The title, or ``""`` when there is none; bytes are read as UTF-8, invalid bytes replaced."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    match = _TITLE.search(text)
    return match.group(1) if match else ""
