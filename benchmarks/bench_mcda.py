"""MCDA methods of engine.mcda side by side with pymcdm 1.4.0 (run on demand, not in CI).

Reproduce:
    .venv/bin/pip install -e '.[test]'      # pymcdm is in the test extra
    .venv/bin/python benchmarks/bench_mcda.py [/path/to/shared/bench]

Data: ../shared/bench/bench_2800x40.csv (2,800 units × 40 lognormal indicators, directions from its meta file),
made into 20 years as bench_engine.py does (without missing cells: pymcdm takes no NaN). For each method: one
2,800 × 40 matrix, and 20 years — pymcdm in a Python loop, ours one call with the years as a leading axis. The
results are checked equal (1e-9 relative) in the same run before anything is timed. PROMETHEE II needs
an m × m table per criterion, so it runs on the first 700 units. Timings: best of REPEAT after a warm-up.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from xianping.engine.mcda import compromise as C
from xianping.engine.mcda import outranking as O
from xianping.engine.mcda import utility as U
from xianping.engine.mcda import weighting as WT

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import BENCH, load  # noqa: E402
from bench_engine import best as _best  # noqa: E402

REPEAT = 7


def best(fn, repeat=REPEAT):
    return _best(fn, repeat)


def main():
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
    print(f"pymcdm {pymcdm.__version__ if hasattr(pymcdm, '__version__') else '1.4.0'}; data {BENCH}")
    print(f"{'method':34s} {'one ours':>10s} {'one pymcdm':>11s} {'ratio':>6s} {'20y ours':>10s} {'20y pymcdm':>11s} {'ratio':>6s}")
    for name, ours, theirs, m in cases:
        a1, aT = xs[0, :m], xs[:, :m]
        np.testing.assert_allclose(ours(a1), theirs(a1), rtol=1e-9)
        batched = ours(aT)
        for t in (0, T - 1):
            np.testing.assert_allclose(batched[t], theirs(aT[t]), rtol=1e-9)
        o1, p1 = best(lambda: ours(a1)), best(lambda: theirs(a1))
        oT = best(lambda: ours(aT), 3)
        pT = best(lambda: [theirs(aT[t]) for t in range(T)], 3)
        print(f"{name:34s} {o1 * 1e3:8.2f}ms {p1 * 1e3:9.2f}ms {p1 / o1:5.1f}× {oT * 1e3:8.1f}ms {pT * 1e3:9.1f}ms {pT / oT:5.1f}×")


if __name__ == "__main__":
    main()
