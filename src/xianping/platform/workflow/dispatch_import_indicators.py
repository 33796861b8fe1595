"""Import monitored indicator values (监测指标: county × indicator × month or quarter, with the year's targets) from
the sheet a statistics office keeps: all rows or none.

    res = import_indicators_file(db, who, "2025年1-6月主要指标.xlsx")

One row per unit, indicator and period: 区划代码 (or 县名), 指标, 期别 (2025-06, 2025年6月, 2025-Q2, 2025年二季度),
本期累计值 (1–m月累计) and/or 累计增速 (%), and, on any row, 年度目标值 / 目标增速 (the year's targets; the same target
repeated on every row of the unit and indicator is one target, two different ones are an error; a row with a
target and no figure — 期别 then may be just the year, 2025 — sets the target only, e.g. for a programme's values). The province's own
row (its code, e.g. 410000) gives the provincial average growth the counties are compared with.
Headers are matched as dispatch_sheet matches them; the rows are checked by the monitoring contract
(xianping.dispatch.monitoring.validate_monitoring), its problems named by the sheet's own file, row and header. A
user imports rows of its own division only (the province's row: a province admin). A (unit, indicator, period)
already stored is replaced (old → new in the audit log); the same values again change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.dispatch_models import IndicatorTarget, IndicatorValue
from xianping.platform.db.models import Unit, User
from xianping.platform.workflow.dispatch_scope import REVIEWERS, covers
from xianping.platform.workflow.dispatch_sheet import Sheet, _f, read_sheet, read_upload, relabel, text, to_frame
from xianping.problems import Problem, ProblemReport, XianpingInputError

INDICATOR_FIELDS = [
    _f("unit_code", "区划代码 unit code", "区划代码", "行政区划代码", "县区划代码", "unit code", "code"),
    _f("county_name", "地区 unit name", "地区", "县(市、区)", "县(市,区)", "县市区", "县区", "单位", "unit"),
    _f("indicator", "指标 indicator", "指标", "指标名称", "监测指标", "indicator"),
    _f("period", "期别 period", "期别", "报告期", "月份", "时期", "period"),
    _f("value", "本期累计值 year-to-date value", "本期累计值", "累计值", "1-本月累计", "累计", "本期值", "value"),
    _f("growth", "累计增速 growth %", "累计增速", "增速", "累计增长", "同比增长", "增长", "growth"),
    _f("target_value", "年度目标值 annual target", "年度目标值", "年度目标", "全年目标", "目标值", "target"),
    _f("target_growth", "目标增速 target growth %", "目标增速", "年度目标增速", "预期增速", "target growth"),
]
REQUIRED = {"indicator", "period"}
ONE_OF = ({"unit_code", "county_name"}, {"value", "growth"})
_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(r"^\s*(\d{4})\s*年?\s*(?:第?\s*([一二三四1-4])\s*季度|[-\s]*[Qq]\s*([1-4]))\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(?:1\s*[-—~至]\s*)?(\d{1,2})\s*月?\s*$")


def period_text(v: Any) -> Any:
    """2025年6月, 2025年1-6月, 2025-6, an Excel date → '2025-06'; 2025年二季度, 2025Q2 → '2025-Q2'; else as it was
    (for the contract to name)."""
    if hasattr(v, "year") and hasattr(v, "month") and not isinstance(v, str):
        return f"{v.year:04d}-{v.month:02d}"
    s = text(v)
    if m := _QUARTER.match(s):
        return f"{m[1]}-Q{_CN_QUARTER[m[2] or m[3]]}"
    if (m := _MONTH.match(s)) and 1 <= int(m[2]) <= 12:
        return f"{m[1]}-{int(m[2]):02d}"
    return s


@dataclass
class IndicatorImport:
    file: str
    rows: int
    written: int = 0          # values added or changed
    unchanged: int = 0
    targets_written: int = 0
    warnings: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "written": self.written, "unchanged": self.unchanged,
                "targets_written": self.targets_written, "warnings": [w.as_dict() for w in self.warnings]}


def _num(v: Any) -> float | None:
    return None if v is None or v != v else float(v)


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-9 * max(abs(a), 1.0))


def import_indicators(db: Session, who: User | Actor, sheet: Sheet, *, ip: str | None = None) -> IndicatorImport:
    import pandas as pd

    from xianping.dispatch.monitoring import validate_monitoring

    if isinstance(who, User) and who.role not in REVIEWERS:
        from xianping.platform.workflow.dispatch_review import DispatchRefused
        raise DispatchRefused(403, f"the role {who.role} does not import monitored indicators")
    report = ProblemReport()
    units = dict(db.execute(select(Unit.code, Unit.name).where(Unit.kind == "county")).all())
    for code in {c[:2] + "0000" for c in units}:   # the province's own row (全省), whether or not it is a unit
        units.setdefault(code, db.scalar(select(Unit.name).where(Unit.code == code)) or f"{code} 全省")
    by_name: dict[str, list[str]] = {}
    for c, n in units.items():
        by_name.setdefault(n, []).append(c)
    df = to_frame(sheet, ["unit_code", "county_name", "indicator", "period", "value", "growth", "target_value",
                          "target_growth"])
    if "unit_code" not in sheet.columns:
        codes = []
        for (row, _), name in zip(sheet.rows, df["county_name"]):
            hits = by_name.get(text(name), [])
            if len(hits) != 1:
                report.add("unknown_county" if not hits else "ambiguous_county", "no unit of the platform has this "
                           "name" if not hits else f"several units have this name ({', '.join(hits)})",
                           file=sheet.file, row=row, column=sheet.column("county_name"), value=text(name) or None,
                           expected="the name of a county (or the province) of the platform, or a 区划代码 column")
            codes.append(hits[0] if len(hits) == 1 else "000000")
        df["unit_code"] = codes
    else:
        df["unit_code"] = [text(v) for v in df["unit_code"]]
    df["period"] = [period_text(v) for v in df["period"]]
    # a row with a target and no figure (期别 may then be just the year) sets the target only
    figures = df["value"].map(lambda v: text(v) != "") | df["growth"].map(lambda v: text(v) != "")
    target_only = ~figures & (df["target_value"].map(lambda v: text(v) != "") |
                              df["target_growth"].map(lambda v: text(v) != ""))
    values = df.loc[~target_only.values, ["_row", "unit_code", "indicator", "period", "value", "growth"]]
    # the targets: one row per (unit, indicator, year) that gives one; the same target repeated is one target
    per = df["period"].astype(str).str.extract(r"^(\d{4})")[0]
    has_t = df["target_value"].map(lambda v: text(v) != "") | df["target_growth"].map(lambda v: text(v) != "")
    t = pd.DataFrame({"_row": df["_row"], "unit_code": df["unit_code"], "indicator": df["indicator"].map(text),
                      "year": per, "target_value": df["target_value"].map(text),
                      "target_growth": df["target_growth"].map(text)})[(has_t & per.notna()).values]
    t = t.drop_duplicates(["unit_code", "indicator", "year", "target_value", "target_growth"])
    contract = ProblemReport()
    try:
        frames = validate_monitoring(values, t, sources={"values": sheet.file, "targets": sheet.file})
    except XianpingInputError as e:
        contract = e.report
        frames = None
    report.extend(relabel(ProblemReport([q for q in contract if not (q.column == "unit_code" and q.value == "000000")]),
                          sheet))
    for r, code in zip(df["_row"], df["unit_code"]):
        if code == "000000" or not re.fullmatch(r"\d{6}", code):
            continue
        col = sheet.column("unit_code" if "unit_code" in sheet.columns else "county_name")
        if code not in units:
            report.add("unknown_unit", "not a county (or the province) of the platform", file=sheet.file, row=r,
                       column=col, value=code, expected="a county's or the province's GB/T 2260 code")
        elif not covers(who, code) or (isinstance(who, User) and code.endswith("0000") and who.role != "province_admin"):
            report.add("outside_scope", "a unit outside your division", file=sheet.file, row=r, column=col,
                       value=code, expected="rows of your own division (the province's row: a province admin)")
    report.raise_if_errors(f"{len(report.errors)} problem(s) in {sheet.file}; nothing was stored")
    assert frames is not None
    return _store(db, who, sheet, frames, ip)


def _store(db: Session, who: User | Actor, sheet: Sheet, frames, ip: str | None) -> IndicatorImport:
    v, t = frames.values, frames.targets
    res = IndicatorImport(sheet.file, len(v))
    old_v = {(x.unit_code, x.indicator, x.period): x for x in db.scalars(
        select(IndicatorValue).where(IndicatorValue.unit_code.in_(sorted(set(v["unit_code"])))))}
    old_t = {(x.unit_code, x.indicator, x.year): x for x in db.scalars(
        select(IndicatorTarget).where(IndicatorTarget.unit_code.in_(sorted(set(t["unit_code"])) or [""])))}
    reason = f"import {sheet.file}"
    with writing(db, who, ip) as w:
        for unit, ind, period, value, growth in v[["unit_code", "indicator", "period", "value", "growth"]] \
                .itertuples(index=False, name=None):
            value, growth = _num(value), _num(growth)
            key = f"{unit}:{ind}:{period}"
            row = old_v.get((unit, ind, period))
            if row is None:
                row = IndicatorValue(unit_code=unit, indicator=ind, period=period, value=value, growth=growth,
                                     source=sheet.file[:255], created_by=who.id)
                db.add(row)
                db.flush()
                w.record("indicator.value", "indicator_value", row.id, field=key,
                         new={"value": value, "growth": growth}, reason=reason)
            elif _same(row.value, value) and _same(row.growth, growth):
                res.unchanged += 1
                continue
            else:
                w.record("indicator.value", "indicator_value", row.id, field=key,
                         old={"value": row.value, "growth": row.growth}, new={"value": value, "growth": growth},
                         reason=reason)
                row.value, row.growth, row.source = value, growth, sheet.file[:255]
            res.written += 1
        for unit, ind, year, tv, tg in t[["unit_code", "indicator", "year", "target_value", "target_growth"]] \
                .itertuples(index=False, name=None):
            tv, tg, year = _num(tv), _num(tg), int(year)
            row = old_t.get((unit, ind, year))
            if row is not None and _same(row.target_value, tv) and _same(row.target_growth, tg):
                continue
            if row is None:
                row = IndicatorTarget(unit_code=unit, indicator=ind, year=year, target_value=tv, target_growth=tg,
                                      source=sheet.file[:255], created_by=who.id)
                db.add(row)
                db.flush()
                old = None
            else:
                old = {"target_value": row.target_value, "target_growth": row.target_growth}
                row.target_value, row.target_growth, row.source = tv, tg, sheet.file[:255]
            w.record("indicator.target", "indicator_target", row.id, field=f"{unit}:{ind}:{year}", old=old,
                     new={"target_value": tv, "target_growth": tg}, reason=reason)
            res.targets_written += 1
    return res


def import_indicators_file(db: Session, who: User | Actor, path, *, ip: str | None = None) -> IndicatorImport:
    return import_indicators(db, who, read_sheet(Path(path), INDICATOR_FIELDS, REQUIRED, one_of=ONE_OF), ip=ip)


def import_indicators_upload(db: Session, who: User | Actor, folder, file_name: str, data: bytes, *,
                             ip: str | None = None) -> IndicatorImport:
    return import_indicators(db, who, read_upload(folder, file_name, data, INDICATOR_FIELDS, REQUIRED, one_of=ONE_OF),
                             ip=ip)


__all__ = ["INDICATOR_FIELDS", "IndicatorImport", "import_indicators", "import_indicators_file",
           "import_indicators_upload", "period_text"]
