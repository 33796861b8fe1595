"""Work on a ledger item (问题台账): take it up with a progress note (in_progress), change its owner or due date,
close it (销号) with a closing note. Each step is one transaction with its audit row: the item's history is the
audit log's rows of entity 'ledger_item' (history()).

    progress(db, reporter, 7, note="已协调用地指标，预计7月开工")        # county reporter, reviewer or admin
    close(db, reviewer, 7, note="6月已开工，完成投资1200万元")          # reviewer or admin: closing needs a note
    history(db, reviewer, 7)

Who: the county's reporter works on its county's items (in_progress, with a note) but does not close them — 销号
is the superior's confirmation; the prefecture reviewer and the province admin do everything in their division.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.dispatch_models import LedgerItem
from xianping.platform.db.models import AuditLog, User, utcnow
from xianping.platform.workflow.dispatch_review import DispatchRefused
from xianping.platform.workflow.dispatch_scope import LEDGER_WORKERS, REVIEWERS, ledger_condition

MAX_NOTE = 2000


def item_in_scope(db: Session, who: User | Actor, item_id: int) -> LedgerItem:
    item = db.scalars(select(LedgerItem).where(LedgerItem.id == item_id, ledger_condition(who))).one_or_none()
    if item is None:
        raise DispatchRefused(404, f"no ledger item {item_id} among yours")
    return item


def _note(note: str | None, what: str, required: bool) -> str | None:
    note = (note or "").strip()
    if required and not note:
        raise DispatchRefused(422, f"{what} needs a note (note): what was done, so the ledger says why")
    if len(note) > MAX_NOTE:
        raise DispatchRefused(422, f"the note is {len(note)} characters, at most {MAX_NOTE}")
    return note or None


def _role(who: User | Actor, roles: tuple[str, ...], what: str) -> None:
    if isinstance(who, User) and who.role not in roles:
        raise DispatchRefused(403, f"the role {who.role} does not {what}")


def _version(item: LedgerItem, version: int | None) -> None:
    if version is not None and version != item.version:
        raise DispatchRefused(409, f"已被他人修改 ledger item {item.id} is at version {item.version}, you saw {version}; reload")


def progress(db: Session, who: User | Actor, item_id: int, *, note: str | None, owner: str | None = None,
             due_date: date | None = None, version: int | None = None, ip: str | None = None) -> LedgerItem:
    _role(who, LEDGER_WORKERS, "work on ledger items")
    item = item_in_scope(db, who, item_id)
    _version(item, version)
    if item.status == "closed":
        raise DispatchRefused(409, f"ledger item {item_id} is closed")
    note = _note(note, "a step on a ledger item", required=True)
    if (owner is not None or due_date is not None) and isinstance(who, User) and who.role not in REVIEWERS:
        raise DispatchRefused(403, "the owner and due date are set by the reviewer or the admin")
    try:
        with writing(db, who, ip) as w:
            if item.status != "in_progress":
                w.record("ledger.progress", "ledger_item", item.id, field="status", old=item.status,
                         new="in_progress", reason=note)
                item.status = "in_progress"
            else:
                w.record("ledger.note", "ledger_item", item.id, field="note", new=note, reason=note)
            if owner is not None and owner.strip() and owner.strip() != item.owner:
                w.record("ledger.owner", "ledger_item", item.id, field="owner", old=item.owner, new=owner.strip()[:200],
                         reason=note)
                item.owner = owner.strip()[:200]
            if due_date is not None and due_date != item.due_date:
                w.record("ledger.due", "ledger_item", item.id, field="due_date", old=item.due_date.isoformat(),
                         new=due_date.isoformat(), reason=note)
                item.due_date = due_date
            db.flush()
    except StaleDataError:
        raise DispatchRefused(409, "已被他人修改 the item was changed meanwhile; reload") from None
    return item


def close(db: Session, who: User | Actor, item_id: int, *, note: str | None, version: int | None = None,
          ip: str | None = None) -> LedgerItem:
    _role(who, REVIEWERS, "close ledger items (销号 is the reviewer's or the admin's)")
    item = item_in_scope(db, who, item_id)
    _version(item, version)
    if item.status == "closed":
        raise DispatchRefused(409, f"ledger item {item_id} is already closed")
    note = _note(note, "closing a ledger item", required=True)
    try:
        with writing(db, who, ip) as w:
            w.record("ledger.close", "ledger_item", item.id, field="status", old=item.status, new="closed", reason=note)
            item.status, item.closing_note, item.closed_by, item.closed_at = "closed", note, who.id, utcnow()
            db.flush()
    except StaleDataError:
        raise DispatchRefused(409, "已被他人修改 the item was changed meanwhile; reload") from None
    return item


def history(db: Session, who: User | Actor, item_id: int) -> list[dict[str, Any]]:
    """The item's audit rows, oldest first: opened, raised, taken up, notes, owner/due changes, escalated, closed."""
    item_in_scope(db, who, item_id)
    rows = db.scalars(select(AuditLog).where(AuditLog.entity == "ledger_item", AuditLog.entity_id == str(item_id))
                      .order_by(AuditLog.id)).all()
    return [{"at": r.at.isoformat(), "actor": r.actor_name, "action": r.action, "field": r.field, "old": r.old,
             "new": r.new, "reason": r.reason} for r in rows]
