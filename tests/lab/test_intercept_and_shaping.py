"""TLS interception, throttling, shutdown and latency, observed with plain sockets."""

from __future__ import annotations

import ssl
import time

import dns.exception
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from lab.labkit import (
    TIMEOUT,
    connection,
    http_get,
    lab_fixture,
    needs_root,
    resolve,
    title,
    tls_handshake,
)
from probe.lab import netns, plan
from probe.lab.lab import Lab

pytestmark = [pytest.mark.lab, needs_root]
CONTROL = "www.example.org"
TARGET = "www.facebook.com"

tls_mitm = lab_fixture("tls-mitm")
throttle = lab_fixture("throttle")
shutdown = lab_fixture("shutdown")
latency = lab_fixture("latency")
clean = lab_fixture("clean")


def _leaf(sock: ssl.SSLSocket) -> x509.Certificate:
    with sock:
        der = sock.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


def _cn(name: x509.Name) -> str:
    return str(name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def test_mitm_leaf_copies_the_site_and_chains_to_the_national_root(tls_mitm: Lab) -> None:
    assert tls_mitm.national_root_pem is not None
    address = tls_mitm.addresses[TARGET]
    # Validates only because the server sends the intermediate between leaf and national root.
    leaf = _leaf(tls_handshake(tls_mitm, address, TARGET, cafile=tls_mitm.national_root_pem))
    assert _cn(leaf.subject) == TARGET
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == [TARGET]
    assert _cn(leaf.issuer) == "Lab Security Certificate"
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_handshake(tls_mitm, address, TARGET)


def test_mitm_passes_other_snis_untouched(tls_mitm: Lab) -> None:
    address = tls_mitm.addresses[TARGET]
    # The target's host does not serve CONTROL: the real server's default certificate comes
    # back, not a national leaf copying CONTROL.
    leaf = _leaf(tls_handshake(tls_mitm, address, CONTROL, verify=False))
    assert (_cn(leaf.subject), _cn(leaf.issuer)) == ("default.lab", "Lab Web PKI Root")
    assert title(http_get(tls_mitm, tls_mitm.addresses[CONTROL], CONTROL, tls=True)) == (
        f"{CONTROL} - lab site"
    )


def test_mitm_proxies_the_real_page(tls_mitm: Lab) -> None:
    """Interception, not blocking: the client that trusts the national root gets the site."""
    request = f"GET / HTTP/1.1\r\nHost: {TARGET}\r\nConnection: close\r\n\r\n".encode()
    assert tls_mitm.national_root_pem is not None
    address = tls_mitm.addresses[TARGET]
    with tls_handshake(tls_mitm, address, TARGET, cafile=tls_mitm.national_root_pem) as sock:
        sock.sendall(request)
        body = b""
        while chunk := sock.recv(65536):
            body += chunk
    assert title(body) == f"{TARGET} - lab site"


def _class_bytes(lab: Lab, classid: str) -> int:
    out = netns.sh(["tc", "-s", "class", "show", "dev", "eth0"], ns=lab.ns("censor"))
    block = out.split(f"class htb {classid} ")[1]
    return int(block.split("Sent ")[1].split(" bytes")[0])


def test_throttle_limits_only_the_listed_address(throttle: Lab) -> None:
    before = _class_bytes(throttle, "1:2")
    assert title(http_get(throttle, throttle.addresses[CONTROL], CONTROL)) == (
        f"{CONTROL} - lab site"
    )
    assert _class_bytes(throttle, "1:2") == before  # the control site is not shaped
    received = 0
    with connection(throttle, throttle.addresses["vimeo.com"], 80) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: vimeo.com\r\nConnection: close\r\n\r\n")
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and (chunk := sock.recv(65536)):
            received += len(chunk)
    # 64 kbit/s is 8 kB/s: a few seconds carry a few tens of kB of the 300 kB page, never all.
    assert 0 < received < 100_000
    assert _class_bytes(throttle, "1:2") > before


def test_shutdown_silences_everything(shutdown: Lab) -> None:
    for server in (plan.ISP_RESOLVER, plan.HONEST_RESOLVER):
        with pytest.raises(dns.exception.Timeout):
            resolve(shutdown, server, CONTROL)
    with pytest.raises(TimeoutError), connection(shutdown, shutdown.addresses[CONTROL], 443):
        pass


def _connect_seconds(lab: Lab) -> float:
    start = time.monotonic()
    with connection(lab, lab.addresses[CONTROL], 443):
        return time.monotonic() - start


def test_latency_adds_round_trip_time_across_the_censor(latency: Lab, clean: Lab) -> None:
    assert _connect_seconds(latency) >= 0.2
    assert _connect_seconds(clean) < 0.2
    start = time.monotonic()
    assert resolve(latency, plan.ISP_RESOLVER, CONTROL)[0] == "NOERROR"
    assert time.monotonic() - start >= 0.2
