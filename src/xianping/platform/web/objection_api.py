"""The objections JSON API (异议, during 公示):

    POST /api/objections                      (county reporter) JSON {"value_id", "text"}, or multipart form
                                              value_id, text, evidence (a PDF/XLSX/PNG/JPEG, evidence.py's limits)
    GET  /api/objections                      the caller's: admin its province's, prefecture reviewer its
                                              prefecture's, a county its own
    POST /api/objections/{id}/resolve         (admin) JSON {"decision": "dismissed"|"upheld", "reason", "value"}:
                                              upheld changes the value and recomputes the result

404 for a value or objection outside the caller's scope; 409 outside 公示 or once resolved; 422 for bad input.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from xianping.platform.auth.access import allow, client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.web.deps import get_db
from xianping.platform.workflow import objections
from xianping.platform.workflow.evidence import MAX_EVIDENCE_BYTES
from xianping.problems import XianpingError

FILERS = allow(roles=("county_reporter",), scope="objection")
READERS = allow(roles=("province_admin", "prefecture_reviewer", "county_reporter"), scope="objection")
RESOLVERS = allow(roles=("province_admin",), scope="objection")
STATUS_ZH = {"open": "待处理", "upheld": "已采纳", "dismissed": "不予采纳"}


class ObjectionIn(BaseModel):
    value_id: int
    text: str = Field(min_length=1, max_length=objections.MAX_TEXT)


class ResolveIn(BaseModel):
    decision: str = Field(pattern="^(dismissed|upheld)$")
    reason: str = Field(min_length=1, max_length=objections.MAX_TEXT)
    value: float | None = None


def objection_json(o, v, unit_name: str) -> dict[str, Any]:
    return {"id": o.id, "value_id": v.id, "programme_id": v.programme_id, "unit_code": v.unit_code,
            "unit_name": unit_name, "indicator": v.indicator, "period": v.period, "value": v.value,
            "text": o.text, "evidence_file_id": o.evidence_file_id, "status": o.status, "status_zh": STATUS_ZH[o.status],
            "resolution": o.resolution, "at": o.at.isoformat(),
            "resolved_at": o.resolved_at.isoformat() if o.resolved_at else None}


async def read_objection(request: Request) -> tuple[ObjectionIn, tuple[str, bytes] | None]:
    """JSON, or a multipart/urlencoded form with an optional evidence file (read up to the size cap + 1 byte)."""
    ctype = request.headers.get("content-type", "")
    try:
        if ctype.startswith("application/json"):
            return ObjectionIn.model_validate(await request.json()), None
        form = await request.form()
        body = ObjectionIn.model_validate({"value_id": form.get("value_id"), "text": form.get("text")})
    except (ValidationError, ValueError) as e:
        raise HTTPException(422, f"an objection needs value_id (a number) and text (1–{objections.MAX_TEXT} "
                                 f"characters): {e}") from e
    up = form.get("evidence")
    if up is None or isinstance(up, str) or not getattr(up, "filename", ""):
        return body, None
    data = await up.read(MAX_EVIDENCE_BYTES + 1)   # over the cap: evidence.py refuses it by size, nothing stored
    return body, (up.filename, data)


def resolve_body(form_or_json: dict[str, Any]) -> ResolveIn:
    try:
        return ResolveIn.model_validate({k: v for k, v in form_or_json.items() if v not in (None, "")})
    except ValidationError as e:
        raise HTTPException(422, "a resolution needs decision (dismissed or upheld), reason, and for upheld the "
                                 f"corrected value: {e}") from e


def private(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


def router() -> APIRouter:
    r = APIRouter(tags=["platform objections"], dependencies=[Depends(private)])

    @r.post("/api/objections", summary="File an objection to one of the county's values (during 公示)")
    async def file_(request: Request, who: Principal = Depends(FILERS)) -> dict[str, Any]:
        body, evidence = await read_objection(request)
        plat = request.app.state.platform

        def run() -> dict[str, Any]:
            with plat.sessions() as db:
                try:
                    o = objections.file(db, who.user, body.value_id, body.text, folder=plat.folder, evidence=evidence,
                                        ip=client_ip(request))
                except XianpingError as e:
                    raise HTTPException(getattr(e, "status", 422), str(e)) from e
                o, v, name = objections.visible(db, who.user, o.id)[0]
                return objection_json(o, v, name)

        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(run)

    @r.get("/api/objections", summary="Objections within the caller's scope", response_model=None)
    def list_(who: Principal = Depends(READERS), db: Session = Depends(get_db)) -> dict[str, Any]:
        return {"objections": [objection_json(o, v, n) for o, v, n in objections.visible(db, who.user)]}

    @r.post("/api/objections/{objection_id}/resolve", summary="Resolve: dismissed (reason) or upheld (corrected value)", response_model=None)
    def resolve(objection_id: int, body: ResolveIn, request: Request, who: Principal = Depends(RESOLVERS),
                db: Session = Depends(get_db)) -> dict[str, Any]:
        plat = request.app.state.platform
        try:
            objections.resolve(db, who.user, objection_id, body.decision, body.reason, value=body.value,
                               folder=plat.folder, ip=client_ip(request))
        except XianpingError as e:
            raise HTTPException(getattr(e, "status", 422), str(e)) from e
        o, v, name = objections.visible(db, who.user, objection_id)[0]
        return objection_json(o, v, name)

    return r
