"""Add an audit row in the caller's transaction, so the change and its record commit together or not at all.

    with writing(session, actor, ip=request_ip) as w:       # one transaction: the change and its audit rows
        task.status = "approved"
        w.record("task.approve", "task", task.id, old={"status": "submitted"}, new={"status": "approved"})

    record(session, actor, "user.add", "user", user.id, new={...})   # inside a transaction the caller commits
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy.orm import Session

from xianping.platform.db.models import AuditLog, User

# never written to the log, whatever a caller passes: the values are replaced by a marker
SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_sha256", "session", "csrf_token"})


@dataclass(frozen=True)
class Actor:
    """Who acts: a user, or the system / the command line (id None) under a name."""

    id: int | None
    name: str

    @classmethod
    def of(cls, user: User) -> "Actor":
        return cls(user.id, user.username)


SYSTEM = Actor(None, "system")


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, dict):
        v = {k: ("***" if k in SECRET_FIELDS else x) for k, x in v.items()}
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, default=str, sort_keys=True)


def record(session: Session, actor: Actor | User | None, action: str, entity: str, entity_id: Any = None, *,
           field: str | None = None, old: Any = None, new: Any = None, reason: str | None = None,
           ip: str | None = None) -> AuditLog:
    """Add one audit row to the session's transaction (flushed with the change it records)."""
    if isinstance(actor, User):
        actor = Actor.of(actor)
    actor = actor or SYSTEM
    row = AuditLog(actor_id=actor.id, actor_name=actor.name, ip=ip, action=action, entity=entity,
                   entity_id=None if entity_id is None else str(entity_id), field=field, old=_text(old),
                   new=_text(new), reason=reason)
    session.add(row)
    return row


@dataclass
class Writer:
    session: Session
    actor: Actor | User | None
    ip: str | None

    def record(self, action: str, entity: str, entity_id: Any = None, **what: Any) -> AuditLog:
        what.setdefault("ip", self.ip)
        return record(self.session, self.actor, action, entity, entity_id, **what)


@contextmanager
def writing(session: Session, actor: Actor | User | None, ip: str | None = None) -> Iterator[Writer]:
    """One write transaction: commits the changes with their audit rows at the end, rolls both back on any error.
    A write service that records nothing is a bug: it is refused here rather than committed unaudited."""
    w = Writer(session, actor, ip)
    try:
        yield w
        if any(not isinstance(o, AuditLog) for o in session.new | session.dirty | session.deleted) and \
                not any(isinstance(o, AuditLog) for o in session.new):
            raise RuntimeError("a write without an audit row: call w.record(...) for every change")
        session.commit()
    except BaseException:
        session.rollback()
        raise
