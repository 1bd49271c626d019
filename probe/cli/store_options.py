"""``--store`` and its filters, shared by ``probe diff``, ``probe report`` and ``probe export``.

The store modules need the analysts' or collector's extra, so they are imported only once a
command is given a store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from probe.options import ENV_STORE

if TYPE_CHECKING:
    from probe.store.backend import Storage
    from probe.store.query import Filters

STORE = typer.Option(
    None,
    "--store",
    envvar=ENV_STORE,
    metavar="STORE",
    help="Read a store instead of files: duckdb:PATH, chdb:PATH or clickhouse://HOST/DB.",
)
ASN = typer.Option([], "--asn", help="With --store: only this ASN, e.g. AS9198 (repeatable).")
CC = typer.Option([], "--cc", help="With --store: only this country code, e.g. KZ (repeatable).")
SINCE = typer.Option(None, "--since", metavar="DAY", help="With --store: from this UTC day.")
UNTIL = typer.Option(
    None, "--until", metavar="DAY", help="With --store: up to and including this UTC day."
)


def filters(
    asns: list[str],
    ccs: list[str],
    since: str | None,
    until: str | None,
    categories: tuple[str, ...] = (),
) -> Filters:
    """The filters of the flags; raises StoreError naming a bad value."""
    from probe.store.query import Filters, parse_asn, parse_day

    return Filters(
        asns=tuple(map(parse_asn, asns)),
        ccs=tuple(cc.upper() for cc in ccs),
        since=parse_day(since) if since else None,
        until=parse_day(until, end=True) if until else None,
        categories=categories,
    )


def without_store(store: str | None, asns: list[str], ccs: list[str], *days: str | None) -> bool:
    """True when no store is given; a filter without one is a usage error."""
    if store is None and (asns or ccs or any(days)):
        raise typer.BadParameter("--asn, --cc, --since and --until need --store")
    return store is None


@contextmanager
def reading(spec: str) -> Iterator[Storage]:
    from probe.store.backend import open_storage

    storage = open_storage(spec)
    try:
        yield storage
    finally:
        storage.close()
