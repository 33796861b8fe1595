"""Robustness of a 考核办法's ranks to its class points (分类赋权): how sure is each county's place and 先进县?

Published methods fix each class's points per item by judgement (四川 2019: four classes, each totalling 100).
Here every class's item points are multiplied by U(1 − noise, 1 + noise) and rescaled to the total — the
points-based twin of COINr's noisy weights (`robust` with `kind: weights`) — and the whole programme is scored
for all samples at once on the engine's sample axis (`score_points(full_points=…)`, in chunks of `chunk` samples).
Per unit-year: the nominal rank, the median and 5–95 % interval of the sampled ranks, and the share of samples in
which the unit is 先进县.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from xianping.engine.score_rules import score_points
from xianping.problems import XianpingInputError

__all__ = ["PointsRobust", "points_robust"]


@dataclass
class PointsRobust:
    tables: np.ndarray  # [S, classes + 1, items] sampled points (the last row: units of no declared class)
    ranks: np.ndarray  # [S, T, m] sampled ranks (by the programme's ranking mode)
    advanced: np.ndarray | None  # [S, T, m] bool, when the programme awards 先进县
    nominal_rank: np.ndarray  # [T, m]
    frame: object  # pandas DataFrame, one row per unit-year


def points_robust(result, *, n: int = 200, seed: int = 0, noise: float = 0.25, chunk: int = 50) -> PointsRobust:
    import pandas as pd

    from xianping.evaluation.score_sheet import points_of, unit_classes

    if getattr(result.framework, "scoring", None) is None:
        raise XianpingInputError(f"framework {result.framework.code} has no scoring section (考核办法): "
                                 "expected a points-based framework such as province-assessment")
    if not 0 < noise < 1 or n < 1:
        raise XianpingInputError(f"noise {noise} and n {n}: expected 0 < noise < 1 and n ≥ 1")
    pts, entry = points_of(result)
    prog = entry["programme"]
    cls, _ = unit_classes(result, prog)
    names = [*(prog.get("classes") or []), ""]
    base = np.array([[prog.get("class_points", {}).get(c, {}).get(it["code"], it["points"]) for it in prog["items"]]
                     for c in names], dtype=float)
    rng = np.random.default_rng(seed)
    tables = base * rng.uniform(1 - noise, 1 + noise, size=(n,) + base.shape)
    tables *= prog["total"] / tables.sum(-1, keepdims=True)  # each class still totals the programme's total
    row = np.where(cls < 0, len(names) - 1, cls)
    x = result.prepared.denominated
    prov = np.array([u[:2] for u in result.units])
    T, m = pts.total.shape
    ranks = np.empty((n, T, m))
    adv = np.zeros((n, T, m), dtype=bool) if "advanced" in pts.awards else None
    for a in range(0, n, chunk):
        sc = score_points(x, list(result.plan.indicators), prog, classes=cls, provinces=prov,
                          full_points=tables[a:a + chunk][:, row, :])
        ranks[a:a + chunk] = sc.rank
        if adv is not None:
            adv[a:a + chunk] = sc.awards["advanced"]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN unit-years (not scored)
        q = np.nanpercentile(ranks, [5, 50, 95], axis=0)
    frame = pd.DataFrame({
        "unit_code": np.tile(np.asarray(result.units, dtype=object), T),
        "year": np.repeat(np.asarray(result.years, dtype=object), m),
        "class": np.tile(np.asarray(names, dtype=object)[row], T),
        "rank": pts.rank.reshape(-1), "rank_p05": q[0].reshape(-1), "rank_median": q[1].reshape(-1),
        "rank_p95": q[2].reshape(-1),
        "p_advanced": adv.mean(0).reshape(-1) if adv is not None else np.nan,
        "advanced": pts.awards["advanced"].reshape(-1) if "advanced" in pts.awards else False,
    })
    frame = frame[~np.isnan(pts.total.reshape(-1))].reset_index(drop=True)
    return PointsRobust(tables, ranks, adv, pts.rank, frame)
