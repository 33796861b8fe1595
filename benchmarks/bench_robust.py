"""Robustness benchmarks (issue 5), on demand — each case in a fresh process, wall time and peak memory.

    .venv/bin/python benchmarks/bench_robust.py [standard cli sobol village village-dask] [--bench DIR] [--village DIR]

- standard: `robust()` in process on the standard uncertainty benchmark (benchmarks/bench_2800x40, N = 1,000):
  weights ±25 % at both levels, arithmetic or geometric (target ≤ 2 s, ≤ 2 GB);
- cli: the same through `xianping robust … --out DIR` (target ≤ 5 s);
- sobol: Saltelli design, N = 1,000 base samples, 5 inputs (benchmarks/bench_2800x40/sobol_spec.yaml:
  the two weight levels, aggregation, normalisation, one indicator left out) = 7,000 evaluations (target ≤ 10 s);
- village: the nominal evaluation of 500,000 synthetic units × 30 indicators × 5 years
  (scripts/make_village_scale.py; made on first use in --village) (target ≤ 15 s, ≤ 6 GB);
- village-dask: an uncertainty run with N = 100 on a dask LocalCluster (target: completes).

COINr rebuilds an index once per sample: 0.27 s per rebuild at 2,800 × 40 on this machine class (issue 5);
the speed-up per replication is 0.27 s / (evaluation time / rows evaluated). That constant is not measured in the
same run (R is not on this machine): the "vs COINr" figures are indicative, not an alternated peer ratio.
--bench: the folder with bench_2800x40.csv (default: $XIANPING_BENCH, ../shared/bench, else made as bench_engine.py
does). The CLI case runs the `xianping` installed beside this Python (else on PATH, else `python -c` its entry point).
The load average is printed with every case.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench_2800x40"
COINR_REBUILD_S = 0.27


def xianping_command() -> list[str]:
    """The CLI of this interpreter's environment, wherever the checkout is."""
    beside = Path(sys.executable).parent / "xianping"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("xianping")
    return [found] if found else [sys.executable, "-c", "from xianping.cli.main import main; main()"]


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB on Linux


def one(case: str, shared: Path, village: Path) -> dict:
    data = shared / "bench_2800x40.csv"
    if case in ("standard", "sobol"):
        from xianping.robust.run import robust

        spec = BENCH / ("spec.yaml" if case == "standard" else "sobol_spec.yaml")
        t, c = time.perf_counter(), time.process_time()
        r = robust(str(BENCH / "framework.yaml"), data=str(data), spec=str(spec), n=1000, seed=1)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        rows = r.manifest["rows_evaluated"]
        out = {"wall_s": wall, "cpu_s": cpu, "timings": r.timings, "rows": rows, "groups": r.manifest["groups"],
               "per_row_ms": 1000 * r.timings["evaluate"] / rows,
               "speedup_vs_coinr": COINR_REBUILD_S / (r.timings["evaluate"] / rows),
               "speedup_vs_coinr_whole_call": COINR_REBUILD_S / (wall / rows)}
        if r.sobol is not None:
            s = r.sobol["saltelli2010"]
            out["ST"] = dict(zip(r.input_names, [round(float(v), 4) for v in s["ST"][:, 0]]))
            out["S1"] = dict(zip(r.input_names, [round(float(v), 4) for v in s["S1"][:, 0]]))
        return out
    if case == "cli":
        out_dir = Path(tempfile.mkdtemp(prefix="xianping_bench_robust_cli_"))
        t = time.perf_counter()
        p = subprocess.run([*xianping_command(), "robust", "--framework", str(BENCH / "framework.yaml"),
                            "--data", str(data), "--spec", str(BENCH / "spec.yaml"), "--n", "1000", "--seed", "1",
                            "--out", str(out_dir), "--top", "0"], capture_output=True, text=True)
        wall = time.perf_counter() - t
        if p.returncode:
            raise SystemExit(f"xianping robust failed ({p.returncode}):\n{p.stderr[-2000:]}")
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = ch.ru_maxrss / 1e6
        return {"wall_s": wall, "cpu_s": ch.ru_utime + ch.ru_stime, "exit": p.returncode, "peak_gb_cli": child, "out": str(out_dir)}
    if case in ("village", "village-dask"):
        if not (village / "village.npz").exists():
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_village_scale.py"), "--out", str(village)], check=True)
        if case == "village":
            from xianping.robust import evaluate_batch as EB
            from xianping.robust.load import load_model

            t = time.perf_counter()
            m = load_model(str(village / "framework.yaml"), data=str(village / "village.npz"))
            t1 = time.perf_counter()
            scores, ranks = EB.nominal(m)
            t2 = time.perf_counter()
            return {"wall_s": t2 - t, "load_s": t1 - t, "evaluate_s": t2 - t1, "shape": list(m.x.shape)}
        from xianping.robust.run import robust

        t = time.perf_counter()
        r = robust(str(village / "framework.yaml"), data=str(village / "village.npz"), spec=str(village / "spec.yaml"),
                   n=100, seed=1, engine="dask", workers=int(os.environ.get("BENCH_WORKERS", "2")))
        wall = time.perf_counter() - t
        r.write("/tmp/xianping_bench_village_dask")
        return {"wall_s": wall, "timings": r.timings, "rows": r.manifest["rows_evaluated"], "engine": r.manifest["engine"],
                "note": "peak_gb is the client's; workers hold the scattered context and their chunks"}
    raise SystemExit(f"unknown case {case}")


def main() -> None:
    args = sys.argv[1:]
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_engine import bench_dir, load_average

    shared = bench_dir(args[args.index("--bench") + 1] if "--bench" in args else None)
    village = Path(args[args.index("--village") + 1]) if "--village" in args else Path("/tmp/village")
    if args and args[0] == "_one":
        res = one(args[1], shared, village)
        res["peak_gb"] = _peak_gb()
        print("RESULT " + json.dumps(res))
        return
    cases = [a for a in args if not a.startswith("--") and a not in (str(shared), str(village))] or \
        ["standard", "cli", "sobol", "village", "village-dask"]
    for c in cases:
        print(f"{c}: {load_average()}", flush=True)
        p = subprocess.run([sys.executable, __file__, "_one", c, "--bench", str(shared), "--village", str(village)],
                           capture_output=True, text=True)
        line = [x for x in p.stdout.splitlines() if x.startswith("RESULT ")]
        if p.returncode or not line:
            print(f"{c}: failed\n{p.stderr[-2000:]}")
            continue
        r = json.loads(line[0][7:])
        print(f"{c:13s} " + json.dumps(r, ensure_ascii=False), flush=True)
    print("after:", load_average())


if __name__ == "__main__":
    main()
