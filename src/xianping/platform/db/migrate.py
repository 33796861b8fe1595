"""Bring a database to the newest schema with the migrations shipped in the package (Alembic, run in-process:
no alembic.ini, no command line). Idempotent: an up-to-date database is left as it is."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine   # env.py migrates over this engine (no URL, so no password, in the config)
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Migrate to `revision`; returns the revision the database is at afterwards."""
    command.upgrade(_config(engine), revision)
    return current(engine) or ""


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str:
    """The newest revision the package ships."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head() or ""
