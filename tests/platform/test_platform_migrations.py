"""The migrations build the schema from nothing on SQLite and PostgreSQL, match the models, and run again as a no-op."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from xianping.platform.db import migrate
from xianping.platform.db.connect import open_platform
from xianping.platform.db.models import Base

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)

def test_upgrade_from_empty_matches_the_models(plat):
    insp = sa.inspect(plat.engine)
    tables = set(insp.get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    for name, table in Base.metadata.tables.items():
        assert {c["name"] for c in insp.get_columns(name)} == set(table.columns.keys()), name
    assert migrate.current(plat.engine) == migrate.head()   # the one head (a second would fail head())
    # nothing left for autogenerate to find: the migration is the models
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with plat.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": False}), Base.metadata)
    assert diff == []


def test_init_is_idempotent_and_keeps_rows(plat, db_url, tmp_path):
    with plat.engine.begin() as c:
        c.execute(sa.text("INSERT INTO departments (code, name, province_code) VALUES ('tjj', '统计局', '410000')"))
    again = open_platform(tmp_path / "plat", db_url, create=True)
    try:
        with again.engine.connect() as c:
            assert c.execute(sa.text("SELECT name FROM departments")).scalar_one() == "统计局"
        assert migrate.current(again.engine) == migrate.head()
    finally:
        again.close()


def test_sqlite_connection_settings(tmp_path):
    p = open_platform(tmp_path / "p", create=True)
    try:
        with p.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert (tmp_path / "p" / "platform.db").is_file()
        # it holds password hashes: its owner's only, and so are SQLite's WAL files
        for f in (tmp_path / "p").glob("platform.db*"):
            assert f.stat().st_mode & 0o777 == 0o600, (f.name, oct(f.stat().st_mode))
    finally:
        p.close()


def test_constraints_hold(plat):
    """Statuses and the unit-or-department rule are checked by the database, not only by the code."""
    with plat.engine.connect() as c:
        for bad in ("INSERT INTO units (code, name, kind, county_code, active, created_at) "
                    "VALUES ('1', 'x', 'planet', '410122', true, CURRENT_TIMESTAMP)",
                    "INSERT INTO users (username, display_name, role, password_hash, failed_logins, active, created_at) "
                    "VALUES ('u', 'u', 'king', 'h', 0, true, CURRENT_TIMESTAMP)",
                    "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at, last_seen_at) "
                    "VALUES ('t', 999, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"):   # no user 999: FK
            tx = c.begin()
            try:
                try:
                    c.execute(sa.text(bad))
                    raise AssertionError(f"accepted: {bad}")
                except sa.exc.IntegrityError:
                    pass
            finally:
                tx.rollback()


def test_not_migrated_database_is_refused(tmp_path):
    import pytest

    from xianping.problems import XianpingError

    (tmp_path / "empty").mkdir()
    with pytest.raises(XianpingError, match="platform init"):
        open_platform(tmp_path / "empty")


def test_database_urls():
    import pytest

    from xianping.platform.db.engine import _normalise, platform_url
    from xianping.problems import XianpingInputError

    # the form, postgresql://, uses the psycopg 3 driver that xianping installs (not psycopg2)
    assert _normalise("postgresql://kaohe:pw@db.example:5433/xianping") == "postgresql+psycopg://kaohe:pw@db.example:5433/xianping"
    assert _normalise("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert platform_url(Path("/srv/plat")) == "sqlite:////srv/plat/platform.db"
    for bad, why in (("mysql://u@h/d", "not supported"), ("not a url", "not a database URL")):
        with pytest.raises(XianpingInputError, match=why):
            _normalise(bad)
