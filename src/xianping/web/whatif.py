"""提升路径 on the dashboard: `analysis.what_if` for one county, on the evaluation model rebuilt from what the
dashboard loaded.

The results' manifest holds the framework content (with its hash) and the data source (a store path with its
batches, or a data file with its sha256). The model (`robust.load.load_model`) is rebuilt from those once, on the
first what-if request, and kept; it is trusted only when the data are still the same and its nominal run gives
the dashboard's own scores. Otherwise the request gets 409 with what changed — the what-if would not start from
the numbers on the page. Answers are kept as encoded JSON in the dashboard's byte cache, one per
(unit, year, target rank); the computations run one at a time (each holds a few hundred MB at national scale).

A points-based result (考核办法, `scoring:`) gets the points what-if instead (web/whatif_points.py, the code of
`xianping points whatif`); the source checks, the model slot and the cache here serve both.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from xianping.evaluation.manifest import json_safe

from xianping.problems import XianpingInputError
from xianping.web.validate import Invalid

log = logging.getLogger("xianping.web")


class Stale(Invalid):
    """The evaluation cannot be rebuilt as it was: 409 Conflict with the reason."""

    def __init__(self, message: str):
        super().__init__(409, "提升路径不可用 what-if unavailable: " + message)


def default_target(manifest: dict[str, Any], n_units: int | None = None) -> int:
    """The rank `what_if` aims at without `target_rank` (one rule, analysis.what_if.default_target). The number of
    units evaluated sizes quantile tiers (the best quarter of 104 units is 26, not the top_n default of 30)."""
    from xianping.analysis.what_if import default_target as rule

    if n_units is None and isinstance(manifest.get("units"), int):
        n_units = manifest["units"]
    return rule(manifest.get("settings", {}), n_units)


def _framework(manifest: dict[str, Any]):
    from xianping.frameworks.model import Framework

    fwm = manifest.get("framework") or {}
    if "content" not in fwm:
        raise Stale("the results' manifest holds no framework content to rebuild the evaluation from")
    fw = Framework.model_validate(fwm["content"])
    if fwm.get("hash") and fw.content_hash() != fwm["hash"]:
        raise Stale(f"the framework content in the manifest does not match its hash ({fwm.get('name', '')})")
    return fw


def is_points(manifest: dict[str, Any]) -> bool:
    """Whether the results are of a 考核办法 (the framework has `scoring:`): their what-if is the points what-if
    (web/whatif_points.py), not the index scenarios."""
    return bool(((manifest.get("framework") or {}).get("content") or {}).get("scoring"))


def check_source(manifest: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The results' data source (the manifest's `data`) and its path, when it is still there and unchanged."""
    src = manifest.get("data") or {}
    where = src.get("path")
    if not where:
        raise Stale("the results' manifest names no data source (store or data file), so the evaluation cannot be redone")
    if not Path(where).exists():
        raise Stale(f"the data source {where} no longer exists (it was evaluated from there); "
                    "restore it or serve results whose data are present")
    if src.get("kind") != "store" and src.get("sha256"):
        from xianping.evaluation.load_panel import sha256_file

        if sha256_file(Path(where)) != src["sha256"]:
            raise Stale(f"the data file {where} changed since these results were evaluated (sha256 differs); "
                        "evaluate again and serve the new results")
    return src, where


def same_scores(dash, units: list[str], years: list[str], nominal: np.ndarray) -> None:
    """Refuse a rebuilt evaluation whose index scores ([years, units]) are not the dashboard's."""
    d = dash.data
    if list(years) != list(d.years):
        raise Stale(f"the rebuilt evaluation covers years {', '.join(years)}, the results {', '.join(d.years)}")
    at = {c: j for j, c in enumerate(units)}
    cols = [at.get(c, -1) for c in d.units]
    mine = np.where(np.array(cols)[None, :] >= 0, nominal[:, np.maximum(cols, 0)], np.nan)
    ours = d.score[..., dash.root_k]
    if mine.shape != ours.shape or not np.allclose(np.nan_to_num(mine, nan=-1), np.nan_to_num(ours, nan=-1), atol=1e-6):
        raise Stale("the evaluation rebuilt from the manifest does not give the scores shown here "
                    "(data, settings or county types differ); evaluate again and serve the new results")


def build_model(dash) -> Any:
    """The evaluation model of the dashboard's results, checked against them (data unchanged, same scores)."""
    from xianping.engine import pipeline as P
    from xianping.robust.load import load_model

    m = dash.data.manifest
    src, where = check_source(m)
    fw = _framework(m)
    kw = {"store": where} if src.get("kind") == "store" else {"data": where}
    try:
        model = load_model(fw, years=m.get("years") or dash.years, settings=m.get("settings"), **kw)
    except XianpingInputError as e:
        raise Stale(f"the evaluation could not be rebuilt from {where}: {e}") from None
    if json_safe(dict(model.panel.source)) != src:
        raise Stale(f"the data in {where} changed since these results were evaluated (batches or sha256 differ); "
                    "evaluate again and serve the new results")
    # the nominal run must give the dashboard's scores, or the scenarios would start from other numbers
    nom = P.run(model.plan, model.x, model.den, model.groups(model.settings["impute"]), model.times).scored.values[..., -1]
    same_scores(dash, list(model.units), list(model.years), nom)
    return model


def model(dash):
    """The dashboard's model, built once (thread-safe); a failure is not kept, the next request tries again. For a
    points-based result it is the EvaluationResult the points what-if scores again (web/whatif_points.py)."""
    if dash._wi_model is None:
        with dash._wi_model_lock:
            if dash._wi_model is None:
                try:
                    if is_points(dash.data.manifest):
                        from xianping.web.whatif_points import build_result

                        dash._wi_model = build_result(dash)
                    else:
                        dash._wi_model = build_model(dash)
                except Invalid:
                    raise
                except Exception as e:  # noqa: BLE001 - a store that cannot be read is the data gone, not a server fault
                    log.exception("what-if model could not be built")
                    raise Stale(f"the evaluation could not be rebuilt ({type(e).__name__}: {e})") from None
    return dash._wi_model


