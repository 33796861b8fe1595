import pytest

from xianping.frameworks.library import Indicator, load_library, normalise_header, parse_direction, validate_library_file
from xianping.problems import XianpingInputError
from xianping.reference.measure_units import is_known

# the codes the bundled real data (census 2010/2020 + CEADs CO2) supply
BUNDLED = {
    "pop_total": ("常住人口", "人", "positive", "sum"),
    "pop_urban": ("城镇人口", "人", None, "sum"),
    "pop_rural": ("乡村人口", "人", None, "sum"),
    "households": ("家庭户数", "户", None, "sum"),
    "urbanisation_rate": ("常住人口城镇化率", "%", "positive", "weighted_mean"),
    "edu_years": ("平均受教育年限", "年", "positive", "weighted_mean"),
    "college_share": ("大专及以上学历人口占比", "%", "positive", "weighted_mean"),
    "illiteracy_rate": ("文盲率", "%", "negative", "weighted_mean"),
    "ageing_65": ("65岁及以上人口占比", "%", "negative", "weighted_mean"),
    "sex_ratio": ("性别比（女=100）", "1", "moderate", "weighted_mean"),
    "nonfarm_employment_share": ("非农就业比重", "%", "positive", "weighted_mean"),
    "professional_share": ("专业技术人员占从业人员比重", "%", "positive", "weighted_mean"),
    "housing_area_pc": ("人均住房建筑面积", "平方米/人", "positive", "weighted_mean"),
    "tap_water_share": ("住房内有管道自来水的家庭户比重", "%", "positive", "weighted_mean"),
    "toilet_share": ("住房内有厕所的家庭户比重", "%", "positive", "weighted_mean"),
    "bath_share": ("住房内有洗澡设施的家庭户比重", "%", "positive", "weighted_mean"),
    "co2_total": ("二氧化碳排放量", "万吨", "negative", "sum"),
    "co2_per_capita": ("人均二氧化碳排放", "吨/人", "negative", "weighted_mean"),
}


@pytest.fixture(scope="module")
def lib():
    return load_library()


def test_builtin_library_is_clean():
    from xianping.frameworks.library import BUILTIN_LIBRARY

    inds, report = validate_library_file(BUILTIN_LIBRARY)
    assert not report.problems, report.as_text()  # no errors and no ambiguous synonyms
    assert len(inds) >= 90


@pytest.mark.parametrize("code", sorted(BUNDLED))
def test_bundled_data_indicators(lib, code):
    name, unit, direction, merge = BUNDLED[code]
    ind = lib.get(code)
    assert ind.name_zh == name
    assert ind.unit == unit
    if direction:
        assert ind.direction == direction
    assert ind.merge == merge
    if merge == "weighted_mean":
        assert ind.merge_weight in ("pop_total", "households")


def test_rates_weighted_by_population(lib):
    for code in ("urbanisation_rate", "edu_years", "illiteracy_rate", "ageing_65", "co2_per_capita"):
        assert lib.get(code).merge_weight == "pop_total"


def test_sex_ratio_interval(lib):
    assert lib.get("sex_ratio").optimal_interval == (103, 107)


def test_every_unit_parses_and_references_resolve(lib):
    for ind in lib.all():
        assert is_known(ind.unit), ind.code
        for ref in (ind.merge_weight, ind.denominator):
            assert ref is None or ref in lib, (ind.code, ref)
        if ind.unit == "%" and ind.kind == "share":
            assert ind.valid_range == (0, 100), ind.code


