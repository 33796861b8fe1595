"""Once the admin has closed a programme (and after: computed, 公示, published), every write to one of its tasks is
refused the same way — values, submit, upload, evidence and review all answer 409 with the same words (Chinese and
English, naming the programme and its state) — and nothing is written. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client, login
from xianping.platform.audit.record import SYSTEM, writing
from xianping.platform.db.models import PROGRAMME_STATUSES_ZH, AuditLog, DataValue, EvidenceFile, Task

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


def _session(app, world, username):
    c = client(app)
    csrf = login(c, username, world.passwords[username])
    return c, {"X-CSRF-Token": csrf}


def _count(plat, model) -> int:
    with plat.sessions() as db:
        q = select(func.count()).select_from(model)
        if model is AuditLog:   # logging in is audited too: a reviewer logs in below
            q = q.where(AuditLog.action != "login")
        return db.scalar(q)


@pytest.mark.parametrize("state", ["closed", "published"])
def test_every_write_to_a_closed_programme_is_the_same_409(app, plat, world, state):
    tid = world.tasks["410122"]
    county, ch = _session(app, world, "zhongmou")
    # while open: a draft value (the county's task asks for the indicators no department owns: income_rural …)
    r = county.put(f"/api/tasks/{tid}/values", headers=ch,
                   json={"values": [{"unit_code": "410122", "indicator": "income_rural", "value": 21000}]})
    assert r.status_code == 200, r.text
    vid = next(c["value_id"] for c in r.json()["cells"] if c["indicator"] == "income_rural")
    with plat.sessions() as db, writing(db, SYSTEM) as w:
        t = db.get(Task, tid)
        p = t.programme
        w.record("programme.close", "programme", p.id, field="status", old=p.status, new=state)
        p.status = state
        pid = p.id
    # written out: the words both refusals carry
    expected = (f"考核方案 {pid} {PROGRAMME_STATUSES_ZH[state]}，填报和审核已于截止时结束 "
                f"(programme {pid} is {state}: reporting and review ended when it closed)")
    before = (_count(plat, DataValue), _count(plat, EvidenceFile), _count(plat, AuditLog))

    answers = {
        "values": county.put(f"/api/tasks/{tid}/values", headers=ch,
                             json={"values": [{"unit_code": "410122", "indicator": "income_rural", "value": 1}]}),
        "submit": county.post(f"/api/tasks/{tid}/submit", headers=ch, json={"explanations": {}}),
        "upload": county.post(f"/api/tasks/{tid}/upload", headers=ch,
                              files={"file": ("t.csv", b"x,y\n1,2\n", "text/csv")}),
        "evidence": county.post(f"/api/values/{vid}/evidence", headers=ch, files={"file": ("e.png", PNG, "image/png")}),
    }
    # review of the same task (made submitted, as a reporter would have before the close)
    with plat.sessions() as db, writing(db, SYSTEM) as w:
        t = db.get(Task, tid)
        w.record("task.submit", "task", tid, field="status", old=t.status, new="submitted")
        t.status = "submitted"
    before = (before[0], before[1], before[2] + 1)
    rev, rh = _session(app, world, "rev4101")
    answers["approve"] = rev.post(f"/api/tasks/{tid}/approve", headers=rh, json={})
    answers["reject"] = rev.post(f"/api/tasks/{tid}/reject", headers=rh,
                                 json={"reason": "x", "new_deadline": "2099-01-31"})
    for what, r in answers.items():
        assert (r.status_code, r.json()["detail"]) == (409, expected), (what, r.text)
    # the pages say it too (the form shown again, with the same words)
    page = county.post(f"/tasks/{tid}/evidence/{vid}", data={"csrf_token": ch["X-CSRF-Token"]},
                       files={"file": ("e.png", PNG, "image/png")})
    assert expected in page.text
    # nothing was written (the audit rows counted exclude the two the test itself added above); no file kept
    assert (_count(plat, DataValue), _count(plat, EvidenceFile), _count(plat, AuditLog)) == before
    assert not (plat.folder / "evidence").exists() or not any((plat.folder / "evidence").rglob("*.png"))
