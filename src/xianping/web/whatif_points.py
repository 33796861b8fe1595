"""提升路径 of a points-based result (考核办法, `scoring:`) on the dashboard: `analysis.points_what_if`, the code
`xianping points whatif` and `xianping analyse whatif` run, on the evaluation rebuilt from the results' manifest.

Each item alone is brought to the value that earns its full points and the whole programme is scored again; the
answer gives per item the points gained and the new total, rank, class rank and 先进县, and the points the county
lacks to the 先进县 line. The index scenarios (10 % better, medians, a target rank, a rank scope) have no meaning
for points and are not offered: the programme ranks by its own mode and classes.

The evaluation is rebuilt once (`evaluation.run.rebuild`: framework hash and data checked) and kept; it is trusted
only when it gives the dashboard's index scores and the totals of its 考核得分表, else 409 with what differs.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from xianping.evaluation.manifest import json_safe
from xianping.problems import XianpingInputError
from xianping.web.validate import Invalid
from xianping.web.whatif import Stale, check_source, model, same_scores


def build_result(dash):
    """The EvaluationResult of the dashboard's points-based results, checked against what the dashboard shows."""
    from xianping.evaluation.run import rebuild
    from xianping.evaluation.score_sheet import points_of

    m = dash.data.manifest
    _, where = check_source(m)
    try:
        res = rebuild(m)
    except XianpingInputError as e:
        raise Stale(f"the evaluation could not be rebuilt from {where}: {e}") from None
    same_scores(dash, list(res.units), list(res.years), np.asarray(res.scores, float)[..., -1])
    sheet = dash.score_sheet
    if sheet is not None:   # the totals of the 考核得分表 on the page (read from the file beside the results)
        pts, _ = points_of(res)
        tot = sheet[sheet["kind"].astype(str) == "total"]
        u = {c: j for j, c in enumerate(res.units)}
        t = {y: j for j, y in enumerate(res.years)}
        rows = [(t.get(str(y), -1), u.get(str(c), -1)) for y, c in zip(tot["year"], tot["unit_code"])]
        ok = len(rows) == int(np.sum(~np.isnan(pts.total))) and all(a >= 0 and b >= 0 for a, b in rows)
        if ok:
            ti, ui = np.array([a for a, _ in rows], int), np.array([b for _, b in rows], int)
            ok = np.allclose(pts.total[ti, ui], tot["points"].to_numpy(float), atol=1e-9, rtol=0)
        if not ok:
            raise Stale("the evaluation rebuilt from the manifest does not give the 考核得分表 totals shown here "
                        "(the score sheet file or the data differ); evaluate again and serve the new results")
    return res


def payload(dash, res, w, seconds: float) -> dict[str, Any]:
    """The API's answer: the unit's facts, one row per item with names, units and the points gained, and the
    summary exactly as `xianping analyse whatif --json` prints it for a points-based framework."""
    from xianping.analysis.points_what_if import whatif_summary   # the one JSON form of its answer
    from xianping.engine.score_rules import round_points
    from xianping.evaluation.score_sheet import programme_of, unit_classes

    prog = programme_of(res.framework)
    dec = int(prog.get("decimals", 2))
    leaf = {n.indicator or n.code: n for n in dash.leaves}
    by_item = {it["code"]: it for it in prog["items"]}
    a = w.attrs

    def whole(v):
        return int(v) if v is not None and np.isfinite(v) else None

    items = []
    for r in w.to_dict("records"):
        code = by_item[r["item"]]["indicator"]
        n = leaf.get(code)
        items.append({"item": r["item"], "item_zh": r["item_zh"], "indicator": code,
                      "name_zh": n.name_zh if n else code, "name_en": n.name_en if n else "", "unit": (n.unit if n else "") or "",
                      "value": r["value"], "value_then": r["value_then"], "points": r["points"], "points_then": r["points_then"],
                      "gain": round_points(r["points_then"] - r["points"], dec), "max_points": r["max_points"],
                      "total_then": r["total_then"], "total_gain": round_points(r["total_then"] - a["total"], dec),
                      "rank_then": whole(r["rank_then"]), "class_rank_then": whole(r["class_rank_then"]),
                      "advanced_then": bool(r["advanced_then"])})
    cls, _ = unit_classes(res, prog)
    names = prog.get("classes") or []
    k = int(cls[res.units.index(a["unit"])])
    i = dash.index.get(a["unit"])
    return json_safe({"kind": "points", "unit_code": a["unit"],
                      "unit_name": dash.short[i] if i is not None else a["unit"],
                      "full_name": res.unit_names[res.units.index(a["unit"])], "year": a["year"], "decimals": dec,
                      "total": a["total"], "rank": whole(a["rank"]), "class_rank": whole(a["class_rank"]),
                      "class_name": names[k] if 0 <= k < len(names) else "", "ranked_by": a["ranked_by"],
                      "vetoed": a["vetoed"], "advanced": a["advanced"], "advanced_line": a["advanced_line"],
                      "points_short": a["points_short"], "items": items, "seconds": round(seconds, 3),
                      "summary": {"kind": "points", **whatif_summary(w)}})


def compute(dash, i: int, year: str) -> dict[str, Any]:
    from xianping.analysis.points_what_if import points_what_if

    res = model(dash)
    t0 = time.perf_counter()
    try:
        w = points_what_if(res, dash.codes[i], year)
    except XianpingInputError as e:
        raise Invalid(422, str(e)) from None
    return payload(dash, res, w, time.perf_counter() - t0)
