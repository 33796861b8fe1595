"""kill -9 during compute and during publish (SQLite and PostgreSQL): the process is killed after its files are
written and its rows flushed, before the commit. The database is left as it was before the step (no result row /
no half-published result, no audit row of the step), and the step run again completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from test_compute import admin_of, build_programme
from test_objections import in_publicity

CHILD = textwrap.dedent("""\
    import os, signal, sys
    from pathlib import Path
    from sqlalchemy.orm import Session
    from xianping.platform.db.connect import open_platform
    from xianping.platform.db.models import User
    from xianping.platform.workflow import compute, publish

    folder, url, step, pid, uid = sys.argv[1], sys.argv[2] or None, sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    plat = open_platform(Path(folder), url)

    def die(self):   # the step's rows are in the database's transaction, its files on disk: then kill -9
        self.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    Session.commit = die
    with plat.sessions() as db:
        user = db.get(User, uid)
        if step == "compute":
            compute.compute(db, user, pid, plat.folder)
        else:
            publish.publish(db, user, pid, plat.folder, reason="kill -9 test")
    print("not killed")
    """)


def run_killed(plat, db_url, step, pid, uid):
    p = subprocess.run([sys.executable, "-c", CHILD, str(plat.folder), db_url or "", step, str(pid), str(uid)],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert p.returncode == -signal.SIGKILL, (p.returncode, p.stdout, p.stderr[-2000:])


@pytest.mark.parametrize("step", ["compute", "publish"])
def test_kill_9_leaves_the_database_as_before(plat, db_url, step):
    from sqlalchemy import select

    from xianping.platform.db.models import AuditLog, Programme, Result
    from xianping.platform.workflow import compute, publish

    if step == "compute":
        jz = build_programme(plat)
        admin = admin_of(plat)
        with plat.sessions() as db:
            compute.close(db, admin, jz.programme_id)
    else:
        jz, admin = in_publicity(plat)
    with plat.sessions() as db:
        before = (db.get(Programme, jz.programme_id).status, [(r.id, r.status) for r in db.scalars(select(Result))],
                  db.query(AuditLog).count())
    run_killed(plat, db_url, step, jz.programme_id, admin.id)
    with plat.sessions() as db:
        after = (db.get(Programme, jz.programme_id).status, [(r.id, r.status) for r in db.scalars(select(Result))],
                 db.query(AuditLog).count())
        assert after == before
        # the database still takes writes (no lock left behind), and the step completes when run again
        if step == "compute":
            res = compute.compute(db, admin, jz.programme_id, plat.folder)
            assert res.status == "draft" and db.get(Programme, jz.programme_id).status == "computed"
        else:
            res = publish.publish(db, admin, jz.programme_id, plat.folder, reason="again")
            assert res.status == "final" and db.get(Programme, jz.programme_id).status == "published"
            assert publish.report_paths(plat.folder, res)["docx"].stat().st_size > 0
        assert db.query(AuditLog).filter(AuditLog.action == f"result.{step}").count() == 1
