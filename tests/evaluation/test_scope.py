"""The evaluation scope: all county-level units or 县域, within a province or prefecture; tiers sized to the units in
scope; province/prefecture/kind ranks for the reports. Real data: the bundled census/CO₂ panel (2024 codes)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from xianping.engine import rank as R
from xianping.evaluation import evaluate
from xianping.evaluation.run import rebuild
from xianping.evaluation.scope import group_ranks, group_ranks_of, rank_rows, scope_of
from xianping.problems import XianpingInputError
from xianping.reference.divisions import get_gazetteer, is_county_area

FW = "census-social"
Y = ["2010", "2020"]


@pytest.fixture(scope="module")
def national(census_store):
    return evaluate(FW, store=census_store, years=Y)


@pytest.fixture(scope="module")
def county(census_store):
    return evaluate(FW, store=census_store, years=Y, settings={"scope": {"units": "county"}})


@pytest.fixture(scope="module")
def henan_csv(census_csv, tmp_path_factory):
    """The Henan rows of the bundled panel (a province's own data file)."""
    out = tmp_path_factory.mktemp("henan") / "henan.csv"
    with open(census_csv, encoding="utf-8") as f, open(out, "w", encoding="utf-8", newline="") as g:
        r = csv.reader(f)
        w = csv.writer(g)
        w.writerow(next(r))
        w.writerows(row for row in r if row[0].startswith("41"))
    return out


def test_default_scope_is_all_and_recorded(national):
    sc = national.manifest["scope"]
    assert national.scope == sc and sc["units"] == "all" and sc["units_out"] == 0
    assert sc["within"] == "none" and "several provinces" in sc["within_from"]
    assert sc["units_in"] == len(national.units) and sc["kinds_in"]["市辖区"] > 900
    assert national.manifest["settings"]["scope"] == {"units": "all", "include_districts": [], "within": "none"}


def test_county_scope_drops_districts_before_evaluating(national, county):
    gaz = get_gazetteer()
    kinds = {u: gaz.kind_of(u, 2024) for u in national.units}
    want = [u for u in national.units if is_county_area(kinds[u])]
    assert county.units == want and 1800 < len(want) < 1900
    assert not any(kinds[u] == "市辖区" for u in county.units)
    sc = county.manifest["scope"]
    assert sc["units"] == "county" and sc["units_in"] == len(want) and sc["units_out"] == len(national.units) - len(want)
    assert sc["kinds_out"]["市辖区"] > 900 and "dropped before evaluation" in sc["rule"]
    assert set(sc["dropped_units"]) == set(national.units) - set(want)
    # ranks run 1..N among the 县域 units, and the top 30 are all counties, county-level cities or banners
    r = county.ranks[1, :, -1]
    assert np.nanmin(r) == 1 and np.nanmax(r) <= len(want)
    assert all(is_county_area(kinds[t["unit_code"]]) for t in county.top(30, year="2020"))
    # dropped, not just unranked: the anchors are the 县域 units' own (min–max per year)
    assert not np.allclose(county.scores[1, :, -1], national.scores[1, [national.units.index(u) for u in want], -1])
    assert any(p.kind == "scope_dropped" for p in county.problems)


def test_rebuild_keeps_the_scope(county, tmp_path):
    again = rebuild(county.manifest)
    assert again.units == county.units
    np.testing.assert_allclose(again.scores, county.scores, equal_nan=True)


def test_within_a_prefecture_and_default_tiers_resized(census_store):
    res = evaluate(FW, store=census_store, years=Y, settings={"scope": {"units": "county", "within": "prefecture:4108"}})
    assert res.units == ["410821", "410822", "410823", "410825", "410882", "410883"]  # 焦作市's 县域, no 市辖区
    sc = res.scope
    assert sc["within_level"] == "prefecture" and sc["within_name"] == "河南省焦作市" and sc["rank_label"] == "市内排名"
    # top_n:30 on 6 units would put all of them in 第一方阵: quartiles instead, with a warning
    assert res.manifest["settings"]["tiers"] == {"method": "quantile", "k": 4}
    warn = [p for p in res.problems if p.kind == "tiers_resized"]
    assert warn and warn[0].severity == "warning" and "6 units" in warn[0].message
    assert any(p["kind"] == "tiers_resized" for p in res.manifest["problems"])
    assert sorted(set(res.tiers[1].tolist())) == [1, 2, 3, 4]


def test_explicit_top_n_too_large_is_refused_unless_forced(census_store):
    st = {"scope": {"units": "county", "within": "prefecture:4108"}, "tiers": {"method": "top_n", "n": 30}}
    with pytest.raises(XianpingInputError) as e:
        evaluate(FW, store=census_store, years=Y, settings=st)
    p = [p for p in e.value.report if p.kind == "tiers_too_large"][0]
    assert p.column == "tiers.n" and p.value == 30 and "all 6 units" in p.message and "--tiers" in p.message
    forced = evaluate(FW, store=census_store, years=Y, settings={**st, "tiers": {"method": "top_n", "n": 30, "force": True}})
    assert (forced.tiers[1] == 1).all() and any(p.kind == "tiers_cover_all" for p in forced.problems)
    ok = evaluate(FW, store=census_store, years=Y, settings={**st, "tiers": {"method": "top_n", "n": 2}})
    assert (ok.tiers[1] == 1).sum() == 2


def test_one_province_ranks_within_it(henan_csv):
    res = evaluate(FW, data=henan_csv, years=Y, settings={"scope": {"units": "county"}})
    sc = res.scope
    assert sc["within"] == "province:41" and sc["within_from"].startswith("auto") and sc["rank_label"] == "省内排名"
    assert sc["label"] == "河南省 县域" and all(u.startswith("41") for u in res.units)
    assert res.manifest["settings"]["scope"]["within"] == "province:41"  # resolved: a rebuild gives the same
    assert 100 < len(res.units) < 110 and res.manifest["settings"]["tiers"] == {"method": "top_n", "n": 30}  # 全省前30位


def test_include_districts(census_store):
    res = evaluate(FW, store=census_store, years=Y,
                   settings={"scope": {"units": "county", "within": "prefecture:4103", "include_districts": ["410307", "410821"]}})
    assert "410307" in res.units and "410302" not in res.units  # 偃师区 counted, 老城区 not
    w = [p for p in res.problems if p.column == "scope.include_districts"]
    assert w and w[0].severity == "warning" and "already 县域" in w[0].message  # 410821 修武县 is a 县
    with pytest.raises(XianpingInputError) as e:
        evaluate(FW, store=census_store, years=Y, settings={"scope": {"units": "county", "include_districts": ["999999"]}})
    assert e.value.report.errors[0].column == "scope.include_districts" and e.value.report.errors[0].value == "999999"


@pytest.mark.parametrize("scope,column,value", [
    ({"units": "districts"}, "scope.units", "districts"),
    ({"within": "city:4108"}, "scope.within", "city:4108"),
    ({"within": "province:4"}, "scope.within", "province:4"),
    ({"unit": "county"}, "scope.unit", "county"),
])
def test_bad_scope_is_a_located_error(census_store, scope, column, value):
    with pytest.raises(XianpingInputError) as e:
        evaluate(FW, store=census_store, years=Y, settings={"scope": scope})
    err = e.value.report.errors[0]
    assert err.column == column and err.value == value and err.expected


def test_scope_that_keeps_nothing(census_store):
    with pytest.raises(XianpingInputError) as e:
        evaluate(FW, store=census_store, years=Y, settings={"scope": {"within": "prefecture:9999"}})
    assert e.value.report.errors[0].kind == "scope_empty"


def test_group_ranks_equal_ranking_each_group_by_hand(national):
    gr = group_ranks(national)
    t = 1
    s = national.scores[t, :, -1]
    henan = np.array([u.startswith("41") for u in national.units])
    by_hand = R.rank(np.where(henan, s, np.nan))
    np.testing.assert_array_equal(gr["province"]["rank"][t][henan], by_hand[henan])
    jz = np.array([u.startswith("4108") for u in national.units])
    order = np.argsort(-s[jz])
    assert gr["prefecture"]["rank"][t][jz][order].tolist() == list(range(1, jz.sum() + 1))
    rows = {r["unit_code"]: r for r in rank_rows(national, year="2020")}
    x = rows["410821"]
    assert x["province_name"] == "河南省" and x["prefecture_name"] == "焦作市" and x["kind"] == "县"
    assert x["ranked_prefecture"] == 10 and x["rank"] == int(national.ranks[t, national.units.index("410821"), -1])
    assert rows["429021"]["prefecture_name"] == "湖北省直辖县级单位" and rows["429021"]["kind"] == "林区"
    plain = group_ranks_of(national.units, national.scores[..., -1])  # a results file read back: arrays only
    np.testing.assert_array_equal(plain["kind"]["rank"], gr["kind"]["rank"])


def test_rank_rows_carry_the_by_type_rank(census_store):
    res = evaluate(FW, store=census_store, years=Y, by_type=True)
    rows = {r["unit_code"]: r for r in rank_rows(res, year="2020")}
    t, i = res.years.index("2020"), res.units.index("410882")
    x = rows["410882"]  # 沁阳市
    assert x["type"] == "县级市" and x["rank_type"] == int(res.by_type["ranks"][t, i, -1])
    assert x["ranked_type"] == sum(1 for u, ty in zip(res.units, res.unit_types)
                                   if ty == "县级市" and np.isfinite(res.by_type["ranks"][t, res.units.index(u), -1]))


def test_scope_of_results_without_one(national):
    class Old:
        manifest = {"settings": {}}
        units = ["410821"]

    assert scope_of(Old())["within"] == "none" and scope_of(national) is national.manifest["scope"]


def test_cli_scope_and_refused_tiers(census_store, tmp_path):
    env = {"COLUMNS": "120", "PATH": ""}
    base = [sys.executable, "-m", "xianping.cli.main", "evaluate", "-f", FW, "--store", str(census_store), "--years", "2010,2020"]
    out = subprocess.run(base + ["--scope", "county", "--within", "prefecture:4108", "--tiers", "top_n:30",
                                 "-o", str(tmp_path / "r.csv")], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode != 0 and "Traceback" not in out.stderr + out.stdout
    text = " ".join((out.stderr + out.stdout).split())
    assert "tiers.n" in text and "30" in text and "all 6 units" in text
    assert not (tmp_path / "r.csv").exists()
    ok = subprocess.run(base + ["--scope", "county", "--within", "prefecture:4108", "-o", str(tmp_path / "r.csv")],
                        capture_output=True, text=True, env=env, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert "范围 scope: 河南省焦作市 县域 · 6 units ranked (市内排名)" in ok.stdout
    man = json.loads((tmp_path / "r.manifest.json").read_text(encoding="utf-8"))
    assert man["scope"]["units_in"] == 6 and man["settings"]["scope"]["within"] == "prefecture:4108"
    bad = subprocess.run(base + ["--scope", "towns"], capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode != 0 and "scope.units" in bad.stdout + bad.stderr and "Traceback" not in bad.stderr


def test_group_names_of_municipalities_and_directly_administered_units():
    # a 直辖市's districts are ranked 市内 within the city itself; 济源市 / 神农架林区 within their province's
    # directly administered units (GB/T 2260: 1101 北京市市辖区, 5002 重庆市 县, 4190/4290 省直辖县级行政区划)
    from xianping.evaluation.scope import unit_groups

    g = unit_groups(["110101", "500101", "500230", "419001", "429021", "410821"])
    assert list(g["prefecture"]) == ["1101", "5001", "5002", "4190", "4290", "4108"]
    names = g["names"]
    assert (names["1101"], names["5001"], names["5002"]) == ("北京市", "重庆市", "重庆市")
    assert (names["4190"], names["4290"], names["4108"]) == ("河南省直辖县级单位", "湖北省直辖县级单位", "焦作市")
