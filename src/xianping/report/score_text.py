"""A county's 考核得分 for the report text: total, class rank, award, veto and the items where it lost most points —
read from the score sheet the results' manifest names (evaluation/score_sheet). Every number is a narrative
`Value` whose source names the score-sheet cell (file, unit, year, item, column)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

_CACHE: dict[str, Any] = {}


def _sheet(data):
    """The score sheet the results' manifest names, read once per report (not once per county) by the one reader,
    evaluation/score_sheet.read_score_sheet; and its file name for the Values' sources."""
    entry = (data.manifest.get("files") or {}).get("scoresheet")
    if not entry or data.source.get("kind") != "csv":
        return None, None
    path = Path(data.source["results"]).with_name(entry["file"])
    key = f"{path}:{entry.get('sha256')}"
    if key not in _CACHE:
        from xianping.evaluation.score_sheet import read_score_sheet

        df = read_score_sheet(data.source["results"], data.manifest)
        if df is None:   # the file is gone (or not a CSV): no paragraph, as for an index framework
            return None, None
        _CACHE.clear()
        _CACHE[key] = df
    return _CACHE[key], entry["file"]


def scoring_ctx(data, code: str, year: str, prefix: str) -> dict[str, Any] | None:
    """The county's score-sheet facts for the template, or None for an index framework (no score sheet)."""
    from xianping.report.narrative import Value

    df, file = _sheet(data)
    if df is None:
        return None
    rows = df[(df["unit_code"] == code) & (df["year"] == str(year))]
    if rows.empty:
        return None

    def v(row, column, fmt, name):
        return Value(float(row[column]) if not np.isnan(row[column]) else None,
                     {"kind": "scoresheet", "file": file, "unit": code, "year": str(year), "item": row["item"],
                      "column": column}, f"{prefix}.scoring.{name}", fmt=fmt)

    total = rows[rows["kind"] == "total"].iloc[0]
    items = rows[rows["kind"] == "indicator"].sort_values("points_lost", ascending=False, kind="stable")
    lost = [{"name_zh": r["item_zh"] or r["item"], "points": v(r, "points", "score", f"lost[{n}].points"),
             "max": v(r, "max_points", "score", f"lost[{n}].max"), "lost": v(r, "points_lost", "score", f"lost[{n}].lost")}
            for n, (_, r) in enumerate(items[items["points_lost"] > 0].head(3).iterrows())]
    pens = rows[(rows["kind"] == "penalty") & (rows["points"] < 0)]
    return {"total": v(total, "points", "score", "total"), "max": v(total, "max_points", "score", "max"),
            "class": total["class"], "class_rank": v(total, "class_rank", "rank", "class_rank"),
            # the awards' Chinese names for the Chinese text (the sheet writes "先进县 Advanced county；…")
            "award": "、".join(a.split(" ")[0] for a in str(total["award"]).split("；") if a),
            "vetoed": bool(total["vetoed"]), "lost": lost,
            "penalties": [{"name_zh": r["item_zh"] or r["item"], "points": v(r, "points", "score", f"penalties[{n}]")}
                          for n, (_, r) in enumerate(pens.iterrows())]}
