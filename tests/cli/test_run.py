"""`probe run` as a volunteer runs it: a subprocess, a list file, a JSONL file to check."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PKI
from loopback import dns_server
from loopback.background import background
from loopback.dns_server import Zone
from loopback.web import respond, serve_http, serve_raw
from net.test_geoip import geo_zone

from probe.analysis.results import read_results
from probe.cli.consent import CONSENT_VERSION

BASE_KEYS = {
    "annotations",
    "data_format_version",
    "input",
    "measurement_start_time",
    "probe_asn",
    "probe_cc",
    "probe_ip",
    "probe_network_name",
    "report_id",
    "resolver_asn",
    "resolver_ip",
    "resolver_network_name",
    "software_name",
    "software_version",
    "test_keys",
    "test_helpers",
    "test_name",
    "test_runtime",
    "test_start_time",
    "test_version",
}


# Should a test measure by mistake, DNS goes to a closed loopback port and nowhere else.
NOWHERE = {"PROBE_RESOLVER": "127.0.0.1:9", "PROBE_SYSTEM_DNS": "0"}


@pytest.fixture
def lab(pki: PKI) -> Iterator[dict[str, Any]]:
    """A resolver, an HTTPS site, an HTTP site and a resetting port, on 127.0.0.1."""
    with background() as bg:
        zone = Zone({"example.test": ["127.0.0.1"], "nx.test": dns_server.NXDOMAIN})
        transport, resolver = bg.run(dns_server.serve(zone))
        https, https_port = bg.run(serve_http(tls=pki.good))
        plain, http_port = bg.run(serve_http())
        reset, reset_port = bg.run(serve_raw("reset"))
        yield {
            "resolver": resolver,
            "urls": [
                f"https://example.test:{https_port}/",
                f"http://example.test:{http_port}/to/final",
                "https://nx.test/",
                f"https://example.test:{reset_port}/",
            ],
        }
        for server in (https, plain, reset):
            bg.loop.call_soon_threadsafe(server.close)
        bg.loop.call_soon_threadsafe(transport.close)


def isolated(cwd: Path, env: dict[str, str]) -> dict[str, str]:
    """The consent answer lives in a throwaway config dir; geolocation is off unless asked."""
    base = {"XDG_CONFIG_HOME": str(cwd / "config"), "PROBE_YES": "1"}
    return {**os.environ, **base, **env}


def run_probe(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    if "run" in args and "--geoip" not in args:
        args = [*args, "--no-geoip"]
    return subprocess.run(
        [sys.executable, "-m", "probe", *args],
        env=isolated(cwd, env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe_env(pki: PKI, resolver: str) -> dict[str, str]:
    return {
        "PROBE_RESOLVER": resolver,
        "PROBE_CA_BUNDLE": str(pki.bundle),
        "PROBE_BOGON_EXEMPT": "127.0.0.0/8",
        "COLUMNS": "200",
    }


def test_run_writes_one_ooni_line_per_target(lab: dict[str, Any], pki: PKI, tmp_path: Path) -> None:
    listing = tmp_path / "mine.txt"
    listing.write_text("# loopback targets\n" + "\n".join(lab["urls"]) + "\n")
    out = tmp_path / "out.jsonl"
    result = run_probe(
        [
            "run",
            "--list",
            str(listing),
            "--output",
            str(out),
            "--no-system-dns",
            "--timeout-tls",
            "2",
        ],
        probe_env(pki, lab["resolver"]),
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 4
    records = {r["input"]: r for r in map(json.loads, lines)}
    assert set(records) == set(lab["urls"])
    report_ids = {r["report_id"] for r in records.values()}
    assert len(report_ids) == 1
    for record in records.values():
        assert set(record) == BASE_KEYS
        assert record["probe_ip"] == "127.0.0.1"
        assert record["data_format_version"] == "0.2.0"
        assert record["test_name"] == "web_connectivity"
        assert record["annotations"]["x_list"] == "mine"
        assert len(record["measurement_start_time"]) == 19
    ok, redirected, nx, reset = (records[u]["test_keys"] for u in lab["urls"])
    assert ok["requests"][0]["response"]["code"] == 200
    assert [r["response"]["code"] for r in redirected["requests"]] == [200, 302]
    assert {q["failure"] for q in nx["queries"]} == {"dns_nxdomain_error"}
    assert reset["tls_handshakes"][0]["failure"] == "connection_reset"
    assert str(out) in result.stdout.replace("\n", "")
    # Verdicts come from the stored observations. Without a helper or DoH there is no control, so
    # nothing can be called blocked: a verified HTTPS page is ok, the rest undetermined.
    verdicts = {
        u: (records[u]["test_keys"]["blocking"], records[u]["test_keys"]["accessible"])
        for u in lab["urls"]
    }
    assert verdicts[lab["urls"][0]] == (False, True)
    assert all(isinstance(v[0], bool) or v[0] is None for v in verdicts.values())
    assert all(r["test_keys"]["x_network_unusable"] is False for r in records.values())
    assert "blocked" in result.stdout and "undetermined" in result.stdout


def test_default_output_path_uses_time_and_list_name(
    lab: dict[str, Any], pki: PKI, tmp_path: Path
) -> None:
    result = run_probe(
        ["run", "--url", lab["urls"][0], "--no-system-dns"],
        probe_env(pki, lab["resolver"]),
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    [path] = (tmp_path / "results").glob("*-urls.jsonl")
    assert len(path.read_text().splitlines()) == 1


def test_malformed_list_names_file_and_line_and_runs_nothing(tmp_path: Path) -> None:
    listing = tmp_path / "bad.csv"
    listing.write_text(
        "url,category_code,category_description,date_added,source,notes\n"
        "https://ok.test/,NEWS,News Media,2026-11-27,x,\n"
        "https://bad.test/,NOPE,Nope,2026-11-27,x,\n"
    )
    out = tmp_path / "out.jsonl"
    result = run_probe(["run", "--list", str(listing), "--output", str(out)], NOWHERE, tmp_path)
    assert result.returncode == 2
    assert f"{listing}:3" in result.stderr.replace("\n", "")
    assert not out.exists()


def test_no_targets_is_a_usage_error(tmp_path: Path) -> None:
    result = run_probe(["run"], {}, tmp_path)
    assert result.returncode == 2
    assert "--list" in result.stderr


def test_unwritable_output_fails_before_measuring(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_probe(
        ["run", "--url", "https://example.test/", "--output", str(blocker / "out.jsonl")],
        NOWHERE,
        tmp_path,
    )
    assert result.returncode == 2
    assert "cannot write results" in result.stderr


def test_lists_shows_counts_per_category(tmp_path: Path) -> None:
    result = run_probe(["lists"], {"COLUMNS": "200"}, tmp_path)
    assert result.returncode == 0
    kz_row = next(line for line in result.stdout.splitlines() if " kz " in line)
    assert "NEWS" in kz_row


def test_ctrl_c_keeps_every_finished_measurement(
    lab: dict[str, Any], pki: PKI, tmp_path: Path, blackhole_port: int
) -> None:
    quick = lab["urls"][0]
    stuck = f"http://127.0.0.1:{blackhole_port}/"
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "probe",
            "run",
            "--url",
            quick,
            "--url",
            stuck,
            "--output",
            str(out),
            "--no-system-dns",
            "--timeout-tcp",
            "60",
        ],
        env=isolated(tmp_path, probe_env(pki, lab["resolver"])),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (out.exists() and out.read_text().strip()):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    [line] = out.read_text().splitlines()
    assert json.loads(line)["input"] == quick
    assert "1 measurement kept" in stderr


def test_kill_9_then_resume_gives_one_whole_run(
    lab: dict[str, Any], pki: PKI, tmp_path: Path, blackhole_port: int
) -> None:
    quick, redirected, nx = lab["urls"][:3]
    stuck = f"http://127.0.0.1:{blackhole_port}/"
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join([quick, stuck, redirected, nx]) + "\n")
    out = tmp_path / "out.jsonl"
    env = isolated(tmp_path, probe_env(pki, lab["resolver"]))
    args = [
        sys.executable,
        "-m",
        "probe",
        "run",
        "--list",
        str(listing),
        "--no-system-dns",
        "--no-geoip",
    ]
    proc = subprocess.Popen(
        [*args, "--output", str(out), "--timeout-tcp", "60"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while (
        time.monotonic() < deadline
        and len(out.read_text().splitlines() if out.exists() else []) < 3
    ):
        time.sleep(0.05)
    proc.kill()
    proc.wait(timeout=10)
    finished = [json.loads(x) for x in out.read_text().splitlines()]
    assert {r["input"] for r in finished} == {quick, redirected, nx}
    # Simulate the torn line a power cut leaves behind, then resume with a fast timeout.
    with out.open("a") as handle:
        handle.write('{"input": "' + stuck + '", "test_ke')
    result = subprocess.run(
        [*args, "--resume", str(out), "--timeout-tcp", "0.5"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"{out}:4: removed an incomplete last line" in result.stderr.replace("\n", "")
    records = [json.loads(x) for x in out.read_text().splitlines()]
    # The killed sitting's part is closed by a trailer of its own (nothing to mark in it).
    assert records.pop(3)["x_run_trailer"]["network_unusable"] is False
    assert sorted(r["input"] for r in records) == sorted([quick, stuck, redirected, nx])
    assert {r["report_id"] for r in records} == {finished[0]["report_id"]}
    assert (
        records[-1]["test_keys"]["tcp_connect"][0]["status"]["failure"] == "generic_timeout_error"
    )


def test_network_is_located_and_the_volunteer_ip_scrubbed_everywhere(
    pki: PKI, tmp_path: Path
) -> None:
    public = "198.51.100.23"

    async def echo(path: str, headers: dict[str, str], writer: Any) -> None:
        await respond(writer, 200, f"<title>You are {public}</title>".encode(), {"X-Seen": public})

    with background() as bg:
        zone = geo_zone()
        zone.records["example.test"] = ["127.0.0.1"]
        transport, resolver = bg.run(dns_server.serve(zone))
        server, port = bg.run(serve_http(echo))
        out = tmp_path / "out.jsonl"
        result = run_probe(
            [
                "run",
                "--url",
                f"http://example.test:{port}/",
                "--output",
                str(out),
                "--no-system-dns",
                "--geoip",
            ],
            {
                **probe_env(pki, resolver),
                "PROBE_GEOIP_MYADDR": f"myaddr.test@ns.test:{resolver.rsplit(':', 1)[1]}",
                "PROBE_GEOIP_ASN_ZONE": "origin.test",
                "PROBE_GEOIP_NAME_ZONE": "name.test",
            },
            tmp_path,
        )
        bg.loop.call_soon_threadsafe(server.close)
        bg.loop.call_soon_threadsafe(transport.close)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    record = json.loads(text)
    assert (record["probe_asn"], record["probe_cc"]) == ("AS64500", "KZ")
    assert record["probe_network_name"] == "EXAMPLE-AS"
    assert record["probe_ip"] == "127.0.0.1"
    assert public not in text
    assert public not in result.stdout + result.stderr
    response = record["test_keys"]["requests"][0]["response"]
    assert response["headers"]["X-Seen"] == "[scrubbed]"
    assert record["report_id"].split("_")[2:4] == ["KZ", "64500"]


def test_first_run_without_a_terminal_explains_and_asks_for_yes(tmp_path: Path) -> None:
    env = {**NOWHERE, "PROBE_YES": ""}
    result = run_probe(["run", "--url", "https://example.test/"], env, tmp_path)
    assert result.returncode == 2
    assert "Nothing is uploaded unless you add --upload." in result.stderr
    assert "--upload-proxy" in result.stderr
    assert "0.th.ooni.org" in result.stderr and "--helper none" in result.stderr
    assert "--yes" in result.stderr
    consent = tmp_path / "config" / "probe" / "consent.json"
    assert not consent.exists()
    # Answering once with --yes is remembered: the next run does not ask again.
    first = run_probe(
        [
            "run",
            "--url",
            "https://example.test/",
            "--yes",
            "--output",
            str(tmp_path / "a.jsonl"),
            "--timeout-dns",
            "0.2",
            "--no-system-dns",
        ],
        env,
        tmp_path,
    )
    assert first.returncode == 0, first.stderr
    assert json.loads(consent.read_text())["version"] == CONSENT_VERSION
    again = run_probe(
        [
            "run",
            "--url",
            "https://example.test/",
            "--output",
            str(tmp_path / "b.jsonl"),
            "--timeout-dns",
            "0.2",
            "--no-system-dns",
        ],
        env,
        tmp_path,
    )
    assert again.returncode == 0, again.stderr
    assert "informed consent" not in again.stderr
    # A consent given to an older notice (before --upload existed) is asked again.
    consent.write_text(json.dumps({"version": CONSENT_VERSION - 1, "date": "2026-01-01"}))
    stale = run_probe(["run", "--url", "https://example.test/"], env, tmp_path)
    assert stale.returncode == 2 and "--upload" in stale.stderr


def test_tor_test_runs_once_and_private_bridges_never_reach_any_output(
    lab: dict[str, Any], pki: PKI, tmp_path: Path
) -> None:
    with background() as bg:
        or_server, or_port = bg.run(serve_http(tls=pki.good))
        dir_server, dir_port = bg.run(serve_http())
        authorities = tmp_path / "authorities.toml"
        authorities.write_text(
            f'[[authority]]\nname = "lab"\nipv4 = "127.0.0.1"\nor_port = {or_port}\n'
            f'dir_port = {dir_port}\n\n[[website]]\nurl = "{lab["urls"][0]}"\n'
        )
        bridge = bg.run(asyncio.start_server(lambda r, w: w.close(), "127.0.0.77", 0, ssl=pki.good))
        bridge_port = bridge.sockets[0].getsockname()[1]
        bridges = tmp_path / "bridges.txt"
        bridges.write_text(
            f"Bridge 127.0.0.77:{bridge_port} 9695DFC35FFEB861329B9F1AB04C46397020CE31\n"
        )
        out = tmp_path / "out.jsonl"
        env = {**probe_env(pki, lab["resolver"]), "PROBE_TOR_AUTHORITIES": str(authorities)}
        result = run_probe(
            [
                "run",
                "--test",
                "tor",
                "--bridges",
                str(bridges),
                "--output",
                str(out),
                "--no-system-dns",
                "--timeout-tcp",
                "1",
            ],
            env,
            tmp_path,
        )
        for server in (or_server, dir_server, bridge):
            bg.loop.call_soon_threadsafe(server.close)
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert (record["test_name"], record["input"]) == ("tor", None)  # df-000: no input
    keys = record["test_keys"]
    assert keys["or_port_dirauth_total"] == 1 and keys["or_port_dirauth_accessible"] == 1
    assert keys["dir_port_total"] == 1 and keys["dir_port_accessible"] == 1
    assert keys["targets"][lab["urls"][0]]["failure"] is None  # the website, resolved and fetched
    assert keys["x_blocking"] is False and keys["x_accessible"] is True  # not ts-023's keys
    assert "blocking" not in keys and "accessible" not in keys
    assert "Tor: reachable" in result.stdout
    for text in (out.read_text(), result.stdout, result.stderr):
        assert "127.0.0.77" not in text
        assert "9695DFC35FFEB861329B9F1AB04C46397020CE31" not in text


def test_unknown_test_name_is_a_usage_error(tmp_path: Path) -> None:
    result = run_probe(
        ["run", "--test", "nope", "--url", "https://example.test/"], NOWHERE, tmp_path
    )
    assert result.returncode == 2
    assert "unknown test 'nope'" in result.stderr and "web_connectivity" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a tmpfs")
@pytest.mark.parametrize(
    ("options", "message"),
    [("size=1m", "KiB free on that disk"), ("size=16m,ro", "Read-only file system")],
    ids=["full", "read-only"],
)
def test_unusable_output_disk_fails_before_measuring(
    tmp_path: Path, options: str, message: str
) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(disk)], check=True)
    try:
        result = run_probe(
            ["run", "--url", "https://example.test/", "--output", str(disk / "out.jsonl")],
            NOWHERE,
            tmp_path,
        )
    finally:
        subprocess.run(["umount", str(disk)], check=True)
    assert result.returncode == 2
    assert message in result.stderr.replace("\n", "")


def test_a_test_without_analysis_is_never_judged_by_the_web_rules(
    lab: dict[str, Any], pki: PKI, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    urls = [u for u in lab["urls"] if "example.test" in u][:2]
    args = ["run", "--test", "dns_injection", "-o", str(out), "--no-system-dns"]
    env = probe_env(pki, lab["resolver"]) | {"PROBE_NO_DNS_ADDRESS": "127.0.0.1:9"}
    result = run_probe([*args, *(a for u in urls for a in ("--url", u))], env, tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2
    for record in records:
        keys = record["test_keys"]
        assert record["test_name"] == "dns_injection"
        assert (keys["x_blocking"], keys["x_accessible"]) == (None, None)
        assert keys["x_detail"] == "no analysis for dns_injection"
        assert keys["x_network_unusable"] is False
    assert "network unusable" not in result.stdout
    assert "no analysis for dns_injection" in result.stdout


def test_an_unusable_network_is_a_trailer_and_the_measurements_stay_as_written(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.jsonl"
    urls = ["http://127.0.0.1:9/", "http://127.0.0.1:7/", "https://127.0.0.1:5/"]  # all refused
    args = ["run", "-o", str(out), "--no-system-dns", *(a for u in urls for a in ("-u", u))]
    result = run_probe(args, {**NOWHERE, "PROBE_BOGON_EXEMPT": "127.0.0.0/8"}, tmp_path)
    assert result.returncode == 0, result.stderr
    *lines, last = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 3
    assert all(m["test_keys"]["x_network_unusable"] is False for m in lines)
    assert last["x_run_trailer"]["network_unusable"] is True
    assert "network unusable" in result.stdout
    final = list(read_results(out))
    assert all(m["test_keys"]["x_network_unusable"] is True for m in final)
    assert all(m["test_keys"]["blocking"] is None for m in final)


REFUSED = ["http://127.0.0.1:9/", "http://127.0.0.1:7/", "https://127.0.0.1:5/"]


def _unusable(path: Path) -> dict[str, bool]:
    return {m["input"]: m["test_keys"]["x_network_unusable"] for m in read_results(path)}


@pytest.mark.parametrize(
    "first", ["working", "failing", "failing-interrupted"], ids=lambda first: f"{first}-first"
)
def test_a_resume_on_another_network_never_relabels_the_other_sitting(
    lab: dict[str, Any], pki: PKI, tmp_path: Path, first: str
) -> None:
    """The run-level pass judges each sitting on its own: the unusable one's trailer marks
    only what it measured, whichever came first, and survives the resume and probe analyze."""
    working = lab["urls"][:2]
    earlier, later = (working, REFUSED) if first == "working" else (REFUSED, working)
    out = tmp_path / "out.jsonl"
    env = probe_env(pki, lab["resolver"])
    args = ["run", "--no-system-dns", "--timeout-tcp", "2"]
    result = run_probe(
        [*args, "-o", str(out), *(a for u in earlier for a in ("-u", u))], env, tmp_path
    )
    assert result.returncode == 0, result.stderr
    if first == "failing-interrupted":  # as if stopped before the run-level pass
        *kept, trailer = out.read_text().splitlines(keepends=True)
        assert "x_run_trailer" in trailer
        out.write_text("".join(kept))
    every = [a for u in [*earlier, *later] for a in ("-u", u)]
    result = run_probe([*args, "--resume", str(out), *every], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"resuming: {len(earlier)} done, {len(later)} to measure" in result.stderr
    expected = {u: u in REFUSED for u in [*earlier, *later]}
    assert _unusable(out) == expected
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    marks = [line["x_run_trailer"]["network_unusable"] for line in lines if "x_run_trailer" in line]
    # A finished run that marked nothing wrote no trailer; the resume closes its part with one.
    assert marks == ([False, True] if first == "working" else [True])
    if first == "failing-interrupted":
        assert f"the 3 measurements already in {out}: network unusable" in result.stderr
    analysed = tmp_path / "analysed.jsonl"
    result = run_probe(["analyze", str(out), "-o", str(analysed)], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert _unusable(analysed) == expected
    part = 2 if first == "working" else 1
    assert f"part {part}: network unusable" in result.stdout.replace("\n", " ")
