"""填报 JSON API. Who: a county reporter its county's tasks (and the towns/zones registered under it), a department
reporter its department's task, the province admin every task of its province; a prefecture reviewer reads its
prefecture's tasks (values, template) but does not fill them; viewers 403; a task outside the scope 404.

    GET  /api/tasks/{id}/values          the cells (unit × indicator, value, status, last period's value) + warnings
    PUT  /api/tasks/{id}/values          JSON {"values": [{"unit_code", "indicator", "value"}]} → drafts saved
    POST /api/tasks/{id}/submit          JSON {"explanations": {"<unit>:<indicator>:<kind>": "说明"}}
    GET  /api/tasks/{id}/template.xlsx   the task's workbook (codes, names, units, last period's values)
    POST /api/tasks/{id}/upload          multipart file=<xlsx|csv> [explanations=<JSON>] → read, saved, submitted
                                         when nothing is left to explain (the same file again: unchanged, said so)
    POST /api/values/{id}/evidence       multipart file=<pdf|xlsx|png|jpeg> → attached to the value
    GET  /api/evidence/{id}              the file (only within the value's scope)

Refusals of the data are 422 with every problem located: {"detail", "problems": [{file, row, column, value, expected}]};
a write to a task of a programme no longer open (closed … published) is 409 with the words review answers.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from xianping.platform.auth.access import allow, client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import TASK_STATUSES_ZH, Task, User
from xianping.platform.web.deps import get_db
from xianping.platform.web.programme_api import problems_response
from xianping.platform.workflow import evidence, reporting
from xianping.platform.workflow.programme_open import ProgrammeNotOpen
from xianping.platform.workflow.tasks import WRITERS, visible_task
from xianping.problems import XianpingInputError

READERS = allow(roles=("province_admin", "prefecture_reviewer", "county_reporter", "department_reporter"), scope="task")
FILLERS = allow(roles=WRITERS, scope="task")
VALUE_WRITERS = allow(roles=WRITERS, scope="value")
VALUE_READERS = allow(roles=("province_admin", "prefecture_reviewer", "county_reporter", "department_reporter"), scope="value")


class ValueIn(BaseModel):
    unit_code: str = Field(max_length=32)
    indicator: str = Field(max_length=64)
    value: float | str | None = None


class ValuesIn(BaseModel):
    values: list[ValueIn] = Field(default_factory=list, max_length=100_000)


class SubmitIn(BaseModel):
    explanations: dict[str, str] = Field(default_factory=dict, max_length=100_000)
    file_sha256: str | None = Field(None, max_length=64)
    file_name: str | None = Field(None, max_length=255)


def the_task(db: Session, user: User, task_id: int) -> Task:
    t = visible_task(db, user, task_id)
    if t is None:
        raise HTTPException(404, f"no task {task_id} among yours")
    return t


def refusal(e: XianpingInputError, task_id: int | None = None) -> JSONResponse:
    """422 for the data (every problem located); 409 when the programme is no longer open — the status and the words
    review answers in the same case (workflow/programme_open.py)."""
    if not isinstance(e, ProgrammeNotOpen):
        return problems_response(e, 422, task_id)
    body = {"detail": e.summary, "problems": [p.as_dict() for p in e.report]}   # detail: review's words exactly
    return JSONResponse({"id": task_id, **body} if task_id is not None else body, status_code=409,
                        headers={"Cache-Control": "no-store"})


def warn_json(w: reporting.Warn) -> dict[str, Any]:
    return {"key": w.key, "unit_code": w.unit_code, "indicator": w.indicator, "kind": w.kind, "message": w.message}


def sheet_json(db: Session, t: Task) -> dict[str, Any]:
    sheet = reporting.cells(db, t)
    return {"id": t.id, "status": t.status, "status_zh": TASK_STATUSES_ZH[t.status], "version": t.version,
            "period": t.programme.period, "programme_id": t.programme_id,
            "cells": [{"unit_code": c.unit_code, "unit_name": c.unit_name, "indicator": c.indicator, "name_zh": c.name_zh,
                       "name_en": c.name_en, "unit": c.measure, "value": c.value, "status": c.status,
                       "value_id": c.value_id, "last": c.last} for c in sheet.cells],
            "warnings": [warn_json(w) for w in reporting.warnings(db, t, sheet)]}


async def read_capped(f: UploadFile, cap: int) -> bytes:
    # one byte past the cap is enough to refuse: a large upload is never read whole into memory
    data = await f.read(cap + 1)
    return data


def _private(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


def router() -> APIRouter:
    r = APIRouter(tags=["platform reporting"], dependencies=[Depends(_private)])

    @r.get("/api/tasks/{task_id}/values", summary="A task's cells, values and warnings")
    def get_values(task_id: int, who: Principal = Depends(READERS), db: Session = Depends(get_db)) -> Response:
        t = the_task(db, who.user, task_id)
        try:
            return JSONResponse(sheet_json(db, t))
        except XianpingInputError as e:
            return problems_response(e, 409, task_id)

    @r.put("/api/tasks/{task_id}/values", summary="Save values as drafts")
    def put_values(task_id: int, body: ValuesIn, request: Request, who: Principal = Depends(FILLERS),
                   db: Session = Depends(get_db)) -> Response:
        t = the_task(db, who.user, task_id)
        try:
            n = reporting.save_draft(db, who.user, t, {(v.unit_code, v.indicator): v.value for v in body.values},
                                     ip=client_ip(request))
            out = sheet_json(db, t)
        except XianpingInputError as e:
            return refusal(e, task_id)
        except StaleDataError:
            raise HTTPException(409, "已被他人修改 the task or a value was changed meanwhile; reload") from None
        return JSONResponse({**out, "changed": n})

    @r.post("/api/tasks/{task_id}/submit", summary="Submit the task (warnings need explanations)")
    def submit(task_id: int, request: Request, body: SubmitIn | None = None, who: Principal = Depends(FILLERS),
               db: Session = Depends(get_db)) -> Response:
        t = the_task(db, who.user, task_id)
        body = body or SubmitIn()
        plat = request.app.state.platform
        kept = reporting.stored_upload(plat.folder, body.file_sha256) if body.file_sha256 else None
        try:
            s = reporting.submit(db, who.user, t, body.explanations, file_name=body.file_name if kept else None,
                                 file_sha256=body.file_sha256 if kept else None, ip=client_ip(request))
        except XianpingInputError as e:
            return refusal(e, task_id)
        except StaleDataError:
            raise HTTPException(409, "已被他人修改 the task was changed meanwhile; reload") from None
        return JSONResponse({"id": t.id, "status": t.status, "submission_id": s.id, "explanations": s.explanations})

    @r.get("/api/tasks/{task_id}/template.xlsx", summary="The task's Excel template")
    def template(task_id: int, who: Principal = Depends(READERS), db: Session = Depends(get_db)) -> Response:
        t = the_task(db, who.user, task_id)
        try:
            data = reporting.template(db, t)
        except XianpingInputError as e:
            return problems_response(e, 409, task_id)
        name = f"task-{t.id}-{t.unit_code or 'dept'}-{t.programme.period}.xlsx"
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"})

    @r.post("/api/tasks/{task_id}/upload", summary="Upload the filled template")
    async def upload(task_id: int, request: Request, file: UploadFile = File(...), explanations: str = Form("{}"),
                     who: Principal = Depends(FILLERS), db: Session = Depends(get_db)) -> Response:
        data = await read_capped(file, reporting.MAX_UPLOAD_BYTES)
        try:
            given = json.loads(explanations or "{}")
            if not isinstance(given, dict):
                raise ValueError
        except ValueError:
            raise HTTPException(422, "explanations: a JSON object {\"<unit>:<indicator>:<kind>\": \"说明\"}") from None
        plat = request.app.state.platform

        def run() -> dict[str, Any]:
            t = the_task(db, who.user, task_id)
            u = reporting.upload(db, who.user, plat.folder, t, file.filename or "upload.xlsx", data, given,
                                 ip=client_ip(request))
            return {"id": t.id, "status": t.status, "unchanged": u.unchanged, "saved": u.saved, "sha256": u.sha256,
                    "file_name": u.file_name, "submission_id": u.submission.id if u.submission else None,
                    "warnings": [warn_json(w) for w in u.warnings], "notes": u.notes}

        from starlette.concurrency import run_in_threadpool

        try:
            return JSONResponse(await run_in_threadpool(run))
        except XianpingInputError as e:
            return refusal(e, task_id)
        except StaleDataError:
            raise HTTPException(409, "已被他人修改 the task was changed meanwhile; reload") from None

    @r.post("/api/values/{value_id}/evidence", summary="Attach an evidence file to a value")
    async def attach(value_id: int, request: Request, file: UploadFile = File(...), who: Principal = Depends(VALUE_WRITERS),
                     db: Session = Depends(get_db)) -> Response:
        data = await read_capped(file, evidence.MAX_EVIDENCE_BYTES)
        v = evidence.visible_value(db, who.user, value_id)
        if v is None:
            raise HTTPException(404, f"no value {value_id} among yours")
        try:
            ev = evidence.attach(db, who.user, request.app.state.platform.folder, v, file.filename or "evidence", data,
                                 ip=client_ip(request))
        except XianpingInputError as e:
            return refusal(e)
        return JSONResponse({"id": ev.id, "value_id": v.id, "name": ev.name, "size": ev.size,
                             "content_type": ev.content_type, "sha256": ev.sha256}, status_code=201)

    @r.get("/api/evidence/{evidence_id}", summary="An evidence file (within the value's scope)")
    def get_evidence(evidence_id: int, request: Request, who: Principal = Depends(VALUE_READERS),
                     db: Session = Depends(get_db)) -> Response:
        try:
            found = evidence.open_evidence(db, who.user, request.app.state.platform.folder, evidence_id)
        except XianpingInputError as e:
            return problems_response(e, 410)
        if found is None:
            raise HTTPException(404, f"no evidence {evidence_id} among yours")
        path, ev = found
        return FileResponse(path, media_type=ev.content_type, filename=ev.name,
                            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

    return r
