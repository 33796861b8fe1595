"""Issue 13: SIGINT and SIGKILL at random points of `xianping demo`, `evaluate` and `report` (real processes,
seeded random delays). Afterwards every output is the complete old one or a complete new one — never a truncated
file: results match the sha256 their manifest names (results, weights), workbooks and documents open, pages end,
CSV rows are whole, the store opens with every value. Half of the signals fall at a random time of the run, half a
random few milliseconds after the temporary file of a randomly chosen output appears (inside its write). After
SIGINT no temporary file is left; after SIGKILL the next complete run sweeps them."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from xianping.evaluation.export import check_results
from xianping.files import sha256_file

SEED = 20261205
CLI = [sys.executable, "-c", "from xianping.cli.main import main; main()"]


def run(args, cwd: Path) -> tuple[int, str, float]:
    t = time.monotonic()
    p = subprocess.run(CLI + args, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t


def _state(folder: Path, name: str):
    """What a watcher sees of an output: its size and mtime, and whether a temporary file of it exists."""
    try:
        st = os.stat(folder / name)
        here = (st.st_size, st.st_mtime_ns)
    except FileNotFoundError:
        here = None
    return here, any(n.startswith(f".{name}.") and ".tmp" in n for n in os.listdir(folder))


def interrupted(args, cwd: Path, folder: Path, sig: int, delay: float, on_write_of: str | None) -> tuple[int, bool, int]:
    """Run the command; send `sig` `delay` s after the start, or — with `on_write_of` — `delay` s after the write of
    that output begins (a temporary file of it appears, or the file itself changes). Returns the exit code
    (negative: killed by the signal), whether the signal was sent while the process ran, and the pid."""
    before = _state(folder, on_write_of)[0] if on_write_of else None
    p = subprocess.Popen(CLI + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sent = []

    def fire():
        if on_write_of is not None:
            while p.poll() is None:
                now, tmp = _state(folder, on_write_of)
                if tmp or now != before:
                    break
                time.sleep(0.001)
        time.sleep(delay)
        if p.poll() is None:
            p.send_signal(sig)
            sent.append(sig)

    th = threading.Thread(target=fire)
    th.start()
    rc = p.wait(timeout=600)
    th.join()
    return rc, bool(sent), p.pid


def temporaries(folder: Path, pid: int | None = None) -> list[str]:
    """Temporary files in `folder` (of process `pid` only, when given: a SIGKILLed run's stay until swept)."""
    return sorted(n for n in os.listdir(folder) if n.startswith(".") and ".tmp" in n and (pid is None or f".{pid}.tmp" in n))


def assert_complete(path: Path) -> None:
    """The file is whole: judged by what it is."""
    name = path.name
    if name.endswith(".manifest.json") and path.with_name(name.removesuffix(".manifest.json") + ".csv").exists() \
            and "files" in json.loads(path.read_text(encoding="utf-8")):
        results = path.with_name(name.removesuffix(".manifest.json") + ".csv")
        m = check_results(results)          # the results are the ones the manifest names
        w = results.with_name(results.stem + ".weights.csv")
        assert sha256_file(w) == m["files"]["weights"]["sha256"], f"{w} does not match {path}"
        with open(results, newline="", encoding="utf-8") as f:
            assert sum(1 for _ in csv.reader(f)) - 1 == m["files"]["results"]["rows"]
    elif path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    elif path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
        if path.suffix == ".docx":
            from docx import Document

            assert Document(str(path)).paragraphs
        else:
            from openpyxl import load_workbook

            assert load_workbook(path, read_only=True).sheetnames
    elif path.suffix == ".html":
        assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), f"{path} is cut"
    elif path.suffix == ".csv":
        raw = path.read_bytes()
        assert raw.endswith(b"\n"), f"{path} is cut"
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        assert rows and all(len(r) == len(rows[0]) for r in rows), f"{path} has a cut row"
    elif path.suffix == ".duckdb":
        from xianping.store import open_store

        assert open_store(path).summary()["observations"] > 0


