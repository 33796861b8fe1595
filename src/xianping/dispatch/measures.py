"""重点项目月调度 measures: completion of the annual plan, pace against the calendar and the 四率, per project, county
and sector, for every month of a year at once (arrays projects × 12 months; groups summed with one bincount).

Definitions (month m of year Y, k = m's number 1…12; sources: ../shared/docs/assessment_practice.md, 重点项目月调度):
- plan: the annual plan in force in m — the plan row of year Y with the latest effective_month ≤ m. A project with
  no plan in force is not on the year's list in m (it is left out of every count and sum, not counted as zero).
- completion (%) = investment_ytd ÷ plan × 100 ("1–10月完成年度计划的97.2%"); undefined for a plan of 0.
  Investment above plan gives more than 100 %, kept as is.
- elapsed share (%): `elapsed="months"` (default) k ÷ 12 × 100 — the convention of the published notices ("时间过半"
  at June); `elapsed="days"` the days from 1 January to the month's last day ÷ the days of the year × 100.
- pace (percentage points) = completion − elapsed ("超时序进度13.8个百分点" when positive, 滞后 when negative).
- 开工率 start rate = new (新建) projects started by the end of m ÷ new projects whose plan_start is in or before m.
  Started = actual_start in or before m, or a report in or before m with started = true. Continuing (续建) projects
  are started by definition and are not in this rate.
- 按期竣工率 on-time completion = projects due (plan_finish in year Y, in or before m) that finished by their planned
  month (actual_finish, or the first report with finished = true, in or before plan_finish's month) ÷ those due.
- 资金到位率 funds-in-place rate = funds_in_place (year to date) ÷ plan × 100.
- 入统率 = started projects entered in the statistics (in_statistics) ÷ started projects (a project enters the
  statistics once started).

Missing reports (`missing=`): a month with no report row is missing, never zero.
- "unknown" (default): the project's year to date in m is unknown. It is "no report" in m; its completion, pace and
  funds are missing; group sums run over the reporting projects only (completion = Σytd ÷ Σplan over them) and the
  group shows how many projects did not report. An earlier month's figure is not carried: it would understate a
  project that invested and did not report and hide the missing report inside the sum.
- "last_reported": the latest earlier report of the same year stands in (flagged `carried`); still counted as not
  reported. Offered for offices that publish that way; the choice is written into the result's settings.

A project that finished in an earlier month (actual_finish or a finished report) is expected to report no more:
its last report of the year stands as final (status "finished", `closed`), under either rule.

Reported, per group (county, sector, all) and month — what "报送 n/m" means:
- n_due_report: listed projects due to report in the month (not finished in an earlier month);
- n_reported: those of them whose report for the month is in (a project finished earlier that reports anyway is not
  counted: it was not due); n_no_report = n_due_report − n_reported; n_closed: finished earlier, not due.
- report_state: "reported" (at least one due report in), "none_received" (reports due, none in) or "none_due"
  (every listed project finished earlier). Only a "reported" group has a completion, pace and funds rate for the
  month: a group whose figure would rest only on finished projects' final figures (or carried ones) shows none,
  rather than a completion as if it had reported ("0/6 报送, 120 %" is not shown). Σytd ÷ Σplan of a reported group
  still includes its finished projects' final year to date, which is the group's year.
Start, finish and 入统 counts do not need this month's report: they use dates and earlier events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .frames import DispatchFrames, month_index

__all__ = ["YearMeasures", "GroupMeasures", "MonthMeasures", "year_measures", "month_measures", "elapsed_share",
           "GROUP_SUMS", "report_state"]

ElapsedConvention = Literal["months", "days"]
MissingRule = Literal["unknown", "last_reported"]
NO_MONTH = 10**9  # "never" as a month index: after every real month (year·12 + month − 1 < 10⁹)


def elapsed_share(year: int, convention: ElapsedConvention = "months") -> np.ndarray:
    """Elapsed share of the year (%) at the end of each month, shape (12,)."""
    k = np.arange(1, 13, dtype=float)
    if convention == "months":
        return k / 12 * 100
    if convention == "days":
        ends = pd.date_range(f"{year}-01-01", periods=12, freq="ME")
        days = 366 if pd.Timestamp(f"{year}-12-31").day_of_year == 366 else 365
        return ends.day_of_year.to_numpy(dtype=float) / days * 100
    raise ValueError(f"elapsed convention {convention!r}: expected 'months' or 'days'")


def _ffill(values: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward fill along axis 1: (filled, had a value so far)."""
    idx = np.where(valid, np.arange(values.shape[1])[None, :], 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    seen = np.logical_or.accumulate(valid, axis=1)
    return np.where(seen, np.take_along_axis(values, idx, axis=1), np.nan), seen


def _first_event_month(frames: DispatchFrames, pos: pd.Index, column: str) -> np.ndarray:
    """Per project, the month index of the first report with `column` true (NO_MONTH if none)."""
    r = frames.reports
    hit = r[r[column].to_numpy(dtype=bool)]
    out = np.full(len(pos), NO_MONTH, dtype=np.int64)
    if len(hit):
        i = pos.get_indexer(hit["project_id"])
        mi = month_index(hit["month"])
        ok = i >= 0
        np.minimum.at(out, i[ok], mi[ok])
    return out


def _date_month(s: pd.Series) -> np.ndarray:
    d = pd.to_datetime(s)
    out = (d.dt.year * 12 + d.dt.month - 1).to_numpy(dtype=float)
    return np.where(np.isnan(out), NO_MONTH, out).astype(np.int64)


@dataclass
class YearMeasures:
    """Every project's measures for the 12 months of `year`; arrays are (projects, 12), month k at column k − 1."""

    year: int
    projects: pd.DataFrame  # the project bank, in the arrays' row order
    settings: dict
    elapsed: np.ndarray  # (12,) %
    in_list: np.ndarray  # a plan is in force
    reported: np.ndarray  # a report row exists for the month
    carried: np.ndarray  # ytd taken from an earlier month (missing="last_reported")
    closed: np.ndarray  # finished in an earlier month: no report expected, the last ytd is final
    due_report: np.ndarray  # listed and not finished in an earlier month: a report is expected
    plan: np.ndarray  # 万元, NaN without a plan
    ytd: np.ndarray  # 万元, NaN when unknown
    funds: np.ndarray  # 万元, NaN when unknown
    completion: np.ndarray  # %
    pace: np.ndarray  # percentage points
    funds_rate: np.ndarray  # %
    due_start: np.ndarray  # new project whose planned start is in or before the month
    started: np.ndarray  # started by the end of the month (continuing projects: always)
    due_finish: np.ndarray  # planned finish in this year, in or before the month
    finished: np.ndarray  # finished by the end of the month
    finished_on_time: np.ndarray  # finished by its planned month
    in_statistics: np.ndarray  # (projects,) 入统

    def groups(self, by: str | None) -> "GroupMeasures":
        """Sums and rates per value of the project column `by` (unit_code, sector, cluster …), or for all (None)."""
        if by is None:
            keys = np.array(["全部 all"], dtype=object)
            gi = np.zeros(len(self.projects), dtype=np.int64)
        else:
            col = self.projects[by].fillna("").astype(str)
            gi, keys = pd.factorize(col, sort=True)
            keys = np.asarray(keys, dtype=object)
        return _aggregate(self, by or "all", keys, gi)


# (name, project array expression) of every group sum; rates are ratios of these
GROUP_SUMS = ("n_projects", "n_due_report", "n_reported", "n_no_report", "n_closed", "plan_all", "plan_reported", "ytd_reported",
              "funds_reported", "n_due_start", "n_started_due", "n_due_finish", "n_on_time", "n_started",
              "n_started_in_statistics")


@dataclass
class GroupMeasures:
    """Sums and rates of groups of projects for 12 months: arrays (groups, 12)."""

    by: str
    keys: np.ndarray
    sums: dict[str, np.ndarray]
    completion: np.ndarray
    pace: np.ndarray
    start_rate: np.ndarray
    on_time_rate: np.ndarray
    funds_rate: np.ndarray
    in_statistics_rate: np.ndarray

    def month_table(self, k: int) -> pd.DataFrame:
        """The groups' row for month number k (1…12)."""
        j = k - 1
        t = pd.DataFrame({self.by: self.keys})
        for name in GROUP_SUMS:
            v = self.sums[name][:, j]
            t[name] = v.astype(np.int64) if name.startswith("n_") else v
        for name in ("completion", "pace", "start_rate", "on_time_rate", "funds_rate", "in_statistics_rate"):
            t[name] = getattr(self, name)[:, j]
        t["report_state"] = report_state(self.sums["n_due_report"][:, j], self.sums["n_reported"][:, j])
        return t


def report_state(n_due: np.ndarray, n_reported: np.ndarray) -> np.ndarray:
    """'reported' | 'none_received' (reports due, none in) | 'none_due' (nothing due: all finished earlier)."""
    return np.where(n_reported > 0, "reported", np.where(n_due > 0, "none_received", "none_due")).astype(object)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1) * 100, np.nan)


