"""重点项目月调度 月度通报 (the monthly brief): a Word document in 公文 layout (GB/T 9704-2012, the machinery of
word.py: page, fonts, page numbers, 红头) written from one month's tables (xianping.dispatch.evaluate_month).

    res = evaluate_month(frames, "2024-06")
    write_brief(res, "通报.docx", names={"410821": "修武县"}, area="焦作市", ledger=items)

Text from templates/dispatch_brief_zh.md through the narrative machinery (narrative.render / finish): every number
is a `Value` carrying where it came from (the month, the table — total, counties, sectors, projects, ledger — the
row and the column), written beside the brief as `<stem>.sources.csv`; a number the month does not have (a rate
with nothing due, a county with no report) takes its clause or sentence out and the brief lists it under
本通报未包含. Sections: totals and pace, the 四率, the county ranking (table), sectors (table), the red, yellow and
no-report lists (tables, the worst first, at most `list_rows` rows each; the complete lists in
`<stem>.warnings.csv`), open ledger items (when `ledger` is given).

On the platform: `platform_inputs(db, who, month)` reads the approved reports in `who`'s division, the county names
and the ledger; `xianping dispatch brief --platform DIR --month YYYY-MM --out FILE.docx` writes it.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from xianping.dispatch.evaluate_month import MonthResult
from xianping.report import format_zh as F
from xianping.report.narrative import Block, Narrative, Value, finish, render
from xianping.report.word import _document, _red_header, _write_sources, _Writer, clean_text

__all__ = ["brief_narrative", "write_brief", "platform_inputs", "BriefTable", "LIST_ROWS"]

LIST_ROWS = 30          # rows of each red / yellow / no-report / ledger table (complete lists in <stem>.warnings.csv)
COLOUR_ZH = {"green": "绿", "yellow": "黄", "red": "红", "no_report": "无报告"}
STATUS_ZH = {"open": "待处理", "in_progress": "整改中", "closed": "已销号"}
# a readable name for each field the brief may leave out (本通报未包含：…)
FIELD_ZH = {"n_projects": "项目数", "plan_all": "年度计划投资", "n_reported": "报送项目数", "ytd_reported": "累计完成投资",
            "plan_reported": "已报送项目年度计划投资", "completion": "年度计划完成率", "pace": "与时序进度之差",
            "elapsed": "时序进度", "start_rate": "新建项目开工率", "on_time_rate": "按期竣工率",
            "funds_rate": "资金到位率", "funds_reported": "到位资金", "in_statistics_rate": "入统率",
            "n_due_start": "应开工项目数", "n_due_finish": "应竣工项目数"}


@dataclass
class BriefTable:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]


def template_path() -> Path:
    return Path(str(resources.files("xianping.report").joinpath("templates", "dispatch_brief_zh.md")))


# ── numbers ──────────────────────────────────────────────────────────────
def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _pace_word(p) -> str:
    """超 / 滞后 / 持平 as phrasing.pace_phrase decides it (the rounded figure to one decimal)."""
    if _nan(p):
        return ""
    r = round(float(p), 1)
    return "持平" if r == 0 else ("超" if r > 0 else "滞后")


def _signed(x, d: int = 1) -> str:
    if _nan(x):
        return "—"
    s = F.fixed(x, d)
    return s if s.startswith("-") or float(s) == 0 else "+" + s


def _f(x, d: int = 1) -> str:
    return "—" if _nan(x) else F.fixed(x, d)


def _pct(x, d: int = 1) -> str:
    return "—" if _nan(x) else F.fixed(x, d) + "%"


class _Ctx:
    """Builds Values with their source: {kind: dispatch, month, table, row, column}."""

    def __init__(self, month: str):
        self.month = month

    def value(self, x, table: str, row: str, column: str, field: str, unit: str = "") -> Value:
        x = None if _nan(x) else float(x)
        src = {"kind": "dispatch", "month": self.month, "table": table, "row": row, "column": column}
        return Value(x, src, field, unit)

    def row(self, r: dict[str, Any], table: str, key: str, field: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col, v in r.items():
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number)):
                out[col] = v
            else:
                out[col] = self.value(v, table, key, col, f"{field}.{col}", "万元" if col.startswith(
                    ("plan", "ytd", "funds_reported", "annual_plan", "investment")) else "")
        out["pace_word"] = _pace_word(r.get("pace"))
        return out

    def count(self, n: int, table: str, where: str, field: str) -> Value:
        return Value(float(n), {"kind": "dispatch_count", "month": self.month, "table": table, "where": where}, field)


def _county_name(code: str, names: dict[str, str]) -> str:
    if code in names and names[code]:
        return names[code]
    from xianping.reference.divisions import get_gazetteer

    d = get_gazetteer().get(str(code))
    return d.name if d is not None else str(code)


def _ranked_counties(counties: pd.DataFrame) -> pd.DataFrame:
    """By completion of the annual plan, highest first; a county without a figure last (as the notices rank)."""
    return counties.sort_values(["completion", "unit_code"], ascending=[False, True], na_position="last")


def _month_zh(month: str) -> tuple[str, str]:
    y, k = int(month[:4]), int(month[5:7])
    return f"{y}年{k}月", f"{y}年1月" if k == 1 else f"{y}年1—{k}月"


# ── the context and the tables ───────────────────────────────────────────
def _context(res: MonthResult, names: dict[str, str], area: str, ledger: list[dict] | None, as_of: date | None,
             basis: str, indicators: list[dict] | None = None
             ) -> tuple[dict[str, Any], dict[str, BriefTable], pd.DataFrame]:
    cx = _Ctx(res.month)
    month_zh, span = _month_zh(res.month)
    county_word = "县（市、区）"
    total_row = res.total.to_dict(orient="records")[0] if len(res.total) else {}
    projects = res.projects[res.projects["status"] != "no_plan"]
    elapsed = float(projects["elapsed"].iloc[0]) if len(projects) else (int(res.month[5:7]) / 12 * 100)
    total = cx.row(total_row, "total", "全部", "total")
    total["elapsed"] = cx.value(elapsed, "projects", "全部", "elapsed", "total.elapsed")

    counties = _ranked_counties(res.counties)
    cn = {c: _county_name(c, names) for c in counties["unit_code"]}
    ranked, all_c = [], []
    for r in counties.to_dict(orient="records"):
        row = cx.row(r, "counties", r["unit_code"], f"counties[{r['unit_code']}]") | {"name": cn[r["unit_code"]]}
        all_c.append(row)
        if not _nan(r["completion"]):
            ranked.append(row)
    sectors = []
    for r in res.sectors.sort_values(["completion", "sector"], ascending=[False, True], na_position="last") \
            .to_dict(orient="records"):
        key = r["sector"] or "未分行业"
        sectors.append(cx.row(r, "sectors", key, f"sectors[{key}]") | {"name": key})

    pc, cc = projects["colour"], res.counties["colour"]
    pace_ok = res.counties["pace"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        n_ahead = int(np.sum(np.round(pace_ok, 1) >= 0))
        n_behind = int(np.sum(np.round(pace_ok, 1) < 0))
    counts = {
        "counties_ahead": cx.count(n_ahead, "counties", "round(pace, 1) >= 0", "counts.counties_ahead"),
        "counties_behind": cx.count(n_behind, "counties", "round(pace, 1) < 0", "counts.counties_behind"),
        "counties_no_report": cx.count(int((res.counties["report_state"] == "none_received").sum()), "counties",
                                       "report_state == none_received", "counts.counties_no_report"),
        "counties_none_due": cx.count(int((res.counties["report_state"] == "none_due").sum()), "counties",
                                      "report_state == none_due", "counts.counties_none_due"),
        "projects_red": cx.count(int((pc == "red").sum()), "projects", "colour == red", "counts.projects_red"),
        "projects_yellow": cx.count(int((pc == "yellow").sum()), "projects", "colour == yellow",
                                    "counts.projects_yellow"),
        "projects_no_report": cx.count(int((projects["status"] == "no_report").sum()), "projects",
                                       "status == no_report", "counts.projects_no_report"),
        "counties_red": cx.count(int((cc == "red").sum()), "counties", "colour == red", "counts.counties_red"),
        "counties_yellow": cx.count(int((cc == "yellow").sum()), "counties", "colour == yellow",
                                    "counts.counties_yellow"),
    }
    red_c = [c for c in all_c if c["colour"] == "red"]
    yellow_c = [c for c in all_c if c["colour"] == "yellow"]

    tables: dict[str, BriefTable] = {}
    crow = []
    for n, r in enumerate(counties.to_dict(orient="records"), 1):
        crow.append([str(n) if not _nan(r["completion"]) else "—", cn[r["unit_code"]],
                     "无需报送" if int(r["n_due_report"]) == 0 else f"{int(r['n_reported'])}/{int(r['n_due_report'])}",
                     _f(r["plan_all"], 0), _f(r["ytd_reported"], 0),
                     _pct(r["completion"]), _signed(r["pace"]), _pct(r["start_rate"]),
                     COLOUR_ZH.get(r["colour"], r["colour"])])
    if crow:
        tables["counties"] = BriefTable(
            f"{span}各{county_word}重点项目进展（按年度计划完成率排序，共{len(crow)}个；时序差单位：百分点）",
            ["名次", "县（市、区）", "报送/应报", "计划（万元）", "完成（万元）", "完成率", "时序差", "开工率", "预警"],
            crow, [True, False] + [True] * 6 + [False])
    srow = [[s["name"], _f(r["n_projects"], 0), _f(r["plan_all"], 0), _f(r["ytd_reported"], 0), _pct(r["completion"]),
             _signed(r["pace"]), _pct(r["start_rate"])]
            for s, r in zip(sectors, res.sectors.sort_values(["completion", "sector"], ascending=[False, True],
                                                             na_position="last").to_dict(orient="records"))]
    if srow:
        tables["sectors"] = BriefTable(f"{span}分行业重点项目进展（时序差单位：百分点）", ["行业", "项目数",
                                       "计划（万元）", "完成（万元）", "完成率", "时序差", "开工率"], srow,
                                       [False] + [True] * 6)

    lists = projects.assign(county=projects["unit_code"].map(lambda c: cn.get(c) or _county_name(c, names)))
    for name, colour, zh in (("red", "red", "红色预警项目"), ("yellow", "yellow", "黄色预警项目")):
        sel = lists[lists["colour"] == colour].sort_values(["pace", "project_id"], na_position="last")
        if len(sel):
            shown = sel.head(LIST_ROWS)
            tables[name] = BriefTable(
                f"{zh}（共{len(sel)}个" + (f"，列出滞后最多的{len(shown)}个" if len(shown) < len(sel) else "") + "；时序差单位：百分点）",
                ["县（市、区）", "项目名称", "计划（万元）", "完成（万元）", "完成率", "时序差"],
                [[r["county"], r["name"], _f(r["annual_plan"], 0), _f(r["investment_ytd"], 0), _pct(r["completion"]),
                  _signed(r["pace"])] for r in shown.to_dict(orient="records")], [False, False, True, True, True, True])
    nr = lists[lists["status"] == "no_report"].sort_values(["unit_code", "project_id"])
    if len(nr):
        shown = nr.head(LIST_ROWS)
        tables["no_report"] = BriefTable(
            f"本月未报送项目（共{len(nr)}个" + (f"，列出{len(shown)}个）" if len(shown) < len(nr) else "）"),
            ["县（市、区）", "项目名称", "计划（万元）"],
            [[r["county"], r["name"], _f(r["annual_plan"], 0)] for r in shown.to_dict(orient="records")],
            [False, False, True])

    led = None
    if ledger is not None:
        as_of = as_of or date.today()
        items = list(ledger)
        open_items = [i for i in items if i.get("status") != "closed"]
        overdue = [i for i in open_items if i.get("overdue") or (i.get("due_date") and str(i["due_date"]) < as_of.isoformat())]

        def lc(pred, where, field):
            return cx.count(sum(1 for i in items if pred(i)), "ledger", where, f"ledger.{field}")
        led = {"as_of": f"{as_of.year}年{as_of.month}月{as_of.day}日",
               "n_open": lc(lambda i: i.get("status") != "closed", "status != closed", "n_open"),
               "n_red": lc(lambda i: i.get("status") != "closed" and i.get("colour") == "red", "open, red", "n_red"),
               "n_yellow": lc(lambda i: i.get("status") != "closed" and i.get("colour") == "yellow", "open, yellow",
                              "n_yellow"),
               "n_in_progress": lc(lambda i: i.get("status") == "in_progress", "status == in_progress", "n_in_progress"),
               "n_overdue": cx.count(len(overdue), "ledger", f"open, due before {as_of.isoformat()}", "ledger.n_overdue"),
               "n_closed": lc(lambda i: i.get("status") == "closed", "status == closed", "n_closed")}
        rank = {"red": 0, "yellow": 1}
        open_items.sort(key=lambda i: (rank.get(i.get("colour"), 2), str(i.get("due_date")), i.get("id", 0)))
        if open_items:
            shown = open_items[:LIST_ROWS]
            tables["ledger"] = BriefTable(
                f"问题台账未销号事项（共{len(open_items)}个" + (f"，列出{len(shown)}个）" if len(shown) < len(open_items) else "）"),
                ["县（市、区）", "事项", "预警", "责任单位", "办结时限", "状态"],
                [[_county_name(str(i.get("unit_code", "")), names), str(i.get("title", "")),
                  COLOUR_ZH.get(i.get("colour"), str(i.get("colour", ""))), str(i.get("owner") or "—"),
                  str(i.get("due_date", "")) + ("（逾期）" if i in overdue else ""),
                  STATUS_ZH.get(i.get("status"), str(i.get("status", "")))] for i in shown],
                [False] * 6)
    ind = _indicator_context(cx, indicators, names, tables) if indicators else None
    settings = res.settings or {}
    elapsed_rule = ("按月份计算（第k月为k/12）" if settings.get("elapsed", "months") == "months"
                    else "按日历天数计算（截至月末的天数占全年天数的比例）")
    missing_rule = ("未报送月份按缺报处理，不以零计，亦不沿用上月数据" if settings.get("missing", "unknown") == "unknown"
                    else "未报送月份沿用该项目本年最近一次报送的数据（仍计为未报送）")
    ctx = {"area": area, "area_word": area or "全域", "month_zh": month_zh, "span": span, "county_word": county_word,
           "total": total, "ranked": ranked, "sectors": sectors, "counts": counts, "red_counties": red_c,
           "yellow_counties": yellow_c, "ledger": led, "indicators": ind, "basis": basis, "elapsed_rule": elapsed_rule,
           "missing_rule": missing_rule, "rules_name": str(settings.get("rules") or "默认预警规则")}
    full = lists[lists["colour"].isin(["red", "yellow"]) | (lists["status"] == "no_report")]
    return ctx, tables, full


def _indicator_context(cx: _Ctx, rows: list[dict], names: dict[str, str], tables: dict[str, BriefTable]
                       ) -> dict[str, Any]:
    """监测: counts of the month's (and quarter's) monitored indicators by colour, the red and yellow ones by county
    and a table of them (rows as dispatch_monitor.IndicatorView.rows give them)."""
    def c(colour, field):
        return cx.count(sum(1 for r in rows if r["colour"] == colour), "indicators", f"colour == {colour}",
                        f"indicators.{field}")
    rank = {"red": 0, "yellow": 1}
    warned = sorted((r for r in rows if r["colour"] in rank),
                    key=lambda r: (rank[r["colour"]], r["unit_code"], r["indicator"], r["period"]))
    for r in warned:
        r["county"] = r.get("name") or _county_name(r["unit_code"], names)
    if warned:
        shown = warned[:LIST_ROWS]
        tables["indicators"] = BriefTable(
            f"主要指标监测预警（共{len(warned)}项次" + (f"，列出{len(shown)}项次" if len(shown) < len(warned) else "")
            + "；时序差、增速差单位：百分点）",
            ["县（市、区）", "指标", "期别", "完成年度目标", "时序差", "累计增速", "全省增速", "预警"],
            [[r["county"], r["indicator"], r["period"], _pct(r["share"]), _signed(r["pace"]), _pct(r["growth"]),
              _pct(r["province_growth"]), COLOUR_ZH.get(r["colour"], r["colour"])] for r in shown],
            [False, False, False, True, True, True, True, False])
    return {"n": cx.count(len(rows), "indicators", "all rows", "indicators.n"), "n_red": c("red", "n_red"),
            "n_yellow": c("yellow", "n_yellow"), "n_no_report": c("no_report", "n_no_report"),
            "red": [r for r in warned if r["colour"] == "red"], "yellow": [r for r in warned if r["colour"] == "yellow"]}


def _label(field: str, names: dict[str, str]) -> str:
    """counties[410821].completion → 修武县年度计划完成率; total.start_rate → 新建项目开工率."""
    head, _, col = field.rpartition(".")
    what = FIELD_ZH.get(col, col)
    if head.startswith(("counties[", "sectors[")):
        key = head[head.index("[") + 1:-1]
        return f"{_county_name(key, names) if head.startswith('counties') else key}{what}"
    return what


def brief_narrative(res: MonthResult, *, names: dict[str, str] | None = None, area: str = "",
                    ledger: Iterable[dict] | None = None, as_of: date | None = None,
                    basis: str = "本通报数据为各项目报送的月调度数据", template: str | Path | None = None,
                    draft: bool = False, indicators: list[dict] | None = None
                    ) -> tuple[Narrative, dict[str, BriefTable], pd.DataFrame]:
    """(the narrative — blocks, fills with sources, what was left out —, the tables, the full warning lists).
    indicators: the monitored indicators' rows (dispatch_monitor.IndicatorView.rows) for the 主要指标监测 section."""
    ctx, tables, full = _context(res, names or {}, area, None if ledger is None else list(ledger), as_of, basis,
                                 indicators)
    text = Path(template).read_text(encoding="utf-8") if template else template_path().read_text(encoding="utf-8")
    nar = render(text, ctx)
    nar.blocks = [b for b in nar.blocks if b.kind != "table" or b.name in tables]
    if draft:
        return nar, tables, full
    done = finish(nar)
    # finish() names a missing field by its path; the brief says what it is, in Chinese
    omitted = list(dict.fromkeys(_label(o.field, names or {}) for o in done.omitted))
    for b in done.blocks:
        if b.kind == "note" and b.text.startswith("本报告未包含："):
            b.text = "本通报未包含：" + "；".join(omitted) + "（本月无此数据）。"
    return done, tables, full


