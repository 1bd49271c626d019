"""The scripted backend raises what a socket would: each scripted failure classifies back."""

from __future__ import annotations

import pytest

from probe.net import errors
from probe.net.scripted import raising

SCRIPTABLE = [
    errors.CONNECTION_REFUSED,
    errors.CONNECTION_RESET,
    errors.HOST_UNREACHABLE,
    errors.NETWORK_UNREACHABLE,
    errors.NETWORK_DOWN,
    errors.ADDRESS_NOT_AVAILABLE,
    errors.SSL_UNKNOWN_AUTHORITY,
    errors.SSL_INVALID_HOSTNAME,
    errors.SSL_INVALID_CERTIFICATE,
    errors.SSL_FAILED_HANDSHAKE,
    errors.EOF_ERROR,
]


@pytest.mark.parametrize("failure", SCRIPTABLE)
def test_a_scripted_failure_is_classified_as_itself(failure: str) -> None:
    assert errors.classify(raising(failure)) == failure


def test_a_failure_with_no_exception_is_refused() -> None:
    with pytest.raises(ValueError, match="dns_nxdomain_error"):
        raising(errors.DNS_NXDOMAIN)
