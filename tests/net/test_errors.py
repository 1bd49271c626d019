"""Failure strings for the local failures a real network produces (dual stack, no route)."""

from __future__ import annotations

import asyncio
import errno

import pytest

from probe.net import errors


@pytest.mark.parametrize(
    ("code", "failure"),
    [
        (errno.ENETUNREACH, errors.NETWORK_UNREACHABLE),
        (errno.EHOSTUNREACH, errors.HOST_UNREACHABLE),
        (errno.ENETDOWN, errors.NETWORK_DOWN),
        (errno.EAFNOSUPPORT, errors.ADDRESS_FAMILY_NOT_SUPPORTED),
        (errno.EADDRNOTAVAIL, errors.ADDRESS_NOT_AVAILABLE),
    ],
)
def test_local_os_errors_have_their_own_string(code: int, failure: str) -> None:
    assert errors.classify(OSError(code, "x")) == failure


def test_a_cancelled_step_is_interrupted_but_a_timeout_stays_a_timeout() -> None:
    assert errors.classify(asyncio.CancelledError()) == errors.INTERRUPTED
    try:
        try:
            raise asyncio.CancelledError
        except asyncio.CancelledError as exc:
            raise TimeoutError from exc
    except TimeoutError as timeout:
        assert errors.classify(timeout) == errors.GENERIC_TIMEOUT


def test_anything_else_is_an_unknown_failure_naming_the_exception() -> None:
    assert errors.classify(RuntimeError("boom")) == "unknown_failure: RuntimeError: boom"
