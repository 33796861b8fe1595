"""Obstacle degree (障碍度模型): what holds each unit back.

    factor contribution F_j = w_j (the indicator's effective weight in the index, i.e. w_j·W_k for two levels)
    deviation           I_ij = 1 − z_ij   (z = normalised value in [0, 1])
    obstacle degree     O_ij = F_j I_ij / Σ_j F_j I_ij          (scaled=True, the usual %; × 100 for percent)
                        O_ij = F_j I_ij                        (scaled=False, mathmodels `obstacle_degree` default)
    dimension obstacle  U_ik = Σ_{j∈k} O_ij

A unit with every z = 1 has no obstacle: its scaled O is NaN and flagged, never 1/n.
Oracle: zhjx19/mathmodels `obstacle_degree` examples (tests/analysis/test_obstacles.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np


@dataclass
class ObstacleResult:
    O: np.ndarray                    # [..., units, n] fraction (scaled) or F·I
    F: np.ndarray                    # [..., n] factor contribution
    I: np.ndarray                    # [..., units, n] deviation
    no_obstacle: np.ndarray          # [..., units] all z = 1 (scaled O undefined)
    scaled: bool
    meta: dict[str, Any] = field(default_factory=dict)

    def top(self, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """Indices [..., units, k] of the k largest obstacles (ties by indicator order) and their values."""
        O = np.where(np.isnan(self.O), -np.inf, self.O)
        idx = np.argsort(-O, axis=-1, kind="stable")[..., :k]
        return idx, np.take_along_axis(self.O, idx, axis=-1)

    def by_dimension(self, dims: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Sum O over the indicators of each dimension (labels `dims`, one per indicator)."""
        names = list(dict.fromkeys(dims))
        d = np.asarray(dims)
        return names, np.stack([np.nansum(np.where(np.isnan(self.O), np.nan, self.O)[..., d == nm], axis=-1) for nm in names], axis=-1)


def obstacle_degree(z, weights=None, scaled: bool = True) -> ObstacleResult:
    """z: [..., units, n] normalised values in [0, 1]; weights: [n] or [..., n] (equal when None)."""
    z = np.asarray(z, dtype=float)
    n = z.shape[-1]
    F = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=float)
    if np.nanmax(z) > 1 + 1e-9 or np.nanmin(z) < -1e-9:
        raise ValueError("z must be normalised to [0, 1] (divide 0–100 scores by 100)")
    I = 1.0 - z
    FI = F[..., None, :] * I if F.ndim > 1 else F * I
    total = np.nansum(FI, axis=-1)
    none = total <= 0
    if scaled:
        with np.errstate(all="ignore"):
            O = np.where(none[..., None], np.nan, FI / total[..., None])
    else:
        O = FI
    return ObstacleResult(O, F, I, none, scaled, {"method": "obstacle_degree", "deviation": "1 - z",
                                                  "factor": "effective weight of the indicator in the index",
                                                  "scaled": scaled, "no_obstacle": "NaN and flagged when every z = 1"})


def for_unit(out: tuple[dict[str, list[dict[str, Any]]], dict[str, Any], dict[str, Any]], inp, unit: str):
    """One county's obstacles (`xianping analyse obstacles --unit`): the tables of `analysis.run.run_obstacles` cut to
    its rows, and a summary of its own — per year its composite rank, top obstacles (障碍因子) with their share,
    dimension obstacles (largest first), strengths and weaknesses. The degrees are those of the full run: factor
    contributions and ranks are computed among all units, then one unit is kept."""
    from xianping.problems import XianpingInputError

    code = str(unit).strip()
    if code not in inp.units:
        from xianping.reference.divisions import get_gazetteer

        d = get_gazetteer().get(code)
        hint = f" ({code} is {d.full_name} in the divisions gazetteer, but the input has no row for it)" if d is not None else ""
        raise XianpingInputError(f"--unit {unit!r} is not in the input{hint}: expected one of its {len(inp.units)} unit codes, "
                                 f"e.g. {', '.join(inp.units[:3])}")
    tables, summary, settings = out
    mine = {k: [r for r in rows if r.get("unit_code") == code] for k, rows in tables.items()}
    name = inp.unit_names[inp.units.index(code)]
    per_year = []
    for y in sorted({r["year"] for r in mine.get("obstacles", [])} | {r["year"] for r in mine.get("strengths", [])}):
        obs = [r for r in mine.get("obstacles", []) if r["year"] == y and r.get("k") is not None]
        dims = sorted((r for r in mine.get("dimensions", []) if r["year"] == y), key=lambda r: -r["obstacle_pct"])
        sw = [r for r in mine.get("strengths", []) if r["year"] == y]
        per_year.append({
            "year": y,
            "composite_rank": next((r["composite_rank"] for r in sw), None),
            "obstacles": [{"k": r["k"], "indicator": r["indicator"], "name": r.get("indicator_name", ""),
                           "dimension": r["dimension"], "obstacle_pct": r["obstacle_pct"], "normalised": r["normalised"]}
                          for r in obs],
            "dimensions": [{"dimension": r["dimension"], "name": r.get("dimension_name", ""), "obstacle_pct": r["obstacle_pct"]}
                           for r in dims],
            "strengths": [r["indicator"] for r in sw if r["type"].startswith("优势")],
            "weaknesses": [r["indicator"] for r in sw if r["type"].startswith("劣势")],
            "note": next((r["note"] for r in mine.get("obstacles", []) if r["year"] == y and r.get("note")), ""),
        })
    if not per_year:
        raise XianpingInputError(f"unit {code} {name} has no obstacle degrees in the years asked for: it lacks a value of "
                                 "some indicator (or was not scored) — expected a unit scored on every indicator")
    unit_summary = {"unit": code, "unit_name": name, "node": summary.get("node"), "top": summary.get("top"), "years": per_year}
    return mine, unit_summary, {**settings, "unit": code}
