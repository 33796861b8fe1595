"""地图 National or provincial choropleth of the index (or a dimension) with a year switch.

The map opens on the results' extent (`report.html.map_extent`: the whole country, drawn with the 南海诸岛 inset,
or the provinces covered; a one-province result opens on that province)."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Request

from xianping.report.html import map_extent, scs_inset
from xianping.web import validate as V

_INSET: dict = {}


def _inset() -> dict:
    if "fc" not in _INSET:     # read once per process (84 KB)
        _INSET["fc"] = scs_inset()
    return _INSET["fc"]


def router(dash, templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/map")
    def map_page(request: Request, year: Optional[str] = None, province: Optional[str] = None, node: Optional[str] = None):
        y, p, n = V.year(dash, year), V.province(dash, province), V.node(dash, node)
        extent = map_extent(x["code"] for x in dash.provinces)
        if p is None and extent is not None and len(extent) == 1:
            p = extent[0]
        has_geo = dash.boundary_units() is not None
        nodes = [{"code": dash.root.code, "name_zh": dash.root.name_zh, "name_en": dash.root.name_en}] + \
                [{"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en} for d in dash.dims]
        return templates.TemplateResponse(request, "map.html", {
            "active": "/map", "year": y, "province": p, "node": n, "nodes": nodes,
            "has_geo": has_geo, "extent": extent,
            "page": {"year": y, "province": p, "node": n, "years": dash.years, "extent": extent,
                     "inset": _inset() if has_geo else None}})

    return r
