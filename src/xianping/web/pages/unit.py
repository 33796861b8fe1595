"""县域画像 A county's profile: scores and ranks over time, dimension radar, strengths and weaknesses, obstacles,
target progress, rank interval, neighbours on a small map, and 提升路径 (what would move this county), computed on
request through /api/units/{code}/whatif."""

from __future__ import annotations

from fastapi import APIRouter, Request

from xianping.web import validate as V


def router(dash, templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/unit/{code}")
    def unit_page(request: Request, code: str):
        i = V.unit(dash, code)
        prof = dash.profile(i)
        from xianping.web.whatif import default_target, is_points

        # a points-based result's what-if card offers the points what-if only (no target rank, no rank scope)
        return templates.TemplateResponse(request, "unit.html", {
            "active": "", "p": prof, "profile": prof, "wi_target": default_target(dash.data.manifest),
            "wi_points": is_points(dash.data.manifest)})

    return r
