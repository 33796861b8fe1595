"""Review: a prefecture reviewer (its prefecture's county tasks) or the province admin (all its province's tasks,
department tasks too) approves a submitted task, or rejects it with reasons (per value and/or for the whole task)
and a new deadline.

    approve(db, user, task_id, version=3, ip=…)                         → the task, approved
    reject(db, user, task_id, version=3, reason="…", values=[(value_id, "…")], new_deadline=date(…), ip=…)

One transaction per decision: the task's status, its values' statuses (approved values carry reviewer_id and
reviewed_at: they are the one source of truth the compute step reads), one ReviewDecision per task (+ one per
value named) and the audit rows (old → new status, reason) commit together or not at all. Two reviewers at once:
the task's version column decides (the database re-checks it in the UPDATE), the loser gets Conflict (409) naming
who changed the task and when, and nothing of either is lost or half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import false, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from xianping.platform.audit.record import writing
from xianping.platform.auth.scope import task_condition
from xianping.platform.db.models import (AuditLog, DataValue, ReviewDecision, Submission, Task,
                                         User, utcnow)
from xianping.platform.workflow.programme_open import not_open_message
from xianping.problems import XianpingError

REVIEWERS = ("province_admin", "prefecture_reviewer")
VALUE_ENTITY = "data_value"   # the audit entity of a DataValue, as reporting.py writes it
VALUE_ENTITIES = ("data_value",)   # what history.py reads: every service writes a DataValue's audit rows under one name
MAX_REASON = 2000


class ReviewRefused(XianpingError):
    """A decision that cannot be taken; `status` is the HTTP answer (404 not in scope, 409 stale or wrong state,
    422 bad input)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def review_condition(user: User):
    """Tasks the user may review: its scope's tasks (task_condition), for reviewer roles only."""
    return task_condition(user) if user.role in REVIEWERS else false()


def task_in_scope(db: Session, user: User, task_id: int) -> Task:
    q = select(Task).where(Task.id == task_id, review_condition(user))
    t = db.scalars(q).one_or_none()
    if t is None:   # the same answer as for a task that does not exist: scope does not leak what exists
        raise ReviewRefused(404, f"no task {task_id} among those you review")
    return t


def task_values(task: Task):
    """The statement selecting the task's values: those its submissions delivered (a value links to the submission
    that last wrote it) — not merely the unit's, since a department's task may deliver some of a unit's values."""
    return (select(DataValue).where(DataValue.programme_id == task.programme_id,
                                    DataValue.submission_id.in_(select(Submission.id).where(Submission.task_id == task.id)))
            .order_by(DataValue.unit_code, DataValue.indicator, DataValue.id))


def last_change(db: Session, task_id: int) -> tuple[str, datetime | None]:
    row = db.scalars(select(AuditLog).where(AuditLog.entity == "task", AuditLog.entity_id == str(task_id))
                     .order_by(AuditLog.id.desc()).limit(1)).one_or_none()
    return (row.actor_name, row.at) if row is not None else ("?", None)


def _conflict(db: Session, task_id: int, what: str) -> ReviewRefused:
    db.rollback()
    who, at = last_change(db, task_id)
    t = db.get(Task, task_id)
    when = at.strftime("%Y-%m-%d %H:%M:%S UTC") if at else "?"
    return ReviewRefused(409, f"已被他人处理 changed by {who} at {when}; reload (task {task_id} is now "
                              f"{t.status if t else '?'}, version {t.version if t else '?'}; {what})")


def _check(db: Session, t: Task, version: int | None) -> None:
    if version is not None and version != t.version:
        raise _conflict(db, t.id, f"you saw version {version}")
    if t.status != "submitted":
        raise ReviewRefused(409, f"task {t.id} is {t.status}: only a submitted task can be approved or rejected")
    if t.programme.status != "open":   # after closing, the approved set is what compute read: it stays as it is
        raise ReviewRefused(409, not_open_message(t.programme))   # the words reporting's refusal uses too


def _stale_guard(db: Session, task_id: int):
    """Turn the database's version check failing at flush/commit into the 409 the loser is told."""
    from contextlib import contextmanager

    @contextmanager
    def guard():
        try:
            yield
        except StaleDataError:
            raise _conflict(db, task_id, "another reviewer decided first") from None
        except ReviewRefused:
            raise
        except XianpingError as e:   # a guard of another step (publish's frozen values) refusing the write
            if not isinstance(getattr(e, "status", None), int):
                raise
            raise ReviewRefused(e.status, str(e)) from None
    return guard()


