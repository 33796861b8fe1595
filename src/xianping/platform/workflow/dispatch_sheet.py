"""Read a dispatch sheet (项目库 or 月调度表) as provinces keep them: titles above the header, headers spelled many ways
("项目名称", "总投资（亿元）", "建设性质"), money in 万元 or 亿元. The cells are read by the ingest layer's read_table
(its limits and located errors); headers are matched as the import layer matches them (ingest.detect_layout.norm,
the unit bracket split by reference.measure_units.split_header and converted to 万元); every cell problem is
located (file, row, column, value, expected) and all are reported at once.

    sheet = read_sheet(path, PROJECT_FIELDS, required={"project_id", "name", "total_investment"}, file_name="项目库.xlsx")
    for row, cells in sheet.rows: …                  # cells: field → raw value, money already in 万元
    x = number(cells, "total_investment", row, sheet, report)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xianping.ingest.detect_layout import header_text, norm
from xianping.platform.workflow.incoming import incoming_copy
from xianping.problems import ProblemReport, XianpingInputError
from xianping.reference.measure_units import conversion_factor, split_header

MONEY = "万元"
MAX_SHEET_BYTES = 20 * 2**20     # a province's project bank is a few thousand rows: a few MB at most


@dataclass(frozen=True)
class Field:
    name: str          # the column's role (frames contract name)
    label: str         # how errors name it: Chinese with English beside
    spellings: tuple[str, ...]
    money: bool = False


def _f(name: str, label: str, *spellings: str, money: bool = False) -> Field:
    return Field(name, label, tuple(norm(s) for s in spellings), money)


PROJECT_FIELDS = [
    _f("project_id", "项目编号 project code", "项目编号", "项目代码", "项目编码", "统一项目代码", "项目id", "project code", "code"),
    _f("name", "项目名称 project name", "项目名称", "名称", "project name", "name"),
    _f("unit_code", "区划代码 county code", "区划代码", "县区划代码", "行政区划代码", "所在县代码", "county code"),
    _f("county_name", "所在县 county", "所在县", "县(市、区)", "县(市,区)", "县市区", "所属县区", "建设地点", "县区", "county"),
    _f("sector", "所属行业 sector", "所属行业", "行业", "所属领域", "行业领域", "项目类别", "sector"),
    _f("kind", "建设性质 new/continuing", "建设性质", "项目性质", "新建/续建", "新建续建", "kind"),
    _f("total_investment", "总投资 total investment", "总投资", "计划总投资", "项目总投资", "total investment", money=True),
    _f("annual_plan", "年度计划投资 annual plan", "年度计划投资", "年度计划", "本年计划投资", "年度投资计划", "annual plan",
       money=True),
    _f("year", "年度 year", "年度", "计划年度", "year"),
    _f("plan_start", "计划开工时间 planned start", "计划开工时间", "计划开工", "计划开工日期", "planned start"),
    _f("plan_finish", "计划竣工时间 planned finish", "计划竣工时间", "计划竣工", "计划竣工日期", "planned finish"),
    _f("actual_start", "实际开工时间 actual start", "实际开工时间", "实际开工", "开工时间", "actual start"),
    _f("actual_finish", "实际竣工时间 actual finish", "实际竣工时间", "实际竣工", "竣工时间", "actual finish"),
    _f("in_statistics", "是否入统 in statistics", "是否入统", "入统", "已入统", "in statistics"),
    _f("cluster", "产业集群 cluster", "所属产业集群", "产业集群", "百亿级产业集群", "cluster"),
    _f("responsible_unit", "责任单位 responsible unit", "责任单位", "牵头单位", "项目单位", "responsible unit"),
    _f("responsible_person", "责任人 responsible person", "责任人", "项目负责人", "联系人", "responsible person"),
]
REPORT_FIELDS = [
    _f("project_id", "项目编号 project code", "项目编号", "项目代码", "项目编码", "统一项目代码", "project code", "code"),
    _f("name", "项目名称 project name", "项目名称", "project name"),
    _f("month", "月份 month", "月份", "调度月份", "报告期", "month"),
    _f("investment_month", "本月完成投资 this month", "本月完成投资", "当月完成投资", "本月投资", "investment this month",
       money=True),
    _f("investment_ytd", "本年累计完成投资 year to date", "本年累计完成投资", "本年完成投资", "年度累计完成投资",
       "1至本月累计完成投资", "年初至今完成投资", "investment ytd", money=True),
    _f("investment_cumulative", "自开工累计完成投资 cumulative", "自开工累计完成投资", "开工累计完成投资", "累计完成投资",
       "investment cumulative", money=True),
    _f("funds_in_place", "到位资金 funds in place", "到位资金", "本年到位资金", "资金到位", "funds in place", money=True),
    _f("started", "是否开工 started", "是否开工", "开工情况", "已开工", "started"),
    _f("finished", "是否竣工 finished", "是否竣工", "竣工情况", "已竣工", "finished"),
    _f("progress", "形象进度 progress", "形象进度", "工程进度", "进展情况", "项目进展", "progress"),
    _f("problems", "存在问题 problems", "存在问题", "存在的问题", "问题", "困难问题", "problems"),
]


@dataclass
class Sheet:
    file: str
    header_row: int
    columns: dict[str, int]                 # field → column index
    labels: dict[str, str]                  # field → the header as the sheet wrote it (problems name it so)
    factors: dict[str, float]               # money field → factor to 万元
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)   # (spreadsheet row, field → raw cell)

    def column(self, name: str) -> str:
        return self.labels.get(name, name)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _match(header: str, fields: list[Field]) -> tuple[Field | None, str | None]:
    """(field, unit in the bracket) of a header: the name without its unit bracket, normalised, among the spellings."""
    name, unit = split_header(header)
    key = norm(name)
    for f in fields:
        if key in f.spellings:
            return f, unit
    whole = norm(header)
    for f in fields:
        if whole in f.spellings:
            return f, None
    return None, None


def read_sheet(path: Path, fields: list[Field], required: set[str], *, file_name: str | None = None,
               one_of: tuple[set[str], ...] = ()) -> Sheet:
    """The sheet's rows by field; XianpingInputError listing every problem of the header (missing required columns,
    a column twice, a money unit that is not money). one_of: groups of which at least one column must be present."""
    from xianping.ingest.read_table import read_table

    table = read_table(path)
    file = file_name or table.file
    report = ProblemReport()
    best: tuple[int, int] | None = None
    for i, row in enumerate(table.rows[:30]):
        hits = sum(1 for c in row if not _blank(c) and _match(header_text(c), fields)[0] is not None)
        if hits >= 2 and (best is None or hits > best[1]):
            best = (i, hits)
            if hits >= len(required):
                break
    if best is None:
        report.add("no_header", "no header row naming the sheet's columns in its first 30 rows", file=file,
                   expected="a header row with " + ", ".join(f.label for f in fields if f.name in required))
        raise XianpingInputError(f"cannot read {file}", report)
    at = best[0]
    sheet = Sheet(file, at + 1, {}, {}, {})
    for j, cell in enumerate(table.rows[at]):
        if _blank(cell):
            continue
        text = header_text(cell)
        f, unit = _match(text, fields)
        if f is None:
            report.add("unmapped_header", "column not read: not a column of this sheet", file=file, row=at + 1,
                       column=text, severity="warning",
                       expected="one of " + ", ".join(x.label for x in fields))
            continue
        if f.name in sheet.columns:
            report.add("duplicate_column", f"two columns are {f.label}: {sheet.labels[f.name]!r} and {text!r}", file=file,
                       row=at + 1, column=text, expected="each column once")
            continue
        if f.money:
            if unit is None and "(" in norm(text):
                inner = norm(text).rsplit("(", 1)[1].rstrip(")")
                report.add("unknown_measure_unit", f"unknown unit {inner!r} in the header of {f.label}", file=file,
                           row=at + 1, column=text, value=inner, expected="万元, 亿元 or 元")
                continue
            try:
                sheet.factors[f.name] = conversion_factor(unit or MONEY, MONEY)
            except Exception:
                report.add("wrong_measure_unit", f"{f.label} is money, the header says {unit}", file=file, row=at + 1,
                           column=text, value=unit, expected="万元, 亿元 or 元")
                continue
        sheet.columns[f.name], sheet.labels[f.name] = j, text
    labels = {f.name: f.label for f in fields}
    for name in sorted(required - set(sheet.columns)):
        report.add("missing_column", f"no column {labels[name]}", file=file, row=at + 1,
                   expected=f"a column headed {labels[name].split(' ')[0]}")
    for group in one_of:
        if not group & set(sheet.columns):
            report.add("missing_column", "no column " + " or ".join(labels[n] for n in sorted(group)), file=file,
                       row=at + 1, expected="one of them")
    report.raise_if_errors(f"cannot read {file}; nothing was stored")
    for i, row in enumerate(table.rows[at + 1:], start=at + 2):
        cells = {name: (row[j] if j < len(row) else None) for name, j in sheet.columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        sheet.rows.append((i, cells))
    if not sheet.rows:
        report.add("no_rows", "the sheet has a header but no rows", file=file, row=at + 1, expected="one row per project")
        raise XianpingInputError(f"cannot read {file}; nothing was stored", report)
    return sheet


def read_upload(folder: Path, file_name: str, data: bytes, fields: list[Field], required: set[str],
                one_of: tuple[set[str], ...] = ()) -> Sheet:
    """An uploaded sheet (bytes): type and size checked, read through a temporary file under DIR/uploads/.incoming
    (removed after), problems naming the file by the uploader's name."""
    with incoming_copy(folder, file_name, data, max_bytes=MAX_SHEET_BYTES,
                       what="a dispatch sheet is an Excel workbook (.xlsx) or a CSV", expected="an .xlsx workbook") as (name, tmp):
        return read_sheet(tmp, fields, required, file_name=name, one_of=one_of)


