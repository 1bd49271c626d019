"""The realistic lab at socket level: per-host certificates, a CDN, IPv6 and A-label names.

Plain sockets, ssl and dnspython (never the probe) show that each host presents certificates
only for its own names, that CDN hosts share one, that dual-stack sites answer on IPv6 inside the
lab while the hop rejects IPv6 outside it, that the censor's rules have IPv6 twins, and that an
IPv4-only client gets AAAA answers it cannot use.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from typer.testing import CliRunner

from lab.labkit import TIMEOUT, http_get, lab_fixture, needs_root, resolve, title, tls_handshake
from probe.cli.lab import lab_app
from probe.lab import netns, plan, scenario
from probe.lab.lab import Lab, running
from probe.net.names import to_ascii

pytestmark = [pytest.mark.lab, needs_root]

SCENARIO = """
name = "realistic-hosts"

[[site]]
domain = "www.example.org"
ipv6 = true

[[site]]
domain = "cdn-a.example.net"
cdn = true
ipv6 = true

[[site]]
domain = "cdn-b.example.net"
cdn = true

[[rule]]
action = "ip-reset"
domains = ["reset.example.org"]

[[rule]]
action = "sni-reset"
domains = ["sni.example.org"]

[[rule]]
action = "dns-spoof"
domains = ["spoof.example.org"]
address = "10.10.34.35"

[[site]]
domain = "spoof.example.org"
ipv6 = true

[[site]]
domain = "reset.example.org"
ipv6 = true

[[site]]
domain = "sni.example.org"
ipv6 = true

