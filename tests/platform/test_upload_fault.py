"""kill -9 of the SERVER during uploads (SQLite and PostgreSQL): the real `xianping serve --platform` in its own
process, a county reporter's and a department reporter's workbook uploaded over a raw socket, the server killed
  1. with two uploads in flight: the county's multipart body still arriving (sent slowly, in chunks; killed
     half-way), and the department's complete, ingest reading it (its temporary copy seen in uploads/.incoming),
  2. inside the transaction that saves the department's 515 values as drafts (50 ms into it),
  3. inside the transaction that submits them (the drafts saved before by an upload that stopped at a warning),
  4. while an evidence file is attached to a value: after the file is stored, inside the transaction recording it,
each time restarted on the same folder and database. A write is seen in progress from outside the server, not
by a hook in it: on SQLite another connection's BEGIN IMMEDIATE is refused (the server holds the write lock), on
PostgreSQL a backend of the test database holds a transaction id (it has written rows not yet committed); the
kill is sent only while that is still so.

After every kill: the database is exactly as before the request (tasks, submissions, values, audit row count) and
consistent — no submission without all its values or without its audit row, no value or audit row without the
write it belongs to, every task's status the one its audit rows and values say, every referenced file (upload,
evidence) present and whole. Then the same uploads and the evidence complete after the last restart, and sending
the uploads again changes nothing. (A file stored before a kill and referenced by nothing stays: content-addressed,
the same file sent again reuses it; a row never names a file that is not there.)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import httpx
import openpyxl
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (db_url, pg_database, serve_cache)
from test_objections import PDF

XIANPING = [sys.executable, "-m", "xianping.cli.main"]
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROVINCE, PERIOD = "410000", "2024"      # 2024: the province's units and the ingest layer's codes are of one year
COUNTY = "410821"                        # 修武县: its reporter uploads the county task (2 indicators)
DEPT_INDICATORS = ["urbanisation_rate", "nonfarm_employment_share", "edu_years", "college_share", "illiteracy_rate"]
SLIP = ("410122", "edu_years")           # ×10 in the department's workbook: outside 0–22 年, a warning needing a reason
EXPLAINED = {f"{SLIP[0]}:{SLIP[1]}:range": "按新口径统计，已与教育部门核实 (checked with the education bureau)"}


def build(plat) -> dict[str, str]:
    """The programme (the demo's framework over 河南's 103 units in force in 2024), a 统计局 owning five of its seven
    indicators (its task: 103 × 5 = 515 values) and the two reporters; returns their passwords."""
    from xianping.platform.audit.record import Actor
    from xianping.platform.auth import departments, users
    from xianping.platform.workflow import programmes
    from xianping.platform.workflow.demo import FRAMEWORK

    cli, today = Actor(None, "test"), date.today()
    with plat.sessions() as db:
        departments.add(db, cli, "tjj", "河南省统计局", PROVINCE, DEPT_INDICATORS)
        pw = {}
        for name, role, scope, dept in [("xiuwu", "county_reporter", COUNTY, None),
                                        ("tjj_reporter", "department_reporter", None, "tjj")]:
            pw[name] = users.add_one(db, cli, users.NewUser(name, name, role, scope, dept))[1]
        p = programmes.create(db, cli, name="河南省 2024 年度考核（上传故障测试）", framework_yaml=FRAMEWORK, scope=PROVINCE,
                              period=PERIOD, fill_by=today + timedelta(days=14), review_by=today + timedelta(days=28),
                              publicity_days=7)
        programmes.publish(db, cli, p.id)
    return pw


class Server:
    """`xianping serve --platform DIR [--db URL]` as its own process (uvicorn in it, one worker), restartable."""

    def __init__(self, folder: Path, db_url: str | None, cache: Path, log: Path):
        self.folder, self.db_url, self.cache, self.log = folder, db_url, cache, log
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        cmd = [*XIANPING, "serve", "--platform", str(self.folder), "--cache", str(self.cache), "--port", str(self.port)]
        if self.db_url:
            cmd += ["--db", self.db_url]
        self.starts += 1
        with open(self.log, "a") as out:
            out.write(f"\n--- start {self.starts}\n")
            out.flush()
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=ENV)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(1500):
            try:
                if httpx.get(self.base + "/login", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
        raise AssertionError("the server did not answer in time:\n" + self.log.read_text()[-3000:])

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(30) == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class WriteProbe:
    """Sees from outside whether the server is inside a write transaction: SQLite — BEGIN IMMEDIATE on another
    connection is refused at once while a writer holds the write lock; PostgreSQL — a backend of the test database
    (none but the server's: the test's own engine is idle) holds a transaction id: it has written, not committed."""

    def __init__(self, folder: Path, db_url: str | None):
        if db_url is None:
            from xianping.platform.db.engine import DB_FILE

            self.lite = sqlite3.connect(folder / DB_FILE, timeout=0, isolation_level=None)
            self.pg = None
        else:
            import psycopg

            self.lite = None
            self.url = db_url.replace("+psycopg", "")
            self.pg = psycopg.connect(self.url, autocommit=True)

    def writing(self) -> bool:
        if self.lite is not None:
            try:
                self.lite.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                if "locked" in str(e):
                    return True
                raise
            self.lite.execute("ROLLBACK")
            return False
        return self.pg.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL").fetchone()[0] > 0

    def wait(self, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while not self.writing():
            assert time.monotonic() < end, "the server never started writing"
            time.sleep(0.002)   # the transactions watched last ≥ 50 ms; the test must not take the server's core

    def idle(self, timeout: float = 60) -> None:
        # a backend of a server killed before may still be rolling back: the next trial waits for it
        end = time.monotonic() + timeout
        while self.writing():
            assert time.monotonic() < end, "a write transaction stayed open"
            time.sleep(0.01)

    @contextmanager
    def holding(self):
        """Take the lock the server's next write transaction must wait for (released when the block ends)."""
        if self.lite is not None:
            self.lite.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                self.lite.execute("ROLLBACK")
        else:   # on a connection of its own: pg_stat_activity is read once per transaction, the probe's stays fresh
            import psycopg

            with psycopg.connect(self.url) as holder, holder.transaction():
                holder.execute("LOCK TABLE audit_log IN SHARE MODE")
                yield

    def wait_blocked(self, stored: Path, timeout: float = 60) -> None:
        """Until the server has stored the file and waits for the held lock (SQLite: the file is there, the lock
        keeps the server from any write; PostgreSQL: a backend waits for a lock, its evidence row inserted)."""
        end = time.monotonic() + timeout
        while not (stored.is_file() and (self.lite is not None or self.pg.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL").fetchone()[0] > 0)):
            assert time.monotonic() < end, "the server never stored the file and waited"
            time.sleep(0.005)

    def close(self) -> None:
        (self.lite or self.pg).close()


def log_in(base: str, username: str, password: str) -> tuple[httpx.Client, str]:
    # a fresh session per server run: the request's only writes are then the upload's own (a session older than a
    # minute gets its last_seen_at written in the request's transaction, which the probe would see as a write)
    c = httpx.Client(base_url=base, timeout=60)
    r = c.post("/api/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return c, r.json()["user"]["csrf_token"]


def task_of(c: httpx.Client) -> int:
    tasks = c.get("/api/tasks").json()["tasks"]
    assert len(tasks) == 1, tasks
    return tasks[0]["id"]


def filled_template(c: httpx.Client, tid: int, slip: tuple[str, str] | None = None) -> bytes:
    """The task's own template, each value the bundled panel's 2020 census figure for the unit (Dong, Du & Liu 2022),
    one slipped ×10 when asked."""
    from xianping.platform.workflow.demo import census_values

    wb = openpyxl.load_workbook(io.BytesIO(c.get(f"/api/tasks/{tid}/template.xlsx").content))
    ws = wb.worksheets[0]
    head = [x.value for x in ws[1]]
    uc, ic, vc = head.index("代码"), head.index("指标代码"), head.index("数值")
    rows = list(ws.iter_rows(min_row=2))
    census, _ = census_values(sorted({r[uc].value for r in rows}))
    for r in rows:
        key = (r[uc].value, r[ic].value)
        r[vc].value = census[key] * (10 if key == slip else 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def raw_upload(c: httpx.Client, csrf: str, tid: int, name: str, data: bytes, explanations: dict | None = None) -> bytes:
    """The whole HTTP request as bytes (headers with the session cookie and CSRF token, the multipart body)."""
    req = c.build_request("POST", f"/api/tasks/{tid}/upload", headers={"X-CSRF-Token": csrf},
                          files={"file": (name, data, XLSX)}, data={"explanations": json.dumps(explanations or {})})
    return as_bytes(req)


def as_bytes(req: httpx.Request) -> bytes:
    body = req.read()
    head = f"{req.method} {req.url.raw_path.decode()} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in req.headers.items())
    return (head + "\r\n").encode() + body


def send(server: Server, raw: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    s.sendall(raw)
    return s


def no_answer(s: socket.socket) -> bool:
    """True when the connection ends without a byte of an HTTP response (the server died before answering)."""
    try:
        got = s.recv(65536)
    except ConnectionResetError:
        got = b""
    finally:
        s.close()
    return got == b""


def upload(c: httpx.Client, csrf: str, tid: int, name: str, data: bytes, explanations=None) -> dict:
    r = c.post(f"/api/tasks/{tid}/upload", headers={"X-CSRF-Token": csrf}, files={"file": (name, data, XLSX)},
               data={"explanations": json.dumps(explanations or {})})
    assert r.status_code == 200, r.text
    return r.json()


def state(plat) -> dict:
    from xianping.platform.db.models import AuditLog, DataValue, EvidenceFile, Submission, Task

    with plat.sessions() as db:
        return {"tasks": sorted((t.id, t.status, t.version) for t in db.scalars(select(Task))),
                "submissions": sorted((s.id, s.task_id, s.file_sha256) for s in db.scalars(select(Submission))),
                "values": sorted((v.id, v.unit_code, v.indicator, v.value, v.status, v.submission_id)
                                 for v in db.scalars(select(DataValue))),
                "evidence": sorted((e.id, e.value_id, e.path) for e in db.scalars(select(EvidenceFile))),
                "audit rows": db.scalar(select(func.count(AuditLog.id)))}


def inconsistencies(plat) -> list[str]:
    """Everything that would make the database or the folder half-written; [] when consistent."""
    from xianping.platform.db.models import AuditLog, DataValue, EvidenceFile, Submission, Task
    from xianping.platform.workflow import reporting

    out: list[str] = []
    with plat.sessions() as db:
        subs = {s.id: s for s in db.scalars(select(Submission))}
        values = {v.id: v for v in db.scalars(select(DataValue))}
        audit = list(db.scalars(select(AuditLog).order_by(AuditLog.id)))
        # every submission has its audit row and every such row its submission
        made = {int(a.entity_id) for a in audit if a.action == "submission.create"}
        if made != set(subs):
            out.append(f"submissions {sorted(subs)} but submission.create audit rows for {sorted(made)}")
        # every value has the audit row that wrote it (its last value.save says its value), and every such row its value
        saved: dict[int, float | None] = {}
        for a in audit:
            if a.action == "value.save":
                saved[int(a.entity_id)] = json.loads(a.new)["value"]
        for vid, v in values.items():
            if vid not in saved:
                out.append(f"value {vid} ({v.unit_code}:{v.indicator}) has no value.save audit row")
            elif saved[vid] != v.value:
                out.append(f"value {vid}: {v.value} stored, its last audit row says {saved[vid]}")
        out += [f"audit row value.save for value {vid}, which is not there" for vid in set(saved) - set(values)]
        submitted = {int(a.entity_id) for a in audit if a.action == "value.submit"}
        for vid, v in values.items():
            if v.status == "submitted" and (v.submission_id not in subs or vid not in submitted):
                out.append(f"value {vid} is submitted without its submission ({v.submission_id}) or its audit row")
        for t in db.scalars(select(Task)):
            moves = [a.new for a in audit if a.entity == "task" and a.entity_id == str(t.id) and a.field == "status"]
            if t.status != (moves[-1] if moves else "pending"):
                out.append(f"task {t.id} is {t.status}, its audit rows say {moves[-1] if moves else 'pending'}")
            mine = sorted((s for s in subs.values() if s.task_id == t.id), key=lambda s: s.id)
            if len(mine) != sum(a.action == "task.submit" and a.entity_id == str(t.id) for a in audit):
                out.append(f"task {t.id}: {len(mine)} submissions, another number of task.submit audit rows")
            cells = reporting.cells(db, t).cells
            if t.status == "submitted":
                # the last submission holds every value of the task, each submitted
                off = [c.key for c in cells if c.value_id is None or c.status != "submitted"
                       or values[c.value_id].submission_id != mine[-1].id]
                if off:
                    out.append(f"task {t.id} is submitted but {len(off)} of its {len(cells)} values are not in "
                               f"submission {mine[-1].id}: {off[:5]}")
            elif any(c.status == "submitted" for c in cells):
                out.append(f"task {t.id} is {t.status} but some of its values are submitted")
        files = [(s.file_sha256, f"submission {s.id}") for s in subs.values() if s.file_sha256]
        evidence = [(e.sha256, f"evidence {e.id}", plat.folder / e.path) for e in db.scalars(select(EvidenceFile))]
    # every referenced file present and whole; every kept upload whole under its content's name
    for sha, who in files:
        p = reporting.stored_upload(plat.folder, sha)
        if p is None or hashlib.sha256(p.read_bytes()).hexdigest() != sha:
            out.append(f"{who}: its uploaded file {sha[:12]}… is missing or not whole")
    for sha, who, p in evidence:
        if not p.is_file() or hashlib.sha256(p.read_bytes()).hexdigest() != sha:
            out.append(f"{who}: its file {p} is missing or not whole")
    for p in (plat.folder / "uploads").glob("[!.]*.*"):
        if hashlib.sha256(p.read_bytes()).hexdigest() != p.stem:
            out.append(f"uploads/{p.name} is not whole (its content's sha256 is not its name)")
    return out


def test_kill_9_of_the_server_during_uploads(db_url, tmp_path, serve_cache):  # noqa: F811 (fixtures)
    from xianping.platform.db.connect import open_platform

    folder = tmp_path / "plat"
    plat = open_platform(folder, db_url, create=True)
    pw = build(plat)
    server = Server(folder, db_url, serve_cache, tmp_path / "server.log")
    probe = WriteProbe(folder, db_url)
    incoming = folder / "uploads" / ".incoming"
    t0 = time.monotonic()
    took: list[str] = []

    def lap(step: str) -> None:
        took.append(f"{step} {time.monotonic() - t0:.1f} s")

    try:
        # 1. two uploads in flight at the kill: the county's workbook, its body sent slowly in chunks and stopped
        #    half-way; the department's 515 values, the body complete, being read by ingest (its copy in .incoming)
        server.start()
        county, county_csrf = log_in(server.base, "xiuwu", pw["xiuwu"])
        county_tid = task_of(county)
        county_book = filled_template(county, county_tid)
        dept, dept_csrf = log_in(server.base, "tjj_reporter", pw["tjj_reporter"])
        dept_tid = task_of(dept)
        book = filled_template(dept, dept_tid, slip=SLIP)
        raw = raw_upload(county, county_csrf, county_tid, "修武县.xlsx", county_book)
        explained = raw_upload(dept, dept_csrf, dept_tid, "统计局.xlsx", book, EXPLAINED)
        before = state(plat)
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        step = len(raw) // 20 + 1
        for i in range(0, len(raw) // 2, step):
            slow.sendall(raw[i:i + step])
            time.sleep(0.02)
        s = send(server, explained)
        end = time.monotonic() + 60
        while not (incoming.is_dir() and any(incoming.iterdir())):
            assert time.monotonic() < end, "the upload's temporary copy never appeared"
            time.sleep(0.002)
        assert not probe.writing()
        server.kill9()
        assert no_answer(slow) and no_answer(s)
        assert state(plat) == before and inconsistencies(plat) == []
        assert list((folder / "uploads").glob("[!.]*")) == []   # nothing of either upload kept

        lap("1 body, reading")
        # 2. killed inside the transaction that saves the values as drafts (50 ms into it, still open then)
        server.start()
        dept, dept_csrf = log_in(server.base, "tjj_reporter", pw["tjj_reporter"])
        explained = raw_upload(dept, dept_csrf, dept_tid, "统计局.xlsx", book, EXPLAINED)
        before = state(plat)
        probe.idle()
        s = send(server, explained)
        probe.wait()
        time.sleep(0.05)
        assert probe.writing()
        server.kill9()
        assert no_answer(s)
        assert state(plat) == before and inconsistencies(plat) == []

        lap("2 drafts")
        # 3. the same workbook without the reason: its values wait as drafts (the warning comes back); then with
        #    the reason, killed inside the transaction that submits them
        server.start()
        dept, dept_csrf = log_in(server.base, "tjj_reporter", pw["tjj_reporter"])
        waiting = upload(dept, dept_csrf, dept_tid, "统计局.xlsx", book)
        assert (waiting["saved"], waiting["submission_id"], [w["key"] for w in waiting["warnings"]]) == \
            (515, None, list(EXPLAINED))
        assert inconsistencies(plat) == []
        explained = raw_upload(dept, dept_csrf, dept_tid, "统计局.xlsx", book, EXPLAINED)
        before = state(plat)
        assert {v[4] for v in before["values"]} == {"draft"} and before["submissions"] == []
        probe.idle()
        s = send(server, explained)
        probe.wait()
        assert probe.writing()
        server.kill9()
        assert no_answer(s)
        assert state(plat) == before and inconsistencies(plat) == []

        lap("3 submit")
        # 4. an evidence file for the slipped value: the server killed after storing the file, inside the transaction
        #    that records it — held there by a lock the test takes (SQLite: the write lock, so the server waits at its
        #    first INSERT; PostgreSQL: SHARE on audit_log, so it waits with the evidence row inserted, uncommitted)
        server.start()
        dept, dept_csrf = log_in(server.base, "tjj_reporter", pw["tjj_reporter"])
        slipped = next(v[0] for v in state(plat)["values"] if (v[1], v[2]) == SLIP)
        req = dept.build_request("POST", f"/api/values/{slipped}/evidence", headers={"X-CSRF-Token": dept_csrf},
                                 files={"file": ("教育统计年报.pdf", PDF, "application/pdf")})
        raw = as_bytes(req)
        kept = folder / "evidence" / hashlib.sha256(PDF).hexdigest()[:2] / f"{hashlib.sha256(PDF).hexdigest()}.pdf"
        before = state(plat)
        with probe.holding():
            s = send(server, raw)
            probe.wait_blocked(kept)
            server.kill9()
        assert no_answer(s)
        assert state(plat) == before and inconsistencies(plat) == []
        assert kept.read_bytes() == PDF   # stored whole, referenced by nothing: the same file again reuses it

        lap("4 evidence")
        # 5. after a restart the same uploads and the evidence complete; sent again the uploads change nothing
        server.start()
        for who, name, tid, data, expl, n in [("xiuwu", "修武县.xlsx", county_tid, county_book, None, 2),
                                              ("tjj_reporter", "统计局.xlsx", dept_tid, book, EXPLAINED, 515)]:
            c, csrf = log_in(server.base, who, pw[who])
            done = upload(c, csrf, tid, name, data, expl)
            assert done["status"] == "submitted" and done["submission_id"] is not None, done
            after = state(plat)
            assert sum(v[5] == done["submission_id"] for v in after["values"]) == n
            again = upload(c, csrf, tid, name, data, expl)
            assert again["unchanged"] and again["submission_id"] is None, again
            assert state(plat) == after
        assert inconsistencies(plat) == []
        # the temporary copy the kill in step 1 left behind is gone (swept by the next upload)
        assert list(incoming.iterdir()) == []
        assert sorted(p.name for p in (folder / "uploads").glob("[!.]*")) == sorted(
            f"{hashlib.sha256(b).hexdigest()}.xlsx" for b in (county_book, book))
        r = c.post(f"/api/values/{slipped}/evidence", headers={"X-CSRF-Token": csrf},
                   files={"file": ("教育统计年报.pdf", PDF, "application/pdf")})
        assert r.status_code == 201, r.text
        assert state(plat)["evidence"] == [(r.json()["id"], slipped, kept.relative_to(folder).as_posix())]
        assert inconsistencies(plat) == []
        lap("5 after restart")
        print(f"kill -9 during uploads ({'PostgreSQL' if db_url else 'SQLite'}, {server.starts} server starts, "
              f"load {os.getloadavg()[0]:.1f}): " + ", ".join(took))
    finally:
        server.stop()
        probe.close()
        plat.close()


def test_the_sweep_takes_only_a_dead_process_copies(tmp_path):
    """The copies in uploads/.incoming are named <pid>.<random>.<ext>: a dead process's go at the next upload, a
    live process's (another worker reading its upload now) stay, and anything not so named is not touched."""
    from xianping.platform.workflow.incoming import sweep as _sweep_incoming

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = int(gone.stdout), os.getpid()
    names = [f"{dead}.0a1b2c3d4e5f6a7b.xlsx", f"{alive}.0a1b2c3d4e5f6a7b.xlsx", "notes.txt", "99999999999999999999.x.csv"]
    for n in names:
        (tmp_path / n).write_bytes(b"x")
    _sweep_incoming(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([names[1], names[2]])
