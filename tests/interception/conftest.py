"""Fixtures over the real Kazakh roots in the shared test-data folder."""

from __future__ import annotations

import pytest
from interception.kzroots import KZ_ROOTS, RealRoot, real_roots


@pytest.fixture
def all_real_roots() -> list[RealRoot]:
    roots = real_roots()
    if not roots:
        pytest.skip(f"Kazakh root test data not found at {KZ_ROOTS}")
    return roots
