"""A user changes its own password: the current one, the new one twice, the policy of passwords.weak (at least 10
characters, not the username, not the current password). Every other session of the user ends; the caller, when
it came with a session cookie, gets a fresh session so it stays logged in. Clears must_change_password (set by an
admin's reset). Audited without the password or its hash; a wrong current password counts as a failed login (the
same throttle as the login form, so a stolen session cannot be used to guess the password).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from xianping.platform.audit import record
from xianping.platform.audit.record import writing
from xianping.platform.auth import login, passwords, tokens
from xianping.platform.db.models import LoginAttempt, LoginSession, User, utcnow
from xianping.problems import ProblemReport, XianpingError


class PasswordRefused(XianpingError):
    """status: 403 wrong current password, 429 throttled (retry_after seconds)."""

    def __init__(self, status: int, message: str, retry_after: int = 0):
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


@dataclass
class Changed:
    user: User
    sessions_revoked: int
    secret: str | None            # the caller's new session cookie (None for API-token callers)
    session: LoginSession | None


def policy_problems(user: User, new: str, again: str, old: str | None) -> ProblemReport:
    report = ProblemReport()
    if new != again:
        report.add("passwords_differ", "两次输入的新密码不一致 (the two new passwords differ)", column="new_password_again",
                   expected="the same new password twice")
    why = passwords.weak(new, user.username, old)
    if why:
        report.add("weak_password", f"新密码不符合要求：{passwords.WEAK_ZH.get(why, why)} (the new password is refused: {why})",
                   column="new_password", expected=why)
    return report


def change_password(db: Session, user_id: int, old: str, new: str, again: str, ip: str, *,
                    new_session: bool) -> Changed:
    """Check and change; commits. Raises PasswordRefused (403/429) or XianpingInputError (the policy, located)."""
    now = utcnow()
    user = db.get(User, user_id)
    if user is None or not user.active:
        raise PasswordRefused(403, "no such active user")
    since = now - timedelta(minutes=login.WINDOW_MINUTES)
    if login._failures(db, since, ip=ip) >= login.MAX_FAILURES_PER_IP or \
            login._failures(db, since, username=user.username) >= login.MAX_FAILURES_PER_USERNAME:
        record(db, user, "password.change.throttled", "user", user.id, ip=ip)
        db.commit()
        raise PasswordRefused(429, "尝试次数过多，请稍后再试 (too many wrong passwords: try again later)",
                              retry_after=login.WINDOW_MINUTES * 60)
    if not passwords.verify(user.password_hash, old):
        db.add(LoginAttempt(at=now, username=user.username, ip=ip, success=False))
        record(db, user, "password.change.fail", "user", user.id, reason="wrong current password", ip=ip)
        db.commit()
        raise PasswordRefused(403, "当前密码不正确 (the current password is wrong)")
    policy_problems(user, new, again, old).raise_if_errors("密码未修改 the password was not changed")
    with writing(db, user, ip) as w:
        was = user.must_change_password
        user.password_hash = passwords.hash_password(new)
        user.must_change_password = False
        user.password_changed_at = now
        user.failed_logins, user.locked_until = 0, None
        n = tokens.revoke_sessions(db, user.id, now)   # before the new session is added: it stays open
        secret, row = tokens.open_session(db, user, ip) if new_session else (None, None)
        w.record("user.password_change", "user", user.id, field="password",
                 old={"must_change_password": was}, new={"must_change_password": False, "sessions_revoked": n})
    return Changed(user, n, secret, row)
