"""An exception no failure string names is a bug: logged with its traceback, stored as
``unknown_failure: …``, never mapped to a network failure."""

from __future__ import annotations

import asyncio
import logging

import pytest

from probe.net import errors, http
from probe.net.stream import RawStream


class Broken(RawStream):
    """A stream whose reads hit a bug of the probe's, not of the network."""

    async def _recv(self, max_bytes: int, timeout: float | None) -> bytes:
        raise ValueError("a bug")

    async def _send(self, data: bytes, timeout: float | None) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def linger(self, abortive: bool) -> None:
        pass

    def abort(self) -> None:
        pass


async def test_an_unexpected_exception_is_logged_and_stored_as_unknown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="probe")
    headers = (("Host", "example.test"),)
    now = asyncio.get_running_loop().time()
    request = await http.get(Broken("x"), "http://example.test/", "x", headers, 100, 1.0, now)
    assert request.failure == "unknown_failure: ValueError: a bug"
    assert errors.is_unexpected(request.failure)
    [record] = [r for r in caplog.records if r.name == "probe.net.http"]
    assert record.levelno == logging.DEBUG and record.exc_info is not None


def test_the_probe_s_own_unknown_failures_are_not_bugs() -> None:
    assert not errors.is_unexpected(errors.HTTP_PROTOCOL_ERROR)
    assert not errors.is_unexpected(errors.CONNECTION_RESET)
