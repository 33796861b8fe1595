"""重点项目月调度: the three tables every dispatch computation takes, their columns, and their validation.

The contract (the database and the Excel import write these; measures and warnings read them):

projects — the project bank (项目库), one row per project
    project_id (str, unique) · name (str) · unit_code (str, 6-digit GB/T 2260 county-level code: not ending in 00)
    sector (str) · kind ('new' 新建 | 'continuing' 续建) · total_investment (万元, ≥ 0)
    plan_start, plan_finish (date, required, finish ≥ start) · actual_start, actual_finish (date or NaT; a finish
    needs a start, not before it) · in_statistics (bool, 入统) · cluster (str or None, 百亿级产业集群)
    responsible_unit (str) · responsible_person (str, may be blank: a warning)

plans — the annual investment plan and its mid-year revisions
    project_id · year (int) · effective_month ('YYYY-MM', within `year`) · annual_plan (万元, ≥ 0)
    The plan in force in a month is the row with the latest effective_month ≤ that month (same year); a month before
    the first row of the year has no plan. (project_id, effective_month) is unique.

reports — the monthly reports (月报)
    project_id · month ('YYYY-MM') · investment_month, investment_ytd, investment_cumulative (万元, ≥ 0)
    funds_in_place (万元, year to date, ≥ 0) · started, finished (bool: the event was reported this month; blank = no)
    progress, problems (text; blank = "")
    (project_id, month) is unique. A month with no row is MISSING, never zero. A report in a month with no plan in
    force is accepted with a warning (no_plan_in_force): the measures leave it out.

Accepted spellings, normalised here so that the import layer may pass what a sheet holds: kind 新建/新开工 → new,
续建 → continuing; booleans true/false, 1/0, 是/否, Y/N, yes/no; months as 'YYYY-MM', 'YYYY-M', 'YYYY/MM' or dates;
dates as ISO text or date/datetime values.

Every problem is located: `file` is the frame's source (its name, or what `sources` maps it to), `row` the row as a
spreadsheet shows it (the `_row` column when the importer supplies one, else position + 2: the header is row 1),
`column` the column, the value and what was expected. Problems of one column and kind beyond `MAX_PER_COLUMN` are
summarised in one more problem, so a sheet with 5,000 bad rows does not print 5,000 lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from xianping.problems import ProblemReport, XianpingInputError

__all__ = [
    "PROJECT_COLUMNS", "PLAN_COLUMNS", "REPORT_COLUMNS", "DispatchFrames", "validate_frames",
    "validate_projects", "validate_plans", "validate_reports", "month_index", "month_text", "MAX_PER_COLUMN",
]

# column → (type, required). Types: id, text, text_or_blank, code, kind, money, date, date_or_blank, bool,
# bool_or_blank (blank = False), month, year.
PROJECT_COLUMNS: dict[str, str] = {
    "project_id": "id", "name": "text", "unit_code": "code", "sector": "text", "kind": "kind",
    "total_investment": "money", "plan_start": "date", "plan_finish": "date", "actual_start": "date_or_blank",
    "actual_finish": "date_or_blank", "in_statistics": "bool", "cluster": "text_or_none",
    "responsible_unit": "text", "responsible_person": "text_or_blank",
}
PLAN_COLUMNS: dict[str, str] = {
    "project_id": "id", "year": "year", "effective_month": "month", "annual_plan": "money",
}
REPORT_COLUMNS: dict[str, str] = {
    "project_id": "id", "month": "month", "investment_month": "money", "investment_ytd": "money",
    "investment_cumulative": "money", "funds_in_place": "money", "started": "bool_or_blank",
    "finished": "bool_or_blank", "progress": "text_or_blank", "problems": "text_or_blank",
}

MAX_PER_COLUMN = 20
# reported amounts are rounded to 0.01 万元 on the forms; sums that differ by less are consistent
TOLERANCE_WAN = 0.01

_KIND = {"new": "new", "新建": "new", "新开工": "new", "新": "new",
         "continuing": "continuing", "续建": "continuing", "续": "continuing"}
_TRUE = {"true", "1", "是", "y", "yes", "t", "已入统", "入统", "√"}
_FALSE = {"false", "0", "否", "n", "no", "f", "未入统", ""}
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
_CODE = re.compile(r"^\d{6}$")


@dataclass
class DispatchFrames:
    """The three validated, normalised tables; `warnings` holds what was accepted but deserves a look."""

    projects: pd.DataFrame
    plans: pd.DataFrame
    reports: pd.DataFrame
    warnings: ProblemReport = field(default_factory=ProblemReport)


def month_index(months: pd.Series | np.ndarray | Iterable[str]) -> np.ndarray:
    """'YYYY-MM' → year·12 + month − 1 (int64), so that months compare and subtract as integers."""
    s = pd.Series(list(months) if not isinstance(months, (pd.Series, np.ndarray)) else months, dtype=object)
    y = s.str.slice(0, 4).astype(int).to_numpy()
    m = s.str.slice(5, 7).astype(int).to_numpy()
    return (y * 12 + m - 1).astype(np.int64)


def month_text(index: np.ndarray | int) -> Any:
    """Inverse of `month_index`."""
    idx = np.asarray(index)
    out = np.char.add(np.char.add((idx // 12).astype(str), "-"), np.char.zfill((idx % 12 + 1).astype(str), 2))
    return str(out) if out.ndim == 0 else out


class _Checker:
    """Collects located problems for one frame, at most MAX_PER_COLUMN per (column, kind)."""

    def __init__(self, frame: str, df: pd.DataFrame, report: ProblemReport, source: str | None):
        self.frame = frame
        self.file = source or frame
        self.report = report
        if "_row" in df.columns:
            self.rows = pd.to_numeric(df["_row"], errors="coerce").fillna(-1).astype(int).to_numpy()
        else:
            self.rows = np.arange(len(df)) + 2
        self._counts: dict[tuple[str, str], int] = {}

    def flag(self, mask: np.ndarray, kind: str, column: str, values: Any, message: str, expected: str,
             severity: str = "error") -> None:
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        if where.size == 0:
            return
        vals = np.asarray(values, dtype=object)
        key = (column, kind)
        done = self._counts.get(key, 0)
        room = max(MAX_PER_COLUMN - done, 0)
        for i in where[:room]:
            v = vals[i] if vals.ndim else vals
            if isinstance(v, float) and np.isnan(v):
                v = None
            self.report.add(kind, message, file=self.file, row=int(self.rows[i]), column=column,
                            value=_plain(v), expected=expected, severity=severity)
        if where.size > room:
            self.report.add(kind, f"{where.size - room} more row(s) with the same problem in column {column}",
                            file=self.file, column=column, expected=expected, severity=severity)
        self._counts[key] = done + int(where.size)

    def missing_columns(self, df: pd.DataFrame, columns: Mapping[str, str]) -> bool:
        absent = [c for c in columns if c not in df.columns]
        for c in absent:
            self.report.add("missing_column", f"the {self.frame} table has no column {c}", file=self.file, row=1,
                            column=c, expected=f"the columns {', '.join(columns)}")
        return bool(absent)


def _plain(v: Any) -> Any:
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return v


def _typed(s: pd.Series) -> bool:
    """A numeric, boolean or datetime column: blank is NaN/NaT only, no text to look at (the fast path)."""
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s) or \
        pd.api.types.is_datetime64_any_dtype(s)


def _blank(s: pd.Series) -> np.ndarray:
    if _typed(s):
        return s.isna().to_numpy()
    return (s.isna() | s.astype(str).str.strip().isin(["", "nan", "NaT", "None"])).to_numpy()


def _text(s: pd.Series) -> pd.Series:
    t = s.astype(str).str.strip()  # one pass: the stripped text decides blankness too
    return t.where(~(s.isna() | t.isin(["", "nan", "NaT", "None"])).to_numpy(), "")


def _money(chk: _Checker, s: pd.Series, col: str) -> np.ndarray:
    raw = s.to_numpy(dtype=object)
    blank = _blank(s)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        num = s.to_numpy(dtype=float)
    else:  # text from a sheet: thousands separators allowed
        num = pd.to_numeric(s.astype(str).str.replace(",", "", regex=False).str.strip().where(~blank, None),
                            errors="coerce").to_numpy(dtype=float)
    chk.flag(blank, "missing_value", col, raw, f"{col} is blank", "an amount in 万元 (a month without a report has no "
             "row, so a blank amount is never read as 0)")
    bad = ~blank & np.isnan(num)
    chk.flag(bad, "wrong_type", col, raw, f"{col} is not a number", "a number in 万元")
    inf = np.isinf(num)
    chk.flag(inf, "not_finite", col, raw, f"{col} is not finite", "a finite number in 万元")
    neg = num < 0
    chk.flag(neg, "out_of_range", col, raw, f"{col} is negative", "an amount ≥ 0 万元")
    return num


def _bool(chk: _Checker, s: pd.Series, col: str, blank_is_false: bool) -> np.ndarray:
    raw = s.to_numpy(dtype=object)
    blank = _blank(s)
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=bool)
    txt = s.astype(str).str.strip().str.lower()
    txt = txt.where(~txt.isin(["1.0"]), "1").where(~txt.isin(["0.0"]), "0")
    true = txt.isin(_TRUE).to_numpy() & ~blank
    false = txt.isin(_FALSE).to_numpy() | blank
    if not blank_is_false:
        chk.flag(blank, "missing_value", col, raw, f"{col} is blank", "true or false (是/否)")
    chk.flag(~true & ~false, "wrong_type", col, raw, f"{col} is not a yes/no value", "true or false (是/否, 1/0)")
    return true


def _date(chk: _Checker, s: pd.Series, col: str, required: bool) -> pd.Series:
    raw = s.to_numpy(dtype=object)
    blank = _blank(s)
    parsed = pd.to_datetime(s.where(~blank, None), errors="coerce", format="mixed")
    bad = ~blank & parsed.isna().to_numpy()
    chk.flag(bad, "bad_date", col, raw, f"{col} is not a date", "a date such as 2024-03-15")
    if required:
        chk.flag(blank, "missing_value", col, raw, f"{col} is blank", "a date such as 2024-03-15")
    return parsed.dt.normalize().astype("datetime64[ns]")


def _month(chk: _Checker, s: pd.Series, col: str) -> pd.Series:
    raw = s.to_numpy(dtype=object)
    blank = _blank(s)
    out = pd.Series([None] * len(s), index=s.index, dtype=object)
    # the contract's own form, checked in one vectorised pass; only the other cells take the slow path below
    exact = s.astype(str).str.fullmatch(r"\d{4}-(?:0[1-9]|1[0-2])").fillna(False).to_numpy(dtype=bool) & ~blank
    out[exact] = s[exact].astype(str).to_numpy()
    s = s[~exact]
    blank_rest = blank[~exact]
    is_date = s.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year") and
                    hasattr(v, "month") and not isinstance(v, str))
    if is_date.any():
        d = pd.to_datetime(s[is_date], errors="coerce")
        out.loc[d.index] = d.dt.strftime("%Y-%m").to_numpy(dtype=object)
    txt = s[~is_date.to_numpy(dtype=bool) & ~blank_rest].astype(str)
    parts = txt.str.extract(_MONTH)
    ok = parts[0].notna() & parts[1].notna()
    mm = pd.to_numeric(parts[1], errors="coerce")
    ok &= (mm >= 1) & (mm <= 12)
    out[ok[ok].index] = parts.loc[ok, 0] + "-" + mm[ok].astype(int).astype(str).str.zfill(2)
    chk.flag(blank, "missing_value", col, raw, f"{col} is blank", "a month YYYY-MM")
    chk.flag(out.isna().to_numpy() & ~blank, "bad_month", col, raw, f"{col} is not a month", "a month YYYY-MM")
    return out


def _start(frame: str, df: pd.DataFrame, columns: Mapping[str, str], report: ProblemReport,
           source: str | None) -> tuple[_Checker, bool]:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{frame}: expected a pandas DataFrame, got {type(df).__name__}")
    chk = _Checker(frame, df.reset_index(drop=True), report, source)
    return chk, chk.missing_columns(df, columns)


def _ids(chk: _Checker, s: pd.Series, col: str = "project_id") -> pd.Series:
    raw = s.to_numpy(dtype=object)
    blank = _blank(s)
    chk.flag(blank, "missing_value", col, raw, f"{col} is blank", "a project id")
    # ids read from Excel may arrive as 101.0; they are names, not numbers
    if pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s):
        return _text(s)
    txt = s.map(lambda v: str(int(v)) if isinstance(v, float) and np.isfinite(v) and v == int(v) else v)
    return _text(txt)


def validate_projects(projects: pd.DataFrame, report: ProblemReport, source: str | None = None,
                      known_codes: Iterable[str] | None = None) -> pd.DataFrame | None:
    """The project bank, normalised (types of the contract); problems go to `report`. None when columns lack."""
    chk, absent = _start("projects", projects, PROJECT_COLUMNS, report, source)
    if absent:
        return None
    df = projects.reset_index(drop=True)
    out = pd.DataFrame(index=df.index)
    out["project_id"] = _ids(chk, df["project_id"])
    dup = out["project_id"].duplicated(keep="first").to_numpy() & (out["project_id"] != "").to_numpy()
    chk.flag(dup, "duplicate_id", "project_id", out["project_id"], "project_id is given twice in the project bank",
             "each project once")
    for col in ("name", "sector", "responsible_unit"):
        out[col] = _text(df[col])
        chk.flag(out[col].eq("").to_numpy(), "missing_value", col, df[col], f"{col} is blank", "a text")
    out["responsible_person"] = _text(df["responsible_person"])
    chk.flag(out["responsible_person"].eq("").to_numpy(), "missing_value", "responsible_person",
             df["responsible_person"], "no responsible person is named", "a person's name", severity="warning")
    code = df["unit_code"].map(lambda v: str(int(v)) if isinstance(v, (int, np.integer)) or
                               (isinstance(v, float) and np.isfinite(v) and v == int(v)) else v)
    code = _text(code)
    bad = ~code.str.match(_CODE).to_numpy()
    chk.flag(bad, "bad_code", "unit_code", df["unit_code"], "unit_code is not a 6-digit GB/T 2260 code",
             "a county-level code such as 410821")
    level = ~bad & code.str.endswith("00").to_numpy()
    chk.flag(level, "not_county", "unit_code", df["unit_code"], "unit_code names a province or prefecture, "
             "not a county", "a county-level code (not ending in 00)")
    if known_codes is not None:
        known = set(known_codes)
        unknown = ~bad & ~level & ~code.isin(known).to_numpy()
        chk.flag(unknown, "unknown_unit", "unit_code", df["unit_code"], "unit_code is not a known county",
                 "a county of the platform's divisions")
    out["unit_code"] = code
    kind = _text(df["kind"]).str.lower().map(_KIND)
    chk.flag(kind.isna().to_numpy(), "invalid_choice", "kind", df["kind"], "kind is neither new nor continuing",
             "new (新建) or continuing (续建)")
    out["kind"] = kind.fillna("")
    out["total_investment"] = _money(chk, df["total_investment"], "total_investment")
    for col, required in (("plan_start", True), ("plan_finish", True), ("actual_start", False),
                          ("actual_finish", False)):
        out[col] = _date(chk, df[col], col, required)
    chk.flag((out["plan_finish"] < out["plan_start"]).to_numpy(), "date_order", "plan_finish", df["plan_finish"],
             "plan_finish is before plan_start", "a planned finish on or after the planned start")
    chk.flag((out["actual_finish"] < out["actual_start"]).to_numpy(), "date_order", "actual_finish",
             df["actual_finish"], "actual_finish is before actual_start", "a finish on or after the start")
    chk.flag((out["actual_finish"].notna() & out["actual_start"].isna()).to_numpy(), "date_order", "actual_start",
             df["actual_start"], "the project has an actual finish but no actual start", "the actual start date")
    out["in_statistics"] = _bool(chk, df["in_statistics"], "in_statistics", blank_is_false=False)
    cluster = _text(df["cluster"])
    out["cluster"] = cluster.where(cluster != "", None)
    return out


def _project_rows(chk, frame: pd.DataFrame, project_ids: Iterable[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rows renumbered, the output frame with its checked project_id): each row of plans and reports names a
    project of the bank (when the bank is given)."""
    df = frame.reset_index(drop=True)
    out = pd.DataFrame(index=df.index)
    out["project_id"] = _ids(chk, df["project_id"])
    if project_ids is not None:
        chk.flag(~out["project_id"].isin(set(project_ids)).to_numpy() & out["project_id"].ne("").to_numpy(),
                 "unknown_project", "project_id", df["project_id"], "project_id is not in the project bank",
                 "the id of a project in the projects table")
    return df, out


