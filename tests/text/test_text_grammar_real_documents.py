"""The statement grammar real bulletins and work reports need (issue 17): each pattern with a positive and a
negative case. Sentences are made up in the shapes those documents use (numbers mean nothing); the real
documents are in tests/text/devset and scored by scripts/score_extraction.py --devset."""

import pytest

from xianping.text import extract_text
from xianping.text.repair import repair


def rows(text):
    return [(s.indicator_name, s.value, s.unit, s.growth_pct, s.change_pp) for s in extract_text(text, "t.txt")]


def only(text, **match):
    got = [s for s in extract_text(text, "t.txt") if all(getattr(s, k) == v for k, v in match.items())]
    assert len(got) == 1, [(s.indicator_name, s.value, s.unit, s.growth_pct, s.change_pp) for s in extract_text(text)]
    return got[0]


# ---------------------------------------------------------------- units
@pytest.mark.parametrize("text, name, value, unit", [
    ("全年生猪出栏31.5万头,增长2.0%。", "生猪出栏", 31.5, "万头"),
    ("年末牛存栏8600头。", "牛存栏", 8600, "头"),
    ("全年羊出栏6.3万只,下降3.1%。", "羊出栏", 6.3, "万只"),
    ("家禽出笼215.7万羽。", "家禽出笼", 215.7, "万羽"),
    ("木材采伐量4.2万立方米。", "木材采伐量", 4.2, "万立方米"),
    ("新增城区绿化面积12万平方米。", "新增城区绿化面积", 12, "万平方米"),
    ("收购烟叶9.8万担。", "收购烟叶", 9.8, "万担"),
])
def test_livestock_volume_and_area_units(text, name, value, unit):
    s = only(text, value=value)
    assert (s.indicator_name, s.unit) == (name, unit)


def test_livestock_unit_needs_a_number():
    # 龙头企业, 只有, 羽毛球: the characters of the units are ordinary words without a number before them
    assert extract_text("培育龙头企业,只有坚持创新,建成羽毛球馆。") == []


def test_measure_word_inherits_the_item_of_the_clause_before():
    got = rows("全县生猪存栏12.6万头,出栏20.3万头。")
    assert got == [("生猪存栏", 12.6, "万头", None, None), ("生猪出栏", 20.3, "万头", None, None)]
    # a measure word with an item of its own keeps it
    assert rows("全县生猪存栏12.6万头,羊出栏4.2万只。")[1][0] == "羊出栏"


# ---------------------------------------------------------------- signs, changes, pulls
def test_negative_growth_keeps_its_sign():
    s = only("全县实现地区生产总值1860350万元,同比增长-1.3%。")
    assert (s.value, s.unit, s.growth_pct) == (1860350, "万元", -1.3)
    assert only("人口自然增长率为-2.15‰。").value == -2.15
    # a range of years is not a negative number
    assert rows("2019-2023年地区生产总值年均增长4.1%。")[0][3] == 4.1


def test_decline_verb_makes_the_rate_negative_once():
    assert only("税收收入8.2亿元,同比下降3.4%。").growth_pct == -3.4
    assert only("工业投资增长3.4%。").growth_pct == 3.4


def test_percentage_point_list_with_a_verb_per_item():
    got = rows("第一、二、三产业增加值占GDP的比重较上年分别下降0.4个、提高0.1个、提高0.3个百分点。")
    assert got == [("第一产业增加值占GDP的比重", None, None, None, -0.4),
                   ("第二产业增加值占GDP的比重", None, None, None, 0.1),
                   ("第三产业增加值占GDP的比重", None, None, None, 0.3)]


def test_percentage_point_change_with_its_own_subject():
    s = only("二产业所占比重下降2.2个百分点。")
    assert (s.value, s.change_pp) == (None, -2.2)
    # without a subject it belongs to the statement before it
    s = only("年末城镇登记失业率2.1%,比上年下降0.3个百分点。")
    assert (s.value, s.change_pp) == (2.1, -0.3)


