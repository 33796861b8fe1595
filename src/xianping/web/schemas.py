"""The JSON API's response shapes (pydantic), for the OpenAPI description. Responses are built as plain dicts
(and, for rankings and maps, cached as encoded bytes); these models document them and the API tests check
every response against them through schemathesis."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, Field


class Problem(BaseModel):
    detail: str = Field(description="What was wrong with the request, in words.")
    errors: Optional[list[dict[str, Any]]] = Field(None, description="Per-parameter validation errors (422 only).")


class UnitRef(BaseModel):
    unit_code: str = Field(description="6-digit GB/T 2260 code")
    unit_name: str = Field(description="名称 short name, e.g. 修武县")
    full_name: str = Field(description="全称 province › prefecture › county")
    province: str = Field(description="2-digit province code")
    province_name: str
    city: str = Field(description="prefecture code (6 digits) or empty for directly governed counties")
    city_name: str
    type: str = Field(description="县级类型 county type (市辖区 / 县级市 / 县 …)")


class Scope(BaseModel):
    """评价范围: which units the result ranked, and where (manifest `scope`, evaluation/scope.py)."""

    label: str = Field(description="e.g. 河南省 县域, 全国 县级单位")
    rank_label: str = Field(description="全国排名 | 省内排名 | 市内排名: where `rank` is counted")
    units: str = Field(description="all (every county-level unit) | county (县域: no 市辖区)")
    within: str = Field(description="none | province:41 | prefecture:4108")
    within_level: str = Field(description="none | province | prefecture")
    within_code: Optional[str]
    within_name: Optional[str] = Field(description="e.g. 河南省")
    units_in: int = Field(description="units in the scope")
    units_out: int = Field(description="units of the data left out (outside the scope)")
    kinds_in: dict[str, int] = Field(description="units in scope by kind (县, 县级市, 市辖区 …)")
    kinds_out: dict[str, int]


class GroupRanks(BaseModel):
    """A unit's rank within its province, prefecture and kind (re-ranked among the ranked units of each group)."""

    rank_province: Optional[int] = Field(description="省内名次 (1 = best in its province)")
    ranked_province: int = Field(description="units ranked in its province")
    prefecture_group: str = Field(description="4-digit prefecture group (4190: a province's directly governed units)")
    prefecture_group_name: str
    rank_prefecture: Optional[int] = Field(description="市内名次")
    ranked_prefecture: int
    kind: str = Field(description="单位类别 kind in the code vintage: 县, 县级市, 市辖区, 旗 …")
    rank_kind: Optional[int] = Field(description="同类名次 among units of the same kind")
    ranked_kind: int
    ranked_type: Optional[int] = Field(description="units ranked in its 分类考核 type (by-type results; else null)")


class RankingRow(UnitRef, GroupRanks):
    score: Optional[float] = Field(description="综合得分 composite score")
    rank: Optional[int] = Field(description="名次 in the result's scope (rank_label: 全国排名, or 省内排名 for a one-province result)")
    ranked: int = Field(description="units ranked in the scope")
    within: str = Field(description="scope | province | prefecture | kind | type: where within_rank is counted")
    within_rank: Optional[int] = Field(description="the rank within the unit's group (`within`); = rank for scope")
    within_ranked: Optional[int] = Field(description="units ranked in that group")
    type_rank: Optional[int] = Field(description="同类名次 rank within the county type")
    tier: Optional[int] = Field(description="方阵 tier (1 = best); null when no tiers")
    tier_label: str
    rank_change: Optional[int] = Field(description="进位 places gained since the base year (> 0 better)")
    score_change: Optional[float] = Field(description="score change since the base year")
    rank_lo: Optional[float] = Field(description="名次区间 rank interval, lower end (robustness results; null without)")
    rank_hi: Optional[float] = Field(description="rank interval, upper end")


class Rankings(BaseModel):
    year: str
    base_year: Optional[str]
    framework: Optional[str]
    index: str = Field(description="the composite index node")
    scope: Scope
    within: str
    rank_label: str = Field(description="the rank column's name: 全国排名/省内排名/市内排名, or 省内/市内/同类/同类型名次")
    total: int = Field(description="rows matching the filters (before limit/offset)")
    offset: int
    limit: Optional[int]
    rows: list[RankingRow]


