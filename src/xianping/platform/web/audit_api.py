"""Audit views:

    GET /api/values/{id}/history     every audit row about the value (who, when, from where, old → new, why), newest
                                     first — for anyone who may read the value (404 outside the caller's scope)
    GET /api/audit.csv, /api/audit.xlsx ?since=YYYY-MM-DD&until=YYYY-MM-DD&unit=CODE
                                     (province admin) the audit log of its province, streamed in batches; every cell
                                     through xianping.report.excel_safe (no formula cells)

The log itself has no write route: nothing here (or anywhere) updates or deletes an audit row, and the database
refuses it too (the migration's triggers).
"""

from __future__ import annotations

import tempfile
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from xianping.platform.auth.access import allow
from xianping.platform.auth.tokens import Principal
from xianping.platform.web.deps import get_db
from xianping.platform.web.review_api import private
from xianping.platform.workflow import history
from xianping.platform.workflow.review import ReviewRefused

VALUE_READERS = allow(roles=("province_admin", "prefecture_reviewer", "county_reporter", "department_reporter"),
                      scope="value")
AUDITOR = allow(roles=("province_admin",), scope="province")


def _filter(user, since: date | None, until: date | None, unit: str | None, db: Session) -> history.AuditFilter:
    f = history.AuditFilter(since, until, (unit or "").strip() or None)
    try:
        history.check_filter(db, user, f)
    except ReviewRefused as e:
        raise HTTPException(e.status, str(e)) from None
    return f


def _name(f: history.AuditFilter, ext: str) -> str:
    parts = ["audit", f.unit or "", f.since.isoformat() if f.since else "", f.until.isoformat() if f.until else ""]
    return "-".join(p for p in parts if p) + "." + ext


def router() -> APIRouter:
    r = APIRouter(tags=["platform audit"], dependencies=[Depends(private)])

    @r.get("/api/values/{value_id}/history", summary="This number's history: every audit row about one value", response_model=None)
    def value_history(value_id: int, who: Principal = Depends(VALUE_READERS), db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            v, rows = history.value_history(db, who.user, value_id)
        except ReviewRefused as e:
            raise HTTPException(e.status, str(e)) from None
        return {"id": v.id, "unit_code": v.unit_code, "indicator": v.indicator, "period": v.period, "value": v.value,
                "status": v.status, "history": [history.history_json(a) for a in rows]}

    @r.get("/api/audit.csv", summary="The audit log as CSV (province admin; filter by date and unit)")
    def audit_csv(request: Request, since: date | None = None, until: date | None = None, unit: str | None = None,
                  who: Principal = Depends(AUDITOR), db: Session = Depends(get_db)) -> StreamingResponse:
        f = _filter(who.user, since, until, unit, db)
        plat = request.app.state.platform
        return StreamingResponse(history.csv_chunks(plat, who.user, f), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{_name(f, "csv")}"'})

    @r.get("/api/audit.xlsx", summary="The audit log as an Excel workbook (province admin; filter by date and unit)")
    async def audit_xlsx(request: Request, since: date | None = None, until: date | None = None, unit: str | None = None,
                         who: Principal = Depends(AUDITOR), db: Session = Depends(get_db)) -> StreamingResponse:
        f = await run_in_threadpool(_filter, who.user, since, until, unit, db)
        plat = request.app.state.platform
        # an xlsx is a zip whose directory comes last: built into a temporary file (spilled to disk past 8 MB), then
        # streamed out in chunks
        tmp = tempfile.SpooledTemporaryFile(max_size=8 << 20)
        await run_in_threadpool(history.write_xlsx, plat, who.user, f, tmp)
        tmp.seek(0)

        def chunks():
            while block := tmp.read(1 << 16):
                yield block

        return StreamingResponse(chunks(), background=BackgroundTask(tmp.close),
                                 media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                 headers={"Content-Disposition": f'attachment; filename="{_name(f, "xlsx")}"'})

    return r
