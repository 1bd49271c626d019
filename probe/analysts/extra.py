"""The analysts' heavier libraries (DuckDB, Arrow, matplotlib) form an optional extra.

A volunteer who only runs measurements never needs them, so the CLI imports them inside the
commands that use them and turns a missing one into an instruction rather than a traceback.
"""

from __future__ import annotations

INSTALL = "pip install 'probe[analysts]'"


def missing_extra(exc: ImportError, what: str) -> str:
    return f"{what} needs {exc.name or 'a library'} from the analysts extra: {INSTALL}"
