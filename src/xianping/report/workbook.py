"""The ranking workbook (openpyxl): one sheet per table, Chinese headers with units and English beside them,
frozen header rows, filters on, number formats (亿元 to 2 decimals, %, 名次 as whole numbers), tier colours.

Sheets: 排名 (latest year: rank, tier, type rank, change against the base year), 维度得分 (every dimension's
score and rank, every year), 指标值 (raw values in the indicator's unit and normalised values, imputed cells
shaded), 变化 (base year → latest), 目标 (indicators with a target), 数据质量 (carried forward, screened out,
warnings), 权重 (weights and effective weights), 清单 (the manifest: framework, data, every setting).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from xianping.report.data import ReportData, province_name

# tier 1 (第一方阵 / 第一档) … 5; 0 (outside the top N) stays white
TIER_FILLS = {1: "C6EFCE", 2: "DDEBF7", 3: "FFF2CC", 4: "FCE4D6", 5: "F8CBAD"}
IMPUTED_FILL = "EDEDED"
HEADER_FILL = "1F4E79"
FMT_SCORE = "0.00"
FMT_RANK = '0"名"'
FMT_CHANGE = '+0;-0;0'
FMT_SCORE_CHANGE = '+0.00;-0.00;0.00'
FMT_YI = '#,##0.00'
FMT_PERCENT_VALUE = '0.00"%"'   # values already in percent (45.3 means 45.3 %)
FMT_SHARE = '0.0%'               # fractions (0.453 shown as 45.3 %)


def value_format(unit: str) -> tuple[str, float, str]:
    """(number format, factor, unit shown) for an indicator unit: 亿元 and 万元 totals go to 亿元 with 2 decimals."""
    if unit == "亿元":
        return FMT_YI, 1.0, "亿元"
    if unit == "万元":
        return FMT_YI, 1e-4, "亿元"
    if unit == "元":
        return FMT_YI, 1e-8, "亿元"
    if unit == "%":
        return FMT_PERCENT_VALUE, 1.0, "%"
    if unit in ("人", "户", "个", "家"):
        return "#,##0", 1.0, unit
    return "0.00", 1.0, "" if unit in ("1", "-") else unit


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if np.isnan(x) else x


def _int(x) -> int | None:
    v = _num(x)
    return None if v is None else int(v)


class _Sheet:
    def __init__(self, wb, title: str, headers: list[tuple[str, str, str | None]], header_rows: int = 1):
        """headers: (中文 with unit, English, number format)."""
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws = wb.create_sheet(title)
        self.headers = headers
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        for j, (zh, en, _) in enumerate(headers, start=1):
            c = self.ws.cell(row=1, column=j, value=f"{zh}\n{en}" if en else zh)
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = fill
            c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            self.ws.column_dimensions[c.column_letter].width = max(10, min(28, 2 * len(zh) + 2, len(en) + 4) if en else 2 * len(zh) + 4)
        self.ws.row_dimensions[1].height = 36
        self.row = 1

    def add(self, values: list[Any], fill: str | None = None, cell_fills: dict[int, str] | None = None) -> None:
        from openpyxl.styles import PatternFill

        self.row += 1
        for j, v in enumerate(values, start=1):
            c = self.ws.cell(row=self.row, column=j, value=v)
            fmt = self.headers[j - 1][2]
            if fmt and isinstance(v, (int, float)):
                c.number_format = fmt
            colour = (cell_fills or {}).get(j - 1) or fill
            if colour:
                c.fill = PatternFill("solid", fgColor=colour)

    def finish(self, freeze_cols: int = 0) -> None:
        from openpyxl.utils import get_column_letter

        self.ws.freeze_panes = self.ws.cell(row=2, column=freeze_cols + 1)
        last = get_column_letter(len(self.headers))
        self.ws.auto_filter.ref = f"A1:{last}{max(self.row, 2)}"


def write_workbook(data: ReportData, out: str | Path, year=None) -> Path:
    """Write the ranking workbook for `year` (default: the latest) to `out` (.xlsx)."""
    from openpyxl import Workbook

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    year = str(year or data.latest)
    wb = Workbook()
    wb.remove(wb.active)
    _ranking(wb, data, year)
    _dimensions(wb, data)
    _indicators(wb, data)
    if data.base_year and data.base_year != year:
        _changes(wb, data, year)
    _targets(wb, data, year)
    _quality(wb, data)
    _weights(wb, data)
    _manifest(wb, data)
    wb.properties.title = f"{data.framework.get('name_zh', '')} {year}"
    wb.properties.creator = "xianping"
    wb.save(out)
    return out


def _ranking(wb, data: ReportData, year: str) -> None:
    t, k = data.t(year), data.k(data.root.code)
    base = data.base_year if data.base_year and data.base_year != year else None
    heads: list[tuple[str, str, str | None]] = [
        ("名次", "Rank", FMT_RANK), ("代码", "Code", None), ("县级单位", "County-level unit", None),
        ("省份", "Province", None)]
    if data.unit_types:
        heads.append(("类型", "Type", None))
    heads.append((f"{data.root.name_zh}得分（分）", "Score (0–100)", FMT_SCORE))
    if data.tiers_on:
        heads.append(("方阵/档次", "Tier", None))
    if data.type_rank is not None:
        heads.append(("类型内名次", "Rank within type", FMT_RANK))
    if base:
        heads += [(f"{base}年名次", f"Rank {base}", FMT_RANK), ("进位（+）/退位（−）", "Places gained", FMT_CHANGE),
                  ("得分变化（分）", f"Score change since {base}", FMT_SCORE_CHANGE)]
    if data.rank_intervals is not None:
        heads += [("名次区间下限", "Rank interval low", FMT_RANK), ("名次区间上限", "Rank interval high", FMT_RANK)]
    s = _Sheet(wb, "排名", heads)
    rc, sc = data.rank_change(year), data.score_change(year)
    for i in data.ranked(year):
        row: list[Any] = [_int(data.rank[t, i, k]), data.units[i], data.unit_names[i], province_name(data.province(i))]
        if data.unit_types:
            row.append(data.unit_types[i])
        row.append(_num(data.score[t, i, k]))
        tier_col = None
        if data.tiers_on:
            tier_col = len(row)
            row.append(data.tier_label(int(data.tier[t, i])))
        if data.type_rank is not None:
            row.append(_int(data.type_rank[t, i, k]))
        if base:
            row += [_int(data.rank[data.t(base), i, k]), _int(rc[i]), _num(sc[i])]
        if data.rank_intervals is not None:
            row += [_int(data.rank_intervals["lo"][t, i]), _int(data.rank_intervals["hi"][t, i])]
        fill = TIER_FILLS.get(int(data.tier[t, i])) if data.tiers_on else None
        s.add(row, fill=fill)
        if tier_col is not None and fill is None:
            pass
    s.finish(freeze_cols=3)
    # a legend under the filters' reach would break them: put it beside the table
    col = len(heads) + 2
    s.ws.cell(row=1, column=col, value="图例 Legend")
    if data.tiers_on:
        from openpyxl.styles import PatternFill

        tiers = sorted({int(x) for x in data.tier[t] if x > 0})
        for n, tv in enumerate(tiers, start=2):
            c = s.ws.cell(row=n, column=col, value=data.tier_label(tv) or f"tier {tv}")
            c.fill = PatternFill("solid", fgColor=TIER_FILLS.get(tv, "FFFFFF"))


def _dimensions(wb, data: ReportData) -> None:
    nodes = [n for n in data.nodes if not n.leaf]
    nodes = [nodes[-1]] + nodes[:-1]
    heads: list[tuple[str, str, str | None]] = [("年份", "Year", None), ("代码", "Code", None), ("县级单位", "County-level unit", None)]
    for n in nodes:
        heads += [(f"{n.name_zh}（分）", f"{n.name_en} score", FMT_SCORE), (f"{n.name_zh}名次", f"{n.name_en} rank", FMT_RANK)]
    s = _Sheet(wb, "维度得分", heads)
    for y in reversed(data.years):
        t = data.t(y)
        for i in data.ranked(y):
            row: list[Any] = [y, data.units[i], data.unit_names[i]]
            for n in nodes:
                k = data.k(n.code)
                row += [_num(data.score[t, i, k]), _int(data.rank[t, i, k])]
            s.add(row)
    s.finish(freeze_cols=3)


def _indicators(wb, data: ReportData) -> None:
    leaves = data.leaves
    heads: list[tuple[str, str, str | None]] = [("年份", "Year", None), ("代码", "Code", None), ("县级单位", "County-level unit", None)]
    fmts = []
    for n in leaves:
        fmt, factor, unit = value_format(n.unit)
        fmts.append(factor)
        heads.append((f"{n.name_zh}（{unit}）" if unit else n.name_zh, n.name_en, fmt))
    for n in leaves:
        heads.append((f"{n.name_zh}·标准化值（分）", f"{n.name_en}, normalised", FMT_SCORE))
    s = _Sheet(wb, "指标值", heads)
    for y in reversed(data.years):
        t = data.t(y)
        for i in data.ranked(y):
            row: list[Any] = [y, data.units[i], data.unit_names[i]]
            fills = {}
            for j, n in enumerate(leaves):
                v = None if data.raw is None else _num(data.raw[t, i, j])
                row.append(None if v is None else v * fmts[j])
                if data.imputed is not None and data.imputed[t, i, j]:
                    fills[3 + j] = IMPUTED_FILL
            row += [_num(data.score[t, i, data.k(n.code)]) for n in leaves]
            s.add(row, cell_fills=fills)
    s.finish(freeze_cols=3)
    note_col = len(heads) + 2
    s.ws.cell(row=1, column=note_col, value="说明 Notes")
    s.ws.cell(row=2, column=note_col, value="灰色：插补或沿用相邻年份 Grey: imputed / carried forward").fill = \
        __import__("openpyxl").styles.PatternFill("solid", fgColor=IMPUTED_FILL)
    if data.raw is None:
        s.ws.cell(row=3, column=note_col, value=f"【缺数据：原始值】{data.raw_note}")


def _changes(wb, data: ReportData, year: str) -> None:
    base = data.base_year
    heads = [("代码", "Code", None), ("县级单位", "County-level unit", None), (f"{base}年得分（分）", f"Score {base}", FMT_SCORE),
             (f"{year}年得分（分）", f"Score {year}", FMT_SCORE), ("得分变化（分）", "Score change", FMT_SCORE_CHANGE),
             (f"{base}年名次", f"Rank {base}", FMT_RANK), (f"{year}年名次", f"Rank {year}", FMT_RANK),
             ("进位（+）/退位（−）", "Places gained", FMT_CHANGE)]
    for d in data.dimensions:
        heads.append((f"{d.name_zh}得分变化（分）", f"{d.name_en} change", FMT_SCORE_CHANGE))
    s = _Sheet(wb, "变化", heads)
    k, tb, t = data.k(data.root.code), data.t(base), data.t(year)
    rc, sc = data.rank_change(year), data.score_change(year)
    for i in data.ranked(year):
        row = [data.units[i], data.unit_names[i], _num(data.score[tb, i, k]), _num(data.score[t, i, k]), _num(sc[i]),
               _int(data.rank[tb, i, k]), _int(data.rank[t, i, k]), _int(rc[i])]
        row += [_num(data.score_change(year, d.code)[i]) for d in data.dimensions]
        s.add(row)
    s.finish(freeze_cols=2)


def _targets(wb, data: ReportData, year: str) -> None:
    heads = [("指标", "Indicator", None), ("单位", "Unit", None), ("方向", "Direction", None), ("目标值", "Target", "0.00"),
             ("县均", "Mean of units", "0.00"), ("达标单位数", "Units meeting it", "0"), ("参评单位数", "Units with data", "0"),
             ("达标率", "Share meeting it", FMT_SHARE)]
    s = _Sheet(wb, "目标", heads)
    t = data.t(year)
    any_target = False
    for j, n in enumerate(data.leaves):
        if n.target is None:
            continue
        any_target = True
        if data.raw is None:
            s.add([n.name_zh, n.unit, n.direction, n.target, "【缺数据】", None, None, None])
            continue
        v = data.raw[t, ~np.isnan(data.rank[t, :, -1]), j]
        v = v[~np.isnan(v)]
        meets = v <= n.target if n.direction == "negative" else v >= n.target
        s.add([n.name_zh, n.unit, n.direction, n.target, _num(v.mean()) if len(v) else None, int(meets.sum()), len(v),
               float(meets.mean()) if len(v) else None])
    if not any_target:
        s.add(["本指标体系未设定目标值 No indicator of this framework has a target", "", "", None, None, None, None, None])
    s.finish()


def _quality(wb, data: ReportData) -> None:
    heads = [("类别", "Flag", None), ("说明", "Kind", None), ("代码", "Code", None), ("县级单位", "Unit", None), ("年份", "Year", None),
             ("指标", "Indicator", None), ("详情", "Detail", None)]
    s = _Sheet(wb, "数据质量", heads)
    for r in data.quality_rows():
        s.add([r["zh"], r["kind"], r.get("unit_code", ""), r.get("unit_name", ""), r.get("year", ""), r.get("indicator", ""), r.get("detail", "")])
    if data.imputed is not None:
        names = [n.name_zh for n in data.leaves]
        for t, i, j in zip(*np.where(data.imputed)):
            if not np.isnan(data.rank[t, i, -1]):
                s.add(["插补或沿用", "imputed", data.units[i], data.unit_names[i], data.years[t], names[j], "value filled by the engine"])
    if data.raw is not None:
        names = [n.name_zh for n in data.leaves]
        imp = data.imputed if data.imputed is not None else np.zeros(data.raw.shape, bool)
        for t, j in zip(*np.where(np.isnan(data.raw).all(axis=1))):
            s.add(["整年缺失", "missing_indicator_year", "", "", data.years[t], names[j], "no unit has a value this year"])
        whole = np.isnan(data.raw).all(axis=1, keepdims=True)
        for t, i, j in zip(*np.where(np.isnan(data.raw) & ~imp & ~whole)):
            if not np.isnan(data.rank[t, i, -1]):
                s.add(["缺失值", "missing_value", data.units[i], data.unit_names[i], data.years[t], names[j],
                       "no value; the unit was scored on its other indicators"])
    if data.raw_note:
        s.add(["原始值", "raw_values", "", "", "", "", data.raw_note])
    s.finish()


def _weights(wb, data: ReportData) -> None:
    heads = [("上级节点", "Node", None), ("下级节点", "Child", None), ("名称", "Name", None), ("年份", "Year", None),
             ("权重", "Weight within node", "0.0000"), ("有效权重", "Effective weight in the index", "0.0000")]
    s = _Sheet(wb, "权重", heads)
    names = {n.code: n.name_zh for n in data.nodes}
    for w in data.weights:
        s.add([w["node"], w["child"], names.get(w["child"], ""), w["year"], _num(w["weight"]), _num(w["effective_weight"])])
    s.finish()


def _flatten(prefix: str, v: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(v, dict):
        for k, x in v.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), x, out)
    elif isinstance(v, list) and len(v) > 20:
        out.append((prefix, f"[{len(v)} items] " + json.dumps(v[:5], ensure_ascii=False)[:400] + " …"))
    else:
        out.append((prefix, v if isinstance(v, (int, float, str)) or v is None else json.dumps(v, ensure_ascii=False)[:30000]))


def _manifest(wb, data: ReportData) -> None:
    s = _Sheet(wb, "清单", [("键", "Key", None), ("值", "Value", None)])
    m = {k: v for k, v in data.manifest.items() if k != "framework"}
    fw = {k: v for k, v in data.manifest.get("framework", {}).items() if k != "content"}
    rows: list[tuple[str, str]] = []
    _flatten("framework", fw, rows)
    _flatten("", m, rows)
    _flatten("report.source", data.source, rows)
    for k, v in rows:
        s.add([k, v])
    s.ws.column_dimensions["A"].width = 48
    s.ws.column_dimensions["B"].width = 100
    s.finish()
