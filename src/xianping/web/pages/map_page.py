"""地图 National or provincial choropleth of the index (or a dimension) with a year switch."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Request

from xianping.web import validate as V


def router(dash, templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/map")
    def map_page(request: Request, year: Optional[str] = None, province: Optional[str] = None, node: Optional[str] = None):
        y, p, n = V.year(dash, year), V.province(dash, province), V.node(dash, node)
        nodes = [{"code": dash.root.code, "name_zh": dash.root.name_zh, "name_en": dash.root.name_en}] + \
                [{"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en} for d in dash.dims]
        return templates.TemplateResponse(request, "map.html", {
            "active": "/map", "year": y, "province": p, "node": n, "nodes": nodes,
            "has_geo": dash.boundary_units() is not None,
            "page": {"year": y, "province": p, "node": n, "years": dash.years}})

    return r
