"""Audit views: "this number's history" (every audit row about one value, newest first) and the audit log export
for the province admin (CSV or XLSX, filtered by date and unit, streamed in batches from a server-side cursor:
the log grows with every write and is never loaded whole).

    rows = value_history(db, user, value_id)            # 404 (HistoryRefused) outside the user's value scope
    for batch in audit_batches(plat, user, since=…, until=…, unit="4101"): …
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from xianping.platform.auth.scope import prefix, user_condition, value_condition
from xianping.platform.db.models import AuditLog, DataValue, Task, Unit, User
from xianping.platform.workflow.review import VALUE_ENTITIES, ReviewRefused
from xianping.report.excel_safe import append_row, csv_text

BATCH = 2000
COLUMNS = [("id", "序号"), ("at", "时间"), ("actor", "操作人"), ("ip", "来源地址"), ("action", "操作"),
           ("entity", "对象"), ("entity_id", "对象编号"), ("field", "字段"), ("old", "原值"), ("new", "新值"),
           ("reason", "原因")]


def history_json(a: AuditLog) -> dict:
    return {"id": a.id, "at": a.at.isoformat(), "actor": a.actor_name, "actor_id": a.actor_id, "ip": a.ip,
            "action": a.action, "field": a.field, "old": a.old, "new": a.new, "reason": a.reason}


def value_history(db: Session, user: User, value_id: int) -> tuple[DataValue, list[AuditLog]]:
    """Every audit row about the value — who, when, from where, old → new, why — newest first."""
    v = db.scalars(select(DataValue).where(DataValue.id == value_id, value_condition(user))).one_or_none()
    if v is None:
        raise ReviewRefused(404, f"no value {value_id} among those you may read")
    rows = db.scalars(select(AuditLog).where(about_value(value_id)).order_by(AuditLog.id.desc())).all()
    return v, list(rows)


def about_value(value_id: int):
    """Audit rows about one value: its own (every writer's entity name) and evidence attached to it (evidence.py
    records those under the file, naming the value in `field`)."""
    return or_(AuditLog.entity.in_(VALUE_ENTITIES) & (AuditLog.entity_id == str(value_id)),
               (AuditLog.entity == "evidence_file") & (AuditLog.field == f"value {value_id}"))


def histories(db: Session, value_ids: list[int]) -> dict[int, list[AuditLog]]:
    """The histories of several values at once (a task page): one query, newest first per value."""
    out: dict[int, list[AuditLog]] = {i: [] for i in value_ids}
    if not value_ids:
        return out
    for a in db.scalars(select(AuditLog).where(AuditLog.entity.in_(VALUE_ENTITIES),
                                               AuditLog.entity_id.in_([str(i) for i in value_ids]))
                        .order_by(AuditLog.id.desc())):
        out[int(a.entity_id)].append(a)
    for a in db.scalars(select(AuditLog).where(AuditLog.entity == "evidence_file",
                                               AuditLog.field.in_([f"value {i}" for i in value_ids]))):
        out[int(a.field[6:])].append(a)
    for rows in out.values():
        rows.sort(key=lambda a: -a.id)
    return out


@dataclass(frozen=True)
class AuditFilter:
    since: date | None = None
    until: date | None = None      # inclusive
    unit: str | None = None        # a division code prefix (41, 4101, 410122) or a unit code


def _audit_query(user: User, f: AuditFilter):
    """The admin's rows: those of actors in its province and those about values and tasks of its province's units
    (the log spans every province in one database: one admin never exports another province's trail)."""
    p = prefix(user) or "-"
    unit_pat = f.unit if f.unit else p
    if not unit_pat.startswith(p):
        raise ReviewRefused(404, f"unit {f.unit} is outside your province {user.scope_code}")
    units = select(Unit.code).where(or_(Unit.county_code.startswith(unit_pat, autoescape=True),
                                        Unit.code.startswith(unit_pat, autoescape=True)))
    about_values = AuditLog.entity.in_(VALUE_ENTITIES) & AuditLog.entity_id.in_(
        select(cast(DataValue.id, String)).where(DataValue.unit_code.in_(units)))
    about_tasks = (AuditLog.entity == "task") & AuditLog.entity_id.in_(
        select(cast(Task.id, String)).where(Task.unit_code.in_(units)))
    cond = or_(about_values, about_tasks)
    if not f.unit:   # the whole province: also what its people did elsewhere (logins, users, departments …)
        cond = or_(cond, AuditLog.actor_id.in_(select(User.id).where(user_condition(user))))
    q = select(AuditLog).where(cond)
    if f.since:
        q = q.where(AuditLog.at >= datetime.combine(f.since, time(), timezone.utc))
    if f.until:
        q = q.where(AuditLog.at < datetime.combine(f.until + timedelta(days=1), time(), timezone.utc))
    return q.order_by(AuditLog.id)


def check_filter(db: Session, user: User, f: AuditFilter) -> None:
    """Refuse a bad filter before the response starts (a streamed answer cannot turn into an error half-way)."""
    if f.unit and not re.fullmatch(r"[0-9A-Za-z_-]{1,32}", f.unit):
        raise ReviewRefused(422, f"unit {f.unit[:40]!r}: expected a division or unit code (letters, digits, - or _)")
    _audit_query(user, f)
    if f.since and f.until and f.since > f.until:
        raise ReviewRefused(422, f"since {f.since} is after until {f.until}")


def audit_batches(plat, user: User, f: AuditFilter) -> Iterator[list[tuple]]:
    """The filtered log as lists of row tuples (COLUMNS order), read as plain columns (no ORM objects) through a
    server-side cursor (yield_per: PostgreSQL streams, SQLite steps its cursor) in its own session, so a streamed
    response outlives the request's."""
    cols = (AuditLog.id, AuditLog.at, AuditLog.actor_name, AuditLog.ip, AuditLog.action, AuditLog.entity,
            AuditLog.entity_id, AuditLog.field, AuditLog.old, AuditLog.new, AuditLog.reason)
    q = _audit_query(user, f).with_only_columns(*cols)
    with plat.sessions() as db:
        for part in db.execute(q.execution_options(yield_per=BATCH)).partitions():
            yield [(r[0], r[1].strftime("%Y-%m-%d %H:%M:%S"), *r[2:]) for r in part]


def header() -> list[str]:
    return [f"{zh} {en}" for en, zh in COLUMNS]


def csv_chunks(plat, user: User, f: AuditFilter) -> Iterator[bytes]:
    """CSV (UTF-8 with BOM, so Excel opens the Chinese right), every text through excel_safe.csv_text."""
    buf = io.StringIO()
    w = csv.writer(buf)
    buf.write("\ufeff")
    w.writerow(header())
    for batch in audit_batches(plat, user, f):
        w.writerows([[csv_text(x) for x in row] for row in batch])
        yield buf.getvalue().encode("utf-8")
        buf.seek(0)
        buf.truncate()
    tail = buf.getvalue()
    if tail:
        yield tail.encode("utf-8")


def write_xlsx(plat, user: User, f: AuditFilter, out) -> None:
    """A write-only workbook (rows go to a temporary file as they come, not kept in memory), every row through
    excel_safe.append_row: a reason or a value starting with "=" stays text."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志 audit log")
    append_row(ws, header())
    for batch in audit_batches(plat, user, f):
        for row in batch:
            append_row(ws, row)
    wb.save(out)
