"""Who may open the store when (issues 12, 13): a read never creates a store; a second process finds the store
in use and waits with a message or fails naming who holds it and since when (never DuckDB's lock error); the
store is held only while an operation runs. Real DuckDB files and real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xianping.cli.main import app
from xianping.problems import XianpingError, XianpingInputError
from xianping.store import BatchMeta, open_store

runner = CliRunner()
HOLD = """
import sys, time
from xianping.store import open_store
with open_store(sys.argv[1]).session():
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def obs(code, v):
    return {"unit_code": code, "period": "2020", "indicator": "pop_total", "value": v, "unit": "人"}


@pytest.fixture
def db(tmp_path) -> Path:
    p = tmp_path / "s.duckdb"
    with open_store(p) as st:
        st.write_batch([obs("410802", 1.0), obs("410803", 2.0)], BatchMeta("a.csv", "ha"))
    return p


def hold(db: Path, seconds: float) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


@pytest.mark.parametrize("args", [
    ["evaluate", "-f", "census-social", "--store", "{db}"],
    ["analyse", "obstacles", "--store", "{db}", "--framework", "census-social"],
    ["serve", "--store", "{db}", "--port", "0"],
    ["export", "--store", "{db}", "--out", "{dir}/e.csv"],
    ["batches", "--store", "{db}"],
])
def test_a_read_never_creates_a_store(tmp_path, args):
    db = tmp_path / "nosuch.duckdb"
    r = runner.invoke(app, [a.format(db=db, dir=tmp_path) for a in args])
    assert r.exit_code != 0
    assert isinstance(r.exception, XianpingError) or isinstance(r.exception, SystemExit), r.exception
    msg = str(r.exception) if isinstance(r.exception, XianpingError) else r.output
    assert f"store {db} does not exist" in msg, msg
    assert os.listdir(tmp_path) == []   # no store, no lock file, no output


def test_store_api_reads_refuse_a_missing_store_and_writes_create_it(tmp_path):
    p = tmp_path / "new.duckdb"
    st = open_store(p)
    # listing reads answer "none" (an import checks for an earlier batch before the store exists) …
    assert st.batches() == [] and st.subunits() == [] and st.observations() == []
    assert st.find_batch("h", {}) is None and st.code_vintage == 2024
    # … the reads an evaluation, a summary or an export make refuse
    for read in (st.summary, st.observation_columns, lambda: st.export(tmp_path / "x.csv"), lambda: st.remove_batch(1)):
        with pytest.raises(XianpingInputError, match=f"store {p} does not exist") as e:
            read()
        assert e.value.report.problems[0].kind == "no_store"
    assert os.listdir(tmp_path) == []
    st.write_batch([obs("410802", 1.0)], BatchMeta("a.csv", "ha"))
    assert p.exists() and st.summary()["observations"] == 1
    assert sorted(os.listdir(tmp_path)) == ["new.duckdb"]   # the in-use file goes with the operation


def test_a_store_in_use_fails_naming_the_holder(db):
    holder = hold(db, 30)
    try:
        info = json.loads((db.parent / "s.duckdb.inuse.json").read_text(encoding="utf-8"))
        assert info["pid"] == holder.pid
        told = []
        t = time.monotonic()
        with pytest.raises(XianpingError) as e:
            open_store(db, wait=0.5, on_wait=told.append).summary()
        assert time.monotonic() - t >= 0.5
        msg = str(e.value)
        assert f"the store {db} is in use by pid {holder.pid} (" in msg and f"since {info['since']}" in msg
        assert "lock" not in msg.lower() and len(told) == 1 and "waiting up to 0.5 s" in told[0]
        # the CLI: the same message, an exit code, no traceback
        env = {**os.environ, "XIANPING_STORE_WAIT": "0.3"}
        p = subprocess.run([sys.executable, "-c", "from xianping.cli.main import main; main()", "batches", "--store", str(db)],
                           capture_output=True, text=True, env=env)
        assert p.returncode != 0 and f"is in use by pid {holder.pid}" in p.stderr.replace("\n", "")
        assert "Traceback" not in p.stderr + p.stdout
    finally:
        holder.kill()
        holder.wait()


def test_a_store_in_use_is_waited_for(db):
    holder = hold(db, 1.5)
    try:
        told = []
        st = open_store(db, wait=30, on_wait=told.append)
        assert st.summary()["observations"] == 2     # after the holder let go
        assert len(told) == 1 and f"in use by pid {holder.pid}" in told[0]
    finally:
        holder.wait()


def test_an_open_store_object_does_not_hold_the_file(db):
    """The store is opened per operation: a process with the store object open (an import reading its file)
    does not keep another process out."""
    with open_store(db) as mine:
        assert mine.summary()["observations"] == 2
        p = subprocess.run([sys.executable, "-c", "import sys; from xianping.store import open_store; "
                            "print(open_store(sys.argv[1], wait=0).summary()['observations'])", str(db)],
                           capture_output=True, text=True)
        assert p.returncode == 0 and p.stdout.strip() == "2", p.stderr
        mine.write_batch([obs("410804", 3.0)], BatchMeta("b.csv", "hb"))
    assert open_store(db).summary()["observations"] == 3


def test_a_bad_wait_setting_is_a_located_error(db, monkeypatch):
    monkeypatch.setenv("XIANPING_STORE_WAIT", "soon")
    with pytest.raises(XianpingInputError, match="XIANPING_STORE_WAIT='soon' is not a number of seconds"):
        open_store(db)


def test_threads_sharing_a_store_object(db):
    """A server's threads may share one store object: each operation gets the store to itself in turn."""
    from concurrent.futures import ThreadPoolExecutor

    st = open_store(db)
    with ThreadPoolExecutor(8) as ex:
        got = list(ex.map(lambda _: st.summary()["observations"] + len(st.observations()), range(40)))
    assert got == [4] * 40


def test_reading_while_another_process_imports(tmp_path):
    """A real import in another process (the bundled panel, ~10 s): reads from this process meanwhile either
    answer or wait for the import's write with a message naming it — never DuckDB's lock error."""
    from xianping.demo.load_demo import bundled_panel_bytes

    panel = tmp_path / "panel.csv"
    panel.write_bytes(bundled_panel_bytes())
    db = tmp_path / "s.duckdb"
    with open_store(db) as st:   # the store exists before the import starts, with one batch
        st.write_batch([obs("410802", 347382.0)], BatchMeta("a.csv", "ha"))
    p = subprocess.Popen([sys.executable, "-c", "from xianping.cli.main import main; main()", "import", str(panel),
                          "--store", str(db), "--source", "bundled"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    told, counts = [], []
    while p.poll() is None:
        counts.append(open_store(db, wait=120, on_wait=told.append).summary()["observations"])
        time.sleep(0.05)
    out, err = p.communicate()
    assert p.returncode == 0, out + err
    final = open_store(db).summary()["observations"]
    # before the import's write the store answered with its one row: it is not held while the file is read
    assert 1 in counts and set(counts) <= {1, final} and final > 100_000
    assert all(f"is in use by pid {p.pid} (" in m and "import" in m for m in told), told
    assert not (db.parent / "s.duckdb.inuse.json").exists()
