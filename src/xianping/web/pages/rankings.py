"""排名 The ranking table: filter by province, city, county type, tier and year; sort; search by name or code."""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from xianping.web import validate as V
from xianping.web.data import SORTS

PAGE = 100


def router(dash, templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/")
    def ranking_page(request: Request, year: Optional[str] = None, province: Optional[str] = None,
                     city: Optional[str] = None, type: Optional[str] = None, tier: Optional[str] = None,
                     q: Optional[str] = Query(None, max_length=50), sort: Optional[str] = None, order: Optional[str] = None,
                     page: int = Query(1, ge=1, le=1000)):
        y = V.year(dash, year)
        p = V.province(dash, province)
        c = V.city(dash, city, p) if p else None   # a city left over from another province is dropped
        t = V.county_type(dash, type)
        ti = V.tier(dash, tier)
        s, o = V.sort(sort, order)
        qq = (q or "").strip() or None
        rows = dash.rankings(y, p, c, t, ti, qq, s, o)
        pages = max(1, -(-len(rows) // PAGE))
        page_ = min(page, pages)
        shown = rows[(page_ - 1) * PAGE: page_ * PAGE]
        params = {k: v for k, v in {"year": y, "province": p or "", "city": c or "", "type": t or "",
                                    "tier": "" if ti is None else ti, "q": qq or "", "sort": s, "order": o or ""}.items() if v != ""}

        def link(**kw) -> str:
            return "/?" + urlencode({**params, **kw})

        top = rows if (s == "rank" and o is None) else dash.rankings(y, p, c, t, ti, qq)
        chart = {"names": [x["unit_name"] for x in top[:20]][::-1], "scores": [x["score"] for x in top[:20]][::-1],
                 "codes": [x["unit_code"] for x in top[:20]][::-1]}
        return templates.TemplateResponse(request, "rankings.html", {
            "active": "/", "rows": shown, "total": len(rows), "page": page_, "pages": pages, "year": y, "province": p,
            "city": c, "type": t, "tier": ti, "q": qq or "", "sort": s, "order": o, "link": link, "sorts": SORTS,
            "cities": dash.cities.get(p, []) if p else [], "start": (page_ - 1) * PAGE,
            "chart": chart})

    return r
