"""`xianping evaluate` on 20 years × 2,800 units, whole command, against the same command before issue 12's
columnar writer (no R on this machine, so COINr's 20-year build cannot run beside it; issue 12 allows the
command before the change as the peer).

    .venv/bin/python benchmarks/bench_evaluate_write.py [--pairs 3] [--before 269e6d6^] [--bench DIR]

Data: ../shared/bench/bench_2800x40.csv made into 20 years exactly as bench_engine.py does (year t:
x · (1 + 0.01 t) · lognormal(0, 0.05), seed 1, 1 % of cells missing), written once as a wide CSV (uCode, year,
I01 … I40; 56,000 rows) into --work; framework benchmarks/bench_2800x40/framework.yaml (groups G1–G5, equal
weights, min–max, top-30 tiers); output results.csv with --base-year 2001 (2,576,000 rows).

"before" is a `git worktree add --detach /tmp/xp-before <commit>` checkout run with PYTHONPATH=<it>/src in the
same venv; "after" is this checkout. Runs alternate A B A B … so drifting load hits both; each run is timed by
/usr/bin/time -v (wall, peak RSS of the whole process). The ratio is the median of the per-pair ratios
before/after. The load average is printed before every run. The two results files are compared (same rows
and values; the old writer ended lines with CRLF, the new one with LF).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = ROOT / "benchmarks" / "bench_2800x40" / "framework.yaml"
TARGET_S, TARGET_MB = 5.0, 600.0


def make_data(bench: Path, work: Path) -> Path:
    out = work / "bench_2800x40_20y.csv"
    if out.exists():
        return out
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_engine

    bench_engine.BENCH = bench
    x, _dirs, _groups, codes = bench_engine.load()
    X = bench_engine.years(x)
    T, m, n = X.shape
    units = pd.read_csv(bench / "bench_2800x40.csv", usecols=["uCode"])["uCode"].tolist()
    df = pd.DataFrame(X.reshape(T * m, n), columns=codes)
    df.insert(0, "year", np.repeat(np.arange(2001, 2001 + T), m))
    df.insert(0, "uCode", np.tile(units, T))
    work.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False, float_format="%.6f")
    return out


def worktree(commit: str, where: Path) -> str:
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", commit], check=True, capture_output=True, text=True).stdout.strip()
    if where.exists():
        have = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        if have != sha:
            sys.exit(f"{where} holds {have[:10]}, not {sha[:10]}: remove it (git worktree remove {where}) or pass --tree")
    else:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), sha], check=True, capture_output=True)
    return sha


def run(src: Path, data: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = ["/usr/bin/time", "-v", sys.executable, "-c", "from xianping.cli.main import main; main()",
           "evaluate", "--framework", str(FRAMEWORK), "--data", str(data), "--base-year", "2001", "--top", "0", "--out", str(out)]
    load = os.getloadavg()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=out.parent)
    if p.returncode != 0:
        sys.exit(f"failed ({src}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
    h, mnt, s = wall.groups()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", p.stderr).group(1)) for k in ("User", "System"))
    return {"wall_s": int(h or 0) * 3600 + int(mnt) * 60 + float(s), "cpu_s": cpu, "rss_mb": rss / 1024, "load": load[0]}


def digest(path: Path) -> str:
    """sha256 of the file with CRLF read as LF (a CR at the end of a block waits for the next block)."""
    h, carry = hashlib.sha256(), b""
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            block = carry + block
            carry = b"\r" if block.endswith(b"\r") else b""
            h.update(block[:len(block) - len(carry)].replace(b"\r\n", b"\n"))
    h.update(carry)
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--before", default="269e6d6^", help="commit to compare with (default: the one before the columnar writer)")
    ap.add_argument("--tree", type=Path, default=Path("/tmp/xp-before"))
    ap.add_argument("--bench", type=Path, default=None,
                    help="folder with bench_2800x40.csv (default: $XIANPING_BENCH, ../shared/bench, else made as bench_engine does)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/xianping_bench_evaluate_write"))
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_engine import bench_dir

    data = make_data(bench_dir(a.bench), a.work)
    sha = worktree(a.before, a.tree)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"data: {data} (56,000 rows: 2,800 units × 20 years × 40 indicators); framework {FRAMEWORK.name}; cpus {os.cpu_count()}")
    print(f"before: {sha[:10]} in {a.tree}   after: {head} (+ working tree) in {ROOT}")
    runs = {"before": [], "after": []}
    outs = {"before": a.work / "before" / "results.csv", "after": a.work / "after" / "results.csv"}
    for o in outs.values():
        o.parent.mkdir(parents=True, exist_ok=True)
    srcs = {"before": a.tree / "src", "after": ROOT / "src"}
    for i in range(a.pairs):
        for which in ("before", "after"):
            r = run(srcs[which], data, outs[which])
            runs[which].append(r)
            print(f"  pair {i + 1} {which:6s}: {r['wall_s']:6.2f} s wall, {r['cpu_s']:6.2f} s CPU  peak RSS {r['rss_mb']:7.0f} MB  (load average {r['load']:.2f})")
    ratios = [b["wall_s"] / f["wall_s"] for b, f in zip(runs["before"], runs["after"])]
    cpu_ratios = [b["cpu_s"] / f["cpu_s"] for b, f in zip(runs["before"], runs["after"])]
    cpu_med = {k: statistics.median(x["cpu_s"] for x in v) for k, v in runs.items()}
    med = {k: statistics.median(x["wall_s"] for x in v) for k, v in runs.items()}
    rss = {k: max(x["rss_mb"] for x in v) for k, v in runs.items()}
    same = digest(outs["before"]) == digest(outs["after"])
    print(f"\nmedian wall: before {med['before']:.2f} s, after {med['after']:.2f} s; "
          f"ratio before/after (median of {a.pairs} pair ratios) {statistics.median(ratios):.1f}× "
          f"[{min(ratios):.1f}–{max(ratios):.1f}]")
    print(f"median CPU: before {cpu_med['before']:.2f} s, after {cpu_med['after']:.2f} s; ratio {statistics.median(cpu_ratios):.1f}× "
          f"[{min(cpu_ratios):.1f}–{max(cpu_ratios):.1f}]; load average at the end {os.getloadavg()[0]:.2f}")
    print(f"peak RSS (max over runs): before {rss['before']:.0f} MB, after {rss['after']:.0f} MB")
    print(f"targets: ≤ {TARGET_S:.0f} s: {'met' if med['after'] <= TARGET_S else 'MISSED'}; "
          f"≤ {TARGET_MB:.0f} MB: {'met' if rss['after'] <= TARGET_MB else 'MISSED'}")
    print(f"results files the same rows and values (line ends aside): {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
