"""The assessment platform under load (issue 14, "Done when"): 200 county reporters submitting and 50 viewers reading
at the same time against a real `xianping serve --platform` on PostgreSQL — latency per request kind, and then the
database checked: every write that got a 2xx is there exactly once, no failed request left anything half-written,
and the audit log holds exactly one row per change.

    python benchmarks/bench_platform.py                                  # 200 reporters, 50 viewers, --workers 2, PG
    python benchmarks/bench_platform.py --workers 4 --rounds 3 --json /tmp/bench-platform.json
    python benchmarks/bench_platform.py --reporters 3 --viewers 2 --workers 1 --db sqlite     # toy scale (the test)

What it does, in order:
1. A fresh PostgreSQL database xianping_bench_<random> on 127.0.0.1:5432 (user postgres; dropped at the end), or
   with --db sqlite the platform folder's own SQLite file. `xianping platform init --dir TMP [--db URL]` (the real
   command) creates and migrates it.
2. Through the workflow services, in a few transactions: the demo's framework (7 library indicators of the 2020
   census panel), one open programme (period 2020) per province until there are enough county tasks (四川 128 +
   河北 118 = 246 tasks for 200 reporters: no province has 200 县域 units), and a small published programme (one
   prefecture, period 2018: values entered, approved, computed, 公示, published with a reason) for the viewers'
   ranking pages. Users: one county reporter per task county (the first --reporters counties), --viewers viewers,
   an admin per province — all with ONE argon2id hash of one password (hashing 250 passwords would take ~25 s and
   measures nothing: every login still verifies a real argon2id hash, at the library's default cost).
3. The real server: `xianping serve --platform TMP [--db URL] --workers N --port P` in its own process group.
4. The load, asyncio + httpx in this process, each user its own client (cookies, connection pool), all at once:
   a reporter logs in (POST /api/login), lists its tasks, reads its task's values, saves drafts --rounds times
   (PUT /api/tasks/{id}/values; each round different numbers, the last round the census values), and submits
   (explaining any warning the server returned); every --upload-every'th reporter instead downloads its template
   (template.xlsx), fills it with openpyxl and uploads it (after rounds−1 draft rounds), then uploads the same bytes
   again (must change nothing), and finally reads its task back. A viewer logs in and, until the last reporter is
   done, reads in turn: GET /api/tasks, the /tasks page, the published result page and its ranking API, the
   dashboard's home page and /api/rankings.
5. Per request kind: count, p50, p95, p99, max, errors (not 2xx, or no answer); requests/s over the load.
6. The database, read directly afterwards: for each reporter the draft values it sent with a 2xx are audited in the
   order sent, once each (value.save); the stored value is the last one sent; a submission that answered 2xx is
   there once, all 7 values submitted and linked to it, with one submission.create, one task.submit and one
   value.submit per value; the second upload created nothing; across every task of the run, submitted ⇔ one
   submission ⇔ its values submitted ⇔ its audit rows (a request that failed left nothing half-written); each
   successful login made one session and one login audit row. Any count other than 0 fails the run (exit 1).

The machine's load average (os.getloadavg) is printed before and after, with the command and the git commit.
Latency is measured in the client process, which shares the machine's cores with the server and the database.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PERIOD = "2020"                     # the reporters' programme: the bundled 2020 census values are what they report
PUBLISHED_PERIOD = "2018"           # the viewers' published programme (not 2019: it would be "last period" of 2020)
PROVINCES = ["51", "13", "41", "53", "14", "43", "15", "37"]    # most 县域 units first (2020): 128, 118, 105 …
EXPLANATION = "压力测试：数值核实无误 (benchmark: checked)"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------------------------------------------ set-up

@dataclass
class Reporter:
    username: str
    user_id: int
    county: str
    task_id: int
    programme_id: int
    final: dict[tuple[str, str], float]           # (unit, indicator) → the value it ends with
    upload: bool


@dataclass
class Viewer:
    username: str
    user_id: int


@dataclass
class World:
    folder: Path
    db_url: str | None
    password: str
    reporters: list[Reporter]
    viewers: list[Viewer]
    programme_ids: list[int]
    published_id: int
    year: str                                      # a year of the dashboard's results (for /api/rankings)
    setup_s: float = 0.0


def bench_framework() -> str:
    from xianping.platform.workflow.demo import FRAMEWORK

    return (FRAMEWORK.replace("code: henan-demo", "code: bench-platform")
            .replace("河南省县域人口与社会发展考核（演示）", "县域人口与社会发展考核（压力测试 benchmark）")
            .replace("(xianping platform demo)", "(benchmarks/bench_platform.py)"))


def county_units(n: int) -> list[str]:
    """Provinces, most county units first, until their 县域 units number at least n."""
    from xianping.reference.divisions.gazetteer import get_gazetteer
    from xianping.reference.divisions.kinds import is_county_area

    out, total = [], 0
    for p in PROVINCES:
        out.append(p + "0000")
        total += sum(1 for d in get_gazetteer().children(p, int(PERIOD)) if is_county_area(d.kind))
        if total >= n:
            return out
    raise SystemExit(f"--reporters {n}: the provinces listed have only {total} county units")


def values_for(codes: list[str], indicators: list[str]) -> dict[tuple[str, str], float]:
    """The bundled panel's 2020 census values of these units (the demo's reading of them); a unit the panel lacks
    gets the indicator's median over the others."""
    from xianping.platform.workflow.demo import census_values

    vals, _ = census_values(codes)
    med = {i: statistics.median([v for (u, j), v in vals.items() if j == i]) for i in indicators}
    return {(u, i): vals.get((u, i), med[i]) for u in codes for i in indicators}


