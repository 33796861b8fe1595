"""Escalate overdue ledger items (逾期升级): an item not closed by its due date is reported up — to the prefecture
first; more than 30 days past it, to the province. Stored (escalated_at, escalated_to) and audited, unlike an
overdue task (computed on read): escalation is an act the office answers for — someone above is now told — so it
happens once, at a time the log names, and is not undone when the item is later closed.

    escalated = escalate(db, SYSTEM, today=date(2025, 8, 1))     # the ids escalated this run (idempotent)
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.dispatch_models import LedgerItem
from xianping.platform.db.models import User, utcnow
from xianping.platform.workflow.dispatch_scope import ledger_condition

SECOND_STEP_DAYS = 30


def prefecture_of(county: str) -> str:
    return county[:4] + "00"


def province_of(county: str) -> str:
    return county[:2] + "0000"


def escalate(db: Session, who: User | Actor, *, today: date | None = None, ip: str | None = None) -> list[int]:
    today = today or utcnow().date()
    items = db.scalars(select(LedgerItem).where(ledger_condition(who), LedgerItem.status != "closed",
                                                LedgerItem.due_date < today).order_by(LedgerItem.id)).all()
    done: list[int] = []
    now = utcnow()
    with writing(db, who, ip) as w:
        for item in items:
            pref, prov = prefecture_of(item.unit_code), province_of(item.unit_code)
            days = (today - item.due_date).days
            target = prov if days > SECOND_STEP_DAYS else pref
            if item.escalated_to == target or item.escalated_to == prov:
                continue
            w.record("ledger.escalate", "ledger_item", item.id, field="escalated_to", old=item.escalated_to, new=target,
                     reason=f"逾期 {days} 天未销号 (not closed {days} days after its due date "
                            f"{item.due_date.isoformat()}): reported to {target}")
            item.escalated_at, item.escalated_to = now, target
            done.append(item.id)
    return done
