"""Open the issue ledger (问题台账) from a month's warnings: every project and county coloured red or yellow by the
warning rules opens an item — once. Recomputing the month opens nothing new (the database's unique key on
(source, month) says so too); a source that already has an item not closed keeps that item (its colour raised to
red when the warning grew worse, audited) instead of getting a second one; after its item was closed, a new
warning in a later month opens a new item.

    opened = open_items(db, SYSTEM, "2025-06", today=date(2025, 7, 5))

Owner: a project's 责任单位 (and 责任人); a county's item the county itself. Due: the end of the next month — the
next dispatch is when the office asks again.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.dispatch_models import LedgerItem
from xianping.platform.db.models import User
from xianping.platform.workflow.dispatch_measure import month_view

OPENING = ("red", "yellow")
RANK = {"yellow": 1, "red": 2}


@dataclass
class Opened:
    month: str
    opened: list[int] = field(default_factory=list)
    raised: list[int] = field(default_factory=list)     # yellow items now red
    kept: int = 0                                       # warnings whose source already has an item

    def as_dict(self) -> dict:
        return {"month": self.month, "opened": self.opened, "raised": self.raised, "kept": self.kept}


def due_after(month: str) -> date:
    """The last day of the month after `month`."""
    y, m = int(month[:4]), int(month[5:7])
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return date(y, m, calendar.monthrange(y, m)[1])


def _pct(x) -> str:
    return "—" if x is None or x != x else f"{x:.1f}%"


def _pts(x) -> str:
    return "—" if x is None or x != x else f"{x:+.1f} 个百分点"


def warnings_of(db: Session, who: User | Actor, month: str, rules_file: Path | None = None) -> list[dict]:
    """The month's red and yellow warnings (projects, counties, then monitored indicators) as the ledger would open them."""
    view = month_view(db, who, month, rules_file=rules_file)
    out = []
    for p in view.projects[view.projects["colour"].isin(OPENING)].to_dict("records"):
        out.append({"source_kind": "project", "source_key": p["project_id"], "unit_code": p["unit_code"],
                    "colour": p["colour"],
                    "title": f"{p['name']}：{month} 完成年度计划 {_pct(p['completion'])}，时序进度 {_pts(p['pace'])}",
                    "detail": f"project {p['project_id']} {month}: completion {_pct(p['completion'])} of the annual plan "
                              f"{p['annual_plan']:g} 万元, pace {_pts(p['pace'])} against the calendar "
                              f"({p['elapsed']:.1f}% of the year elapsed); colour {p['colour_label']}"})
    for c in view.counties[view.counties["colour"].isin(OPENING)].to_dict("records"):
        out.append({"source_kind": "county", "source_key": c["unit_code"], "unit_code": c["unit_code"],
                    "colour": c["colour"],
                    "title": f"{c['name'] or c['unit_code']}：{month} 重点项目完成年度计划 {_pct(c['completion'])}，"
                             f"时序进度 {_pts(c['pace'])}，开工率 {_pct(c['start_rate'])}",
                    "detail": f"county {c['unit_code']} {month}: completion {_pct(c['completion'])}, pace "
                              f"{_pts(c['pace'])}, start rate {_pct(c['start_rate'])}, {int(c['n_reported'])} of "
                              f"{int(c['n_due_report'])} projects due reported; colour {c['colour_label']}"})
    out.extend(indicator_warnings(db, who, month, rules_file))
    return out


def indicator_warnings(db: Session, who: User | Actor, month: str, rules_file: Path | None = None) -> list[dict]:
    """Red and yellow monitored indicators of the month (and of the quarter the month closes): source 'indicator',
    key 'county:indicator' (a quarter's key ends with its period, so a month and its quarter are two items)."""
    from xianping.platform.workflow.dispatch_monitor import indicator_periods_of_month, indicator_view

    out = []
    for period in indicator_periods_of_month(month):
        view = indicator_view(db, who, period, rules_file=rules_file)
        if view.table.empty:
            continue
        for r in view.table[view.table["colour"].isin(OPENING)].to_dict("records"):
            key = f"{r['unit_code']}:{r['indicator']}" + (f":{period[5:]}" if "Q" in period else "")
            out.append({"source_kind": "indicator", "source_key": key[:100], "unit_code": r["unit_code"],
                        "colour": r["colour"],
                        "title": f"{r['name'] or r['unit_code']} {r['indicator']}：{period} 完成年度目标 "
                                 f"{_pct(r['share'])}，时序进度 {_pts(r['pace'])}，增速 {_pct(r['growth'])}"
                                 f"（全省 {_pct(r['province_growth'])}）",
                        "detail": f"indicator {r['indicator']} of {r['unit_code']} {period}: {_pct(r['share'])} of the "
                                  f"year's target, pace {_pts(r['pace'])} ({r['elapsed']:.1f}% of the year elapsed), "
                                  f"growth {_pct(r['growth'])} vs target {_pct(r['target_growth'])} and province "
                                  f"{_pct(r['province_growth'])}; colour {r['colour_label']}"})
    return out


def _owner(db: Session, w: dict) -> str:
    from xianping.platform.db.dispatch_models import Project
    from xianping.platform.db.models import Unit

    if w["source_kind"] == "project":
        p = db.scalars(select(Project).where(Project.code == w["source_key"])).one()
        return " ".join(x for x in (p.responsible_unit, p.responsible_person) if x)[:200]
    name = db.scalar(select(Unit.name).where(Unit.code == w["unit_code"]))
    return f"{name or w['unit_code']}（县级调度责任单位）"


def open_items(db: Session, who: User | Actor, month: str, *, rules_file: Path | None = None,
               ip: str | None = None) -> Opened:
    warns = warnings_of(db, who, month, rules_file)
    res = Opened(month)
    if not warns:
        return res
    keys = {(w["source_kind"], w["source_key"]) for w in warns}
    items = db.scalars(select(LedgerItem).where(LedgerItem.source_key.in_([k for _, k in keys]))
                       .order_by(LedgerItem.id)).all()
    same_month = {(i.source_kind, i.source_key) for i in items if i.month == month}
    live = {(i.source_kind, i.source_key): i for i in items if i.status != "closed"}
    with writing(db, who, ip) as wr:
        for w in warns:
            key = (w["source_kind"], w["source_key"])
            if key in same_month:
                res.kept += 1
                continue
            item = live.get(key)
            if item is not None:
                res.kept += 1
                if RANK[w["colour"]] > RANK[item.colour]:
                    wr.record("ledger.raise", "ledger_item", item.id, field="colour", old=item.colour, new=w["colour"],
                              reason=f"{month}: {w['detail']}")
                    item.colour = w["colour"]
                    res.raised.append(item.id)
                continue
            item = LedgerItem(source_kind=w["source_kind"], source_key=w["source_key"], unit_code=w["unit_code"],
                              month=month, colour=w["colour"], title=w["title"][:300], detail=w["detail"],
                              owner=_owner(db, w), due_date=due_after(month), status="open")
            db.add(item)
            db.flush()
            wr.record("ledger.open", "ledger_item", item.id, field=f"{item.source_kind}:{item.source_key}",
                      new={"month": month, "colour": item.colour, "owner": item.owner,
                           "due_date": item.due_date.isoformat(), "title": item.title}, reason=w["detail"])
            res.opened.append(item.id)
    return res
