"""Groupings of county codes: province, prefecture, county type, and the four regions (东部/中部/西部/东北).

Regions follow the National Bureau of Statistics division (国家统计局《东西中部和东北地区划分方法》, 2011):
东部 10 provinces, 中部 6, 西部 12, 东北 3, keyed by the province part of the code (first two digits).
"""

from __future__ import annotations

from typing import Iterable, Mapping

REGIONS: dict[str, tuple[str, ...]] = {
    "东部": ("11", "12", "13", "31", "32", "33", "35", "37", "44", "46"),  # 京 津 冀 沪 苏 浙 闽 鲁 粤 琼
    "中部": ("14", "34", "36", "41", "42", "43"),                          # 晋 皖 赣 豫 鄂 湘
    "西部": ("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"),  # 蒙 桂 渝 川 黔 滇 藏 陕 甘 青 宁 新
    "东北": ("21", "22", "23"),                                            # 辽 吉 黑
}
REGION_OF_PROVINCE = {p: r for r, ps in REGIONS.items() for p in ps}
GROUPINGS = ("province", "prefecture", "type", "region")
KIND_TYPES = {"市辖区": "市辖区", "县级市": "县级市"}


def group_labels(codes: Iterable[str], by: str | Mapping[str, str], year: int = 2024) -> list[str]:
    """One label per code: `by` is province | prefecture | type | region, or a mapping code → label.

    Province and prefecture are names from the divisions gazetteer in `year` (code prefixes when unknown);
    a county directly under a province (省直辖县级行政单位) is its own prefecture group "省直辖"; type is
    市辖区 / 县级市 / 县 (县, 自治县, 旗 …) from the gazetteer kind."""
    codes = [str(c) for c in codes]
    if isinstance(by, Mapping):
        return [str(by.get(c, "")) for c in codes]
    if by == "region":
        return [REGION_OF_PROVINCE.get(c[:2], "其他") for c in codes]
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}: use province, prefecture, type, region or a mapping")
    from xianping.reference.divisions import get_gazetteer

    gaz = get_gazetteer()
    out = []
    for c in codes:
        d = gaz.get(c, year) or gaz.get(c)
        if by == "province":
            out.append(d.parents[0][1] if d is not None and d.parents else c[:2])
        elif by == "prefecture":
            if d is not None and len(d.parents) >= 2:
                out.append(d.parents[1][1])
            elif d is not None and d.parents:
                out.append(d.parents[0][1] + "省直辖")
            else:
                out.append(c[:4])
        else:
            out.append("未知" if d is None else KIND_TYPES.get(d.kind, "县"))
    return out
