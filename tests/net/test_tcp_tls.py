from __future__ import annotations

import asyncio
import base64
import ssl

import pytest
from conftest import PKI
from cryptography import x509
from loopback.web import serve_http, serve_raw

from probe.net import errors, tcp, tls


def now() -> float:
    return asyncio.get_running_loop().time()


async def test_connect_success_and_refused(servers: list[object], closed_port: int) -> None:
    server, port = await serve_raw("close")
    servers.append(server)
    record, sock = await tcp.connect("127.0.0.1", port, 2.0, now())
    assert sock is not None
    await sock.aclose()
    assert record.as_ooni()["status"] == {"success": True, "failure": None}
    record, sock = await tcp.connect("127.0.0.1", closed_port, 2.0, now())
    assert sock is None
    assert record.failure == errors.CONNECTION_REFUSED


async def test_connect_timeout(blackhole_port: int) -> None:
    record, sock = await tcp.connect("127.0.0.1", blackhole_port, 0.3, now())
    assert sock is None
    assert record.failure == errors.GENERIC_TIMEOUT


async def handshake(
    pki: PKI, server_ctx: ssl.SSLContext, servers: list[object], sni: str = "example.test"
) -> tuple[tls.Handshake, object]:
    server, port = await serve_http(tls=server_ctx)
    servers.append(server)
    _, sock = await tcp.connect("127.0.0.1", port, 2.0, now())
    assert sock is not None
    context = tls.client_context(pki.bundle)
    record, stream = await tls.handshake(sock, f"127.0.0.1:{port}", sni, context, 2.0, now())
    if stream is not None:
        await stream.aclose()
    return record, stream


async def test_tls_success_records_chain_version_cipher_alpn(
    pki: PKI, servers: list[object]
) -> None:
    record, stream = await handshake(pki, pki.good, servers)
    assert stream is not None
    assert record.failure is None
    assert record.tls_version in ("TLSv1.2", "TLSv1.3")
    assert record.cipher_suite
    out = record.as_ooni()
    leaf = x509.load_der_x509_certificate(base64.b64decode(out["peer_certificates"][0]["data"]))
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "example.test" in sans.get_values_for_type(x509.DNSName)
    assert out["server_name"] == "example.test"
    assert out["no_tls_verify"] is False


@pytest.mark.parametrize(
    ("which", "failure"),
    [
        ("wrong_name", errors.SSL_INVALID_HOSTNAME),
        ("expired", errors.SSL_INVALID_CERTIFICATE),
        ("unknown_ca", errors.SSL_UNKNOWN_AUTHORITY),
    ],
)
async def test_tls_verification_failures_keep_the_presented_chain(
    pki: PKI, servers: list[object], which: str, failure: str
) -> None:
    record, stream = await handshake(pki, getattr(pki, which), servers)
    assert stream is None
    assert record.failure == failure
    assert record.verify_code is not None and record.verify_message
    assert len(record.peer_certificates) >= 1  # the chain survives the failed verification


async def test_tls_reset_timeout_eof_and_garbage(pki: PKI, servers: list[object]) -> None:
    outcomes = {}
    for behaviour in ("reset", "silent", "close", "garbage"):
        server, port = await serve_raw(behaviour)
        servers.append(server)
        _, sock = await tcp.connect("127.0.0.1", port, 2.0, now())
        assert sock is not None
        record, stream = await tls.handshake(
            sock, f"127.0.0.1:{port}", "example.test", tls.client_context(pki.bundle), 0.5, now()
        )
        assert stream is None
        outcomes[behaviour] = record.failure
    assert outcomes == {
        "reset": errors.CONNECTION_RESET,
        "silent": errors.GENERIC_TIMEOUT,
        "close": errors.EOF_ERROR,
        "garbage": errors.SSL_FAILED_HANDSHAKE,
    }


async def test_no_verify_context_completes_with_unknown_ca(pki: PKI, servers: list[object]) -> None:
    server, port = await serve_http(tls=pki.unknown_ca)
    servers.append(server)
    _, sock = await tcp.connect("127.0.0.1", port, 2.0, now())
    assert sock is not None
    ctx = tls.client_context(None, verify=False)
    record, stream = await tls.handshake(sock, "x", "example.test", ctx, 2.0, now())
    assert record.failure is None and record.no_tls_verify
    assert stream is not None
    await stream.aclose()
