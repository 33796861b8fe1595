"""The JSON API on the demo results: the same numbers as the results CSV, filters, sorting, search, profiles,
maps, framework, quality, and clear 404/422 answers without tracebacks."""

from __future__ import annotations

import csv
import gzip
import json

import pytest


def _results_root(dash, year):
    """unit_code → (score, rank) of the index in `year`, read straight from results.csv."""
    path = dash.origin["results"]
    root = dash.root.code
    out = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["node"] == root and r["year"] == year and r["rank"] != "":
                out[r["unit_code"]] = (float(r["score"]), int(float(r["rank"])))
    return out


def test_rankings_all_counties_match_the_results_csv(client, dash):
    r = client.get("/api/rankings", params={"year": "2020"})
    assert r.status_code == 200
    body = r.json()
    truth = _results_root(dash, "2020")
    assert body["total"] == len(truth) == len(body["rows"]) > 2700
    ranks = [row["rank"] for row in body["rows"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    for row in body["rows"]:
        s, k = truth[row["unit_code"]]
        assert row["rank"] == k
        assert row["score"] == pytest.approx(s, abs=0.006)
        assert set(row) >= {"unit_code", "unit_name", "score", "rank", "tier", "type", "province", "city"}
    top = body["rows"][0]
    assert top["tier"] == 1 and top["tier_label"].startswith("第一方阵")
    assert sum(1 for row in body["rows"] if row["tier"] == 1) == 30


def test_rankings_default_year_is_latest_and_base_year_change(client, dash):
    body = client.get("/api/rankings").json()
    assert body["year"] == dash.latest == "2020" and body["base_year"] == "2010"
    changes = [row["rank_change"] for row in body["rows"] if row["rank_change"] is not None]
    assert changes and any(c > 0 for c in changes) and any(c < 0 for c in changes)
    old = _results_root(dash, "2010")
    for row in body["rows"][:50]:
        if row["unit_code"] in old:
            assert row["rank_change"] == old[row["unit_code"]][1] - row["rank"]


def test_rankings_filters_combine(client, dash):
    henan = client.get("/api/rankings", params={"year": "2020", "province": "41"}).json()
    assert henan["total"] > 100 and all(r["province"] == "41" and r["province_name"] == "河南省" for r in henan["rows"])
    by_name = client.get("/api/rankings", params={"year": "2020", "province": "河南省"}).json()
    assert by_name["total"] == henan["total"]
    cities = client.get("/api/rankings", params={"year": "2020", "province": "41", "type": "县级市"}).json()
    assert 0 < cities["total"] < henan["total"] and all(r["type"] == "县级市" for r in cities["rows"])
    jiaozuo = client.get("/api/rankings", params={"year": "2020", "city": "410800"}).json()
    assert jiaozuo["total"] >= 6 and {r["city_name"] for r in jiaozuo["rows"]} == {"焦作市"}
    top = client.get("/api/rankings", params={"year": "2020", "tier": 1}).json()
    assert top["total"] == 30
    # ranks stay the national ranks after filtering
    assert [r["rank"] for r in cities["rows"]] == sorted(r["rank"] for r in cities["rows"])


def test_rankings_search_sort_and_pages(client):
    q = client.get("/api/rankings", params={"q": "修武"}).json()
    assert [r["unit_code"] for r in q["rows"]] == ["410821"]
    assert client.get("/api/rankings", params={"q": "410821"}).json()["rows"][0]["unit_name"] == "修武县"
    by_score = client.get("/api/rankings", params={"sort": "score", "order": "asc", "limit": 5}).json()
    scores = [r["score"] for r in by_score["rows"]]
    assert scores == sorted(scores) and by_score["limit"] == 5 and len(scores) == 5
    by_change = client.get("/api/rankings", params={"sort": "change", "limit": 3}).json()["rows"]
    assert by_change[0]["rank_change"] >= by_change[1]["rank_change"] >= by_change[2]["rank_change"]
    page2 = client.get("/api/rankings", params={"limit": 10, "offset": 10}).json()
    assert [r["rank"] for r in page2["rows"]][0] >= 10


def test_rankings_gzip_and_cache(client):
    a = client.get("/api/rankings", params={"year": "2010"}, headers={"Accept-Encoding": "gzip"})
    b = client.get("/api/rankings", params={"year": "2010"}, headers={"Accept-Encoding": "identity"})
    assert a.headers.get("content-encoding") == "gzip" and "content-encoding" not in b.headers
    assert a.json() == b.json()


@pytest.mark.parametrize("params, status, words", [
    ({"year": "1999"}, 422, "2010, 2020"),
    ({"province": "99"}, 422, "province"),
    ({"type": "州"}, 422, "县级市"),
    ({"tier": 7}, 422, "tiers"),
    ({"tier": "x"}, 422, "tier"),
    ({"sort": "height"}, 422, "rank, score"),
    ({"order": "up"}, 422, "asc or desc"),
    ({"limit": 0}, 422, "limit"),
    ({"city": "999900"}, 422, "prefecture"),
])
def test_rankings_bad_inputs_are_explained(client, params, status, words):
    r = client.get("/api/rankings", params=params)
    assert r.status_code == status
    body = r.json()
    assert words in body["detail"]
    assert "Traceback" not in r.text


def test_unit_profile(client, dash):
    r = client.get("/api/units/410821")
    assert r.status_code == 200
    p = r.json()
    assert p["unit_name"] == "修武县" and p["province_name"] == "河南省" and p["city_name"] == "焦作市"
    truth = _results_root(dash, "2020")["410821"]
    y = {x["year"]: x for x in p["years"]}
    assert y["2020"]["rank"] == truth[1] and y["2020"]["score"] == pytest.approx(truth[0], abs=0.006)
    assert [d["code"] for d in p["dimensions"]] == [d.code for d in dash.dims]
    assert len(p["indicators"]) == len(dash.leaves) and "values" in p["indicators"][0]
    assert p["obstacles"]["indicators"] and abs(sum(d["obstacle_pct"] for d in p["obstacles"]["dimensions"]) - 100) < 0.5
    assert p["neighbours"] and all(n["unit_code"] != "410821" for n in p["neighbours"])
    assert {n["unit_name"] for n in p["neighbours"]} & {"博爱县", "武陟县", "解放区", "马村区", "山阳区", "中站区", "辉县市", "获嘉县"}
    for s in p["strengths"]:
        assert s["gap"] > 0
    for w in p["weaknesses"]:
        assert w["gap"] < 0


def test_unit_rank_interval_from_robust_run(client, robust_dir):
    p = client.get("/api/units/410821").json()
    ri = {x["year"]: x for x in p["rank_interval"]}
    with open(robust_dir / "rank_stats.csv", newline="", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["unit_code"] == "410821" and r["year"] == "2020")
    assert ri["2020"]["lo"] == pytest.approx(float(row["q05"]), abs=0.06)
    assert ri["2020"]["hi"] == pytest.approx(float(row["q95"]), abs=0.06)
    assert ri["2020"]["lo"] <= ri["2020"]["median"] <= ri["2020"]["hi"]
    assert ri["2020"]["moved_most_by"] in ("weights_indicators", "weights_dimensions", "")


def test_unit_targets(client, dash):
    p = client.get("/api/units/410821").json()
    names = {t["target"] for t in p["targets"]}
    assert names == {"进入前500名", "指数达到60分"}
    for t in p["targets"]:
        assert t["progress_pct"] is None or 0 <= t["progress_pct"] <= 100


def test_plain_dashboard_has_no_interval_or_targets(plain_dash):
    from fastapi.testclient import TestClient

    from xianping.web.app import create_app

    p = TestClient(create_app(plain_dash)).get("/api/units/410821").json()
    assert p["rank_interval"] is None and p["targets"] is None


@pytest.mark.parametrize("code, words", [("999999", "no county-level unit with code 999999"),
                                         ("abc", "6 digits"), ("4108211", "6 digits")])
def test_unknown_unit_is_404_with_message(client, code, words):
    r = client.get(f"/api/units/{code}")
    assert r.status_code == 404
    assert words in r.json()["detail"]


def test_compare(client):
    c = client.get("/api/compare", params={"units": "410821,410882,410883"}).json()
    assert [u["unit_code"] for u in c["units"]] == ["410821", "410882", "410883"]
    assert len(c["units"][0]["dimensions"]) == len(c["years"])
    assert client.get("/api/compare", params={"units": "410821"}).status_code == 422
    assert client.get("/api/compare", params={"units": "410821,410882,410883,410822,410823,410825"}).status_code == 422
    assert client.get("/api/compare", params={"units": "410821,410821"}).status_code == 200
    assert client.get("/api/compare", params={"units": "410821,999999"}).status_code == 404


def test_frameworks_tree_weights_methods(client, dash):
    f = client.get("/api/frameworks").json()["frameworks"][0]
    assert f["code"] == "census-social" and f["normalisation"]["method"] == "min_max"
    tree = f["tree"]
    assert tree["code"] == dash.root.code and len(tree["children"]) == len(dash.dims)
    dim = tree["children"][0]
    assert dim["weighting"] == "equal" and dim["aggregation"] == "arithmetic"
    leaves = [leaf for d in tree["children"] for leaf in d["children"]]
    total = sum(leaf["weights"]["2020"]["effective_weight"] for leaf in leaves)
    assert total == pytest.approx(1.0, abs=1e-3)
    assert {leaf["direction"] for leaf in leaves} >= {"1", "-1"}


def test_map(client, dash):
    m = client.get("/api/map", params={"year": "2010"}).json()
    assert m["year"] == "2010" and len(m["rows"]) > 2500 and m["min"] < m["max"]
    assert sum(r["boundary_code"] is not None for r in m["rows"]) > 0.98 * len(m["rows"])
    p = client.get("/api/map", params={"year": "2020", "province": "41"}).json()
    assert p["rows"] and all(r["unit_code"].startswith("41") for r in p["rows"])
    d = client.get("/api/map", params={"node": dash.dims[0].code}).json()
    assert d["node"] == dash.dims[0].code
    assert client.get("/api/map", params={"year": "2030"}).status_code == 422
    assert client.get("/api/map", params={"node": "nope"}).status_code == 422


def test_geo_gzip_and_plain(client):
    g = client.get("/api/geo/counties", headers={"Accept-Encoding": "gzip"})
    assert g.headers["content-encoding"] == "gzip"
    geo = g.json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) > 2800
    assert set(geo["features"][0]["properties"]) == {"code", "name", "province"}
    plain = client.get("/api/geo/counties", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and json.loads(plain.content)["type"] == "FeatureCollection"


def test_quality(client, dash):
    q = client.get("/api/quality").json()
    assert q["units"] == len(dash.codes)
    assert q["ranked"]["2020"] < q["units"]
    assert any(r["unit_code"] == "130306" and r["year"] == "2010" for r in q["screened_out"])
    co2 = next(c for c in q["coverage"] if c["indicator"] == "co2_per_capita")
    y2020 = next(y for y in co2["years"] if y["year"] == "2020")
    assert y2020["imputed"] > 2000          # carried forward from 2017 (the manifest says 2662 cells)
    assert any(f["kind"] == "carried_forward" for f in q["flags"])


def test_meta_and_openapi(client):
    meta = client.get("/api/meta").json()
    assert meta["years"] == ["2010", "2020"] and meta["rank_intervals"] and meta["targets"]
    spec = client.get("/openapi.json").json()
    for path in ("/api/rankings", "/api/units/{code}", "/api/frameworks", "/api/map"):
        assert path in spec["paths"]
    rows = spec["components"]["schemas"]["RankingRow"]["properties"]
    assert {"unit_code", "unit_name", "score", "rank", "tier"} <= set(rows)


def test_read_only(client):
    for method in ("post", "put", "delete", "patch"):
        r = getattr(client, method)("/api/rankings")
        assert r.status_code == 405 and "read-only" in r.json()["detail"]


def test_no_traceback_on_unexpected_error(dash, monkeypatch):
    from fastapi.testclient import TestClient

    from xianping.web.app import create_app

    app = create_app(dash)
    monkeypatch.setattr(dash, "quality", lambda: 1 / 0)
    r = TestClient(app, raise_server_exceptions=False).get("/api/quality")
    assert r.status_code == 500
    assert "ZeroDivisionError" not in r.text and "Traceback" not in r.text and "internal error" in r.json()["detail"]


def test_geo_is_gzip_bytes(dash):
    assert gzip.decompress(dash.geo_gzip())[:1] == b"{"


def test_every_profile_is_strict_json(dash):
    """No NaN or numpy scalar leaks into any county's profile (screened-out years included)."""
    for i in range(len(dash.codes)):
        json.dumps(dash.profile(i), allow_nan=False)


def test_rankings_carry_rank_intervals(client, plain_dash):
    from fastapi.testclient import TestClient

    from xianping.web.app import create_app

    rows = client.get("/api/rankings", params={"limit": 50}).json()["rows"]
    assert all(r["rank_lo"] is not None and r["rank_lo"] <= r["rank_hi"] for r in rows)
    plain = TestClient(create_app(plain_dash)).get("/api/rankings", params={"limit": 5}).json()["rows"]
    assert all(r["rank_lo"] is None for r in plain)


def test_store_mode_evaluates_at_start(cache_dir, dash):
    from fastapi.testclient import TestClient

    from xianping.web.app import create_app
    from xianping.web.source import load_dashboard

    d = load_dashboard(store=cache_dir / "demo" / "xianping.duckdb", framework="census-social", years="2010,2020", cache=cache_dir)
    assert d.origin["kind"] == "store" and d.years == ["2010", "2020"]
    a = TestClient(create_app(d)).get("/api/rankings", params={"limit": 20}).json()["rows"]
    b = [{k: v for k, v in r.items() if k not in ("rank_lo", "rank_hi")} for r in dash.rankings("2020")[:20]]
    assert [r["unit_code"] for r in a] == [r["unit_code"] for r in b]
    assert [r["score"] for r in a] == [r["score"] for r in b]


def test_response_cache_answers_repeats_identically(dash):
    from fastapi.testclient import TestClient

    from xianping.web.app import create_app

    app = create_app(dash)
    c = TestClient(app)
    first = c.get("/api/rankings", params={"year": "2010", "province": "33"})
    again = c.get("/api/rankings", params={"year": "2010", "province": "33"})
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert first.headers["content-type"] == again.headers["content-type"]
    bad = [c.get("/api/rankings", params={"year": "1999"}) for _ in range(2)]
    assert [b.status_code for b in bad] == [422, 422]


# ── the scope and ranks within groups (issue 12) ────────────────────────────────────────────────────────────
def _results_scores(dash, year):
    """unit_code → score of the index in `year` (unrounded, from results.csv) for the ranked units."""
    path = dash.origin["results"]
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {r["unit_code"]: float(r["score"]) for r in csv.DictReader(f)
                if r["node"] == dash.root.code and r["year"] == year and r["rank"] != ""}


def _places_by_counting(rows, group, scores):
    """Each row's place in its group counted directly: 1 + units of the same group with a higher score (ties share
    the best place, the results' 'min' rule), and the group's size — independent of evaluation.scope."""
    from collections import defaultdict

    members = defaultdict(list)
    for r in rows:
        members[r[group]].append(scores[r["unit_code"]])
    return {r["unit_code"]: (1 + sum(s > scores[r["unit_code"]] for s in members[r[group]]), len(members[r[group]]))
            for r in rows}


@pytest.mark.parametrize("within, group", [("province", "province"), ("prefecture", "prefecture_group"),
                                           ("kind", "kind"), ("type", "type")])
def test_rankings_within_a_group_recount_the_ranks(client, dash, within, group):
    body = client.get("/api/rankings", params={"year": "2020", "within": within}).json()
    rows = body["rows"]
    assert body["within"] == within and body["total"] == len(rows) > 2700
    assert body["rank_label"] == {"province": "省内名次", "prefecture": "市内名次", "kind": "同类名次", "type": "同类型名次"}[within]
    want = _places_by_counting(rows, group, _results_scores(dash, "2020"))
    for r in rows:
        assert (r["within_rank"], r["within_ranked"]) == want[r["unit_code"]], r["unit_code"]
    # sorted by rank: each group's units together, best first
    keys = [(r[group], r["within_rank"]) for r in rows]
    assert keys == sorted(keys)
    assert len({r[group] for r in rows}) >= 3


def test_rankings_group_fields_equal_rank_rows_of_the_report_layer(client, dash):
    """The API's province/prefecture/kind ranks are the report layer's (ReportData.rank_rows → group_ranks_of)."""
    rows = {r["unit_code"]: r for r in client.get("/api/rankings", params={"year": "2010"}).json()["rows"]}
    for g in dash.data.rank_rows("2010"):
        if g["rank"] is None:
            assert g["unit_code"] not in rows
            continue
        r = rows[g["unit_code"]]
        for k in ("rank", "ranked", "rank_province", "ranked_province", "rank_prefecture", "ranked_prefecture",
                  "kind", "rank_kind", "ranked_kind"):
            assert r[k] == g[k], (g["unit_code"], k)
        assert r["prefecture_group_name"] == g["prefecture_name"] and r["ranked_type"] == g["ranked_type"]
        assert r["within"] == "scope" and (r["within_rank"], r["within_ranked"]) == (r["rank"], r["ranked"])


def test_national_scope_in_rankings_meta_and_profile(client, dash):
    body = client.get("/api/rankings", params={"limit": 3}).json()
    assert body["scope"]["label"] == "全国 县级单位" and body["scope"]["rank_label"] == body["rank_label"] == "全国排名"
    assert body["scope"]["units_in"] == len(dash.codes) and body["scope"]["units_out"] == 0
    meta = client.get("/api/meta").json()
    assert meta["scope"] == body["scope"] and meta["within"] == ["scope", "province", "prefecture", "kind", "type"]
    prof = client.get("/api/units/410821").json()                    # 修武县, 焦作市
    row = next(r for r in client.get("/api/rankings", params={"province": "41"}).json()["rows"] if r["unit_code"] == "410821")
    last = prof["years"][-1]
    assert prof["rank_label"] == "全国排名" and prof["kind"] == "县" and prof["prefecture_group_name"] == "焦作市"
    for k in ("rank_province", "ranked_province", "rank_prefecture", "ranked_prefecture", "rank_kind", "ranked_kind"):
        assert last[k] == row[k], k


@pytest.mark.parametrize("within", ["", "nation", "county"])
def test_rankings_bad_within_is_422(client, within):
    r = client.get("/api/rankings", params={"within": within})
    assert r.status_code == 422 and "within" in r.text and "Traceback" not in r.text


@pytest.fixture(scope="module")
def henan(cache_dir, tmp_path_factory):
    from fastapi.testclient import TestClient

    from .one_province_server import henan_dashboard
    from xianping.web.app import create_app

    res, d = henan_dashboard(cache_dir, tmp_path_factory.mktemp("henan"))
    return res, d, TestClient(create_app(d), raise_server_exceptions=False)


def test_one_province_result_is_ranked_within_the_province(henan):
    from xianping.evaluation.scope import rank_rows

    res, d, c = henan
    body = c.get("/api/rankings").json()
    assert body["scope"]["label"] == "河南省 县级单位" and body["rank_label"] == "省内排名"
    assert body["scope"]["within_level"] == "province" and body["scope"]["within_name"] == "河南省"
    assert body["scope"]["units_in"] == body["total"] == len(res.units) and body["scope"]["units_out"] > 2000
    want = {r["unit_code"]: r for r in rank_rows(res)}
    for r in body["rows"]:
        g = want[r["unit_code"]]
        assert r["rank"] == g["rank"] == g["rank_province"] == r["rank_province"]
        assert (r["rank_prefecture"], r["ranked_prefecture"], r["rank_kind"]) == (g["rank_prefecture"], g["ranked_prefecture"], g["rank_kind"])
    # no 分类考核 types in this result: type is not a choice
    assert c.get("/api/meta").json()["within"] == ["scope", "province", "prefecture", "kind"]
    r = c.get("/api/rankings", params={"within": "type"})
    assert r.status_code == 422 and "分类考核" in r.json()["detail"]
