"""Access rules for the dashboard's routes when it is served as part of a platform. The dashboard (web/) knows nothing
of logins, so its rules are declared here, by path, and enforced by gate.py. A new dashboard route must be added
here: until then the gate refuses it and tests/platform/test_route_rules.py fails.

Published rankings (the dashboard's results) are visible to every logged-in user; only what the login page needs
(styles, icon, scripts of this server) is public.
"""

from __future__ import annotations

from xianping.platform.auth.access import LOGGED_IN, PUBLIC

DASHBOARD_RULES = {
    # pages
    "/": LOGGED_IN, "/unit/{code}": LOGGED_IN, "/map": LOGGED_IN, "/compare": LOGGED_IN, "/framework": LOGGED_IN,
    "/quality": LOGGED_IN, "/downloads": LOGGED_IN, "/download/{fmt}": LOGGED_IN,
    # the read-only JSON API and its documentation
    "/api/meta": LOGGED_IN, "/api/rankings": LOGGED_IN, "/api/units/{code}": LOGGED_IN,
    "/api/units/{code}/whatif": LOGGED_IN, "/api/compare": LOGGED_IN, "/api/frameworks": LOGGED_IN,
    "/api/map": LOGGED_IN, "/api/geo/counties": LOGGED_IN, "/api/quality": LOGGED_IN,
    "/openapi.json": LOGGED_IN, "/api/docs": LOGGED_IN, "/api/redoc": LOGGED_IN,
    # what the login page itself loads (styles, icon; the charts library is vendored code, no data)
    "/static": PUBLIC, "/favicon.ico": PUBLIC, "/assets/echarts.min.js": PUBLIC,
}
