"""``probe upload`` and ``probe run --upload``: send measurements to a collector, offline first.

Everything to send is queued on disk first and removed only once acknowledged, so a run that
cannot reach the collector (or is killed while sending) sends the rest on a later run.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from probe.cli.options import CA_BUNDLE, COLLECTOR, UPLOAD_PROXY
from probe.i18n import _, ngettext
from probe.net.tls import check_ca_bundle
from probe.options import ENV_UPLOAD_QUEUE
from probe.report.jsonl import ResultsError, read_jsonl
from probe.upload.client import CollectorClient
from probe.upload.queue import UploadQueue, default_root
from probe.upload.uploader import Uploader

EXIT_USAGE = 2

QUEUE_DIR = typer.Option(
    None,
    "--queue-dir",
    envvar=ENV_UPLOAD_QUEUE,
    help="Folder of the upload queue (default: the user data folder's upload-queue).",
)
UPLOAD_BUDGET = typer.Option(
    60.0, "--upload-budget", min=0.0, help="Seconds to keep retrying an unreachable collector."
)


def check_upload(upload: bool, collector: str | None, proxy: str | None) -> None:
    """Before a run measures anything: --upload needs a collector, and a proxy must parse."""
    if upload and not collector:
        raise typer.BadParameter(_("--upload needs --collector URL (or PROBE_COLLECTOR_URL)"))
    _check_proxy(proxy)


def _check_proxy(proxy: str | None) -> None:
    if proxy and not proxy.startswith(("socks5://", "socks5h://", "http://", "https://")):
        raise typer.BadParameter(
            _("{proxy}: give socks5://HOST:PORT or http://HOST:PORT").format(proxy=proxy)
        )


def upload_queued(
    files: list[Path],
    collector: str,
    proxy: str | None,
    ca_bundle: Path | None,
    queue_dir: Path | None,
    budget: float,
    err: Console,
    send: bool = True,
) -> int:
    """Queue ``files``' measurements, then (``send``) drain the whole queue; returns what stays
    queued. Every file is read whole before anything is queued, so a bad line queues nothing."""
    _check_proxy(proxy)
    for path in files:
        for _record in read_jsonl(path):
            pass
    queue = UploadQueue(queue_dir or default_root(), collector)
    added = 0
    for path in files:
        for record in read_jsonl(path):
            added += queue.add(record)
    if not send:
        queued = ngettext(
            "upload: {count} measurement queued for the next run",
            "upload: {count} measurements queued for the next run",
            queue.count(),
        )
        err.print(queued.format(count=queue.count()), highlight=False)
        return queue.count()
    client = CollectorClient(collector, proxy, ca_bundle)
    try:
        result = Uploader(queue, client, budget).drain()
    finally:
        client.close()
    err.print(
        _("upload: {sent} sent to {collector}, {pending} queued for later").format(
            sent=result.sent, collector=collector, pending=result.pending
        )
        + (
            _(", {count} refused (kept in {path})").format(
                count=result.rejected, path=queue.rejected
            )
            if result.rejected
            else ""
        )
        + (f" ({result.last_error})" if result.pending and result.last_error else ""),
        highlight=False,
    )
    for problem in queue.problems:
        err.print(f"[yellow]warning:[/] upload: {escape(problem)}", highlight=False)
    if added and not result.sent and not result.pending and not result.rejected:
        err.print(_("upload: nothing new to send"), highlight=False)
    return result.pending


def upload(
    files: list[Path] = typer.Argument(
        None, exists=True, dir_okay=False, help="Results files to send."
    ),
    pending: bool = typer.Option(
        False, "--pending", help="Send what earlier runs left queued (also done with FILEs)."
    ),
    collector: str | None = COLLECTOR,
    upload_proxy: str | None = UPLOAD_PROXY,
    ca_bundle: Path | None = CA_BUNDLE,
    queue_dir: Path | None = QUEUE_DIR,
    budget: float = UPLOAD_BUDGET,
) -> None:
    """Send finished results files to a collector. Exit 0: all sent, 1: some still queued."""
    err = Console(stderr=True)
    if not collector:
        err.print(_("[red]error:[/] give --collector URL (or set PROBE_COLLECTOR_URL)"))
        raise typer.Exit(EXIT_USAGE)
    if not files and not pending:
        err.print(_("[red]error:[/] give results files, or --pending for the queue"))
        raise typer.Exit(EXIT_USAGE)
    try:
        if ca_bundle is not None:
            check_ca_bundle(ca_bundle)
        left = upload_queued(
            files or [], collector, upload_proxy, ca_bundle, queue_dir, budget, err
        )
    except (ResultsError, OSError, ValueError) as exc:
        err.print(_("[red]error:[/] {error}").format(error=escape(str(exc))), highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    raise typer.Exit(1 if left else 0)


def upload_run(
    path: Path,
    collector: str,
    proxy: str | None,
    ca_bundle: Path | None,
    err: Console,
    send: bool = True,
) -> None:
    """``probe run --upload``'s hook, once the results file is final (scrubbed again if needed,
    re-analysed if the network proved unusable): earlier lines could still change until then.
    An interrupted run only queues (``send=False``)."""
    try:
        upload_queued([path], collector, proxy, ca_bundle, None, 60.0, err, send)
    except (ResultsError, OSError) as exc:
        kept = _("[red]error:[/] upload: {error}; {path} is kept").format(error=exc, path=path)
        err.print(kept, highlight=False)