# ------------------------------------------------------------------------------------------------ to the frames contract

_CN_DATE = re.compile(r"^\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*(?:[月./-]\s*(?:(\d{1,2})\s*日?)?)?\s*$")


def _money_cell(v: Any, factor: float) -> Any:
    """A money cell in 万元 when it reads as a number (the header's unit converted); anything else as it was, for the
    contract's validation to name."""
    if factor == 1.0 or _blank(v) or isinstance(v, bool):
        return v
    try:
        return float(v.strip().replace(",", "")) * factor if isinstance(v, str) else float(v) * factor
    except (TypeError, ValueError):
        return v


def _date_cell(v: Any) -> Any:
    """2025年3月15日, 2025.3.15, 2025年3月 (its first day) as ISO text; other values as they were."""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str) and (m := _CN_DATE.match(v)):
        try:
            return date(int(m[1]), int(m[2]), int(m[3] or 1)).isoformat()
        except ValueError:
            return v
    return v


def text(v: Any, limit: int = 200) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():   # a code typed as a number in Excel: 410821.0
        v = int(v)
    return str(v).strip()[:limit]


def to_frame(sheet: Sheet, columns: list[str], *, dates: tuple[str, ...] = (), defaults: dict[str, Any] | None = None):
    """The sheet's rows as a DataFrame of the contract's `columns` (+ `_row`, the spreadsheet row the contract's
    validation names): money converted to 万元, Chinese dates as ISO text, absent optional columns from `defaults`."""
    import pandas as pd

    defaults = defaults or {}
    data: dict[str, list[Any]] = {"_row": [r for r, _ in sheet.rows]}
    for c in columns:
        if c in sheet.columns:
            vals = [cells.get(c) for _, cells in sheet.rows]
            if c in sheet.factors:
                vals = [_money_cell(v, sheet.factors[c]) for v in vals]
            elif c in dates:
                vals = [_date_cell(v) for v in vals]
            data[c] = vals
        else:
            data[c] = [defaults.get(c)] * len(sheet.rows)
    return pd.DataFrame(data)


def relabel(report: ProblemReport, sheet: Sheet) -> ProblemReport:
    """The contract's problems named by the sheet: its file and its own header text for the column."""
    from dataclasses import replace

    return ProblemReport([replace(p, file=sheet.file, column=sheet.labels.get(p.column or "", p.column)) for p in report])


__all__ = ["PROJECT_FIELDS", "REPORT_FIELDS", "Sheet", "read_sheet", "read_upload", "to_frame", "relabel", "text"]
