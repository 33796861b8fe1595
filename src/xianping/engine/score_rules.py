"""考核办法 points: the rules of a provincial county assessment, vectorised over [..., years, units, indicators].

`score_points(values, columns, programme, ...)` takes the indicator values (leading axes for samples, then years,
units, indicators named by `columns`) and a programme — the `scoring:` section of a framework as a plain dict
(`frameworks.scoring.Scoring.to_dict()`, with each rule's `better` resolved from the indicator's direction) — and
returns every item's points, the bonuses, penalties, veto mask, total, ranks and awards. Pure numpy.

Rules (parameters and defaults: frameworks/scoring.py; sources: docs/assessment_practice.md):
- target_completion: d = x − target (`measure: difference`) or 100·x/target − 100 (`completion`), sign-flipped
  when lower is better; points = P − deduct·max(−d, 0)/step + min(bonus·max(d, 0)/step, bonus_cap), at least
  min(floor, P) ("每低1个百分点扣0.5分，扣完为止"); `steps: whole` counts whole steps only.
- growth_vs_average: g = (x_t/x_{t−1} − 1)·100 (`growth`; no growth for a zero or negative base or the first year),
  x_t − x_{t−1} (`change`) or x_t (`value`); ā = mean of g over the units of the same province (or all units);
  g > ā (g < ā when lower is better) earns P + min(bonus·|g − ā|, bonus_cap), otherwise below_points.
- efficacy_coefficient: c = base + span·(x − 不允许值)/(满意值 − 不允许值) clipped to [low, high]; points = P·c/100.
- rank_points: r = the unit's place among all units (or its class), ties sharing the better place;
  points = max(P − step·(r − 1), min(floor, P)).
A missing value earns 0 points (and no bonus, penalty or veto). P is the item's points for the unit's class.

Points as published: each item, bonus and penalty rounded half up (四舍五入) to `programme['decimals']` places
(default 2; float noise such as 0.28000000000000114 removed first), the total the sum of those rounded parts — so a
score sheet's rows add up to its total exactly as written — and ranks and awards on that total.

Totals: Σ items + Σ bonuses − Σ penalties. Ranks: by total, higher first, ties sharing the better place; a vetoed
unit (一票否决) ranks after every unit without a veto of its group and wins no award.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .rank import rank_within

__all__ = ["PointsResult", "score_points", "rule_points", "round_points"]

# digits kept before rounding half up: clears binary noise (9.155 computed as 9.154999999999999) without touching
# any real difference at the published precision (≤ 6 decimals)
_NOISE_DIGITS = 9


def round_points(x, decimals: int) -> np.ndarray:
    """四舍五入 to `decimals` places, half away from zero, on the decimal value the float stands for:
    9.155 → 9.16 (numpy.round gives 9.15: round-half-even on 9.15499999…), 2.345 → 2.35, 0.28000000000000114 → 0.28."""
    x = np.asarray(x, dtype=float)
    scale = 10.0 ** decimals
    with np.errstate(invalid="ignore"):
        y = np.round(np.abs(x) * scale, _NOISE_DIGITS - decimals)
        return np.sign(x) * np.floor(y + 0.5) / scale + 0.0  # + 0.0: no −0.0 in a sheet


@dataclass
class PointsResult:
    item_codes: list[str]
    bonus_codes: list[str]
    penalty_codes: list[str]
    veto_codes: list[str]
    items: np.ndarray  # [..., T, m, n_items] points earned
    full: np.ndarray  # [m, n_items] full points of each item for the unit's class
    item_max: np.ndarray  # [m, n_items] the most an item can earn (full + bonus cap; efficacy: P·high/100)
    bonuses: np.ndarray  # [..., T, m, n_bonus] points added (≥ 0)
    bonus_max: np.ndarray  # [n_bonus] caps
    penalties: np.ndarray  # [..., T, m, n_penalty] points taken (≥ 0; the sheet writes them negative)
    penalty_max: np.ndarray  # [n_penalty] caps
    vetoes: np.ndarray  # [..., T, m, n_veto] bool
    vetoed: np.ndarray  # [..., T, m] bool
    total: np.ndarray  # [..., T, m]
    rank: np.ndarray  # [..., T, m] rank by the ranking mode (within class or together)
    rank_together: np.ndarray  # [..., T, m]
    rank_class: np.ndarray  # [..., T, m]
    awards: dict[str, np.ndarray] = field(default_factory=dict)  # award code → bool [..., T, m]


def _col(values: np.ndarray, columns: list[str], code: str) -> np.ndarray:
    return values[..., columns.index(code)]


def _group_mean(v: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Mean of v [..., m] over the units of each group (NaN ignored), spread back to the units."""
    gi = np.unique(groups, return_inverse=True)[1].reshape(-1)
    onehot = np.zeros((gi.size, int(gi.max()) + 1 if gi.size else 0))
    onehot[np.arange(gi.size), gi] = 1.0
    ok = ~np.isnan(v)
    sums = np.where(ok, v, 0.0) @ onehot
    counts = ok.astype(float) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
    return mean @ onehot.T if gi.size else mean


