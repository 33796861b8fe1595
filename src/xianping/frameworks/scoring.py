"""考核办法: the `scoring:` section of a framework — the points a provincial assessment office would publish.

Rule shapes follow the published provincial methods summarised in /work/shared/docs/assessment_practice.md
(四川 2019 县域经济发展考核办法 "统一指标、分类赋权"; 山东 差异化评价 "分类评分、统一排序"):

- `target_completion`: full points at or above the target; below it `deduct` points per `step` of shortfall
  ("完成目标得满分，每低1个百分点扣0.5分，扣完为止"), never below `floor`; above it optionally `bonus` per step up to
  `bonus_cap` extra points. `measure`: difference (x − target, in the indicator's unit: 百分点 for a rate) |
  completion (100·x/target − 100, in per cent of the target).
- `growth_vs_average`: the indicator's growth over the previous year evaluated (`measure`: growth — per cent, a
  zero or negative base gives no growth — | change — x_t − x_{t−1}, 百分点 for a rate — | value — the indicator
  is itself a growth rate) compared with the mean of the units of the same province ("增幅高于全省平均水平"):
  strictly above earns the points plus `bonus` per point above (up to `bonus_cap`), otherwise `below_points`.
- `efficacy_coefficient` (功效系数法): 60 + 40 × (x − 不允许值)/(满意值 − 不允许值), clipped to [`low`, `high`], as a
  share of 100 of the item's points.
- `rank_points` (名次赋分): first place gets full points, each place lower loses `step`; ties share the better place.

Bonus (加分) and penalty (扣分) items lie outside the total and are each capped; vetoes (一票否决) bar a county from
every award and rank it after all counties without a veto. Classes carry their own points per item (each class
totalling `total`), ranked within each class or together. Awards: 先进县, 进步县, 单项奖, 第一方阵.

Every default is filled in on validation, so the manifest (`Scoring.to_dict`) records the parameters used.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xianping.frameworks.located import Finding
from xianping.frameworks.yaml_lines import Path

POINTS_TOLERANCE = 1e-6
RULE_KINDS = ("target_completion", "growth_vs_average", "efficacy_coefficient", "rank_points")


def _err(kind: str, message: str, expected: str | None = None) -> ValueError:
    # located.pydantic_problems splits "[kind] message | expected …" back into Problem fields
    return ValueError(f"[{kind}] {message}" + (f" | expected {expected}" if expected else ""))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# parameters of each rule kind: name → default (None: required)
RULE_PARAMS: dict[str, dict[str, Any]] = {
    "target_completion": {"target": None, "deduct": 0.5, "step": 1.0, "floor": 0.0, "bonus": 0.0, "bonus_cap": 0.0,
                          "measure": "difference", "steps": "continuous", "better": None},
    "growth_vs_average": {"measure": "growth", "bonus": 0.0, "bonus_cap": 0.0, "below_points": 0.0,
                          "average": "province", "better": None},
    "efficacy_coefficient": {"satisfactory": None, "unacceptable": None, "base": 60.0, "span": 40.0,
                             "low": 0.0, "high": 100.0},
    "rank_points": {"step": None, "floor": 0.0, "among": "all", "better": None},
}
CHOICES = {"measure": {"target_completion": ("difference", "completion"),
                       "growth_vs_average": ("growth", "change", "value")},
           "steps": ("continuous", "whole"), "average": ("province", "all"), "among": ("all", "class"),
           "better": ("higher", "lower", None)}
NON_NEGATIVE = ("deduct", "floor", "bonus", "bonus_cap", "below_points", "step", "span")


class Rule(_Strict):
    """One indicator's rule: `kind` and its parameters (see RULE_PARAMS; every default is filled in)."""

    kind: Literal["target_completion", "growth_vs_average", "efficacy_coefficient", "rank_points"]
    target: float | None = None
    deduct: float | None = None
    step: float | None = None
    floor: float | None = None
    bonus: float | None = None
    bonus_cap: float | None = None
    measure: str | None = None
    steps: str | None = None
    better: Literal["higher", "lower"] | None = None
    below_points: float | None = None
    average: str | None = None
    satisfactory: float | None = None
    unacceptable: float | None = None
    base: float | None = None
    span: float | None = None
    low: float | None = None
    high: float | None = None
    among: str | None = None

    @model_validator(mode="after")
    def _params(self) -> "Rule":
        declared = RULE_PARAMS[self.kind]
        stray = sorted(k for k in self.model_fields_set - {"kind"} if k not in declared)
        if stray:
            raise _err("option_not_for_rule", f"parameter(s) {', '.join(stray)} do not apply to rule {self.kind!r}",
                       f"only {', '.join(declared)} for {self.kind}")
        for name, default in declared.items():
            if getattr(self, name) is None:
                if default is None and name != "better":
                    raise _err("missing_parameter", f"rule {self.kind!r} needs parameter {name!r}",
                               f"{name}: <number> ({_meaning(self.kind, name)})")
                setattr(self, name, default)
        for name in NON_NEGATIVE:
            v = getattr(self, name)
            if name in declared and v is not None and v < 0:
                raise _err("negative_parameter", f"rule {self.kind!r}: {name} = {v:g} is negative", f"{name} ≥ 0")
        for name in ("measure", "steps", "average", "among"):
            if name in declared:
                ok = CHOICES[name][self.kind] if isinstance(CHOICES[name], dict) else CHOICES[name]
                if getattr(self, name) not in ok:
                    raise _err("invalid_choice", f"rule {self.kind!r}: {name} = {getattr(self, name)!r}", " | ".join(ok))
        if self.kind in ("target_completion", "rank_points") and self.step == 0:
            raise _err("zero_step", f"rule {self.kind!r}: step is 0", "a step > 0 (e.g. 1 percentage point / 1 place)")
        if self.kind == "target_completion" and self.measure == "completion" and self.target == 0:
            raise _err("zero_target", "rule 'target_completion': measure completion divides by the target, which is 0",
                       "a target ≠ 0, or measure: difference")
        if self.kind == "efficacy_coefficient":
            if self.satisfactory == self.unacceptable:
                raise _err("efficacy_degenerate", f"满意值 (satisfactory) and 不允许值 (unacceptable) are both "
                           f"{self.satisfactory:g}: the 功效系数 divides by their difference",
                           "satisfactory ≠ unacceptable (satisfactory < unacceptable for a lower-is-better indicator)")
            if not 0 <= self.low <= self.high:
                raise _err("bad_clip", f"efficacy clip low = {self.low:g}, high = {self.high:g}", "0 ≤ low ≤ high")
        return self

    def params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in RULE_PARAMS[self.kind]}


