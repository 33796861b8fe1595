"""The platform's settings: a few named values kept in the database (table platform_settings), so every worker
process of `xianping serve --platform` reads the same; a setting without a row has its built-in default.

    idle = value(db, "session_idle_minutes")                     # 30 unless changed
    change(db, actor, "session_idle_minutes", "60")              # checked, audited old → new; commits
    xianping platform settings --dir plat [KEY VALUE]            # the same from the command line

The server reads a setting at most once a minute per process (a per-request query would double the queries of
every request for a value that changes once a year): a change takes effect in every worker within a minute.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.models import PlatformSetting, User, utcnow
from xianping.problems import XianpingInputError


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    label: str                       # 中文 (English): what it means, shown by the CLI
    parse: Callable[[str], Any]      # text from the command line → value, or ValueError saying what is expected


def _minutes(text: str) -> int:
    n = int(text)
    if not 5 <= n <= 720:            # under 5 minutes logs people out while they type; over the session's 12 h is moot
        raise ValueError("a whole number of minutes from 5 to 720")
    return n


SETTINGS = {s.key: s for s in (
    Setting("session_idle_minutes", 30, "会话空闲超时（分钟）session idle timeout: minutes without a request before "
            "the session ends (its absolute lifetime stays 12 hours)", _minutes),
)}

CACHE_SECONDS = 60
_cache: dict[tuple[str, str], tuple[float, Any]] = {}
_lock = threading.Lock()


def _known(key: str) -> Setting:
    if key not in SETTINGS:
        raise XianpingInputError(f"no setting {key!r}; the settings are: {', '.join(SETTINGS)}")
    return SETTINGS[key]


def value(db: Session, key: str) -> Any:
    """The setting's value now (read from the database)."""
    s = _known(key)
    row = db.get(PlatformSetting, key)
    return s.default if row is None else row.value


def cached(db: Session, key: str, now: float | None = None) -> Any:
    """The setting's value as this process last read it, read again when older than CACHE_SECONDS."""
    now = time.monotonic() if now is None else now
    bind = db.get_bind()
    ck = (bind.url.render_as_string(hide_password=True), key)
    with _lock:
        hit = _cache.get(ck)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    v = value(db, key)
    with _lock:
        _cache[ck] = (now, v)
    return v


def forget_cache() -> None:
    with _lock:
        _cache.clear()


def all_values(db: Session) -> dict[str, Any]:
    rows = {r.key: r.value for r in db.scalars(select(PlatformSetting))}
    return {k: rows.get(k, s.default) for k, s in SETTINGS.items()}


def change(db: Session, actor: Actor | User, key: str, text: str, ip: str | None = None) -> Any:
    """Set a setting from its text form (checked: a located refusal names what is expected); audited; commits."""
    s = _known(key)
    try:
        new = s.parse(text.strip())
    except ValueError as e:
        why = str(e) if str(e) and "invalid literal" not in str(e) else "a value of the right kind"
        raise XianpingInputError(f"setting {key}: {text!r} is not accepted; expected {why}") from None
    row = db.get(PlatformSetting, key)
    old = s.default if row is None else row.value
    with writing(db, actor, ip) as w:
        if row is None:
            db.add(PlatformSetting(key=key, value=new, updated_at=utcnow(), updated_by=getattr(actor, "id", None)))
        else:
            row.value, row.updated_at, row.updated_by = new, utcnow(), getattr(actor, "id", None)
        w.record("setting.change", "setting", key, field=key, old=old, new=new)
    forget_cache()
    return new