class YearScore(GroupRanks):
    year: str
    score: Optional[float]
    rank: Optional[int]
    type_rank: Optional[int]
    ranked_units: int
    tier: Optional[int]
    tier_label: str
    national_mean: Optional[float]


class Profile(UnitRef):
    framework: Optional[str]
    scope: Scope
    rank_label: str
    kind: str
    prefecture_group_name: str
    index: dict[str, Any]
    years: list[YearScore]
    focus_year: str = Field(description="latest year in which the unit was ranked (strengths, obstacles, neighbours)")
    dimensions: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    strengths: list[dict[str, Any]]
    weaknesses: list[dict[str, Any]]
    obstacles: Optional[dict[str, Any]]
    rank_interval: Optional[list[dict[str, Any]]] = Field(description="from robustness results, when loaded")
    targets: Optional[list[dict[str, Any]]] = Field(description="target progress, when a targets file was loaded")
    neighbours: list[dict[str, Any]]
    score_sheet: Optional[list[dict[str, Any]]] = Field(
        None, description="考核得分表 of a points-based framework (scoring:), per year: decimals (places the points are stated to), total, max_points, points_lost, rank, "
                          "class_rank, award, vetoed and rows (item, item_zh, kind, rule, value, points, max_points, "
                          "points_lost) as in <results>.scoresheet.csv; null for an index framework")
    boundary_code: Optional[str]


class WhatIfLever(BaseModel):
    indicator: str = Field(description="indicator code")
    name_zh: str
    name_en: str
    unit: str = Field(description="单位 the indicator's unit")
    direction: str = Field(description="positive | negative | moderate")
    scenario: str = Field(description="step:10% | province_median | top_median | province_best")
    scenario_label: str
    current: Optional[float] = Field(description="当前值 the county's value")
    value: Optional[float] = Field(description="情景值 the value in the scenario")
    change_pct: Optional[float]
    new_score: Optional[float]
    delta_score: Optional[float]
    new_rank: Optional[int] = Field(description="新排名 rank with this one change (counted where `scope` says)")
    rank_gain: Optional[int] = Field(description="进位 places gained")
    note: str


class WhatIfNeeded(BaseModel):
    indicator: str
    name_zh: str
    name_en: str
    unit: str
    current: Optional[float]
    needed: Optional[float] = Field(description="所需值 smallest value (within 0.1 % of the change) reaching the target rank alone")
    change_pct: Optional[float] = Field(description="所需变化% change from the current value")
    new_rank: Optional[int]
    reachable: bool
    reason: str = Field(description="reachable | already | no_data | no_value | at_best | weight | other")
    reason_label: str
    search_limit: Optional[float] = Field(description="the best value searched up to (score at its maximum)")
    rank_at_limit: Optional[int] = Field(description="rank at the search limit, when even that does not reach the target")
    note: str


class WhatIf(BaseModel):
    kind: Literal["index"] = Field(description="index: the composite index's what-if (a points-based result answers kind points, PointsWhatIf)")
    unit_code: str
    unit_name: str
    full_name: str
    year: str
    target_rank: int
    top_n: int
    score: float
    rank: int
    ranked_units: int
    scope: str = Field(description="where the rank is counted: nation | province | prefecture | type")
    ranked_where: str = Field(description="the same in words: nationally, in 河南省, among 县 units …")
    score_at_target_rank: float
    gap: float = Field(description="score still missing to the target rank's score")
    levers: list[WhatIfLever] = Field(description="the best scenario of each indicator that raises the score, most places gained first (at most 8)")
    needed: list[WhatIfNeeded] = Field(description="per indicator: value needed to reach the target rank alone, reachable first")
    evaluations: dict[str, Any] = Field(description="engine re-evaluations made")
    seconds: float = Field(description="computing time of this answer (repeats are served from memory)")
    method: str
    settings: dict[str, Any]
    summary: dict[str, Any] = Field(description="analysis.what_if's summary, as `xianping analyse whatif --json` prints it")
    tables: dict[str, list[dict[str, Any]]] = Field(description="analysis.what_if's tables (whatif: every scenario; needed)")


