"""Strengths and weaknesses (优势/劣势指标): each indicator's rank against the unit's composite rank.

gap_ij = rank(composite)_i − rank(indicator j)_i: positive when the unit ranks better on the indicator than
overall (a strength), negative when worse (a weakness). Relative to the number of ranked units, |gap| ≥
`margin`·m counts (default 0.1: ten percentiles). Per unit, the k largest positive gaps are its strengths and the
k most negative its weaknesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class StrengthsResult:
    gap: np.ndarray          # [..., units, n] composite rank − indicator rank
    label: np.ndarray        # "优势" | "劣势" | "" per cell
    meta: dict[str, Any] = field(default_factory=dict)

    def top(self, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """(strength indices, weakness indices) [..., units, k]; −1 where fewer than k qualify."""
        g = np.where(self.label == "优势", self.gap, -np.inf)
        s = np.argsort(-g, axis=-1, kind="stable")[..., :k]
        s = np.where(np.take_along_axis(g, s, -1) == -np.inf, -1, s)
        b = np.where(self.label == "劣势", self.gap, np.inf)
        w = np.argsort(b, axis=-1, kind="stable")[..., :k]
        w = np.where(np.take_along_axis(b, w, -1) == np.inf, -1, w)
        return s, w


def strengths_weaknesses(indicator_ranks, composite_rank, margin: float = 0.1) -> StrengthsResult:
    """indicator_ranks: [..., units, n] (1 = best); composite_rank: [..., units]."""
    R = np.asarray(indicator_ranks, dtype=float)
    c = np.asarray(composite_rank, dtype=float)
    m = np.sum(~np.isnan(c), axis=-1, keepdims=True)[..., None]
    gap = c[..., None] - R
    thr = margin * m
    label = np.where(np.isnan(gap), "", np.where(gap >= thr, "优势", np.where(gap <= -thr, "劣势", ""))).astype(object)
    return StrengthsResult(gap, label, {"method": "strengths_weaknesses", "gap": "composite rank − indicator rank",
                                        "margin": margin, "threshold": "|gap| ≥ margin × units ranked"})
