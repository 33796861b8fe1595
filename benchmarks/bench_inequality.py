#!/usr/bin/env python
"""Gini and the grouped Theil T decomposition against pysal `inequality` (Gini, TheilD), measured alternately in one
run: pairs (inequality, ours) A B A B …, the ratio of each pair, the median of those ratios; the load printed.

    .venv/bin/python benchmarks/bench_inequality.py [--n 500000] [--groups 31] [--pairs 15] [--years 20]

Cases (lognormal values, seed 0; groups drawn uniformly, labels as text like province names and as integers):
- Gini of n values; and of `--years` × 2,881 values (ours one call over the leading axis, inequality in a loop);
- Theil T with the between/within decomposition of n values in `--groups` groups (text labels; integer labels);
  and of 2,881 values (a year of counties by province).
The same numbers are checked first (Gini, T, between, within to 1e-12). Each turn is the best of a few calls; the
ratios in CPU time (headline) and wall time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import alternate, fmt_both, load_average  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500_000)
    ap.add_argument("--groups", type=int, default=31)
    ap.add_argument("--pairs", type=int, default=15)
    ap.add_argument("--years", type=int, default=20)
    a = ap.parse_args()

    import inequality
    from inequality.gini import Gini
    from inequality.theil import TheilD

    from xianping.analysis.gini import gini
    from xianping.analysis.theil import theil_t

    rng = np.random.default_rng(0)
    n, k = a.n, a.groups
    g = rng.integers(0, k, n)
    y = rng.lognormal(mean=0.02 * g, sigma=0.7)
    gs = np.array([f"省{v:02d}" for v in range(k)])[g]
    small, small_g = y[:2881], gs[:2881]
    panel = rng.lognormal(sigma=0.7, size=(a.years, 2881))

    print(f"bench_inequality: inequality {inequality.__version__}; n {n:,}, {k} groups, {a.pairs} pairs;", load_average())
    assert abs(gini(y) - Gini(y).g) < 1e-12
    assert np.allclose(gini(panel), [Gini(p).g for p in panel], rtol=0, atol=1e-12)
    for labels in (gs, g):
        r, d = theil_t(y, labels), TheilD(y, labels)
        worst = max(abs(r.value - float(np.squeeze(d.T))), abs(r.between - float(np.squeeze(d.bg))),
                    abs(r.within - float(np.squeeze(d.wg))))
        assert worst < 1e-12, worst
    print("same numbers: Gini, Theil T / between / within within 1e-12 of inequality's")

    cases = [
        (f"Gini, {n:,} values", lambda: gini(y), lambda: Gini(y), 3),
        (f"Gini, {a.years} years × 2,881 (ours one call)", lambda: gini(panel), lambda: [Gini(p) for p in panel], 3),
        (f"Theil T + between/within, {n:,} values, {k} text groups", lambda: theil_t(y, gs), lambda: TheilD(y, gs), 1),
        (f"Theil T + between/within, {n:,} values, {k} integer groups", lambda: theil_t(y, g), lambda: TheilD(y, g), 1),
        (f"Theil T + between/within, 2,881 values, {k} text groups", lambda: theil_t(small, small_g),
         lambda: TheilD(small, small_g), 5),
    ]
    for name, ours, theirs, calls in cases:
        r = alternate(ours, theirs, a.pairs, calls)
        print(f"{name}\n   ours / inequality, ratio inequality/ours: {fmt_both(r)}   [{load_average()}]", flush=True)
    print("after:", load_average())


if __name__ == "__main__":
    main()