# An internationalised host named only here, in mixed case: it used to crash the lab.
[[expect]]
url = "http://Яндекс.РФ/"
verdict = "ok"
"""
IDN = to_ascii("яндекс.рф")
CONTROL = "www.example.org"
OUTSIDE_V6 = "2001:4860:4860::8888"
"""A real public address, never reached: the hop rejects it."""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    path = tmp_path_factory.mktemp("scenario") / "realistic-hosts.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    with running(scenario.load(path)) as built:
        yield built


ipv4_only_dualstack = lab_fixture("ipv4-only-dualstack")


def _v6(lab: Lab, domain: str) -> str:
    return lab.addresses6[domain]


def _peer_cert(sock: ssl.SSLSocket) -> x509.Certificate:
    with sock:
        der = sock.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


def _names(cert: x509.Certificate) -> list[str]:
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return sans.get_values_for_type(x509.DNSName)


def test_dual_stack_site_has_aaaa_and_serves_over_ipv6(lab: Lab) -> None:
    v6 = _v6(lab, CONTROL)
    assert v6 == plan.web_v6(lab.addresses[CONTROL])
    assert resolve(lab, plan.ISP_RESOLVER, CONTROL, "AAAA") == ("NOERROR", [v6])
    assert resolve(lab, plan.HONEST_RESOLVER, CONTROL, "AAAA") == ("NOERROR", [v6])
    assert title(http_get(lab, v6, CONTROL)) == f"{CONTROL} - lab site"
    assert title(http_get(lab, v6, CONTROL, tls=True)) == f"{CONTROL} - lab site"


def test_ipv4_only_site_has_no_aaaa(lab: Lab) -> None:
    assert "cdn-b.example.net" not in lab.addresses6
    assert resolve(lab, plan.ISP_RESOLVER, "cdn-b.example.net", "AAAA") == ("NOERROR", [])


def test_dns_spoof_owns_the_name_so_aaaa_gets_no_data(lab: Lab) -> None:
    name = "spoof.example.org"
    assert resolve(lab, plan.HONEST_RESOLVER, name, "AAAA") == ("NOERROR", [_v6(lab, name)])
    assert resolve(lab, plan.ISP_RESOLVER, name, "AAAA") == ("NOERROR", [])
    assert resolve(lab, plan.ISP_RESOLVER, name) == ("NOERROR", ["10.10.34.35"])


def test_hop_rejects_ipv6_outside_the_lab_at_once(lab: Lab) -> None:
    counters = ["ip6tables", "-L", "FORWARD", "-v", "-x", "-n"]
    before = int(netns.sh(counters, ns=lab.ns("hop")).splitlines()[-1].split()[0])
    with netns.inside(lab.ns("client")), pytest.raises(OSError) as refused:
        socket.create_connection((OUTSIDE_V6, 443), timeout=TIMEOUT)
    # Rejected by the hop, not lost. Linux's TCP acts on the ICMPv6 error for the SYN's first
    # retransmission, about a second in: still well inside the timeout.
    assert refused.value.errno == errno.EACCES
    after = int(netns.sh(counters, ns=lab.ns("hop")).splitlines()[-1].split()[0])
    assert after > before
    routes = netns.sh(["ip", "-6", "route", "show", "default"], ns=lab.ns("client"))
    assert routes.split()[:3] == ["default", "via", plan.HOP6_CLIENT_SIDE]


def test_a_host_has_no_certificate_for_names_it_does_not_serve(lab: Lab) -> None:
    other = lab.addresses["sni.example.org"]
    assert other != lab.addresses[CONTROL]
    for address in (other, _v6(lab, "sni.example.org")):
        with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
            tls_handshake(lab, address, CONTROL)
        cert = _peer_cert(tls_handshake(lab, address, CONTROL, verify=False))
        assert _names(cert) == ["default.lab"]
        assert title(http_get(lab, address, CONTROL)) == "404 Not Found"
    assert _names(_peer_cert(tls_handshake(lab, lab.addresses[CONTROL], CONTROL))) == [CONTROL]


def test_cdn_hosts_share_one_certificate_for_all_cdn_sites(lab: Lab) -> None:
    cdn = ["cdn-a.example.net", "cdn-b.example.net"]
    edges = [lab.addresses[d] for d in cdn] + [_v6(lab, "cdn-a.example.net")]
    seen = {
        _peer_cert(tls_handshake(lab, address, name)).fingerprint(hashes.SHA256())
        for address in edges
        for name in cdn
    }
    assert len(seen) == 1  # every edge, every CDN name: the one shared certificate
    cert = _peer_cert(tls_handshake(lab, edges[0], cdn[1]))
    assert sorted(_names(cert)) == cdn
    assert title(http_get(lab, edges[1], cdn[0])) == f"{cdn[0]} - lab site"
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_handshake(lab, edges[0], CONTROL)  # a non-CDN site is not on the CDN


def test_ip_reset_has_an_ipv6_twin(lab: Lab) -> None:
    for address in (lab.addresses["reset.example.org"], _v6(lab, "reset.example.org")):
        with netns.inside(lab.ns("client")), pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, 443), timeout=TIMEOUT)
    assert title(http_get(lab, _v6(lab, CONTROL), CONTROL, tls=True)) == f"{CONTROL} - lab site"


def test_sni_reset_has_an_ipv6_twin(lab: Lab) -> None:
    v6 = _v6(lab, "sni.example.org")
    with pytest.raises(ConnectionResetError):
        tls_handshake(lab, v6, "sni.example.org")
    tls_handshake(lab, v6, CONTROL, verify=False).close()  # other SNIs pass


def test_idn_named_only_by_an_expectation_is_served_under_its_a_label(lab: Lab) -> None:
    assert IDN in lab.addresses
    cert = _peer_cert(tls_handshake(lab, lab.addresses[IDN], IDN))
    assert _names(cert) == [IDN]
    assert title(http_get(lab, lab.addresses[IDN], IDN)) == f"{IDN} - lab site"


def test_lab_run_serves_an_idn_expectation_url(tmp_path: Path) -> None:
    """The crash case: `probe lab run` with only an [[expect]] naming an IDN URL."""
    path = tmp_path / "idn.toml"
    path.write_text('name = "idn"\n[[expect]]\nurl = "http://Яндекс.рф/"\nverdict = "ok"\n')
    result = CliRunner().invoke(lab_app, ["run", str(path), "--", "true"])
    assert result.exit_code == 0, result.output
    assert result.exception is None


def test_ipv4_only_client_gets_aaaa_it_cannot_use(ipv4_only_dualstack: Lab) -> None:
    domain = "www.example.org"
    v6 = ipv4_only_dualstack.addresses6[domain]
    assert resolve(ipv4_only_dualstack, plan.ISP_RESOLVER, domain, "AAAA") == ("NOERROR", [v6])
    addresses = netns.sh(["ip", "-6", "-o", "addr", "show"], ns=ipv4_only_dualstack.ns("client"))
    assert "scope global" not in addresses
    assert (
        netns.sh(["ip", "-6", "route", "show", "default"], ns=ipv4_only_dualstack.ns("client"))
        == ""
    )
    with netns.inside(ipv4_only_dualstack.ns("client")), pytest.raises(OSError) as failed:
        socket.create_connection((v6, 443), timeout=TIMEOUT)
    assert failed.value.errno == errno.ENETUNREACH  # the client's own line, at once
    assert title(
        http_get(ipv4_only_dualstack, ipv4_only_dualstack.addresses[domain], domain, tls=True)
    ) == (f"{domain} - lab site")


def test_the_lab_helper_speaks_https_with_a_lab_certificate(lab: Lab) -> None:
    with tls_handshake(lab, plan.HELPER, plan.HELPER) as sock:
        assert sock.version() in ("TLSv1.2", "TLSv1.3")
