"""Theil T (GE(1)) and Theil L (GE(0), mean log deviation) with the one-level between/within decomposition.

Units count equally unless `weights` (population) are given; y is a per-unit level (per capita when weighted).

    T = Σ_i s_i ln(y_i/μ),       s_i = w_i y_i / Σ w y (income share)      T = T_b + T_w
        T_b = Σ_g S_g ln(μ_g/μ),  T_w = Σ_g S_g T_g,   S_g = group income share
    L = Σ_i π_i ln(μ/y_i),       π_i = w_i / W (population share)           L = L_b + L_w
        L_b = Σ_g Π_g ln(μ/μ_g),  L_w = Σ_g Π_g L_g,   Π_g = group population share

Contribution rate of group g: S_g T_g / T (T) or Π_g L_g / L (L). Unweighted T equals pysal `inequality.Theil`
and `TheilD` and mathmodels `theil_g`; the nested 2-level form of mathmodels is not used (it mixes population
and income shares, see tests/analysis/oracles/README.md). Own code because `inequality` has no Theil L and no
weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

import numpy as np


@dataclass
class TheilResult:
    index: Literal["T", "L"]
    value: float
    between: float | None = None
    within: float | None = None
    groups: list[str] = field(default_factory=list)
    group_values: dict[str, float] = field(default_factory=dict)     # T_g or L_g
    group_shares: dict[str, float] = field(default_factory=dict)     # S_g (T) or Π_g (L)
    weighted: bool = False

    @property
    def contributions(self) -> dict[str, float]:
        """Contribution rate of each group's within inequality, and of between and within, as fractions of the total."""
        out = {g: self.group_shares[g] * self.group_values[g] / self.value for g in self.groups} if self.value else {}
        if self.between is not None and self.value:
            out = {"between": self.between / self.value, "within": self.within / self.value, **out}
        return out

    def summary(self) -> dict[str, Any]:
        return {"index": f"theil_{self.index}", "value": self.value, "between": self.between, "within": self.within,
                "group_values": self.group_values, "group_shares": self.group_shares, "contributions": self.contributions,
                "weighted": self.weighted}

    def rows(self) -> list[dict[str, Any]]:
        c = self.contributions
        out = [{"part": f"theil_{self.index}", "group": "", "value": self.value, "share": 1.0}]
        if self.between is not None:
            out += [{"part": "between", "group": "", "value": self.between, "share": c["between"]},
                    {"part": "within", "group": "", "value": self.within, "share": c["within"]}]
        for g in self.groups:
            out.append({"part": "group", "group": g, "value": self.group_values[g], "weight_share": self.group_shares[g],
                        "share": c.get(g)})
        return out


def _check(y, w):
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    if y.ndim != 1 or w.shape != y.shape:
        raise ValueError("y and weights must be one-dimensional and of equal length")
    if np.isnan(y).any():
        raise ValueError("missing values: drop them first")
    return y, w


def _t(y, w) -> float:
    total = np.dot(w, y)
    if total == 0:
        return 0.0  # a group of zeros has no inequality by the 0·ln 0 = 0 convention
    mu = total / w.sum()
    s = w * y / total
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, s * np.log(y / mu), 0.0)  # 0·ln 0 = 0 (pysal convention)
    return float(terms.sum())


def _l(y, w) -> float:
    if (y <= 0).any():
        raise ValueError("Theil L (mean log deviation) needs y > 0")
    mu = np.dot(w, y) / w.sum()
    return float(np.dot(w / w.sum(), np.log(mu / y)))


def theil(y, groups=None, weights=None, index: Literal["T", "L"] = "T") -> TheilResult:
    y, w = _check(y, weights)
    if (y < 0).any():
        raise ValueError("Theil indices need y ≥ 0")
    f = _t if index == "T" else _l
    total = f(y, w)
    if groups is None:
        return TheilResult(index, total, weighted=weights is not None)
    labels, codes = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    mu = np.dot(w, y) / w.sum()
    gv, gs = {}, {}
    between = 0.0
    for j, g in enumerate(labels):
        m = codes == j
        yg, wg = y[m], w[m]
        mug = np.dot(wg, yg) / wg.sum()
        gv[str(g)] = f(yg, wg)
        if index == "T":
            share = np.dot(wg, yg) / np.dot(w, y)
            between += share * np.log(mug / mu) if mug > 0 else 0.0
        else:
            share = wg.sum() / w.sum()
            between += share * np.log(mu / mug)
        gs[str(g)] = float(share)
    within = float(sum(gs[g] * gv[g] for g in gv))
    return TheilResult(index, total, float(between), within, [str(g) for g in labels], gv, gs, weighted=weights is not None)


def theil_t(y, groups=None, weights=None) -> TheilResult:
    return theil(y, groups, weights, "T")


def theil_l(y, groups=None, weights=None) -> TheilResult:
    return theil(y, groups, weights, "L")
