"""Offline-first upload through the real CLI: queued while the collector is away, sent later,
never twice, nothing lost when the collector or the probe is killed mid-batch."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from analysts.factory import measurement, write_jsonl
from collector.kit import collector, duck

from probe.store.backend import open_storage

N = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _results(tmp_path: Path, n: int = N) -> Path:
    return write_jsonl(
        tmp_path / "run.jsonl", [measurement(f"https://s{i}.kz/", "dns.nxdomain") for i in range(n)]
    )


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PROBE_UPLOAD_QUEUE": str(tmp_path / "queue")}


def _upload(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "probe", "upload", "--collector", url, *args],
        env=_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _stored(spec: str) -> list[str]:
    storage = open_storage(spec)
    try:
        return [row[0] for row in storage.select("SELECT input FROM measurements")]
    finally:
        storage.close()


def test_unreachable_collector_keeps_the_queue_then_the_next_upload_sends_it(
    tmp_path: Path,
) -> None:
    results = _results(tmp_path, 5)
    port = _free_port()  # nothing listens there yet
    away = _upload(tmp_path, f"http://127.0.0.1:{port}", str(results), "--upload-budget", "1")
    assert away.returncode == 1 and "0 sent" in away.stderr and "5 queued" in away.stderr
    with collector(duck(tmp_path), port=port) as c:  # the same URL, up again
        later = _upload(tmp_path, c.url, "--pending")
        assert later.returncode == 0 and "5 sent" in later.stderr, later.stderr
        again = _upload(tmp_path, c.url, str(results))  # the same file once more
        assert "0 sent" in again.stderr
        assert (c.collector.stored, c.collector.duplicates) == (5, 0)


def test_a_refused_measurement_is_kept_aside_with_the_reason(tmp_path: Path) -> None:
    bad = measurement("https://leak.kz/") | {"probe_ip": "203.0.113.9"}
    results = write_jsonl(tmp_path / "run.jsonl", [bad, measurement("https://ok.kz/")])
    with collector(duck(tmp_path)) as c:
        sent = _upload(tmp_path, c.url, str(results))
        assert sent.returncode == 0 and "1 sent" in sent.stderr and "1 refused" in sent.stderr
    kept = list((tmp_path / "queue").rglob("rejected/*.json"))
    assert len(kept) == 1 and "real address" in kept[0].read_text()


def test_bad_results_file_names_the_line_and_queues_nothing(tmp_path: Path) -> None:
    results = _results(tmp_path, 3)
    with results.open("a") as handle:
        handle.write("{broken\n")
    failed = _upload(tmp_path, "http://127.0.0.1:9", str(results))
    assert failed.returncode == 2 and f"{results}:4" in failed.stderr
    assert not list((tmp_path / "queue").rglob("pending/*.json"))


def _serve(spec: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "probe", "collector", "serve", "--listen", f"127.0.0.1:{port}",
         "--store", spec, "-v"],
        stderr=log.open("wb"),
    )  # fmt: skip


def _wait_for(log: Path, text: str, count: int = 1, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while log.read_text(errors="replace").count(text) < count:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.02)


def test_collector_killed_mid_batch_loses_nothing_and_stores_nothing_twice(
    tmp_path: Path,
) -> None:
    results, spec, port = _results(tmp_path), duck(tmp_path), _free_port()
    log = tmp_path / "collector.log"
    server = _serve(spec, port, log)
    try:
        _wait_for(log, "collector listening")
        upload = subprocess.Popen(
            [sys.executable, "-m", "probe", "upload", "--collector", f"http://127.0.0.1:{port}",
             str(results), "--upload-budget", "2"],
            env=_env(tmp_path), stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        _wait_for(log, "submit 200", 10)
        server.send_signal(signal.SIGKILL)
        server.wait()
        _, err = upload.communicate(timeout=60)
        assert upload.returncode == 1 and "queued for later" in err
        log2 = tmp_path / "collector2.log"
        server = _serve(spec, port, log2)
        _wait_for(log2, "collector listening")
        rest = _upload(tmp_path, f"http://127.0.0.1:{port}", "--pending")
        assert rest.returncode == 0, rest.stderr
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    stored = _stored(spec)
    assert sorted(stored) == sorted(f"https://s{i}.kz/" for i in range(N))


def test_probe_killed_mid_upload_loses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    results = _results(tmp_path)
    with collector(duck(tmp_path)) as c:
        upload = subprocess.Popen(
            [sys.executable, "-m", "probe", "upload", "--collector", c.url, str(results)],
            env=_env(tmp_path), stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while c.collector.stored < 10:
            assert time.monotonic() < deadline and upload.poll() is None
            time.sleep(0.005)
        upload.send_signal(signal.SIGKILL)
        upload.wait()
        assert c.collector.stored < N
        rest = _upload(tmp_path, c.url, "--pending")
        assert rest.returncode == 0, rest.stderr
        assert c.collector.stored == N
        assert c.collector.duplicates <= 1  # at most the one in flight at the kill
        inputs = [row[0] for row in c.storage.select("SELECT input FROM measurements")]
    assert sorted(inputs) == sorted(f"https://s{i}.kz/" for i in range(N))


@pytest.mark.skipif(shutil.which("microsocks") is None, reason="needs Debian's microsocks")
def test_upload_through_a_socks5_proxy(tmp_path: Path) -> None:
    port = _free_port()
    proxy = subprocess.Popen(["microsocks", "-i", "127.0.0.1", "-p", str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        time.sleep(0.3)
        with collector(duck(tmp_path)) as c:
            via = _upload(tmp_path, c.url, str(_results(tmp_path, 3)),
                          "--upload-proxy", f"socks5://127.0.0.1:{port}")  # fmt: skip
            assert via.returncode == 0 and "3 sent" in via.stderr, via.stderr
        proxy.kill()
        proxy.wait()
        with collector(duck(tmp_path)) as c:  # the proxy is gone: nothing goes around it
            results = write_jsonl(tmp_path / "more.jsonl", [measurement("https://x.kz/")])
            blocked = _upload(tmp_path, c.url, str(results), "--upload-budget", "0",
                              "--upload-proxy", f"socks5://127.0.0.1:{port}")  # fmt: skip
            assert blocked.returncode == 1 and c.collector.stored == 0
    finally:
        proxy.kill()


def test_run_upload_without_a_collector_is_a_usage_error_before_measuring(tmp_path: Path) -> None:
    env = {**_env(tmp_path), "PROBE_COLLECTOR_URL": "", "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "probe", "run", "--yes", "--url", "https://a.test/", "--upload"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2 and "--upload needs --collector" in done.stderr
    assert not (tmp_path / "results").exists()


def test_probe_run_imports_no_store_library() -> None:
    code = (
        "import sys, probe.cli.app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('duckdb', 'chdb', 'clickhouse_connect', 'pyarrow')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr
