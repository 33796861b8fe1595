"""The ranking workbook (openpyxl): one sheet per table, Chinese headers with units and English beside them,
frozen header rows, filters on, number formats (亿元 to 2 decimals, %, 名次 as whole numbers), tier colours.

Sheets: 排名 (latest year: rank, tier, type rank, change against the base year), 维度得分 (every dimension's
score and rank, every year), 指标值 (raw values in the indicator's unit and normalised values, imputed cells
shaded), 变化 (base year → latest), 目标 (indicators with a target), 数据质量 (carried forward, screened out,
warnings), 权重 (weights and effective weights), 清单 (the manifest: framework, data, every setting).
"""

from __future__ import annotations

import json
import unicodedata
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import numpy as np

from xianping.report.data import ReportData, province_name
from xianping.report.excel_safe import FORMULA_START

# tier 1 (第一方阵 / 第一档) … 5; 0 (outside the top N) stays white
TIER_FILLS = {1: "C6EFCE", 2: "DDEBF7", 3: "FFF2CC", 4: "FCE4D6", 5: "F8CBAD"}
IMPUTED_FILL = "EDEDED"
HEADER_FILL = "1F4E79"
FMT_SCORE = "0.00"
FMT_RANK = '0"名"'
FMT_COUNT = '0"个"'
FMT_CHANGE = '+0;-0;0'
FMT_SCORE_CHANGE = '+0.00;-0.00;0.00'
FMT_YI = '#,##0.00'
FMT_PERCENT_VALUE = '0.00"%"'   # values already in percent (45.3 means 45.3 %)
FMT_SHARE = '0.0%'               # fractions (0.453 shown as 45.3 %)
FMT_YEAR = "0"                   # a year is a number, shown without a thousands separator
MAX_WIDTH = 60                   # columns are sized to their longest text, up to this many characters
DIRECTION_ZH = {"positive": "正向", "negative": "逆向", "moderate": "适度", "interval": "区间"}


def display_width(text: str) -> int:
    """Width of `text` in Excel character units: East-Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def year_value(y) -> int | str | None:
    """A year as a number (2023), so it sorts and filters as one; anything else unchanged."""
    if y is None or y == "":
        return None
    ys = str(y)
    return int(ys) if ys.isascii() and ys.isdigit() else ys


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
    """One table of a write-only workbook. Rows are kept until `finish`, which knows the column widths (the
    longest text of each column) that a streamed sheet must declare before its first row; openpyxl's write-only
    mode then writes cells straight to the file instead of holding a cell object for each (about half the time)."""

    def __init__(self, wb, title: str, headers: list[tuple[str, str, str | None]], header_rows: int = 1):
        """headers: (中文 with unit, English, number format)."""
        self.ws = wb.create_sheet(title)
        self.headers = headers
        # the header wraps at its line break, so each line must fit on its own
        self.widths = [max(8, display_width(zh), display_width(en or "")) for zh, en, _ in headers]
        self.rows: list[tuple[list[Any], str | None, dict[int, str] | None]] = []
        self.beside: dict[tuple[int, int], tuple[Any, str | None]] = {}   # (row, column) → (value, fill), 1-based
        self.row = 1

    def add(self, values: list[Any], fill: str | None = None, cell_fills: dict[int, str] | None = None) -> None:
        self.row += 1
        widths = self.widths
        for j, v in enumerate(values):
            if isinstance(v, str):
                w = display_width(v)
            elif isinstance(v, float):
                w = len(f"{v:,.2f}")
            else:
                w = len(str(v)) if v is not None else 0
            if w > widths[j]:
                widths[j] = w
        self.rows.append((values, fill, cell_fills))

    def side(self, row: int, column: int, value: Any, fill: str | None = None) -> None:
        """A cell beside the table (a legend, a note), outside the filter's reach; its column is sized to it."""
        self.beside[(row, column)] = (value, fill)

    def finish(self, freeze_cols: int = 0) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        from xianping.report.excel_safe import guard

        ws = self.ws
        ncol = len(self.headers)
        side_cols = sorted({c for _, c in self.beside})
        for j, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, w + 2)
        for c in side_cols:
            w = max(display_width(str(v)) for (r, cc), (v, _) in self.beside.items() if cc == c)
            ws.column_dimensions[get_column_letter(c)].width = min(MAX_WIDTH, max(10, w + 2))
        ws.freeze_panes = f"{get_column_letter(freeze_cols + 1)}2"
        ws.auto_filter.ref = f"A1:{get_column_letter(ncol)}{max(self.row, 2)}"
        ws.row_dimensions[1].height = 36

        fills: dict[str, PatternFill] = {}

        def fill_of(colour: str) -> PatternFill:
            if colour not in fills:
                fills[colour] = PatternFill("solid", fgColor=colour)
            return fills[colour]

        def side_cells(r: int, width: int) -> list[Any]:
            out: list[Any] = []
            for c in side_cols:
                if (r, c) in self.beside:
                    v, colour = self.beside[(r, c)]
                    out += [None] * (c - 1 - width - len(out))
                    cell = guard(WriteOnlyCell(ws, value=v))
                    if colour:
                        cell.fill = fill_of(colour)
                    out.append(cell)
            return out

        head_font, head_fill = Font(bold=True, color="FFFFFF"), fill_of(HEADER_FILL)
        head_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
        header = []
        for zh, en, _ in self.headers:
            c = guard(WriteOnlyCell(ws, value=f"{zh}\n{en}" if en else zh))
            c.font, c.fill, c.alignment = head_font, head_fill, head_align
            header.append(c)
        ws.append(header + side_cells(1, ncol))
        fmts = [h[2] for h in self.headers]
        last = max([r for r, _ in self.beside] + [self.row])
        for r in range(2, last + 1):
            cells: list[Any] = []
            if r - 2 < len(self.rows):
                values, fill, cell_fills = self.rows[r - 2]
                for j, v in enumerate(values):
                    colour = (cell_fills or {}).get(j) or fill
                    fmt = fmts[j] if isinstance(v, (int, float)) else None
                    if fmt is None and colour is None and not (isinstance(v, str) and v[:1] in FORMULA_START):
                        cells.append(v)
                        continue
                    c = guard(WriteOnlyCell(ws, value=v))
                    if fmt:
                        c.number_format = fmt
                    if colour:
                        c.fill = fill_of(colour)
                    cells.append(c)
            else:
                cells = [None] * ncol
            ws.append(cells + side_cells(r, ncol))
        self.rows = []


def write_workbook(data: ReportData, out: str | Path, year=None) -> Path:
    """Write the ranking workbook for `year` (default: the latest) to `out` (.xlsx)."""
    from openpyxl import Workbook

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    year = str(year or data.latest)
    wb = Workbook(write_only=True)
    _ranking(wb, data, year)
    _dimensions(wb, data)
    _indicators(wb, data)
    if data.base_year and data.base_year != year:
        _changes(wb, data, year)
    _targets(wb, data, year)
    _quality(wb, data)
    _weights(wb, data)
    _score_sheet(wb, data, year)
    _manifest(wb, data)
    wb.properties.title = f"{data.framework.get('name_zh', '')} {year}"
    wb.properties.creator = "xianping"
    from xianping.files import replace_when_done

    with replace_when_done(out) as tmp:  # a reader never finds half a workbook
        wb.save(tmp)
    return out