class PointsWhatIfItem(BaseModel):
    item: str = Field(description="the programme's item code")
    item_zh: str
    indicator: str = Field(description="the indicator the item scores")
    name_zh: str
    name_en: str
    unit: str = Field(description="单位 the indicator's unit")
    value: Optional[float] = Field(description="现值 the county's value (as reported, denominated)")
    value_then: Optional[float] = Field(description="满分值 the value that earns the item's full points (the county's own when already as good)")
    points: Optional[float] = Field(description="得分 the item's points now")
    points_then: Optional[float] = Field(description="the item's points at that value")
    gain: Optional[float] = Field(description="得分增加 points gained on the item (to the programme's decimals)")
    max_points: Optional[float]
    total_then: Optional[float] = Field(description="新总分 the county's total with this one change (every county scored again)")
    total_gain: Optional[float] = Field(description="change of the total")
    rank_then: Optional[int] = Field(description="新名次 rank by the programme's ranking mode")
    class_rank_then: Optional[int] = Field(description="新类内名次 rank within the county's class")
    advanced_then: bool = Field(description="先进县 with this one change")


class PointsWhatIf(BaseModel):
    kind: Literal["points"] = Field(description="points: a 考核办法 (framework with scoring:), each item alone at its full points")
    unit_code: str
    unit_name: str
    full_name: str
    year: str
    decimals: int = Field(description="places the points are stated to (scoring.decimals)")
    total: float = Field(description="总分 the county's total now")
    rank: Optional[int] = Field(description="名次 by the programme's ranking mode (`ranked_by`)")
    class_rank: Optional[int] = Field(description="类内名次")
    class_name: str = Field(description="the county's class (分类), empty when the programme has none")
    ranked_by: Literal["class", "all"] = Field(description="class: ranked within its class (分类排序); all: together")
    vetoed: bool = Field(description="一票否决")
    advanced: bool = Field(description="先进县 now")
    advanced_line: Optional[float] = Field(description="先进县线: the total of the last 先进县 of its group (null without that award)")
    points_short: Optional[float] = Field(description="points short of the 先进县 line (0 when at or above it)")
    items: list[PointsWhatIfItem] = Field(description="per item, in the programme's order")
    seconds: float = Field(description="computing time of this answer (repeats are served from memory)")
    summary: dict[str, Any] = Field(description="analysis.points_what_if's facts and table, as `xianping analyse whatif --json` prints it")


class MapRow(BaseModel):
    unit_code: str
    boundary_code: Optional[str] = Field(description="code of the boundary polygon (2023 geometry; 1:1 recodes resolved)")
    unit_name: str
    score: Optional[float]
    rank: Optional[int]


class MapData(BaseModel):
    year: str
    node: str
    province: Optional[str]
    min: Optional[float]
    max: Optional[float]
    scale_min: Optional[float] = Field(description="lowest score over all years (a common colour scale across years)")
    scale_max: Optional[float]
    rows: list[MapRow]


class FrameworkOut(BaseModel):
    code: Optional[str]
    name_zh: str
    name_en: str
    version: Optional[str]
    source: str
    hash: str
    years: list[str]
    settings: dict[str, Any]
    normalisation: dict[str, Any]
    tree: dict[str, Any]


class Frameworks(BaseModel):
    frameworks: list[FrameworkOut]


class Meta(BaseModel):
    framework: dict[str, Any]
    years: list[str]
    base_year: Optional[str]
    units: int
    provinces: list[dict[str, str]]
    types: list[str]
    tiers: list[dict[str, Any]]
    rank_intervals: bool
    targets: bool
    scope: Scope
    within: list[str] = Field(description="the rank-within choices of /api/rankings for this result")
    origin: dict[str, str]


class Compare(BaseModel):
    years: list[str]
    dimensions: list[dict[str, str]]
    units: list[dict[str, Any]]


class Quality(BaseModel):
    units: int
    ranked: dict[str, int]
    coverage: list[dict[str, Any]]
    raw_note: str
    imputation: dict[str, Any]
    missing_years: dict[str, Any]
    screen: dict[str, Any]
    screened_out: list[dict[str, Any]]
    flags: list[dict[str, Any]]
