"""The review pages (server-rendered, forms with the session's CSRF token, no script):

    GET  /review                     the reviewer's queue (submitted tasks in scope) and a link to the overdue list
    GET  /review/{task_id}           the task's values with last period's value, the submission's explanations of
                                     plausibility warnings, evidence files, each value's history; approve/reject forms
    POST /review/{task_id}/approve   form: version, csrf_token              → 303 back to the task (or 409 page)
    POST /review/{task_id}/reject    form: version, reason, reason_<value id>…, new_deadline, csrf_token
    GET  /overdue                    tasks past their deadline and not approved, in the caller's scope
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xianping.platform.auth.access import client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import (ROLES_ZH, TASK_STATUSES_ZH, DataValue, EvidenceFile, Submission, Task, User,
                                         utcnow)
from xianping.platform.web.api import task_json
from xianping.platform.web.deps import get_db
from xianping.platform.web.review_api import REVIEWERS, late_json, queue
from xianping.platform.workflow import history, review
from xianping.platform.workflow.overdue import overdue

EVIDENCE_ROUTE = "/api/evidence/{evidence_id}"
VALUE_STATUS_ZH = {"draft": "草稿", "submitted": "已提交", "rejected": "已退回", "approved": "已通过"}


def previous_values(db: Session, values: list[DataValue]) -> dict[int, tuple[str, float | None]]:
    """Each value's last period's value: the same unit and indicator, the latest earlier period, approved."""
    if not values:
        return {}
    units, inds = {v.unit_code for v in values}, {v.indicator for v in values}
    period = max(v.period for v in values)
    rows = db.execute(select(DataValue.unit_code, DataValue.indicator, DataValue.period, DataValue.value)
                      .where(DataValue.unit_code.in_(units), DataValue.indicator.in_(inds),
                             DataValue.period < period, DataValue.status == "approved")
                      .order_by(DataValue.period)).all()
    last = {(u, i): (p, x) for u, i, p, x in rows}   # ordered by period: the latest wins
    return {v.id: last[(v.unit_code, v.indicator)] for v in values if (v.unit_code, v.indicator) in last}


def task_page_data(db: Session, t: Task) -> dict[str, Any]:
    values = list(db.scalars(review.task_values(t)))
    ids = [v.id for v in values]
    sub = db.scalars(select(Submission).where(Submission.task_id == t.id).order_by(Submission.id.desc()).limit(1)).first()
    explanations = (sub.explanations or {}) if sub else {}
    evidence: dict[int, list[EvidenceFile]] = {i: [] for i in ids}
    if ids:
        for e in db.scalars(select(EvidenceFile).where(EvidenceFile.value_id.in_(ids)).order_by(EvidenceFile.id)):
            evidence[e.value_id].append(e)
    prev = previous_values(db, values)
    hist = history.histories(db, ids)
    reporter_ids = {v.reporter_id for v in values if v.reporter_id}
    names = dict(db.execute(select(User.id, User.display_name).where(User.id.in_(reporter_ids))).all()) if reporter_ids else {}
    rows = [{"v": v, "status_zh": VALUE_STATUS_ZH[v.status], "prev": prev.get(v.id),
             "explanations": _explained(explanations, v),
             "evidence": evidence[v.id], "history": [history.history_json(a) for a in hist[v.id]],
             "reporter": names.get(v.reporter_id)} for v in values]
    return {"task": task_json(t), "rows": rows, "submission": sub, "review": review.reasons(db, t.id),
            "submissions": db.scalar(select(func.count()).select_from(Submission).where(Submission.task_id == t.id))}


def router(templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def page(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
        resp = templates.TemplateResponse(request, name, {"active": "/review", **ctx}, status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    def task_page(request: Request, who: Principal, db: Session, task_id: int, message: str = "",
                  status: int = 200) -> Response:
        try:
            t = review.task_in_scope(db, who.user, task_id)
        except review.ReviewRefused as e:
            raise HTTPException(e.status, str(e)) from None
        return page(request, "review_task.html", {"who": who, "message": message, "today": utcnow().date().isoformat(),
                                                  "evidence_url": _evidence_url(request), **task_page_data(db, t)}, status)

    @r.get("/review")
    def review_queue(request: Request, who: Principal = Depends(REVIEWERS), db: Session = Depends(get_db)) -> Response:
        return page(request, "review_queue.html", {"who": who, "role_zh": ROLES_ZH[who.user.role],
                                                   "tasks": [task_json(t) for t in queue(db, who.user)]})

    @r.get("/review/{task_id}")
    def review_task(task_id: int, request: Request, who: Principal = Depends(REVIEWERS),
                    db: Session = Depends(get_db)) -> Response:
        return task_page(request, who, db, task_id)

    @r.post("/review/{task_id}/approve")
    async def approve_form(task_id: int, request: Request, who: Principal = Depends(REVIEWERS),
                           db: Session = Depends(get_db)) -> Response:
        form = await request.form()
        from starlette.concurrency import run_in_threadpool

        try:
            version = _int(form.get("version"))
            await run_in_threadpool(review.approve, db, who.user, task_id, version=version, ip=client_ip(request))
        except review.ReviewRefused as e:
            db.rollback()
            return await run_in_threadpool(task_page, request, who, db, task_id, str(e), e.status)
        return RedirectResponse(f"/review/{task_id}", status_code=303)

    @r.post("/review/{task_id}/reject")
    async def reject_form(task_id: int, request: Request, who: Principal = Depends(REVIEWERS),
                          db: Session = Depends(get_db)) -> Response:
        from starlette.concurrency import run_in_threadpool

        form = await request.form()
        values = [review.ValueReason(int(k[7:]), str(v)) for k, v in form.multi_items()
                  if k.startswith("reason_") and k[7:].isdigit() and str(v).strip()]
        deadline, message = None, ""
        raw = str(form.get("new_deadline") or "").strip()
        if raw:
            try:
                deadline = date.fromisoformat(raw)
            except ValueError:
                message = f"new_deadline {raw[:20]!r}: expected a date YYYY-MM-DD"
        try:
            if message:
                raise review.ReviewRefused(422, message)
            await run_in_threadpool(lambda: review.reject(db, who.user, task_id, reason=str(form.get("reason") or ""),
                                                          values=values, new_deadline=deadline,
                                                          version=_int(form.get("version")), ip=client_ip(request)))
        except review.ReviewRefused as e:
            db.rollback()
            return await run_in_threadpool(task_page, request, who, db, task_id, str(e), e.status)
        return RedirectResponse(f"/review/{task_id}", status_code=303)

    @r.get("/overdue")
    def overdue_page(request: Request, who: Principal = Depends(REVIEWERS), db: Session = Depends(get_db)) -> Response:
        today = utcnow().date()
        return page(request, "overdue.html", {"who": who, "today": today.isoformat(), "status_zh": TASK_STATUSES_ZH,
                                              "tasks": [late_json(x) for x in overdue(db, who.user, today)]})

    return r


KIND_ZH = {"change": "较上期变化 change", "range": "超出范围 range", "sum": "分项不等于合计 sum"}


def _explained(explanations: dict[str, Any], v: DataValue) -> list[str]:
    """The submission's explanations of this value's warnings (reporting.py keys them unit:indicator:kind)."""
    out = []
    for key, text in explanations.items():
        unit, _, rest = str(key).partition(":")
        indicator, _, kind = rest.rpartition(":") if rest.count(":") else (rest, "", "")
        if unit == v.unit_code and indicator == v.indicator:
            out.append(f"{KIND_ZH.get(kind, kind)}: {text}" if kind else str(text))
    return out


def _int(v: Any) -> int | None:
    if v in (None, ""):
        return None
    if not str(v).isdigit():
        raise review.ReviewRefused(422, f"version {str(v)[:20]!r}: expected the task's version number (reload the page)")
    return int(str(v))


def _evidence_url(request: Request) -> str | None:
    """The evidence download route (reporting_api.py), linked when it is mounted."""
    if any(getattr(route, "path", "") == EVIDENCE_ROUTE for route in request.app.routes):
        return EVIDENCE_ROUTE.replace("{evidence_id}", "{id}")
    return None