def _ranking(wb, data: ReportData, year: str) -> None:
    t, k = data.t(year), data.k(data.root.code)
    base = data.base_year if data.base_year and data.base_year != year else None
    sc_ = data.scope
    level_en = {"province": "within the province", "prefecture": "within the prefecture"}.get(sc_.get("within_level"), "national")
    heads: list[tuple[str, str, str | None]] = [
        (f"名次（{data.rank_label}）", f"Rank ({level_en})", FMT_RANK), ("代码", "Code", None),
        ("县级单位", "County-level unit", None), ("省份", "Province", None)]
    if data.unit_types:
        heads.append(("类型", "Type", None))
    # ranks within the unit's province, prefecture and kind (report.data.rank_rows, the same as the Word report's)
    heads += [("省内名次", "Rank in province", FMT_RANK), ("省内参与排名数", "Ranked in province", FMT_COUNT),
              ("地级市", "Prefecture", None), ("市内名次", "Rank in prefecture", FMT_RANK),
              ("市内参与排名数", "Ranked in prefecture", FMT_COUNT), ("单位类别", "Kind", None),
              ("同类名次", "Rank in kind", FMT_RANK), ("同类参与排名数", "Ranked in kind", FMT_COUNT)]
    heads.append((f"{data.root.name_zh}得分（分）", "Score (0–100)", FMT_SCORE))
    if data.tiers_on:
        heads.append(("方阵/档次", "Tier", None))
    if data.type_rank is not None:
        heads += [("类型内名次", "Rank within type", FMT_RANK), ("类型内参与排名数", "Ranked within type", FMT_COUNT)]
    if base:
        heads += [(f"{base}年名次", f"Rank {base}", FMT_RANK), ("进位（+）/退位（−）", "Places gained", FMT_CHANGE),
                  ("得分变化（分）", f"Score change since {base}", FMT_SCORE_CHANGE)]
    if data.rank_intervals is not None:
        heads += [("名次区间下限", "Rank interval low", FMT_RANK), ("名次区间上限", "Rank interval high", FMT_RANK)]
    s = _Sheet(wb, "排名", heads)
    rc, sc = data.rank_change(year), data.score_change(year)
    groups = data.rank_rows(year)
    for i in data.ranked(year):
        g = groups[i]
        row: list[Any] = [_int(data.rank[t, i, k]), data.units[i], data.unit_names[i], province_name(data.province(i))]
        if data.unit_types:
            row.append(data.unit_types[i])
        row += [g["rank_province"], g["ranked_province"], g["prefecture_name"], g["rank_prefecture"],
                g["ranked_prefecture"], g["kind"], g["rank_kind"], g["ranked_kind"]]
        row.append(_num(data.score[t, i, k]))
        tier_col = None
        if data.tiers_on:
            tier_col = len(row)
            row.append(data.tier_label(int(data.tier[t, i])))
        if data.type_rank is not None:
            row += [_int(data.type_rank[t, i, k]), g.get("ranked_type")]
        if base:
            row += [_int(data.rank[data.t(base), i, k]), _int(rc[i]), _num(sc[i])]
        if data.rank_intervals is not None:
            row += [_int(data.rank_intervals["lo"][t, i]), _int(data.rank_intervals["hi"][t, i])]
        fill = TIER_FILLS.get(int(data.tier[t, i])) if data.tiers_on else None
        s.add(row, fill=fill)
    # a legend under the filters' reach would break them: put it beside the table
    col = len(heads) + 2
    s.side(1, col, "图例 Legend")
    n = 1
    if data.tiers_on:
        tiers = sorted({int(x) for x in data.tier[t] if x > 0})
        for n, tv in enumerate(tiers, start=2):
            s.side(n, col, data.tier_label(tv) or f"第{tv}档", TIER_FILLS.get(tv, "FFFFFF"))
    # the scope the ranks were made in (评价范围): its label, the rank label and the units in and out
    s.side(n + 2, col, f"评价范围 Scope：{sc_.get('label', '')}（{data.rank_label}）")
    s.side(n + 3, col, f"范围内 {sc_.get('units_in', len(data.units))} 个，参与排名 {len(data.ranked(year))} 个，"
                       f"范围外未参评 {sc_.get('units_out', 0)} 个")
    s.finish(freeze_cols=3)


def _dimensions(wb, data: ReportData) -> None:
    nodes = [n for n in data.nodes if not n.leaf]
    nodes = [nodes[-1]] + nodes[:-1]
    heads: list[tuple[str, str, str | None]] = [("年份", "Year", FMT_YEAR), ("代码", "Code", None), ("县级单位", "County-level unit", None)]
    for n in nodes:
        heads += [(f"{n.name_zh}（分）", f"{n.name_en} score", FMT_SCORE), (f"{n.name_zh}名次", f"{n.name_en} rank", FMT_RANK)]
    s = _Sheet(wb, "维度得分", heads)
    for y in reversed(data.years):
        t = data.t(y)
        for i in data.ranked(y):
            row: list[Any] = [year_value(y), data.units[i], data.unit_names[i]]
            for n in nodes:
                k = data.k(n.code)
                row += [_num(data.score[t, i, k]), _int(data.rank[t, i, k])]
            s.add(row)
    s.finish(freeze_cols=3)