def test_pull_on_growth_is_a_value_in_percentage_points():
    s = only("全年最终消费支出拉动地区生产总值增长1.8个百分点。")
    assert (s.indicator_name, s.value, s.unit, s.change_pp) == ("最终消费支出拉动经济增长", 1.8, "个百分点", None)
    got = rows("三次产业对经济增长的贡献率分别为20.1%、-10.5%、90.4%,拉动经济增长分别为0.9个百分点、-0.5个百分点、4.0个百分点。")
    assert [(n, v, u) for n, v, u, _, _ in got] == [
        ("第一产业对经济增长的贡献率", 20.1, "%"), ("第二产业对经济增长的贡献率", -10.5, "%"),
        ("第三产业对经济增长的贡献率", 90.4, "%"), ("第一产业拉动经济增长", 0.9, "个百分点"),
        ("第二产业拉动经济增长", -0.5, "个百分点"), ("第三产业拉动经济增长", 4.0, "个百分点")]


def test_absolute_change_is_not_a_level():
    s = only("年末常住人口28.4万人,比上年增加1.2万人。")
    assert (s.value, s.unit) == (28.4, "万人")
    assert s.comparison == [{"ref": "上年", "direction": "增加", "diff": 1.2, "unit": "万人"}]
    got = rows("住户存款余额120.5亿元,比年初增加9.8亿元,增长8.9%。")
    assert got == [("住户存款余额", 120.5, "亿元", 8.9, None)]
    # a difference from a reference area qualifies the statement, it is no level either
    got = rows("人均地区生产总值52000元,高于全市平均水平3100元。")
    assert got == [("人均地区生产总值", 52000, "元", None, None)]


def test_two_values_and_two_rates_without_a_second_fenbie():
    got = rows("城镇、农村居民人均可支配收入分别达到32560元、15420元,增长5.1%、7.4%。")
    assert got == [("城镇居民人均可支配收入", 32560, "元", 5.1, None), ("农村居民人均可支配收入", 15420, "元", 7.4, None)]
    # items that are whole names are not cut to share a tail
    got = rows("农民人均纯收入和城镇居民人均可支配收入分别达到8800元和19500元。")
    assert [g[0] for g in got] == ["农民人均纯收入", "城镇居民人均可支配收入"]


# ---------------------------------------------------------------- numbers that are not statements
@pytest.mark.parametrize("text", [
    "在12个县市区中,我县综合考核居于前列。",
    "全省前50名的县中,增速低于6%的县明显减少。",
    "28项指标纳入考核。",
    "全县有2项指标增速全市第一。",
    "11项工作获得省政府真抓实干督查激励。",
    "重点支持5000万元以上项目。",
    "图1 2019-2023年地区生产总值及增速",
])
def test_thresholds_conditions_and_counts_of_indicators_are_not_values(text):
    assert rows(text) == []


def test_a_count_with_a_lower_bound_is_kept():
    s = only("计划招引15个以上过亿项目。")
    assert (s.value, s.unit, s.target) == (15, "个", True) and "lower_bound" in s.qualifiers


# ---------------------------------------------------------------- ranks and structures
def test_ranks_shared_out_over_a_list():
    got = [(s.indicator_name, s.rank["position"]) for s in extract_text("位居全国百强县投资潜力第4、绿色发展第7、科技创新第12。")]
    assert got == [("全国百强县投资潜力排名", 4), ("绿色发展排名", 7), ("科技创新排名", 12)]
    # a list of names without 第 is no rank list
    assert len(extract_text("位居全国百强县投资潜力第4、绿色发展和科技创新前列。")) == 1


def test_structure_change_is_one_statement_the_new_structure():
    s = only("三次产业结构由上年的14.1:40.2:45.7调整为13.8:39.9:46.3。")
    assert s.indicator_name == "三次产业结构" and s.structure == [13.8, 39.9, 46.3]
    s = only("城乡居民收入比由2.41:1缩小为2.36:1。")
    assert (s.indicator_name, s.value, s.unit) == ("城乡居民收入比", 2.36, ":1")
    # a plain structure is still read
    assert only("三次产业结构为9.2:41.3:49.5。").structure == [9.2, 41.3, 49.5]


