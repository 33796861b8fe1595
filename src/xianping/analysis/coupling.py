"""Coupling coordination degree (耦合协调度) of 2..n subsystems, with the ten-grade table.

    standard  C = n·(Π U_i)^{1/n} / Σ U_i        (geometric mean / arithmetic mean; 2√(U1U2)/(U1+U2) for n = 2)
    wang_kong C = √{ [1 − Σ_{i<j}|U_i − U_j| / (n(n−1)/2)] · [Π_i (U_i / max U)]^{1/(n−1)} }
              (Wang Shujia, Kong Wei et al. 2021, 自然资源学报 36(3):793–810; mathmodels `type="adjusted"`)
    T = Σ α_i U_i  (Σ α = 1; equal by default),   D = √(C·T)

Refused, with the reason: the widespread three-subsystem form C = {U1U2U3/[(U1+U2)(U1+U3)(U2+U3)]}^{1/3}
(its maximum is 1/2, reached only when U1 = U2 = U3, so no unit can ever be "coupled"), and C without the
coefficient n (caps C at 1/n^{…}). A U of 0 (or below) makes C undefined: C, D and the grade are NaN and the
unit is flagged, never silently 0.
Oracle: zhjx19/mathmodels `coupling_degree` examples (tests/analysis/test_coupling.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

import numpy as np

from xianping.problems import XianpingInputError

# [lower bound, grade]; D in [0.9, 1] is 优质协调
GRADES: tuple[tuple[float, str], ...] = (
    (0.0, "极度失调"), (0.1, "严重失调"), (0.2, "中度失调"), (0.3, "轻度失调"), (0.4, "濒临失调"),
    (0.5, "勉强协调"), (0.6, "初级协调"), (0.7, "中级协调"), (0.8, "良好协调"), (0.9, "优质协调"),
)
# 4-stage scale of C: 低水平耦合 (0, 0.3], 拮抗 (0.3, 0.5], 磨合 (0.5, 0.8], 高水平耦合 (0.8, 1]
STAGES: tuple[tuple[float, str], ...] = ((0.3, "低水平耦合"), (0.5, "拮抗"), (0.8, "磨合"), (1.0, "高水平耦合"))

Variant = Literal["standard", "wang_kong"]
REFUSED = {
    "three_subsystem_product": (
        "C = {U1·U2·U3 / [(U1+U2)(U1+U3)(U2+U3)]}^(1/3) is a known-wrong generalisation of the 2-subsystem formula: "
        "its maximum is 1/2 (at U1 = U2 = U3), so C never reaches 1 and the grades are meaningless; multiplying by 2 "
        "reaches 1 but is still not geometric mean / arithmetic mean. Use variant 'standard' (C = n·(ΠU)^(1/n)/ΣU) "
        "or 'wang_kong' (Wang, Kong et al. 2021, J. Nat. Resour. 36(3):793–810)."),
    "no_coefficient": (
        "C = {U1·U2 / (U1+U2)²}^(1/2) drops the coefficient 2 (n in general) and caps C at 1/2. Use 'standard'."),
}
REFUSED["three_system"] = REFUSED["three_subsystem_product"]
REFUSED["legacy_3"] = REFUSED["three_subsystem_product"]


@dataclass
class CouplingResult:
    C: np.ndarray             # [..., units]
    T: np.ndarray
    D: np.ndarray
    grade: np.ndarray         # 10-grade label of D ("" when undefined)
    grade_index: np.ndarray   # 1 (极度失调) … 10 (优质协调); 0 when undefined
    stage: np.ndarray         # 4-stage label of C
    undefined: np.ndarray     # bool: some U ≤ 0 or missing
    variant: str
    weights: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)


def grade_of(D: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Ten-grade label and index (1–10) of D; NaN → ("", 0). Intervals are [a, a + 0.1), the last is [0.9, 1]."""
    D = np.asarray(D, dtype=float)
    idx = np.clip(np.floor(np.where(np.isnan(D), 0, D) * 10 + 1e-12).astype(int), 0, 9) + 1
    idx = np.where(np.isnan(D), 0, idx)
    labels = np.array([""] + [g for _, g in GRADES], dtype=object)[idx]
    return labels, idx


def stage_of(C: np.ndarray) -> np.ndarray:
    C = np.asarray(C, dtype=float)
    cuts = np.array([s for s, _ in STAGES])
    idx = np.searchsorted(cuts, np.where(np.isnan(C), 0, C), side="left").clip(0, 3)
    return np.where(np.isnan(C), "", np.array([g for _, g in STAGES], dtype=object)[idx])


def coupling_coordination(U: Sequence | np.ndarray, weights: Sequence[float] | None = None,
                          variant: Variant | str = "standard") -> CouplingResult:
    """U: [..., units, n] subsystem scores in (0, 1] (n ≥ 2); weights α of T (sum 1; equal by default)."""
    if variant in REFUSED:
        raise XianpingInputError(f"coupling variant {variant!r} refused: {REFUSED[variant]}")
    if variant not in ("standard", "wang_kong"):
        raise XianpingInputError(f"unknown coupling variant {variant!r}: use 'standard' or 'wang_kong'")
    U = np.asarray(U, dtype=float)
    n = U.shape[-1]
    if n < 2:
        raise XianpingInputError("coupling needs at least two subsystems")
    if np.nanmax(U) > 1 + 1e-9:
        raise XianpingInputError(f"subsystem scores must lie in (0, 1] (max is {np.nanmax(U):g}); divide 0–100 scores by 100")
    a = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=float)
    if a.shape != (n,) or abs(a.sum() - 1) > 1e-9:
        raise XianpingInputError(f"coupling weights must be {n} numbers summing to 1 (got {list(a)})")
    bad = np.isnan(U).any(axis=-1) | (U <= 0).any(axis=-1)
    Us = np.where(bad[..., None], np.nan, U)
    with np.errstate(all="ignore"):
        if variant == "standard":
            C = n * np.exp(np.log(Us).mean(axis=-1)) / Us.sum(axis=-1)
        else:
            i, j = np.triu_indices(n, 1)
            spread = np.abs(Us[..., i] - Us[..., j]).sum(axis=-1) / (n * (n - 1) / 2)
            ratio = np.prod(Us / Us.max(axis=-1, keepdims=True), axis=-1) ** (1.0 / (n - 1))
            C = np.sqrt((1 - spread) * ratio)
        T = (np.where(np.isnan(U), np.nan, U) * a).sum(axis=-1)
        D = np.sqrt(C * T)
    grade, gi = grade_of(D)
    return CouplingResult(C=C, T=T, D=D, grade=grade, grade_index=gi, stage=stage_of(C), undefined=bad, variant=variant,
                          weights=a, meta={"method": "coupling_coordination", "variant": variant, "n_subsystems": n,
                                           "T_weights": a.tolist(), "grades": "ten-grade table (极度失调 … 优质协调), [a, a+0.1)",
                                           "undefined": "C, D NaN and flagged when any U ≤ 0 or missing"})
