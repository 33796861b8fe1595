"""Who reaches which dispatch rows (projects, their plans and reports, ledger items), as SQL conditions on the county
code — one rule for lists and details, like auth/scope.py for tasks:

    county_reporter       its county's projects: reads them, reports their months, imports its own rows
    prefecture_reviewer   its prefecture's projects: reads them, reviews their reports, works and closes ledger items
    province_admin        its province: everything above, and the project bank of the whole province
    department_reporter, viewer   nothing (403 at the routes: dispatch has no published result yet; the monthly
                          brief, once published, is where viewers will read it)

A command-line or system actor (an `Actor`, not a `User`) acts province-wide: it is the office running the CLI.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from xianping.platform.audit.record import Actor
from xianping.platform.auth.scope import prefix
from xianping.platform.db.dispatch_models import LedgerItem, Project
from xianping.platform.db.models import User

READERS = ("province_admin", "prefecture_reviewer", "county_reporter")
REPORTERS = ("province_admin", "county_reporter")          # import projects, fill and submit monthly reports
REVIEWERS = ("province_admin", "prefecture_reviewer")      # approve/reject reports, close ledger items, recompute
LEDGER_WORKERS = READERS                                    # move an item to in_progress with a note


def division(who: User | Actor | None) -> str | None:
    """The county-code prefix the user acts over ('' for a CLI actor: everything); None: no dispatch rows."""
    if not isinstance(who, User):
        return ""
    return prefix(who) if who.role in READERS else None


def covers(who: User | Actor | None, county_code: str) -> bool:
    p = division(who)
    return p is not None and str(county_code).startswith(p)


def project_condition(who: User | Actor | None) -> ColumnElement[bool]:
    p = division(who)
    if p is None:
        return false()
    return Project.unit_code.startswith(p, autoescape=True) if p else true()


def ledger_condition(who: User | Actor | None) -> ColumnElement[bool]:
    p = division(who)
    if p is None:
        return false()
    return LedgerItem.unit_code.startswith(p, autoescape=True) if p else true()
