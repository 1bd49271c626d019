"""One loopback run of every nettest, shared by the conformance tests of a session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import PKI

from conformance.corpus import Corpus, probe_corpus


@pytest.fixture(scope="session")
def corpus(pki: PKI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    with probe_corpus(pki, tmp_path_factory.mktemp("corpus")) as made:
        yield made