def validate_plans(plans: pd.DataFrame, report: ProblemReport, project_ids: Iterable[str] | None,
                   source: str | None = None) -> pd.DataFrame | None:
    chk, absent = _start("plans", plans, PLAN_COLUMNS, report, source)
    if absent:
        return None
    df, out = _project_rows(chk, plans, project_ids)
    year = pd.to_numeric(df["year"], errors="coerce")
    bad_year = year.isna() | (year != year.round()) | (year < 1990) | (year > 2100)
    chk.flag(bad_year.to_numpy(), "bad_year", "year", df["year"], "year is not a calendar year",
             "a year such as 2024")
    out["year"] = year.where(~bad_year, 0).astype(int)
    out["effective_month"] = _month(chk, df["effective_month"], "effective_month")
    ok = out["effective_month"].notna() & ~bad_year
    other = ok & (out["effective_month"].str.slice(0, 4).where(ok, "0").astype(int) != out["year"])
    chk.flag(other.to_numpy(), "month_outside_year", "effective_month", df["effective_month"],
             "effective_month is not in the plan's year", "a month of the plan's year (a revision takes effect "
             "in the year it revises)")
    out["annual_plan"] = _money(chk, df["annual_plan"], "annual_plan")
    dup = out.duplicated(["project_id", "effective_month"], keep="first").to_numpy() & ok.to_numpy()
    chk.flag(dup, "duplicate_plan", "effective_month", df["effective_month"],
             "a second plan for the same project takes effect in the same month",
             "one plan per project and effective month (a revision takes effect in a later month)")
    return out


