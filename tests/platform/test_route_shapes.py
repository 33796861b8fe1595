"""A sync route that holds a database session and returns a dict must be declared with response_model=None
(platform/web/deps.py says why: FastAPI would validate the answer in a worker thread while the request's pooled
connection waits, and under load — benchmarks/bench_platform.py, 200 reporters — every thread waited for a
connection and every connection for a thread until the pool timed out with 500s). Derived from the app's routes,
so a new route of that shape fails here."""

from __future__ import annotations

import inspect

from fastapi.routing import APIRoute

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from xianping.platform.web.deps import get_db
from xianping.platform.web.routes import flat_routes


def _uses_db(dependant) -> bool:
    return any(d.call is get_db or _uses_db(d) for d in dependant.dependencies)



def test_sync_routes_holding_a_session_skip_response_validation(app):
    routes = [i.route for i in flat_routes(app)]
    held = [r for r in routes if isinstance(r, APIRoute) and not inspect.iscoroutinefunction(r.endpoint)
            and _uses_db(r.dependant)]
    assert len(held) > 30   # the platform's API and pages: the check looks at something
    bad = sorted(f"{sorted(r.methods)} {r.path}" for r in held if r.response_model is not None)
    assert not bad, f"declare response_model=None on these sync routes that hold a session: {bad}"
