"""Bodies: new files store them decoded; old files stored gzip as received and still analyse."""

from __future__ import annotations

import base64
import gzip

from analysis.builders import REAL, Json, connect, helper, measurement, page_body, query, verdict
from probe.analysis.observations import body_bytes, body_length, wire_length

HOST = "example.org"
URL = f"http://{HOST}/"


def _old_style(body: str) -> Json:
    """A response as a probe that did not decode stored it: the gzip bytes, base64."""
    packed = gzip.compress(body.encode())
    return {
        "failure": None,
        "x_address": f"{REAL}:80",
        "request": {"method": "GET", "url": URL, "headers": {}},
        "response": {
            "code": 200,
            "headers": {"Content-Type": "text/html", "Content-Encoding": "gzip"},
            "body": {"format": "base64", "data": base64.b64encode(packed).decode()},
            "body_is_truncated": False,
            "x_body_length": len(packed),
            "x_transfer_seconds": 0.001,
        },
    }


def _measured(final: Json) -> Json:
    return measurement(
        URL,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80)],
        requests=[final],
        control=helper(),
    )


def test_an_old_gzip_body_is_read_decoded() -> None:
    body = page_body("Example Site")
    old = _old_style(body)
    assert body_bytes(old) == body.encode()
    assert body_length(old) == len(body.encode())
    assert wire_length(old) == old["response"]["x_body_length"]  # what crossed the network


def test_an_old_gzip_page_gets_the_same_verdict_as_a_decoded_one() -> None:
    keys = verdict(_measured(_old_style(page_body("Example Site"))))
    assert (keys["blocking"], keys["accessible"]) == (False, True)
    assert keys["title_match"] is True and keys["body_length_match"] is True


def test_an_old_gzip_blockpage_is_still_recognised() -> None:
    keys = verdict(_measured(_old_style(page_body("Страница заблокирована", 600))))
    assert keys["x_technique"] == "http.blockpage"


def test_a_new_body_is_taken_as_stored() -> None:
    # Stored decoded, with the header kept as the server sent it: never decoded twice.
    new = _old_style("")
    new["response"] |= {"body": "<title>x</title>", "x_content_decoded": ["gzip"]}
    new["response"] |= {"x_body_length": 16, "x_body_wire_length": 36}
    assert body_bytes(new) == b"<title>x</title>"
    assert (body_length(new), wire_length(new)) == (16, 36)
