"""Model behaviour the workflow services rely on: optimistic locking (two reviewers on one task: one wins, the
other is told), one value per programme × unit × indicator × period, and the value scope of each role."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from xianping.platform.auth.scope import value_condition
from xianping.platform.db.models import DataValue, Task, User


def test_two_reviewers_on_one_task_one_wins(plat, world):
    tid = world.tasks["410122"]
    with plat.sessions() as a, plat.sessions() as b:
        ta, tb = a.get(Task, tid), b.get(Task, tid)
        assert ta.version == tb.version == 1
        ta.status = "approved"
        a.commit()
        tb.status = "rejected"
        with pytest.raises(StaleDataError):
            b.commit()
        b.rollback()
    with plat.sessions() as db:
        t = db.get(Task, tid)
        assert (t.status, t.version) == ("approved", 2)


def test_one_value_per_unit_indicator_period(plat, world):
    with plat.sessions() as db:
        pid = db.get(Task, world.tasks["410122"]).programme_id
        db.add(DataValue(programme_id=pid, unit_code="410122", indicator="gdp", period="2025", value=1.0))
        db.commit()
        db.add(DataValue(programme_id=pid, unit_code="410122", indicator="gdp", period="2025", value=2.0))
        with pytest.raises(sa.exc.IntegrityError):
            db.commit()


def test_value_scope_per_role(plat, world):
    with plat.sessions() as db:
        pid = db.get(Task, world.tasks["410122"]).programme_id
        pid42 = db.get(Task, world.tasks["420102"]).programme_id
        for unit in ("410122", "410181", "410221", "410122100"):
            for ind in ("gdp", "budget", "forest"):
                db.add(DataValue(programme_id=pid, unit_code=unit, indicator=ind, period="2025", value=1.0))
        db.add(DataValue(programme_id=pid42, unit_code="420102", indicator="gdp", period="2025", value=1.0))
        db.commit()

        def seen(username):
            u = db.scalars(select(User).where(User.username == username)).one()
            return {(v.unit_code, v.indicator) for v in db.scalars(select(DataValue).where(value_condition(u)))}

        units41 = {"410122", "410181", "410221", "410122100"}
        assert seen("zhongmou") == {(u, i) for u in ("410122", "410122100") for i in ("gdp", "budget", "forest")}
        assert seen("rev4101") == {(u, i) for u in ("410122", "410181", "410122100") for i in ("gdp", "budget", "forest")}
        assert seen("admin41") == {(u, i) for u in units41 for i in ("gdp", "budget", "forest")}
        assert seen("czt_user") == {(u, "budget") for u in units41}
        assert seen("viewer41") == set()
