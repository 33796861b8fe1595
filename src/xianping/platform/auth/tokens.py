"""Secrets the server hands out (session cookies, API tokens): random, shown once, stored only as their sha256.

A sha256 (not argon2) is enough here: the tokens are 256 random bits, nothing to guess from a dictionary, and the
lookup by hash must be one indexed query per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xianping.platform.db.models import ApiToken, LoginSession, User, utcnow

SESSION_HOURS = 12
SEEN_EVERY = timedelta(minutes=1)   # a session's last_seen_at is written at most this often
API_PREFIX = "xp_"   # lets a secret scanner (and a person) tell a xianping token in a file or a paste


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def csrf_for(session_token: str) -> str:
    """The session's CSRF token: derived from the session secret under another label, so it needs no storage and
    tells nothing about the cookie (a page may show it, a log never sees the cookie from it)."""
    return hashlib.sha256(b"xianping-csrf\0" + session_token.encode()).hexdigest()


@dataclass
class Principal:
    """Who is calling: the user, and how they proved it (a session cookie or an API token)."""

    user: User
    via: str                     # "session" | "token"
    session_token: str | None = None
    session_id: int | None = None

    @property
    def csrf(self) -> str | None:
        return csrf_for(self.session_token) if self.session_token else None


def open_session(db: Session, user: User, ip: str | None, hours: int = SESSION_HOURS) -> tuple[str, LoginSession]:
    """A new session row; returns the cookie's secret (the only time it exists in clear)."""
    secret = new_secret()
    now = utcnow()
    row = LoginSession(token_sha256=digest(secret), user_id=user.id, created_at=now, last_seen_at=now,
                       expires_at=now + timedelta(hours=hours), ip=ip)
    db.add(row)
    return secret, row


def by_session(db: Session, secret: str, now: datetime | None = None, idle_minutes: int | None = None) -> Principal | None:
    """The session's user, or None when the session is unknown, revoked, past its absolute lifetime, idle for longer
    than idle_minutes (default: the platform's setting session_idle_minutes), or its user deactivated.

    last_seen_at is written at most once a minute (SEEN_EVERY), not on every request: the UPDATE is added to the
    caller's transaction, which commits it. Idleness is therefore measured to within that minute."""
    now = now or utcnow()
    row = db.scalars(select(LoginSession).where(LoginSession.token_sha256 == digest(secret))).one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        return None
    if idle_minutes is None:
        from xianping.platform.auth import settings

        idle_minutes = settings.cached(db, "session_idle_minutes")
    if now - row.last_seen_at > timedelta(minutes=idle_minutes):
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        # guarded by the old time: of two requests of the same minute in two workers, one writes
        db.execute(update(LoginSession).where(LoginSession.id == row.id, LoginSession.last_seen_at == row.last_seen_at)
                   .values(last_seen_at=now))
    return Principal(row.user, "session", secret, row.id)


def revoke_sessions(db: Session, user_id: int, now: datetime | None = None) -> int:
    """End every open session of the user (password changed or reset); returns how many were open."""
    res = db.execute(update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
                     .values(revoked_at=now or utcnow()))
    return res.rowcount or 0


def revoke_api_tokens(db: Session, user_id: int, now: datetime | None = None) -> int:
    """Revoke every live API token of the user (an admin reset: whoever knew the old password may hold a token)."""
    res = db.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                     .values(revoked_at=now or utcnow()))
    return res.rowcount or 0


def close_session(db: Session, secret: str) -> int | None:
    """Revoke the session (logout); returns its id, None when there was none."""
    row = db.scalars(select(LoginSession).where(LoginSession.token_sha256 == digest(secret))).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = utcnow()
    return row.id


def create_api_token(db: Session, user: User, name: str = "", days: int | None = 365) -> tuple[str, ApiToken]:
    secret = API_PREFIX + new_secret()
    now = utcnow()
    row = ApiToken(token_sha256=digest(secret), user_id=user.id, name=name, created_at=now,
                   expires_at=now + timedelta(days=days) if days else None)
    db.add(row)
    return secret, row


def by_api_token(db: Session, secret: str, now: datetime | None = None) -> Principal | None:
    now = now or utcnow()
    row = db.scalars(select(ApiToken).where(ApiToken.token_sha256 == digest(secret))).one_or_none()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now) \
            or not row.user.active:
        return None
    # last use, for the admin's token list; one UPDATE, not an ORM change of the row read above
    db.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return Principal(row.user, "token")
