"""Village scale (百县千镇万村) synthetic panel: 500,000 units under real county codes × 30 indicators × 5 years.

Unit codes are 12-digit 统计用区划代码 shaped codes: a real county code of the 2023 gazetteer (6 digits)
+ a made-up town (3) and village (3). Values are lognormal with a county effect, a province effect and a
yearly trend, 0.5 % missing; indicators 5, 10, … are costs. Deterministic (seed).

    .venv/bin/python scripts/make_village_scale.py [--units 500000] [--out /tmp/village] [--csv]

Writes OUT/village.npz (values float64 [years, units, indicators], years, units, columns: read by
xianping.robust.load.read_panel and `xianping robust --data OUT/village.npz`), OUT/framework.yaml
(30 indicators in 5 groups, pooled min–max to [1, 100], equal weights, arithmetic) and OUT/spec.yaml
(weights ±25 % at both levels, arithmetic or geometric); --csv also writes the wide CSV (≈ 0.5 GB).
Not shipped: generate it where you need it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


def make(units: int = 500_000, n: int = 30, years=(2019, 2020, 2021, 2022, 2023), seed: int = 20250101):
    from xianping.reference.divisions import get_gazetteer

    counties = sorted(d.code for d in get_gazetteer().counties_in(2023))
    rng = np.random.default_rng(seed)
    k = len(counties)
    # villages per county: roughly equal, a few more in larger counties
    share = rng.dirichlet(np.full(k, 20.0))
    per = np.maximum(1, np.floor(share * units).astype(int))
    deficit = units - int(per.sum())
    if deficit > 0:
        per[np.argsort(-share)[:deficit]] += 1
    while per.sum() > units:
        per[np.argmax(per)] -= 1
    codes = []
    for c, p in zip(counties, per):
        towns = max(1, p // 15)
        for v in range(p):
            codes.append(f"{c}{1 + v % towns:03d}{1 + v // towns:03d}")
    county_idx = np.repeat(np.arange(k), per)
    prov = np.array([int(c[:2]) for c in counties])[county_idx]
    T, m = len(years), len(codes)
    sigma = rng.uniform(0.3, 1.0, n)
    scale = 10 ** rng.uniform(0, 3, n)
    ce = rng.normal(0, 0.4, (k, n))[county_idx]  # county effect
    pe = rng.normal(0, 0.3, (100, n))[prov]  # province effect
    base = ce + pe + rng.normal(0, 1, (m, n)) * sigma
    x = np.empty((T, m, n))
    for t in range(T):
        x[t] = np.exp(base + 0.03 * t + rng.normal(0, 0.1, (m, n))) * scale
    x[rng.random(x.shape) < 0.005] = np.nan
    cols = [f"v{j + 1:02d}" for j in range(n)]
    return x, [str(y) for y in years], codes, cols


def framework_yaml(cols, groups: int = 5) -> str:
    per = len(cols) // groups
    lines = ["# Village-scale synthetic framework (scripts/make_village_scale.py): 5 groups of 6, pooled min–max to [1, 100].",
             "code: village_scale", "name_zh: 百县千镇万村（合成）", "name_en: Village scale (synthetic)", 'version: "1"',
             "defaults:", "  normalisation: {method: min_max, shift: spssau_interval, panel: pooled}", "  weights: equal",
             "  aggregation: arithmetic", "  scale: 100", "evaluation:", "  tiers: {method: top_n, n: 1000}", "root:",
             "  code: Index", "  name_zh: 综合指数", "  children:"]
    for g in range(groups):
        lines += [f"    - code: G{g + 1}", f"      name_zh: 维度 {g + 1}", "      children:"]
        for j in range(g * per, (g + 1) * per):
            d = "negative" if (j + 1) % 5 == 0 else "positive"
            lines.append(f"        - {{code: V{j + 1:02d}, name_zh: 指标 {j + 1}, indicator: {{code: {cols[j]}, unit: '1', direction: {d}}}}}")
    return "\n".join(lines) + "\n"


SPEC = """# Village scale uncertainty: weights ±25 % at both levels, aggregation arithmetic or geometric.
inputs:
  - {name: weights_indicators, kind: weights, level: 1, noise: 0.25}
  - {name: weights_groups, kind: weights, level: 2, noise: 0.25}
  - {name: aggregation, kind: aggregation, alternatives: [arithmetic, geometric]}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=500_000)
    ap.add_argument("--out", default="/tmp/village")
    ap.add_argument("--csv", action="store_true")
    a = ap.parse_args()
    t = time.perf_counter()
    x, years, codes, cols = make(a.units)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "village.npz", values=x, years=np.array(years), units=np.array(codes), columns=np.array(cols))
    (out / "framework.yaml").write_text(framework_yaml(cols), encoding="utf-8")
    (out / "spec.yaml").write_text(SPEC, encoding="utf-8")
    if a.csv:
        import pandas as pd

        frames = [pd.DataFrame(x[t], columns=cols).assign(unit_code=codes, year=y) for t, y in enumerate(years)]
        df = pd.concat(frames)[["unit_code", "year"] + cols]
        df.to_csv(out / "village.csv", index=False, float_format="%.6g")
    print(f"{len(codes)} units × {len(cols)} indicators × {len(years)} years under {len({c[:6] for c in codes})} county codes "
          f"→ {out} in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
