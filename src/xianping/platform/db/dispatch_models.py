"""重点项目月调度 (key-project monthly dispatch): the project bank, the annual plans, the monthly reports and their
photos, and the issue ledger (问题台账) the warnings open. Same `Base` (and conventions) as models.py, which imports
this module at its end so that Base.metadata — what the migrations are checked against — holds these tables.

Money is 万元 throughout (an import converts 亿元/元 columns on the way in). Months are 'YYYY-MM' text: they sort and
compare as text, and the frames contract (xianping.dispatch.frames) speaks them. A month without a report has no
row: "missing" is never stored as zero.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xianping.platform.db.models import Base, _one_of, utcnow

PROJECT_KINDS = ("new", "continuing")
PROJECT_KINDS_ZH = {"new": "新建", "continuing": "续建"}
REPORT_STATUSES = ("draft", "submitted", "approved", "rejected")
REPORT_STATUSES_ZH = {"draft": "草稿", "submitted": "已提交", "approved": "已通过", "rejected": "已退回"}
LEDGER_SOURCES = ("project", "county", "indicator")
LEDGER_SOURCES_ZH = {"project": "项目", "county": "县(市、区)", "indicator": "指标"}
LEDGER_COLOURS = ("red", "yellow")
LEDGER_COLOURS_ZH = {"red": "红", "yellow": "黄"}
LEDGER_STATUSES = ("open", "in_progress", "closed")
LEDGER_STATUSES_ZH = {"open": "待处理", "in_progress": "整改中", "closed": "已销号"}
MONTH_CHECK = "LIKE '____-__'"


class Project(Base):
    """A project of the bank (项目库). `code` is the province's project number (项目编号, e.g. the national online
    approval code): what the monthly sheets name the project by. `unit_code` is the county (GB/T 2260) it is
    reported and scoped by."""

    __tablename__ = "projects"
    __table_args__ = (_one_of("kind", PROJECT_KINDS), CheckConstraint("total_investment >= 0", name="total_nonnegative"))
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    sector: Mapped[str] = mapped_column(String(64), default="")          # 行业/领域
    kind: Mapped[str] = mapped_column(String(16))                        # 建设性质: new 新建 / continuing 续建
    total_investment: Mapped[float] = mapped_column(Float)              # 总投资, 万元
    plan_start: Mapped[date] = mapped_column(Date)                     # required by the frames contract
    plan_finish: Mapped[date] = mapped_column(Date)
    actual_start: Mapped[Optional[date]] = mapped_column(Date)
    actual_finish: Mapped[Optional[date]] = mapped_column(Date)
    in_statistics: Mapped[bool] = mapped_column(Boolean, default=False)  # 入统
    cluster: Mapped[Optional[str]] = mapped_column(String(100))          # 百亿级产业集群
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    responsible_person: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class ProjectPlan(Base):
    """A year's planned investment (年度计划投资, 万元), effective from a month: a plan revised mid-year is a second row
    with a later effective_month, never an overwrite (the measures of earlier months keep the plan they had)."""

    __tablename__ = "project_plans"
    __table_args__ = (UniqueConstraint("project_id", "year", "effective_month"),
                      CheckConstraint(f"effective_month {MONTH_CHECK}", name="month_format"),
                      CheckConstraint("annual_plan >= 0", name="plan_nonnegative"))
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    effective_month: Mapped[str] = mapped_column(String(7))
    annual_plan: Mapped[float] = mapped_column(Float)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProjectReport(Base):
    """One project's report for one month (月调度表), reviewed like a submission: draft → submitted → approved, or
    rejected with a reason and fixed. Only approved reports feed the measures."""

    __tablename__ = "project_reports"
    __table_args__ = (_one_of("status", REPORT_STATUSES), UniqueConstraint("project_id", "month"),
                      CheckConstraint(f"month {MONTH_CHECK}", name="month_format"),
                      Index("ix_project_reports_month_status", "month", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    investment_month: Mapped[Optional[float]] = mapped_column(Float)       # 本月完成投资, 万元
    investment_ytd: Mapped[Optional[float]] = mapped_column(Float)         # 本年累计
    investment_cumulative: Mapped[Optional[float]] = mapped_column(Float)  # 自开工累计
    funds_in_place: Mapped[Optional[float]] = mapped_column(Float)         # 到位资金 (本年)
    started: Mapped[bool] = mapped_column(Boolean, default=False)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[str] = mapped_column(Text, default="")                # 形象进度
    problems: Mapped[str] = mapped_column(Text, default="")                # 存在问题
    status: Mapped[str] = mapped_column(String(16), default="draft")
    reporter_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[Optional[datetime]]
    reviewer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[Optional[datetime]]
    review_reason: Mapped[Optional[str]] = mapped_column(Text)
    file_name: Mapped[Optional[str]] = mapped_column(String(255))           # the uploaded sheet it came from
    file_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    project: Mapped[Project] = relationship()
    __mapper_args__ = {"version_id_col": version}


class ProjectReportFile(Base):
    """A progress photo (or a PDF/XLSX) of a monthly report, stored by workflow/evidence.store_file (type sniffed,
    size cap, content-addressed) under DIR/evidence; `path` relative to the platform folder."""

    __tablename__ = "project_report_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("project_reports.id"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerItem(Base):
    """问题台账: an item opened by a red or yellow warning (source: a project, a county or an indicator, the month and
    colour that opened it), owned, due, worked on and closed with a note; escalated once past its due date.
    (source_kind, source_key, month) is unique: recomputing a month's warnings never opens an item twice."""

    __tablename__ = "ledger_items"
    __table_args__ = (_one_of("source_kind", LEDGER_SOURCES), _one_of("colour", LEDGER_COLOURS),
                      _one_of("status", LEDGER_STATUSES), UniqueConstraint("source_kind", "source_key", "month"),
                      CheckConstraint(f"month {MONTH_CHECK}", name="month_format"),
                      CheckConstraint("status <> 'closed' OR (closing_note IS NOT NULL AND closing_note <> '')",
                                      name="closed_has_note"),
                      Index("ix_ledger_items_status_due", "status", "due_date"))
    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    source_key: Mapped[str] = mapped_column(String(100))       # project code, county code, or county:indicator
    unit_code: Mapped[str] = mapped_column(String(6), index=True)   # the county it belongs to (scope)
    month: Mapped[str] = mapped_column(String(7))               # the month whose warning opened it
    colour: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")       # the warning's reason, as the rules wrote it
    owner: Mapped[str] = mapped_column(String(200), default="")  # 责任单位/责任人
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    closing_note: Mapped[Optional[str]] = mapped_column(Text)
    closed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[Optional[datetime]]
    escalated_at: Mapped[Optional[datetime]]
    escalated_to: Mapped[Optional[str]] = mapped_column(String(6))   # the division told (prefecture, then province)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class IndicatorValue(Base):
    """监测: one unit's year-to-date value of an indicator for a month ('YYYY-MM') or quarter ('YYYY-Qn'), as imported
    (xianping.dispatch.monitoring's values contract: value = 1–m月累计, growth = 累计增速 %). The province's own row
    (its code, e.g. 410000) is the comparison for the provincial average growth. A period without a row is missing."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("unit_code", "indicator", "period"),
                      CheckConstraint("value IS NOT NULL OR growth IS NOT NULL", name="value_or_growth"))
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(6), index=True)
    indicator: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(7))          # 2025-06 or 2025-Q2
    value: Mapped[Optional[float]] = mapped_column(Float)
    growth: Mapped[Optional[float]] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255), default="")   # the file it came from
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IndicatorTarget(Base):
    """The year's target of an indicator for a unit: the cumulative value (target_value) and/or the growth (%)."""

    __tablename__ = "indicator_targets"
    __table_args__ = (UniqueConstraint("unit_code", "indicator", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(6), index=True)
    indicator: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    target_value: Mapped[Optional[float]] = mapped_column(Float)
    target_growth: Mapped[Optional[float]] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


__all__ = ["Project", "ProjectPlan", "ProjectReport", "ProjectReportFile", "LedgerItem", "IndicatorValue",
           "IndicatorTarget"]
