"""benchmarks/bench_platform.py at toy scale (3 county reporters, one of them uploading its workbook, 2 viewers,
--workers 1, a real `xianping serve --platform` on PostgreSQL), so the script cannot rot: it must run through and its
database checks must find every write that got a 2xx stored once, nothing half-written, the audit rows matching.
Its timings are not asserted (speed is for the benchmark, run on demand)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from platform_fixtures import PG_HOST, PG_PORT, PG_USER, serve_cache  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]


def pg_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5).close()
        return True
    except psycopg.OperationalError:
        return False


def test_bench_platform_at_toy_scale_keeps_every_write(tmp_path, serve_cache):  # noqa: F811 (the fixture)
    if not pg_reachable():
        pytest.skip(f"POSTGRESQL NOT REACHABLE at {PG_HOST}:{PG_PORT}: the benchmark's PostgreSQL run did NOT happen")
    out = tmp_path / "bench.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_platform.py"), "--reporters", "3",
                          "--viewers", "2", "--workers", "1", "--rounds", "2", "--upload-every", "3", "--db", "postgresql",
                          "--cache", str(serve_cache), "--json", str(out)],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    got = json.loads(out.read_text())
    checks = got["checks"]
    integrity = ("lost write", "duplicated write", "half-written submit", "audit ≠ writes", "reporter problems",
                 "stored though answered an error")
    assert {k: checks[k] for k in integrity} == dict.fromkeys(integrity, 0), checks
    # the three reporters' tasks submitted, nobody else's; 2 draft rounds for the two form reporters, one draft
    # round + the upload for the third: 6 draft writes of 7 values each, each audited once
    assert checks["tasks submitted"] == 3 and got["tasks_submitted_by_reporters"] == 3
    assert checks["draft writes answered 2xx"] == 6 and checks["value.save rows checked"] == 6 * 7
    kinds = {r["kind"]: r for r in got["requests"]}
    assert kinds["login"]["count"] == 5 and kinds["PUT values"]["count"] == 5
    assert kinds["POST upload"]["count"] == 1 and kinds["POST upload (same file again)"]["count"] == 1
    assert all(r["errors"] == 0 for r in got["requests"]), got["requests"]
    assert kinds["GET ranking API"]["count"] >= 2 and kinds["GET / (dashboard)"]["count"] >= 2   # each viewer read each
    assert got["server_errors"] == []
    assert "load average before" in run.stdout and "commit:" in run.stdout