def write_brief(res: MonthResult, out: str | Path, *, names: dict[str, str] | None = None, area: str = "",
                ledger: Iterable[dict] | None = None, as_of: date | None = None, issuer: str | None = None,
                doc_number: str | None = None, basis: str = "本通报数据为各项目报送的月调度数据",
                template: str | Path | None = None, attach: bool = True,
                indicators: list[dict] | None = None) -> Path:
    """Write the brief (.docx) and, with `attach`, `<stem>.sources.csv` (every number of the text with its source)
    and `<stem>.warnings.csv` (the complete red, yellow and no-report lists) beside it, all renamed into place
    together when complete. Returns the brief's path."""
    from xianping.files import FileSet

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nar, tables, full = brief_narrative(res, names=names, area=area, ledger=ledger, as_of=as_of, basis=basis,
                                        template=template, indicators=indicators)
    if attach:
        nar.blocks.append(Block("note", f"文中数字的来源见附带文件“{out.stem}.sources.csv”；红色、黄色预警和未报送项目"
                                        f"的完整名单见“{out.stem}.warnings.csv”。"))
    doc = _document(title=next((b.text for b in nar.blocks if b.kind == "title"), "月度通报"))
    if issuer or doc_number:
        _red_header(doc, clean_text(issuer or ""), clean_text(doc_number or ""))
    w = _BriefWriter(doc, tables)
    for b in nar.blocks:
        w.block(b)
    with FileSet() as files:
        if attach:
            files.stage(out.with_name(f"{out.stem}.sources.csv"), lambda p: _write_sources(nar, p))
            files.stage(out.with_name(f"{out.stem}.warnings.csv"), lambda p: _write_lists(full, names or {}, p))
        files.stage(out, lambda p: doc.save(str(p)))
    return out


