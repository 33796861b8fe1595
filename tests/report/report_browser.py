"""Render a report page in Debian's headless Chromium through Playwright (no browser download)."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

CANVAS_INK = """(id) => { const c = document.querySelector('#' + id + ' canvas'); if (!c) return -1;
  const x = c.getContext('2d'); const d = x.getImageData(0, 0, c.width, c.height).data; let ink = 0, colours = new Set();
  for (let i = 0; i < d.length; i += 4 * 7) { const w = d[i] > 245 && d[i+1] > 245 && d[i+2] > 245;
    if (d[i+3] > 0 && !w) { ink++; if (colours.size < 200) colours.add(d[i] + ',' + d[i+1] + ',' + d[i+2]); } }
  return [ink, colours.size]; }"""


def render(html: Path, shots: dict[str, str], hash_: str = "", width: int = 1400, height: int = 1000) -> dict:
    """Open `html` (file URL), wait for the page script, collect console errors and page errors, measure ink in
    chart canvases, and save screenshots: shots = {png path: CSS selector or "" for the viewport}."""
    from playwright.sync_api import sync_playwright

    out = {"errors": [], "ink": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: out["errors"].append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: out["errors"].append(str(e)))
            page.goto(html.resolve().as_uri() + hash_, wait_until="load", timeout=120_000)
            page.wait_for_function("window.__xpReady === true", timeout=60_000)
            page.wait_for_timeout(1500)   # ECharts animations
            for cid in ("chart-map", "chart-bars", "chart-means", "chart-radar", "chart-trend", "chart-obstacles",
                        "chart-coupling", "chart-intervals"):
                out["ink"][cid] = page.evaluate(CANVAS_INK, cid)
            out["profile_name"] = page.inner_text("#p-name")
            out["table_rows"] = page.evaluate("document.querySelectorAll('#rank-table tbody tr').length")
            out["visible"] = page.evaluate("""() => Object.fromEntries(['analysis-section','intervals-section','map-section']
                .map(id => [id, getComputedStyle(document.getElementById(id)).display !== 'none']))""")
            for path, sel in shots.items():
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                if sel:
                    page.locator(sel).scroll_into_view_if_needed()
                    page.wait_for_timeout(300)
                    page.locator(sel).screenshot(path=path)
                else:
                    page.evaluate("window.scrollTo(0, 0)")
                    page.screenshot(path=path)
        finally:
            browser.close()
    return out


@contextmanager
def opened(url: str, width: int = 1400, height: int = 1000, ready: str = "window.__xpReady === true"):
    """A Playwright page on `url` once `ready` holds; yields (page, events) where events collects console errors,
    page errors and every dialog opened (dialogs are dismissed, so a script's alert() cannot block the page)."""
    from playwright.sync_api import sync_playwright

    events: dict[str, list[str]] = {"errors": [], "dialogs": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: events["errors"].append(str(e)))

            def dialog(d):
                events["dialogs"].append(f"{d.type}: {d.message}")
                d.dismiss()

            page.on("dialog", dialog)
            page.goto(url, wait_until="load", timeout=120_000)
            if ready:
                page.wait_for_function(ready, timeout=60_000)
            page.wait_for_timeout(800)   # ECharts animations
            yield page, events
        finally:
            browser.close()
