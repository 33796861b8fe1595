"""Declarative targets (目标) with progress %, an on-track flag and the projected year of attainment per unit.

A target is a dict (from YAML/JSON):
  {name, kind: threshold,  indicator, target: 100, op: ">=" | "<=", deadline: 2025}      百亿级产业集群: 产值 ≥ 100 亿元
  {name, kind: growth_above_province, indicator, base_year}                                增幅高于全省平均水平
  {name, kind: top_n, indicator, n: 100, deadline}                                         进入前 N
  {name, kind: rank_improvement, indicator, places: 10, base_year, deadline}              进位 N 名

Projection (recorded in the manifest):
  threshold — constant compound growth between the base year and the latest year (CAGR), extrapolated;
  top_n / rank_improvement — the linear pace of rank change since the base year, extrapolated;
  growth_above_province — growth (CAGR) since the base year against the mean growth of the units of the same
  province (mean of unit growth rates); progress = unit growth / provincial mean × 100, on track = above it.
Progress is capped to [0, 100]; attained targets have progress 100 and projected year = the latest year.
Ranks: 1 = best, by value descending (ascending with `higher_is_better: false`), among the units given.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from xianping.problems import ProblemReport, XianpingInputError

KINDS = ("threshold", "growth_above_province", "top_n", "rank_improvement")


def _ranks(v: np.ndarray, higher: bool) -> np.ndarray:
    from scipy.stats import rankdata

    out = np.full(v.shape, np.nan)
    ok = ~np.isnan(v)
    out[ok] = rankdata(-v[ok] if higher else v[ok], method="min")
    return out


def _check(targets: Sequence[Mapping[str, Any]], indicators: Sequence[str], years: Sequence[str], file: str | None) -> None:
    rep = ProblemReport()
    for i, t in enumerate(targets, start=1):
        where = {"file": file, "column": f"targets[{i}]"}
        kind = t.get("kind")
        if kind not in KINDS:
            rep.add("bad_target", f"unknown kind {kind!r}", value=kind, expected=" | ".join(KINDS), **where)
            continue
        if t.get("indicator") not in indicators:
            rep.add("bad_target", f"indicator {t.get('indicator')!r} is not in the data", value=t.get("indicator"),
                    expected=", ".join(indicators[:12]), **where)
        need = {"threshold": ("target",), "top_n": ("n",), "rank_improvement": ("places",)}.get(kind, ())
        for k in need:
            if k not in t:
                rep.add("bad_target", f"{kind} target needs {k!r}", expected=k, **where)
        if "base_year" in t and str(t["base_year"]) not in years:
            rep.add("bad_target", f"base year {t['base_year']} is not in the data", value=t["base_year"], expected=", ".join(years), **where)
    rep.raise_if_errors("targets cannot be evaluated")


def evaluate_targets(targets: Sequence[Mapping[str, Any]], values: Mapping[str, np.ndarray], units: Sequence[str],
                     years: Sequence[str], provinces: Sequence[str] | None = None, file: str | None = None) -> list[dict[str, Any]]:
    """values: indicator → [years, units]. Returns one row per target and unit."""
    years = [str(y) for y in years]
    _check(targets, list(values), years, file)
    yf = np.array([float(y[:4]) for y in years])
    rows: list[dict[str, Any]] = []
    for t in targets:
        kind, ind = t["kind"], t["indicator"]
        v = np.asarray(values[ind], dtype=float)
        b = years.index(str(t.get("base_year", years[0])))
        last = len(years) - 1
        dt = yf[last] - yf[b]
        deadline = t.get("deadline")
        name = t.get("name", f"{kind}:{ind}")
        if kind in ("top_n", "rank_improvement"):
            R = np.vstack([_ranks(v[k], t.get("higher_is_better", True)) for k in range(len(years))])
        if kind == "growth_above_province":
            with np.errstate(all="ignore"):
                g = (v[last] / v[b]) ** (1.0 / dt) - 1 if dt > 0 else np.full(len(units), np.nan)
            prov = np.asarray(provinces if provinces is not None else [u[:2] for u in units])
            gp = {p: float(np.nanmean(g[prov == p])) for p in set(prov.tolist())}
        for i, u in enumerate(units):
            row: dict[str, Any] = {"target": name, "kind": kind, "indicator": ind, "unit_code": u, "base_year": years[b],
                                   "year": years[last], "deadline": deadline}
            if kind == "threshold":
                tgt, op = float(t["target"]), t.get("op", ">=")
                v0, v1 = v[b, i], v[last, i]
                up = op == ">="
                attained = bool(v1 >= tgt) if up else bool(v1 <= tgt)
                prog = 100.0 if attained else (100.0 * (v1 - v0) / (tgt - v0) if tgt != v0 else 0.0)
                proj = None
                if attained:
                    proj = int(yf[last])
                elif dt > 0 and v0 > 0 and v1 > 0 and tgt > 0:
                    r = math.log(v1 / v0) / dt
                    if (r > 0 and up) or (r < 0 and not up):
                        proj = int(math.ceil(yf[last] + math.log(tgt / v1) / r))
                row.update(base_value=v0, value=v1, target_value=tgt)
            elif kind == "growth_above_province":
                gi, gpi = g[i], gp[str(prov[i])]
                attained = bool(gi > gpi)
                prog = 100.0 * gi / gpi if gpi and not np.isnan(gi) else float("nan")
                proj = None
                row.update(base_value=v[b, i], value=v[last, i], growth=gi, province_growth=gpi)
            else:
                r0, r1 = R[b, i], R[last, i]
                if kind == "top_n":
                    goal = float(t["n"])
                    attained = bool(r1 <= goal)
                    prog = 100.0 if attained else (100.0 * (r0 - r1) / (r0 - goal) if r0 > goal else 0.0)
                else:
                    goal = r0 - float(t["places"])
                    attained = bool(r0 - r1 >= float(t["places"]))
                    prog = 100.0 * (r0 - r1) / float(t["places"])
                pace = (r0 - r1) / dt if dt > 0 else 0.0          # places gained per year
                proj = int(yf[last]) if attained else (int(math.ceil(yf[last] + (r1 - goal) / pace)) if pace > 0 else None)
                row.update(base_rank=r0, rank=r1, target_rank=goal)
            if isinstance(prog, float) and not math.isnan(prog):
                prog = min(max(prog, 0.0), 100.0)
            on_track = attained if kind == "growth_above_province" else \
                bool(attained or (proj is not None and deadline is not None and proj <= int(deadline)))
            row.update(progress_pct=prog, attained=attained, on_track=on_track, projected_year=proj)
            rows.append({k: (float(x) if isinstance(x, np.floating) else x) for k, x in row.items()})
    return rows