@pytest.mark.parametrize(
    "header, code",
    [
        ("一般公共财政预算收入", "budget_revenue"),
        ("地方一般公共预算收入", "budget_revenue"),
        ("一般公共预算收入（亿元）", "budget_revenue"),
        ("  一般公共预算收入 ", "budget_revenue"),
        ("地区生产总值（亿元）", "gdp"),
        ("ＧＤＰ", "gdp"),  # full-width
        ("性别比\n（女=100）", "sex_ratio"),  # census 2010 header wraps inside the cell
        ("性别比（女=100）", "sex_ratio"),
        ("人均住房\n建筑面积\n（平方米/人）", "housing_area_pc"),
        ("合计", "pop_total"),
        ("人口数_合计", "pop_total"),
        ("户数", "households"),
        ("家庭户数", "households"),
        ("平均受教育年限（年）-合计", "edu_years"),
        ("平均受教育年限_合计", "edu_years"),
        ("文盲人口占15岁及以上人口比重（%）-合计", "illiteracy_rate"),
        ("文盲占15岁及以上人口比重", "illiteracy_rate"),
        ("65岁及以上（%）", "ageing_65"),
        ("人口比重_65岁及以上", "ageing_65"),
        ("规上工业增加值增速", "industry_va_growth"),
        ("城镇化率", "urbanisation_rate"),
        ("co2_total", "co2_total"),
        ("Gross regional product (GDP)", "gdp"),
    ],
)
def test_match_headers(lib, header, code):
    assert [i.code for i in lib.match(header)] == [code]


def test_match_unknown_is_empty(lib):
    assert lib.match("粮食产量（吨）") == []
    assert lib.match("收入") == []
    # census 2010 人口数 is the family-household population; 2020 家庭户户数 repeats 家庭户数 (housing section)
    assert lib.match("人口数") == []
    assert lib.match("家庭户户数") == []


def test_normalise_header():
    assert normalise_header("【ＧＤＰ】 （亿元）") == normalise_header("(GDP)(亿元)")


@pytest.mark.parametrize("alias, canon", [("正向", "positive"), ("+", "positive"), ("逆向", "negative"), ("−", "negative"),
                                          ("-", "negative"), ("适度", "moderate"), ("~", "moderate"), ("目标", "target")])
def test_direction_aliases(alias, canon):
    assert parse_direction(alias) == canon


def test_direction_unknown():
    with pytest.raises(ValueError, match="unknown direction"):
        parse_direction("up")


def test_indicator_validation():
    with pytest.raises(ValueError, match="moderate_without_optimum"):
        Indicator(code="x", name_zh="x", name_en="x", unit="%", direction="~", kind="rate")
    with pytest.raises(ValueError, match="unknown_unit"):
        Indicator(code="x", name_zh="x", name_en="x", unit="斤斤", direction="+", kind="rate")
    with pytest.raises(ValueError, match="merge_weight_missing"):
        Indicator(code="x", name_zh="x", name_en="x", unit="%", direction="+", kind="rate", merge="weighted_mean")


def test_extra_library(tmp_path, lib):
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "indicators:\n"
        "- {code: grain_output, name_zh: 粮食产量, name_en: Grain output, unit: 万吨, direction: 正向, kind: total,\n"
        "   merge: sum, synonyms: [粮食总产量]}\n",
        encoding="utf-8",
    )
    merged = load_library(extra)
    assert merged.get("grain_output").direction == "positive"
    assert [i.code for i in merged.match("粮食总产量（万吨）")] == ["grain_output"]
    assert "grain_output" not in load_library()  # the cached built-in is not changed


def test_extra_library_problems_are_located(tmp_path):
    extra = tmp_path / "bad.yaml"
    extra.write_text(
        "indicators:\n"
        "- code: gdp\n"  # clashes with the built-in
        "  name_zh: 重复\n  name_en: dup\n  unit: 亿元\n  direction: +\n  kind: total\n"
        "- code: x_rate\n  name_zh: 率\n  name_en: rate\n  unit: 斤斤\n  direction: +\n  kind: rate\n",
        encoding="utf-8",
    )
    with pytest.raises(XianpingInputError) as exc:
        load_library(extra)
    by_kind = {p.kind: p for p in exc.value.report}
    assert by_kind["duplicate_code"].row == 2 and by_kind["duplicate_code"].column == "indicators[0].code"
    assert by_kind["unknown_unit"].row == 11 and by_kind["unknown_unit"].column == "indicators[1].unit"
