import copy

import pytest
from pydantic import ValidationError

from xianping.frameworks.load import builtin_names, load_framework, validate_framework_file
from xianping.frameworks.model import AggregationSpec, Framework, WeightSpec, ahp_consistency_ratio

CENSUS_CODES = [
    "urbanisation_rate", "nonfarm_employment_share",
    "edu_years", "college_share", "illiteracy_rate", "professional_share",
    "ageing_65", "sex_ratio",
    "housing_area_pc", "tap_water_share", "toilet_share", "bath_share",
    "co2_per_capita",
]


def small(**root_extra) -> dict:
    return {
        "code": "t", "name_zh": "测试", "name_en": "Test",
        "root": {"code": "r", "name_zh": "根", **root_extra, "children": [
            {"code": "a", "name_zh": "甲", "indicator": "gdp"},
            {"code": "b", "name_zh": "乙", "indicator": "budget_revenue"},
            {"code": "c", "name_zh": "丙", "indicator": "forest_coverage"},
        ]},
    }


def test_builtins_present():
    assert set(builtin_names()) >= {"sanqilai", "new-development", "urban-rural", "census-social"}


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_loads_without_problems(name):
    report = validate_framework_file(name)
    assert not report.problems, report.as_text()
    fw = load_framework(name)
    assert fw.name_zh and fw.name_en and fw.source
    assert fw.type_overrides, "each built-in shows a county-type override"
    for ctype in fw.type_overrides:
        variant = fw.for_type(ctype)
        assert variant.indicator_codes() == fw.indicator_codes()
        assert variant.content_hash() != fw.content_hash()


def test_census_social_uses_only_bundled_data():
    fw = load_framework("census-social")
    assert fw.indicator_codes() == CENSUS_CODES
    dims = {c.name_zh: [g.indicator.code for g in c.children] for c in fw.root.children}
    assert list(dims) == ["城镇化", "人力资本", "人口结构", "居住条件", "绿色低碳"]
    assert dims["绿色低碳"] == ["co2_per_capita"]
    assert fw.defaults.normalisation.method == "min_max"
    assert fw.defaults.weights.method == "equal"
    assert fw.defaults.aggregation.method == "arithmetic"
    eco = fw.for_type("生态功能")
    w = {c.code: c.weight for c in eco.root.children}
    assert w["low_carbon"] == max(w.values())


def test_urban_rural_is_the_19_indicator_system():
    fw = load_framework("urban-rural")
    dims = [(c.name_zh, len(c.children)) for c in fw.root.children]
    assert dims == [("人口融合", 3), ("土地流动", 2), ("资金技术", 3), ("产业互动", 2), ("交通信息", 2),
                    ("环境承载", 3), ("收入消费", 4)]
    dirs = {leaf.indicator.code: leaf.indicator.direction for leaf in fw.indicators()}
    negative = {c for c, d in dirs.items() if d == "negative"}
    assert negative == {"employment_contrast_coefficient", "fertiliser_intensity", "income_ratio",
                        "wage_income_ratio", "consumption_ratio"}


def test_new_development_and_sanqilai_structure():
    nd = load_framework("new-development")
    assert [c.name_zh[:2] for c in nd.root.children][:5] == ["创新", "协调", "绿色", "开放", "共享"]
    sq = load_framework("sanqilai")
    assert [c.name_zh for c in sq.root.children] == ["强县富民", "改革发展", "城乡贯通"]
    assert [g.name_zh for c in sq.root.children for g in c.children] == ["强县", "富民", "改革", "发展", "城镇", "乡村"]
    assert sq.depth() == 3


def test_content_hash_stable_and_sensitive():
    a = load_framework("census-social")
    b = load_framework("census-social")
    assert a.content_hash() == b.content_hash()
    assert len(a.content_hash()) == 64
    data = a.to_dict()
    assert Framework.model_validate(copy.deepcopy(data)).content_hash() == a.content_hash()
    data["root"]["children"][0]["children"][0]["indicator"] = {"code": "urbanisation_rate", "goalposts": [0, 100]}
    assert Framework.model_validate(data).content_hash() != a.content_hash()
    data2 = a.to_dict()
    data2["defaults"]["aggregation"] = {"method": "geometric"}
    assert Framework.model_validate(data2).content_hash() != a.content_hash()


def test_walk_and_indicators_order():
    fw = load_framework("census-social")
    items = list(fw.walk())
    assert items[0].node.code == "census_social" and items[0].depth == 0
    leaves = [i for i in items if i.node.is_leaf]
    assert [i.node.indicator.code for i in leaves] == CENSUS_CODES
    assert leaves[0].key_path == ("root", "children", 0, "children", 0)
    first = fw.indicators()[0]
    assert first.codes == ("census_social", "urbanisation", "urbanisation_rate")
    assert first.indicator.unit == "%"


def test_programmatic_construction_is_validated():
    Framework.model_validate(small())
    bad = small()
    bad["root"]["children"][1]["indicator"] = "no_such_thing"
    with pytest.raises(ValidationError, match="not in the library"):
        Framework.model_validate(bad)


