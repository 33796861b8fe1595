"""Review of monthly reports, as tasks are reviewed: the prefecture reviewer (its prefecture's projects) or the
province admin (or the office's command line, `xianping dispatch import-reports --approve`) approves submitted reports, or rejects them with a reason the reporter sees; one transaction per
decision (the reports' statuses and their audit rows together), the report's version deciding between two
reviewers acting at once (the loser gets 409, nothing half-written).

    approve(db, reviewer, [12, 13])                       → the reports, approved (the measures now read them)
    reject(db, reviewer, [14], reason="本年累计与上月不衔接")
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.dispatch_models import Project, ProjectReport
from xianping.platform.db.models import User, utcnow
from xianping.platform.workflow.dispatch_scope import REVIEWERS, project_condition
from xianping.problems import XianpingError

MAX_REASON = 2000


class DispatchRefused(XianpingError):
    """A dispatch step that cannot be taken; `status` is the HTTP answer (404 not in scope, 409 wrong state or
    stale, 422 bad input)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _reports(db: Session, user: User | Actor, ids: list[int]) -> list[ProjectReport]:
    if isinstance(user, User) and user.role not in REVIEWERS:
        raise DispatchRefused(403, f"the role {user.role} does not review monthly reports")
    if not ids:
        raise DispatchRefused(422, "no report named: ids [..]")
    found = {r.id: r for r in db.scalars(select(ProjectReport).join(Project, Project.id == ProjectReport.project_id)
                                         .where(ProjectReport.id.in_(ids), project_condition(user)))}
    missing = [i for i in ids if i not in found]
    if missing:   # the same answer as for reports that do not exist: scope does not leak what exists
        raise DispatchRefused(404, f"no report {missing} among those you review")
    wrong = [f"{i} ({found[i].status})" for i in ids if found[i].status != "submitted"]
    if wrong:
        raise DispatchRefused(409, f"only submitted reports are approved or rejected: {', '.join(wrong)}")
    return [found[i] for i in ids]


def _check_versions(reports: list[ProjectReport], versions: dict[int, int] | None) -> None:
    stale = [r.id for r in reports if versions and r.id in versions and versions[r.id] != r.version]
    if stale:
        raise DispatchRefused(409, f"已被他人修改 reports {stale} changed since you loaded them; reload")


def _decide(db: Session, user: User | Actor, ids: Iterable[int], decision: str, reason: str | None,
            versions: dict[int, int] | None, ip: str | None) -> list[ProjectReport]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    reports = _reports(db, user, ids)
    _check_versions(reports, versions)
    now, status = utcnow(), ("approved" if decision == "approve" else "rejected")
    try:
        with writing(db, user, ip) as w:
            for r in reports:
                r.status, r.reviewer_id, r.reviewed_at, r.review_reason = status, user.id, now, reason
                w.record(f"report.{decision}", "project_report", r.id, field="status", old="submitted", new=status,
                         reason=reason)
            db.flush()   # the version check of every report before the commit
    except StaleDataError:
        raise DispatchRefused(409, "已被他人处理 another reviewer decided first; reload") from None
    return reports


def approve(db: Session, user: User | Actor, ids: Iterable[int], *, versions: dict[int, int] | None = None,
            ip: str | None = None) -> list[ProjectReport]:
    return _decide(db, user, ids, "approve", None, versions, ip)


def reject(db: Session, user: User | Actor, ids: Iterable[int], *, reason: str | None, versions: dict[int, int] | None = None,
           ip: str | None = None) -> list[ProjectReport]:
    reason = (reason or "").strip()
    if not reason:
        raise DispatchRefused(422, "a rejection needs a reason (reason) the reporter is shown")
    if len(reason) > MAX_REASON:
        raise DispatchRefused(422, f"the reason is {len(reason)} characters, at most {MAX_REASON}")
    return _decide(db, user, ids, "reject", reason, versions, ip)
