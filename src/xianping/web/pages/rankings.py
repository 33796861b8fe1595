"""排名 The ranking table: filter by province, city, county type, tier and year; sort; search by name or code; rank
within the result's scope (全国, or the province a one-province result was ranked in) or re-ranked within each unit's
province, prefecture, kind or 分类考核 type."""

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
                     within: Optional[str] = None, page: int = Query(1, ge=1, le=1000)):
        y = V.year(dash, year)
        p = V.province(dash, province)
        c = V.city(dash, city, p) if p else None   # a city left over from another province is dropped
        t = V.county_type(dash, type)
        ti = V.tier(dash, tier)
        s, o = V.sort(sort, order)
        w = within or "scope"
        offered = [v for v, _ in dash.within_options()]
        if w not in offered:
            raise V.Invalid(422, f"within {w!r}: choose one of {', '.join(offered)}")
        qq = (q or "").strip() or None
        rows = dash.rankings(y, p, c, t, ti, qq, s, o, w)
        pages = max(1, -(-len(rows) // PAGE))
        page_ = min(page, pages)
        shown = rows[(page_ - 1) * PAGE: page_ * PAGE]
        params = {k: v for k, v in {"year": y, "province": p or "", "city": c or "", "type": t or "",
                                    "tier": "" if ti is None else ti, "q": qq or "", "sort": s, "order": o or "",
                                    "within": "" if w == "scope" else w}.items() if v != ""}

        def link(**kw) -> str:
            return "/?" + urlencode({**params, **kw})

        top = rows if (s == "rank" and o is None and w == "scope") else dash.rankings(y, p, c, t, ti, qq)
        n_top = min(20, len(top))   # 前N名 never more than the units listed
        chart = {"names": [x["unit_name"] for x in top[:n_top]][::-1], "scores": [x["score"] for x in top[:n_top]][::-1],
                 "codes": [x["unit_code"] for x in top[:n_top]][::-1]}
        return templates.TemplateResponse(request, "rankings.html", {
            "active": "/", "rows": shown, "total": len(rows), "page": page_, "pages": pages, "year": y, "province": p,
            "city": c, "type": t, "tier": ti, "q": qq or "", "sort": s, "order": o, "link": link, "sorts": SORTS,
            "cities": dash.cities.get(p, []) if p else [], "start": (page_ - 1) * PAGE,
            "chart": chart, "n_top": n_top, "within": w, "within_label": dash.within_label(w),
            "within_options": dash.within_options(), "scope": dash.scope_summary()})

    return r
