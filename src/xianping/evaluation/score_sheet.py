"""考核得分表 (score sheet): the points of a framework's `scoring:` section for every unit-year, one row per item.

Rows: each indicator item, bonus (加分), penalty (扣分, written negative), veto (一票否决, 0 points) and the total
(总分) — so that for every unit-year the indicator, bonus and penalty rows add up to the total row. The total row
also carries the rank (by the programme's ranking mode), the class rank and the awards.

Precision: every points column (points, max_points, points_lost) is rounded half up to the programme's `decimals`
(default 2, as 考核 results are published); the engine rounds each part first and makes the total their sum, so the
written parts add up to the written total exactly (tests/evaluation/test_score_sheet_property.py checks this on the
CSV's text with decimal arithmetic).

Points are computed on the indicators as reported (after denomination, before imputation, outlier treatment and
normalisation): a 考核办 scores the figure a county reported, and a missing figure earns nothing.
Classes (分类): the evaluation's county types when it has them (`--types`, `--by-type`), else the gazetteer kind
(市辖区 / 县级市 / 县), matched by name to `scoring.classes`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from xianping.engine.score_rules import AWARD_LABELS, PointsResult, round_points, score_points

KIND_LABELS = {"indicator": "指标 indicator", "bonus": "加分 bonus", "penalty": "扣分 penalty", "veto": "一票否决 veto",
               "total": "总分 total"}


def score_sheet_path(out: Path) -> Path:
    out = Path(out)
    return out.with_name(out.stem + ".scoresheet" + out.suffix)


def programme_of(framework) -> dict[str, Any]:
    """The `scoring:` section as the engine reads it, each rule's `better` resolved from its indicator's direction
    (positive → higher, negative → lower) unless the rule states it; this resolved copy goes into the manifest."""
    prog = framework.scoring.to_dict()
    direction = {leaf.indicator.code: leaf.indicator.direction for leaf in framework.indicators()}
    for it in prog["items"]:
        rule = it["rule"]
        if rule["kind"] != "efficacy_coefficient" and rule.get("better") is None:
            rule["better"] = "lower" if direction.get(it["indicator"]) == "negative" else "higher"
    return prog


def unit_classes(result, prog: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """Each unit's class index in prog['classes'] (−1: none of them), and where the classes came from."""
    names = prog.get("classes") or []
    if not names:
        return np.full(len(result.units), -1), {"kind": "none"}
    if result.unit_types is not None:
        types, source = list(result.unit_types), {"kind": "evaluation_types", "types": result.manifest.get("types")}
    else:
        from xianping.evaluation.run import _types_from_gazetteer

        vintage = result.panel.source.get("code_vintage") or 2024
        tmap = _types_from_gazetteer(result.units, vintage)
        types = [tmap[u] for u in result.units]
        source = {"kind": "gazetteer_kind", "vintage": vintage}
    index = {c: i for i, c in enumerate(names)}
    cls = np.array([index.get(t, -1) for t in types], dtype=int)
    source["unmatched_units"] = int(np.sum(cls < 0))
    return cls, source


def points_of(result) -> tuple[PointsResult, dict[str, Any]]:
    """The engine's points for an EvaluationResult of a points-based framework; and the manifest entry."""
    prog = programme_of(result.framework)
    cls, source = unit_classes(result, prog)
    provinces = np.array([u[:2] for u in result.units])
    pts = score_points(result.prepared.denominated, list(result.plan.indicators), prog, classes=cls, provinces=provinces)
    return pts, {"programme": prog, "classes": source, "values": "denominated (before imputation and normalisation)"}


def _rule_text(rule: dict[str, Any]) -> str:
    k = rule["kind"]
    if k == "target_completion":
        unit = "个百分点" if rule["measure"] == "difference" else "%完成率"
        floor = "，扣完为止" if rule["floor"] == 0 else f"，最低{rule['floor']:g}分"
        return f"目标完成 target {rule['target']:g}: 每低{rule['step']:g}{unit}扣{rule['deduct']:g}分{floor}"
    if k == "growth_vs_average":
        return f"增幅高于{'全省' if rule['average'] == 'province' else '全体'}平均 growth above average ({rule['measure']})"
    if k == "efficacy_coefficient":
        return (f"功效系数 {rule['base']:g}+{rule['span']:g}×(x−{rule['unacceptable']:g})/"
                f"({rule['satisfactory']:g}−{rule['unacceptable']:g})")
    return f"名次赋分 rank points: 第1名满分，每低1名扣{rule['step']:g}分"


