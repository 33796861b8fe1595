"""Measurement units as Chinese yearbooks print them, and conversion between them."""

import pytest

from xianping.reference.measure_units import (
    UnitMismatchError,
    UnknownUnitError,
    conversion_factor,
    parse_unit,
    split_header,
)


@pytest.mark.parametrize(
    "src,dst,factor",
    [
        ("万元", "亿元", 1e-4),
        ("亿元", "元", 1e8),
        ("万人", "人", 1e4),
        ("‰", "%", 0.1),
        ("%", "%", 1.0),
        ("Mt", "万吨", 100.0),
        ("万元/人", "元/人", 1e4),
        ("公顷", "亩", 15.0),
        ("km²", "平方公里", 1.0),
        ("万吨标准煤", "吨标准煤", 1e4),
        ("万千瓦/公顷", "千瓦/亩", 1e4 / 15.0),
        ("亿立方米", "万立方米", 1e4),
    ],
)
def test_conversion_factors(src, dst, factor):
    assert conversion_factor(src, dst) == pytest.approx(factor)


def test_percentage_points_are_not_percent():
    # a change of 2 个百分点 is not 2 % of anything: refusing the conversion keeps the two apart
    with pytest.raises(UnitMismatchError):
        conversion_factor("个百分点", "%")


def test_mismatched_dimensions_are_refused():
    with pytest.raises(UnitMismatchError, match="亿元.*人"):
        conversion_factor("亿元", "人")


def test_unknown_unit():
    with pytest.raises(UnknownUnitError):
        parse_unit("斤两")


def test_full_width_and_aliases():
    assert parse_unit("％").symbol == "%"
    assert parse_unit(" 万元 ").symbol == "万元"
    assert parse_unit("yuan").symbol == "元"


@pytest.mark.parametrize(
    "header,name,unit",
    [
        ("地区生产总值（亿元）", "地区生产总值", "亿元"),
        ("人均住房建筑面积（平方米/人）", "人均住房建筑面积", "平方米/人"),
        ("少数民族\n人口比重\n（%）", "少数民族人口比重", "%"),
        ("GDP (亿元)", "GDP", "亿元"),
        # a bracket that is not a unit stays part of the name
        ("性别比（女=100）", "性别比(女=100)", None),
        ("常住人口", "常住人口", None),
    ],
)
def test_split_header(header, name, unit):
    assert split_header(header) == (name, unit)
