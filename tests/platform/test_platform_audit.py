"""The audit log is append-only through the application (the ORM) and through the database (raw SQL), on SQLite
and PostgreSQL; a write and its audit row commit together or not at all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from xianping.platform.audit import Actor, record, writing
from xianping.platform.db.models import AuditLog, AuditLogIsAppendOnly, Department

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)


def _one_row(plat) -> int:
    with plat.sessions() as db:
        row = record(db, Actor(None, "tester"), "department.add", "department", 1, new={"code": "tjj"}, reason="test",
                     ip="127.0.0.1")
        db.commit()
        return row.id


def test_record_writes_one_row(plat):
    rid = _one_row(plat)
    with plat.sessions() as db:
        row = db.get(AuditLog, rid)
        assert (row.actor_name, row.action, row.entity, row.entity_id, row.new, row.reason, row.ip) == \
            ("tester", "department.add", "department", "1", '{"code": "tjj"}', "test", "127.0.0.1")
        assert row.at.tzinfo is not None


def test_orm_cannot_update_or_delete(plat):
    rid = _one_row(plat)
    with plat.sessions() as db:
        row = db.get(AuditLog, rid)
        row.new = "forged"
        with pytest.raises(AuditLogIsAppendOnly):
            db.commit()
        db.rollback()
        db.delete(db.get(AuditLog, rid))
        with pytest.raises(AuditLogIsAppendOnly):
            db.commit()
        db.rollback()
        # a bulk statement through the ORM session goes to the database, whose trigger refuses it
        for stmt in (sa.update(AuditLog).values(new="forged"), sa.delete(AuditLog)):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                db.execute(stmt)
            db.rollback()
    with plat.sessions() as db:
        assert db.get(AuditLog, rid).new == '{"code": "tjj"}'


def test_raw_sql_cannot_update_delete_or_truncate(plat):
    rid = _one_row(plat)
    statements = [f"UPDATE audit_log SET new = 'forged' WHERE id = {rid}", f"DELETE FROM audit_log WHERE id = {rid}",
                  "DELETE FROM audit_log"]
    if plat.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_log")
    for sql in statements:
        with plat.engine.connect() as c:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                c.execute(sa.text(sql))
    with plat.engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*), max(new) FROM audit_log")).one() == (1, '{"code": "tjj"}')


def test_secrets_are_never_recorded(plat):
    with plat.sessions() as db:
        row = record(db, None, "user.add", "user", 1, new={"username": "a", "password": "hunter2hunter2", "token": "xp_abc"})
        db.commit()
        assert "hunter2" not in row.new and "xp_abc" not in row.new and row.actor_name == "system"


def test_writing_commits_change_and_row_together_or_neither(plat):
    actor = Actor(None, "tester")
    with plat.sessions() as db:
        with writing(db, actor, ip="10.0.0.1") as w:
            d = Department(code="tjj", name="统计局", province_code="410000")
            db.add(d)
            db.flush()
            w.record("department.add", "department", d.id, new={"code": "tjj"})
    with plat.sessions() as db:
        with pytest.raises(ValueError):
            with writing(db, actor) as w:
                db.add(Department(code="czt", name="财政厅", province_code="410000"))
                w.record("department.add", "department", None, new={"code": "czt"})
                raise ValueError("the service failed after its audit row was added")
        with pytest.raises(RuntimeError, match="without an audit row"):
            with writing(db, actor):
                db.add(Department(code="fgw", name="发改委", province_code="410000"))
    with plat.sessions() as db:
        assert db.scalars(select(Department.code)).all() == ["tjj"]
        rows = db.scalars(select(AuditLog)).all()
        assert [(r.action, r.ip) for r in rows] == [("department.add", "10.0.0.1")]
