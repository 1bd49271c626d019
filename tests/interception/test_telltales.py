from __future__ import annotations

import datetime
import json

import pytest
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from interception.certforge import NOW, Issued, build, cn, issue, make_ca

from probe.interception import control_telltales, forgery_telltales
from probe.interception.telltales import LEAF_EXTENSIONS, dns_names

HOUR = datetime.timedelta(hours=1)
CA = make_ca(cn("Telltale Test CA"))


def test_proper_leaf_shows_no_telltales() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = issue(CA, "example.test", key=key, not_before=NOW - 40 * 24 * HOUR)

    assert forgery_telltales([leaf.der, CA.der], NOW) == {
        "x_rsa_exponent_3": [],
        "x_small_keys": [],
        "x_leaf_age_hours": 960.0,
        "x_leaf_fresh": False,
        "x_leaf_missing_extensions": [],
    }


def test_mint_on_the_fly_leaf_shows_every_telltale() -> None:
    weak = rsa.generate_private_key(public_exponent=3, key_size=1024)
    leaf = issue(CA, "www.google.com", key=weak, not_before=NOW - 2 * HOUR, full_extensions=False)

    found = forgery_telltales([leaf.der], NOW)

    assert found["x_rsa_exponent_3"] == [0]
    assert found["x_small_keys"] == [0]
    assert found["x_leaf_age_hours"] == 2.0
    assert found["x_leaf_fresh"] is True
    assert found["x_leaf_missing_extensions"] == list(LEAF_EXTENSIONS)


def test_weak_intermediate_is_reported_by_index() -> None:
    weak_ca_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    weak_ca = Issued(weak_ca_key, build(cn("Weak CA"), weak_ca_key.public_key(), CA, CA.key))
    found = forgery_telltales([issue(weak_ca, "vk.com").der, weak_ca.der], NOW)
    assert (found["x_small_keys"], found["x_rsa_exponent_3"]) == ([1], [])


@pytest.mark.parametrize(
    ("age_hours", "window", "fresh"),
    [(30, 24.0, False), (23, 24.0, True), (30, 48.0, True), (-1, 24.0, True)],
)
def test_freshness_window(age_hours: int, window: float, fresh: bool) -> None:
    leaf = issue(CA, "ok.ru", not_before=NOW - age_hours * HOUR)
    found = forgery_telltales([leaf.der], NOW, fresh_hours=window)
    assert (found["x_leaf_age_hours"], found["x_leaf_fresh"]) == (float(age_hours), fresh)


def test_naive_handshake_time_is_utc() -> None:
    leaf = issue(CA, "mail.ru", not_before=NOW - 5 * HOUR)
    naive = NOW.replace(tzinfo=None)
    assert forgery_telltales([leaf.der], naive)["x_leaf_age_hours"] == 5.0


def test_small_ec_curve_is_a_small_key() -> None:
    try:
        small = ec.generate_private_key(ec.SECP192R1())
    except UnsupportedAlgorithm:
        pytest.skip("this OpenSSL build cannot make P-192 keys")
    assert forgery_telltales([issue(CA, "t.co", key=small).der], NOW)["x_small_keys"] == [0]


def test_missing_or_broken_leaf_gives_none_but_still_checks_keys() -> None:
    empty = forgery_telltales([], NOW)
    broken = forgery_telltales([b"junk", CA.der], NOW)
    for found in (empty, broken):
        assert found["x_leaf_age_hours"] is None
        assert found["x_leaf_fresh"] is None
        assert found["x_leaf_missing_extensions"] is None
    assert broken["x_small_keys"] == []
    json.dumps(broken)


def test_same_certificate_as_control() -> None:
    leaf = issue(CA, "facebook.com", "www.facebook.com")
    assert control_telltales(leaf.der, leaf.der) == {
        "x_control_same_cert": True,
        "x_control_same_spki": True,
        "x_control_same_issuer": True,
        "x_control_subject_copied": False,
        "x_control_san_copied": False,
    }


def test_forged_leaf_copies_subject_and_sans_of_the_control() -> None:
    genuine = issue(CA, "facebook.com", "www.facebook.com", "m.facebook.com")
    interceptor = make_ca(x509.Name.from_rfc4514_string("CN=Qaznet Trust Network,C=KZ"))
    # Same names in a different order and case: still a copy.
    forged = issue(interceptor, "facebook.com", "M.FACEBOOK.COM", "www.facebook.com")

    assert control_telltales(forged.der, genuine.der) == {
        "x_control_same_cert": False,
        "x_control_same_spki": False,
        "x_control_same_issuer": False,
        "x_control_subject_copied": True,
        "x_control_san_copied": True,
    }


def test_different_site_is_not_a_copy() -> None:
    ours, theirs = issue(CA, "a.test"), issue(CA, "b.test")
    found = control_telltales(ours.der, theirs.der)
    assert (found["x_control_subject_copied"], found["x_control_san_copied"]) == (False, False)
    assert found["x_control_same_issuer"] is True


def test_unparsable_control_leaf() -> None:
    found = control_telltales(issue(CA, "a.test").der, b"junk")
    assert found["x_control_same_cert"] is False
    assert found["x_control_subject_copied"] is None


def test_dns_names_are_sorted_and_lower_cased() -> None:
    leaf = issue(CA, "B.test", "a.test", "b.test")
    assert dns_names(leaf.cert) == ["a.test", "b.test"]
    assert dns_names(CA.cert) == []
