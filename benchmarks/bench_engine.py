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
Both sides run alternately in one process — pairs (pymcdm, ours) × PAIRS, each turn the best of a few calls, the
ratio of each pair, the median of those ratios, in CPU time (headline) and wall time — with the machine's load
average printed before and after; the whole-index time is the median of PAIRS turns. The data folder is the first argument, else $XIANPING_BENCH, else
../shared/bench beside the checkout, else the same matrix made from its recipe (seed 20240601) in the user cache.

This module also holds what the other benchmarks share: `bench_dir`, `load`, `years`, `alternate`, `load_average`.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from xianping.engine import aggregate as A
from xianping.engine import pipeline as P
from xianping.engine import weights as W

REPEAT = 15
PAIRS = 15


def make_bench(out: Path) -> Path:
    """bench_2800x40.csv and its meta file as ../shared/bench/gen_data.py makes them (same seed, same draws, 6 decimals)."""
    import numpy as np

    if (out / "bench_2800x40.csv").exists() and (out / "bench_2800x40_meta.csv").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240601)
    m, n = 2800, 40
    sigma = rng.uniform(0.3, 1.2, n)
    scale = 10 ** rng.uniform(0, 4, n)
    X = np.round(rng.lognormal(mean=0.0, sigma=sigma, size=(m, n)) * scale, 6)
    cols = [f"I{j + 1:02d}" for j in range(n)]
    tmp = out / "bench_2800x40.csv.part"
    with open(tmp, "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["uCode", *cols])
        for i in range(m):
            wr.writerow([f"U{i + 1:04d}", *(f"{v:.6f}" for v in X[i])])
    with open(out / "bench_2800x40_meta.csv", "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["iCode", "direction", "group"])
        for j, c in enumerate(cols):
            wr.writerow([c, -1 if j % 5 == 4 else 1, f"G{j // 8 + 1}"])
    tmp.rename(out / "bench_2800x40.csv")
    return out


def bench_dir(given: str | Path | None = None) -> Path:
    """The folder with bench_2800x40.csv: given, $XIANPING_BENCH, ../shared/bench beside the checkout, else made."""
    for p in (given, os.environ.get("XIANPING_BENCH"), Path(__file__).resolve().parents[2] / "shared" / "bench"):
        if p and (Path(p) / "bench_2800x40.csv").exists():
            return Path(p)
    if given:
        sys.exit(f"{given}: no bench_2800x40.csv there")
    return make_bench(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "xianping" / "bench")


BENCH = bench_dir(sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") and __name__ == "__main__" else None)


def load_average() -> str:
    return "load average %.2f %.2f %.2f on %d CPUs" % (*os.getloadavg(), os.cpu_count() or 0)


def _turn(fn, calls: int) -> tuple[float, float]:
    """Best wall and best CPU time (this process, all its threads) of `calls` calls."""
    wall, cpu = [], []
    for _ in range(calls):
        c, t = time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def alternate(ours, theirs, pairs: int = PAIRS, calls: int = 3) -> dict:
    """Pairs (theirs, ours) × `pairs` after one warm-up call each; a turn is the best of `calls` calls (a preempted
    call is not the method's time). Returns medians of each side and of the per-pair ratios theirs/ours, in CPU time
    (the headline: on a shared machine a long call is stretched by every other process's turns, a 1-ms call mostly
    is not, so wall-time ratios grow with the load) and in wall time."""
    ours(), theirs()
    to, tt = [], []
    for _ in range(pairs):
        tt.append(_turn(theirs, calls))
        to.append(_turn(ours, calls))
    out = {"pairs": pairs}
    for i, kind in ((1, ""), (0, "wall_")):
        r = [b[i] / max(a[i], 1e-9) for a, b in zip(to, tt)]
        out.update({f"{kind}ours": statistics.median(a[i] for a in to), f"{kind}theirs": statistics.median(b[i] for b in tt),
                    f"{kind}ratio": statistics.median(r), f"{kind}min": min(r), f"{kind}max": max(r)})
    return out


def fmt_ratio(a: dict, kind: str = "") -> str:
    return f"{a[kind + 'ratio']:.1f}× ({a[kind + 'min']:.1f}–{a[kind + 'max']:.1f})"


def fmt_both(a: dict, unit: float = 1e3, u: str = "ms") -> str:
    """ours / theirs CPU, ratio CPU; the same in wall time; the number of pairs."""
    return (f"CPU {a['ours'] * unit:.2f} / {a['theirs'] * unit:.2f} {u} → {fmt_ratio(a)}; "
            f"wall {a['wall_ours'] * unit:.2f} / {a['wall_theirs'] * unit:.2f} {u} → {fmt_ratio(a, 'wall_')}; {a['pairs']} pairs")

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
    print(f"bench_engine: data {BENCH};", load_average())
    x, dirs, groups, codes = load()
    X = years(x)
    print(f"data: {x.shape[0]} units × {x.shape[1]} indicators; 20 years {X.shape}, {int(np.isnan(X).sum())} missing cells")
    plan = two_level_plan(codes, dirs, groups)
    res = P.run(plan, X)
    assert np.isfinite(res.scored.values[..., -1]).all()
    P.run(plan, X)
    turns = [_turn(lambda: P.run(plan, X), 1) for _ in range(PAIRS)]
    t_index = statistics.median(c for _, c in turns)
    print(f"\n1. whole index, 20 years, one call (impute → normalise → entropy → aggregate → rank): median of {PAIRS}: "
          f"CPU {t_index * 1000:.1f} ms, wall {statistics.median(w for w, _ in turns) * 1000:.1f} ms "
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
    print(f"\n2. entropy-TOPSIS, same numbers as pymcdm (checked to 1e-12); alternating pairs, {PAIRS} each")
    T = Xc.shape[0]
    one = alternate(lambda: ours_one(X0), lambda: theirs_one(X0), PAIRS, 5)
    loop = lambda: [theirs_one(Xc[t]) for t in range(T)]  # noqa: E731
    batched = alternate(lambda: ours_one(Xc), loop, PAIRS, 1)
    yearly = alternate(lambda: [ours_one(Xc[t]) for t in range(T)], loop, PAIRS, 1)
    print("   ours / pymcdm, ratio pymcdm/ours median of pair ratios (min–max)")
    for name, r in (("one matrix 2800×40", one), ("20 years batched", batched), ("20 years, ours year by year", yearly)):
        print(f"   {name:28s} {fmt_both(r)}")
    print(f"   targets: not slower on one matrix: {'OK' if one['ratio'] >= 1 else 'MISSED'}; "
          f"≥ 10× for 20 years: {'OK' if batched['ratio'] >= 10 else 'MISSED'}")
    print("after:", load_average())

if __name__ == "__main__":
    main()
