"""The Kazakh scenarios serve the whole kz list and censor the reported targets, nothing else."""

from __future__ import annotations

import ssl
from pathlib import Path

import dns.exception
import pytest

from lab.labkit import (
    connection,
    http_get,
    lab_fixture,
    needs_root,
    resolve,
    title,
    tls_handshake,
)
from probe.inputs import find_list, load_list
from probe.lab import plan, scenario
from probe.lab.lab import Lab, running

pytestmark = [pytest.mark.lab, needs_root]
kz_2016 = lab_fixture("kz-2016")
kz_2019_mitm = lab_fixture("kz-2019-mitm")
kz_shutdown = lab_fixture("kz-shutdown")
UNTOUCHED = "www.google.kz"


def test_every_kz_list_domain_is_served(kz_2016: Lab) -> None:
    hosts = {t.ascii_hostname for t in load_list(find_list("kz"))}
    assert hosts <= set(kz_2016.addresses)
    for host in sorted(hosts)[:5]:
        assert resolve(kz_2016, plan.HONEST_RESOLVER, host)[1] == [kz_2016.addresses[host]]


def test_kz_2016_mixes_dns_sni_and_blockpage_blocking(kz_2016: Lab) -> None:
    assert resolve(kz_2016, plan.ISP_RESOLVER, "ratel.kz") == ("NXDOMAIN", [])
    with pytest.raises(ConnectionResetError):
        tls_handshake(kz_2016, kz_2016.addresses["www.tumblr.com"], "www.tumblr.com")
    blocked = http_get(kz_2016, kz_2016.addresses["respublika-kz.info"], "respublika-kz.info")
    assert title(blocked) == "Страница заблокирована"
    address = kz_2016.addresses[UNTOUCHED]
    assert title(http_get(kz_2016, address, UNTOUCHED, tls=True)) == f"{UNTOUCHED} - lab site"


def test_kz_2019_intercepts_only_the_targets(kz_2019_mitm: Lab) -> None:
    for target in ("www.facebook.com", "twitter.com"):
        with pytest.raises(ssl.SSLCertVerificationError):
            tls_handshake(kz_2019_mitm, kz_2019_mitm.addresses[target], target)
        root = kz_2019_mitm.national_root_pem
        tls_handshake(kz_2019_mitm, kz_2019_mitm.addresses[target], target, cafile=root).close()
    address = kz_2019_mitm.addresses[UNTOUCHED]
    tls_handshake(kz_2019_mitm, address, UNTOUCHED).close()
    assert kz_2019_mitm.environment()["PROBE_LAB_NATIONAL_ROOT"] == str(root)


def test_kz_shutdown_cuts_everything(kz_shutdown: Lab) -> None:
    with pytest.raises(dns.exception.Timeout):
        resolve(kz_shutdown, plan.ISP_RESOLVER, UNTOUCHED)
    with pytest.raises(TimeoutError), connection(kz_shutdown, kz_shutdown.addresses[UNTOUCHED], 80):
        pass


def test_thousands_of_sites_each_with_its_own_page_and_certificate(tmp_path: Path) -> None:
    names = [f"site{i}.example.kz" for i in range(2000)]
    (tmp_path / "many.txt").write_text("".join(f"https://{n}/\n" for n in names))
    (tmp_path / "many.toml").write_text('name = "many"\nserve_lists = ["many.txt"]\n')
    with running(scenario.load(tmp_path / "many.toml")) as lab:
        assert len(set(lab.addresses.values())) == len(plan.WEB_POOL)
        for name in (names[0], names[1234], names[-1]):
            sock = tls_handshake(lab, lab.addresses[name], name)
            sock.close()
            assert title(http_get(lab, lab.addresses[name], name)) == f"{name} - lab site"
        sizes = {len(http_get(lab, lab.addresses[n], n)) for n in names[:20]}
        assert len(sizes) > 15  # distinct pages, so body-length comparisons can tell them apart
