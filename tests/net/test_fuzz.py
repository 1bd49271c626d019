"""Property tests: whatever bytes a hostile server sends, a step returns a failure string."""

from __future__ import annotations

import asyncio
import socket
import struct

import dns.message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probe.net import dns as probe_dns
from probe.net import tcp, tls

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


async def _dns_exchange(reply_tail: bytes, keep_id: bool) -> probe_dns.Query:
    loop = asyncio.get_running_loop()
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.setblocking(False)
    port = server.getsockname()[1]

    async def answer() -> None:
        data, addr = await loop.sock_recvfrom(server, 512)
        head = data[:2] if keep_id else b"\x00\x00"
        await loop.sock_sendto(server, head + reply_tail, addr)

    responder = asyncio.create_task(answer())
    try:
        return await probe_dns.udp_query("fuzz.test", "A", f"127.0.0.1:{port}", 0.3, loop.time())
    finally:
        responder.cancel()
        server.close()


@FUZZ
@given(tail=st.binary(max_size=300), keep_id=st.booleans())
def test_any_dns_reply_bytes_give_a_query_record(tail: bytes, keep_id: bool) -> None:
    query = asyncio.run(_dns_exchange(tail, keep_id))
    assert query.failure is None or isinstance(query.failure, str)
    assert query.as_ooni()["hostname"] == "fuzz.test"
    if query.failure is None:
        assert query.answers  # success always carries an answer of the asked type


@FUZZ
@given(
    rcode=st.integers(0, 15),
    answers=st.lists(st.ip_addresses(v=4).map(str), max_size=5),
    ttl=st.integers(0, 2**31 - 1),
)
def test_well_formed_replies_are_recorded_faithfully(
    rcode: int, answers: list[str], ttl: int
) -> None:
    request = dns.message.make_query("fuzz.test", "A")
    response = dns.message.make_response(request)
    response.set_rcode(rcode)
    if answers:
        response.answer.append(dns.rrset.from_text_list("fuzz.test.", ttl, "IN", "A", answers))
    wire = response.to_wire()
    query = asyncio.run(_dns_exchange(wire[2:], keep_id=True))
    assert query.rcode == dns.rcode.to_text(rcode)
    assert sorted(query.addresses()) == sorted(set(answers))
    assert all(a.ttl == ttl for a in query.answers)
    if rcode == 0 and answers:
        assert query.failure is None
    else:
        assert query.failure is not None


async def _tls_exchange(reply: bytes, reset: bool) -> tls.Handshake:
    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.write(reply)
        await writer.drain()
        if reset:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        else:
            writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    try:
        _, sock = await tcp.connect("127.0.0.1", port, 1.0, loop.time())
        assert sock is not None
        record, stream = await tls.handshake(
            sock, f"127.0.0.1:{port}", "fuzz.test", tls.client_context(None), 0.5, loop.time()
        )
        assert stream is None
        return record
    finally:
        server.close()


# A TLS record header (handshake, TLS 1.2) followed by arbitrary bytes looks enough like a
# ServerHello to reach deep into the parser.
record_like = st.binary(max_size=200).map(
    lambda body: b"\x16\x03\x03" + len(body).to_bytes(2, "big") + body
)


@FUZZ
@given(reply=st.one_of(st.binary(max_size=300), record_like), reset=st.booleans())
def test_any_server_hello_bytes_give_a_failure(reply: bytes, reset: bool) -> None:
    record = asyncio.run(_tls_exchange(reply, reset))
    assert record.failure is not None
    assert not record.failure.startswith("unknown_failure"), record.failure
