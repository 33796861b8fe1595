#!/usr/bin/env python
"""Local Moran and Getis-Ord Gi* with 999 conditional permutations on the shipped county boundaries (2,881 counties,
queen contiguity), ours against PySAL esda (numba kernels, warmed up before timing), measured alternately in one run:
pairs A B A B …, the ratio of each pair, the median of those ratios; the machine's load printed before and after.

    .venv/bin/python benchmarks/bench_spatial.py [--pairs 15] [--permutations 999] [--weights queen]

What is compared: the same statistic and the same number of permutations (the draws differ: esda's generator vs
ours, so pseudo p-values agree only in distribution — the run prints the share of counties whose folded p_sim differ by
less than 0.02 and the largest difference of the statistic itself, which must be ~1e-15).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np


def load() -> str:
    return "load average %.2f %.2f %.2f on %d CPUs" % (*os.getloadavg(), os.cpu_count() or 0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=15)
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--weights", default="queen")
    a = ap.parse_args()

    import esda

    from xianping.analysis.autocorrelation import getis_ord, local_moran
    from xianping.analysis.boundaries import shipped_units
    from xianping.analysis.spatial_weights import build_weights

    u = shipped_units()
    sw = build_weights(u.codes, a.weights)
    w = sw.w
    lat = dict(zip(u.codes, u.lat))
    rng = np.random.default_rng(0)
    y = np.array([lat[u.resolve(c)] for c in sw.codes]) + rng.normal(scale=3.0, size=w.n)   # spatially clustered values
    P = a.permutations
    print(f"bench_spatial: {w.n} counties, {a.weights} weights, {P} permutations, {a.pairs} pairs;", load())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        esda.Moran_Local(y, w, transformation="r", permutations=P, seed=1)
        esda.G_Local(y, w, transform="B", star=True, permutations=P, seed=1)
        print(f"esda first call (numba compiles its kernels): {time.perf_counter() - t:.1f} s")

        cases = {
            "local Moran": (lambda: local_moran(y, w, permutations=P, seed=1),
                            lambda: esda.Moran_Local(y, w, transformation="r", permutations=P, seed=1)),
            "Gi* (star)": (lambda: getis_ord(y, w, permutations=P, seed=1),
                           lambda: esda.G_Local(y, w, transform="B", star=True, permutations=P, seed=1)),
        }
        for name, (ours, theirs) in cases.items():
            ours(), theirs()                                   # warm both
            ratios, to, tt = [], [], []
            for _ in range(a.pairs):
                s = time.perf_counter(); theirs(); b = time.perf_counter() - s
                s = time.perf_counter(); ours(); o = time.perf_counter() - s
                ratios.append(b / o)
                to.append(o)
                tt.append(b)
            print(f"{name}: ours median {statistics.median(to) * 1e3:.0f} ms, esda median {statistics.median(tt) * 1e3:.0f} ms, "
                  f"esda/ours per pair: median {statistics.median(ratios):.2f}× (min {min(ratios):.2f}, max {max(ratios):.2f})")
        r, lm = local_moran(y, w, permutations=P, seed=1), esda.Moran_Local(y, w, transformation="r", permutations=P, seed=1)
        g, gl = getis_ord(y, w, permutations=P, seed=1), esda.G_Local(y, w, transform="B", star=True, permutations=P, seed=1)
    print(f"check: local I_i max |ours − esda| {np.max(np.abs(r.values - lm.Is)):.1e}; share |Δp_sim| < 0.02: "
          f"{np.mean(np.abs(r.p_sim - lm.p_sim) < 0.02):.3f}; Gi* z max |Δ| {np.max(np.abs(g.z - gl.Zs)):.1e}; share |Δp_sim| < 0.02: "
          f"{np.mean(np.abs(g.p_sim - gl.p_sim) < 0.02):.3f}")
    print("after:", load())


if __name__ == "__main__":
    main()
