"""platform layer: the assessment cycle with people in it (programmes, tasks, submissions, review, audit, 公示, 异议,
publication) on a real database. It calls the layers below (frameworks, ingest, engine, report, web); they never
import it.

    db/     SQLAlchemy models, Alembic migrations, the engine factory (SQLite file by default, PostgreSQL by URL)
    audit/  the append-only log every write service adds its row to, in the same transaction
    auth/   passwords, sessions, CSRF, API tokens, login throttling, roles and division scope, route rules
    web/    the JSON API and pages mounted into the dashboard app (`xianping serve --platform DIR`)
"""