def add_users(db, actor, rows: list[tuple[str, str, str, str]], password_hash: str) -> dict[str, int]:
    """username, display name, role, scope → id: users.create's rows and audit rows, in one transaction, one hash."""
    from xianping.platform.audit.record import writing
    from xianping.platform.db.models import User

    made = []
    with writing(db, actor) as w:
        for username, name, role, scope in rows:
            u = User(username=username, display_name=name, role=role, scope_code=scope, password_hash=password_hash)
            db.add(u)
            made.append(u)
        db.flush()
        for u in made:
            w.record("user.add", "user", u.id, new={"username": u.username, "display_name": u.display_name,
                                                  "role": u.role, "scope_code": u.scope_code, "department": None})
    return {u.username: u.id for u in made}


def publish_for_viewers(db, admin, folder: Path, framework: str, province: str, today: date) -> int:
    """A small programme (the province's first prefecture with 3+ county units), taken through the whole cycle by
    the services at once, so the viewers have a published ranking to read."""
    from sqlalchemy import select

    from xianping.platform.audit.record import Actor
    from xianping.platform.db.models import Task
    from xianping.platform.workflow import compute, programmes, publish, reporting, review
    from xianping.reference.divisions.gazetteer import get_gazetteer
    from xianping.reference.divisions.kinds import is_county_area

    g = get_gazetteer()
    per_prefecture = Counter(d.code[:4] for d in g.children(province[:2], int(PUBLISHED_PERIOD)) if is_county_area(d.kind))
    pref = next(code for code, n in sorted(per_prefecture.items()) if n >= 3) + "00"
    cli = Actor(None, "bench:setup")
    p = programmes.create(db, cli, name=f"{PUBLISHED_PERIOD} 年度县域考核（压力测试，已发布）", framework_yaml=framework,
                          scope=pref, period=PUBLISHED_PERIOD, fill_by=today + timedelta(days=14),
                          review_by=today + timedelta(days=28), publicity_days=7)
    programmes.publish(db, cli, p.id)
    tasks = db.scalars(select(Task).where(Task.programme_id == p.id).order_by(Task.id)).all()
    vals = values_for([t.unit_code for t in tasks], indicator_codes())
    for t in tasks:
        reporting.save_draft(db, admin, t, {k: v for k, v in vals.items() if k[0] == t.unit_code})
        reporting.submit(db, admin, t, {w.key: EXPLANATION for w in reporting.warnings(db, t)})
        review.approve(db, admin, t.id)
    compute.compute(db, admin, p.id, folder)
    compute.start_publicity(db, admin, p.id)
    publish.publish(db, admin, p.id, folder, reason="压力测试：立即发布 (benchmark: published at once for the viewers)")
    return p.id


def indicator_codes() -> list[str]:
    from xianping.platform.workflow.demo import INDICATORS

    return list(INDICATORS)


