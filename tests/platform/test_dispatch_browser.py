"""月调度 in Debian's headless Chromium (Playwright) against a real `xianping serve --platform` over `xianping platform
demo` on SQLite — through the pages' own forms:

  two projects of this test's own (【测试·虚构】, made up) are imported into 修武县's bank as the province office does
  (`xianping dispatch import-projects`): A plan 1,200 万元, B plan 800 万元, both continuing;
  修武县's reporter reports December of the demo's year for both (A: 300 万元 year to date, B: 800) → submitted;
  焦作's reviewer approves them on the county page;
  the month's page then shows the new figures: by hand, A completes 300 ÷ 1,200 = 25.0 % of its plan with the whole
  year elapsed (12/12 = 100 %) → 75.0 points behind → red (more than 20 behind, builtin rules); B 800 ÷ 800 = 100.0 %,
  level → green, in no list; 修武县's completion and pace are what `xianping dispatch measures --json` (the CLI's
  own code path, workflow/dispatch_measure.py) says, and they changed with the approval;
  the brief (月度通报, Word) downloaded from the page says the same; the reviewer opens the month's ledger items,
  closes A's red item with a note (销号), and the item's page shows its history — read back from the audit log.

No console error, no page error, nothing fetched from outside; screenshots in test-artifacts/dispatch-browser/.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from platform_fixtures import serve_cache  # noqa: F401 (a fixture)

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dispatch-browser"
XIANPING = [sys.executable, "-m", "xianping.cli.main"]
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (/usr/bin/chromium)")

XIUWU = "410821"
A, B = "T16-A", "T16-B"
A_NAME, B_NAME = "【测试·虚构】修武县滞后项目", "【测试·虚构】修武县按期项目"


def _cli(*args: str) -> str:
    r = subprocess.run([*XIANPING, *args], capture_output=True, text=True, timeout=300, env=ENV)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.fixture
def served(tmp_path, serve_cache):  # noqa: F811 (the fixture)
    folder = tmp_path / "plat"
    _cli("platform", "demo", "--dir", str(folder))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([*XIANPING, "serve", "--platform", str(folder), "--cache", str(serve_cache),
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
        yield base, folder, users
    finally:
        server.terminate()
        server.wait(20)


def _import_projects(folder: Path, year: int, tmp_path: Path) -> None:
    sheet = tmp_path / "test-bank.csv"
    with open(sheet, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["项目编号", "项目名称", "区划代码", "所属行业", "建设性质", "总投资", "年度计划投资", "计划开工时间",
                    "计划竣工时间", "实际开工时间", "是否入统", "责任单位", "责任人"])
        w.writerow([A, A_NAME, XIUWU, "先进制造业", "续建", 5000, 1200, f"{year - 1}-03-01", f"{year + 1}-12-31",
                    f"{year - 1}-03-15", "是", "测试单位（虚构）", "测试甲"])
        w.writerow([B, B_NAME, XIUWU, "基础设施", "续建", 3000, 800, f"{year - 1}-05-01", f"{year + 1}-06-30",
                    f"{year - 1}-05-10", "是", "测试单位（虚构）", "测试乙"])
    _cli("dispatch", "import-projects", "--platform", str(folder), str(sheet), "--year", str(year))


def _measures(folder: Path, month: str) -> dict:
    return json.loads(_cli("dispatch", "measures", "--platform", str(folder), "--month", month, "--json"))


def _pct(x) -> str:
    return "—" if x is None else f"{x:.1f}%"


def _pts(x) -> str:
    return "—" if x is None else "0.0" if f"{x:.1f}" in ("0.0", "-0.0") else f"{x:+.1f}"


def test_dispatch_month_in_chromium(served, tmp_path):
    pw_api = pytest.importorskip("playwright.sync_api")
    base, folder, users = served
    db = sqlite3.connect(folder / "platform.db")
    year = int(db.execute("SELECT max(month) FROM project_reports").fetchone()[0][:4])
    month = f"{year}-12"
    _import_projects(folder, year, tmp_path)
    before = next(c for c in _measures(folder, month)["counties"] if c["unit_code"] == XIUWU)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    shot_n = [0]

    def watch(pg, who):
        pg.on("console", lambda m: problems.append(f"{who} console {m.type}: {m.text}") if m.type == "error" else None)
        pg.on("pageerror", lambda e: problems.append(f"{who} page error: {e}"))
        pg.on("request", lambda r: problems.append(f"{who} external request: {r.url}")
              if not r.url.startswith((base, "data:", "about:", "blob:")) else None)

    def shot(pg, name):
        shot_n[0] += 1
        pg.screenshot(path=str(ARTIFACTS / f"{shot_n[0]:02d}-{name}.png"), full_page=True)

    def login(browser, username, target):
        pg = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                 accept_downloads=True).new_page()
        watch(pg, username)
        pg.goto(base + target)
        pg.fill("input[name=username]", username)
        pg.fill("input[name=password]", users[username]["password"])
        pg.click("button[type=submit]")
        pg.wait_for_url(base + target)
        return pg

    county_url = f"/dispatch/county/{XIUWU}?month={month}"
    with pw_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)

        # 1. 修武县's reporter reports December for the two projects (the form under each project)
        county = login(browser, "xiuwu", county_url)
        for code, ytd, cum, funds in ((A, "300", "2300", "200"), (B, "800", "2800", "800")):
            form = county.locator(f"form.report-form[data-project='{code}']")
            form.locator("xpath=..").locator("summary").click()
            form.locator("input[name=investment_month]").fill(ytd)
            form.locator("input[name=investment_ytd]").fill(ytd)
            form.locator("input[name=investment_cumulative]").fill(cum)
            form.locator("input[name=funds_in_place]").fill(funds)
            form.locator("input[name=progress]").fill("主体施工（测试）")
            form.locator("button[type=submit]").click()
            county.wait_for_url(base + county_url)
            assert county.locator(f"tr[data-project='{code}'] td[data-status]").get_attribute("data-status") == "submitted"
        # a site photo with A's report through the county page's form: the browser shows the stored image
        png = tmp_path / "现场.png"
        from xianping.platform.workflow.dispatch_demo import _png

        png.write_bytes(_png((200, 60, 60)))
        photo = county.locator(f"form.photo-form[data-project='{A}']")
        photo.locator("input[type=file]").set_input_files(str(png))
        photo.locator("button[type=submit]").click()
        county.wait_for_url(base + county_url)
        img = county.locator(f"div[data-photos='{A}'] img")
        img.wait_for()
        assert county.evaluate("(el) => el.complete && el.naturalWidth", img.element_handle()) == 8
        shot(county, "county-reported")

        # 2. 焦作's reviewer: the month before approval, then approves on the county page
        reviewer = login(browser, "jiaozuo_reviewer", f"/dispatch?month={month}")
        row = reviewer.locator(f"#county-ranking tr[data-county='{XIUWU}']")
        assert row.locator("td[data-completion]").inner_text() == _pct(before["completion"])
        assert reviewer.locator(f"#warn-list tr[data-project='{A}']").count() == 0   # submitted is not yet a fact
        reviewer.goto(base + county_url)
        reviewer.click("#approve-form button[type=submit]")
        reviewer.wait_for_url(base + county_url)
        for code in (A, B):
            assert reviewer.locator(f"tr[data-project='{code}'] td[data-status]").get_attribute("data-status") == "approved"

        # 3. the month's page: A red at 25.0 % / −75.0 (by hand), B green in no list, 修武县 as the CLI computes it
        after = next(c for c in _measures(folder, month)["counties"] if c["unit_code"] == XIUWU)
        assert (after["completion"], after["n_reported"]) != (before["completion"], before["n_reported"])
        reviewer.goto(base + f"/dispatch?month={month}")
        a = reviewer.locator(f"#warn-list tr[data-project='{A}']")
        assert a.get_attribute("data-colour") == "red"
        assert a.locator("td").nth(3).inner_text() == "25.0%" and a.locator("td").nth(4).inner_text() == "-75.0"
        assert reviewer.locator(f"#warn-list tr[data-project='{B}']").count() == 0
        row = reviewer.locator(f"#county-ranking tr[data-county='{XIUWU}']")
        assert row.locator("td[data-completion]").inner_text() == _pct(after["completion"])
        assert row.locator("td[data-pace]").inner_text() == _pts(after["pace"])
        assert row.get_attribute("data-colour") == after["colour"]
        reviewer.wait_for_selector("#dmap[data-drawn]")
        shot(reviewer, "month-after-approval")

        # 4. the brief from the page says the same
        with reviewer.expect_download() as dl:
            reviewer.click("#brief-link")
        brief = tmp_path / "brief.docx"
        dl.value.save_as(brief)
        from docx import Document

        doc = Document(str(brief))
        text = "\n".join(p.text for p in doc.paragraphs)
        cells = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
        assert f"重点项目{year}年1—12月调度情况通报" in text and "【缺数据" not in text
        assert ["修武县", A_NAME, "1200", "300", "25.0%", "-75.0"] in cells
        xw = next(r for r in cells if len(r) == 9 and r[1] == "修武县")
        assert xw[5] == _pct(after["completion"]) and xw[6] == _pts(after["pace"])
        assert not any(B_NAME in r for r in cells)

        # 监测: November of the demo's made-up indicators — 武陟县's 固定资产投资 (set 20 % behind its target's pace) is red
        reviewer.goto(base + f"/dispatch?month={year}-11")
        wz = reviewer.locator("#indicators tr[data-indicator^='410823:固定资产投资']")
        assert wz.get_attribute("data-colour") == "red" and wz.locator("td").nth(5).inner_text().startswith("-")

        # 5. the ledger: the month's warnings open items; A's red item is closed with a note
        reviewer.goto(base + "/dispatch/ledger")
        reviewer.fill("#warn-form input[name=month]", month)
        reviewer.click("#warn-form button[type=submit]")
        assert "新开 opened" in reviewer.locator("#ledger-message").inner_text()
        item_row = reviewer.locator(f"#ledger tr[data-source='project:{A}']")
        assert item_row.get_attribute("data-colour") == "red" and item_row.get_attribute("data-status") == "open"
        item_id = int(item_row.get_attribute("data-item"))
        shot(reviewer, "ledger-opened")
        reviewer.goto(base + f"/dispatch/ledger/{item_id}")
        note = "已约谈项目单位，12月底前补报投资计划（测试）"
        reviewer.fill("#close-form textarea[name=note]", note)
        reviewer.click("#close-form button[type=submit]")
        reviewer.wait_for_url(base + f"/dispatch/ledger/{item_id}")
        assert reviewer.locator("#item").get_attribute("data-status") == "closed"
        assert note in reviewer.locator("#closing-note").inner_text()
        actions = [x.get_attribute("data-action") for x in reviewer.locator("#history tr[data-action]").all()]
        assert actions[0] == "ledger.open" and actions[-1] == "ledger.close"
        assert note in reviewer.locator("#history tr[data-action='ledger.close']").inner_text()
        shot(reviewer, "ledger-item-closed")
        browser.close()

    # the database: the item closed with its note, its history in the append-only audit log
    db = sqlite3.connect(folder / "platform.db")
    status, closing = db.execute("SELECT status, closing_note FROM ledger_items WHERE id = ?", (item_id,)).fetchone()
    assert (status, closing) == ("closed", note)
    audit = db.execute("SELECT action, actor_name, reason FROM audit_log WHERE entity = 'ledger_item' AND entity_id = ? "
                       "ORDER BY id", (str(item_id),)).fetchall()
    assert audit[0][0] == "ledger.open" and audit[-1] == ("ledger.close", "jiaozuo_reviewer", note)
    approved = db.execute("SELECT a.actor_name FROM audit_log a JOIN project_reports r ON a.entity = 'project_report' "
                          "AND a.entity_id = CAST(r.id AS TEXT) JOIN projects p ON p.id = r.project_id "
                          "WHERE a.action = 'report.approve' AND p.code IN (?, ?) AND r.month = ?", (A, B, month)).fetchall()
    assert approved == [("jiaozuo_reviewer",), ("jiaozuo_reviewer",)]
    assert not problems, problems
