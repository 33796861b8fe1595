"""提升路径 through the API (/api/units/{code}/whatif) on the demo results: the answer is `analysis.what_if` called
directly on the same framework, data and settings; the model is rebuilt once and answers are cached; unknown
units, bad years and targets get 404/422 with a message; data that are gone or changed get 409, not a 500."""

from __future__ import annotations

import dataclasses
import json

import pytest

WHATIF = "/api/units/{}/whatif"


def _direct(dash, code, year, target=None):
    """`what_if` on the inputs the results' manifest names, without the web layer's model."""
    from xianping.analysis.what_if import what_if

    m = dash.data.manifest
    assert m["data"]["kind"] == "store" and m["framework"]["source"] == "builtin"
    return what_if(m["framework"]["name"], store=m["data"]["path"], years=m["years"], settings=m["settings"],
                   unit=code, year=year, target_rank=target)


def _json(obj):
    from xianping.evaluation.manifest import json_safe

    return json.loads(json.dumps(json_safe(obj), allow_nan=False))


def test_whatif_is_analysis_what_if_and_cached(client, dash, monkeypatch):
    import xianping.web.whatif as web_whatif

    computed = []
    real_compute = web_whatif.compute
    monkeypatch.setattr(web_whatif, "compute", lambda *a, **k: computed.append(a[1:]) or real_compute(*a, **k))
    r = client.get(WHATIF.format("410104"), params={"year": "2020"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "index"   # an index result's what-if (a points-based one: tests/web/test_whatif_points.py)
    w = _direct(dash, "410104", "2020")
    # what_if's own tables and summary, unchanged
    assert body["tables"] == _json(w.tables())
    summary = {k: v for k, v in w.summary.items() if k != "evaluations"}
    assert body["summary"] == _json(summary)
    assert body["evaluations"] == {k: v for k, v in w.summary["evaluations"].items() if k != "seconds"}
    assert body["settings"] == _json(w.settings)
    # …and it starts from the dashboard's numbers
    i, t = dash.index["410104"], dash.data.t("2020")
    assert body["rank"] == w.nominal["rank"] == int(dash.data.rank[t, i, dash.root_k]) == 45
    assert body["score"] == pytest.approx(float(dash.data.score[t, i, dash.root_k]), abs=1e-9)
    assert body["target_rank"] == 30 and body["unit_name"] == "管城回族区"
    # the levers: each indicator's best scenario, rows of what_if's table
    rows = {(x["指标 indicator"], x["scenario_code"]): x for x in w.scenarios}
    assert body["levers"] and len({x["indicator"] for x in body["levers"]}) == len(body["levers"])
    for lv in body["levers"]:
        row = rows[(lv["indicator"], lv["scenario"])]
        assert (lv["new_rank"], lv["rank_gain"], lv["value"]) == (row["新排名 new rank"], row["进位 rank gain"], row["情景值 scenario value"])
    top = w.summary["top_levers"][0]
    assert (body["levers"][0]["indicator"], body["levers"][0]["new_rank"]) == (top["indicator"], top["new_rank"])
    assert body["levers"][0]["name_zh"] == "人均住房建筑面积" and body["levers"][0]["unit"] == "平方米/人"
    # needed to reach rank 30: the same values, reasons for the rest
    need = {x["指标 indicator"]: x for x in w.needed}
    reach = [x for x in body["needed"] if x["reachable"]]
    assert [x["indicator"] for x in reach] == [x["indicator"] for x in w.summary["reachable_alone"]]
    for x in reach:
        assert x["needed"] == need[x["indicator"]]["达到前30所需值 needed value"] and x["new_rank"] <= 30
    assert {x["reason"] for x in body["needed"] if not x["reachable"]} <= {"weight", "at_best", "no_data", "other"}
    assert all(x["note"] for x in body["needed"] if not x["reachable"])
    # the second request is the cached bytes
    model = dash._wi_model
    first = len(computed)   # 1, or 0 when an earlier test of the session asked the same question
    assert first <= 1
    again = client.get(WHATIF.format("410104"), params={"year": "2020", "target": 30})
    # served from the cache: the same bytes and no second computation (its speed is benchmarks/bench_web.py's
    # business, not a wall-clock assertion here)
    assert again.status_code == 200 and again.content == r.content and len(computed) == first
    # another county reuses the model built once
    other = client.get(WHATIF.format("410821"))
    assert other.status_code == 200 and other.json()["year"] == "2020" and dash._wi_model is model
    assert len(computed) <= first + 1


def test_whatif_target_and_year(client, dash):
    b = client.get(WHATIF.format("410821"), params={"year": "2010", "target": 500}).json()
    w = _direct(dash, "410821", "2010", 500)
    assert b["tables"] == _json(w.tables()) and b["target_rank"] == 500 and b["year"] == "2010"
    assert b["rank"] == int(dash.data.rank[dash.data.t("2010"), dash.index["410821"], dash.root_k])
    # a county already inside the target: every indicator "already there"
    top = dash.rankings("2020")[0]["unit_code"]
    a = client.get(WHATIF.format(top), params={"target": 10}).json()
    assert a["rank"] == 1 and {x["reason"] for x in a["needed"]} == {"already"}


@pytest.mark.parametrize("code, params, status, words", [
    ("999999", {}, 404, "no county-level unit with code 999999"),
    ("41082", {}, 404, "6 digits"),
    ("410821", {"year": "1999"}, 422, "year '1999' was not evaluated; choose one of 2010, 2020"),
    ("410821", {"year": ""}, 422, "'year' is empty"),
    ("410821", {"target": 0}, 422, "greater than or equal to 1 (got '0')"),
    ("410821", {"target": "x"}, 422, "(got 'x')"),
    ("410821", {"target": 99999}, 422, "less than or equal to 2834"),
    ("410821", {"year": "2010", "target": 2800}, 422, "target rank 2800 is not valid for 2010: expected a whole number from 1 to 2790"),
    ("130306", {"year": "2010"}, 422, "was not ranked in 2010"),
])
def test_whatif_bad_inputs_are_explained(client, code, params, status, words):
    r = client.get(WHATIF.format(code), params=params)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"] and "Traceback" not in r.text


def _stale(dash, **data_source):
    """A dashboard of the same results whose manifest names another data source."""
    from fastapi.testclient import TestClient

    from xianping.web.app import create_app
    from xianping.web.data import Dashboard

    m = {**dash.data.manifest, "data": data_source}
    d = Dashboard(dataclasses.replace(dash.data, manifest=m), origin=dict(dash.origin))
    return d, TestClient(create_app(d), raise_server_exceptions=False)


def test_whatif_data_gone_or_changed_is_409(dash, cache_dir, tmp_path):
    store = dash.data.manifest["data"]
    cases = [
        ({**store, "path": str(tmp_path / "gone.duckdb")}, "no longer exists"),
        ({**store, "batches": [{**b, "sha256": "0" * 64} for b in store["batches"]]}, "changed since these results were evaluated"),
        ({"kind": "csv", "path": str(cache_dir / "demo" / "census_co2_panel.csv"), "sha256": "0" * 64}, "sha256 differs"),
        ({}, "names no data source"),
    ]
    for src, words in cases:
        d, c = _stale(dash, **src)
        for _ in range(2):   # not cached: asked again, the same clear answer
            r = c.get(WHATIF.format("410821"))
            assert r.status_code == 409, (src, r.text)
            assert words in r.json()["detail"] and "提升路径不可用" in r.json()["detail"]
        assert d._wi_model is None
        assert c.get("/api/units/410821").status_code == 200    # the rest of the dashboard still works


def test_whatif_scores_must_match(dash):
    """A model whose nominal scores are not the dashboard's (here: the results' scores shifted) is refused."""
    data = dataclasses.replace(dash.data, score=dash.data.score + 1.0)
    from fastapi.testclient import TestClient

    from xianping.web.app import create_app
    from xianping.web.data import Dashboard

    r = TestClient(create_app(Dashboard(data)), raise_server_exceptions=False).get(WHATIF.format("410821"))
    assert r.status_code == 409 and "does not give the scores shown here" in r.json()["detail"]


def test_whatif_in_openapi(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/units/{code}/whatif"]["get"]
    assert {"200", "404", "409", "422"} <= set(op["responses"])
    prm = {p["name"]: p for p in op["parameters"]}
    assert prm["year"]["schema"]["enum"] == ["2010", "2020"]
    ints = [x for x in prm["target"]["schema"]["anyOf"] if x.get("type") == "integer"]
    assert ints == [{"type": "integer", "minimum": 1, "maximum": 2834}]
    props = spec["components"]["schemas"]["WhatIf"]["properties"]
    assert {"levers", "needed", "tables", "summary", "target_rank"} <= set(props)


def test_whatif_ranked_in_the_province(client, dash):
    """scope=province: the rank and the target are counted among the province's ranked counties, as analysis.what_if
    with scope="province" counts them; an unknown scope is a 422 naming the allowed values."""
    from xianping.analysis.what_if import what_if

    r = client.get(WHATIF.format("410821"), params={"year": "2020", "scope": "province", "target": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    m = dash.data.manifest
    w = what_if(m["framework"]["name"], store=m["data"]["path"], years=m["years"], settings=m["settings"],
                unit="410821", year="2020", target_rank=10, scope="province")
    assert (body["scope"], body["ranked_where"]) == ("province", "in 河南省")
    assert (body["rank"], body["ranked_units"]) == (w.summary["rank"], w.summary["ranked_units"])
    t = dash.data.t("2020")
    henan = [i for i, c in enumerate(dash.codes) if c.startswith("41") and dash.data.rank[t, i, dash.root_k] == dash.data.rank[t, i, dash.root_k]]
    assert body["ranked_units"] == len(henan) and body["rank"] < int(dash.data.rank[t, dash.index["410821"], dash.root_k])
    assert body["levers"][0]["new_rank"] == w.summary["top_levers"][0]["new_rank"]
    bad = client.get(WHATIF.format("410821"), params={"year": "2020", "scope": "county"})
    assert bad.status_code == 422 and "county" in bad.text


def test_whatif_among_its_type_starts_from_the_type_rank(client, dash):
    """scope=type on a by-type evaluation (the demo ranks within 市辖区 / 县级市 / 县): what_if scores with the type's
    overrides and ranks among its type, so it starts from the dashboard's own type rank."""
    assert dash.data.manifest.get("by_type") and dash.data.type_rank is not None
    r = client.get(WHATIF.format("410821"), params={"year": "2020", "scope": "type", "target": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    t, i = dash.data.t("2020"), dash.index["410821"]
    assert body["scope"] == "type" and body["rank"] == int(dash.data.type_rank[t, i, dash.root_k])
    assert body["settings"]["by_type"] is True


def test_whatif_default_target_with_quartile_tiers(dash):
    """Results whose tiers are quartiles: without a target the what-if aims at the best quarter of the units evaluated
    (⌈2,838/4⌉ = 710, analysis.what_if.default_target with the unit count), on the API and on the county page — not
    the top_n default of 30."""
    from fastapi.testclient import TestClient

    from xianping.analysis.what_if import default_target
    from xianping.web.app import create_app
    from xianping.web.data import Dashboard

    m = {**dash.data.manifest, "settings": {**dash.data.manifest["settings"], "tiers": {"method": "quantile", "k": 4}}}
    want = default_target(m["settings"], m["units"])
    assert want == -(-m["units"] // 4) == 710
    d = Dashboard(dataclasses.replace(dash.data, manifest=m), origin=dict(dash.origin))
    c = TestClient(create_app(d), raise_server_exceptions=False)
    r = c.get(WHATIF.format("410821"), params={"year": "2020"})
    assert r.status_code == 200, r.text
    assert r.json()["target_rank"] == want
    page = c.get("/unit/410821")
    assert page.status_code == 200 and f'id="wi-target" type="number" min="1"' in page.text
    assert f'step="1" value="{want}"' in page.text  # the target rank box starts at the best quarter