def set_up(folder: Path, db_url: str | None, n_reporters: int, n_viewers: int, upload_every: int) -> World:
    from sqlalchemy import select

    from xianping.platform.audit.record import Actor
    from xianping.platform.auth.passwords import hash_password
    from xianping.platform.db.connect import open_platform
    from xianping.platform.db.models import Task, User
    from xianping.platform.workflow import programmes

    t0 = time.perf_counter()
    cmd = [xianping_exe(), "platform", "init", "--dir", str(folder)] + (["--db", db_url] if db_url else [])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    today = date.today()
    framework = bench_framework()
    password = "Bench-" + secrets.token_urlsafe(12)
    one_hash = hash_password(password)
    cli = Actor(None, "bench:setup")
    provinces = county_units(n_reporters)
    plat = open_platform(folder, db_url)
    try:
        with plat.sessions() as db:
            ids = add_users(db, cli, [(f"bench_admin_{p[:2]}", f"考核办 {p}", "province_admin", p) for p in provinces],
                            one_hash)
            admin = db.get(User, ids[f"bench_admin_{provinces[0][:2]}"])
            published = publish_for_viewers(db, admin, folder, framework, provinces[0], today)
            programme_ids, tasks = [], []
            for p in provinces:
                prog = programmes.create(db, cli, name=f"{PERIOD} 年度县域考核（压力测试 {p}）", framework_yaml=framework,
                                         scope=p, period=PERIOD, fill_by=today + timedelta(days=14),
                                         review_by=today + timedelta(days=28), publicity_days=7)
                programmes.publish(db, cli, prog.id)
                programme_ids.append(prog.id)
                tasks += db.scalars(select(Task).where(Task.programme_id == prog.id).order_by(Task.unit_code)).all()
            tasks = tasks[:n_reporters]
            rows = [(f"bench_r{k:03d}_{t.unit_code}", f"县级填报员 {t.unit_code}", "county_reporter", t.unit_code)
                    for k, t in enumerate(tasks)]
            rows += [(f"bench_v{k:03d}", f"只读用户 {k}", "viewer", provinces[k % len(provinces)])
                     for k in range(n_viewers)]
            ids = add_users(db, cli, rows, one_hash)
            vals = values_for([t.unit_code for t in tasks], indicator_codes())
            reporters = [Reporter(r[0], ids[r[0]], t.unit_code, t.id, t.programme_id,
                                  {k: v for k, v in vals.items() if k[0] == t.unit_code},
                                  upload=upload_every > 0 and k % upload_every == upload_every - 1)
                         for k, (r, t) in enumerate(zip(rows, tasks))]
            viewers = [Viewer(r[0], ids[r[0]]) for r in rows[len(tasks):]]
    finally:
        plat.close()
    return World(folder, db_url, password, reporters, viewers, programme_ids, published, PERIOD,
                 setup_s=time.perf_counter() - t0)


def xianping_exe() -> str:
    exe = Path(sys.executable).with_name("xianping")
    return str(exe) if exe.exists() else "xianping"