def _aggregate(ym: YearMeasures, by: str, keys: np.ndarray, gi: np.ndarray) -> GroupMeasures:
    g = len(keys)
    flat = (gi[:, None] * 12 + np.arange(12)[None, :]).ravel()

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(flat, weights=np.asarray(x, dtype=float).ravel(), minlength=g * 12).reshape(g, 12)

    listed = ym.in_list
    known = listed & ~np.isnan(ym.ytd)  # reported (or carried, under missing="last_reported")
    zero = 0.0
    sums = {
        "n_projects": total(listed),
        "n_due_report": total(listed & ym.due_report),
        "n_reported": total(listed & ym.due_report & ym.reported),
        "n_no_report": total(listed & ~ym.reported & ~ym.closed),
        "n_closed": total(listed & ym.closed),
        "plan_all": total(np.where(listed, ym.plan, zero)),
        "plan_reported": total(np.where(known, ym.plan, zero)),
        "ytd_reported": total(np.where(known, ym.ytd, zero)),
        "funds_reported": total(np.where(known & ~np.isnan(ym.funds), ym.funds, zero)),
        "n_due_start": total(listed & ym.due_start),
        "n_started_due": total(listed & ym.due_start & ym.started),
        "n_due_finish": total(listed & ym.due_finish),
        "n_on_time": total(listed & ym.due_finish & ym.finished_on_time),
        "n_started": total(listed & ym.started),
        "n_started_in_statistics": total(listed & ym.started & ym.in_statistics[:, None]),
    }
    # a completion only where a due report is in: not from finished projects' final figures (or carried ones) alone
    some = sums["n_reported"] > 0
    completion = np.where(some, _ratio(sums["ytd_reported"], sums["plan_reported"]), np.nan)
    return GroupMeasures(
        by=by, keys=keys, sums=sums, completion=completion, pace=completion - ym.elapsed[None, :],
        start_rate=_ratio(sums["n_started_due"], sums["n_due_start"]),
        on_time_rate=_ratio(sums["n_on_time"], sums["n_due_finish"]),
        funds_rate=np.where(some, _ratio(sums["funds_reported"], sums["plan_reported"]), np.nan),
        in_statistics_rate=_ratio(sums["n_started_in_statistics"], sums["n_started"]),
    )