def sheet_frame(result, pts: PointsResult, prog: dict[str, Any]):
    """The score sheet as a DataFrame (built from the arrays at once: [years, units, rows] flattened)."""
    import pandas as pd

    T, m = pts.total.shape[-2:]
    cols = list(result.plan.indicators)
    x = result.prepared.denominated
    items, bons, pens, vets = prog["items"], prog.get("bonuses", []), prog.get("penalties", []), prog.get("vetoes", [])
    codes = [e["code"] for e in items + bons + pens + vets] + ["total"]
    names = [e.get("name_zh") or e["code"] for e in items + bons + pens + vets] + ["总分"]
    kinds = ["indicator"] * len(items) + ["bonus"] * len(bons) + ["penalty"] * len(pens) + ["veto"] * len(vets) + ["total"]
    rules = [_rule_text(e["rule"]) for e in items] + [f"加分 每项≤{b['cap']:g}" for b in bons] + \
            [f"扣分 ≤{p['cap']:g}" for p in pens] + [f"一票否决 {'≥' if v.get('when', 'at_least') == 'at_least' else '≤'}"
                                                     f"{v['threshold']:g}" for v in vets] + [""]
    ind = [cols.index(e["indicator"]) for e in items + bons + pens + vets]
    value = np.concatenate([x[..., ind], np.full((T, m, 1), np.nan)], axis=-1)
    dec = int(prog.get("decimals", 2))
    vet = pts.vetoes.astype(float) * 0.0
    # the engine's points are already rounded to `decimals` and the total is their sum; the maxima and points lost
    # are rounded here the same way, so no column carries float noise (0.28000000000000114)
    points = np.concatenate([pts.items, pts.bonuses, np.where(pts.penalties > 0, -pts.penalties, 0.0), vet, pts.total[..., None]], axis=-1)
    item_max = np.broadcast_to(pts.item_max, (T, m, len(items)))
    total_max = round_points(pts.item_max.sum(-1) + pts.bonus_max.sum(), dec)
    maxp = np.concatenate([item_max, np.broadcast_to(round_points(pts.bonus_max, dec), (T, m, len(bons))),
                           np.zeros((T, m, len(pens) + len(vets))), np.broadcast_to(total_max, (T, m))[..., None]], axis=-1)
    full = np.broadcast_to(pts.full, (T, m, len(items)))
    lost = round_points(np.concatenate([np.maximum(full - pts.items, 0.0), np.zeros((T, m, len(bons))), pts.penalties,
                                        np.zeros((T, m, len(vets))), np.maximum(total_max - pts.total, 0.0)[..., None]],
                                       axis=-1), dec)
    vetoed = np.concatenate([np.zeros((T, m, len(items) + len(bons) + len(pens)), bool), pts.vetoes,
                             pts.vetoed[..., None]], axis=-1)
    k = len(codes)
    award_text = np.full((T, m), "", dtype=object)
    for code, mask in pts.awards.items():
        base, _, item = code.partition(":")
        label = AWARD_LABELS[base] + (f" {item}" if item else "")
        award_text = np.where(mask, np.where(award_text == "", label, award_text + "；" + label), award_text)
    is_total = np.zeros(k, bool)
    is_total[-1] = True

    def on_total(a):
        return np.where(is_total, a[..., None], np.nan)

    class_names = [*(prog.get("classes") or []), ""]
    cls, _ = unit_classes(result, prog)
    keep = ~np.isnan(pts.total)  # unit-years not scored (no value at all) have no sheet
    rep = keep[..., None].repeat(k, -1).reshape(-1)
    yy = np.repeat(np.asarray(result.years, dtype=object), m * k)
    uu = np.tile(np.repeat(np.asarray(result.units, dtype=object), k), T)
    df = pd.DataFrame({
        "unit_code": uu, "unit_name": np.tile(np.repeat(np.asarray(result.unit_names, dtype=object), k), T),
        "year": yy, "class": np.tile(np.repeat(np.asarray(class_names, dtype=object)[cls], k), T),
        "item": np.tile(codes, T * m), "item_zh": np.tile(names, T * m), "kind": np.tile(kinds, T * m),
        "rule": np.tile(rules, T * m), "value": value.reshape(-1), "points": points.reshape(-1),
        "max_points": maxp.reshape(-1), "points_lost": lost.reshape(-1), "vetoed": vetoed.reshape(-1),
        "rank": on_total(pts.rank).reshape(-1), "class_rank": on_total(pts.rank_class).reshape(-1),
        "award": np.where(is_total, award_text[..., None], "").reshape(-1),
    })[rep]
    for c in ("item", "kind", "class"):
        df[c] = df[c].astype("category")
    return df.reset_index(drop=True)


def stage_score_sheet(result, out: Path, fs, files: dict[str, Any], suffix: str) -> dict[str, Any] | None:
    """Stage `<out>.scoresheet.<suffix>` in the FileSet beside the results when the framework has a scoring section;
    record it in `files`; return the manifest's `scoring` entry (None for an index-only framework)."""
    from xianping.evaluation.export import write_table
    from xianping.files import sha256_file

    if getattr(result.framework, "scoring", None) is None:
        return None
    pts, entry = points_of(result)
    df = sheet_frame(result, pts, entry["programme"])
    path = score_sheet_path(out)
    tmp = fs.stage(path, lambda p: write_table(df, p, suffix))
    files["scoresheet"] = {"file": path.name, "sha256": sha256_file(tmp), "rows": len(df), "columns": list(df.columns)}
    return entry


TEXT_COLUMNS = ("unit_code", "unit_name", "class", "item", "item_zh", "kind", "rule", "award")


def read_score_sheet(results, manifest: dict[str, Any]):
    """The score sheet the results' manifest names (`files.scoresheet`, beside the results CSV), as written: text
    columns with excel_safe's apostrophe removed, unit codes and years as text. None when there is none (an index
    framework) or the file is gone."""
    import pandas as pd

    from xianping.report.excel_safe import csv_uncolumn

    entry = (manifest.get("files") or {}).get("scoresheet")
    if not entry:
        return None
    path = Path(results).with_name(entry["file"])
    if not path.is_file() or path.suffix.lower() != ".csv":
        return None
    df = pd.read_csv(path, dtype={**{c: str for c in TEXT_COLUMNS}, "year": str})
    for c in TEXT_COLUMNS:
        if c in df.columns:
            df[c] = csv_uncolumn(df[c].fillna(""))
    return df


def sheet_of(result):
    """The score sheet of an EvaluationResult (as `evaluate` would write it), or None for an index framework."""
    if getattr(result.framework, "scoring", None) is None:
        return None
    pts, entry = points_of(result)
    df = sheet_frame(result, pts, entry["programme"])
    for c in ("item", "kind", "class"):
        df[c] = df[c].astype(str)
    df["year"] = df["year"].astype(str)
    return df
