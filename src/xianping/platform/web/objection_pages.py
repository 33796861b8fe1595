"""The objections page (异议; server-rendered, forms with the session's CSRF token, no script):

    GET  /objections                  the objections in the caller's scope; a county's form to object to one of its
                                      values in 公示 (text, optional evidence file); the admin's resolve forms
    POST /objections                  (county reporter) multipart form: value_id, text, evidence, csrf_token
    POST /objections/{id}/resolve     (admin) form: decision, reason, value, csrf_token
Each POST answers 303 back to the page, or the page with the refusal and its status.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from xianping.platform.auth.access import client_ip
from xianping.platform.auth.scope import value_condition
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import DataValue, Programme, Unit
from xianping.platform.web.deps import get_db
from xianping.platform.web.objection_api import FILERS, READERS, RESOLVERS, objection_json, read_objection
from xianping.platform.workflow import objections
from xianping.problems import XianpingError


def objectable(db: Session, user) -> list[dict[str, Any]]:
    """A county's values in programmes under 公示 (what it may object to)."""
    if user.role != "county_reporter":
        return []
    rows = db.execute(select(DataValue, Unit.name, Programme.name)
                      .join(Programme, Programme.id == DataValue.programme_id).join(Unit, Unit.code == DataValue.unit_code)
                      .where(value_condition(user), Programme.status == "publicity", DataValue.status == "approved")
                      .order_by(DataValue.programme_id, DataValue.unit_code, DataValue.indicator)).all()
    return [{"id": v.id, "label": f"{pname} · {uname} {v.unit_code} · {v.indicator} {v.period} = {v.value}"}
            for v, uname, pname in rows]


def router(templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def page(request: Request, who: Principal, db: Session, message: str = "", status: int = 200) -> Response:
        rows = [objection_json(o, v, n) for o, v, n in objections.visible(db, who.user)]
        resp = templates.TemplateResponse(request, "objections.html", {
            "active": "/objections", "who": who, "message": message, "objections": rows,
            "values": objectable(db, who.user), "resolver": who.user.role == "province_admin",
            "max_text": objections.MAX_TEXT}, status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @r.get("/objections")
    def objections_page(request: Request, who: Principal = Depends(READERS), db: Session = Depends(get_db)) -> Response:
        return page(request, who, db)

    @r.post("/objections")
    async def file_form(request: Request, who: Principal = Depends(FILERS), db: Session = Depends(get_db)) -> Response:
        try:
            body, evidence = await read_objection(request)
        except HTTPException as e:
            return await run_in_threadpool(page, request, who, db, str(e.detail), e.status_code)
        plat = request.app.state.platform
        try:
            await run_in_threadpool(lambda: objections.file(db, who.user, body.value_id, body.text, folder=plat.folder,
                                                            evidence=evidence, ip=client_ip(request)))
        except XianpingError as e:
            db.rollback()
            return await run_in_threadpool(page, request, who, db, str(e), getattr(e, "status", 422))
        return RedirectResponse("/objections", status_code=303)

    @r.post("/objections/{objection_id}/resolve")
    async def resolve_form(objection_id: int, request: Request, who: Principal = Depends(RESOLVERS),
                           db: Session = Depends(get_db)) -> Response:
        form = await request.form()
        decision, reason, raw = (str(form.get(k) or "").strip() for k in ("decision", "reason", "value"))
        plat = request.app.state.platform
        try:
            try:
                value = float(raw) if raw else None
            except ValueError:
                raise objections.WorkflowRefused(422, f"corrected value {raw[:40]!r}: expected a number") from None
            await run_in_threadpool(lambda: objections.resolve(db, who.user, objection_id, decision, reason[:objections.MAX_TEXT],
                                                               value=value, folder=plat.folder, ip=client_ip(request)))
        except XianpingError as e:
            db.rollback()
            status = getattr(e, "status", 422)
            if status == 404:
                raise HTTPException(404, str(e)) from None
            return await run_in_threadpool(page, request, who, db, str(e), status)
        return RedirectResponse("/objections", status_code=303)

    return r
