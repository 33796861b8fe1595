"""Extraction patterns on made-up sentences (numbers mean nothing); see docs/text_extraction.md §1–2."""

import pytest

from xianping.text import extract_text


def one(text, **match):
    got = [s for s in extract_text(text, "t.txt") if all(getattr(s, k) == v for k, v in match.items())]
    assert len(got) == 1, [(s.indicator_name, s.value, s.unit) for s in extract_text(text, "t.txt")]
    return got[0]


def test_value_growth_library_code_and_span():
    text = "温县2023年国民经济和社会发展统计公报\n全年实现地区生产总值221.3亿元,比上年增长5.2%。"
    s = one(text, indicator="gdp")
    assert (s.value, s.unit, s.growth_pct, s.period, s.region_name) == (221.3, "亿元", 5.2, "2023", "温县")
    assert "地区生产总值221.3亿元,比上年增长5.2%" in text[s.span[0]:s.span[1]]


def test_chinese_numerals_and_percent_words():
    s = one("全年实现地区生产总值二百二十一亿三千万元。", indicator="gdp")
    assert s.value == 22_130_000_000 and s.unit == "元" and s.value_std == pytest.approx(221.3) and s.unit_std == "亿元"
    s = one("森林覆盖率达到百分之四十。", indicator="forest_coverage")
    assert s.value == 40 and s.unit == "%" and "chinese_numeral" in s.flags
    s = one("全省县域面积占比近九成。")
    assert (s.value, s.unit, s.value_std, s.unit_std) == (9, "成", 90, "%") and "approximate" in s.qualifiers


def test_enumerations_in_chinese_numerals_are_not_values():
    assert extract_text("实施三大改造,打造四个国家级平台,开展两次对接会,打通最后一公里。") == []


def test_structure_ratios():
    s = one("三次产业结构调整为12.1:34.8:53.1。")
    assert s.structure == [12.1, 34.8, 53.1] and s.indicator_name.startswith("三次产业结构")
    s = one("城乡居民收入比缩小为2.05∶1。", indicator="income_ratio")
    assert s.value == 2.05 and s.structure == [2.05, 1.0]


def test_distributive_lists():
    stmts = extract_text("城镇居民、农村居民人均可支配收入分别达到41000元、19800元,分别增长4.8%、6.9%。")
    got = {s.indicator: (s.value, s.unit, s.growth_pct) for s in stmts}
    assert got == {"income_urban": (41000, "元", 4.8), "income_rural": (19800, "元", 6.9)}
    assert all("distributive" in s.flags for s in stmts)


def test_per_mille_rates():
    stmts = extract_text("全年人口出生率为7.1‰,死亡率为6.5‰,自然增长率为0.6‰。")
    assert [(s.indicator_name, s.value, s.unit) for s in stmts] == [
        ("出生率", 7.1, "‰"), ("死亡率", 6.5, "‰"), ("自然增长率", 0.6, "‰")]


def test_percentage_point_changes_and_comparison():
    s = one("年末常住人口城镇化率为58.2%,比上年提高1.3个百分点,高于全省2.1个百分点。")
    assert s.indicator == "urbanisation_rate" and s.change_pp == 1.3
    assert s.comparison == [{"ref": "全省", "direction": "高于", "diff": 2.1, "unit": "个百分点"}]
    s = one("第一产业增加值占比为11.3%,比上年下降0.4个百分点。")
    assert s.change_pp == -0.4


def test_negative_growth_and_share_of():
    stmts = extract_text("一般公共预算收入15.6亿元,同比下降2.3%;税收收入占一般公共预算收入比重为71.4%。")
    assert stmts[0].growth_pct == -2.3
    assert stmts[1].indicator_name == "税收收入占一般公共预算收入比重" and stmts[1].value == 71.4


def test_ranks_with_movement_and_memberships():
    s = one("县域经济高质量发展综合评价由第12位上升到第6位。")
    assert s.rank["position"] == 6 and s.rank["previous"] == 12 and s.rank["movement"] == 6 and s.value is None
    s = one("全县经济综合实力位居全省第5位。")
    assert s.rank["position"] == 5
    s = one("示例县连续3年入选“全国百强县”。")
    assert s.rank["top_n"] == 100 and s.rank["years_in_top_n"] == 3
    s = one("5个县(市)全部进入全省“第一方阵”(前30位)。")
    assert (s.value, s.unit) == (5, "个") and s.rank["top_n"] == 30 and s.rank["tier"] == "第一方阵"


def test_names_that_look_like_ranks_are_not_ranks():
    assert extract_text("第一产业稳步发展,第一批试点顺利推进,5G基站加快建设,345创新行动全面实施。") == []
    assert extract_text("重点支持5000万元以上项目。") == []


def test_lost_numbers_are_flagged_never_read():
    stmts = extract_text("我市累计实施县城提质项目个,完成投资.6亿元,个行政村完成电网改造,城镇新增就业人。")
    assert len(stmts) == 4
    assert all(s.value is None and "damaged_number" in s.flags for s in stmts)
    assert [s.unit for s in stmts] == ["个", "亿元", "个", "人"]
    assert stmts[1].value_text == ".6亿元"


def test_placeholders_are_flagged():
    s = one("全市县域地区生产总值达到**亿元。")
    assert s.value is None and s.value_text == "**亿元" and "placeholder" in s.flags


def test_damaged_year_flagged():
    s = one("在年全省考核中,一般公共预算收入增长7.5%。")
    assert s.period is None and "damaged_period" in s.flags and s.growth_pct == 7.5


def test_targets_kept_apart():
    s = one("到2025年,全县地区生产总值力争达到300亿元。")
    assert s.target and s.period == "2025" and not s.storable
    stmts = extract_text("到2025年基本实现城镇化率、城乡居民收入增幅高于全省平均水平。")
    assert {s.indicator_name for s in stmts} == {"城镇化率增幅", "城乡居民收入增幅"}
    assert all("qualitative" in s.flags and s.target for s in stmts)


def test_hedges_become_qualifiers():
    s = one("为企业争取到位资金近30亿元。")
    assert s.qualifiers == ["approximate"]
    s = one("预计全年粮食产量超过30万吨。")
    assert "estimate" in s.qualifiers and "lower_bound" in s.qualifiers


def test_speaker_switches_resolve_deictic_subject():
    text = ("焦作市发展改革委副主任苗强\n我市一般公共预算收入120亿元。\n"
            "孟州市委常委、常务副市长原红波\n我市一般公共预算收入15.9亿元。")
    got = {s.value: s.region_name for s in extract_text(text)}
    assert got == {120: "焦作市", 15.9: "孟州市"}


def test_restatements_deduplicated_with_all_spans():
    text = "全县地区生产总值120亿元。\n另据统计,全县地区生产总值120亿元。"
    stmts = extract_text(text)
    assert len(stmts) == 1 and len(stmts[0].duplicate_spans) == 1