# ---------------------------------------------------------------- names
def test_sub_indicator_is_not_merged_into_its_parent():
    got = rows("全县工业增加值增长6.5%,其中规模以上工业增加值增长7.1%。")
    assert got == [("工业增加值", None, None, 6.5, None), ("规模以上工业增加值", None, None, 7.1, None)]
    got = rows("农业增加值12.3亿元;第一产业增加值15.2亿元。")
    assert [g[0] for g in got] == ["农业增加值", "第一产业增加值"]


def test_verbs_leave_names():
    assert rows("第一产业完成增加值20.1亿元。")[0][0] == "第一产业增加值"
    assert rows("规上服务业实现营业收入8.2亿元。")[0][0] == "规上服务业营业收入"
    assert rows("全县实现地区生产总值(GDP)98.1亿元。")[0][0] == "地区生产总值"
    assert rows("农产品加工企业实现销售收入5.2亿元。")[0][0] == "农产品加工企业销售收入"
    # 实现 before a thing that is no measure stays part of the text (no name is made of it)
    assert rows("实现村村通硬化路。") == []


def test_chinese_magnitude_after_an_arabic_number():
    s = only("全县地区生产总值突破3千亿元。")
    assert (s.value, s.unit, s.value_std) == (3000, "亿元", 3000) and "lower_bound" in s.qualifiers
    # a Chinese numeral alone is still read whole, and 千 alone before a unit is no magnitude of a number
    s = only("完成投资二百亿元。")  # (the numeral's magnitudes are multiplied out: 元, as for 二百二十一亿三千万元)
    assert (s.value, s.unit) == (20_000_000_000, "元")
    assert only("新建道路3千米。").unit == "千米"


# ---------------------------------------------------------------- targets
def test_targets_in_a_plan_sentence_and_section():
    got = [(s.indicator_name, s.target, s.period) for s in extract_text(
        "今年主要预期目标是:地区生产总值增长6%左右,城镇调查失业率控制在5.5%以内。")]
    assert got == [("地区生产总值", True, None), ("城镇调查失业率", True, None)]
    text = "一、2023年工作回顾\n全县地区生产总值320亿元,增长5.1%。\n二、2024年工作安排\n地区生产总值增长6%。\n"
    got = [(s.value, s.growth_pct, s.target, s.period) for s in extract_text(text)]
    assert got == [(320, 5.1, False, "2023"), (None, 6, True, "2024")]


def test_a_bulletin_outcome_kept_within_a_bound_is_an_observation():
    s = only("2023年示例县统计公报\n年末城镇登记失业率控制在4%以内。")
    assert s.target is False and s.value == 4 and "upper_bound" in s.qualifiers


def test_target_cue_holds_over_its_sentence_not_the_next():
    got = [(s.value, s.target) for s in extract_text("计划招引10个项目;年内实施总投资30亿元的重点工程。全年完成投资25亿元。")]
    assert got == [(10, True), (30, True), (25, False)]


# ---------------------------------------------------------------- regions
def test_speaker_government_is_the_subject_before_the_province():
    text = ("上杭县2023年政府工作报告\n各位代表:\n现在,我代表县人民政府,向大会报告工作。\n"
            "连续四年被评为福建省经济实力十强县。全县地区生产总值391亿元。")
    s = only(text, value=391)
    assert s.region_name == "上杭县"
    # without a speaking government, the province stays a province
    s = only("福建省地区生产总值5.4万亿元。")
    assert s.region_name == "福建省"


def test_places_compared_with_are_not_the_subject():
    s = only("温县2023年统计公报\n全县地区生产总值增速位居修武县、博爱县之后,排名全市第4位。")
    assert s.region_name == "温县" and s.rank["position"] == 4


