"""The review JSON API (province admin: its province; prefecture reviewer: its prefecture's county tasks; other
roles 403, another division's task 404):

    GET  /api/review                  the caller's queue: submitted tasks in scope, oldest deadline first
    POST /api/tasks/{id}/approve      JSON {"version"} (optional: without it the database's check still decides)
    POST /api/tasks/{id}/reject       JSON {"reason", "values": [{"id", "reason"}], "new_deadline": "YYYY-MM-DD", "version"}
    GET  /api/overdue                 tasks past their deadline and not approved (computed on read: workflow/overdue.py)

409 "已被他人处理 changed by X at T; reload" when another reviewer decided first (or the version sent is old).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from xianping.platform.auth.access import allow, client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import Task, User, utcnow
from xianping.platform.web.api import task_json
from xianping.platform.web.deps import get_db
from xianping.platform.workflow import review
from xianping.platform.workflow.overdue import overdue

REVIEWERS = allow(roles=review.REVIEWERS, scope="task")


class ValueReasonIn(BaseModel):
    id: int
    reason: str = Field("", max_length=review.MAX_REASON)


class Approval(BaseModel):
    version: int | None = None


class Rejection(BaseModel):
    reason: str = Field("", max_length=review.MAX_REASON)
    values: list[ValueReasonIn] = Field(default_factory=list, max_length=10_000)
    new_deadline: date | None = None
    version: int | None = None


def refused(e: review.ReviewRefused) -> HTTPException:
    return HTTPException(e.status, str(e))


def queue(db: Session, user: User) -> list[Task]:
    return list(db.scalars(select(Task).where(review.review_condition(user), Task.status == "submitted")
                           .options(selectinload(Task.programme), selectinload(Task.unit), selectinload(Task.department))
                           .order_by(Task.due_date, Task.id)))


def late_json(late) -> dict[str, Any]:
    return {**task_json(late.task), "days_overdue": late.days, "late_step": late.step[1], "late_step_zh": late.step[0]}


def decided_json(db: Session, t: Task) -> dict[str, Any]:
    db.refresh(t)
    return {**task_json(t), "review": review.reasons(db, t.id)}


def private(response: Response) -> None:
    # answers about one user's work: never kept by a shared cache or the browser after logout
    response.headers["Cache-Control"] = "no-store"


def router() -> APIRouter:
    r = APIRouter(tags=["platform review"], dependencies=[Depends(private)])

    @r.get("/api/review", summary="The reviewer's queue: submitted tasks in scope", response_model=None)
    def review_queue(who: Principal = Depends(REVIEWERS), db: Session = Depends(get_db)) -> dict[str, Any]:
        return {"tasks": [task_json(t) for t in queue(db, who.user)]}

    @r.post("/api/tasks/{task_id}/approve", summary="Approve a submitted task (its values become approved)", response_model=None)
    def approve(task_id: int, request: Request, body: Approval | None = None, who: Principal = Depends(REVIEWERS),
                db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            t = review.approve(db, who.user, task_id, version=body.version if body else None, ip=client_ip(request))
        except review.ReviewRefused as e:
            raise refused(e) from None
        return decided_json(db, t)

    @r.post("/api/tasks/{task_id}/reject", summary="Reject a submitted task with reasons and a new deadline", response_model=None)
    def reject(task_id: int, body: Rejection, request: Request, who: Principal = Depends(REVIEWERS),
               db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            t = review.reject(db, who.user, task_id, reason=body.reason,
                              values=[review.ValueReason(v.id, v.reason) for v in body.values],
                              new_deadline=body.new_deadline, version=body.version, ip=client_ip(request))
        except review.ReviewRefused as e:
            raise refused(e) from None
        return decided_json(db, t)

    @r.get("/api/overdue", summary="Overdue tasks (past the deadline, not approved) in the caller's scope", response_model=None)
    def overdue_list(who: Principal = Depends(REVIEWERS), db: Session = Depends(get_db)) -> dict[str, Any]:
        today = utcnow().date()
        return {"today": today.isoformat(), "tasks": [late_json(x) for x in overdue(db, who.user, today)]}

    return r