# ------------------------------------------------------------------------------------------------------ server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(world: World, port: int, workers: int, cache: Path | None, log: Path) -> subprocess.Popen:
    cmd = [xianping_exe(), "serve", "--platform", str(world.folder), "--port", str(port), "--workers", str(workers)]
    cmd += (["--db", world.db_url] if world.db_url else []) + (["--cache", str(cache)] if cache else [])
    out = open(log, "w")
    # its own process group: the uvicorn workers are stopped with it, and nothing else
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{shlex.join(cmd)} exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"{shlex.join(cmd)} did not answer within 300 s:\n{log.read_text()}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def workers_of(pid: int) -> set[int]:
    """The server's worker processes now (children of the uvicorn supervisor), read from /proc."""
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                # uvicorn's workers are spawned (--multiprocessing-fork); multiprocessing's resource tracker is not one
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid \
                        and b"--multiprocessing-fork" in (d / "cmdline").read_bytes():
                    out.add(int(d.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


class WorkerWatch:
    """Every worker process id seen while the load runs: more than --workers means the supervisor replaced one
    (uvicorn kills a worker that does not answer its health check in time; its requests die with it)."""

    def __init__(self, pid: int, workers: int) -> None:
        import threading

        self.pid, self.workers, self.seen = pid, workers, set(workers_of(pid))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.seen |= workers_of(self.pid)

    def replaced(self) -> int:
        self.stop.set()
        self.thread.join()
        return max(0, len(self.seen) - self.workers) if self.workers > 1 else 0


# ------------------------------------------------------------------------------------------------------ load

@dataclass
class Call:
    kind: str
    status: int                   # 0: no answer (connection error, timeout)
    seconds: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class ReporterLog:
    reporter: Reporter
    logged_in: bool = False
    sent: list[dict[tuple[str, str], float]] = field(default_factory=list)   # values of each 2xx draft write, in order
    changed: list[int] = field(default_factory=list)                          # the server's count for each
    uncertain_writes: int = 0                                                 # writes with no answer (may have committed)
    refused: list[dict[tuple[str, str], float]] = field(default_factory=list)  # values of writes answered 4xx/5xx
    submission_id: int | None = None
    upload_sha256: str | None = None
    again_unchanged: bool | None = None
    final_status: str | None = None
    problems: list[str] = field(default_factory=list)
    done_at: float = 0.0


async def call(c, calls: list[Call], kind: str, method: str, url: str, **kw):
    t0 = time.perf_counter()
    try:
        r = await c.request(method, url, **kw)
    except Exception as e:   # noqa: BLE001 (any failure to get an answer is counted, with its kind)
        calls.append(Call(kind, 0, time.perf_counter() - t0, f"{type(e).__name__}: {e}"[:200]))
        return None
    dt = time.perf_counter() - t0
    calls.append(Call(kind, r.status_code, dt, "" if r.is_success else r.text[:300]))
    return r


def rounded(x: float) -> float:
    return round(x, 4)


def draft_round(final: dict, k: int, rounds: int) -> dict:
    """Round k of `rounds`: the final values k < rounds steps off (−1 % each: a percentage stays within 0–100)."""
    off = rounds - k
    return {key: rounded(v * (1 - 0.01 * off)) for key, v in final.items()}


def fill_template(data: bytes, values: dict[tuple[str, str], float]) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    code, ind, val = head.index("代码"), head.index("指标代码"), head.index("数值")
    for row in ws.iter_rows(min_row=2):
        key = (str(row[code].value), str(row[ind].value))
        if key in values:
            row[val].value = values[key]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def run_reporter(base: str, world: World, rep: Reporter, rounds: int, calls: list[Call], start: asyncio.Event) -> ReporterLog:
    import hashlib

    import httpx

    log = ReporterLog(rep)
    await start.wait()
    async with httpx.AsyncClient(base_url=base, timeout=300) as c:
        r = await call(c, calls, "login", "POST", "/api/login", json={"username": rep.username, "password": world.password})
        if r is None or not r.is_success:
            log.problems.append(f"login {r.status_code if r is not None else 'no answer'}")
            log.done_at = time.perf_counter()
            return log
        log.logged_in = True
        h = {"X-CSRF-Token": r.json()["user"]["csrf_token"]}
        r = await call(c, calls, "GET /api/tasks", "GET", "/api/tasks")
        if r is not None and r.is_success:
            mine = [t["id"] for t in r.json()["tasks"] if t["programme_id"] == rep.programme_id]
            if mine != [rep.task_id]:
                log.problems.append(f"/api/tasks lists {mine} of the programme, expected [{rep.task_id}]")
        t = rep.task_id
        await call(c, calls, "GET values", "GET", f"/api/tasks/{t}/values")
        warnings: list[str] = []
        last: dict = {}
        for k in range(1, rounds + (0 if rep.upload else 1)):
            vals = draft_round(rep.final, k, rounds)
            body = {"values": [{"unit_code": u, "indicator": i, "value": v} for (u, i), v in vals.items()]}
            r = await call(c, calls, "PUT values", "PUT", f"/api/tasks/{t}/values", json=body, headers=h)
            if r is None:
                log.uncertain_writes += 1
            elif r.is_success:
                log.sent.append({key: v for key, v in vals.items() if last.get(key) != v})
                log.changed.append(r.json()["changed"])
                last = vals
                warnings = [w["key"] for w in r.json()["warnings"]]
            else:
                log.refused.append(dict(vals))
        if rep.upload:
            r = await call(c, calls, "GET template.xlsx", "GET", f"/api/tasks/{t}/template.xlsx")
            if r is None or not r.is_success:
                log.problems.append("template not downloaded")
            else:
                data = await asyncio.to_thread(fill_template, r.content, rep.final)
                sha = hashlib.sha256(data).hexdigest()
                files = {"file": (f"task-{t}.xlsx", data, XLSX)}
                r = await call(c, calls, "POST upload", "POST", f"/api/tasks/{t}/upload", files=files, headers=h)
                if r is None:
                    log.uncertain_writes += 1
                elif r.is_success:
                    got = r.json()
                    log.upload_sha256 = sha
                    log.sent.append({key: v for key, v in rep.final.items() if last.get(key) != v})
                    log.changed.append(got["saved"])
                    last = dict(rep.final)
                    if got["submission_id"] is None and got["warnings"]:   # explain, then submit the kept file
                        expl = {w["key"]: EXPLANATION for w in got["warnings"]}
                        r = await call(c, calls, "POST submit", "POST", f"/api/tasks/{t}/submit", headers=h,
                                       json={"explanations": expl, "file_sha256": sha, "file_name": f"task-{t}.xlsx"})
                        if r is None:
                            log.uncertain_writes += 1
                        elif r.is_success:
                            log.submission_id = r.json()["submission_id"]
                    else:
                        log.submission_id = got["submission_id"]
                    files = {"file": (f"task-{t}.xlsx", data, XLSX)}
                    r = await call(c, calls, "POST upload (same file again)", "POST", f"/api/tasks/{t}/upload",
                                   files=files, headers=h)
                    if r is None:
                        log.uncertain_writes += 1
                    elif r.is_success:
                        log.again_unchanged = bool(r.json()["unchanged"])
        else:
            expl = {k: EXPLANATION for k in warnings}
            r = await call(c, calls, "POST submit", "POST", f"/api/tasks/{t}/submit", json={"explanations": expl}, headers=h)
            if r is None:
                log.uncertain_writes += 1
            elif r.is_success:
                log.submission_id = r.json()["submission_id"]
        r = await call(c, calls, "GET /api/tasks/{id}", "GET", f"/api/tasks/{t}")
        if r is not None and r.is_success:
            log.final_status = r.json()["status"]
    log.done_at = time.perf_counter()
    return log


VIEWER_READS = [("GET /api/tasks", "/api/tasks"), ("GET /tasks (page)", "/tasks"),
                ("GET result page", "/programmes/{p}/result"), ("GET ranking API", "/api/programmes/{p}/ranking"),
                ("GET / (dashboard)", "/"), ("GET /api/rankings", "/api/rankings?year={y}")]


async def run_viewer(base: str, world: World, v: Viewer, calls: list[Call], start: asyncio.Event,
                     reporters_done: asyncio.Event, logins: list[bool], think: float) -> None:
    import httpx

    await start.wait()
    async with httpx.AsyncClient(base_url=base, timeout=300) as c:
        r = await call(c, calls, "login", "POST", "/api/login", json={"username": v.username, "password": world.password})
        logins.append(r is not None and r.is_success)
        if not logins[-1]:
            return
        k = 0
        while not reporters_done.is_set() or k < len(VIEWER_READS):   # at least one of each, then until reporters end
            kind, path = VIEWER_READS[k % len(VIEWER_READS)]
            await call(c, calls, kind, "GET", path.format(p=world.published_id, y=world.year))
            k += 1
            if think:
                await asyncio.sleep(think)


async def load(base: str, world: World, rounds: int, think: float) -> tuple[list[Call], list[ReporterLog], list[bool], dict]:
    calls: list[Call] = []
    start, done = asyncio.Event(), asyncio.Event()
    viewer_logins: list[bool] = []
    reps = [asyncio.create_task(run_reporter(base, world, r, rounds, calls, start)) for r in world.reporters]
    views = [asyncio.create_task(run_viewer(base, world, v, calls, start, done, viewer_logins, think))
             for v in world.viewers]
    await asyncio.sleep(0.2)
    t0 = time.perf_counter()
    start.set()
    logs = await asyncio.gather(*reps)
    t_reporters = time.perf_counter() - t0
    done.set()
    await asyncio.gather(*views)
    wall = time.perf_counter() - t0
    return calls, logs, viewer_logins, {"wall_s": wall, "reporters_s": t_reporters,
                                        "reporter_done_s": sorted(l.done_at - t0 for l in logs)}


# ------------------------------------------------------------------------------------------------------ checks

def check_database(world: World, logs: list[ReporterLog], viewer_logins: list[bool]) -> dict[str, int | list[str]]:
    """Counts of what is wrong (each must be 0) and the first examples. Read straight from the database."""
    from sqlalchemy import func, select

    from xianping.platform.db.engine import make_engine, platform_url, session_factory
    from xianping.platform.db.models import AuditLog, DataValue, LoginSession, Submission, Task

    bad: Counter = Counter()
    examples: list[str] = []

    def wrong(what: str, detail: str) -> None:
        bad[what] += 1
        if len(examples) < 20:
            examples.append(f"{what}: {detail}")

    # the database as it is (not open_platform: it refuses a schema older than the code, and the code may move on)
    engine = make_engine(platform_url(world.folder, world.db_url))
    try:
        with session_factory(engine)() as db:
            progs = world.programme_ids
            tasks = {t.id: t for t in db.scalars(select(Task).where(Task.programme_id.in_(progs)))}
            subs: dict[int, list[Submission]] = defaultdict(list)
            for s in db.scalars(select(Submission).where(Submission.task_id.in_(list(tasks)))):
                subs[s.task_id].append(s)
            values: dict[str, list[DataValue]] = defaultdict(list)
            for v in db.scalars(select(DataValue).where(DataValue.programme_id.in_(progs))):
                values[v.unit_code].append(v)
            value_ids = {v.id: v for vs in values.values() for v in vs}
            audit: dict[tuple[str, str], list[AuditLog]] = defaultdict(list)
            for a in db.scalars(select(AuditLog).where(AuditLog.action.in_(
                    ["value.save", "value.submit", "submission.create", "task.submit"])).order_by(AuditLog.id)):
                audit[(a.action, a.entity_id)].append(a)
            user_ids = [r.user_id for r in world.reporters] + [v.user_id for v in world.viewers]
            sessions = Counter(db.scalars(select(LoginSession.user_id).where(LoginSession.user_id.in_(user_ids))))
            logins = Counter(db.scalars(select(AuditLog.actor_id).where(AuditLog.action == "login",
                                                                         AuditLog.actor_id.in_(user_ids))))
            n_audit = db.scalar(select(func.count(AuditLog.id)))

        # every task of the run, whoever touched it: all or nothing
        for t in tasks.values():
            ss, vs = subs.get(t.id, []), values.get(t.unit_code, [])
            if len(ss) > 1:
                wrong("duplicated submission", f"task {t.id} has {len(ss)} submissions")
            if (t.status == "submitted") != (len(ss) == 1):
                wrong("half-written submit", f"task {t.id} is {t.status} with {len(ss)} submission(s)")
            if t.status == "submitted" and ss:
                s = ss[0]
                if len(vs) != len(indicator_codes()) or any(v.status != "submitted" or v.submission_id != s.id for v in vs):
                    wrong("half-written submit", f"task {t.id}: values {[(v.indicator, v.status, v.submission_id) for v in vs]}")
                if len(audit.get(("submission.create", str(s.id)), [])) != 1 or len(audit.get(("task.submit", str(t.id)), [])) != 1:
                    wrong("audit ≠ writes", f"task {t.id}: submission.create/task.submit rows not exactly one")
            else:
                if any(v.status != "draft" or v.submission_id is not None for v in vs):
                    wrong("half-written submit", f"task {t.id} ({t.status}) has submitted values")
                if audit.get(("task.submit", str(t.id))):
                    wrong("audit ≠ writes", f"task {t.id} is {t.status} but has a task.submit row")
            for v in vs:
                saves = audit.get(("value.save", str(v.id)), [])
                subs_rows = audit.get(("value.submit", str(v.id)), [])
                if not saves:
                    wrong("audit ≠ writes", f"value {v.id} has no value.save row")
                elif json.loads(saves[-1].new)["value"] != v.value:
                    wrong("lost write", f"value {v.id} is {v.value}, its last audited save {saves[-1].new}")
                if len(subs_rows) != (1 if v.status == "submitted" else 0):
                    wrong("audit ≠ writes", f"value {v.id} ({v.status}) has {len(subs_rows)} value.submit rows")

        # each reporter: what got a 2xx is there, once, in the order sent
        for log in logs:
            rep = log.reporter
            bad["reporter problems"] += len(log.problems)
            for p in log.problems:
                wrong("reporter problems", f"{rep.username}: {p}")
            if not log.logged_in:
                continue
            vs = {(v.unit_code, v.indicator): v for v in values.get(rep.county, [])}
            for n_sent, n_changed in zip(log.sent, log.changed):
                if len(n_sent) != n_changed:
                    wrong("lost write", f"{rep.username}: sent {len(n_sent)} changed values, the server says {n_changed}")
            for key in rep.final:
                want = [s[key] for s in log.sent if key in s]
                v = vs.get(key)
                if v is None:
                    if want:
                        wrong("lost write", f"{rep.username}: {key} sent {want} but not stored")
                    continue
                got = [json.loads(a.new)["value"] for a in audit.get(("value.save", str(v.id)), [])
                       if a.actor_id == rep.user_id]
                # a write answered 4xx/5xx may still be stored whole (committed, then the answer failed): said apart
                refused = [s[key] for s in log.refused if key in s]
                stored_refused = [x for x in got if x in refused and x not in want]
                if stored_refused:
                    wrong("stored though answered an error", f"{rep.username}: {key} {stored_refused}")
                if [x for x in got if x not in stored_refused] != want and not log.uncertain_writes:
                    kind = "duplicated write" if len(got) - len(stored_refused) > len(want) else "lost write"
                    wrong(kind, f"{rep.username}: {key} audited {got}, sent with a 2xx {want}")
                if want and v.value != want[-1] and v.value not in stored_refused and not log.uncertain_writes:
                    wrong("lost write", f"{rep.username}: {key} stored {v.value}, last sent {want[-1]}")
            t = tasks[rep.task_id]
            ss = subs.get(t.id, [])
            if log.submission_id is not None:
                if [s.id for s in ss] != [log.submission_id] or t.status != "submitted":
                    wrong("lost write", f"{rep.username}: submission {log.submission_id} answered 2xx; stored "
                                        f"{[s.id for s in ss]}, task {t.status}")
                elif rep.upload and ss[0].file_sha256 != log.upload_sha256:
                    wrong("lost write", f"{rep.username}: the submission names file {ss[0].file_sha256}, uploaded {log.upload_sha256}")
                if log.final_status not in (None, "submitted"):
                    wrong("lost write", f"{rep.username}: GET after submitting says {log.final_status}")
            elif ss and not log.uncertain_writes:
                wrong("duplicated write", f"{rep.username}: no submit answered 2xx but the task has {len(ss)} submission(s)")
            if rep.upload and log.upload_sha256 and log.again_unchanged is not True:
                wrong("duplicated write", f"{rep.username}: the same file uploaded again was not 'unchanged'")
            if sessions[rep.user_id] != 1 or logins[rep.user_id] != 1:
                wrong("audit ≠ writes", f"{rep.username}: 1 login answered 2xx, {sessions[rep.user_id]} sessions, "
                                        f"{logins[rep.user_id]} login rows")
        n_ok_viewers = sum(viewer_logins)
        v_sessions = sum(sessions[v.user_id] for v in world.viewers)
        v_logins = sum(logins[v.user_id] for v in world.viewers)
        if v_sessions != n_ok_viewers or v_logins != n_ok_viewers:
            wrong("audit ≠ writes", f"viewers: {n_ok_viewers} logins answered 2xx, {v_sessions} sessions, {v_logins} login rows")
    finally:
        engine.dispose()
    submitted = sum(1 for t in tasks.values() if t.status == "submitted")
    return {"lost write": bad["lost write"], "duplicated write": bad["duplicated write"],
            "stored though answered an error": bad["stored though answered an error"],
            "half-written submit": bad["half-written submit"], "audit ≠ writes": bad["audit ≠ writes"],
            "reporter problems": bad["reporter problems"], "examples": examples,
            "tasks submitted": submitted, "tasks in the programmes": len(tasks),
            "values stored": sum(len(v) for v in values.values()),
            "draft writes answered 2xx": sum(len(l.sent) for l in logs),
            "value.save rows checked": sum(len(audit.get(("value.save", str(i)), [])) for i in value_ids),
            "audit rows in the database": n_audit}


# ------------------------------------------------------------------------------------------------------ report

def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(q / 100 * len(xs) + 0.5)) - 1))] if xs else float("nan")


