"""The result page (server-rendered, forms with the session's CSRF token, no script):

    GET  /programmes/{id}/result          the ranking with its status (草稿 / 公示中 / 已发布), the data version, the
                                          downloads of a published result; for the admin the next step's form
    POST /programmes/{id}/result/{step}   (admin) step = close | compute | publicity | publish; form: reason,
                                          issuer, doc_number, csrf_token → 303 back to the page (or the page with
                                          the refusal and its status)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from xianping.platform.auth.access import client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import PROGRAMME_STATUSES_ZH, Programme
from xianping.platform.web.deps import get_db
from xianping.platform.web.result_api import ADMIN, READER, readable_result, result_json
from xianping.platform.workflow import compute, publish
from xianping.problems import XianpingError

STEPS = {"close": "截止填报 Close reporting", "compute": "计算结果 Compute", "publicity": "开始公示 Start 公示",
         "publish": "正式发布 Publish (通报)"}
NEXT_STEP = {"open": "close", "closed": "compute", "computed": "publicity", "publicity": "publish"}


def router(templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def page(request: Request, who: Principal, db: Session, programme_id: int, message: str = "",
             status: int = 200) -> Response:
        folder = request.app.state.platform.folder
        ctx: dict[str, Any] = {"active": "", "who": who, "message": message, "steps": STEPS, "step": None}
        try:
            p, res = readable_result(db, who.user, programme_id)
            ctx.update(result_json(folder, p, res))
        except HTTPException:
            if who.user.role != "province_admin":
                raise
            try:   # the admin sees its programme before there is a result: the step to take
                p = compute.programme_for_admin(db, who.user, programme_id)
            except compute.WorkflowRefused as e:
                raise HTTPException(e.status, str(e)) from None
            ctx.update({"programme_id": p.id, "programme": p.name, "period": p.period, "programme_status": p.status,
                        "programme_status_zh": PROGRAMME_STATUSES_ZH[p.status], "result": None, "ranking": []})
        if who.user.role == "province_admin":
            p = db.get(Programme, programme_id)
            try:
                compute.programme_for_admin(db, who.user, programme_id)
                ctx["step"] = NEXT_STEP.get(p.status)
            except compute.WorkflowRefused:
                pass
        resp = templates.TemplateResponse(request, "result.html", ctx, status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @r.get("/programmes/{programme_id}/result")
    def result_page(programme_id: int, request: Request, who: Principal = Depends(READER),
                    db: Session = Depends(get_db)) -> Response:
        return page(request, who, db, programme_id)

    @r.post("/programmes/{programme_id}/result/{step}")
    async def step_form(programme_id: int, step: str, request: Request, who: Principal = Depends(ADMIN),
                        db: Session = Depends(get_db)) -> Response:
        form = await request.form()
        reason, issuer, number = (str(form.get(k) or "").strip()[:2000] for k in ("reason", "issuer", "doc_number"))
        folder, ip = request.app.state.platform.folder, client_ip(request)

        def run() -> None:
            if step == "close":
                compute.close(db, who.user, programme_id, reason, ip=ip)
            elif step == "compute":
                compute.compute(db, who.user, programme_id, folder, ip=ip)
            elif step == "publicity":
                compute.start_publicity(db, who.user, programme_id, ip=ip)
            elif step == "publish":
                publish.publish(db, who.user, programme_id, folder, reason=reason, issuer=issuer[:200],
                                doc_number=number[:100] or None, ip=ip)
            else:
                raise compute.WorkflowRefused(404, f"no step {step!r}: close, compute, publicity or publish")

        try:
            await run_in_threadpool(run)
        except XianpingError as e:
            db.rollback()
            status = getattr(e, "status", 422)
            if status == 404:
                raise HTTPException(404, str(e)) from None
            return await run_in_threadpool(page, request, who, db, programme_id, str(e), status)
        return RedirectResponse(f"/programmes/{programme_id}/result", status_code=303)

    return r
