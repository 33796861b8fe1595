"""The platform's tables, for the whole assessment cycle (services for the later steps are written against them).

Conventions: times are UTC and timezone-aware (`UTCDateTime` gives them back aware on SQLite too); statuses are
short ASCII codes checked by the database (the Chinese labels are in the *_ZH maps); division codes are strings
(GB/T 2260 six digits for counties, longer codes for towns, villages and zones registered under a county).
The schema itself is created by the Alembic migrations in db/migrations, never by `create_all`: the migration
is what a province's PostgreSQL gets, and the audit log's triggers live there.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String,
                        Text, UniqueConstraint, event, false)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC. SQLite has no time zones and hands back naive datetimes: they are UTC by this
    column's contract, so they are made aware again (comparisons with `utcnow()` would fail otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=f"{column}_valid")


ROLES = ("province_admin", "prefecture_reviewer", "county_reporter", "department_reporter", "viewer")
ROLES_ZH = {"province_admin": "省级管理员", "prefecture_reviewer": "市级审核员", "county_reporter": "县级填报员",
            "department_reporter": "部门填报员", "viewer": "只读用户"}
UNIT_KINDS = ("county", "town", "village", "zone", "cluster")
UNIT_KINDS_ZH = {"county": "县(市、区)", "town": "乡镇(街道)", "village": "村(社区)", "zone": "开发区", "cluster": "产业集群"}
PERIOD_KINDS = ("year", "quarter", "month")
PROGRAMME_STATUSES = ("draft", "open", "closed", "computed", "publicity", "published")
PROGRAMME_STATUSES_ZH = {"draft": "草稿", "open": "填报中", "closed": "已截止", "computed": "已计算", "publicity": "公示中",
                         "published": "已通报"}
TASK_STATUSES = ("pending", "submitted", "rejected", "approved", "overdue")
TASK_STATUSES_ZH = {"pending": "待填报", "submitted": "已提交", "rejected": "已退回", "approved": "已通过", "overdue": "已逾期"}
VALUE_STATUSES = ("draft", "submitted", "rejected", "approved")
DECISIONS = ("approve", "reject")
OBJECTION_STATUSES = ("open", "upheld", "dismissed")
RESULT_STATUSES = ("draft", "publicity", "final")


class Base(DeclarativeBase):
    # named constraints, so a later migration can drop or alter one by name on both databases
    metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_N_name)s",
                                           "ck": "ck_%(table_name)s_%(constraint_name)s",
                                           "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                                           "pk": "pk_%(table_name)s"})
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Unit(Base):
    """A unit a programme covers: a county, or a town / village / development zone / industrial cluster registered
    under a county with its own code. `county_code` is the county it belongs to (itself for a county): division
    scope is decided on it, so a county reporter also reaches the units registered under its county."""

    __tablename__ = "units"
    __table_args__ = (_one_of("kind", UNIT_KINDS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="county")
    parent_code: Mapped[Optional[str]] = mapped_column(String(32))   # the division or unit it is registered under
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Department(Base):
    """A provincial department (责任单位) that supplies some indicators for all counties of its province."""

    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    province_code: Mapped[str] = mapped_column(String(6))
    indicators: Mapped[list["DepartmentIndicator"]] = relationship(back_populates="department", cascade="all, delete-orphan")


class DepartmentIndicator(Base):
    __tablename__ = "department_indicators"
    __table_args__ = (UniqueConstraint("department_id", "indicator"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    indicator: Mapped[str] = mapped_column(String(64))   # the framework's indicator code
    department: Mapped[Department] = relationship(back_populates="indicators")


class User(Base):
    """scope_code: the division the user acts for (province 410000, prefecture 410100, county 410102); a department
    reporter's reach is its department's indicators instead, a viewer's the published results."""

    __tablename__ = "users"
    __table_args__ = (_one_of("role", ROLES),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    scope_code: Mapped[Optional[str]] = mapped_column(String(32))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # set by an admin's reset (a temporary password): nothing but the password change is served until it is done
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())   # 0003
    password_changed_at: Mapped[Optional[datetime]]                                                        # 0003
    department: Mapped[Optional[Department]] = relationship()


class LoginSession(Base):
    """A server-side session. Only the sha256 of the cookie's token is stored: a copy of the database logs no one in."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[Optional[str]] = mapped_column(String(64))
    revoked_at: Mapped[Optional[datetime]]
    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A bearer token for scripts calling the JSON API; stored hashed like sessions."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[Optional[datetime]]
    last_used_at: Mapped[Optional[datetime]]
    revoked_at: Mapped[Optional[datetime]]
    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """Failed logins by username and client IP, in the database so that every worker process counts the same."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"), Index("ix_login_attempts_ip_at", "ip", "at"),
                      Index("ix_login_attempts_at", "at"))   # old rows are pruned by time (0003)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class PlatformSetting(Base):
    """One setting of the platform (key → JSON value), e.g. session_idle_minutes; no row = the built-in default
    (auth/settings.py names them). Kept in the database so that every worker process reads the same (0003)."""

    __tablename__ = "platform_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