def validate_reports(reports: pd.DataFrame, report: ProblemReport, project_ids: Iterable[str] | None,
                     source: str | None = None,
                     total_investment: pd.Series | None = None) -> pd.DataFrame | None:
    chk, absent = _start("reports", reports, REPORT_COLUMNS, report, source)
    if absent:
        return None
    df, out = _project_rows(chk, reports, project_ids)
    out["month"] = _month(chk, df["month"], "month")
    for col in ("investment_month", "investment_ytd", "investment_cumulative", "funds_in_place"):
        out[col] = _money(chk, df[col], col)
    for col in ("started", "finished"):
        out[col] = _bool(chk, df[col], col, blank_is_false=True)
    for col in ("progress", "problems"):
        out[col] = _text(df[col])
    dup = out.duplicated(["project_id", "month"], keep="first").to_numpy() & out["month"].notna().to_numpy()
    chk.flag(dup, "duplicate_report", "month", df["month"], "the project reports the same month twice",
             "one report per project and month")
    tol = TOLERANCE_WAN
    chk.flag((out["investment_month"] > out["investment_ytd"] + tol).to_numpy(), "inconsistent_amounts",
             "investment_month", df["investment_month"], "the month's investment exceeds the year-to-date total",
             "investment_month ≤ investment_ytd")
    chk.flag((out["investment_ytd"] > out["investment_cumulative"] + tol).to_numpy(), "inconsistent_amounts",
             "investment_ytd", df["investment_ytd"], "the year-to-date investment exceeds the cumulative total",
             "investment_ytd ≤ investment_cumulative")
    # year to date = the previous report of the same year + this month, when the previous month was reported
    ordered = out.assign(_i=np.arange(len(out)))
    ordered = ordered[ordered["month"].notna() & ~pd.Series(dup, index=out.index)]
    if len(ordered):
        mi = month_index(ordered["month"])
        ordered = ordered.assign(_mi=mi).sort_values(["project_id", "_mi"])
        prev_same = (ordered["project_id"].eq(ordered["project_id"].shift()) &
                     ordered["_mi"].sub(1).eq(ordered["_mi"].shift()) & (ordered["_mi"] % 12 != 0))
        expected_ytd = ordered["investment_ytd"].shift() + ordered["investment_month"]
        off = prev_same & (ordered["investment_ytd"] - expected_ytd).abs().gt(tol)
        mask = np.zeros(len(out), dtype=bool)
        mask[ordered.loc[off, "_i"].to_numpy()] = True
        exp = np.full(len(out), np.nan)
        exp[ordered["_i"].to_numpy()] = expected_ytd.to_numpy()
        chk.flag(mask, "ytd_not_cumulative", "investment_ytd", df["investment_ytd"],
                 "year to date ≠ last month's year to date + this month's investment", "the running total "
                 "(the later figure is used as reported)", severity="warning")
        # the first month of a year: year to date is the month itself
        jan = (ordered["_mi"] % 12 == 0) & (ordered["investment_ytd"] - ordered["investment_month"]).abs().gt(tol)
        mask = np.zeros(len(out), dtype=bool)
        mask[ordered.loc[jan, "_i"].to_numpy()] = True
        chk.flag(mask, "ytd_not_cumulative", "investment_ytd", df["investment_ytd"],
                 "in January the year to date differs from the month's investment", "investment_ytd = "
                 "investment_month in January", severity="warning")
    if total_investment is not None:
        tot = out["project_id"].map(total_investment).to_numpy(dtype=float)
        chk.flag(out["investment_cumulative"].to_numpy() > tot + tol, "above_total", "investment_cumulative",
                 df["investment_cumulative"], "the cumulative investment exceeds the project's total investment",
                 "at most the total investment (or revise the total in the project bank)", severity="warning")
    return out


