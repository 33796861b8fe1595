"""Checks of request inputs against what is loaded, with messages that say what would have been right.
`Invalid` becomes a 422/404 JSON body under /api and an error page elsewhere (see app.py)."""

from __future__ import annotations

import re

from xianping.web.data import SORTS, Dashboard

CODE = re.compile(r"^\d{6}$")


class Invalid(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def year(dash: Dashboard, y: str | None) -> str:
    if y is None or y == "":
        return dash.latest
    y = str(y).strip()
    if y not in dash.years:
        raise Invalid(422, f"year {y!r} was not evaluated; choose one of {', '.join(dash.years)}")
    return y


def province(dash: Dashboard, p: str | None) -> str | None:
    if not p:
        return None
    p = p.strip()
    if len(p) == 6 and p.endswith("0000"):
        p = p[:2]
    if p not in dash.prov_name:
        by_name = [c for c, n in dash.prov_name.items() if n == p or n.startswith(p)]
        if len(by_name) == 1:
            return by_name[0]
        raise Invalid(422, f"province {p!r} is not in the results; give a 2-digit code (e.g. 41) or a name (e.g. 河南省)")
    return p


def city(dash: Dashboard, c: str | None, prov: str | None) -> str | None:
    if not c:
        return None
    c = c.strip()
    known = {x["code"] for xs in dash.cities.values() for x in xs}
    if c not in known:
        raise Invalid(422, f"city {c!r} is not a prefecture of the results; give its 6-digit code (e.g. 410800)")
    return c


def county_type(dash: Dashboard, t: str | None) -> str | None:
    if not t:
        return None
    if t not in dash.type_list:
        raise Invalid(422, f"type {t!r} is not a county type of the results; choose one of {', '.join(dash.type_list) or '(none)'}")
    return t


def tier(dash: Dashboard, t: str | int | None) -> int | None:
    if t is None or t == "":
        return None
    try:
        v = int(t)
    except (TypeError, ValueError):
        raise Invalid(422, f"tier {t!r} is not a whole number") from None
    if v not in dash.tiers:
        raise Invalid(422, f"tier {v} does not occur in the results; tiers: {', '.join(map(str, dash.tiers)) or '(no tiers)'}")
    return v


def sort(s: str | None, order: str | None) -> tuple[str, str | None]:
    s = s or "rank"
    if s not in SORTS:
        raise Invalid(422, f"sort {s!r}: choose one of {', '.join(SORTS)}")
    if order not in (None, "", "asc", "desc"):
        raise Invalid(422, f"order {order!r}: choose asc or desc")
    return s, order or None


def unit(dash: Dashboard, code: str) -> int:
    code = (code or "").strip()
    if not CODE.match(code):
        raise Invalid(404, f"no county-level unit with code {code!r}: a code has 6 digits (e.g. 410821)")
    i = dash.index.get(code)
    if i is None:
        raise Invalid(404, f"no county-level unit with code {code} in these results ({len(dash.codes)} units, "
                      f"{dash.data.framework.get('code')}, years {', '.join(dash.years)}); look codes up with "
                      f"`xianping units lookup` or /api/rankings?q=NAME")
    return i


def compare_units(dash: Dashboard, units: str | None) -> list[int]:
    codes = [c for c in re.split(r"[,\s，、]+", units or "") if c]
    out = []
    for c in codes[:5]:
        if not CODE.match(c) or c not in dash.index:
            raise Invalid(404, f"no county-level unit with code {c!r} in these results")
        out.append(dash.index[c])
    if not 2 <= len(codes) <= 5:
        raise Invalid(422, f"compare 2 to 5 counties: give their codes separated by commas (got {len(codes)})")
    return out


def node(dash: Dashboard, n: str | None) -> str:
    if not n:
        return dash.root.code
    codes = [x.code for x in dash.data.nodes]
    if n not in codes:
        raise Invalid(422, f"node {n!r} is not in the framework; choose one of {', '.join(codes)}")
    return n


def target_rank(dash: Dashboard, i: int, y: str, target: int | None, default: int) -> int:
    """The rank a what-if aims at: 1 … (units ranked in `y`) − 1; the unit itself must be ranked in `y`."""
    import numpy as np

    d = dash.data
    t = d.t(y)
    ranks = d.rank[t, :, dash.root_k]
    n = int(np.sum(~np.isnan(ranks)))
    if np.isnan(ranks[i]):
        ok = [yy for tt, yy in enumerate(dash.years) if not np.isnan(d.rank[tt, i, dash.root_k])]
        raise Invalid(422, f"unit {dash.codes[i]} {dash.short[i]} was not ranked in {y} (screened out: too little data), so no rank "
                      f"can move; choose a year it was ranked: {', '.join(ok) or '(none)'}")
    v = default if target is None else int(target)
    if not 1 <= v < n:
        raise Invalid(422, f"target rank {v} is not valid for {y}: expected a whole number from 1 to {n - 1} "
                      f"(below the {n} units ranked that year)")
    return v