class Programme(Base):
    """A 考核方案: a framework (its YAML text and sha256, so a result names exactly what it was scored with), the county
    classes, the period, the deadlines in days from opening, and where it runs (a province, or a county over its
    own towns)."""

    __tablename__ = "programmes"
    __table_args__ = (_one_of("period_kind", PERIOD_KINDS), _one_of("status", PROGRAMME_STATUSES))
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    framework_yaml: Mapped[str] = mapped_column(Text)
    framework_sha256: Mapped[str] = mapped_column(String(64))
    classes: Mapped[dict[str, Any]] = mapped_column(default=dict)   # unit code → class name (分类考核)
    period_kind: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(16))                   # 2025, 2025Q1, 2025-03
    scope_code: Mapped[str] = mapped_column(String(32))               # the province (or county) it runs over
    unit_kind: Mapped[str] = mapped_column(String(16), default="county")
    fill_days: Mapped[int] = mapped_column(Integer)                  # 填报截止
    review_days: Mapped[int] = mapped_column(Integer)                # 审核截止
    publicity_days: Mapped[int] = mapped_column(Integer)             # 公示期
    fill_by: Mapped[Optional[date]] = mapped_column(Date)             # 填报截止 as a date (0002_programmes)
    review_by: Mapped[Optional[date]] = mapped_column(Date)           # 审核截止
    settings: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)  # units covered, plausibility rules
    status: Mapped[str] = mapped_column(String(16), default="draft")
    opened_at: Mapped[Optional[datetime]]
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Task(Base):
    """One reporting task: a unit's (all indicators a unit reports) or a department's (its indicators for all units).
    `version` is checked on every update, so of two reviewers acting at once one wins and the other is told."""

    __tablename__ = "tasks"
    __table_args__ = (_one_of("status", TASK_STATUSES),
                      CheckConstraint("(unit_code IS NULL) <> (department_id IS NULL)", name="unit_or_department"),
                      UniqueConstraint("programme_id", "unit_code"), UniqueConstraint("programme_id", "department_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    unit_code: Mapped[Optional[str]] = mapped_column(ForeignKey("units.code"))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    programme: Mapped[Programme] = relationship()
    unit: Mapped[Optional[Unit]] = relationship()
    department: Mapped[Optional[Department]] = relationship()
    __mapper_args__ = {"version_id_col": version}


class Submission(Base):
    """One act of submitting a task (web form or uploaded workbook), with the explanations the plausibility warnings
    asked for (indicator → text)."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    file_name: Mapped[Optional[str]] = mapped_column(String(255))
    file_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    explanations: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DataValue(Base):
    """The one source of truth for a reported number, linked to its submission, reporter and reviewer. The engine
    reads the approved ones. (Table `data_values`: VALUES is an SQL keyword.)"""

    __tablename__ = "data_values"
    __table_args__ = (_one_of("status", VALUE_STATUSES), UniqueConstraint("programme_id", "unit_code", "indicator", "period"))
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    indicator: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[Optional[float]] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    submission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("submissions.id"))
    reporter_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[Optional[datetime]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class ReviewDecision(Base):
    """Approve or reject a whole task or one value; a rejection carries its reason and may set a new deadline."""

    __tablename__ = "review_decisions"
    __table_args__ = (_one_of("decision", DECISIONS),
                      CheckConstraint("task_id IS NOT NULL OR value_id IS NOT NULL", name="task_or_value"))
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tasks.id"), index=True)
    value_id: Mapped[Optional[int]] = mapped_column(ForeignKey("data_values.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[Optional[str]] = mapped_column(Text)
    new_due_date: Mapped[Optional[date]] = mapped_column(Date)


class EvidenceFile(Base):
    """A file attached to a value (or an objection), kept under the platform folder outside the web root; `path` is
    relative to that folder so the folder can move."""

    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[Optional[int]] = mapped_column(ForeignKey("data_values.id"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Objection(Base):
    """异议: a county's objection to a value during 公示, with evidence, and the admin's resolution."""

    __tablename__ = "objections"
    __table_args__ = (_one_of("status", OBJECTION_STATUSES),)
    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("data_values.id"), index=True)
    county_code: Mapped[str] = mapped_column(String(6))
    filed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    evidence_file_id: Mapped[Optional[int]] = mapped_column(ForeignKey("evidence_files.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution: Mapped[Optional[str]] = mapped_column(Text)
    resolved_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[Optional[datetime]]
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Result(Base):
    """A computed result. data_version = sha256 over the approved values it was computed from (the manifest names it),
    so a published ranking can be traced to exactly those numbers."""

    __tablename__ = "results"
    __table_args__ = (_one_of("status", RESULT_STATUSES),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    data_version: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[Optional[datetime]]
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class AuditLog(Base):
    """Append-only: the migration adds triggers that abort any UPDATE or DELETE (SQLite RAISE(ABORT), a PostgreSQL
    trigger function), and the session refuses to flush a changed or deleted row before the database is asked.
    old/new are JSON text of the values (never a password, token or session id)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    ip: Mapped[Optional[str]] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[Optional[str]] = mapped_column(String(64))
    field: Mapped[Optional[str]] = mapped_column(String(64))
    old: Mapped[Optional[str]] = mapped_column(Text)
    new: Mapped[Optional[str]] = mapped_column(Text)
    reason: Mapped[Optional[str]] = mapped_column(Text)


class AuditLogIsAppendOnly(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _audit_rows_are_never_changed(session: Session, flush_context, instances) -> None:
    # the triggers are the guarantee; this says it before a round trip, with a message instead of a driver error
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditLog) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly(f"audit_log row {obj.id} cannot be changed or deleted (append-only)")


# the dispatch tables (月调度, issue 16) share this Base: imported here so Base.metadata — what the migrations are
# checked against — always holds them
from xianping.platform.db import dispatch_models  # noqa: E402,F401