def _meaning(kind: str, name: str) -> str:
    return {"target": "the target value", "satisfactory": "满意值, where the 功效 score reaches 100",
            "unacceptable": "不允许值, where it is 60", "step": "points lost per place"}.get(name, name)


class Item(_Strict):
    """An indicator item of the 100 points: its indicator (a leaf's indicator code), points and rule."""

    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    name_zh: str | None = None
    indicator: str
    points: float = Field(ge=0)
    rule: Rule

    @model_validator(mode="after")
    def _floor(self) -> "Item":
        floor = self.rule.floor if self.rule.kind in ("target_completion", "rank_points") else None
        if floor is not None and floor > self.points:
            raise _err("floor_above_points", f"item {self.code!r}: floor {floor:g} is above its full points "
                       f"{self.points:g}", f"floor ≤ {self.points:g}")
        if self.rule.kind == "growth_vs_average" and self.rule.below_points > self.points:
            raise _err("floor_above_points", f"item {self.code!r}: below_points {self.rule.below_points:g} is above "
                       f"its full points {self.points:g}", f"below_points ≤ {self.points:g}")
        return self


class Adjustment(_Strict):
    """A 加分 or 扣分 item outside the total: `each` points per unit of the indicator (e.g. +1 per national honour),
    or `points` once the indicator passes `threshold` (`when`: at_least | at_most); never more than `cap`."""

    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    name_zh: str | None = None
    indicator: str
    each: float | None = None
    points: float | None = None
    threshold: float | None = None
    when: Literal["at_least", "at_most"] = "at_least"
    cap: float

    @model_validator(mode="after")
    def _shape(self) -> "Adjustment":
        if self.cap < 0:
            raise _err("negative_cap", f"{self.code!r}: cap {self.cap:g} is below zero",
                       "cap ≥ 0 (the most points this item can add or take)")
        if (self.each is None) == (self.points is None):
            raise _err("adjustment_shape", f"{self.code!r} needs either `each` (points per unit of the indicator) or "
                       "`points` with `threshold`", "each: 1 or points: 2 with threshold: <value>")
        if self.points is not None and self.threshold is None:
            raise _err("missing_parameter", f"{self.code!r}: `points` needs a `threshold`", "threshold: <value>")
        for name in ("each", "points"):
            v = getattr(self, name)
            if v is not None and v < 0:
                raise _err("negative_parameter", f"{self.code!r}: {name} = {v:g} is negative (a penalty is listed "
                           "under penalties, with positive points)", f"{name} ≥ 0")
        return self


class Veto(_Strict):
    """一票否决: a unit whose indicator is at least (`when: at_least`) or at most `threshold` is vetoed."""

    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    name_zh: str | None = None
    indicator: str
    threshold: float
    when: Literal["at_least", "at_most"] = "at_least"


class SingleAward(_Strict):
    item: str
    top_n: int = Field(default=1, ge=1)


class Awards(_Strict):
    """先进县 (`advanced`: top N, overall or per class), 进步县 (`improved`: top N by rank gained over the previous
    year evaluated), 单项奖 (`single`: best on one item's points), 第一方阵 (`first_tier`: 前 N 位, ranked together)."""

    advanced: int | None = Field(default=None, ge=1)
    advanced_per_class: bool = False
    improved: int | None = Field(default=None, ge=1)
    single: list[SingleAward] = Field(default_factory=list)
    first_tier: int | None = Field(default=30, ge=1)


