"""Kinds of county-level units and which of them are 县域 (county economies), as 县域 statistics count them.

GB/T 2260 county-level units are 县, 自治县, 旗, 自治旗, 县级市, 特区 (六枝特区), 林区 (神农架林区) and 市辖区 (city
districts). 县域 work (县域经济, 百强县, provincial 县域 assessments) counts the first seven and leaves city districts
out; a province may count some districts as 县域 too (former counties turned districts), named by code in the
evaluation's scope (`include_districts`). The kind of a unit comes from its name in the year asked for
(`names.derive_kind`): 520201 was 水城特区 until 1986 and is 钟山区 (市辖区) since; 矿区 and 新区 (峰峰矿区, 浦东新区)
are districts, 神农架林区 is the only 林区.
"""

from __future__ import annotations

# 县域 kinds, in the order a table lists them
COUNTY_KINDS = ("县", "自治县", "旗", "自治旗", "县级市", "特区", "林区")
DISTRICT = "市辖区"
# every kind a county-level unit can have (names.derive_kind), 其他 for 西沙群岛 and 行委-style units
COUNTY_LEVEL_KINDS = COUNTY_KINDS + (DISTRICT, "镇", "其他")

KIND_EN = {
    "县": "county", "自治县": "autonomous county", "旗": "banner", "自治旗": "autonomous banner",
    "县级市": "county-level city", "特区": "special district", "林区": "forestry district", DISTRICT: "city district",
    "镇": "town (county-level)", "其他": "other",
    "省": "province", "自治区": "autonomous region", "直辖市": "municipality", "特别行政区": "SAR",
    "地级市": "prefecture-level city", "地区": "prefecture", "自治州": "autonomous prefecture", "盟": "league",
}


def is_county_area(kind: str | None) -> bool:
    """Whether a unit of this kind is 县域 (县, 自治县, 旗, 自治旗, 县级市, 特区, 林区); 市辖区 and others are not."""
    return kind in COUNTY_KINDS


def kind_label(kind: str | None) -> str:
    """'县级市 county-level city'; '' for None."""
    if not kind:
        return ""
    en = KIND_EN.get(kind)
    return f"{kind} {en}" if en else kind
