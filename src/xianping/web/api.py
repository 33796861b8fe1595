"""The JSON API (read-only): rankings, a county's profile, comparisons, the framework, maps, data quality.

Rankings and maps are encoded once per distinct query and kept as bytes (gzip too, for clients that accept it),
so the ranking of all counties costs a dictionary look-up after the first request."""

from __future__ import annotations

import gzip
import json
from typing import Literal, Any, Optional

import numpy as np

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from xianping.web import schemas
from xianping.web import validate as V
from xianping.web.data import Dashboard

ERRORS = {404: {"model": schemas.Problem, "description": "Not found (e.g. an unknown county code)"},
          422: {"model": schemas.Problem, "description": "Invalid parameter, with what would have been valid"}}
WHATIF_ERRORS = {**ERRORS, 409: {"model": schemas.Problem, "description": "The evaluation cannot be rebuilt: its data are gone "
                                                                          "or changed since the results were written"}}


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def encoded(request: Request, dash: Dashboard, key: Any, build) -> Response:
    """JSON bytes from the cache (gzip-encoded when the client accepts it)."""
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = dash.cached(("gz", key), lambda: gzip.compress(dash.cached(key, build), 5))
        return Response(body, media_type="application/json", headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return Response(dash.cached(key, build), media_type="application/json", headers={"Vary": "Accept-Encoding"})


def _given(**params: str | None) -> None:
    """In the API an empty value is an error (pages treat empty form fields as 'all')."""
    for name, v in params.items():
        if v is not None and v.strip() == "":
            raise V.Invalid(422, f"query parameter {name!r} is empty: leave it out or give a value")


def router(dash: Dashboard) -> APIRouter:
    r = APIRouter(prefix="/api", tags=["api"])

    @r.get("/meta", response_model=schemas.Meta, summary="What is loaded: framework, years, provinces, types, tiers")
    def meta() -> dict[str, Any]:
        return {"framework": dash.data.framework, "years": dash.years, "base_year": dash.base_year, "units": len(dash.codes),
                "provinces": dash.provinces, "types": dash.type_list,
                "tiers": [{"tier": t, "label": dash.tier_label(t)} for t in dash.tiers],
                "rank_intervals": dash.rank_stats is not None, "targets": dash.targets is not None,
                "scope": dash.scope_summary(), "within": [v for v, _ in dash.within_options()],
                "origin": {k: str(v) for k, v in dash.origin.items()}}

    @r.get("/rankings", response_model=schemas.Rankings, responses=ERRORS,
           summary="排名 Ranking of a year, filtered and sorted",
           description="Every county-level unit ranked in `year` (default: the latest), best first. Filters combine: "
                       "province (2-digit code or name), city (prefecture code), type (county type), tier, q (code or name, "
                       "substring). Screened-out units (too little data) are not ranked and not listed; see /api/quality.")
    def rankings(request: Request,
                 year: Optional[str] = Query(None, description="evaluated year (default: latest)"),
                 province: Optional[str] = Query(None, description="province code (e.g. 41) or name (河南省)"),
                 city: Optional[str] = Query(None, description="prefecture code, e.g. 410800"),
                 type: Optional[str] = Query(None, description="county type, e.g. 县级市"),
                 tier: Optional[int] = Query(None, description="tier number (1 = best)"),
                 q: Optional[str] = Query(None, max_length=50, description="search by code or name"),
                 sort: Optional[str] = Query(None, description="rank | score | change | type_rank | code | name"),
                 order: Optional[str] = Query(None, description="asc | desc"),
                 within: Literal["scope", "province", "prefecture", "kind", "type"] = Query(
                     "scope", description="where within_rank is counted: scope (the result's own rank: 全国, or the "
                                          "province/prefecture it was ranked within) | province (省内) | prefecture (市内) | "
                                          "kind (同类: 县/县级市/市辖区 …) | type (分类考核 type; by-type results only)"),
                 limit: Optional[int] = Query(None, ge=1, le=10000, description="at most this many rows"),
                 offset: int = Query(0, ge=0, le=100000)) -> Response:
        _given(year=year, province=province, city=city, type=type, sort=sort, order=order)
        y = V.year(dash, year)
        p = V.province(dash, province)
        c = V.city(dash, city, p)
        t = V.county_type(dash, type)
        ti = V.tier(dash, tier)
        s, o = V.sort(sort, order)
        qq = (q or "").strip() or None
        if within not in [v for v, _ in dash.within_options()]:
            raise V.Invalid(422, f"within {within!r}: this result has no 分类考核 types (evaluate --by-type); "
                                 "choose scope, province, prefecture or kind")
        key = ("rankings", y, p, c, t, ti, qq, s, o, within, limit, offset)

        def build() -> bytes:
            rows = dash.rankings(y, p, c, t, ti, qq, s, o, within)
            page = rows[offset:offset + limit if limit else None]
            return dumps({"year": y, "base_year": dash.base_year, "framework": dash.data.framework.get("code"),
                          "index": dash.root.code, "scope": dash.scope_summary(), "within": within,
                          "rank_label": dash.within_label(within),
                          "total": len(rows), "offset": offset, "limit": limit,
                          "rows": [_public(x) for x in page]})

        return encoded(request, dash, key, build)

    @r.get("/units/{code}", response_model=schemas.Profile, responses=ERRORS,
           summary="县域画像 A county's profile: scores and ranks over time, dimensions, strengths, obstacles, neighbours")
    def unit(code: str) -> dict[str, Any]:
        return dash.profile(V.unit(dash, code))

    most = max([int(np.sum(~np.isnan(dash.data.rank[t, :, dash.root_k]))) for t in range(len(dash.years))] or [2])

    from xianping.web import whatif

    if whatif.is_points(dash.data.manifest):
        points_whatif_route(r, dash)
    else:
        @r.get("/units/{code}/whatif", response_model=schemas.WhatIf, responses=WHATIF_ERRORS,
               summary="提升路径 What would move this county: single-indicator scenarios and the value needed to reach rank N",
               description="Each indicator alone raised by 10 % (lowered for negative indicators, towards the optimum for moderate "
                           "ones) or set to the provincial median, the 第一方阵 median or the provincial best, and the whole "
                           "evaluation run again through the engine (`xianping analyse whatif`); and for each indicator the value "
                           "needed to reach rank `target` alone (bisection), or why it cannot. The evaluation is rebuilt from the "
                           "results' manifest on the first request (409 when its data are gone or changed); the first answer for "
                           "a county, year and target takes a few seconds at national scale, repeats come from memory.")
        async def unit_whatif(request: Request, code: str,
                        year: Optional[str] = Query(None, description="evaluated year (default: latest)"),
                        target: Optional[int] = Query(None, ge=1, le=max(1, most - 1),
                                                      description="rank to reach (default: the top-N tier of the settings, 30)"),
                        scope: Literal["nation", "province", "prefecture", "type"] = Query(
                            "nation", description="where the rank is counted: nation | province (省内) | prefecture (市内) | type "
                                                  "(同类县); the target rank is counted there too")) -> Response:
            i = V.unit(dash, code)
            _given(year=year)
            y = V.year(dash, year)
            n = V.target_rank(dash, i, y, target, whatif.default_target(dash.data.manifest))
            return await whatif_response(request, dash, ("whatif", dash.codes[i], y, n, scope), i, y, n, scope)

    @r.get("/compare", response_model=schemas.Compare, responses=ERRORS, summary="对比 Compare 2–5 counties")
    def compare(units: str = Query(..., description="2–5 codes separated by commas, e.g. 410821,410882",
                                   pattern=r"^\d{6}(,\d{6}){1,4}$")) -> dict[str, Any]:
        idx = V.compare_units(dash, units)
        return compare_payload(dash, idx)

    @r.get("/frameworks", response_model=schemas.Frameworks, summary="指标体系 The framework: tree, weights, methods")
    def frameworks() -> dict[str, Any]:
        return {"frameworks": [dash.framework_tree()]}

    @r.get("/map", response_model=schemas.MapData, responses=ERRORS,
           summary="地图 Scores of a year for a choropleth (national, or one province)",
           description="Join `boundary_code` to the `code` property of /api/geo/counties.")
    def map_(request: Request, year: Optional[str] = Query(None, description="evaluated year (default: latest)"),
             province: Optional[str] = Query(None, description="province code or name"),
             node: Optional[str] = Query(None, description="framework node (default: the index)")) -> Response:
        _given(year=year, province=province, node=node)
        y, p, n = V.year(dash, year), V.province(dash, province), V.node(dash, node)

        def build() -> bytes:
            rows = dash.map_rows(y, p, n)
            vals = [x["score"] for x in rows if x["score"] is not None]
            k = dash.data.k(n)
            every = dash.data.score[..., k] if p is None else dash.data.score[:, dash.prov_arr == p, k]
            lo, hi = (float(np.nanmin(every)), float(np.nanmax(every))) if np.any(~np.isnan(every)) else (None, None)
            return dumps({"year": y, "node": n, "province": p, "min": min(vals) if vals else None,
                          "max": max(vals) if vals else None, "scale_min": lo, "scale_max": hi, "rows": rows})

        return encoded(request, dash, ("map", y, p, n), build)

    @r.get("/geo/counties", summary="County boundaries (simplified GeoJSON, properties code/name/province)",
           responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}},
                      404: {"model": schemas.Problem}})
    def geo(request: Request) -> Response:
        if dash.boundary_units() is None:
            raise V.Invalid(404, "no county boundaries are installed")
        gz = dash.geo_gzip()
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(gz, media_type="application/json", headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding",
                                                                         "Cache-Control": "max-age=86400"})
        return Response(dash.cached("geo-plain", lambda: gzip.decompress(gz)), media_type="application/json")

    @r.get("/quality", response_model=schemas.Quality, summary="数据质量 Coverage, imputed cells, screened-out units, flags")
    def quality() -> dict[str, Any]:
        return dash.quality()

    return r


