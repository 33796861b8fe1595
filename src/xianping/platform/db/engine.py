"""The engine factory: an embedded SQLite file DIR/platform.db by default (nothing to install), PostgreSQL by URL.

    engine = make_engine(platform_url(Path("plat")))                      # sqlite:///plat/platform.db
    engine = make_engine("postgresql://kaohe@db.example/xianping")        # psycopg 3 driver
    Session = session_factory(engine)
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from xianping.problems import XianpingInputError

DB_FILE = "platform.db"
BUSY_TIMEOUT_MS = 10_000   # a writer waits this long for another's lock instead of failing at once ("database is locked")


def platform_url(folder: Path, db: str | None = None) -> str:
    """The database URL of a platform folder: `db` when given, else the SQLite file in the folder."""
    if db:
        return db
    return f"sqlite:///{(Path(folder) / DB_FILE).resolve()}"


def _normalise(url: str) -> str:
    try:
        u = make_url(url)
    except ArgumentError:
        raise XianpingInputError(f"--db {url!r}: not a database URL; expected postgresql://user@host/dbname or "
                                 "sqlite:///path/platform.db") from None
    # `postgresql://` would pick psycopg2, which xianping does not install: psycopg 3 is the driver
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() not in ("sqlite", "postgresql"):
        raise XianpingInputError(f"--db: the {u.get_backend_name()} database is not supported; expected PostgreSQL "
                                 "(postgresql://…) or SQLite (sqlite:///…)")
    return u.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = _normalise(url)
    # hide_parameters: a statement logged on error (or with echo) never shows a hash, token or password
    if url.startswith("sqlite"):
        engine = create_engine(url, hide_parameters=True, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")      # readers do not block the writer (and the other way round)
            cur.execute("PRAGMA foreign_keys=ON")       # off by default in SQLite
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=NORMAL")    # safe with WAL: a power cut loses at most the last commits
            cur.close()

        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit off: a route may read what it just wrote after the commit without another round trip
    return sessionmaker(engine, expire_on_commit=False)
