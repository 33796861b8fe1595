"""Alembic's environment for the platform database: run in-process by db/migrate.py over the engine it is given
(config.attributes["engine"]); `alembic` on the command line is not needed."""

from __future__ import annotations

from alembic import context

from xianping.platform.db.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("run the platform migrations with xianping.platform.db.migrate.upgrade(engine)")

with engine.connect() as connection:
    # render_as_batch: SQLite cannot ALTER most things; batch mode rebuilds the table, PostgreSQL alters in place
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