def test_multi_region_news_split_by_clause():
    got = [(s.region_name, s.indicator_name, s.growth_pct) for s in
           extract_text("焦作市规模以上工业增加值增长6%,新乡市增长5.1%。")]
    assert got == [("焦作市", "规模以上工业增加值", 6), ("新乡市", "规模以上工业增加值", 5.1)]


def test_county_named_only_by_its_short_name():
    s = only("宁远发展稳中有进。全县森林覆盖率为61.2%。")
    assert s.region_name == "宁远县"
    # a short name shared by several counties names none
    assert only("新华发展稳中有进。全县森林覆盖率为61.2%。").region_name is None


def test_county_name_inside_a_word_is_no_place():
    assert only("全县新增城区绿化面积5万平方米。").region_name != "增城区"
    assert only("广州市增城区地区生产总值1200亿元。").region_name == "增城区"


def test_document_year_from_the_title():
    s = only("子洲县二〇二三年国民经济和社会发展统计公报\n子洲县统计局\n2024年4月15日\n全年粮食总产量16.3万吨。")
    assert s.period == "2023"


# ---------------------------------------------------------------- damaged or rewritten numbers
def test_year_shaped_values_carried_without_a_value():
    s = only("高新技术产业产值占规模以上工业总产值的比重达到2023%。")
    assert s.value is None and s.value_text == "2023%" and {"implausible", "damaged_number"} <= set(s.flags)
    assert not s.storable
    # a plausible sum of the same digits in 万元 is kept
    assert only("全年落实就业补助资金2023万元。").value == 2023


def test_hard_line_wraps_rejoined_never_read_as_a_piece():
    line = "这五年,我们聚力扩容提质,综合实力实现新跨越。预计末,全县固定资产投资25"
    text = "\n".join([line, "0.3亿元,年均增长10.3%;社会消费品零售总额140亿元,年均增长8.2%;外贸出口2",
                      ".5亿美元,年均增长6.1%;利用外资5184万美元,年均增长10%;城镇常住居民人均可支配",
                      "收入35867元,年均增长7.7%;农村常住居民人均可支配收入16000元,年均增长8.8%;",
                      "金融机构存款余额360亿元,年均增长9.1%;贷款余额280亿元,年均增长12.3%;全县"])
    got = {(n, v, u) for n, v, u, _, _ in rows(text)}
    assert ("固定资产投资", 250.3, "亿元") in got and ("外贸出口", 2.5, "亿美元") in got
    assert not any(v in (0.3, 0.5) for _, v, _ in got)
    rep = repair(text)
    a = rep.text.index("250.3")
    assert rep.original[slice(*rep.orig_span(a, a + 5))] == "25\n0.3"


def test_short_lines_and_headings_are_never_joined():
    text = ("一、强化领导、完善机制,开创县域经济发展新局面\n二、立足产业、突出特色,塑造县域经济发展新优势\n"
            "三、深化改革、优化环境,激发县域经济发展新动能\n四、补齐短板、促进融合,开创县域经济发展新高度\n"
            "五、提升服务、保障民生,引领县域经济发展新品质\n")
    assert repair(text).text.count("\n") == 5


def test_side_note_in_parentheses_does_not_take_the_rate():
    got = rows("全区实现生产总值782.2亿元(不含水力发电增加值121.1亿元),比上年增长8.0%。")
    assert got == [("地区生产总值", 782.2, "亿元", 8.0, None), ("水力发电增加值", 121.1, "亿元", None, None)]
    # a rate inside the parentheses is the note's own
    got = rows("全区实现生产总值782.2亿元(其中水力发电增加值121.1亿元,增长3.0%),比上年增长8.0%。")
    assert got == [("地区生产总值", 782.2, "亿元", 8.0, None), ("水力发电增加值", 121.1, "亿元", 3.0, None)]


def test_quoted_slogan_is_no_rank_membership():
    assert extract_text("以“双千百强”为统领,纵深推进发展战略。") == []
    s = only("示例县入围“全国百强县”。")
    assert s.rank["top_n"] == 100


