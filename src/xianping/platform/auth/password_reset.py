"""An admin resets a user's password: a generated temporary password, shown once to the admin (page, API answer or
the CLI's mode-600 file) and never stored in clear or logged; must_change_password, so the user's next login leads
to the change page and the API refuses everything else until it is changed; every session of the user ends and a
lock from failed logins is lifted. A province admin resets users of its own province only (auth/scope.user_condition),
and not itself (it changes its own password with the current one).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.auth import passwords, tokens
from xianping.platform.auth.password_change import PasswordRefused
from xianping.platform.auth.scope import user_condition
from xianping.platform.db.models import User, utcnow


@dataclass
class Reset:
    user: User
    temporary: str
    sessions_revoked: int


def user_in_reach(db: Session, admin: User, user_id: int) -> User | None:
    """The user when the admin may reset it (its province), else None (answered 404: scope does not leak who exists)."""
    return db.scalars(select(User).where(User.id == user_id, user_condition(admin))).one_or_none()


def reset_password(db: Session, actor: Actor | User, user: User, ip: str | None = None) -> Reset:
    """Set a temporary password on `user` (already checked to be within the actor's reach); commits."""
    if isinstance(actor, User) and actor.id == user.id:
        raise PasswordRefused(409, "不能重置自己的密码，请使用“修改密码” (you cannot reset your own password: change it at "
                                   "/account/password with the current one)")
    temporary = passwords.generate()
    now = utcnow()
    with writing(db, actor, ip) as w:
        user.password_hash = passwords.hash_password(temporary)
        user.must_change_password = True
        user.password_changed_at = now
        user.failed_logins, user.locked_until = 0, None
        n = tokens.revoke_sessions(db, user.id, now)
        k = tokens.revoke_api_tokens(db, user.id, now)   # scripts get new tokens from the user once it has changed
        w.record("user.password_reset", "user", user.id, field="password", new={"must_change_password": True,
                                                                               "sessions_revoked": n,
                                                                               "api_tokens_revoked": k})
    return Reset(user, temporary, n)


def by_username(db: Session, username: str) -> User | None:
    return db.scalars(select(User).where(User.username == username)).one_or_none()
