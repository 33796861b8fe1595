"""对比 Compare 2–5 counties: index and dimension scores side by side, radar and trend."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query, Request

from xianping.web import validate as V
from xianping.web.api import compare_payload


def router(dash, templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/compare")
    def compare_page(request: Request, units: Optional[str] = Query(None, max_length=200)):
        payload, message = None, ""
        if units:
            try:
                payload = compare_payload(dash, V.compare_units(dash, units))
            except V.Invalid as e:
                message = e.message
        return templates.TemplateResponse(request, "compare.html", {
            "active": "/compare", "units": units or "", "c": payload, "message": message,
            "compare": payload},
            status_code=422 if message else 200)

    return r
