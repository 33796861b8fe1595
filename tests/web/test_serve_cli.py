"""`xianping serve` as users run it: a subprocess on a free loopback port, the demo results built on first start
into the cache folder (with progress printed), then served; a second start reuses the cache."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(cache: Path, *extra: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    exe = Path(sys.executable).with_name("xianping")
    proc = subprocess.Popen([str(exe), "serve", "--cache", str(cache), "--port", str(port), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 180
    while time.time() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/meta", timeout=2)
            return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("xianping serve did not start")


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    return out


def test_serve_builds_the_demo_once_and_serves(tmp_path):
    proc, port = _serve(tmp_path)
    try:
        meta = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/meta").read())
        assert meta["origin"]["kind"] == "demo" and meta["years"] == ["2010", "2020"]
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
        assert "排名" in page
    finally:
        out = _stop(proc)
    assert "building the bundled demo results" in out and f"http://127.0.0.1:{port}/" in out
    assert (tmp_path / "demo" / "results.csv").exists()
    proc, port = _serve(tmp_path)
    out = _stop(proc)
    assert "building the bundled demo results" not in out


def test_serve_with_worker_processes(tmp_path):
    proc, port = _serve(tmp_path, "--workers", "2")
    try:
        for _ in range(4):   # answered by either worker, the same
            meta = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/meta").read())
            assert meta["origin"]["kind"] == "demo"
        rows = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/rankings?limit=3").read())["rows"]
        assert [r["rank"] for r in rows] == [1, 2, 3]
    finally:
        out = _stop(proc)
    assert "2 worker processes" in out


def test_serve_bad_inputs_say_what_is_wrong(tmp_path):
    exe = Path(sys.executable).with_name("xianping")
    for args in (["--results", str(tmp_path / "nope.csv")], ["--store", str(tmp_path / "nope.duckdb")],
                 ["--cache", str(tmp_path), "--robust", str(tmp_path / "no-robust")]):
        r = subprocess.run([str(exe), "serve", *args, "--port", "0"], capture_output=True, text=True, timeout=120)
        err = " ".join(r.stderr.split())
        assert r.returncode != 0 and "not exist" in err and "Traceback" not in err, (args, err)
    assert not (tmp_path / "nope.duckdb").exists()      # serving reads a store, never creates one


def test_serve_option_errors_are_said_before_loading(tmp_path):
    """A bad host, a port in use, a cache folder that is a file, a targets file that is not YAML, a results folder
    without results, an empty path: a message naming the option, exit 2, no traceback, nothing started."""
    exe = Path(sys.executable).with_name("xianping")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("targets: [\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    cases = [(["--host", "no-such-host.invalid"], "--host 'no-such-host.invalid'"),
             (["--port", str(busy.getsockname()[1])], f"--port {busy.getsockname()[1]}: cannot listen there"),
             (["--cache", str(tmp_path / "file")], "is a file; expected a folder"),
             (["--results", str(tmp_path / "empty")], "holds no results CSV"),
             (["--targets", str(tmp_path / "bad.yaml"), "--cache", str(tmp_path / "c")], "not valid YAML"),
             (["--results", ""], "--results: an empty path"),
             (["--work-queue", "-1"], "--work-queue")]
    try:
        for args, says in cases:
            extra = [] if "--port" in args else ["--port", "0"]
            r = subprocess.run([str(exe), "serve", *args, *extra], capture_output=True, text=True, timeout=300,
                               env={"COLUMNS": "200", "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
                                    "HOME": str(tmp_path)})
            out = " ".join((r.stdout + r.stderr).split())
            assert r.returncode == 2 and says in out and "Traceback" not in out, (args, r.returncode, out[-600:])
    finally:
        busy.close()