class Scoring(_Strict):
    """`decimals`: points as published — each item, bonus and penalty rounded half up (四舍五入) to this many decimals,
    the total the sum of the rounded parts, ranks and awards on that total (provincial 考核 results state points to
    the hundredth: default 2)."""

    total: float = Field(default=100.0, gt=0)
    decimals: int = Field(default=2, ge=0, le=6)
    ranking_mode: Literal["within_class", "together"] = "together"
    classes: list[str] = Field(default_factory=list)
    class_points: dict[str, dict[str, float]] = Field(default_factory=dict)
    items: list[Item] = Field(min_length=1)
    bonuses: list[Adjustment] = Field(default_factory=list)
    penalties: list[Adjustment] = Field(default_factory=list)
    vetoes: list[Veto] = Field(default_factory=list)
    awards: Awards = Field(default_factory=Awards)

    def findings(self, indicators: set[str], path: Path = ("scoring",)) -> list[Finding]:
        """Meaning checks that need the framework: indicators, item codes, points totalling `total`, classes."""
        out: list[Finding] = []
        codes: dict[str, int] = {}
        for i, it in enumerate(self.items):
            ipath = path + ("items", i)
            if it.code in codes:
                out.append(Finding("duplicate_code", f"item code {it.code!r} is used twice", ipath + ("code",), it.code,
                                   "unique item codes"))
            codes.setdefault(it.code, i)
        groups = [("items", self.items), ("bonuses", self.bonuses), ("penalties", self.penalties), ("vetoes", self.vetoes)]
        for key, entries in groups:
            for i, e in enumerate(entries):
                if e.indicator not in indicators:
                    out.append(Finding("unknown_indicator", f"{key} {e.code!r}: indicator {e.indicator!r} is not an "
                                       "indicator of this framework", path + (key, i, "indicator"), e.indicator,
                                       f"one of {', '.join(sorted(indicators))}"))
        total = sum(it.points for it in self.items)
        if abs(total - self.total) > POINTS_TOLERANCE:
            out.append(Finding("points_not_total", f"the items' points sum to {total:g}, not the total {self.total:g}",
                               path + ("items",), round(total, 10), f"points summing to {self.total:g}"))
        for cls, table in self.class_points.items():
            cpath = path + ("class_points", cls)
            if cls not in self.classes:
                out.append(Finding("unknown_class", f"class {cls!r} is not declared in scoring.classes", cpath, cls,
                                   f"one of {', '.join(self.classes) or '(none declared: add classes: [...])'}"))
            for code, pts in table.items():
                if code not in codes:
                    out.append(Finding("unknown_item", f"class {cls!r}: no item {code!r}", cpath + (code,), code,
                                       f"one of {', '.join(codes)}"))
                elif pts < 0:
                    out.append(Finding("negative_points", f"class {cls!r}: item {code!r} has {pts:g} points",
                                       cpath + (code,), pts, "points ≥ 0"))
            pts = {c: table.get(c, self.items[i].points) for c, i in codes.items()}
            s = sum(pts.values())
            if abs(s - self.total) > POINTS_TOLERANCE:
                out.append(Finding("points_not_total", f"class {cls!r}: points sum to {s:g}, not the total "
                                   f"{self.total:g}", cpath, round(s, 10), f"points summing to {self.total:g}"))
            for c, i in codes.items():
                rule = self.items[i].rule
                floor = rule.floor if rule.kind in ("target_completion", "rank_points") else None
                if c in table and floor is not None and floor > table[c]:
                    out.append(Finding("floor_above_points", f"class {cls!r}: item {c!r} has {table[c]:g} points, "
                                       f"below its floor {floor:g}", cpath + (c,), table[c], f"points ≥ {floor:g}"))
        for i, s in enumerate(self.awards.single):
            if s.item not in codes:
                out.append(Finding("unknown_item", f"单项奖 for unknown item {s.item!r}",
                                   path + ("awards", "single", i, "item"), s.item, f"one of {', '.join(codes)}"))
        if self.ranking_mode == "within_class" and not self.classes:
            out.append(Finding("no_classes", "ranking_mode within_class needs classes", path + ("ranking_mode",),
                               self.ranking_mode, "classes: [...] (with class_points), or ranking_mode: together"))
        if self.awards.advanced_per_class and not self.classes:
            out.append(Finding("no_classes", "先进县 per class needs classes", path + ("awards", "advanced_per_class"),
                               True, "classes: [...], or advanced_per_class: false"))
        return out

    def item_points(self) -> tuple[list[str], list[list[float]]]:
        """Class names (declared order, then '' for units of no declared class) and points per class × item."""
        names = [*self.classes, ""]
        table = [[self.class_points.get(c, {}).get(it.code, it.points) for it in self.items] for c in names]
        return names, table

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