def test_leaf_override_and_inline_indicator():
    data = small()
    data["root"]["children"][0]["indicator"] = {"code": "gdp", "direction": "适度", "optimum": 500, "goalposts": [0, 2000]}
    data["root"]["children"][2] = {"code": "grain", "name_zh": "粮食产量", "name_en": "Grain output",
                                   "indicator": {"code": "grain_output", "unit": "万吨", "direction": "+"}}
    fw = Framework.model_validate(data)
    leaves = {leaf.node_code: leaf for leaf in fw.indicators()}
    assert leaves["a"].indicator.direction == "moderate" and leaves["a"].indicator.optimum == 500
    assert leaves["a"].indicator.unit == "亿元"  # kept from the library
    assert leaves["grain"].inline and leaves["grain"].indicator.name_zh == "粮食产量"


def test_explicit_weights_normalised_with_warning():
    data = small()
    for child, w in zip(data["root"]["children"], (30, 40, 30)):
        child["weight"] = w
    fw = Framework.model_validate(data)
    warnings = [f for f in fw.findings() if f.severity == "warning"]
    assert [f.kind for f in warnings] == ["weights_normalised"]
    assert warnings[0].value == 100


def test_all_zero_weights_is_an_error():
    data = small()
    for child in data["root"]["children"]:
        child["weight"] = 0
    with pytest.raises(ValidationError, match="all zero"):
        Framework.model_validate(data)


def test_ahp_accepts_fractions_and_checks_consistency():
    spec = WeightSpec.model_validate({"method": "ahp", "matrix": [[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]]})
    assert spec.ri_table == "saaty" and spec.solver == "eigenvector"
    assert ahp_consistency_ratio(spec.matrix) < 0.1
    # a strongly inconsistent matrix is reported as a warning, not an error
    data = small(weights={"method": "ahp", "matrix": [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]})
    fw = Framework.model_validate(data)
    kinds = [(f.kind, f.severity) for f in fw.findings()]
    assert ("ahp_inconsistent", "warning") in kinds


def test_method_defaults_are_recorded():
    assert WeightSpec.model_validate("entropy").variant == "zero_ln_zero"
    assert WeightSpec.model_validate("critic").correlation == "signed"
    assert AggregationSpec.model_validate("topsis").weighting == "pre_multiply"
    # no silent epsilon for zeros: the default policy is an error that says where the zero is
    assert AggregationSpec.model_validate("geometric").zero_policy == "error"
    with pytest.raises(ValidationError, match="generalised_without_p"):
        AggregationSpec.model_validate("generalised")
    comb = WeightSpec.model_validate({"method": "combined", "combine": "linear",
                                      "components": [{"method": "ahp", "matrix": [[1, 2], [0.5, 1]]}, "entropy"]})
    assert comb.alpha == 0.5
    with pytest.raises(ValidationError, match="combined_incomplete"):
        WeightSpec.model_validate({"method": "combined", "combine": "linear", "components": ["entropy"]})
    pca = WeightSpec.model_validate("pca")
    assert (pca.variant, pca.signed) == ("composite", False)
    with pytest.raises(ValidationError, match="option_not_for_method"):  # composite weights are never negative
        WeightSpec.model_validate({"method": "pca", "signed": True})
    with pytest.raises(ValidationError, match="variant_not_for_method"):
        WeightSpec.model_validate({"method": "pca", "variant": "zero_ln_zero"})
    with pytest.raises(ValidationError, match="variant_not_for_method"):
        WeightSpec.model_validate({"method": "entropy", "variant": "first_component"})


def test_county_types_keep_defaults_and_add_user_types():
    data = small()
    data["county_types"] = ["山区县"]
    data["type_overrides"] = {"山区县": {"r": {"weights": "entropy"}}}
    fw = Framework.model_validate(data)
    assert fw.county_types == ["优化开发", "重点发展", "生态功能", "山区县"]
    assert fw.for_type("山区县").root.weights.method == "entropy"
    with pytest.raises(KeyError):
        fw.for_type("平原县")


def test_override_weights_checked():
    data = small()
    data["type_overrides"] = {"生态功能": {"a": {"weight": 0.5}}}  # siblings b, c get none
    with pytest.raises(ValidationError, match="has no weight"):
        Framework.model_validate(data)


def test_framework_file_with_its_own_library(tmp_path):
    (tmp_path / "mine.yaml").write_text(
        "indicators:\n- {code: grain_output, name_zh: 粮食产量, name_en: Grain output, unit: 万吨, direction: +, kind: total, merge: sum}\n",
        encoding="utf-8")
    fw_file = tmp_path / "fw.yaml"
    fw_file.write_text(
        "code: t\nname_zh: 测试\nname_en: Test\nlibrary: mine.yaml\nroot:\n  code: r\n  name_zh: 根\n  children:\n"
        "    - {code: a, name_zh: 甲, indicator: gdp}\n    - {code: b, name_zh: 乙, indicator: grain_output}\n",
        encoding="utf-8")
    fw = load_framework(fw_file)
    assert fw.indicator_codes() == ["gdp", "grain_output"]
    assert fw.for_type("生态功能").indicator_codes() == ["gdp", "grain_output"]
