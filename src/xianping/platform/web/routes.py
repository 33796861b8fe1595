"""The app's routes as (path, methods, route) — and the access rule of each, the table the gate enforces for
routes that do not declare their own and the tests check for completeness."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.routing import Mount, compile_path

from xianping.platform.auth.access import Rule, rule_of
from xianping.platform.web.dashboard_rules import DASHBOARD_RULES


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]      # empty for a mount (every method under its prefix)
    route: Any
    regex: re.Pattern

    @property
    def is_mount(self) -> bool:
        return isinstance(self.route, Mount)

    def matches(self, method: str, path: str) -> bool:
        if self.is_mount:
            return path == self.path or path.startswith(self.path.rstrip("/") + "/")
        return (not self.methods or method in self.methods) and self.regex.match(path) is not None


def flat_routes(app: Any) -> list[RouteInfo]:
    """Every route, routers included (FastAPI ≥ 0.16x keeps included routers as nodes: iter_route_contexts walks them)."""
    try:
        from fastapi.routing import iter_route_contexts
        contexts = [(c.path, c.methods, c.original_route) for c in iter_route_contexts(app.routes)]
    except ImportError:
        contexts = [(getattr(r, "path", None), getattr(r, "methods", None), r) for r in app.routes]
    out = []
    for path, methods, route in contexts:
        if path is None:
            continue
        out.append(RouteInfo(path, frozenset(methods or ()), route, compile_path(path)[0]))
    return out


def declared_rule(info: RouteInfo) -> tuple[Rule | None, str]:
    """(rule, where it is declared): on the route itself ("route"), in the dashboard table ("dashboard"), or none."""
    own = rule_of(info.route)
    if own is not None:
        return own, "route"
    rule = DASHBOARD_RULES.get(info.path)
    return (rule, "dashboard") if rule is not None else (None, "")


def rule_table(app: Any) -> dict[tuple[str, str], Rule | None]:
    """(path, method) → rule for every route of the app (None: no rule declared — refused by the gate)."""
    table: dict[tuple[str, str], Rule | None] = {}
    for info in flat_routes(app):
        rule, _ = declared_rule(info)
        for m in sorted(info.methods) or ["*"]:
            table[(info.path, m)] = rule
    return table