def _indicators(wb, data: ReportData) -> None:
    leaves = data.leaves
    heads: list[tuple[str, str, str | None]] = [("年份", "Year", FMT_YEAR), ("代码", "Code", None), ("县级单位", "County-level unit", None)]
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
            row: list[Any] = [year_value(y), data.units[i], data.unit_names[i]]
            fills = {}
            for j, n in enumerate(leaves):
                v = None if data.raw is None else _num(data.raw[t, i, j])
                row.append(None if v is None else v * fmts[j])
                if data.imputed is not None and data.imputed[t, i, j]:
                    fills[3 + j] = IMPUTED_FILL
            row += [_num(data.score[t, i, data.k(n.code)]) for n in leaves]
            s.add(row, cell_fills=fills)
    note_col = len(heads) + 2
    s.side(1, note_col, "说明 Notes")
    s.side(2, note_col, "灰色：插补或沿用相邻年份", IMPUTED_FILL)
    if data.raw is None:
        s.side(3, note_col, "原始指标值未能读取，本表仅列标准化值")
    s.finish(freeze_cols=3)


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
            s.add([n.name_zh, n.unit, DIRECTION_ZH.get(n.direction, n.direction), n.target, None, None, None, None])
            continue
        v = data.raw[t, ~np.isnan(data.rank[t, :, -1]), j]
        v = v[~np.isnan(v)]
        meets = v <= n.target if n.direction == "negative" else v >= n.target
        s.add([n.name_zh, n.unit, DIRECTION_ZH.get(n.direction, n.direction), n.target, _num(v.mean()) if len(v) else None,
               int(meets.sum()), len(v),
               float(meets.mean()) if len(v) else None])
    if not any_target:
        s.add(["本指标体系未设定目标值", "", "", None, None, None, None, None])
    s.finish()


def _indicator_names(data: ReportData) -> dict[str, str]:
    """Indicator code and node code → 中文名, so no sheet shows a bare code where a name belongs."""
    out = {n.indicator: n.name_zh for n in data.leaves if n.indicator}
    out.update({n.code: n.name_zh for n in data.nodes})
    return out


def _quality(wb, data: ReportData) -> None:
    # the engine's own messages (manifest problems) are kept as written, in a column of their own
    heads = [("类别", "Flag", None), ("类别代码", "Code", None), ("区划代码", "Unit code", None), ("县级单位", "Unit", None),
             ("年份", "Year", FMT_YEAR), ("指标", "Indicator", None), ("详情", "Detail", None), ("原文", "Original message", None)]
    s = _Sheet(wb, "数据质量", heads)
    ind = _indicator_names(data)
    for r in data.quality_rows():
        code = r.get("indicator", "") or ""
        zh = r.get("detail_zh")
        s.add([r["zh"], r["kind"], r.get("unit_code", ""), r.get("unit_name", ""), year_value(r.get("year", "")),
               ind.get(code, code), zh if zh is not None else "见原文", None if zh is not None else r.get("detail", "")])
    if data.imputed is not None:
        names = [n.name_zh for n in data.leaves]
        for t, i, j in zip(*np.where(data.imputed)):
            if not np.isnan(data.rank[t, i, -1]):
                s.add(["插补或沿用", "imputed", data.units[i], data.unit_names[i], year_value(data.years[t]), names[j],
                       "该值由插补或沿用相邻年份得到", None])
    if data.raw is not None:
        names = [n.name_zh for n in data.leaves]
        imp = data.imputed if data.imputed is not None else np.zeros(data.raw.shape, bool)
        for t, j in zip(*np.where(np.isnan(data.raw).all(axis=1))):
            s.add(["整年缺失", "missing_indicator_year", "", "", year_value(data.years[t]), names[j], "当年所有单位均无此指标数据", None])
        whole = np.isnan(data.raw).all(axis=1, keepdims=True)
        for t, i, j in zip(*np.where(np.isnan(data.raw) & ~imp & ~whole)):
            if not np.isnan(data.rank[t, i, -1]):
                s.add(["缺失值", "missing_value", data.units[i], data.unit_names[i], year_value(data.years[t]), names[j],
                       "无数据，按其余指标评分", None])
    if data.raw_note:
        s.add(["原始值", "raw_values", "", "", None, "", "原始指标值未能读取", data.raw_note])
    s.finish()


