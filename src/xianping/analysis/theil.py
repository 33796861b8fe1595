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
    w = None if w is None else np.asarray(w, dtype=float)
    if y.ndim != 1 or (w is not None and w.shape != y.shape):
        raise ValueError("y and weights must be one-dimensional and of equal length")
    if np.isnan(y).any():
        raise ValueError("missing values: drop them first")
    return y, w


def _codes(groups, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Group labels as text, sorted as text (as `np.unique` of the labels as str sorts them), and each unit's code.
    A hash table (pandas.factorize) instead of sorting n labels: O(n) whatever the labels' type."""
    import pandas as pd

    g = np.asarray(groups)
    if g.shape != (n,):
        raise ValueError("groups must give one label per value")
    codes, uniques = pd.factorize(g.astype(str) if g.dtype.kind == "O" else g, sort=False)
    labels = np.asarray(uniques).astype(str)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(labels), dtype=np.intp)
    rank[order] = np.arange(len(labels))
    return labels[order], rank[codes]


def theil(y, groups=None, weights=None, index: Literal["T", "L"] = "T") -> TheilResult:
    """Theil T or L of y; with groups, the between/within decomposition from per-group sums (`np.bincount`),
    one pass of logarithms over the units: value = between + within."""
    y, w = _check(y, weights)
    if (y < 0).any():
        raise ValueError("Theil indices need y ≥ 0")
    if index == "L" and (y <= 0).any():
        raise ValueError("Theil L (mean log deviation) needs y > 0")
    weighted = weights is not None
    if groups is None:
        labels, codes = np.array(["all"]), np.zeros(len(y), dtype=np.intp)
    else:
        labels, codes = _codes(groups, len(y))
    k = len(labels)
    wy = y if w is None else w * y
    Wg = np.bincount(codes, minlength=k).astype(float) if w is None else np.bincount(codes, weights=w, minlength=k)
    Yg = np.bincount(codes, weights=wy, minlength=k)
    W, Y = Wg.sum(), Yg.sum()
    mu = Y / W
    with np.errstate(divide="ignore", invalid="ignore"):
        mug = Yg / Wg
        if index == "T":
            if Y == 0:      # all zeros: no inequality by the 0·ln 0 = 0 convention
                return TheilResult(index, 0.0, *((0.0, 0.0, [str(g) for g in labels], dict.fromkeys(map(str, labels), 0.0),
                                                  dict.fromkeys(map(str, labels), 0.0)) if groups is not None else ()),
                                   weighted=weighted)
            ratio = y / mug[codes]
            np.log(ratio, out=ratio, where=y > 0)
            ratio[y == 0] = 0.0                         # 0·ln 0 = 0 (pysal convention)
            terms = np.bincount(codes, weights=wy * ratio, minlength=k)   # Σ_g w y ln(y/μ_g)
            share = Yg / Y
            gvals = np.where(Yg > 0, terms / Yg, 0.0)   # a group of zeros has no inequality
            between = float(np.sum(np.where(mug > 0, share * np.log(mug / mu), 0.0)))
            within = float(terms.sum() / Y)
        else:
            lr = np.log(mug[codes] / y)
            terms = np.bincount(codes, weights=lr if w is None else w * lr, minlength=k)   # Σ_g w ln(μ_g/y)
            share = Wg / W
            gvals = terms / Wg
            between = float(np.sum(share * np.log(mu / mug)))
            within = float(terms.sum() / W)
    if groups is None:
        return TheilResult(index, between + within, weighted=weighted)
    names = [str(g) for g in labels]
    return TheilResult(index, between + within, between, within, names, dict(zip(names, map(float, gvals))),
                       dict(zip(names, map(float, share))), weighted=weighted)


def theil_t(y, groups=None, weights=None) -> TheilResult:
    return theil(y, groups, weights, "T")


def theil_l(y, groups=None, weights=None) -> TheilResult:
    return theil(y, groups, weights, "L")