def year_measures(frames: DispatchFrames, year: int, *, elapsed: ElapsedConvention = "months",
                  missing: MissingRule = "unknown") -> YearMeasures:
    """All measures of every project for the 12 months of `year` (see the module's definitions)."""
    if missing not in ("unknown", "last_reported"):
        raise ValueError(f"missing rule {missing!r}: expected 'unknown' or 'last_reported'")
    projects = frames.projects.reset_index(drop=True)
    pos = pd.Index(projects["project_id"])
    n = len(projects)
    base = year * 12
    months = base + np.arange(12, dtype=np.int64)

    # the plan in force: each plan row written at its effective month, then carried forward through the year
    pl = frames.plans[frames.plans["year"] == year]
    plan_at = np.full((n, 12), np.nan)
    has_row = np.zeros((n, 12), dtype=bool)
    if len(pl):
        i = pos.get_indexer(pl["project_id"])
        k = month_index(pl["effective_month"]) - base
        ok = i >= 0
        plan_at[i[ok], k[ok]] = pl["annual_plan"].to_numpy(dtype=float)[ok]
        has_row[i[ok], k[ok]] = True
    plan, in_list = _ffill(plan_at, has_row)

    r = frames.reports
    r = r[r["month"].str.slice(0, 4) == str(year)]
    reported = np.zeros((n, 12), dtype=bool)
    ytd = np.full((n, 12), np.nan)
    funds = np.full((n, 12), np.nan)
    if len(r):
        i = pos.get_indexer(r["project_id"])
        k = month_index(r["month"]) - base
        ok = i >= 0
        reported[i[ok], k[ok]] = True
        ytd[i[ok], k[ok]] = r["investment_ytd"].to_numpy(dtype=float)[ok]
        funds[i[ok], k[ok]] = r["funds_in_place"].to_numpy(dtype=float)[ok]
    is_new = projects["kind"].to_numpy() == "new"
    start_month = np.minimum(_date_month(projects["actual_start"]), _first_event_month(frames, pos, "started"))
    finish_month = np.minimum(_date_month(projects["actual_finish"]), _first_event_month(frames, pos, "finished"))
    plan_start_month = _date_month(projects["plan_start"])
    plan_finish_month = _date_month(projects["plan_finish"])
    due_start = is_new[:, None] & (plan_start_month[:, None] <= months[None, :])
    started = ~is_new[:, None] | (start_month[:, None] <= months[None, :])
    due_finish = ((plan_finish_month // 12 == year)[:, None]) & (plan_finish_month[:, None] <= months[None, :])
    finished = finish_month[:, None] <= months[None, :]
    finished_on_time = finished & (finish_month <= plan_finish_month)[:, None]

    # a project finished in an earlier month reports no more: its last report's year to date is final
    closed = finish_month[:, None] < months[None, :]
    ytd_last, seen = _ffill(ytd, reported)
    funds_last, _ = _ffill(funds, reported)
    carried = np.zeros((n, 12), dtype=bool)
    take = closed & ~reported & seen
    if missing == "last_reported":
        take = ~reported & seen
        carried = take & ~closed
    ytd = np.where(take, ytd_last, ytd)
    funds = np.where(take, funds_last, funds)

    with np.errstate(divide="ignore", invalid="ignore"):
        usable = in_list & (plan > 0) & ~np.isnan(ytd)
        completion = np.where(usable, ytd / np.where(usable, plan, 1) * 100, np.nan)
        funds_rate = np.where(usable & ~np.isnan(funds), funds / np.where(usable, plan, 1) * 100, np.nan)
    share = elapsed_share(year, elapsed)
    pace = completion - share[None, :]

    settings = {"year": year, "elapsed": elapsed, "missing": missing,
                "elapsed_rule": "k/12" if elapsed == "months" else "days to the month's end / days of the year",
                "plan_rule": "latest effective_month ≤ month, same year; none before the first",
                "start_rate": "new projects started ÷ new projects due to start",
                "funds_rate": "funds_in_place (ytd) ÷ plan in force",
                "in_statistics_rate": "started projects in statistics ÷ started projects"}
    return YearMeasures(year=year, projects=projects, settings=settings, elapsed=share, in_list=in_list,
                        reported=reported, carried=carried, closed=closed & ~reported, due_report=in_list & ~closed, plan=plan, ytd=ytd, funds=funds, completion=completion,
                        pace=pace, funds_rate=funds_rate, due_start=due_start, started=started,
                        due_finish=due_finish, finished=finished, finished_on_time=finished_on_time,
                        in_statistics=projects["in_statistics"].to_numpy(dtype=bool))


@dataclass
class MonthMeasures:
    """One month's tables: per project, per county (unit_code), per sector, and the total."""

    month: str
    projects: pd.DataFrame
    counties: pd.DataFrame
    sectors: pd.DataFrame
    total: pd.DataFrame
    settings: dict = field(default_factory=dict)


def project_table(ym: YearMeasures, k: int) -> pd.DataFrame:
    """Month k's row of every project (the ones without a plan in force included, status 'no_plan')."""
    j = k - 1
    p = ym.projects
    status = np.where(~ym.in_list[:, j], "no_plan", np.where(ym.reported[:, j], "reported",
                      np.where(ym.closed[:, j], "finished", "no_report")))
    return pd.DataFrame({
        "project_id": p["project_id"], "name": p["name"], "unit_code": p["unit_code"], "sector": p["sector"],
        "kind": p["kind"], "status": status, "carried": ym.carried[:, j], "annual_plan": ym.plan[:, j],
        "investment_ytd": ym.ytd[:, j], "completion": ym.completion[:, j], "elapsed": ym.elapsed[j],
        "pace": ym.pace[:, j], "funds_in_place": ym.funds[:, j], "funds_rate": ym.funds_rate[:, j],
        "due_start": ym.due_start[:, j], "started": ym.started[:, j], "due_finish": ym.due_finish[:, j],
        "finished": ym.finished[:, j], "finished_on_time": ym.finished_on_time[:, j],
        "in_statistics": ym.in_statistics,
    })


def month_measures(frames: DispatchFrames, month: str, *, elapsed: ElapsedConvention = "months",
                   missing: MissingRule = "unknown") -> MonthMeasures:
    """The tables for one month 'YYYY-MM'."""
    year, k = int(month[:4]), int(month[5:7])
    ym = year_measures(frames, year, elapsed=elapsed, missing=missing)
    return MonthMeasures(month=month, projects=project_table(ym, k),
                         counties=ym.groups("unit_code").month_table(k), sectors=ym.groups("sector").month_table(k),
                         total=ym.groups(None).month_table(k), settings=dict(ym.settings, month=month))
