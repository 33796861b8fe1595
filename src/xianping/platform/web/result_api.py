"""The result JSON API (issue 14 Build 7): close, compute, 公示, final publish, the ranking and the published files.

    POST /api/programmes/{id}/close            (admin) JSON {"reason"} — needed when tasks are not approved
    POST /api/programmes/{id}/compute          (admin) the engine on the approved values → draft result
    POST /api/programmes/{id}/publicity        (admin) draft → 公示 for the programme's 公示期
    POST /api/programmes/{id}/result/publish   (admin) JSON {"reason", "issuer", "doc_number"} → final, 通报 written
                                               (…/publish itself opens a programme: programme_api.py)
    GET  /api/programmes/{id}/ranking          the current result's ranking: a final one for every logged-in user,
                                               a 公示 one for the users of the programme's province, a draft for its admin
    GET  /api/programmes/{id}/report.docx      the 通报 of a published result (every logged-in user)
    GET  /api/programmes/{id}/ranking.xlsx     its ranking workbook

404 for a programme outside the caller's reach (as for one that does not exist); 409 for a step the programme's
state does not allow (a published programme's values are frozen); 422 for bad input, each with the reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xianping.platform.auth.access import allow, client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import PROGRAMME_STATUSES_ZH, Programme, Result, User
from xianping.platform.web.deps import get_db
from xianping.platform.workflow import compute, publish
from xianping.problems import XianpingError

ADMIN = allow(roles=compute.ADMINS, scope="programme")
READER = allow(scope="programme", note="final results: every logged-in user; 公示: the programme's province; draft: its admin")
RESULT_STATUSES_ZH = {"draft": "草稿", "publicity": "公示中", "final": "已发布"}
MAX_TEXT = 2000


class CloseIn(BaseModel):
    reason: str = Field("", max_length=MAX_TEXT)


class PublishIn(BaseModel):
    reason: str = Field("", max_length=MAX_TEXT)
    issuer: str = Field("", max_length=200)
    doc_number: str = Field("", max_length=100)


def refused(e: XianpingError) -> HTTPException:
    return HTTPException(getattr(e, "status", 422), str(e))


def readable_result(db: Session, user: User, programme_id: int) -> tuple[Programme, Result]:
    """The programme's current result if the user may read it (see READER); 404 otherwise."""
    p = db.get(Programme, programme_id)
    res = compute.current_result(db, programme_id) if p is not None else None
    if res is not None and res.status == "final":
        return p, res   # published rankings are visible to all logged-in users
    try:
        p = compute.programme_for_admin(db, user, programme_id) if res is None or res.status == "draft" else \
            compute.programme_for_reader(db, user, programme_id)
    except compute.WorkflowRefused:
        p = None
    if p is None or res is None:
        raise HTTPException(404, f"no result of programme {programme_id} for you yet")
    return p, res


def result_json(folder, p: Programme, res: Result) -> dict[str, Any]:
    ends = compute.publicity_end(res)
    return {"programme_id": p.id, "programme": p.name, "period": p.period, "programme_status": p.status,
            "programme_status_zh": PROGRAMME_STATUSES_ZH[p.status],
            "result": {"id": res.id, "status": res.status, "status_zh": RESULT_STATUSES_ZH[res.status],
                       "data_version": res.data_version, "computed_at": res.computed_at.isoformat(),
                       "published_at": res.published_at.isoformat() if res.published_at else None,
                       "publicity_ends": ends.isoformat() if ends else None,
                       "approved_values": res.manifest.get("platform", {}).get("approved_values"),
                       "framework_hash": res.manifest.get("framework", {}).get("hash")},
            "ranking": compute.ranking(folder, res)}


def private(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


def router() -> APIRouter:
    r = APIRouter(tags=["platform results"], dependencies=[Depends(private)])

    def folder(request: Request):
        return request.app.state.platform.folder

    @r.post("/api/programmes/{programme_id}/close", summary="Close reporting (a reason when tasks are not approved)", response_model=None)
    def close(programme_id: int, request: Request, body: CloseIn | None = None, who: Principal = Depends(ADMIN),
              db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            p = compute.close(db, who.user, programme_id, (body or CloseIn()).reason, ip=client_ip(request))
        except XianpingError as e:
            raise refused(e) from e
        return {"programme_id": p.id, "status": p.status, "status_zh": PROGRAMME_STATUSES_ZH[p.status]}

    @r.post("/api/programmes/{programme_id}/compute", summary="Compute the result from the approved values", response_model=None)
    def compute_(programme_id: int, request: Request, who: Principal = Depends(ADMIN),
                 db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            res = compute.compute(db, who.user, programme_id, folder(request), ip=client_ip(request))
            return result_json(folder(request), db.get(Programme, programme_id), res)
        except XianpingError as e:
            raise refused(e) from e

    @r.post("/api/programmes/{programme_id}/publicity", summary="公示: publish the draft result for objection", response_model=None)
    def publicity(programme_id: int, request: Request, who: Principal = Depends(ADMIN),
                  db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            res = compute.start_publicity(db, who.user, programme_id, ip=client_ip(request))
            return result_json(folder(request), db.get(Programme, programme_id), res)
        except XianpingError as e:
            raise refused(e) from e

    @r.post("/api/programmes/{programme_id}/result/publish", summary="Final publish: 通报 and ranking workbook", response_model=None)
    def publish_(programme_id: int, request: Request, body: PublishIn | None = None, who: Principal = Depends(ADMIN),
                 db: Session = Depends(get_db)) -> dict[str, Any]:
        b = body or PublishIn()
        try:
            res = publish.publish(db, who.user, programme_id, folder(request), reason=b.reason, issuer=b.issuer,
                                  doc_number=b.doc_number or None, ip=client_ip(request))
            return result_json(folder(request), db.get(Programme, programme_id), res)
        except XianpingError as e:
            raise refused(e) from e

    @r.get("/api/programmes/{programme_id}/ranking", summary="The programme's ranking (draft, 公示 or final)",
           response_model=None)
    def ranking(programme_id: int, request: Request, who: Principal = Depends(READER),
                db: Session = Depends(get_db)) -> dict[str, Any]:
        p, res = readable_result(db, who.user, programme_id)
        try:
            return result_json(folder(request), p, res)
        except XianpingError as e:
            raise refused(e) from e

    def published_file(db: Session, programme_id: int, request: Request, kind: str):
        p = db.get(Programme, programme_id)
        res = compute.current_result(db, programme_id) if p is not None else None
        if res is None or res.status != "final":
            raise HTTPException(404, f"programme {programme_id} has no published result")
        path = publish.report_paths(folder(request), res)[kind]
        if not path.is_file():
            raise HTTPException(409, f"the published file {path.name} is missing from the platform folder")
        return p, path

    @r.get("/api/programmes/{programme_id}/report.docx", summary="The 通报 (Word) of the published result")
    def report_docx(programme_id: int, request: Request, who: Principal = Depends(READER),
                    db: Session = Depends(get_db)) -> Response:
        p, path = published_file(db, programme_id, request, "docx")
        return FileResponse(path, filename=f"{p.name}-通报.docx", media_type="application/vnd.openxmlformats-"
                            "officedocument.wordprocessingml.document")

    @r.get("/api/programmes/{programme_id}/ranking.xlsx", summary="The ranking workbook of the published result")
    def ranking_xlsx(programme_id: int, request: Request, who: Principal = Depends(READER),
                     db: Session = Depends(get_db)) -> Response:
        p, path = published_file(db, programme_id, request, "xlsx")
        return FileResponse(path, filename=f"{p.name}-排名.xlsx",
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    return r