def _write_lists(full: pd.DataFrame, names: dict[str, str], path: Path) -> None:
    from xianping.report.excel_safe import csv_escape

    cols = ["unit_code", "county", "project_id", "name", "sector", "status", "colour_label", "annual_plan",
            "investment_ytd", "completion", "pace"]
    heads = ["区划代码 code", "县 county", "项目编号 project", "项目名称 name", "行业 sector", "状态 status",
             "预警 colour", "年度计划 plan (万元)", "累计完成 ytd (万元)", "完成率 completion (%)",
             "时序差 pace (points)"]
    t = full.sort_values(["colour", "pace", "project_id"], na_position="last")[cols]
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(heads)
        for row in t.itertuples(index=False, name=None):
            w.writerow([csv_escape(x) if isinstance(x, str) else ("" if _nan(x) else repr(float(x)) if isinstance(
                x, (float, np.floating)) else x) for x in row])


class _BriefWriter(_Writer):
    """word.py's block writer (title, headings, paragraphs, notes, captioned tables) with the brief's tables."""

    def __init__(self, doc, tables: dict[str, BriefTable]):
        self.doc, self.tables = doc, tables
        self.n_table = self.n_chart = 0
        self.in_appendix = False

    def table(self, name: str) -> None:
        t = self.tables.get(name)
        if t is not None and t.rows:
            self.grid(t.caption, t.headers, t.rows, t.numeric)

    def chart(self, name: str) -> None:   # the brief has no charts (the dashboard page draws them)
        return None


