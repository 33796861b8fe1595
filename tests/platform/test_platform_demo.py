"""`xianping platform demo` (SQLite and PostgreSQL): run through the CLI, then every user of demo-users.csv logs in
through POST /api/login and sees only its scope's tasks; the tasks are in every state, each reached through the
services (audit rows, submissions, reviewers); the values are the bundled panel's 2020 census values; passwords only
in the mode-600 file, never in the command's output."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client


def _run(args):
    """The real command (its error handling too), as a newcomer types it."""
    p = subprocess.run([sys.executable, "-m", "xianping.cli.main", *args], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    return SimpleNamespace(exit_code=p.returncode, output=p.stdout + p.stderr)


@pytest.fixture
def demo(db_url, tmp_path, dash):
    folder = tmp_path / "plat"
    args = ["platform", "demo", "--dir", str(folder)] + (["--db", db_url] if db_url else [])
    r = _run(args)
    assert r.exit_code == 0, r.output
    from xianping.platform.db.connect import open_platform
    from xianping.platform.web.mount import mount
    from xianping.web.app import create_app

    plat = open_platform(folder, db_url)
    yield folder, plat, mount(create_app(dash), plat), r.output, args
    plat.close()


def _users(folder):
    text = (folder / "demo-users.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text))), text


def test_demo_users_csv_states_and_values(demo):
    from xianping.demo.load_demo import bundled_panel_bytes
    from xianping.platform.db.models import AuditLog, DataValue, ReviewDecision, Submission, Task, User

    folder, plat, _, output, args = demo
    users, text = _users(folder)
    assert text.splitlines()[0] == "role,username,password,scope code"
    # the summary names the made-up dispatch year and how to look at it, with the project count the database holds
    from xianping.platform.db.dispatch_models import Project

    with plat.sessions() as db:
        n_projects = db.query(Project).count()
    flat = " ".join(output.split())
    assert f"月调度 dispatch (示例·虚构 made-up projects over real counties): {n_projects} 个项目" in flat
    assert "xianping dispatch measures --platform" in flat
    assert stat.S_IMODE((folder / "demo-users.csv").stat().st_mode) == 0o600
    assert {u["role"] for u in users} == {"province_admin", "prefecture_reviewer", "county_reporter",
                                         "department_reporter", "viewer"}
    assert {u["scope code"] for u in users if u["role"] == "county_reporter"} == {"410821", "410822", "410823", "410825", "410122"}
    assert [u["scope code"] for u in users if u["role"] == "prefecture_reviewer"] == ["410800"]
    for u in users:
        assert len(u["password"]) >= 12 and u["password"] not in output   # never printed
    assert "xianping serve --platform" in output

    with plat.sessions() as db:
        tasks = db.scalars(select(Task)).all()
        by_unit = {t.unit_code: t for t in tasks}
        assert len([t for t in tasks if t.unit_code]) == 105 and len([t for t in tasks if t.department_id]) == 1
        assert {t.status for t in tasks} == {"pending", "submitted", "rejected", "approved"}
        assert by_unit["410821"].status == "pending" and by_unit["410822"].status == "submitted"
        assert by_unit["410823"].status == "rejected" and by_unit["410825"].status == "approved"
        late = by_unit["410122"]
        assert late.status == "pending" and late.due_date < pd.Timestamp.now().date()   # overdue by its deadline
        # the rejection names one value with its reason, and the reviewer is 焦作's
        rej = db.scalars(select(ReviewDecision).where(ReviewDecision.task_id == by_unit["410823"].id,
                                                      ReviewDecision.value_id.is_not(None))).all()
        assert len(rej) == 1 and "人均住房建筑面积" in rej[0].reason
        reviewer = db.scalars(select(User).where(User.username == "jiaozuo_reviewer")).one()
        assert rej[0].reviewer_id == reviewer.id
        # approved values: the panel's 2020 census values, each with its submission and reviewer
        panel = pd.read_csv(io.BytesIO(bundled_panel_bytes()), dtype={"unit_code": str, "period": str})
        ref = panel[(panel.unit_code == "410825") & (panel.period == "2020")].set_index("indicator")["value"]
        got = db.scalars(select(DataValue).where(DataValue.unit_code == "410825")).all()
        assert len(got) == 7
        admin = db.scalars(select(User).where(User.username == "henan_admin")).one()
        for v in got:   # the county's own indicators reviewed by 焦作, 统计局's by the province office
            dept = v.indicator in ("edu_years", "college_share", "illiteracy_rate")
            assert v.status == "approved" and v.submission_id
            assert v.reviewer_id == (admin.id if dept else reviewer.id), v.indicator
            assert v.value == pytest.approx(ref[v.indicator], abs=1e-4)
        assert db.scalar(select(func.count(Submission.id))) == 104   # every task but the pending two
        acts = {a for (a,) in db.execute(select(AuditLog.action).distinct())}
        assert {"value.save", "task.submit", "task.approve", "task.reject", "value.reject", "task.deadline",
                "programme.create", "programme.publish", "user.add", "department.add", "value.source"} <= acts
        # 偃师市 (410381) is in the panel only as 偃师区 (410307): its values say so in their history
        src = db.scalars(select(AuditLog).where(AuditLog.action == "value.source")).all()
        assert src and any("410381" in (a.field or "") and "410307" in (a.reason or "") for a in src)

    again = _run(args)   # a folder holding a platform is refused, nothing added
    assert again.exit_code != 0 and "already holds a platform" in again.output and "Traceback" not in again.output
    with plat.sessions() as db:
        assert db.scalar(select(func.count(Task.id))) == 106


def test_each_demo_user_logs_in_and_sees_its_scope(demo):
    folder, _, app, _, _ = demo
    users, _ = _users(folder)
    seen = {}
    for u in users:
        c = client(app)
        assert c.get("/api/tasks").status_code == 401
        r = c.post("/api/login", json={"username": u["username"], "password": u["password"]})
        assert r.status_code == 200, (u["username"], r.text)
        got = c.get("/api/tasks")
        assert got.status_code == 200
        seen[u["username"]] = got.json()["tasks"]
        if u["role"] == "county_reporter":
            assert [t["unit_code"] for t in seen[u["username"]]] == [u["scope code"]]
        elif u["role"] == "prefecture_reviewer":
            codes = {t["unit_code"] for t in seen[u["username"]]}
            assert codes == {"410821", "410822", "410823", "410825", "410882", "410883"}   # 焦作's 县域 units
        elif u["role"] == "department_reporter":
            assert len(seen[u["username"]]) == 1 and seen[u["username"]][0]["unit_code"] is None
    assert len(seen["henan_admin"]) == 106
    # another county's task: refused
    other = next(t["id"] for t in seen["henan_admin"] if t["unit_code"] == "410822")
    c = client(app)
    xiuwu = next(u for u in users if u["username"] == "xiuwu")
    c.post("/api/login", json={"username": "xiuwu", "password": xiuwu["password"]})
    assert c.get(f"/api/tasks/{other}").status_code in (403, 404)
    assert c.get(f"/api/tasks/{seen['xiuwu'][0]['id']}").status_code == 200


def test_nav_follows_the_role_and_programmes_link_their_result(demo):
    folder, _, app, _, _ = demo
    users = {u["username"]: u for u in _users(folder)[0]}
    links = {}
    for name in ("henan_admin", "jiaozuo_reviewer", "xiuwu", "henan_viewer"):
        c = client(app)
        c.post("/api/login", json={"username": name, "password": users[name]["password"]})
        nav = c.get("/tasks").text.split("<nav>")[1].split("</nav>")[0]
        links[name] = {h for h in ("/programmes", "/review", "/overdue", "/objections") if f'href="{h}"' in nav}
        for h in links[name]:   # every link offered opens for that user
            assert c.get(h).status_code == 200, (name, h)
        if name == "henan_admin":
            page = c.get("/programmes").text
            assert 'href="/programmes/1/result"' in page
            assert c.get("/programmes/1/result").status_code == 200
    assert links == {"henan_admin": {"/programmes", "/review", "/overdue", "/objections"},
                     "jiaozuo_reviewer": {"/review", "/overdue", "/objections"}, "xiuwu": {"/objections"},
                     "henan_viewer": set()}
