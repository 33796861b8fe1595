"""数据质量 Coverage per indicator and year, imputed and carried-forward cells, screened-out units, flags."""

from __future__ import annotations

from fastapi import APIRouter, Request


def router(dash, templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/quality")
    def quality_page(request: Request):
        return templates.TemplateResponse(request, "quality.html", {"active": "/quality", "qd": dash.quality()})

    return r
