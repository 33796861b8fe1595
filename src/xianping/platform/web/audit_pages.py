"""GET /values/{value_id}/history — "this number's history" as a page (the task pages link each value to it): every
audit row about the value, newest first; for anyone who may read the value (404 outside the caller's scope)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import Unit
from xianping.platform.web.audit_api import VALUE_READERS
from xianping.platform.web.deps import get_db
from xianping.platform.workflow import history
from xianping.platform.workflow.review import ReviewRefused


def router(templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/values/{value_id}/history")
    def value_history(value_id: int, request: Request, who: Principal = Depends(VALUE_READERS),
                      db: Session = Depends(get_db)) -> Response:
        try:
            v, rows = history.value_history(db, who.user, value_id)
        except ReviewRefused as e:
            raise HTTPException(e.status, str(e)) from None
        unit = db.scalars(select(Unit).where(Unit.code == v.unit_code)).one_or_none()
        resp = templates.TemplateResponse(request, "value_history.html", {
            "active": "", "who": who, "v": v, "unit_name": unit.name if unit else v.unit_code,
            "hist": [history.history_json(a) for a in rows]})
        resp.headers["Cache-Control"] = "no-store"
        return resp

    return r