def approve(db: Session, user: User, task_id: int, *, version: int | None = None, ip: str | None = None) -> Task:
    t = task_in_scope(db, user, task_id)
    _check(db, t, version)
    now = utcnow()
    with _stale_guard(db, task_id), writing(db, user, ip) as w:
        t.status = "approved"
        db.flush()   # the task's version check first: the loser of a race stops here, before touching values
        db.add(ReviewDecision(task_id=t.id, reviewer_id=user.id, at=now, decision="approve"))
        w.record("task.approve", "task", t.id, field="status", old="submitted", new="approved")
        for v in db.scalars(task_values(t).where(DataValue.status == "submitted")):
            v.status, v.reviewer_id, v.reviewed_at = "approved", user.id, now
            w.record("value.approve", VALUE_ENTITY, v.id, field="status", old="submitted", new="approved")
    return t


@dataclass(frozen=True)
class ValueReason:
    value_id: int
    reason: str


def _clean_reason(text: str | None, what: str) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_REASON:
        raise ReviewRefused(422, f"{what}: the reason is {len(text)} characters, at most {MAX_REASON}")
    return text or None


def reject(db: Session, user: User, task_id: int, *, reason: str | None, values: Iterable[ValueReason] = (),
           new_deadline: date | None, version: int | None = None, ip: str | None = None,
           today: date | None = None) -> Task:
    """Send the task back. Values named get their own reason (and status rejected); with none named, every value of
    the task goes back with the task's reason. The new deadline is required and not in the past."""
    t = task_in_scope(db, user, task_id)
    _check(db, t, version)
    reason = _clean_reason(reason, f"task {task_id}")
    named = [(v.value_id, _clean_reason(v.reason, f"value {v.value_id}")) for v in values]
    if not reason and not any(r for _, r in named):
        raise ReviewRefused(422, "a rejection needs a reason: for the whole task (reason) or for at least one value "
                                 "(values: [{id, reason}])")
    if new_deadline is None:
        raise ReviewRefused(422, "a rejection needs a new deadline (new_deadline, YYYY-MM-DD) for the resubmission")
    today = today or utcnow().date()
    if new_deadline < today:
        raise ReviewRefused(422, f"new_deadline {new_deadline.isoformat()} is in the past (today is {today.isoformat()})")
    own = {v.id: v for v in db.scalars(task_values(t))}
    foreign = [vid for vid, _ in named if vid not in own]
    if foreign:
        raise ReviewRefused(422, f"values {foreign} are not values of task {task_id}")
    if len({vid for vid, _ in named}) != len(named):
        raise ReviewRefused(422, "a value is named twice in values")
    targets = [(own[vid], r or reason) for vid, r in named if r or reason] if named else \
        [(v, reason) for v in own.values() if v.status == "submitted"]
    now = utcnow()
    with _stale_guard(db, task_id), writing(db, user, ip) as w:
        old_due = t.due_date
        t.status, t.due_date = "rejected", new_deadline
        db.flush()
        db.add(ReviewDecision(task_id=t.id, reviewer_id=user.id, at=now, decision="reject", reason=reason,
                              new_due_date=new_deadline))
        w.record("task.reject", "task", t.id, field="status", old="submitted", new="rejected", reason=reason)
        w.record("task.deadline", "task", t.id, field="due_date", old=old_due.isoformat(), new=new_deadline.isoformat(),
                 reason=reason)
        for v, why in targets:
            db.add(ReviewDecision(task_id=t.id, value_id=v.id, reviewer_id=user.id, at=now, decision="reject", reason=why))
            w.record("value.reject", VALUE_ENTITY, v.id, field="status", old=v.status, new="rejected", reason=why)
            v.status, v.reviewer_id, v.reviewed_at = "rejected", user.id, now
    return t


def reasons(db: Session, task_id: int) -> dict:
    """What the reporter is told about its task's last review: the decision, the task's reason, the new deadline and
    each rejected value's reason (empty when the task was never reviewed)."""
    last = db.scalars(select(ReviewDecision).where(ReviewDecision.task_id == task_id, ReviewDecision.value_id.is_(None))
                      .order_by(ReviewDecision.id.desc()).limit(1)).one_or_none()
    if last is None:
        return {"decision": None, "values": []}
    reviewer = db.get(User, last.reviewer_id)
    rows = db.execute(select(ReviewDecision, DataValue).join(DataValue, DataValue.id == ReviewDecision.value_id)
                      .where(ReviewDecision.task_id == task_id, ReviewDecision.at == last.at,
                             ReviewDecision.reviewer_id == last.reviewer_id, ReviewDecision.value_id.is_not(None))
                      .order_by(DataValue.unit_code, DataValue.indicator)).all()
    return {"decision": last.decision, "decision_zh": {"approve": "通过", "reject": "退回"}[last.decision],
            "reason": last.reason, "new_due_date": last.new_due_date.isoformat() if last.new_due_date else None,
            "reviewer": reviewer.display_name if reviewer else None, "at": last.at.isoformat(),
            "values": [{"id": v.id, "unit_code": v.unit_code, "indicator": v.indicator, "reason": d.reason}
                       for d, v in rows]}
