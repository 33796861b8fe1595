"""Engine benchmark (run on demand, not in CI).

Reproduce:
    .venv/bin/pip install -e '.[test]'    # pymcdm 1.4.0 comes with the test extra
    .venv/bin/python benchmarks/bench_engine.py [/path/to/shared/bench]

Data: ../shared/bench/bench_2800x40.csv (2,800 units × 40 lognormal indicators, fixed seed) and its meta
file (direction, group G1–G5). 20 years are made from it deterministically (year t: x · (1 + 0.01 t) ·
lognormal(0, 0.05) noise, seed 1) with 1 % of the cells set missing, so imputation has work to do.

1. Whole index in one call, 20 years: impute (column mean per year) → normalise (min–max per year) →
   entropy weights per group node → arithmetic aggregation G1–G5 → entropy weights of the groups →
   index → ranks of every node. Target ≤ 0.1 s in process.
2. Entropy-TOPSIS side by side with pymcdm 1.4 (entropy_weights on raw data = our variant "pymcdm";
   TOPSIS with min–max normalisation, weights multiplied in — the same computation, checked to 1e-12):
   one matrix, and 20 years (pymcdm in a Python loop; ours one batched call). Targets: not slower on
   one matrix; ≥ 10× faster for 20 years.
Timings are the best of `REPEAT` runs after one warm-up.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import numpy as np

from xianping.engine import aggregate as A
from xianping.engine import pipeline as P
from xianping.engine import weights as W

REPEAT = 15
BENCH = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "bench"


def load():
    with open(BENCH / "bench_2800x40.csv", newline="") as f:
        rows = list(csv.reader(f))
    x = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    with open(BENCH / "bench_2800x40_meta.csv", newline="") as f:
        meta = list(csv.DictReader(f))
    return x, [int(m["direction"]) for m in meta], [m["group"] for m in meta], [m["iCode"] for m in meta]


def years(x, T=20):
    rng = np.random.default_rng(1)
    out = x[None] * (1 + 0.01 * np.arange(T))[:, None, None] * rng.lognormal(0, 0.05, size=(T,) + x.shape)
    out[rng.random(out.shape) < 0.01] = np.nan
    return out


def best(fn, repeat=REPEAT):
    fn()
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts)


def two_level_plan(codes, dirs, groups):
    gnames = sorted(set(groups))
    n = len(codes)
    nodes = [P.NodeStep(g, tuple(j for j in range(n) if groups[j] == g), {"method": "entropy", "variant": "zero_ln_zero"},
                        {"method": "arithmetic"}) for g in gnames]
    nodes.append(P.NodeStep("index", tuple(range(n, n + len(gnames))), {"method": "entropy", "variant": "zero_ln_zero"},
                            {"method": "arithmetic"}))
    return P.Plan(indicators=tuple(codes), leaf_codes=tuple(codes), nodes=tuple(nodes), directions=tuple(dirs),
                  impute={"method": "mean"}, panel="per_year")


def main() -> None:
    x, dirs, groups, codes = load()
    X = years(x)
    print(f"data: {x.shape[0]} units × {x.shape[1]} indicators; 20 years {X.shape}, {int(np.isnan(X).sum())} missing cells")
    plan = two_level_plan(codes, dirs, groups)
    res = P.run(plan, X)
    assert np.isfinite(res.scored.values[..., -1]).all()
    t_index = best(lambda: P.run(plan, X))
    print(f"\n1. whole index, 20 years, one call (impute → normalise → entropy → aggregate → rank): {t_index * 1000:.1f} ms "
          f"(target ≤ 100 ms: {'OK' if t_index <= 0.1 else 'MISSED'})")

    try:
        from pymcdm.methods import TOPSIS
        from pymcdm.weights import entropy_weights
    except ImportError:
        print("\n2. pymcdm not installed: .venv/bin/pip install pymcdm")
        return
    types = np.array(dirs)
    top = TOPSIS()

    def ours_one(m):
        w = W.entropy(m, variant="pymcdm")
        return A.topsis(m, w, dirs, normalisation="min_max", weighting="multiply").closeness

    def theirs_one(m):
        return top(m, entropy_weights(m), types)

    X0 = X[0].copy()
    X0 = np.where(np.isnan(X0), np.nanmean(X0, axis=0), X0)  # pymcdm needs complete data
    Xc = np.where(np.isnan(X), np.nanmean(X, axis=1, keepdims=True), X)
    np.testing.assert_allclose(ours_one(X0), theirs_one(X0), rtol=1e-12, atol=1e-12)
    ours_batched = ours_one(Xc)
    for t in range(Xc.shape[0]):
        np.testing.assert_allclose(ours_batched[t], theirs_one(Xc[t]), rtol=1e-12, atol=1e-12)
    print("\n2. entropy-TOPSIS, same numbers as pymcdm (checked to 1e-12)")
    a1, b1 = best(lambda: ours_one(X0)), best(lambda: theirs_one(X0))
    a20, b20 = best(lambda: ours_one(Xc), 5), best(lambda: [theirs_one(Xc[t]) for t in range(Xc.shape[0])], 5)
    print(f"   one matrix 2800×40:   xianping {a1 * 1000:7.2f} ms   pymcdm {b1 * 1000:7.2f} ms   ratio pymcdm/xianping {b1 / a1:5.1f}×")
    print(f"   20 years batched:     xianping {a20 * 1000:7.2f} ms   pymcdm {b20 * 1000:7.2f} ms   ratio pymcdm/xianping {b20 / a20:5.1f}×")
    l20 = best(lambda: [ours_one(Xc[t]) for t in range(Xc.shape[0])], 5)
    print(f"   20 years, year by year (xianping in a loop, for comparison): {l20 * 1000:7.2f} ms   ratio {b20 / l20:5.1f}×"
          "  (the batch is now as fast as the cache-resident loop: ~7 passes over the 18 MB array, one data-sized temporary)")
    print(f"   targets: not slower on one matrix: {'OK' if a1 <= b1 else 'MISSED'}; ≥ 10× for 20 years: {'OK' if b20 / a20 >= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
