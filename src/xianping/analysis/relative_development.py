"""Relative development degree (相对发展度) E = U1 / U2 between two subsystems, and its type label.

    E > hi        → 2 lags (U2 滞后型)
    lo ≤ E ≤ hi   → synchronous (同步型)
    E < lo        → 1 lags (U1 滞后型)

Thresholds vary in the literature: (0.8, 1.2) by default, (0.9, 1.1) also common; both are recorded. U2 ≤ 0
makes E undefined (NaN, flagged).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class RelativeDevelopment:
    E: np.ndarray
    label: np.ndarray
    undefined: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)


def relative_development(u1, u2, thresholds: tuple[float, float] = (0.8, 1.2), names: tuple[str, str] = ("U1", "U2")) -> RelativeDevelopment:
    u1, u2 = np.asarray(u1, dtype=float), np.asarray(u2, dtype=float)
    lo, hi = thresholds
    if not 0 < lo <= 1 <= hi:
        raise ValueError("thresholds must satisfy 0 < lo ≤ 1 ≤ hi")
    bad = np.isnan(u1) | np.isnan(u2) | (u2 <= 0)
    with np.errstate(all="ignore"):
        E = np.where(bad, np.nan, u1 / np.where(u2 > 0, u2, np.nan))
    label = np.where(bad, "", np.where(E > hi, f"{names[1]}滞后型", np.where(E < lo, f"{names[0]}滞后型", "同步型")))
    return RelativeDevelopment(E, label.astype(object), bad,
                               {"method": "relative_development", "E": f"{names[0]}/{names[1]}", "thresholds": [lo, hi]})
