"""What would move a county into 先进县 under a 考核办法 (points-based framework): one item at a time.

For one unit and year, each indicator item is brought alone to the value that earns its full points — the target
(target_completion; beyond it by bonus_cap/bonus steps when the rule pays a bonus), 满意值 (功效系数法), the best
value of its ranking group (名次赋分), the growth or change of the best unit of its province (growth_vs_average) —
all other data fixed, and the whole programme is scored again on the engine's sample axis (one scenario per item,
one call): rank points of other units, provincial averages and class ranks all react, so each scenario is exactly
the score sheet of the modified data. A value already as good as the scenario's is kept.

Also: the points the unit lacks to reach the 先进县 line of its group (the total of the last advanced unit).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xianping.engine.score_rules import round_points, score_points
from xianping.problems import XianpingInputError

__all__ = ["points_what_if"]


def _best_value(x: np.ndarray, rule: dict[str, Any], t: int, u: int, peers: np.ndarray) -> float:
    """The value of the item's indicator that earns its full points (and bonus), for unit u in year t."""
    lower = rule.get("better") == "lower"
    sign = -1.0 if lower else 1.0
    k = rule["kind"]
    if k == "target_completion":
        extra = rule["step"] * rule["bonus_cap"] / rule["bonus"] if rule["bonus"] > 0 else 0.0
        if rule["measure"] == "difference":
            return rule["target"] + sign * extra
        return rule["target"] * (1 + sign * extra / 100.0)
    if k == "efficacy_coefficient":
        return rule["satisfactory"]
    if k == "rank_points":
        col = x[t, peers]
        return float(np.nanmin(col) if lower else np.nanmax(col))
    # growth_vs_average: the best growth (change, value) among the province's units that year
    if rule["measure"] == "value" or t == 0:
        col = x[t, peers]
        return float(np.nanmin(col) if lower else np.nanmax(col))
    prev, now = x[t - 1, peers], x[t, peers]
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(prev > 0, now / prev - 1.0, np.nan) if rule["measure"] == "growth" else now - prev
    best = float(np.nanmin(g) if lower else np.nanmax(g))
    base = x[t - 1, u]
    return float(base * (1 + best) if rule["measure"] == "growth" else base + best)


def points_what_if(result, unit: str, year=None):
    """A DataFrame, one row per item: value now, value in the scenario, points now and then, total, rank, class rank
    and 先进县 then; `attrs` holds the unit's total, class rank and the points it lacks to the 先进县 line."""
    import pandas as pd

    from xianping.evaluation.score_sheet import points_of, unit_classes

    if getattr(result.framework, "scoring", None) is None:
        raise XianpingInputError(f"framework {result.framework.code} has no scoring section (考核办法): "
                                 "expected a points-based framework such as province-assessment")
    if unit not in result.units:
        raise XianpingInputError(f"unit {unit} was not evaluated: expected one of the {len(result.units)} unit codes")
    y = str(year) if year is not None else result.years[-1]
    if y not in result.years:
        raise XianpingInputError(f"year {y} was not evaluated: expected one of {', '.join(result.years)}")
    u, t = result.units.index(unit), result.years.index(y)
    pts, entry = points_of(result)
    prog = entry["programme"]
    if np.isnan(pts.total[t, u]):
        raise XianpingInputError(f"unit {unit} has no score in {y} (no data): expected a unit scored that year")
    cls, _ = unit_classes(result, prog)
    cols = list(result.plan.indicators)
    x = result.prepared.denominated
    prov = np.array([c[:2] for c in result.units])
    S = len(prog["items"])
    xs = np.broadcast_to(x, (S,) + x.shape).copy()
    before, after = [], []
    for s, it in enumerate(prog["items"]):
        rule, j = it["rule"], cols.index(it["indicator"])
        peers = (cls == cls[u]) if (rule["kind"] == "rank_points" and rule["among"] == "class") else \
            (prov == prov[u]) if rule["kind"] == "growth_vs_average" and rule["average"] == "province" else \
            np.ones(len(result.units), bool)
        v0, b = x[t, u, j], _best_value(x[..., j], rule, t, u, peers)
        lower = rule.get("better") == "lower" or (rule["kind"] == "efficacy_coefficient"
                                                  and rule["satisfactory"] < rule["unacceptable"])
        better = np.isnan(v0) or (b < v0 if lower else b > v0)
        xs[s, t, u, j] = b if better else v0
        before.append(v0)
        after.append(xs[s, t, u, j])
    sc = score_points(xs, cols, prog, classes=cls, provinces=prov)
    within = prog.get("ranking_mode") == "within_class"
    advanced = pts.awards.get("advanced")
    df = pd.DataFrame({
        "item": [it["code"] for it in prog["items"]], "item_zh": [it.get("name_zh") or it["code"] for it in prog["items"]],
        "value": before, "value_then": after, "points": pts.items[t, u], "points_then": sc.items[np.arange(S), t, u, np.arange(S)],
        "max_points": pts.item_max[u], "total_then": sc.total[:, t, u], "rank_then": sc.rank[:, t, u],
        "class_rank_then": sc.rank_class[:, t, u],
        "advanced_then": sc.awards["advanced"][:, t, u] if "advanced" in sc.awards else False,
    })
    line = np.nan
    if advanced is not None:
        per_class = (prog.get("awards") or {}).get("advanced_per_class")
        group = (cls == cls[u]) if per_class else np.ones(len(result.units), bool)
        winners = advanced[t] & group
        line = float(np.min(pts.total[t][winners])) if winners.any() else np.nan
    df.attrs.update({"unit": unit, "year": y, "total": float(pts.total[t, u]), "rank": float(pts.rank[t, u]),
                     "class_rank": float(pts.rank_class[t, u]), "vetoed": bool(pts.vetoed[t, u]),
                     "advanced": bool(advanced[t, u]) if advanced is not None else False,
                     "advanced_line": line,
                     # to the programme's decimals, as the totals it is the difference of
                     "points_short": float(round_points(max(0.0, line - float(pts.total[t, u])), prog.get("decimals", 2)))
                     if np.isfinite(line) else np.nan,
                     "ranked_by": "class" if within else "all"})
    return df


def whatif_summary(w) -> dict:
    """The what-if's facts as JSON-ready values (NaN → None): the unit's total, ranks, 先进县 line and each item."""
    import math

    def clean(v):
        v = v.item() if hasattr(v, "item") else v
        return None if isinstance(v, float) and math.isnan(v) else v

    return {**{k: clean(v) for k, v in w.attrs.items()},
            "items": [{k: clean(v) for k, v in r.items()} for r in w.to_dict("records")]}