def _weights(wb, data: ReportData) -> None:
    heads = [("上级节点代码", "Node code", None), ("上级节点", "Node", None), ("下级节点代码", "Child code", None),
             ("下级节点", "Child", None), ("年份", "Year", FMT_YEAR),
             ("权重", "Weight within node", "0.0000"), ("有效权重", "Effective weight in the index", "0.0000")]
    s = _Sheet(wb, "权重", heads)
    names = {n.code: n.name_zh for n in data.nodes}
    for w in data.weights:
        s.add([w["node"], names.get(w["node"], ""), w["child"], names.get(w["child"], ""), year_value(w["year"]),
               _num(w["weight"]), _num(w["effective_weight"])])
    s.finish()


def _score_sheet(wb, data: ReportData, year: str) -> None:
    """考核得分表 of a points-based framework (evaluation/score_sheet), the year's rows, when the results CSV has one
    beside it (named in its manifest)."""
    if data.source.get("kind") != "csv":
        return
    from xianping.evaluation.score_sheet import read_score_sheet

    df = read_score_sheet(data.source["results"], data.manifest)   # the one reader: text as written, codes as text
    if df is None:
        return
    df = df[df["year"] == year]
    heads = [("代码", "Code", None), ("名称", "Name", None), ("年份", "Year", FMT_YEAR), ("类别", "Class", None),
             ("项目代码", "Item", None), ("项目", "Item name", None), ("类型", "Kind", None), ("规则", "Rule", None),
             ("指标值", "Value", "0.00"), ("得分", "Points", FMT_SCORE), ("满分", "Max points", FMT_SCORE),
             ("失分", "Points lost", FMT_SCORE), ("一票否决", "Vetoed", None), ("名次", "Rank", FMT_RANK),
             ("类内名次", "Class rank", FMT_RANK), ("奖项", "Award", None)]
    s = _Sheet(wb, "考核得分表", heads)
    kinds = {"indicator": "指标", "bonus": "加分", "penalty": "扣分", "veto": "一票否决", "total": "总分"}
    text = {c: df[c].tolist() for c in ("unit_code", "unit_name", "class", "item", "item_zh", "rule", "award")}
    for i, r in enumerate(df[["kind", "value", "points", "max_points", "points_lost", "vetoed", "rank", "class_rank"]].itertuples(index=False)):
        s.add([text["unit_code"][i], text["unit_name"][i], year_value(year), text["class"][i], text["item"][i], text["item_zh"][i],
               kinds.get(r.kind, r.kind), text["rule"][i], _num(r.value), _num(r.points), _num(r.max_points),
               _num(r.points_lost), "是" if r.vetoed is True or str(r.vetoed) == "True" else "", _int(r.rank),
               _int(r.class_rank), text["award"][i]])
    s.finish()


def _flatten(prefix: str, v: Any, out: list[tuple[str, Any]]) -> None:
    if isinstance(v, dict):
        for k, x in v.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), x, out)
    elif isinstance(v, list) and len(v) > 20:
        out.append((prefix, f"[{len(v)} items] " + json.dumps(v[:5], ensure_ascii=False)[:400] + " …"))
    else:
        out.append((prefix, v if isinstance(v, (int, float, str)) or v is None else json.dumps(v, ensure_ascii=False)[:30000]))


