"""The issue ledger (问题台账) on SQLite and PostgreSQL: a warning opens an item once (a recompute opens nothing, a
worse colour raises the same item), on the colour boundary exactly; closing needs a note and the reviewer's role;
the item's history is its audit rows; overdue items escalate to the prefecture, then the province.

Figures by hand (builtin rules: a county is yellow more than 5 points behind the calendar, red more than 10 behind
or yellow two months running):
    June (elapsed 6/12 = 50 %), plan 1,200 万元:  中牟县 540 → 45 % → pace −5.00 (not more than 5 behind: green)
                                                   巩义市 539.88 → 44.99 % → pace −5.01 (yellow)
    July (elapsed 58.33 %):                        巩义市 580 → 48.33 % → pace −10.00 (yellow, and yellow in June:
                                                   two months running → red)
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from xianping.platform.audit.record import Actor
from xianping.platform.db.dispatch_models import LedgerItem, Project, ProjectPlan
from xianping.platform.db.models import User
from xianping.platform.workflow import dispatch_escalate, dispatch_ledger, dispatch_review, dispatch_warn
from xianping.platform.workflow.dispatch_report import save_reports
from xianping.platform.workflow.dispatch_review import DispatchRefused

OFFICE = Actor(None, "test:office")


def _setup(db) -> None:
    for code, county in (("L-ZM", "410122"), ("L-GY", "410181")):
        p = Project(code=code, name=f"台账测试 {county}", unit_code=county, sector="基础设施", kind="continuing",
                    total_investment=5000, plan_start=date(2024, 3, 1), plan_finish=date(2027, 12, 31),
                    actual_start=date(2024, 3, 1), in_statistics=True, responsible_unit=f"{county} 交通局",
                    responsible_person="甲")
        db.add(p)
        db.flush()
        db.add(ProjectPlan(project_id=p.id, year=2025, effective_month="2025-01", annual_plan=1200))
    db.commit()


def _month(db, month: str, ytd: dict[str, float]) -> None:
    frame = pd.DataFrame([{"project_id": code, "month": month, "investment_month": 1.0, "investment_ytd": v,
                           "investment_cumulative": 3000 + v, "funds_in_place": v, "started": None, "finished": None,
                           "progress": "", "problems": ""} for code, v in ytd.items()])
    written, _ = save_reports(db, OFFICE, frame, source=f"test {month}")
    dispatch_review.approve(db, OFFICE, [r.id for r in written])


def _user(db, name) -> User:
    return db.scalars(select(User).where(User.username == name)).one()


def test_ledger_opened_once_raised_closed_with_history_and_escalated(plat, world):
    with plat.sessions() as db:
        _setup(db)
        _month(db, "2025-06", {"L-ZM": 540.0, "L-GY": 539.88})
        res = dispatch_warn.open_items(db, OFFICE, "2025-06")
        items = db.scalars(select(LedgerItem)).all()
        assert [(i.source_kind, i.source_key, i.colour, i.month) for i in items] == \
            [("county", "410181", "yellow", "2025-06")]            # 中牟县 exactly on the boundary: green, no item
        item = items[0]
        assert res.opened == [item.id]
        assert item.due_date == date(2025, 7, 31) and item.status == "open"
        assert item.owner.startswith("巩义市")

        again = dispatch_warn.open_items(db, OFFICE, "2025-06")     # recompute: nothing new
        assert (again.opened, again.kept) == ([], 1)
        assert db.scalar(select(func.count()).select_from(LedgerItem)) == 1

        _month(db, "2025-07", {"L-ZM": 700.0, "L-GY": 580.0})
        july = dispatch_warn.open_items(db, OFFICE, "2025-07")
        assert (july.opened, july.raised) == ([], [item.id])        # the same item, now red
        db.refresh(item)
        assert item.colour == "red"

        # 中牟县's reporter does not reach 巩义市's item; a reviewer's close needs a note; the admin takes it up
        with pytest.raises(DispatchRefused) as e:
            dispatch_ledger.progress(db, _user(db, "zhongmou"), item.id, note="x")
        assert e.value.status == 404
        rev = _user(db, "rev4101")
        with pytest.raises(DispatchRefused) as e:
            dispatch_ledger.close(db, rev, item.id, note="  ")
        assert e.value.status == 422
        with pytest.raises(DispatchRefused) as e:
            dispatch_ledger.close(db, _user(db, "rev4102"), item.id, note="开封看不到")
        assert e.value.status == 404
        dispatch_ledger.progress(db, _user(db, "admin41"), item.id, note="督导组已约谈", due_date=date(2025, 8, 31))
        dispatch_ledger.close(db, rev, item.id, note="8月投资已追上进度，销号")
        db.refresh(item)
        assert (item.status, item.closing_note, item.closed_by) == ("closed", "8月投资已追上进度，销号", rev.id)
        hist = dispatch_ledger.history(db, rev, item.id)
        assert [h["action"] for h in hist] == ["ledger.open", "ledger.raise", "ledger.progress", "ledger.due",
                                               "ledger.close"]
        assert hist[-1]["reason"] == "8月投资已追上进度，销号" and hist[-1]["actor"] == "rev4101"
        assert [h["actor"] for h in hist[:2]] == ["test:office", "test:office"]

        # August (elapsed 66.67 %): 巩义市 600 → 50 % → −16.67 points: the county red again, and now its project too
        # (the project rule: yellow more than 10 behind; it was −5.01 and −10.00 before, green). The closed county
        # item stays closed; new items open for August
        _month(db, "2025-08", {"L-ZM": 800.0, "L-GY": 600.0})
        aug = dispatch_warn.open_items(db, OFFICE, "2025-08")
        opened = sorted(((i.source_kind, i.source_key, i.colour) for i in
                         db.scalars(select(LedgerItem).where(LedgerItem.id.in_(aug.opened)))))
        assert opened == [("county", "410181", "red"), ("project", "L-GY", "yellow")]
        new = db.scalars(select(LedgerItem).where(LedgerItem.id.in_(aug.opened),
                                                  LedgerItem.source_kind == "county")).one()
        assert (new.month, new.due_date) == ("2025-08", date(2025, 9, 30))

        # escalation: a day past due → the prefecture (4101); again the same day → nothing; 46 days → the province
        assert sorted(dispatch_escalate.escalate(db, OFFICE, today=date(2025, 10, 1))) == sorted(aug.opened)
        db.refresh(new)
        assert new.escalated_to == "410100" and new.escalated_at is not None
        assert dispatch_escalate.escalate(db, OFFICE, today=date(2025, 10, 1)) == []
        assert sorted(dispatch_escalate.escalate(db, OFFICE, today=date(2025, 11, 15))) == sorted(aug.opened)
        db.refresh(new)
        assert new.escalated_to == "410000"
        db.refresh(item)
        assert item.escalated_at is None                           # the closed one is never escalated
        assert [h["new"] for h in dispatch_ledger.history(db, rev, new.id) if h["action"] == "ledger.escalate"] == \
            ["410100", "410000"]


def test_database_refuses_a_duplicate_item_and_a_close_without_note(plat, world):
    """The rules hold in the database too: one item per (source, month); closed means a note."""
    with plat.engine.connect() as c:
        c.execute(sa.text("INSERT INTO ledger_items (source_kind, source_key, unit_code, month, colour, title, detail, "
                          "owner, due_date, status, created_at, updated_at, version) VALUES ('county', '410122', "
                          "'410122', '2025-06', 'red', 't', '', '', '2025-07-31', 'open', CURRENT_TIMESTAMP, "
                          "CURRENT_TIMESTAMP, 1)"))
        c.commit()
        for bad in ("INSERT INTO ledger_items (source_kind, source_key, unit_code, month, colour, title, detail, owner, "
                    "due_date, status, created_at, updated_at, version) VALUES ('county', '410122', '410122', '2025-06', "
                    "'yellow', 't', '', '', '2025-07-31', 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
                    "UPDATE ledger_items SET status = 'closed'",
                    "UPDATE ledger_items SET status = 'closed', closing_note = ''"):
            tx = c.begin()
            try:
                with pytest.raises(sa.exc.IntegrityError):
                    c.execute(sa.text(bad))
            finally:
                tx.rollback()