# ── on the platform ──────────────────────────────────────────────────────
def platform_inputs(db, who, month: str, *, rules_file: Path | None = None,
                    today: date | None = None) -> dict[str, Any]:
    """What write_brief needs, from the platform: the month's tables over the approved reports in `who`'s division,
    the county names, the area's name (the province or prefecture the counties share), the ledger items."""
    from sqlalchemy import select

    from xianping.dispatch.evaluate_month import evaluate_month
    from xianping.dispatch.warning_rules import load_rules
    from xianping.platform.db.dispatch_models import LedgerItem
    from xianping.platform.db.models import Unit
    from xianping.platform.workflow.dispatch_load import load_frames
    from xianping.platform.workflow.dispatch_scope import ledger_condition

    frames = load_frames(db, who, year=int(month[:4]))
    res = evaluate_month(frames, month, load_rules(rules_file))
    codes = sorted(set(frames.projects["unit_code"]))
    names = dict(db.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes))).all()) if codes else {}
    today = today or date.today()
    items = []
    for i in db.scalars(select(LedgerItem).where(ledger_condition(who), LedgerItem.month <= month)
                        .order_by(LedgerItem.due_date, LedgerItem.id)):
        items.append({"id": i.id, "unit_code": i.unit_code, "title": i.title, "colour": i.colour, "owner": i.owner,
                      "due_date": i.due_date.isoformat(), "status": i.status, "month": i.month,
                      "overdue": i.status != "closed" and i.due_date < today})
    from xianping.platform.workflow.dispatch_monitor import indicator_periods_of_month, indicator_view

    indicators = [r for p in indicator_periods_of_month(month)
                  for r in indicator_view(db, who, p, rules_file=rules_file).rows]
    return {"result": res, "names": names, "area": area_name(codes), "ledger": items, "as_of": today,
            "basis": "本通报数据为经审核通过的月调度报告", "indicators": indicators}


def area_name(codes: list[str]) -> str:
    """The division the counties share: one prefecture → its name (焦作市), one province → its name, else ''."""
    from xianping.reference.divisions import get_gazetteer

    if not codes:
        return ""
    g = get_gazetteer()
    for width, tail in ((4, "00"), (2, "0000")):
        heads = {c[:width] for c in codes}
        if len(heads) == 1:
            d = g.get(next(iter(heads)) + tail)
            if d is not None:
                return d.name
    return ""
