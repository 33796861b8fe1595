"""Templates with named fields: missing data stays marked, numbers only come from fields."""

import pytest

from xianping.report.data import from_result
from xianping.report.narrative import MISSING, Value, build_context, narrative, render

SEED_003_STYLE = """\
# 县域经济运行情况
全市县域地区生产总值达到{{ indicators.gdp.total|yi }},占全市比重达到{{ indicators.gdp.city_share|pct }},\
比上年提高{{ indicators.gdp.city_share_change|pp }};一般公共预算收入达到{{ indicators.budget_revenue.total|yi }}。
"""


def test_seed_003_style_template_fills_known_fields_and_marks_the_rest(evaluated):
    data = from_result(evaluated["result"])
    nar = narrative(data, SEED_003_STYLE)
    text = nar.text
    vals = evaluated["values"]
    gdp = sum(vals[(u, "2023", "gdp")] for u in data.units)
    assert f"{gdp:.2f}亿元" in text
    assert MISSING.format("indicators.gdp.city_share") in text
    assert MISSING.format("indicators.gdp.city_share_change") in text
    assert set(nar.missing) == {"indicators.gdp.city_share", "indicators.gdp.city_share_change"}
    assert "**" not in text


def test_nan_field_is_marked_not_zero(evaluated):
    data = from_result(evaluated["result"])
    data.raw = None
    data.raw_note = "raw values unavailable"
    nar = narrative(data, "均值{{ indicators.edu_years.mean|amount }}，总量{{ indicators.gdp.total|yi }}")
    assert nar.text == "均值【缺数据：indicators.edu_years.mean】，总量【缺数据：indicators.gdp.total】"


def test_rate_has_no_total(evaluated):
    nar = narrative(from_result(evaluated["result"]), "{{ indicators.urbanisation_rate.total|pct }}")
    assert nar.text == MISSING.format("indicators.urbanisation_rate.total")


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