def rule_points(x: np.ndarray, rule: dict[str, Any], P: np.ndarray, *, provinces: np.ndarray | None = None,
                rank_groups: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Points [..., T, m] of one rule on values x [..., T, m] with full points P [m]; and the maximum [m]."""
    kind = rule["kind"]
    sign = -1.0 if rule.get("better") == "lower" else 1.0
    m = x.shape[-1]
    missing = np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "target_completion":
            t = rule["target"]
            d = sign * (x - t) if rule["measure"] == "difference" else sign * (100.0 * x / t - 100.0)
            short = np.maximum(-d, 0.0) / rule["step"]
            over = np.maximum(d, 0.0) / rule["step"]
            if rule["steps"] == "whole":
                short, over = np.floor(short), np.floor(over)
            pts = P - rule["deduct"] * short + np.minimum(rule["bonus"] * over, rule["bonus_cap"])
            pts = np.maximum(pts, np.minimum(rule["floor"], P))
            top = P + rule["bonus_cap"]
        elif kind == "growth_vs_average":
            if rule["measure"] == "value":
                g = x
            else:
                prev = np.full_like(x, np.nan)
                prev[..., 1:, :] = x[..., :-1, :]
                if rule["measure"] == "growth":
                    g = np.where(prev > 0, (x / prev - 1.0) * 100.0, np.nan)  # no growth from a zero or negative base
                else:
                    g = x - prev
            groups = provinces if (rule["average"] == "province" and provinces is not None) else np.zeros(m, int)
            gap = sign * (g - _group_mean(g, groups))
            below = np.minimum(rule["below_points"], P)
            pts = np.where(gap > 0, P + np.minimum(rule["bonus"] * np.where(gap > 0, gap, 0.0), rule["bonus_cap"]),
                           below)
            top = P + rule["bonus_cap"]
        elif kind == "efficacy_coefficient":
            s, u = rule["satisfactory"], rule["unacceptable"]
            c = np.clip(rule["base"] + rule["span"] * (x - u) / (s - u), rule["low"], rule["high"])
            pts = P * c / 100.0
            top = P * rule["high"] / 100.0
        elif kind == "rank_points":
            groups = rank_groups if (rule["among"] == "class" and rank_groups is not None) else np.zeros(m, int)
            r, _ = rank_within(x, groups, ties="min", higher_is_better=sign > 0)
            pts = np.maximum(P - rule["step"] * (r - 1.0), np.minimum(rule["floor"], P))
            top = P
        else:
            raise ValueError(f"unknown rule kind {kind!r}")
    pts = np.where(missing | np.isnan(pts), 0.0, pts)
    return pts, np.broadcast_to(top, np.shape(P)).astype(float)


def _adjust(x: np.ndarray, a: dict[str, Any]) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if a.get("each") is not None:
            v = a["each"] * np.maximum(x, 0.0)
        else:
            hit = x >= a["threshold"] if a.get("when", "at_least") == "at_least" else x <= a["threshold"]
            v = np.where(hit, a["points"], 0.0)
    return np.where(np.isnan(x), 0.0, np.minimum(v, a["cap"]))


def _rank_veto_last(total: np.ndarray, vetoed: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Rank by total (1 = best, ties share) within groups, every vetoed unit after those without a veto."""
    clean = np.where(vetoed, np.nan, total)
    r, n_clean = rank_within(clean, groups, ties="min")
    rv, _ = rank_within(np.where(vetoed, total, np.nan), groups, ties="min")
    return np.where(vetoed & ~np.isnan(total), n_clean + rv, r)


def score_points(values, columns: list[str], programme: dict[str, Any], *, classes: np.ndarray | None = None,
                 provinces: np.ndarray | None = None, full_points: np.ndarray | None = None) -> PointsResult:
    """Points of every unit-year. values [..., T, m, k] named by `columns`; classes [m]: each unit's class index in
    `programme['classes']` (−1 or absent: none — the items' own points); provinces [m]: the groups whose mean
    growth_vs_average compares with (default: all units one group). full_points [..., m, n_items]: each unit's full
    points per item instead of the programme's class table, with leading sample axes (uncertain class points)."""
    x = np.asarray(values, dtype=float)
    m = x.shape[-2]
    items = programme["items"]
    names = list(programme.get("classes") or [])
    cls = np.full(m, -1, dtype=int) if classes is None else np.asarray(classes, dtype=int)
    # points per class × item; the last row for units of no declared class
    table = np.array([[programme.get("class_points", {}).get(c, {}).get(it["code"], it["points"]) for it in items]
                      for c in [*names, ""]], dtype=float).reshape(len(names) + 1, len(items))
    full = table[np.where(cls < 0, len(names), cls)]  # [m, n]
    if full_points is not None:
        full = np.asarray(full_points, dtype=float)  # [..., m, n]
    rank_groups = np.where(cls < 0, len(names), cls)
    pts, tops = [], []
    for j, it in enumerate(items):
        # the item's full points with a years axis, so that sampled points [..., m] broadcast over [..., T, m]
        p, top = rule_points(_col(x, columns, it["indicator"]), it["rule"], full[..., None, :, j], provinces=provinces,
                             rank_groups=rank_groups)
        pts.append(p)
        tops.append(top[..., 0, :])
    lead = x.shape[:-1]
    # each item's points broadcast to one shape (sampled full points add leading axes the values may not have)
    pts = np.broadcast_arrays(*pts)
    stack = (lambda arrs, n: np.stack(arrs, axis=-1) if arrs else np.zeros(lead + (n,)))
    dec = int(programme.get("decimals", 2))
    item_pts = round_points(stack(pts, 0), dec)
    bonus = round_points(stack([_adjust(_col(x, columns, a["indicator"]), a) for a in programme.get("bonuses", [])], 0), dec)
    penalty = round_points(stack([_adjust(_col(x, columns, a["indicator"]), a) for a in programme.get("penalties", [])], 0), dec)
    vetoes = []
    for v in programme.get("vetoes", []):
        xv = _col(x, columns, v["indicator"])
        with np.errstate(invalid="ignore"):
            hit = xv >= v["threshold"] if v.get("when", "at_least") == "at_least" else xv <= v["threshold"]
        vetoes.append(hit & ~np.isnan(xv))
    veto = np.stack(vetoes, axis=-1) if vetoes else np.zeros(lead + (0,), dtype=bool)
    vetoed = veto.any(axis=-1)
    # the sum of the rounded parts, itself rounded: the written parts add up to the written total exactly
    total = round_points(item_pts.sum(-1) + bonus.sum(-1) - penalty.sum(-1), dec)
    # a unit with no value at all in a year is not scored that year
    scored = ~np.all(np.isnan(x[..., [columns.index(it["indicator"]) for it in items]]), axis=-1)
    total = np.where(scored, total, np.nan)
    rank_together = _rank_veto_last(total, vetoed, np.zeros(m, dtype=int))
    rank_class = _rank_veto_last(total, vetoed, rank_groups)
    within = programme.get("ranking_mode") == "within_class"
    item_x = np.stack([_col(x, columns, it["indicator"]) for it in items], axis=-1)
    awards = _awards(programme, item_pts, item_x, total, vetoed, rank_together, rank_class)
    return PointsResult(
        [it["code"] for it in items], [a["code"] for a in programme.get("bonuses", [])],
        [a["code"] for a in programme.get("penalties", [])], [v["code"] for v in programme.get("vetoes", [])],
        item_pts, full, round_points(np.stack(tops, axis=-1), dec), bonus,
        round_points(np.array([a["cap"] for a in programme.get("bonuses", [])], dtype=float), dec), penalty,
        round_points(np.array([a["cap"] for a in programme.get("penalties", [])], dtype=float), dec), veto, vetoed, total,
        rank_class if within else rank_together, rank_together, rank_class, awards)


AWARD_LABELS = {"advanced": "先进县 Advanced county", "improved": "进步县 Most improved county",
                "first_tier": "第一方阵 First tier", "single": "单项奖 Single-item award"}


def _lex_rank(primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    """Rank [..., m] by primary then secondary (both higher first; ties on both share the better place; NaN
    primary unranked). numpy has no two-key rank, hence this: one lexsort per cross-section."""
    m = primary.shape[-1]
    secondary = np.broadcast_to(secondary, primary.shape)
    p = np.where(np.isnan(primary), -np.inf, primary).reshape(-1, m)
    q = np.where(np.isnan(secondary), -np.inf, secondary).reshape(-1, m)
    order = np.lexsort((-q, -p), axis=-1)
    sp, sq = np.take_along_axis(p, order, -1), np.take_along_axis(q, order, -1)
    idx = np.broadcast_to(np.arange(m), sp.shape)
    new = np.ones(sp.shape, dtype=bool)
    new[:, 1:] = (sp[:, 1:] != sp[:, :-1]) | (sq[:, 1:] != sq[:, :-1])
    r = (np.maximum.accumulate(np.where(new, idx, 0), axis=-1) + 1).astype(float)
    out = np.empty(sp.shape)
    np.put_along_axis(out, order, np.where(np.isinf(sp), np.nan, r), axis=-1)
    return out.reshape(primary.shape)


def _awards(programme, item_pts, item_x, total, vetoed, rank_together, rank_class) -> dict[str, np.ndarray]:
    aw = programme.get("awards") or {}
    out: dict[str, np.ndarray] = {}
    ok = ~vetoed & ~np.isnan(total)
    with np.errstate(invalid="ignore"):
        if aw.get("advanced"):
            r = rank_class if aw.get("advanced_per_class") else rank_together
            out["advanced"] = ok & (r <= aw["advanced"])
        if aw.get("improved"):
            # places gained over the previous year evaluated (the first year has none)
            gain = np.full_like(rank_together, np.nan)
            gain[..., 1:, :] = rank_together[..., :-1, :] - rank_together[..., 1:, :]
            gain = np.where(ok & (gain > 0), gain, np.nan)
            r, _ = rank_within(gain, np.zeros(gain.shape[-1], dtype=int), ties="min")
            out["improved"] = r <= aw["improved"]
        for s in aw.get("single") or []:
            # best on the item's points; among equal points (many at full points) the better value goes first
            j = [it["code"] for it in programme["items"]].index(s["item"])
            rule = programme["items"][j]["rule"]
            lower = rule.get("better") == "lower" or (rule["kind"] == "efficacy_coefficient"
                                                      and rule["satisfactory"] < rule["unacceptable"])
            r = _lex_rank(np.where(ok, item_pts[..., j], np.nan), -item_x[..., j] if lower else item_x[..., j])
            out[f"single:{s['item']}"] = r <= s.get("top_n", 1)
        if aw.get("first_tier"):
            out["first_tier"] = ok & (rank_together <= aw["first_tier"])
    return out
