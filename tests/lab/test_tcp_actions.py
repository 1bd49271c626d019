"""TCP, SNI, Host and blockpage rules at socket level: exactly the listed traffic is touched."""

from __future__ import annotations

import pytest

from lab.labkit import connection, http_get, lab_fixture, needs_root, title, tls_handshake
from probe.lab import plan
from probe.lab.lab import Lab

pytestmark = [pytest.mark.lab, needs_root]
CONTROL = "www.example.org"


ip_drop = lab_fixture("ip-drop")
ip_reset = lab_fixture("ip-reset")
sni_reset = lab_fixture("sni-reset")
sni_drop = lab_fixture("sni-drop")
host_reset = lab_fixture("host-reset")
host_drop = lab_fixture("host-drop")
http_blockpage = lab_fixture("http-blockpage")
neutral_fails_too = lab_fixture("neutral-fails-too")
all_handshakes_reset = lab_fixture("all-handshakes-reset")


def _reaches(lab: Lab, domain: str) -> None:
    """The control path: HTTP and HTTPS both serve the domain's own page."""
    address = lab.addresses[domain]
    assert title(http_get(lab, address, domain)) == f"{domain} - lab site"
    assert title(http_get(lab, address, domain, tls=True)) == f"{domain} - lab site"


@pytest.mark.parametrize("port", [80, 443])
def test_ip_drop_times_out_every_port(ip_drop: Lab, port: int) -> None:
    with (
        pytest.raises(TimeoutError),
        connection(ip_drop, ip_drop.addresses["www.torproject.org"], port),
    ):
        pass
    _reaches(ip_drop, CONTROL)


@pytest.mark.parametrize("port", [80, 443])
def test_ip_reset_refuses_every_port(ip_reset: Lab, port: int) -> None:
    address = ip_reset.addresses["bridges.torproject.org"]
    with pytest.raises(ConnectionRefusedError), connection(ip_reset, address, port):
        pass
    _reaches(ip_reset, CONTROL)


def test_sni_reset_resets_after_client_hello(sni_reset: Lab) -> None:
    address = sni_reset.addresses["www.tumblr.com"]
    with connection(sni_reset, address, 443):
        pass  # the TCP handshake itself is untouched
    with pytest.raises(ConnectionResetError):
        tls_handshake(sni_reset, address, "www.tumblr.com")


def test_sni_reset_spares_other_snis_to_the_same_address(sni_reset: Lab) -> None:
    address = sni_reset.addresses["www.tumblr.com"]
    # Through the censor to the real host, which does not serve these names (default cert).
    tls_handshake(sni_reset, address, CONTROL, verify=False).close()
    # A name that merely contains the blocked one is not blocked (the lab does not serve it).
    tls_handshake(sni_reset, address, "tumblr.com", verify=False).close()
    assert "tumblr" in http_get(sni_reset, address, "www.tumblr.com").decode()
    _reaches(sni_reset, CONTROL)


def test_sni_drop_silences_the_flow(sni_drop: Lab) -> None:
    with pytest.raises(TimeoutError):
        tls_handshake(sni_drop, sni_drop.addresses["soundcloud.com"], "soundcloud.com")


def test_sni_drop_spares_other_snis_to_the_same_address(sni_drop: Lab) -> None:
    address = sni_drop.addresses["soundcloud.com"]
    tls_handshake(sni_drop, address, CONTROL, verify=False).close()
    tls_handshake(sni_drop, address, "www.soundcloud.com", verify=False).close()
    _reaches(sni_drop, CONTROL)


def test_host_reset_resets_the_request(host_reset: Lab) -> None:
    address = host_reset.addresses["www.kub.kz"]
    with pytest.raises(ConnectionResetError):
        http_get(host_reset, address, "www.kub.kz")


def test_host_reset_spares_other_hosts_and_https(host_reset: Lab) -> None:
    address = host_reset.addresses["www.kub.kz"]
    assert title(http_get(host_reset, address, "kub.kz")) == "404 Not Found"
    assert title(http_get(host_reset, address, "www.kub.kz", tls=True)) == "www.kub.kz - lab site"
    _reaches(host_reset, CONTROL)


def test_host_drop_silences_the_request(host_drop: Lab) -> None:
    with pytest.raises(TimeoutError):
        http_get(host_drop, host_drop.addresses["www.geo.kz"], "www.geo.kz")


def test_host_drop_spares_other_hosts_and_https(host_drop: Lab) -> None:
    address = host_drop.addresses["www.geo.kz"]
    assert title(http_get(host_drop, address, "www.geo.kz", tls=True)) == "www.geo.kz - lab site"
    _reaches(host_drop, CONTROL)


def test_blockpage_replaces_the_listed_site(http_blockpage: Lab) -> None:
    response = http_get(
        http_blockpage, http_blockpage.addresses["respublika-kz.info"], "respublika-kz.info"
    )
    assert response.startswith(b"HTTP/1.1 200")
    assert title(response) == "Страница заблокирована"


def test_blockpage_spares_other_hosts_at_the_address_and_https(http_blockpage: Lab) -> None:
    address = http_blockpage.addresses["respublika-kz.info"]
    # Another Host at the redirected address goes through the censor's proxy to the real host,
    # which does not serve that name.
    assert title(http_get(http_blockpage, address, CONTROL)) == "404 Not Found"
    https = http_get(http_blockpage, address, "respublika-kz.info", tls=True)
    assert title(https) == "respublika-kz.info - lab site"
    _reaches(http_blockpage, CONTROL)


@pytest.mark.parametrize("sni", ["www.tumblr.com", CONTROL, "neutral.example"])
def test_tls_reset_by_address_resets_every_sni(neutral_fails_too: Lab, sni: str) -> None:
    address = neutral_fails_too.addresses["www.tumblr.com"]
    with connection(neutral_fails_too, address, 443):
        pass  # the TCP handshake itself is untouched
    with pytest.raises(ConnectionResetError):
        tls_handshake(neutral_fails_too, address, sni, verify=False)
    assert "tumblr" in http_get(neutral_fails_too, address, "www.tumblr.com").decode()
    _reaches(neutral_fails_too, CONTROL)


@pytest.mark.parametrize(
    ("address", "sni"),
    [("site", CONTROL), (plan.HONEST_RESOLVER, plan.HONEST_RESOLVER), (plan.HELPER, plan.HELPER)],
)
def test_tls_reset_without_targets_resets_every_handshake(
    all_handshakes_reset: Lab, address: str, sni: str
) -> None:
    """The sites, the DoH resolver and the control helper alike; plain HTTP still works."""
    lab = all_handshakes_reset
    target = lab.addresses[CONTROL] if address == "site" else address
    with pytest.raises(ConnectionResetError):
        tls_handshake(lab, target, sni, verify=False)
    assert title(http_get(lab, lab.addresses[CONTROL], CONTROL)) == f"{CONTROL} - lab site"
