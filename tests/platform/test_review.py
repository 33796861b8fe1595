"""Review (issue 14, build 5) through the real app on SQLite and PostgreSQL: approve; reject one value with a reason
and a new deadline → the reporter sees it → fixed and resubmitted → approved; two reviewers at once (one 200, one
409, exactly one decision); scope (another prefecture's task 404, reporters 403); the overdue list per role.

Test data: `submitted_task` writes what the reporting service writes (values saved and submitted, a Submission,
the task submitted — each change with its audit row, through audit.writing), on the world of platform_fixtures.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client, login
from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.models import AuditLog, DataValue, ReviewDecision, Submission, Task, User

VALUES = {"gdp": 512.3, "revenue": 41.7, "budget": 88.0}
LAST_YEAR = {"gdp": 480.0, "revenue": 40.1}


def submitted_task(plat, world, unit: str = "410122", reporter: str = "zhongmou", values: dict | None = None,
                   explanations: dict | None = None) -> dict[str, int]:
    """The unit's task submitted with `values` (indicator → number), as the reporting service leaves it; returns
    indicator → value id. Last year's approved values (another programme) are there for the 'last period' column."""
    values = values or VALUES
    actor = Actor(world.user_ids[reporter], reporter)
    with plat.sessions() as db:
        t = db.get(Task, world.tasks[unit])
        with writing(db, actor, ip="10.1.1.1") as w:
            ids = {}
            for ind, x in values.items():
                v = DataValue(programme_id=t.programme_id, unit_code=unit, indicator=ind, period="2025", value=x,
                              status="draft", reporter_id=actor.id)
                db.add(v)
                db.flush()
                w.record("value.save", "data_value", v.id, field=f"{unit}:{ind}", old=None, new={"value": x, "status": "draft"})
                ids[ind] = v.id
        _submit(db, t, actor, ids.values(), explanations or {})
        if unit == "410122" and not db.scalar(select(func.count()).select_from(DataValue).where(DataValue.period == "2024")):
            _last_year(db, t, world)
    return ids


def _submit(db, t: Task, actor: Actor, value_ids, explanations: dict) -> None:
    with writing(db, actor, ip="10.1.1.1") as w:
        s = Submission(task_id=t.id, user_id=actor.id, explanations=explanations)
        db.add(s)
        db.flush()
        w.record("submission.create", "submission", s.id, new={"task_id": t.id})
        for v in db.scalars(select(DataValue).where(DataValue.id.in_(list(value_ids)))):
            w.record("value.submit", "data_value", v.id, field="status", old=v.status, new="submitted")
            v.status, v.submission_id, v.reporter_id = "submitted", s.id, actor.id
        w.record("task.submit", "task", t.id, field="status", old=t.status, new="submitted")
        t.status = "submitted"


def _last_year(db, t: Task, world) -> None:
    from xianping.platform.db.models import Programme

    with writing(db, Actor(None, "system")) as w:
        p = Programme(name="41 2024 年度考核", framework_yaml="name: t\n", framework_sha256="0" * 64, classes={},
                      period_kind="year", period="2024", scope_code="410000", fill_days=20, review_days=10,
                      publicity_days=7, status="closed")
        db.add(p)
        db.flush()
        for ind, x in LAST_YEAR.items():
            v = DataValue(programme_id=p.id, unit_code="410122", indicator=ind, period="2024", value=x, status="approved")
            db.add(v)
            db.flush()
            w.record("value.save", "data_value", v.id, new={"value": x})


def logged_in(app, world, username):
    c = client(app)
    csrf = login(c, username, world.passwords[username])
    c.headers["X-CSRF-Token"] = csrf
    return c