def validate_frames(projects: pd.DataFrame, plans: pd.DataFrame, reports: pd.DataFrame, *,
                    sources: Mapping[str, str] | None = None,
                    known_codes: Iterable[str] | None = None) -> DispatchFrames:
    """Validate and normalise the three tables together. Raises `XianpingInputError` carrying every located error
    (of all three tables at once); warnings are returned in `DispatchFrames.warnings`. The inputs are not changed."""
    sources = sources or {}
    report = ProblemReport()
    p = validate_projects(projects, report, sources.get("projects"), known_codes)
    ids = None if p is None else p["project_id"].tolist()
    total = None if p is None else p.drop_duplicates("project_id").set_index("project_id")["total_investment"]
    pl = validate_plans(plans, report, ids, sources.get("plans"))
    r = validate_reports(reports, report, ids, sources.get("reports"), total)
    report.raise_if_errors("the dispatch tables (projects, plans, reports) have errors")
    _reports_without_plan(reports, r, pl, report, sources.get("reports"))
    warnings = ProblemReport([x for x in report.problems if x.severity != "error"])
    return DispatchFrames(p, pl, r.assign(month=r["month"].astype(str)), warnings)


def _reports_without_plan(raw: pd.DataFrame, r: pd.DataFrame, pl: pd.DataFrame, report: ProblemReport,
                          source: str | None) -> None:
    """A report in a month with no plan in force is left out of every measure: say so (a warning, row located)."""
    key = r["project_id"] + "|" + r["month"].str.slice(0, 4)
    firsts = pl.assign(key=pl["project_id"] + "|" + pl["year"].astype(str)).groupby("key")["effective_month"].min()
    start = key.map(firsts)
    orphan = (start.isna() | (r["month"] < start.fillna(""))).to_numpy()
    chk = _Checker("reports", raw.reset_index(drop=True), report, source)
    chk.flag(orphan, "no_plan_in_force", "month", r["month"], "no annual plan is in force for the project in this "
             "month, so the report is left out of the measures", "a plans row of the year with effective_month on "
             "or before the month", severity="warning")
