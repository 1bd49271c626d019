"""A real Kazakh root from the shared test-data folder, for stores that should be flagged."""

from __future__ import annotations

import pytest
from interception.kzroots import KZ_ROOTS, RealRoot, real_roots


@pytest.fixture
def kz_root() -> RealRoot:
    roots = real_roots()
    if not roots:
        pytest.skip(f"Kazakh root test data not found at {KZ_ROOTS}")
    return roots[0]