# 清单: the manifest's keys are codes (kept, in the 代码 column); each gets a Chinese label, the most specific
# pattern first, and enumerated values get their Chinese name beside the value as written
KEY_ZH: list[tuple[str, str]] = [
    ("xianping_version", "软件版本"), ("created", "生成时间"), ("years", "评价年份"), ("units", "县级单位数"),
    ("indicators", "指标"), ("by_type", "分类评价"), ("problems", "提示与问题"), ("warnings", "警告"),
    ("*scope.units", "参评单位范围"), ("*scope.include_districts", "计入的市辖区"), ("*scope.within*", "排名范围"),
    ("*scope.units_in", "范围内单位数"), ("*scope.units_out", "范围外单位数"), ("*scope.kinds_in*", "范围内各类单位数"),
    ("*scope.rank_label", "排名范围名称"), ("*scope.label", "范围名称"), ("*scope.rule", "范围规则"), ("*scope*", "评价范围"),
    ("files.*.sha256", "结果文件校验值（SHA-256）"), ("files.*", "结果文件"),
    ("data.kind", "数据来源类型"), ("data.path", "数据文件"), ("data.sha256", "数据文件校验值（SHA-256）"), ("data.*", "数据"),
    ("types.*", "县域类型划分"),
    ("*normalisation.method", "标准化方法"), ("*normalise.method", "标准化方法"), ("*shift*", "平移"),
    ("*panel", "面板处理"), ("*base_year", "基期"), ("*anchors_note", "标准化极值说明"), ("*anchors*", "标准化极值"),
    ("*directions.*", "指标方向"), ("*normalise.scale", "得分满分"),
    ("*missing_years*", "缺失年份处理"), ("*impute*", "缺失值插补"), ("*screen*", "数据充足性筛选"), ("*treat*", "异常值处理"),
    ("*tiers.method", "分档方法"), ("*tiers.*", "分档设置"), ("*ties", "并列名次规则"), ("*missing", "缺失指标处理"),
    ("*aggregation_missing", "缺失指标处理"), ("steps.nodes.*.weights.*", "赋权方法"),
    ("steps.nodes.*.aggregation.*", "合成方法"), ("steps.nodes.*.children", "下级节点"), ("steps.order", "计算步骤顺序"),
    ("steps.weights_panel", "数据驱动赋权的样本"), ("*strict", "严格模式"), ("*types_from", "县域类型来源"),
    ("framework.hash", "指标体系校验值"), ("framework.*", "指标体系"), ("settings.*", "评价设置"), ("steps.*", "计算步骤"),
    ("report.source.*", "报告数据来源"),
    ("*", "其他"),   # a key added to the manifest later still gets a Chinese label
]
VALUE_ZH = {"pooled": "面板标准化（各年共用极值）", "per_year": "逐年标准化", "frozen": "基期锚定", "carry_forward": "沿用相邻年份",
            "renormalise": "按其余指标重新归一权重", "min": "并列取最小名次", "quantile": "分位数分档", "top_n": "前N名方阵",
            "none": "无", "True": "是", "False": "否", "gazetteer_kind": "行政区划类别（区划库）", "csv": "CSV 文件"}


def _key_zh(key: str) -> str:
    return next((zh for pat, zh in KEY_ZH if fnmatchcase(key, pat)), "")


def _value_zh(key: str, v: Any) -> str:
    from xianping.report.narrative import AGGREGATION_ZH, NORMALISE_ZH, WEIGHTS_ZH

    if isinstance(v, bool):
        return VALUE_ZH[str(v)]
    if fnmatchcase(key, "*directions.*") and v in (1, -1):
        return "正向" if v == 1 else "逆向"
    if not isinstance(v, str):
        return ""
    if fnmatchcase(key, "*normalis*.method"):
        return NORMALISE_ZH.get(v, "")
    if fnmatchcase(key, "*weights.method"):
        return WEIGHTS_ZH.get(v, "")
    if fnmatchcase(key, "*aggregation.method"):
        return AGGREGATION_ZH.get(v, "")
    return VALUE_ZH.get(v, "")


def _manifest(wb, data: ReportData) -> None:
    s = _Sheet(wb, "清单", [("代码", "Key", None), ("项目", "Item", None), ("值", "Value", None), ("中文说明", "In Chinese", None)])
    m = {k: v for k, v in data.manifest.items() if k != "framework"}
    fw = {k: v for k, v in data.manifest.get("framework", {}).items() if k != "content"}
    rows: list[tuple[str, Any]] = []
    _flatten("framework", fw, rows)
    _flatten("", m, rows)
    _flatten("report.source", data.source, rows)
    for k, v in rows:
        s.add([k, _key_zh(k), v, _value_zh(k, v)])
    s.finish()
