"""``probe helper serve`` as a real process on an ephemeral loopback port."""

from __future__ import annotations

import asyncio
import resource
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import PKI
from loopback.web import serve_http
from typer.testing import CliRunner

from probe.cli.helper import helper_app
from probe.control.helper_client import query_helper
from probe.settings import Settings

# Started as systemd starts services by default: a soft RLIMIT_NOFILE under the hard one.
LAUNCH = (
    "import resource; _, hard = resource.getrlimit(resource.RLIMIT_NOFILE); "
    "resource.setrlimit(resource.RLIMIT_NOFILE, (min(512, hard), hard)); "
    "from probe.cli.helper import helper_app; helper_app(prog_name='probe-helper')"
)


@pytest.fixture
async def helper_process(
    pki: PKI,
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process, str]]:
    """The started helper's URL, its process, and what it printed before listening."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LAUNCH, "serve", "--listen", "127.0.0.1:0", "--allow-private",
        "--ca-bundle", str(pki.bundle), "--verbose",
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    early = ""
    async with asyncio.timeout(30):
        while "listening on" not in (line := (await process.stderr.readline()).decode()):
            assert line, "helper exited before listening"
            early += line
    yield line.split("listening on ")[1].strip(), process, early
    if process.returncode is None:
        process.terminate()
        await process.wait()


async def test_serve_answers_control_requests(
    helper_process: tuple[str, asyncio.subprocess.Process, str], servers: list[object]
) -> None:
    url, process, early = helper_process
    assert "SSRF guard is off" in early
    assert url.startswith("http://127.0.0.1:")
    target, port = await serve_http()
    servers.append(target)
    response, failure = await query_helper(
        url, f"http://127.0.0.1:{port}/", [f"127.0.0.1:{port}"], Settings(), 20.0
    )
    assert failure is None
    assert response is not None
    assert response["http_request"]["title"] == f"Hello 127.0.0.1:{port}"
    process.terminate()
    await process.wait()
    assert process.stderr is not None
    log = (await process.stderr.read()).decode()
    assert "POST 200" in log


async def test_serve_takes_the_hard_descriptor_limit(
    helper_process: tuple[str, asyncio.subprocess.Process, str],
) -> None:
    _, process, _ = helper_process
    limits = await asyncio.to_thread(Path(f"/proc/{process.pid}/limits").read_text)
    line = next(row for row in limits.splitlines() if row.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    assert soft == hard == str(resource.getrlimit(resource.RLIMIT_NOFILE)[1])


def test_tls_cert_without_key_is_a_usage_error(pki: PKI) -> None:
    result = CliRunner().invoke(helper_app, ["serve", "--tls-cert", str(pki.bundle)])
    assert result.exit_code == 2
    assert "--tls-key" in result.output


def test_bad_listen_address_is_a_usage_error() -> None:
    result = CliRunner().invoke(helper_app, ["serve", "--listen", "127.0.0.1:http"])
    assert result.exit_code == 2