def check_outputs(folder: Path, expected: dict[str, bytes], sig: int, pid: int | None = None) -> None:
    for name, old in expected.items():
        p = folder / name
        assert p.exists(), f"{name} is gone after an interrupted run"
        if p.suffix != ".duckdb" and p.read_bytes() == old:
            continue                        # the complete old one
        assert_complete(p)                  # else a complete new one
    for name in expected:
        if name.endswith(".manifest.json") and (folder / name.replace(".manifest.json", ".csv")).exists():
            assert_complete(folder / name)  # the set: results, weights and manifest belong together
    if sig == signal.SIGINT:
        assert temporaries(folder, pid) == [], "SIGINT left temporary files"


def exercise(args, cwd: Path, folder: Path, rng: random.Random, kills: int) -> None:
    rc, out, took = run(args, cwd)
    assert rc == 0, out
    expected = {n: (folder / n).read_bytes() for n in sorted(os.listdir(folder))
                if not n.startswith(".") and not n.endswith(".inuse.json") and (folder / n).is_file()}
    targets = [n for n in expected if not n.endswith(".duckdb")]
    sent, in_write = 0, 0
    for k in range(kills):
        sig = (signal.SIGINT, signal.SIGKILL)[k % 2]
        if k % 4 < 2:
            delay, target = rng.uniform(0.15, 1.0) * took, None
        else:
            delay, target = rng.uniform(0.0, 0.002), rng.choice(targets)
        rc, fired, pid = interrupted(args, cwd, folder, sig, delay, target)
        sent += fired
        in_write += fired and target is not None
        check_outputs(folder, expected, sig, pid)
        expected = {n: (folder / n).read_bytes() for n in expected}   # what is there now is "old" for the next
    # the test has power only if signals came while the command ran, some of them inside a write
    assert sent >= kills // 2 and in_write >= 1, f"{sent} signals sent, {in_write} inside a write"
    rc, out, _ = run(args, cwd)             # and the next complete run succeeds and sweeps what SIGKILL left
    assert rc == 0, out
    check_outputs(folder, expected, signal.SIGINT)  # pid None: no temporary file of anyone is left


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("interrupt") / "demo"


def test_demo_interrupted(demo_dir):
    exercise(["demo", "--out", str(demo_dir)], demo_dir.parent, demo_dir, random.Random(SEED), kills=4)


def test_evaluate_interrupted(demo_dir, tmp_path):
    if not (demo_dir / "xianping.duckdb").exists():
        rc, out, _ = run(["demo", "--out", str(demo_dir)], demo_dir.parent)
        assert rc == 0, out
    out = tmp_path / "eval"
    out.mkdir()
    args = ["evaluate", "-f", "census-social", "--store", str(demo_dir / "xianping.duckdb"), "--by-type",
            "--out", str(out / "results.csv"), "--top", "0"]
    exercise(args, tmp_path, out, random.Random(SEED + 1), kills=6)


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "html"])
def test_report_interrupted(demo_dir, tmp_path, fmt):
    if not (demo_dir / "results.csv").exists():
        rc, out, _ = run(["demo", "--out", str(demo_dir)], demo_dir.parent)
        assert rc == 0, out
    out = tmp_path / "report"
    out.mkdir()
    args = ["report", "--results", str(demo_dir / "results.csv"), "--no-rebuild", "--out", str(out / f"r.{fmt}")]
    exercise(args, tmp_path, out, random.Random(SEED + 2 + len(fmt)), kills=4)


def test_dashboard_rebuilds_a_cut_demo_cache(demo_dir, tmp_path):
    """The dashboard's demo cache cut by an interrupted first build (results shorter than its manifest says) is
    built again instead of served."""
    import shutil

    from xianping.web.source import demo_results

    if not (demo_dir / "results.csv").exists():
        rc, out, _ = run(["demo", "--out", str(demo_dir)], demo_dir.parent)
        assert rc == 0, out
    cache = tmp_path / "cache"
    shutil.copytree(demo_dir, cache / "demo")
    res = cache / "demo" / "results.csv"
    raw = res.read_bytes()
    res.write_bytes(raw[: len(raw) // 2])
    said = []
    assert demo_results(cache, said.append) == res
    assert any("do not match their manifest" in s for s in said)
    assert check_results(res)["files"]["results"]["sha256"] == sha256_file(res)
    assert res.read_bytes() != raw[: len(raw) // 2]
