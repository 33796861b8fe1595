"""Templates with named fields: missing data stays marked, numbers only come from fields."""

import pytest

from xianping.report.data import from_result
from xianping.report.narrative import MISSING, Value, build_context, narrative, render

SEED_003_STYLE = """\
# 县域经济运行情况
全市县域地区生产总值达到{{ indicators.gdp.total|yi }},占全市比重达到{{ indicators.gdp.city_share|pct }},\
比上年提高{{ indicators.gdp.city_share_change|pp }};一般公共预算收入达到{{ indicators.budget_revenue.total|yi }}。
"""


def test_seed_003_style_template_in_a_draft_fills_known_fields_and_marks_the_rest(evaluated):
    data = from_result(evaluated["result"])
    nar = narrative(data, SEED_003_STYLE, draft=True)
    text = nar.text
    vals = evaluated["values"]
    gdp = sum(vals[(u, "2023", "gdp")] for u in data.units)
    assert f"{gdp:.2f}亿元" in text
    assert MISSING.format("indicators.gdp.city_share") in text
    assert MISSING.format("indicators.gdp.city_share_change") in text
    assert set(nar.missing) == {"indicators.gdp.city_share", "indicators.gdp.city_share_change"}
    assert "**" not in text


def test_a_missing_number_takes_its_clause_out_of_the_finished_text(evaluated):
    """The clause between ；(or ;) that holds a missing number goes, the rest of the sentence stays, and the
    report says what it left out; no marker survives."""
    data = from_result(evaluated["result"])
    nar = narrative(data, SEED_003_STYLE)
    budget = sum(evaluated["values"][(u, "2023", "budget_revenue")] for u in data.units)
    assert nar.blocks[1].text == f"一般公共预算收入达到{budget:.2f}亿元。"
    assert "【缺数据" not in nar.text and "占全市比重" not in nar.text
    assert [o.field for o in nar.omitted] == ["indicators.gdp.city_share", "indicators.gdp.city_share_change"]
    note = [b.text for b in nar.blocks if b.kind == "note"]
    assert note == ["本报告未包含：“indicators.gdp.city_share”（评价结果中没有该项数据）；"
                    "“indicators.gdp.city_share_change”（评价结果中没有该项数据）。"]


def test_nan_field_leaves_with_its_sentence_and_is_listed(evaluated):
    data = from_result(evaluated["result"])
    data.raw = None
    data.raw_note = "raw values unavailable"
    tpl = "均值{{ indicators.edu_years.mean|amount }}，总量{{ indicators.gdp.total|yi }}。共{{ overall.n_units }}个。"
    assert narrative(data, tpl, draft=True).text == \
        "均值【缺数据：indicators.edu_years.mean】，总量【缺数据：indicators.gdp.total】。共14个。"
    nar = narrative(data, tpl)
    assert nar.blocks[0].text == "共14个。"
    assert [o.label for o in nar.omitted] == ["平均受教育年限县均值（原始指标值不可用）", "地区生产总值合计（原始指标值不可用）"]


def test_rate_has_no_total(evaluated):
    data = from_result(evaluated["result"])
    assert narrative(data, "{{ indicators.urbanisation_rate.total|pct }}", draft=True).text == \
        MISSING.format("indicators.urbanisation_rate.total")
    nar = narrative(data, "合计{{ indicators.urbanisation_rate.total|pct }}。")
    assert [b.kind for b in nar.blocks] == ["note"]
    assert nar.omitted[0].label == "常住人口城镇化率合计（该指标为比率或均值，不能加总）"


@pytest.mark.parametrize("text, kept, dropped", [
    ("甲为1分（乙年【缺数据：a】），丙为2分。", "甲为1分，丙为2分。", ["a"]),
    ("甲县均1；乙县均【缺数据：b】；丙县均3。丁。", "甲县均1；丙县均3。丁。", ["b"]),
    ("与上年相比，平均得分【缺数据：c】。排名第1位。", "排名第1位。", ["c"]),
    ("首位为甲（得分1分（第【缺数据：d】位））。", "首位为甲（得分1分）。", ["d"]),
    ("全文【缺数据：e】", "", ["e"]),
])
def test_drop_marked_keeps_what_reads_well(text, kept, dropped):
    from xianping.report.narrative import _drop_marked

    out, gone = _drop_marked(text)
    assert out == kept
    assert [f for f, _ in gone] == dropped


def test_headings_left_empty_go_and_the_rest_are_numbered(evaluated):
    data = from_result(evaluated["result"])
    tpl = "# 报告\n## 总体\n共{{ overall.n_units }}个。\n## 空节\n均值{{ indicators.gdp.city_share|pct }}。\n## 三、已编号\n完。\n## 附件　方法\n说明。\n"
    nar = narrative(data, tpl)
    assert [(b.kind, b.text) for b in nar.blocks if b.kind != "note"] == [
        ("title", "报告"), ("h1", "一、总体"), ("p", "共14个。"), ("h1", "三、已编号"), ("p", "完。"),
        ("h1", "附件　方法"), ("p", "说明。")]
    # the list of what was left out closes the body, before the appendix
    kinds = [b.kind for b in nar.blocks]
    assert kinds.index("note") == kinds.index("h1", 3) + 2


def test_templates_cannot_make_numbers(evaluated):
    ctx = build_context(from_result(evaluated["result"]))
    with pytest.raises(TypeError):
        render("{{ 3 * 2 }}", ctx)
    with pytest.raises(Exception):
        render("{{ overall.mean_score + 1 }}", ctx)
    with pytest.raises(TypeError):
        render("{{ 'x'|score }}", ctx)


def test_value_comparisons_choose_words():
    assert render("{% if x > 0 %}升{% else %}降{% endif %}", {"x": Value(2, {}, "x")}).text == "升"
    assert render("{% if x > 0 %}升{% else %}降{% endif %}", {"x": Value(None, {}, "x")}).text == "降"


def test_default_template_has_every_number_traced(evaluated):
    data = from_result(evaluated["result"])
    nar = narrative(data, focus="320585")
    assert nar.missing == []
    for b in nar.blocks:
        if b.kind in ("p", "title", "h1", "h2"):
            rest = b.text
            for f in sorted(nar.fills, key=lambda f: -len(f.text)):
                rest = rest.replace(f.text, "")
            assert not any(ch.isdigit() for ch in rest), (b.text, rest)


def test_method_paragraph_names_the_methods_of_the_manifest(evaluated, tmp_path):
    """评价方法: the normalisation, the panel mode, and each node's weighting and aggregation in Chinese, from the
    manifest — the same words for built-in and engine.mcda methods (their registry labels)."""
    from xianping.evaluation import evaluate

    text = " ".join(b.text for b in narrative(from_result(evaluated["result"])).blocks)
    assert "极差标准化（min–max），各年份共用同一组极值" in text
    assert "权重确定：各层级均采用等权法。逐级合成：各层级均采用线性加权求和。" in text
    fw = evaluated["framework"].read_text(encoding="utf-8").replace("  weights: equal\n", "  weights: entropy\n").replace(
        "  name_en: Test index\n", "  name_en: Test index\n  aggregation: {method: vikor}\n  weights: {method: gini}\n")
    (tmp_path / "fw.yaml").write_text(fw, encoding="utf-8")
    res = evaluate(str(tmp_path / "fw.yaml"), data=str(evaluated["data"]))
    text = " ".join(b.text for b in narrative(from_result(res)).blocks)
    assert "测试综合指数采用基尼系数赋权法，经济实力采用熵权法，社会发展采用熵权法" in text
    assert "测试综合指数采用VIKOR 折衷排序法，经济实力采用线性加权求和" in text
