"""Log in: throttled per username and per client IP (counted in the database, so every worker process agrees),
a user locked for a while after repeated failures, every attempt audited (never the password).

Outcomes: ("ok", secret) with a new session; ("bad", None) for a wrong username or password (one message for
both, so usernames cannot be probed); ("limited", seconds) when the IP or the username is throttled or locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from xianping.platform.audit import Actor, record
from xianping.platform.auth import passwords, tokens
from xianping.platform.db.models import LoginAttempt, User, utcnow

MAX_FAILURES = 5                       # a user's failures in a row before it is locked
LOCK_MINUTES = 15
WINDOW_MINUTES = 15                    # failures counted over this window
MAX_FAILURES_PER_IP = 30               # one client trying many usernames (a NAT'ed office shares one IP: room for it)
MAX_FAILURES_PER_USERNAME = 10         # also for usernames that do not exist
PRUNE_AFTER_MINUTES = 4 * WINDOW_MINUTES   # attempts older than this count for nothing: deleted, a batch per login
PRUNE_BATCH = 1000


# refused attempts are recorded under this actor, not the user they claimed to be (that is in entity_id and new)
ANONYMOUS = Actor(None, "anonymous")


@dataclass
class Outcome:
    kind: str                          # ok | bad | limited
    secret: str | None = None
    user: User | None = None
    retry_after: int = 0


def _failures(db: Session, since, **where) -> int:
    q = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since, LoginAttempt.success.is_(False))
    for k, v in where.items():
        q = q.where(getattr(LoginAttempt, k) == v)
    return db.scalar(q) or 0


def prune_attempts(db: Session, now=None) -> int:
    """Delete one batch of attempts older than PRUNE_AFTER_MINUTES (they count for no limit any more); returns how many.
    A batch, not all: a login never waits on a large delete, and each login takes away at most PRUNE_BATCH rows."""
    cutoff = (now or utcnow()) - timedelta(minutes=PRUNE_AFTER_MINUTES)
    oldest = select(LoginAttempt.id).where(LoginAttempt.at < cutoff).order_by(LoginAttempt.at).limit(PRUNE_BATCH)
    res = db.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(oldest.scalar_subquery()))
                     .execution_options(synchronize_session=False))
    return res.rowcount or 0


def log_in(db: Session, username: str, password: str, ip: str) -> Outcome:
    """Check the credentials and open a session; commits (the attempt is recorded even when refused). Then prunes
    old attempts in a transaction of its own, so the rows it deletes are locked only for that short while."""
    out = _log_in(db, username, password, ip)
    prune_attempts(db)
    db.commit()
    return out


def _log_in(db: Session, username: str, password: str, ip: str) -> Outcome:
    now = utcnow()
    since = now - timedelta(minutes=WINDOW_MINUTES)
    username = username.strip()[:64]
    if _failures(db, since, ip=ip) >= MAX_FAILURES_PER_IP or _failures(db, since, username=username) >= MAX_FAILURES_PER_USERNAME:
        record(db, ANONYMOUS, "login.throttled", "user", None, new={"username": username}, ip=ip)
        db.commit()
        return Outcome("limited", retry_after=WINDOW_MINUTES * 60)
    user = db.scalars(select(User).where(User.username == username)).one_or_none()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        record(db, ANONYMOUS, "login.locked", "user", user.id, ip=ip)
        db.commit()
        return Outcome("limited", retry_after=int((user.locked_until - now).total_seconds()) + 1)
    # the read transaction ends before the deliberately slow hash: its pooled connection is not held meanwhile
    # (a login storm held every connection through argon2 and other requests timed out waiting: bench_platform.py)
    db.commit()
    ok = passwords.verify(user.password_hash if user is not None else None, password)
    if not ok or user is None or not user.active:
        db.add(LoginAttempt(at=now, username=username, ip=ip, success=False))
        if user is not None:
            # counted in SQL: two workers failing the same user at once both count
            db.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1))
            db.refresh(user)
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
                record(db, ANONYMOUS, "login.lock", "user", user.id, field="locked_until", new=user.locked_until.isoformat(),
                       reason=f"{MAX_FAILURES} failed logins in a row", ip=ip)
        record(db, ANONYMOUS, "login.fail", "user", user.id if user else None, new={"username": username}, ip=ip)
        db.commit()
        return Outcome("bad")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    db.add(LoginAttempt(at=now, username=username, ip=ip, success=True))
    secret, row = tokens.open_session(db, user, ip)
    db.flush()
    record(db, user, "login", "session", row.id, ip=ip)
    db.commit()
    return Outcome("ok", secret, user)


def log_out(db: Session, principal: tokens.Principal, ip: str | None) -> None:
    if principal.session_token is None:
        return
    sid = tokens.close_session(db, principal.session_token)
    if sid is not None:
        record(db, principal.user, "logout", "session", sid, ip=ip)
    db.commit()
