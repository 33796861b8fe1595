"""The fill-in page of a task (server-rendered, CSRF token in every form, no script):

    GET  /tasks/{id}                      one input per unit × indicator (measure and last period's value shown),
                                          the warnings with a field for each explanation, template link, upload form
    POST /tasks/{id}                      form: v:<unit>:<indicator>…, x:<warning key>…, action=save|submit
    POST /tasks/{id}/upload               multipart: file (the filled template) — read, saved, submitted when nothing
                                          is left to explain; problems shown located on the page
    POST /tasks/{id}/evidence/{value_id}  multipart: file — an evidence file for one of the task's values
Every answer is the page again (with what happened, problems located; 200 — a form shown again is not a failed
load, which a browser reports as a console error), or a 303 back to it; who may do what as in reporting_api.py.
"""

from __future__ import annotations


from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from xianping.platform.auth.access import client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import EvidenceFile
from xianping.platform.web.api import task_json
from xianping.platform.web.deps import get_db
from xianping.platform.web.reporting_api import FILLERS, READERS, read_capped, the_task
from xianping.platform.workflow import evidence, reporting, review
from xianping.platform.workflow.tasks import may_write
from xianping.problems import XianpingInputError


def router(templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def page(request: Request, who: Principal, db: Session, task_id: int, *, status: int = 200, message: str = "",
             error: XianpingInputError | None = None, entered: dict[str, str] | None = None,
             explanations: dict[str, str] | None = None) -> Response:
        t = the_task(db, who.user, task_id)
        db.refresh(t)
        try:
            sheet = reporting.cells(db, t)
            warns = reporting.warnings(db, t, sheet)
        except XianpingInputError as e:   # a programme whose framework no longer loads: said, not a traceback
            sheet, warns, error, status = reporting.Sheet(t, t.programme, []), [], e, 409
        ids = [c.value_id for c in sheet.cells if c.value_id]
        ev: dict[int, list[EvidenceFile]] = {}
        for e in db.scalars(select(EvidenceFile).where(EvidenceFile.value_id.in_(ids)).order_by(EvidenceFile.id)) if ids else []:
            ev.setdefault(e.value_id, []).append(e)
        editable = may_write(who.user, t) and t.status in reporting.EDITABLE and t.programme.status == "open"
        resp = templates.TemplateResponse(request, "task_fill.html", {
            "active": "/tasks", "who": who, "csrf": who.csrf or "", "task": task_json(t), "cells": sheet.cells,
            "warnings": warns, "editable": editable, "message": message, "entered": entered or {},
            "explanations": explanations or {}, "review": review.reasons(db, t.id),
            "problems": list(error.report) if error else [], "problem_summary": error.summary if error else "",
            "evidence_cells": [c for c in sheet.cells if c.value_id], "evidence": ev,
            "evidence_cap_mb": evidence.MAX_EVIDENCE_BYTES // 2**20}, status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @r.get("/tasks/{task_id}")
    def task_page(task_id: int, request: Request, msg: str = "", who: Principal = Depends(READERS),
                  db: Session = Depends(get_db)) -> Response:
        return page(request, who, db, task_id, message=msg[:200])

    @r.post("/tasks/{task_id}")
    async def task_form(task_id: int, request: Request, who: Principal = Depends(FILLERS),
                        db: Session = Depends(get_db)) -> Response:
        form = await request.form()
        entered = {k[2:]: str(v) for k, v in form.multi_items() if k.startswith("v:") and isinstance(v, str)}
        explained = {k[2:]: str(v) for k, v in form.multi_items() if k.startswith("x:") and isinstance(v, str)}
        action = form.get("action", "save")
        t = the_task(db, who.user, task_id)
        values = {}
        for key, raw in entered.items():
            unit, _, ind = key.partition(":")
            values[(unit, ind)] = raw
        try:
            # cells left empty that never had a value are not drafts of anything: only typed or changed ones are saved
            sheet = reporting.cells(db, t)
            known = sheet.by_key()
            values = {k: x for k, x in values.items() if not (k in known and known[k].value is None and not x.strip())}
            n = reporting.save_draft(db, who.user, t, values, ip=client_ip(request), sheet=sheet)
            if action == "submit":
                s = reporting.submit(db, who.user, t, explained, ip=client_ip(request))
                return RedirectResponse(f"/tasks/{t.id}?msg=已提交 submitted ({s.id})", status_code=303)
        except XianpingInputError as e:
            db.rollback()
            return page(request, who, db, task_id, error=e, entered=entered, explanations=explained)
        except StaleDataError:
            db.rollback()
            return page(request, who, db, task_id, message="已被他人修改，请重新填写 (changed meanwhile; reload)")
        return RedirectResponse(f"/tasks/{t.id}?msg=已保存 {n} 项 saved {n}", status_code=303)

    @r.post("/tasks/{task_id}/upload")
    async def task_upload(task_id: int, request: Request, file: UploadFile = File(...), who: Principal = Depends(FILLERS),
                          db: Session = Depends(get_db)) -> Response:
        from starlette.concurrency import run_in_threadpool

        data = await read_capped(file, reporting.MAX_UPLOAD_BYTES)
        plat = request.app.state.platform

        def run() -> reporting.Uploaded:
            t = the_task(db, who.user, task_id)
            return reporting.upload(db, who.user, plat.folder, t, file.filename or "upload.xlsx", data, None,
                                    ip=client_ip(request))

        try:
            u = await run_in_threadpool(run)
        except XianpingInputError as e:
            db.rollback()
            return page(request, who, db, task_id, error=e)
        if u.unchanged:
            msg = u.notes[-1]
        elif u.submission is not None:
            msg = f"已上传并提交 uploaded and submitted: {u.saved} values ({u.file_name})"
        else:
            msg = (f"已上传 {u.saved} 项为草稿；请说明下列情况后提交 (uploaded {u.saved} values as drafts: explain the "
                   "warnings below, then submit)")
        return page(request, who, db, task_id, message=msg)

    @r.post("/tasks/{task_id}/evidence/{value_id}")
    async def task_evidence(task_id: int, value_id: int, request: Request, file: UploadFile = File(...),
                            who: Principal = Depends(FILLERS), db: Session = Depends(get_db)) -> Response:
        data = await read_capped(file, evidence.MAX_EVIDENCE_BYTES)
        t = the_task(db, who.user, task_id)
        v = evidence.visible_value(db, who.user, value_id)
        if v is None or v.programme_id != t.programme_id or \
                (v.unit_code, v.indicator) not in reporting.cells(db, t).by_key():
            # not 404: the task is the caller's (the route's scope); the value named is not one of its cells
            return page(request, who, db, task_id, message=f"任务中没有这个数值 (no value {value_id} in this task)")
        try:
            evidence.attach(db, who.user, request.app.state.platform.folder, v, file.filename or "evidence", data,
                            ip=client_ip(request))
        except XianpingInputError as e:
            return page(request, who, db, task_id, error=e)
        return RedirectResponse(f"/tasks/{t.id}?msg=已附上 attached", status_code=303)

    return r
