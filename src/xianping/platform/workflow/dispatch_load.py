"""The platform's dispatch tables as the frames contract (xianping.dispatch.frames): one SELECT per table into pandas,
columnar — never an ORM object per row (5,000 projects × 12 months is 60,000 reports).

    frames = load_frames(db, who)                      # the user's division; approved reports only
    frames = load_frames(db, SYSTEM, statuses=("approved", "submitted"))   # what the reviewer is about to approve

Only approved reports feed the measures by default: a submitted month is not yet a fact (the reviewer may send it
back), so until it is approved the month counts as not reported.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd
from sqlalchemy import select, type_coerce
from sqlalchemy.types import NullType
from sqlalchemy.orm import Session

from xianping.dispatch.frames import PLAN_COLUMNS, PROJECT_COLUMNS, REPORT_COLUMNS, DispatchFrames
from xianping.platform.audit.record import Actor
from xianping.platform.db.dispatch_models import Project, ProjectPlan, ProjectReport
from xianping.platform.db.models import User
from xianping.platform.workflow.dispatch_scope import project_condition

DATE_COLUMNS = ("plan_start", "plan_finish", "actual_start", "actual_finish")


def _read(db: Session, stmt) -> pd.DataFrame:
    return pd.read_sql_query(stmt, db.connection())


def _raw(column, name: str):
    """The column as the driver returns it (SQLite: date text, 0/1), without SQLAlchemy's per-row conversion to
    date/bool objects — pandas converts the whole column at once below (a third of the load time at 60,000 rows)."""
    return type_coerce(column, NullType()).label(name)


def load_frames(db: Session, who: User | Actor | None, *, statuses: Iterable[str] = ("approved",),
                county_codes: Iterable[str] | None = None, year: int | None = None) -> DispatchFrames:
    """The three frames of the projects `who` reaches (optionally only the given counties; plans and reports of one
    year only)."""
    cond = project_condition(who)
    if county_codes is not None:
        cond = cond & Project.unit_code.in_(list(county_codes))
    projects = _read(db, select(Project.code.label("project_id"), Project.name, Project.unit_code, Project.sector,
                                Project.kind, Project.total_investment, *[_raw(getattr(Project, c), c) for c in DATE_COLUMNS],
                                _raw(Project.in_statistics, "in_statistics"), Project.cluster, Project.responsible_unit,
                                Project.responsible_person).where(cond).order_by(Project.unit_code, Project.code))
    # plans and reports in no particular order: (project, month) is unique, the measures place them by position
    plans = select(Project.code.label("project_id"), ProjectPlan.year, ProjectPlan.effective_month,
                   ProjectPlan.annual_plan).join(Project, Project.id == ProjectPlan.project_id).where(cond)
    reports = (select(Project.code.label("project_id"), ProjectReport.month, ProjectReport.investment_month,
                      ProjectReport.investment_ytd, ProjectReport.investment_cumulative, ProjectReport.funds_in_place,
                      _raw(ProjectReport.started, "started"), _raw(ProjectReport.finished, "finished"),
                      ProjectReport.progress, ProjectReport.problems)
               .join(Project, Project.id == ProjectReport.project_id)
               .where(cond, ProjectReport.status.in_(list(statuses))))
    if year is not None:   # the measures of a month read its year only
        plans = plans.where(ProjectPlan.year == year)
        reports = reports.where(ProjectReport.month.startswith(f"{year}-"))
    plans, reports = _read(db, plans), _read(db, reports)
    # the contract's types (SQLite hands back dates as text and booleans as 0/1)
    for c in DATE_COLUMNS:
        projects[c] = pd.to_datetime(projects[c]).astype("datetime64[ns]")
    projects["in_statistics"] = projects["in_statistics"].astype(bool)
    projects["cluster"] = projects["cluster"].astype(object).where(projects["cluster"].notna(), None)
    projects["total_investment"] = projects["total_investment"].astype(float)
    plans["year"] = plans["year"].astype(int)
    plans["annual_plan"] = plans["annual_plan"].astype(float)
    for c in ("investment_month", "investment_ytd", "investment_cumulative", "funds_in_place"):
        reports[c] = reports[c].astype(float)
    for c in ("started", "finished"):
        reports[c] = reports[c].astype(bool)
    for c in ("progress", "problems"):
        reports[c] = reports[c].fillna("").astype(str)
    reports["month"] = reports["month"].astype(str)
    return DispatchFrames(projects[list(PROJECT_COLUMNS)], plans[list(PLAN_COLUMNS)], reports[list(REPORT_COLUMNS)])