def test_comparison_with_its_own_subject_is_a_statement():
    s = only("三产占地区生产总值比重高过全州平均水平1.6个百分点。")
    assert s.value is None and s.comparison == [{"ref": "全州", "direction": "高过", "diff": 1.6, "unit": "个百分点"}]
    # without a subject of its own it qualifies the statement before it
    s = only("全县地区生产总值增长5.8%,高于全国增速0.6个百分点。")
    assert s.growth_pct == 5.8 and s.comparison[0]["diff"] == 0.6


def test_annual_output_named_as_output():
    assert rows("年产蔬菜量69.9万吨。")[0][0] == "蔬菜产量"
    assert rows("年末全县户籍人口36.5万人。")[0][0] == "户籍人口"  # 年末 still leaves the name


def test_rates_of_a_named_list_with_fenbie_after_the_rate_word():
    got = rows("一般公共服务、教育、社会保障和就业等支出同比增速分别为-9.4%、23.0%、26.4%。")
    assert got == [("一般公共服务支出", None, None, -9.4, None), ("教育支出", None, None, 23.0, None),
                   ("社会保障和就业支出", None, None, 26.4, None)]
    # 和 as the last separator when the values say so
    got = rows("交通运输仓储和邮政业、金融业和营利性服务业增加值分别增长-4.8%、6.8%、6.1%。")
    assert [g[0] for g in got] == ["交通运输仓储和邮政业增加值", "金融业增加值", "营利性服务业增加值"]


def test_rates_whose_separators_were_lost_are_still_shared_out():
    got = rows("批发零售业、住宿餐饮业增加值分别增长0.2%-0.4%。")
    assert [(g[0], g[3]) for g in got] == [("批发零售业增加值", 0.2), ("住宿餐饮业增加值", -0.4)]


def test_pp_list_sharing_one_unit():
    got = rows("第二、三产业分别拉动增长2.1和2.4个百分点。")
    assert [(g[0], g[1], g[2]) for g in got] == [("第二产业拉动经济增长", 2.1, "个百分点"), ("第三产业拉动经济增长", 2.4, "个百分点")]
    # two numbers joined by 和 without 百分点 stay what they are
    assert [(g[1], g[2]) for g in rows("新建学校2所和医院3所。")] == [(2, "所"), (3, "所")]


def test_bare_change_after_a_level_is_not_a_level():
    got = rows("全年粮食播种面积85.76千公顷,增加0.09千公顷,增长0.1%。")
    assert got == [("粮食播种面积", 85.76, "千公顷", 0.1, None)]
    # 增加 with a subject of its own before the value is no change of the statement before
    assert rows("新增就业岗位1200个。")[0][1] == 1200


def test_structure_with_lost_separators_is_flagged_never_read():
    s = only("三次产业结构由202117.4629.04﹕53.50调整为17.8830.2451.88。")
    assert s.indicator_name == "三次产业结构" and s.structure is None and s.value is None
    assert "damaged_number" in s.flags
    assert only("三次产业结构由17.5:29.0﹕53.5调整为17.9:30.2﹕51.9。").structure == [17.9, 30.2, 51.9]


def test_percentage_naming_a_source_is_no_value():
    assert rows("据全省5‰人口变动抽样调查推算,年末全县常住人口12.7万人。") == [("常住人口", 12.7, "万人", None, None)]
    # a percentage before a noun in a statement stays a value (农村幸福院覆盖85%千人以上村)
    assert rows("农村幸福院覆盖85%千人以上村。")[0][1:3] == (85, "%")


def test_cut_off_count_without_a_noun_is_nothing():
    assert rows("全年城镇新增就业1254人,帮助853名") == [("城镇新增就业", 1254, "人", None, None)]


def test_narrowing_qualifier_keeps_its_own_name():
    assert rows("营利性服务业增加值增长6.1%。")[0][0] == "营利性服务业增加值"
    assert rows("服务业增加值增长6.1%。")[0][0] == "第三产业增加值"  # the lexicon's spelling of the whole
