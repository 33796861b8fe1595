"""MCDA methods of engine.mcda side by side with pymcdm 1.4.0 (run on demand, not in CI).

Reproduce:
    .venv/bin/pip install -e '.[test]'      # pymcdm is in the test extra
    .venv/bin/python benchmarks/bench_mcda.py [/path/to/shared/bench] [--pairs 15] [--pairs-20y 7] [--only WASPAS,COPRAS]

Data: ../shared/bench/bench_2800x40.csv (2,800 units × 40 lognormal indicators, directions from its meta file),
made into 20 years as bench_engine.py does (without missing cells: pymcdm takes no NaN). For each method: one
2,800 × 40 matrix, and 20 years — pymcdm in a Python loop, ours one call with the years as a leading axis. The
results are checked equal (1e-9 relative) in the same run before anything is timed. PROMETHEE II needs
an m × m table per criterion, so it runs on the first 700 units. Timings: the two sides alternate in one run —
pairs (pymcdm, ours), each turn the best of 5 calls (one matrix) or one call (20 years), the ratio of each pair,
the median of those ratios, in CPU time (headline: under load a long call's wall time is stretched by other
processes far more than a 1-ms call's) and in wall time — with the load average printed before each method.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from xianping.engine.mcda import compromise as C
from xianping.engine.mcda import outranking as O
from xianping.engine.mcda import utility as U
from xianping.engine.mcda import weighting as WT

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_engine  # noqa: E402
from bench_engine import alternate, bench_dir, fmt_both, load, load_average  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?")
    ap.add_argument("--pairs", type=int, default=15, help="pairs for one matrix")
    ap.add_argument("--pairs-20y", type=int, default=7, help="pairs for 20 years (pymcdm loops over them)")
    ap.add_argument("--only", default="", help="comma-separated method names (prefixes), e.g. WASPAS,COPRAS")
    a = ap.parse_args()
    bench_engine.BENCH = bench_dir(a.bench)
    import pymcdm
    from pymcdm import methods as pm
    from pymcdm import weights as pw

    x, dirs, _, _ = load()
    rng = np.random.default_rng(1)
    T = 20
    xs = x[None] * (1 + 0.01 * np.arange(T))[:, None, None] * rng.lognormal(0, 0.05, size=(T,) + x.shape)
    d = np.array(dirs)
    w = np.full(x.shape[1], 1 / x.shape[1])
    cases = [
        ("VIKOR", lambda a: C.vikor(a, w, d).preference, lambda a: pm.VIKOR()(a, w, d), 2800),
        ("EDAS", lambda a: C.edas(a, w, d).preference, lambda a: pm.EDAS()(a, w, d), 2800),
        ("WASPAS", lambda a: U.waspas(a, w, d).preference, lambda a: pm.WASPAS()(a, w, d), 2800),
        ("COPRAS (pymcdm form)", lambda a: U.copras(a, w, d, variant="pymcdm").preference, lambda a: pm.COPRAS()(a, w, d), 2800),
        ("MARCOS", lambda a: C.marcos(a, w, d).preference, lambda a: pm.MARCOS()(a, w, d), 2800),
        ("PROMETHEE II (usual), 700 units", lambda a: O.promethee_ii(a, w, d, "usual").preference,
         lambda a: pm.PROMETHEE_II("usual")(a, w, d), 700),
        ("MEREC weights", lambda a: WT.merec(a, d), lambda a: pw.merec_weights(a, d), 2800),
        ("Gini weights", lambda a: WT.gini(a), lambda a: pw.gini_weights(a), 2800),
    ]
    only = [o.strip() for o in a.only.split(",") if o.strip()]
    cases = [c for c in cases if not only or any(c[0].startswith(o) for o in only)]
    print(f"pymcdm {getattr(pymcdm, '__version__', '1.4.0')}; data {bench_engine.BENCH}; pairs {a.pairs} (one matrix), "
          f"{a.pairs_20y} (20 years)")
    print("each line: ours / pymcdm, ratio pymcdm/ours = median of the pair ratios (min–max)")
    for name, ours, theirs, m in cases:
        print("  ", load_average())
        a1, aT = xs[0, :m], xs[:, :m]
        np.testing.assert_allclose(ours(a1), theirs(a1), rtol=1e-9)
        batched = ours(aT)
        for t in (0, T - 1):
            np.testing.assert_allclose(batched[t], theirs(aT[t]), rtol=1e-9)
        r1 = alternate(lambda: ours(a1), lambda: theirs(a1), a.pairs, 5)
        rT = alternate(lambda: ours(aT), lambda: [theirs(aT[t]) for t in range(T)], a.pairs_20y, 1)
        print(f"{name}\n   one matrix: {fmt_both(r1)}\n   20 years:   {fmt_both(rT)}", flush=True)
    print("after:", load_average())


if __name__ == "__main__":
    main()
