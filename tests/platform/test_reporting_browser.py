"""The fill-in page in Debian's headless Chromium (Playwright): a county reporter logs in, fills the form, is stopped
by the plausibility warnings (the form shown again, 200), explains them and submits — no console error, nothing
fetched from outside; screenshots as artefacts (test-artifacts/platform-reporting). SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from test_reporting import GOOD, rs, setup  # noqa: F401 (rs is a fixture)
from xianping.platform.db.models import DataValue, Submission, Task

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "platform-reporting"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (/usr/bin/chromium)")


@pytest.fixture
def live(app):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    th.join(10)


def test_fill_explain_submit_in_chromium(live, plat, rs):
    pw_api = pytest.importorskip("playwright.sync_api")
    tid = rs.task["410122"]
    problems: list[str] = []
    with pw_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        pg = b.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
        pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        pg.on("request", lambda r: problems.append(f"external request: {r.url}")
              if not r.url.startswith((live, "data:", "about:")) else None)
        statuses: list[int] = []
        pg.on("response", lambda r: statuses.append(r.status) if r.url.startswith(f"{live}/tasks/") else None)
        pg.goto(f"{live}/tasks/{tid}")
        pg.fill("input[name=username]", "zhongmou")
        pg.fill("input[name=password]", rs.pw["zhongmou"])
        pg.click("button[type=submit]")
        pg.wait_for_url(f"{live}/tasks/{tid}")
        assert pg.locator("tr[data-key='410122:gdp'] td").nth(3).inner_text() == "580"   # last period's value
        for k, x in GOOD.items():
            if k != "budget_revenue":
                pg.fill(f"input[name='v:410122:{k}']", "800" if k == "gdp" else str(x))
        pg.click("button[value=submit]")
        pg.wait_for_selector("[data-warning]")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "01-warnings.png"), full_page=True)
        keys = pg.eval_on_selector_all("[data-warning]", "els => els.map(e => e.dataset.warning)")
        assert set(keys) == {"410122:gdp:change", "410122:gdp:sum"}
        assert pg.input_value("input[name='v:410122:gdp']") == "800"   # what was typed is kept
        pg.fill("textarea[name='x:410122:gdp:change']", "新投产项目带动")
        pg.fill("textarea[name='x:410122:gdp:sum']", "含统计口径调整")
        pg.click("button[value=submit]")
        pg.wait_for_selector("[data-status=submitted]")
        pg.screenshot(path=str(ARTIFACTS / "02-submitted.png"), full_page=True)
        b.close()
    assert not problems, problems
    assert statuses and all(s in (200, 303) for s in statuses)   # a form shown again with its problems is a 200
    with plat.sessions() as db:
        assert db.get(Task, tid).status == "submitted"
        s = db.scalars(select(Submission)).one()
        assert set(s.explanations) == {"410122:gdp:change", "410122:gdp:sum"}
        assert db.scalars(select(DataValue.value).where(DataValue.indicator == "gdp", DataValue.period == "2025")).one() == 800.0