def test_approve_marks_the_values_approved_with_reviewer_and_time(app, plat, world):
    ids = submitted_task(plat, world)
    tid = world.tasks["410122"]
    rev = logged_in(app, world, "rev4101")
    queue = rev.get("/api/review").json()["tasks"]
    assert [t["id"] for t in queue] == [tid]
    page = rev.get(f"/review/{tid}").text
    assert "512.3" in page and "480.0" in page and 'name="csrf_token"' in page and "/review/%d/approve" % tid in page

    r = rev.post(f"/api/tasks/{tid}/approve", json={"version": queue[0]["version"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["review"]["decision"] == "approve"
    assert rev.get("/api/review").json()["tasks"] == []
    with plat.sessions() as db:
        vals = db.scalars(select(DataValue).where(DataValue.id.in_(ids.values()))).all()
        assert {(v.status, v.reviewer_id) for v in vals} == {("approved", world.user_ids["rev4101"])}
        assert all(v.reviewed_at is not None for v in vals)
        assert db.scalar(select(func.count()).select_from(ReviewDecision).where(ReviewDecision.task_id == tid)) == 1
        rows = db.execute(select(AuditLog.action, AuditLog.entity_id, AuditLog.old, AuditLog.new, AuditLog.actor_name,
                                 AuditLog.ip).where(AuditLog.action.in_(("task.approve", "value.approve")))).all()
    assert sorted(rows) == sorted([("task.approve", str(tid), "submitted", "approved", "rev4101", "testclient")] +
                                  [("value.approve", str(i), "submitted", "approved", "rev4101", "testclient")
                                   for i in ids.values()])
    # decided: a second approval is refused as a conflict, nothing more is written
    assert rev.post(f"/api/tasks/{tid}/approve", json={}).status_code == 409


def test_reject_one_value_reporter_sees_it_fixes_resubmits_approved(app, plat, world):
    ids = submitted_task(plat, world, explanations={"410122:gdp:change": "新投产项目 new plant"})
    tid = world.tasks["410122"]
    rev = logged_in(app, world, "rev4101")
    reporter = logged_in(app, world, "zhongmou")
    deadline = (date.today() + timedelta(days=5)).isoformat()
    v = rev.get(f"/api/tasks/{tid}").json()["version"]

    # refused rejections change nothing: no reason, no deadline, a deadline in the past, a value of another task
    for body in ({"new_deadline": deadline}, {"reason": "x"}, {"reason": "x", "new_deadline": "2001-01-01"},
                 {"values": [{"id": 999999, "reason": "x"}], "new_deadline": deadline}):
        r = rev.post(f"/api/tasks/{tid}/reject", json={**body, "version": v})
        assert r.status_code == 422, (body, r.text)
    assert rev.get(f"/api/tasks/{tid}").json()["status"] == "submitted"

    assert "较上期变化 change: 新投产项目 new plant" in rev.get(f"/review/{tid}").text
    r = rev.post(f"/api/tasks/{tid}/reject", json={"values": [{"id": ids["gdp"], "reason": "与统计年鉴不符 differs from the yearbook"}],
                                                   "new_deadline": deadline, "version": v})
    assert r.status_code == 200, r.text
    seen = reporter.get(f"/api/tasks/{tid}").json()
    assert (seen["status"], seen["due_date"]) == ("rejected", deadline)
    assert seen["review"]["decision"] == "reject" and seen["review"]["new_due_date"] == deadline
    assert seen["review"]["values"] == [{"id": ids["gdp"], "unit_code": "410122", "indicator": "gdp",
                                         "reason": "与统计年鉴不符 differs from the yearbook"}]
    with plat.sessions() as db:
        st = dict(db.execute(select(DataValue.indicator, DataValue.status).where(DataValue.id.in_(ids.values()))).all())
        assert st == {"gdp": "rejected", "revenue": "submitted", "budget": "submitted"}
        reject_row = db.scalars(select(AuditLog).where(AuditLog.action == "value.reject")).one()
        assert (reject_row.entity_id, reject_row.old, reject_row.new, reject_row.reason) == \
            (str(ids["gdp"]), "submitted", "rejected", "与统计年鉴不符 differs from the yearbook")

    # the reporter fixes the value (as the reporting service does: save, audited) and resubmits
    actor = Actor(world.user_ids["zhongmou"], "zhongmou")
    with plat.sessions() as db:
        with writing(db, actor, ip="10.1.1.2") as w:
            x = db.get(DataValue, ids["gdp"])
            w.record("value.save", "data_value", x.id, field="410122:gdp", old={"value": x.value, "status": x.status},
                     new={"value": 498.6, "status": "draft"}, reason="按统计年鉴更正 corrected to the yearbook")
            x.value, x.status = 498.6, "draft"
        _submit(db, db.get(Task, tid), actor, [ids["gdp"]], {})
    queue = rev.get("/api/review").json()["tasks"]
    assert [t["id"] for t in queue] == [tid]
    assert rev.post(f"/api/tasks/{tid}/approve", json={"version": queue[0]["version"]}).status_code == 200
    with plat.sessions() as db:
        vals = db.scalars(select(DataValue).where(DataValue.id.in_(ids.values()))).all()
        assert {v.status for v in vals} == {"approved"} and db.get(DataValue, ids["gdp"]).value == 498.6
        assert db.scalars(select(ReviewDecision.decision).where(ReviewDecision.task_id == tid,
                                                                ReviewDecision.value_id.is_(None))
                          .order_by(ReviewDecision.id)).all() == ["reject", "approve"]

    # this number's history: every change, newest first, who / from where / old → new / why
    h = reporter.get(f"/api/values/{ids['gdp']}/history").json()
    assert h["value"] == 498.6
    assert [(e["action"], e["actor"]) for e in h["history"]] == [
        ("value.approve", "rev4101"), ("value.submit", "zhongmou"), ("value.save", "zhongmou"),
        ("value.reject", "rev4101"), ("value.submit", "zhongmou"), ("value.save", "zhongmou")]
    assert h["history"][2]["reason"] == "按统计年鉴更正 corrected to the yearbook" and h["history"][2]["ip"] == "10.1.1.2"
    assert h["history"][3]["reason"] == "与统计年鉴不符 differs from the yearbook"
    assert [e["id"] for e in h["history"]] == sorted((e["id"] for e in h["history"]), reverse=True)
    # the review page shows it too, and the value's history page (linked from the reporter's task page)
    page = rev.get(f"/review/{tid}").text
    assert "与统计年鉴不符" in page and "按统计年鉴更正" in page
    assert "较上期变化 change: 新投产项目 new plant" not in page   # the resubmission explained nothing
    page = reporter.get(f"/values/{ids['gdp']}/history").text
    import re

    assert [int(x) for x in re.findall(r'data-audit-id="(\d+)"', page)] == [e["id"] for e in h["history"]]
    assert "10.1.1.2" in page and "与统计年鉴不符" in page
    assert logged_in(app, world, "qixian").get(f"/values/{ids['gdp']}/history").status_code == 404


def test_reject_through_the_page_form(app, plat, world):
    ids = submitted_task(plat, world)
    tid = world.tasks["410122"]
    c = client(app)
    login(c, "admin41", world.passwords["admin41"])
    page = c.get(f"/review/{tid}").text
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    version = re.search(r'name="version" value="(\d+)"', page)[1]
    form = {"csrf_token": csrf, "version": version, "reason": "请补充佐证 add evidence", f"reason_{ids['revenue']}": "口径不对",
            "new_deadline": (date.today() + timedelta(days=3)).isoformat()}
    assert c.post(f"/review/{tid}/reject", data={**form, "csrf_token": "wrong"}).status_code == 403
    assert c.post(f"/review/{tid}/reject", data={**form, "version": "abc"}).status_code == 422
    assert c.post(f"/review/{tid}/reject", data={**form, "new_deadline": "31/12/2099"}).status_code == 422
    r = c.post(f"/review/{tid}/reject", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/review/{tid}"
    page = c.get(f"/review/{tid}").text
    assert "请补充佐证" in page and "口径不对" in page and 'action="/review/%d/approve"' % tid not in page
    # the stale form (old version) is told, not obeyed
    r = c.post(f"/review/{tid}/approve", data={"csrf_token": csrf, "version": version})
    assert r.status_code == 409 and "已被他人处理" in r.text


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_reviewers_at_once_one_wins(app, plat, world, second):
    submitted_task(plat, world)
    tid = world.tasks["410122"]
    a, b = logged_in(app, world, "admin41"), logged_in(app, world, "rev4101")
    version = a.get(f"/api/tasks/{tid}").json()["version"]
    bodies = [("approve", {"version": version}),
              (second, {"version": version, "reason": "不对", "new_deadline": (date.today() + timedelta(days=2)).isoformat()})]
    gate, out = threading.Barrier(2), [None, None]

    def act(i, c):
        verb, body = bodies[i]
        gate.wait()
        out[i] = c.post(f"/api/tasks/{tid}/{verb}", json=body)

    threads = [threading.Thread(target=act, args=(i, c)) for i, c in enumerate((a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in out)
    assert codes == [200, 409], [r.text for r in out]
    loser, winner = sorted(out, key=lambda r: -r.status_code)
    assert "已被他人处理 changed by" in loser.json()["detail"] and "reload" in loser.json()["detail"]
    winner_name = "admin41" if out[0].status_code == 200 else "rev4101"
    assert winner_name in loser.json()["detail"]
    with plat.sessions() as db:
        assert db.scalar(select(func.count()).select_from(ReviewDecision)
                         .where(ReviewDecision.task_id == tid, ReviewDecision.value_id.is_(None))) == 1
        t = db.get(Task, tid)
        assert t.status == winner.json()["status"] and t.version == version + 1
        decided = db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.in_(("task.approve", "task.reject"))))
        assert decided == 1


def test_the_database_version_check_decides_when_both_read_first(plat, world):
    """The race the threads may or may not hit: both read version 1 before either writes. The second's UPDATE
    matches no row (the database's check) and it is told who won, with nothing of its own written."""
    from xianping.platform.workflow import review

    submitted_task(plat, world)
    tid = world.tasks["410122"]
    with plat.sessions() as a, plat.sessions() as b:
        ua, ub = a.get(User, world.user_ids["admin41"]), b.get(User, world.user_ids["rev4101"])
        seen = b.get(Task, tid).version   # b has read the task …
        review.approve(a, ua, tid, version=seen)   # … a decides …
        with pytest.raises(review.ReviewRefused) as e:   # … b decides on what it read
            review.reject(b, ub, tid, reason="x", new_deadline=date.today(), version=seen)
        assert e.value.status == 409 and "changed by admin41" in str(e.value)
    with plat.sessions() as db:
        assert db.scalar(select(func.count()).select_from(ReviewDecision).where(ReviewDecision.task_id == tid)) == 1
        assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "task.reject")) == 0


def test_scope_other_prefecture_404_reporters_403(app, plat, world):
    ids = submitted_task(plat, world)
    submitted_task(plat, world, unit="410221", reporter="qixian", values={"gdp": 1.0})
    tid, other = world.tasks["410122"], world.tasks["410221"]
    rev2, rev1 = logged_in(app, world, "rev4102"), logged_in(app, world, "rev4101")
    for verb, body in (("approve", {}), ("reject", {"reason": "x", "new_deadline": "2099-01-01"})):
        r = rev2.post(f"/api/tasks/{tid}/{verb}", json=body)
        assert r.status_code == 404 and "512" not in r.text
    assert rev2.get(f"/review/{tid}").status_code == 404
    assert [t["id"] for t in rev2.get("/api/review").json()["tasks"]] == [other]
    assert [t["id"] for t in rev1.get("/api/review").json()["tasks"]] == [tid]
    assert rev1.post(f"/api/tasks/{world.tasks['dept:tjj']}/approve", json={}).status_code == 404   # department: the province's
    for name in ("zhongmou", "tjj_user", "viewer41"):
        c = logged_in(app, world, name)
        assert c.post(f"/api/tasks/{tid}/approve", json={}).status_code == 403
        assert c.get("/api/review").status_code == 403 and c.get("/api/overdue").status_code == 403
    # history: readers of the value only
    assert rev2.get(f"/api/values/{ids['gdp']}/history").status_code == 404
    assert logged_in(app, world, "qixian").get(f"/api/values/{ids['gdp']}/history").status_code == 404
    assert logged_in(app, world, "viewer41").get(f"/api/values/{ids['gdp']}/history").status_code == 403
    with plat.sessions() as db:
        assert db.scalar(select(func.count()).select_from(ReviewDecision)) == 0
        assert db.get(Task, tid).status == "submitted"


def test_overdue_lists_per_role(app, plat, world):
    today = date.today()
    past, future = today - timedelta(days=3), today + timedelta(days=3)
    # 410122 pending past due; 410181 approved past due (not overdue); 410221 rejected past due; 410122100 pending,
    # due later; dept:tjj submitted past due (the review is late); 420102 pending past due (the other province)
    setting = {"410122": ("pending", past), "410181": ("approved", past), "410221": ("rejected", past),
               "410122100": ("pending", future), "dept:tjj": ("submitted", past), "420102": ("pending", past)}
    with plat.sessions() as db, writing(db, Actor(None, "system")) as w:
        for key in world.tasks:   # the world's tasks are due 2026-01-31: all but those set here move to the future
            status, due = setting.get(key, ("pending", future))
            t = db.get(Task, world.tasks[key])
            w.record("task.test", "task", t.id, old=t.status, new=status)
            t.status, t.due_date = status, due
    expect = {"admin41": {"410122", "410221", "dept:tjj"}, "rev4101": {"410122"}, "rev4102": {"410221"},
              "admin42": {"420102"}}
    ids = {v: k for k, v in world.tasks.items()}
    for user, keys in expect.items():
        c = logged_in(app, world, user)
        got = c.get("/api/overdue").json()["tasks"]
        assert {ids[t["id"]] for t in got} == keys, user
        assert all(t["days_overdue"] == 3 for t in got)
        page = c.get("/overdue").text
        assert {k for k in world.tasks if f'href="/review/{world.tasks[k]}"' in page} == keys, user
    tjj = [t for t in logged_in(app, world, "admin41").get("/api/overdue").json()["tasks"] if t["department_id"]]
    assert [(t["late_step"], t["late_step_zh"]) for t in tjj] == [("review", "审核")]


def test_no_review_once_the_programme_closed(app, plat, world):
    ids = submitted_task(plat, world)
    tid = world.tasks["410122"]
    with plat.sessions() as db, writing(db, Actor(None, "system")) as w:
        p = db.get(Task, tid).programme
        w.record("programme.close", "programme", p.id, field="status", old=p.status, new="closed")
        p.status = "closed"
    rev = logged_in(app, world, "rev4101")
    r = rev.post(f"/api/tasks/{tid}/approve", json={})
    assert r.status_code == 409 and "closed" in r.json()["detail"]
    with plat.sessions() as db:
        assert {v.status for v in db.scalars(select(DataValue).where(DataValue.id.in_(ids.values())))} == {"submitted"}
        assert db.scalar(select(func.count()).select_from(ReviewDecision)) == 0
