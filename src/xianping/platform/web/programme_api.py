"""考核方案 JSON API (province admin, within its province; other roles 403, another province's programme 404):

    GET  /api/programmes                 the admin's programmes (status, period, units, tasks)
    POST /api/programmes                 JSON {name, framework_yaml, scope, period, fill_by, review_by, publicity_days,
                                         classes: {code: class}, unit_kind, settings} → the draft; 422 with every
                                         problem located (the framework's line and key, a class's code …)
    POST /api/programmes/{id}/publish    draft → open: a task per unit and per department (again: nothing new, said so)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xianping.platform.auth.access import allow, client_ip
from xianping.platform.auth.scope import prefix
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import PROGRAMME_STATUSES_ZH, Programme, Task, User
from xianping.platform.web.deps import get_db
from xianping.platform.workflow import programmes
from xianping.problems import XianpingInputError

PROGRAMME_ADMIN = allow(roles=("province_admin",), scope="programme")


class ProgrammeIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    framework_yaml: str = Field(min_length=1, max_length=2_000_000)
    framework_file: str = Field("framework.yaml", max_length=200)
    scope: str = Field(min_length=2, max_length=12)
    period: str = Field(min_length=4, max_length=16)
    fill_by: date
    review_by: date
    publicity_days: int = Field(7, ge=0, le=60)
    classes: dict[str, str] = Field(default_factory=dict, max_length=100_000)
    unit_kind: str = "county"
    settings: dict[str, Any] = Field(default_factory=dict)


def problems_response(e: XianpingInputError, status: int = 422, task_id: int | None = None) -> JSONResponse:
    """A refusal with every located problem (file, row, column, value, expected) — never a traceback; a task's
    refusal names the task (id) like its other answers."""
    body = {"detail": str(e), "problems": [p.as_dict() for p in e.report]}
    if task_id is not None:
        body = {"id": task_id, **body}
    return JSONResponse(body, status_code=status,
                        headers={"Cache-Control": "no-store"})


def programme_json(db: Session, p: Programme) -> dict[str, Any]:
    n = db.scalar(select(func.count()).select_from(Task).where(Task.programme_id == p.id)) or 0
    return {"id": p.id, "name": p.name, "status": p.status, "status_zh": PROGRAMME_STATUSES_ZH[p.status],
            "period": p.period, "period_kind": p.period_kind, "scope_code": p.scope_code, "unit_kind": p.unit_kind,
            "fill_by": p.fill_by.isoformat() if p.fill_by else None,
            "review_by": p.review_by.isoformat() if p.review_by else None, "publicity_days": p.publicity_days,
            "framework_sha256": p.framework_sha256, "units": len((p.settings or {}).get("units", [])), "tasks": n,
            "classes": len(p.classes or {}), "version": p.version}


def in_province(user: User):
    return Programme.scope_code.startswith(prefix(user) or "-", autoescape=True)


def own_programme(db: Session, user: User, programme_id: int) -> Programme:
    p = db.scalars(select(Programme).where(Programme.id == programme_id, in_province(user))).one_or_none()
    if p is None:
        raise HTTPException(404, f"no programme {programme_id} in your province")
    return p


def _private(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


def router() -> APIRouter:
    r = APIRouter(tags=["platform programmes"], dependencies=[Depends(_private)])

    @r.get("/api/programmes", summary="The admin's programmes (考核方案)", response_model=None)
    def list_programmes(who: Principal = Depends(PROGRAMME_ADMIN), db: Session = Depends(get_db)) -> dict[str, Any]:
        rows = db.scalars(select(Programme).where(in_province(who.user)).order_by(Programme.id.desc())).all()
        return {"programmes": [programme_json(db, p) for p in rows]}

    @r.post("/api/programmes", summary="Create a draft programme")
    def create_programme(body: ProgrammeIn, request: Request, who: Principal = Depends(PROGRAMME_ADMIN),
                         db: Session = Depends(get_db)) -> Response:
        scope = body.scope.strip()
        if not scope.startswith(prefix(who.user) or "-"):
            raise HTTPException(403, f"forbidden: {scope} is outside your province {who.user.scope_code}")
        try:
            p = programmes.create(db, who.user, name=body.name, framework_yaml=body.framework_yaml, scope=scope,
                                  period=body.period, fill_by=body.fill_by, review_by=body.review_by,
                                  publicity_days=body.publicity_days, classes=body.classes, unit_kind=body.unit_kind,
                                  settings=body.settings, framework_file=body.framework_file, ip=client_ip(request))
        except XianpingInputError as e:
            return problems_response(e)
        return JSONResponse(programme_json(db, p), status_code=201)

    @r.post("/api/programmes/{programme_id}/publish", summary="Publish: draft → open, the tasks created")
    def publish_programme(programme_id: int, request: Request, who: Principal = Depends(PROGRAMME_ADMIN),
                          db: Session = Depends(get_db)) -> Response:
        own_programme(db, who.user, programme_id)
        try:
            out = programmes.publish(db, who.user, programme_id, ip=client_ip(request))
        except XianpingInputError as e:
            return problems_response(e, 409)
        body = programme_json(db, out.programme)
        body.update(created_unit_tasks=out.created_unit_tasks, created_department_tasks=out.created_department_tasks,
                    already_open=out.already,
                    message="已发布，未新建任务 (already open: no task created)" if out.already else
                    f"已发布 published: {out.created_unit_tasks} unit tasks, {out.created_department_tasks} department tasks")
        return JSONResponse(body)

    return r