def summarise(calls: list[Call]) -> list[dict]:
    by: dict[str, list[Call]] = defaultdict(list)
    for c in calls:
        by[c.kind].append(c)
    out = []
    for kind, cs in by.items():
        ms = [1000 * c.seconds for c in cs]
        statuses = Counter(c.status for c in cs)
        out.append({"kind": kind, "count": len(cs), "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "p99_ms": pct(ms, 99),
                    "max_ms": max(ms), "errors": sum(1 for c in cs if not c.ok),
                    "statuses": {str(k): v for k, v in sorted(statuses.items())}})
    order = ["login", "GET /api/tasks", "GET values", "PUT values", "POST submit", "GET template.xlsx", "POST upload",
             "POST upload (same file again)", "GET /api/tasks/{id}"] + [k for k, _ in VIEWER_READS]
    return sorted(out, key=lambda r: order.index(r["kind"]) if r["kind"] in order else 99)


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "benchmarks/bench_platform.py"],
                               capture_output=True, text=True).stdout.strip()
        return head + (" (+ uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def server_errors(log: Path) -> list[str]:
    """The server's exceptions, counted by their last line (the exception and its message)."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    found: Counter = Counter()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
                j += 1
            if j < len(lines):
                found[lines[j][:300]] += 1
    return [f"{n}× {what}" for what, n in found.most_common(20)]


def error_samples(calls: list[Call]) -> list[str]:
    seen: Counter = Counter()
    for c in calls:
        if not c.ok:
            seen[f"{c.kind} → {c.status or 'no answer'}: {c.error[:200]}"] += 1
    return [f"{n}× {what}" for what, n in seen.most_common(15)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reporters", type=int, default=200, help="county reporters submitting at once (default 200)")
    ap.add_argument("--viewers", type=int, default=50, help="viewers reading at the same time (default 50)")
    ap.add_argument("--workers", type=int, default=2, help="xianping serve --workers N (default 2)")
    ap.add_argument("--rounds", type=int, default=2, help="draft saves per reporter before submitting (default 2)")
    ap.add_argument("--upload-every", type=int, default=4, help="every k-th reporter uploads the workbook (0: none)")
    ap.add_argument("--think", type=float, default=0.0, help="seconds a viewer waits between reads (default 0)")
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--pg", default=PG_ADMIN, help="an admin URL of the PostgreSQL server (a database is created on it)")
    ap.add_argument("--cache", type=Path, help="xianping serve --cache DIR (the dashboard's demo results)")
    ap.add_argument("--json", type=Path, help="write the figures and checks as JSON here")
    ap.add_argument("--server-log", type=Path, help="keep the server's output here (default: dropped with the temp folder)")
    args = ap.parse_args(argv)
    if args.reporters < 1 or args.viewers < 0 or args.rounds < 1 or args.workers < 1:
        ap.error("--reporters ≥ 1, --viewers ≥ 0, --rounds ≥ 1, --workers ≥ 1")

    command = shlex.join([Path(sys.executable).name, "benchmarks/bench_platform.py", *(argv if argv is not None else sys.argv[1:])])
    load_before = os.getloadavg()
    print(f"command: {command}\ncommit: {git_commit()}\nload average before: {' '.join(f'{x:.2f}' for x in load_before)}"
          f" ({os.cpu_count()} CPUs)", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="xianping-bench-platform-"))
    pg_name, admin = None, None
    db_url = None
    proc = None
    try:
        if args.db == "postgresql":
            import psycopg

            pg_name = f"xianping_bench_{secrets.token_hex(4)}"
            admin = psycopg.connect(args.pg, autocommit=True, connect_timeout=5)
            admin.execute(f'CREATE DATABASE "{pg_name}"')
            base_url = args.pg.rsplit("/", 1)[0]
            db_url = f"{base_url}/{pg_name}"
            server_version = admin.execute("SHOW server_version").fetchone()[0]
            print(f"database: PostgreSQL {server_version}, fresh database {pg_name} (dropped at the end)", flush=True)
        else:
            print("database: SQLite (WAL) in the platform folder", flush=True)
        world = set_up(tmp / "plat", db_url, args.reporters, args.viewers, args.upload_every)
        print(f"set up in {world.setup_s:.1f} s: {len(world.reporters)} reporters over programmes {world.programme_ids}, "
              f"{len(world.viewers)} viewers, published programme {world.published_id} for them", flush=True)
        port = free_port()
        log = tmp / "server.log"
        t0 = time.perf_counter()
        proc = start_server(world, port, args.workers, args.cache, log)
        print(f"server: xianping serve --workers {args.workers} answered after {time.perf_counter() - t0:.1f} s", flush=True)
        watch = WorkerWatch(proc.pid, args.workers)
        calls, logs, viewer_logins, times = asyncio.run(load(f"http://127.0.0.1:{port}", world, args.rounds, args.think))
        load_after = os.getloadavg()
        replaced = watch.replaced()
        stop_server(proc)
        proc = None
        checks = check_database(world, logs, viewer_logins)
        rows = summarise(calls)
        errs = server_errors(log)
        if args.server_log:
            shutil.copyfile(log, args.server_log)
    finally:
        if proc is not None:
            stop_server(proc)
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            admin.close()
        shutil.rmtree(tmp, ignore_errors=True)

    total = len(calls)
    print(f"\nload: {len(world.reporters)} reporters (rounds {args.rounds}, every {args.upload_every or '—'}th uploads), "
          f"{len(world.viewers)} viewers, --workers {args.workers}, {args.db}")
    print(f"{'request':<32}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}  statuses")
    for r in rows:
        print(f"{r['kind']:<32}{r['count']:>7}{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}{r['p99_ms']:>9.0f}{r['max_ms']:>9.0f}"
              f"{r['errors']:>8}  {r['statuses']}")
    done = times["reporter_done_s"]
    print(f"all requests: {total} in {times['wall_s']:.1f} s = {total / times['wall_s']:.0f} requests/s; "
          f"the reporters finished in {times['reporters_s']:.1f} s (median reporter {statistics.median(done):.1f} s)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in load_after)}")
    print(f"worker processes replaced by uvicorn's supervisor during the load: {replaced}")
    print("\ndatabase checks (each must be 0):")
    for k in ("lost write", "duplicated write", "half-written submit", "audit ≠ writes", "reporter problems",
              "stored though answered an error"):
        print(f"  {k:<33}{checks[k]}")
    print(f"  ({checks['tasks submitted']} of {checks['tasks in the programmes']} tasks submitted, {checks['values stored']} values, "
          f"{checks['draft writes answered 2xx']} draft writes answered 2xx, {checks['value.save rows checked']} value.save rows "
          f"checked, {checks['audit rows in the database']} audit rows in all)")
    for e in checks["examples"]:
        print("   ", e)
    samples = error_samples(calls)
    if samples:
        print("failed requests:")
        for e in samples:
            print("   ", e)
    if errs:
        print("server exceptions:")
        for e in errs:
            print("   ", e)
    failed = sum(checks[k] for k in ("lost write", "duplicated write", "half-written submit", "audit ≠ writes", "reporter problems",
                                     "stored though answered an error"))
    if args.json:
        args.json.write_text(json.dumps({
            "command": command, "commit": git_commit(), "db": args.db, "workers": args.workers,
            "reporters": len(world.reporters), "viewers": len(world.viewers), "rounds": args.rounds,
            "upload_every": args.upload_every, "cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after,
            "requests": rows, "total_requests": total, "wall_s": times["wall_s"], "reporters_s": times["reporters_s"],
            "requests_per_s": total / times["wall_s"], "checks": checks, "server_errors": errs, "failed_requests": samples, "workers_replaced": replaced,
            "tasks_submitted_by_reporters": sum(1 for l in logs if l.submission_id is not None)},
            ensure_ascii=False, indent=1, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
