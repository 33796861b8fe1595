"""The whole cycle in Debian's headless Chromium (Playwright) against a real `xianping serve --platform` (uvicorn in
its own process) over `xianping platform demo`, on SQLite and on PostgreSQL (`--db`: the demo and the server on the
test session's database), with four users in separate browser contexts — every step through the pages' own forms:

  修武县 reporter: downloads the Excel template, fills it (one value slipped ×10), uploads → the range warning is
  explained → submitted;  焦作 reviewer: rejects that one value with a reason;  the reporter sees the reason, fixes,
  resubmits;  the reviewer approves (and 博爱县's waiting task);  the province admin closes (naming the tasks still
  out), computes, starts 公示;  the reporter files an objection with a PDF;  the admin resolves it and publishes;
  a viewer sees the published ranking.

No console error, no page error, nothing fetched from outside; screenshots in test-artifacts/platform-cycle/<database>/.
The database is read afterwards: the states, the fixed value and the audit rows of each step.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select

from platform_fixtures import db_url, pg_database, serve_cache  # noqa: F401 (fixtures)
from test_objections import PDF

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "platform-cycle"
XIANPING = [sys.executable, "-m", "xianping.cli.main"]
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (/usr/bin/chromium)")

XIUWU = "410821"   # 修武县: its task is pending in the demo


@pytest.fixture
def served(tmp_path, serve_cache, db_url):  # noqa: F811 (the fixtures)
    folder = tmp_path / "plat"
    on_db = ["--db", db_url] if db_url else []
    r = subprocess.run([*XIANPING, "platform", "demo", "--dir", str(folder), *on_db], capture_output=True, text=True,
                       timeout=300, env=ENV)
    assert r.returncode == 0, r.stdout + r.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([*XIANPING, "serve", "--platform", str(folder), *on_db, "--cache", str(serve_cache),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(900):
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
            assert server.poll() is None, server.stdout.read()
        users = {u["username"]: u for u in csv.DictReader(io.StringIO((folder / "demo-users.csv").read_text("utf-8")))}
        yield base, folder, users, db_url
    finally:
        server.terminate()
        server.wait(20)


def census(code: str) -> dict[str, float]:
    from xianping.demo.load_demo import bundled_panel_bytes

    df = pd.read_csv(io.BytesIO(bundled_panel_bytes()), dtype={"unit_code": str, "period": str})
    df = df[(df.unit_code == code) & (df.period == "2020")]
    return dict(zip(df.indicator, df.value))


def test_whole_cycle_in_chromium(served, tmp_path):
    pw_api = pytest.importorskip("playwright.sync_api")
    base, folder, users, db_url = served
    artifacts = ARTIFACTS / ("postgresql" if db_url else "sqlite")
    artifacts.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    shot_n = [0]

    def watch(pg, who):
        pg.on("console", lambda m: problems.append(f"{who} console {m.type}: {m.text}") if m.type == "error" else None)
        pg.on("pageerror", lambda e: problems.append(f"{who} page error: {e}"))
        pg.on("request", lambda r: problems.append(f"{who} external request: {r.url}")
              if not r.url.startswith((base, "data:", "about:", "blob:")) else None)

    def shot(pg, name):
        shot_n[0] += 1
        pg.screenshot(path=str(artifacts / f"{shot_n[0]:02d}-{name}.png"), full_page=True)

    def login(browser, username, target):
        pg = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                 accept_downloads=True).new_page()
        watch(pg, username)
        pg.goto(base + target)                       # the gate sends it to /login?next=…
        pg.fill("input[name=username]", username)
        pg.fill("input[name=password]", users[username]["password"])
        pg.click("button[type=submit]")
        pg.wait_for_url(base + target)
        return pg

    started = time.monotonic()
    real = census(XIUWU)
    with pw_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        admin = login(browser, "henan_admin", "/programmes")
        pid = int(admin.get_attribute("tr[data-programme] a", "href").split("/")[2])
        tid = next(t["id"] for t in admin.evaluate("fetch('/api/tasks').then(r => r.json())")["tasks"]
                   if t["unit_code"] == XIUWU)
        boai_tid = next(t["id"] for t in admin.evaluate("fetch('/api/tasks').then(r => r.json())")["tasks"]
                        if t["unit_code"] == "410822")

        # 1. the county downloads the template, fills it (housing area slipped ×10) and uploads it
        county = login(browser, "xiuwu", f"/tasks/{tid}")
        assert county.locator("[data-status]").get_attribute("data-status") == "pending"
        with county.expect_download() as dl:
            county.click(f"a[href='/api/tasks/{tid}/template.xlsx']")
        book = tmp_path / "template.xlsx"
        dl.value.save_as(book)
        wb = openpyxl.load_workbook(book)
        ws = wb.worksheets[0]
        head = [c.value for c in ws[1]]
        ic, vc = head.index("指标代码"), head.index("数值")
        for row in ws.iter_rows(min_row=2):
            ind = row[ic].value
            row[vc].value = real[ind] * 10 if ind == "housing_area_pc" else real[ind]
        wb.save(book)
        county.set_input_files("input[name=file][accept='.xlsx,.csv']", str(book))
        county.click(f"form[action='/tasks/{tid}/upload'] button[type=submit]")
        county.wait_for_selector("[data-warning]")
        # 2. the validation warning, explained
        keys = county.eval_on_selector_all("[data-warning]", "els => els.map(e => e.dataset.warning)")
        assert keys == [f"{XIUWU}:housing_area_pc:range"]
        shot(county, "county-uploaded-warning")
        county.fill(f"textarea[name='x:{XIUWU}:housing_area_pc:range']", "新建住宅小区集中交付，已核实")
        county.click("button[value=submit]")
        county.wait_for_selector("[data-status=submitted]")
        shot(county, "county-submitted")

        # 3. the prefecture reviewer rejects that one value
        reviewer = login(browser, "jiaozuo_reviewer", f"/review/{tid}")
        row = reviewer.locator("tr[data-value-id]", has_text="housing_area_pc")
        vid = row.get_attribute("data-value-id")
        assert row.locator("td").nth(2).inner_text() == f"{real['housing_area_pc'] * 10:g}"
        reviewer.fill(f"input[name=reason_{vid}]", "人均住房建筑面积超出合理范围，约为普查值的10倍，疑似小数点错误，请核实")
        reviewer.fill("#reject-form input[name=new_deadline]", (date.today() + timedelta(days=3)).isoformat())
        shot(reviewer, "reviewer-rejecting")
        reviewer.click("#reject-form button[type=submit]")
        reviewer.wait_for_load_state()

        # 4. the county sees the reason, fixes the value, resubmits
        county.goto(f"{base}/tasks/{tid}")
        assert county.locator("[data-status]").get_attribute("data-status") == "rejected"
        assert "疑似小数点错误" in county.content()
        shot(county, "county-sees-reason")
        county.fill(f"input[name='v:{XIUWU}:housing_area_pc']", f"{real['housing_area_pc']:g}")
        county.click("button[value=submit]")
        county.wait_for_selector("[data-status=submitted]")

        # 5. approve (and 博爱县's task waiting since the demo)
        for t in (tid, boai_tid):
            reviewer.goto(f"{base}/review/{t}")
            reviewer.click("#approve-form button[type=submit]")
            reviewer.wait_for_load_state()
        shot(reviewer, "reviewer-approved")

        # 6. the admin closes (武陟县 rejected, 中牟县 overdue: named in the reason), computes, starts 公示
        admin.click(f"a[href='/programmes/{pid}/result']")
        admin.wait_for_url(f"{base}/programmes/{pid}/result")
        for step in ("close", "compute", "publicity"):
            form = admin.locator("#step-form")
            assert form.get_attribute("action").endswith(f"/{step}"), step
            if step == "close":
                form.locator("input[name=reason]").fill("武陟县待重报、中牟县逾期，按期截止")
            form.locator("button[type=submit]").click()
            admin.wait_for_load_state()
            shot(admin, f"admin-{step}")
        assert "公示中" in admin.content() and "修武县" in admin.content()

        # 7. the county files an objection (with a PDF) on its own value
        county.goto(f"{base}/objections")
        opts = county.eval_on_selector_all("select[name=value_id] option", "os => os.map(o => [o.value, o.text])")
        assert opts
        county.select_option("select[name=value_id]", opts[0][0])
        county.fill("textarea[name=text]", "本县城镇化率应以 2020 年普查公报为准")
        county.set_input_files("#objection-form input[name=evidence]",
                               files=[{"name": "普查公报.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        county.click("#objection-form button[type=submit]")
        county.wait_for_load_state()
        shot(county, "county-objection")

        # 8. the admin resolves it, then publishes (within 公示: with a reason)
        admin.goto(f"{base}/objections")
        admin.select_option(".resolve-form select[name=decision]", "dismissed")
        admin.fill(".resolve-form input[name=reason]", "经核实，所报数值与普查汇总表一致，不予采纳")
        admin.click(".resolve-form button[type=submit]")
        admin.wait_for_load_state()
        assert "不予采纳" in admin.content()
        shot(admin, "admin-resolved")
        admin.goto(f"{base}/programmes/{pid}/result")
        form = admin.locator("#step-form")
        assert form.get_attribute("action").endswith("/publish")
        form.locator("input[name=reason]").fill("异议已处理完毕，考核办决定提前发布")
        form.locator("input[name=issuer]").fill("河南省考核办")
        form.locator("input[name=doc_number]").fill("豫考〔2026〕1号")
        form.locator("button[type=submit]").click()
        admin.wait_for_load_state()
        assert "已发布" in admin.content()
        shot(admin, "admin-published")

        # 9. a viewer sees the published ranking
        viewer = login(browser, "henan_viewer", f"/programmes/{pid}/result")
        assert "已发布" in viewer.content() and "修武县" in viewer.content()
        shot(viewer, "viewer-ranking")
        browser.close()
    elapsed = time.monotonic() - started
    assert problems == []
    print(f"whole cycle in the browser ({'PostgreSQL' if db_url else 'SQLite'}): {elapsed:.1f} s")

    # the database afterwards: every step left its state and its audit rows
    from xianping.platform.db.connect import open_platform
    from xianping.platform.db.models import AuditLog, DataValue, Objection, Programme, Result, Task

    if db_url:   # everything above went through PostgreSQL: the folder holds no database of its own
        assert not (folder / "platform.db").exists()
    plat = open_platform(folder, db_url)
    try:
        with plat.sessions() as db:
            assert db.get(Programme, pid).status == "published"
            assert db.get(Task, tid).status == "approved" and db.get(Task, boai_tid).status == "approved"
            v = db.get(DataValue, int(vid))
            assert v.status == "approved" and v.value == pytest.approx(real["housing_area_pc"])
            assert [o.status for o in db.scalars(select(Objection))] == ["dismissed"]
            assert db.scalars(select(Result.status).where(Result.programme_id == pid)).all()[-1] == "final"
            acts = [a for (a,) in db.execute(select(AuditLog.action).where(AuditLog.id > 0).order_by(AuditLog.id))]
            for a in ("submission.create", "value.reject", "task.reject", "task.approve", "programme.close",
                      "result.compute", "objection.file", "evidence.attach", "objection.dismiss", "result.publish"):
                assert a in acts, a
    finally:
        plat.close()
