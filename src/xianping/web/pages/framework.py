"""指标体系 The framework: tree with weights (as given and effective in the index) and methods from the manifest."""

from __future__ import annotations

from fastapi import APIRouter, Request


def router(dash, templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/framework")
    def framework_page(request: Request):
        tree = dash.framework_tree()
        rows = []

        def walk(n, depth):
            rows.append((depth, n))
            for ch in n["children"]:
                walk(ch, depth + 1)

        walk(tree["tree"], 0)
        return templates.TemplateResponse(request, "framework.html", {"active": "/framework", "t": tree, "rows": rows})

    return r
