"""Benchmark: scrubbing measurements of every spelling of the probe's own addresses.

Builds synthetic web_connectivity measurements whose bodies look like real pages (text, CSS hex
colours, dates, other sites' addresses, an inline base64 image), with a two-certificate chain,
and scrubs them with five secret addresses (two IPv4, three IPv6), as a run on a dual-stack
machine does. Prints the time per measurement and the throughput, for these pages and for a
worst case (1 MiB of nothing but numbers), and what one naive pattern over the whole text costs.
Nothing touches the network.

    python benchmarks/scrub_bench.py [--measurements N] [--body-kib K]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import random
import re
import time
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from probe.report.scrub import Scrubber
from probe.report.spellings import spellings

SECRETS = ["192.0.2.2", "198.51.100.23", "fd00::2", "fe80::fc:ff:fe00:1", "2001:db8::17"]


def _certificate(name: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.DER)


def _page(rng: random.Random, size: int) -> str:
    parts = ["<html><head><title>Новости дня</title><style>"]
    parts += [f".c{i} {{ color: #{rng.randrange(1 << 24):06x}; }}" for i in range(40)]
    parts.append("</style></head><body>")
    image = base64.b64encode(rng.randbytes(6000)).decode()
    parts.append(f'<img src="data:image/png;base64,{image}">')
    while sum(map(len, parts)) < size:
        day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:00"
        other = ".".join(str(rng.randint(1, 254)) for _ in range(4))
        parts.append(
            f"<p>{day} — Lorem ipsum dolor sit amet, статья {rng.randint(1, 99999)}, "
            f'<a href="https://news{rng.randint(1, 999)}.kz/a/{rng.randint(1, 10**6)}">далее</a> '
            f"server {other}, id {rng.getrandbits(64):x}</p>"
        )
    return "".join(parts) + "</body></html>"


def measurement(rng: random.Random, size: int, chain: list[bytes]) -> dict[str, Any]:
    certs = [{"format": "base64", "data": base64.b64encode(der).decode()} for der in chain]
    headers = {"Server": "nginx", "Date": "Wed, 02 Dec 2026 07:00:00 GMT", "X-Id": "a1b2c3d4e5f6"}
    return {
        "input": "https://news.kz/",
        "probe_ip": "127.0.0.1",
        "test_keys": {
            "queries": [{"hostname": "news.kz", "answers": [{"ipv4": "203.0.113.10"}]}],
            "tcp_connect": [{"ip": "203.0.113.10", "port": 443, "status": {"success": True}}],
            "tls_handshakes": [{"address": "203.0.113.10:443", "peer_certificates": certs}],
            "requests": [
                {
                    "request": {"url": "https://news.kz/", "headers": {"Host": "news.kz"}},
                    "response": {"code": 200, "headers": headers, "body": _page(rng, size)},
                }
            ],
        },
    }


def _time(scrub: Any, records: list[Any]) -> float:
    started = time.perf_counter()
    for record in records:
        scrub(record)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measurements", type=int, default=500)
    parser.add_argument("--body-kib", type=int, default=40)
    args = parser.parse_args()
    rng = random.Random(1)
    chain = [_certificate("news.kz"), _certificate("Example CA")]
    records = [measurement(rng, args.body_kib << 10, chain) for _ in range(args.measurements)]
    mib = sum(len(json.dumps(r)) for r in records) / 2**20

    started = time.perf_counter()
    scrubber = Scrubber(SECRETS)
    scrubber.text("warm up")
    compiled = time.perf_counter() - started
    seconds = _time(scrubber, records)
    print(f"secrets: {len(SECRETS)} addresses; patterns compiled once in {compiled * 1000:.0f} ms")
    print(
        f"pages: {len(records)} measurements, {mib:.1f} MiB: {seconds:.2f} s, "
        f"{seconds / len(records) * 1000:.2f} ms per measurement, {mib / seconds:.1f} MiB/s"
    )

    dense = " ".join(
        f"{rng.randint(0, 9999)}.{rng.randint(0, 99)}-{rng.getrandbits(32):x}"
        for _ in range(80_000)
    )[: 1 << 20]
    started = time.perf_counter()
    scrubber.text(dense)
    print(f"worst case: 1 MiB of numbers and hex: {time.perf_counter() - started:.2f} s")

    # One pattern tried at every character, for comparison (on a few pages: it is slow).
    naive = re.compile("|".join(f"(?:{s.text})|(?:{s.base64})" for s in map(spellings, SECRETS)))
    sample = [r["test_keys"]["requests"][0]["response"]["body"] for r in records[:5]]
    naive_seconds = _time(lambda body: naive.sub("[scrubbed]", body), sample) / len(sample)
    fast_seconds = _time(scrubber.text, sample) / len(sample)
    print(
        f"one naive pattern: {naive_seconds * 1000:.0f} ms per page body, "
        f"{naive_seconds / fast_seconds:.0f}x the scrubber's {fast_seconds * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