# ---------------------------------------------------------------------------------------------
# the answer


def _needed_key(row: dict[str, Any]) -> str | None:
    return next((k for k in row if k.endswith("needed value")), None)


REASONS = {"reachable": "单项可达 reachable alone", "already": "已在目标名次内 already there",
           "no_data": "当年无数据 no data this year", "at_best": "已是最优值 already at the best value",
           "weight": "权重太小 weight too small", "no_value": "无当前值 no current value", "other": "不适用 n/a"}


def _reason(row: dict[str, Any]) -> str:
    return row.get("原因 reason") or "other"  # what_if says why a value is or is not reachable


def payload(dash, w, seconds: float) -> dict[str, Any]:
    """The API's answer: levers and needed values with plain keys for the page, and `what_if`'s own tables and
    summary unchanged (`tables`, `summary`), so a client sees exactly what `xianping analyse whatif` writes."""
    leaf = {n.indicator or n.code: n for n in dash.leaves}

    def names(code: str) -> dict[str, str]:
        n = leaf.get(code)
        return {"indicator": code, "name_zh": n.name_zh if n else code, "name_en": n.name_en if n else "",
                "unit": (n.unit if n else "") or ""}

    best: dict[str, dict[str, Any]] = {}
    for r in w.scenarios:   # sorted by rank gain, then Δscore: the first row of an indicator is its best scenario
        code = r["指标 indicator"]
        if code in best or r.get("新排名 new rank") is None or (r.get("得分变化 Δscore") or 0) <= 0:
            continue
        best[code] = r
    levers = [{**names(c), "direction": r["方向 direction"], "scenario": r["scenario_code"], "scenario_label": r["情景 scenario"],
               "current": r["当前值 current"], "value": r["情景值 scenario value"], "change_pct": r["变化% change %"],
               "new_score": r["新得分 new score"], "delta_score": r["得分变化 Δscore"], "new_rank": r["新排名 new rank"],
               "rank_gain": r["进位 rank gain"], "note": r["说明 note"]} for c, r in list(best.items())[:8]]
    needed = []
    for r in w.needed:
        k = _needed_key(r)
        reason = _reason(r)
        needed.append({**names(r["指标 indicator"]), "current": r.get("当前值 current"), "needed": r.get(k) if k else None,
                       "change_pct": r.get("所需变化% needed change %"), "new_rank": r.get("新排名 new rank"),
                       "reachable": bool(r["可达 reachable"]), "reason": reason, "reason_label": REASONS[reason],
                       "search_limit": r.get("搜索上限 search limit"), "rank_at_limit": r.get("上限处排名 rank at limit"),
                       "note": r.get("说明 note", "")})
    s = w.summary
    summary = {k: v for k, v in s.items() if k != "evaluations"}
    ev = {k: v for k, v in s.get("evaluations", {}).items() if k != "seconds"}
    return json_safe({"kind": "index", "unit_code": w.unit, "unit_name": dash.short[dash.index[w.unit]] if w.unit in dash.index else w.unit_name,
                   "full_name": w.unit_name, "year": w.year, "target_rank": w.target_rank, "top_n": w.top_n,
                   "score": s["score"], "rank": s["rank"], "ranked_units": s["ranked_units"],
                   "scope": s.get("rank_scope", "nation"), "ranked_where": s.get("ranked_where", "nationally"),
                   "score_at_target_rank": s["score_at_target_rank"], "gap": s["gap"],
                   "levers": levers, "needed": needed, "evaluations": ev, "seconds": round(seconds, 3),
                   "method": w.settings.get("method", ""), "settings": w.settings, "summary": summary,
                   "tables": w.tables()})


def _by_type(dash, scope: str) -> dict[str, Any]:
    """Ranked among its type on a by-type evaluation: score with the type's overrides and the evaluation's own types,
    so the rank starts from the dashboard's 类内排名 (type_rank)."""
    m = dash.data.manifest
    if scope != "type" or not m.get("by_type"):
        return {}
    tm = m.get("types") or {}
    types = tm.get("table") if tm.get("kind") == "mapping" else tm.get("path") if tm.get("kind") == "file" else None
    return {"by_type": True, "types": types}


def compute(dash, i: int, year: str, target: int, scope: str = "nation") -> dict[str, Any]:
    import time

    from xianping.analysis.what_if import what_if

    mdl = model(dash)
    t0 = time.perf_counter()
    try:
        w = what_if(unit=dash.codes[i], year=year, target_rank=target, model=mdl, scope=scope, **_by_type(dash, scope))
    except XianpingInputError as e:
        raise Invalid(422, str(e)) from None
    return payload(dash, w, time.perf_counter() - t0)


def answer(dash, key, i: int, year: str, target: int | None = None, scope: str = "nation") -> bytes:
    """Encoded JSON of one what-if, computed once: concurrent requests for the same answer wait for the first. A
    points-based result gets the points what-if (no target rank or scope: it aims at full points per item)."""
    from xianping.web.api import dumps

    hit = dash._bytes.get(key)
    if hit is not None:
        return hit
    if is_points(dash.data.manifest):
        from xianping.web.whatif_points import compute as compute_points

        def build():
            return dumps(compute_points(dash, i, year))
    else:
        def build():
            return dumps(compute(dash, i, year, target, scope))
    with dash._wi_lock:
        return dash.cached(key, build)
