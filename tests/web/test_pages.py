"""Server-rendered pages: Chinese with English beside, filters in the ranking, profiles, compare, framework,
quality and downloads (written by the report layer)."""

from __future__ import annotations

import io


def test_ranking_page_filters(client):
    r = client.get("/", params={"year": "2020", "province": "41", "type": "县级市"})
    assert r.status_code == 200
    html = r.text
    assert "排名" in html and "Rankings" in html and "/assets/echarts.min.js" in html
    assert 'href="/unit/410882"' in html                     # 沁阳市, a 县级市 of 河南
    assert 'href="/unit/410821"' not in html                 # 修武县 is a 县
    assert "焦作市" in html                                  # the city select lists Henan's prefectures
    assert "cdn" not in html.lower()


def test_ranking_page_search_and_pages(client):
    assert 'href="/unit/410821"' in client.get("/", params={"q": "修武"}).text
    html = client.get("/", params={"page": 2}).text
    assert "第 2/" in html and 'id="next"' in html
    assert client.get("/", params={"year": "1800"}).status_code == 422


def test_unit_page(client):
    html = client.get("/unit/410821").text
    for words in ("修武县", "焦作市", "得分与名次", "维度雷达", "优势与短板", "障碍因子", "相邻县", "名次区间", "目标进度", "Neighbours"):
        assert words in html, words
    r = client.get("/unit/999999")
    assert r.status_code == 404 and "no county-level unit with code 999999" in r.text and "未找到" in r.text


def test_unit_page_whatif_section(client):
    """提升路径: a button fetching /api/units/{code}/whatif, the year and target to ask for, the tables to fill."""
    html = client.get("/unit/410104").text
    for words in ("提升路径", "What would move this county", 'id="wi-go"', "测算", 'id="wi-year"', 'id="wi-target"',
                  'value="30"', 'id="wi-levers"', 'id="wi-needed"', "需要多大提升才能进入前N名", 'id="wi-status"'):
        assert words in html, words
    assert '<option value="2020" selected>' in html
    # a year the county was not ranked in cannot be chosen
    assert '<option value="2010" disabled>' in client.get("/unit/130306").text


def test_map_compare_framework_quality_pages(client):
    assert 'data-year="2010"' in client.get("/map").text
    assert "南海诸岛" in client.get("/map").text                       # the inset travels with the national map page
    c = client.get("/compare", params={"units": "410821,410882"})
    assert c.status_code == 200 and "沁阳市" in c.text and "修武县" in c.text
    bad = client.get("/compare", params={"units": "410821"})
    assert bad.status_code == 422 and "2 to 5" in bad.text
    f = client.get("/framework").text
    assert "人口与社会发展指数" in f and "min_max" in f and "equal" in f
    q = client.get("/quality").text
    assert "未参评县级单位" in q and "130306" in q and "沿用" in q


def test_downloads_come_from_the_report_layer(client):
    import openpyxl

    page = client.get("/downloads").text
    assert 'href="/download/xlsx?year=2020"' in page
    r = client.get("/download/xlsx", params={"year": "2020"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) >= 2
    h = client.get("/download/html")
    assert h.status_code == 200 and b"echarts" in h.content[:2_000_000].lower()
    d = client.get("/download/docx", params={"year": "2010"})
    assert d.status_code == 200 and d.content[:2] == b"PK"
    assert client.get("/download/pdf").status_code == 404
    assert client.get("/download/xlsx", params={"year": "1999"}).status_code == 422


def test_map_page_extent():
    """A one-province result opens its map on that province (selected, no 全国); a national one on the country."""
    from xianping.report.html import NATIONAL_MIN_PROVINCES, map_extent

    assert map_extent(["33"]) == ["33"] and map_extent(["33", "32", "33"]) == ["32", "33"]
    nation = [f"{p:02d}" for p in range(11, 11 + NATIONAL_MIN_PROVINCES)]
    assert map_extent(nation) is None and map_extent(nation[:-1]) == nation[:-1]


def test_templates_autoescape_and_never_mark_safe(app):
    """Every page template is autoescaped and none marks data as safe (issue 13: no |safe on user data)."""
    from pathlib import Path

    import xianping.web

    env = app.state.templates.env
    folder = Path(xianping.web.__file__).parent / "templates"
    names = sorted(p.name for p in folder.glob("*.html"))
    assert names and all(env.select_template([n]).environment.autoescape is not False for n in names)
    assert all(env.autoescape(n) if callable(env.autoescape) else env.autoescape for n in names)
    for p in folder.glob("*.html"):
        text = p.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, p.name


# ── the scope and ranks within groups (issue 12) ────────────────────────────────────────────────────────────
def test_ranking_page_scope_and_rank_within(client, dash):
    html = client.get("/").text
    assert "评价范围" in html and "全国 县级单位" in html and 'id="f-within"' in html
    assert '<option value="prefecture"' in html and '<option value="type"' in html
    html = client.get("/", params={"within": "prefecture", "province": "41", "city": "410800"}).text
    assert "市内名次" in html
    # 焦作市's units numbered 1 … N of N within their prefecture, best first
    rows = [r for r in dash.rankings("2020", "41", "410800", within="prefecture")]
    n = rows[0]["within_ranked"]
    assert [r["within_rank"] for r in rows] == sorted(r["within_rank"] for r in rows) and rows[0]["within_rank"] == 1
    assert f'1<span class="en"> / {n}</span>' in html
    assert client.get("/", params={"within": "nowhere"}).status_code == 422


def test_unit_page_group_ranks(client, dash):
    html = client.get("/unit/410821").text
    last = dash.profile(dash.index["410821"])["years"][-1]
    assert f"全省第{last['rank_province']}位（共{last['ranked_province']}个）" in html
    assert f"全市第{last['rank_prefecture']}位（共{last['ranked_prefecture']}个）" in html
    assert f"同类（县）第{last['rank_kind']}位（共{last['ranked_kind']}个）" in html
    assert 'id="gr-type"' in html and "全国排名" in html


def test_one_province_pages_say_province_rank(cache_dir, tmp_path):
    from fastapi.testclient import TestClient

    from .one_province_server import henan_dashboard
    from xianping.web.app import create_app

    _, d = henan_dashboard(cache_dir, tmp_path)
    c = TestClient(create_app(d))
    html = c.get("/").text
    assert "河南省 县级单位" in html and "省内排名" in html and "全国排名" not in html
    assert "前20名" in html and 'href="/map"' in html
    unit = c.get("/unit/410821").text
    assert "省内排名" in unit and 'id="gr-type"' not in unit