def compare_payload(dash: Dashboard, idx: list[int]) -> dict[str, Any]:
    d = dash.data
    units = []
    for i in idx:
        units.append({**dash.unit_ref(i),
                      "scores": [None if x != x else round(float(x), 2) for x in d.score[:, i, dash.root_k]],
                      "ranks": [None if x != x else int(x) for x in d.rank[:, i, dash.root_k]],
                      "dimensions": [[None if x != x else round(float(x), 2) for x in d.score[t, i, dash.dim_k]]
                                     for t in range(len(dash.years))],
                      "dimension_ranks": [[None if x != x else int(x) for x in d.rank[t, i, dash.dim_k]]
                                          for t in range(len(dash.years))]})
    return {"years": dash.years, "dimensions": [{"code": n.code, "name_zh": n.name_zh, "name_en": n.name_en} for n in dash.dims],
            "units": units}


def points_whatif_route(r: APIRouter, dash: Dashboard) -> None:
    """/api/units/{code}/whatif of a points-based result (考核办法): the points what-if (web/whatif_points.py). Only
    the year is a parameter: a target rank and a rank scope have no meaning for points (the programme ranks by its
    own mode and classes), so they are not offered, and given anyway they are refused with a 422 that says so."""
    @r.get("/units/{code}/whatif", response_model=schemas.PointsWhatIf, responses=WHATIF_ERRORS,
           summary="提升路径 What would move this county into 先进县: each item alone at its full points",
           description="A 考核办法 (framework with `scoring:`): each item alone brought to the value that earns its full "
                       "points, all other data fixed, and the whole programme scored again (`xianping points whatif`): per "
                       "item the points gained and the new total, rank, class rank and 先进县; and the points short of the "
                       "先进县 line. The evaluation is rebuilt from the results' manifest on the first request (409 when its "
                       "data are gone or changed, or it does not give the 考核得分表 shown); repeats come from memory.")
    async def unit_points_whatif(request: Request, code: str,
                                 year: Optional[str] = Query(None, description="evaluated year (default: latest)")) -> Response:
        i = V.unit(dash, code)
        _given(year=year)
        index_only = [f"{k}={request.query_params[k]}" for k in ("target", "scope") if k in request.query_params]
        if index_only:
            raise V.Invalid(422, f"{', '.join(index_only)}: a points-based result (考核办法) has no target rank or rank "
                                 "scope; its what-if brings each item to its full points and ranks by the programme's own "
                                 "ranking mode and classes: leave them out")
        y = V.year(dash, year)
        return await whatif_response(request, dash, ("whatif", dash.codes[i], y, "points"), i, y)


async def whatif_response(request: Request, dash: Dashboard, key: tuple, *args: Any) -> Response:
    """One what-if answer (web/whatif.answer) from the cache, or computed on the work queue's threads (503 +
    Retry-After when it is full), not the server's."""
    from xianping.web import whatif

    body = dash._bytes.get(key)
    if body is None:
        body = await request.app.state.work.run(whatif.answer, dash, key, *args)
    return encoded(request, dash, key, lambda: body)
