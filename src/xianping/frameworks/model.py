"""Indicator frameworks (指标体系) as a pydantic tree of any depth.

A `Framework` has a `root` `Node`; a node either has `children` (a dimension, 维度/准则层) or references one
`indicator` (a leaf, 指标层). Each branch says how its children are weighted (`weights`) and combined
(`aggregation`); unset ones take `defaults`. `type_overrides` change weights or methods per county type
(分类考核: 优化开发 / 重点发展 / 生态功能 …).

Validation happens in two layers:
- structure and types (pydantic): every error is reported with its key path;
- meaning (`Framework.findings`): unique codes, resolvable indicators, weights, AHP matrices, overrides.
  These run once the structure is valid.

Explicit weights (decision): they must be ≥ 0 and not all zero; if they do not sum to 1 within 1e-6 they are
normalised to sum 1 and a warning is reported (papers often print rounded weights that sum to 0.999 or give
raw points such as 30/40/30).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from fractions import Fraction
from typing import Any, Iterator, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from xianping.frameworks.library import (
    CODE_PATTERN,
    Indicator,
    IndicatorLibrary,
    _check_unit,
    load_library,
    parse_direction,
)
from xianping.engine.mcda import RANKING_METHODS, WEIGHTING_METHODS
from xianping.frameworks.located import Finding
from xianping.frameworks.scoring import Scoring
from xianping.frameworks.yaml_lines import Path

DEFAULT_COUNTY_TYPES = ["优化开发", "重点发展", "生态功能"]

PCA_VARIANTS = ("composite", "first_component")
# engine.weights.pca's choices for the composite variant (mathmodels pca_weight: all components, varimax, abs)
PCA_COMPOSITE_OPTIONS = {"n_components": None, "min_eigenvalue": 1.0, "rotation": "none", "loading": "abs"}
BUILTIN_WEIGHTS = ("equal", "explicit", "ahp", "entropy", "critic", "cv", "pca", "combined")
BUILTIN_AGGREGATIONS = ("arithmetic", "geometric", "harmonic", "generalised", "topsis", "grey_relational")
# the MCDA methods of engine.mcda (VIKOR, PROMETHEE II, MEREC …) are named like the built-in ones
WeightMethod = Literal[BUILTIN_WEIGHTS + tuple(WEIGHTING_METHODS)]  # type: ignore[valid-type]
AggregationMethod = Literal[BUILTIN_AGGREGATIONS + tuple(RANKING_METHODS)]  # type: ignore[valid-type]
# MEREC, CILOS and IDOCRIW work on a decision matrix of positive values with cost/benefit types, as published:
# by default they see the children's raw values (indicators before normalisation, with their directions)
RAW_BASIS_WEIGHTS = ("merec", "cilos", "idocriw")

# Saaty's random index, n = 1..15 (methods_formulas.md §4; n = 12 is 1.48 in some sources, 1.54 in others)
SAATY_RI = [0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59]
RECIPROCAL_TOLERANCE = 0.02  # people write 1/3 as 0.33
WEIGHT_SUM_TOLERANCE = 1e-6

NODE_CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"


def _err(kind: str, message: str, expected: str | None = None) -> ValueError:
    # located.pydantic_problems splits "[kind] message | expected …" back into Problem fields
    return ValueError(f"[{kind}] {message}" + (f" | expected {expected}" if expected else ""))


def _finite_options(v: dict[str, Any] | None) -> dict[str, Any] | None:
    """`options` are free-form (each method declares its own), so allow_inf_nan does not reach them."""
    def bad(x: Any) -> bool:
        if isinstance(x, float):
            return not math.isfinite(x)
        if isinstance(x, (list, tuple)):
            return any(bad(y) for y in x)
        if isinstance(x, dict):
            return any(bad(y) for y in x.values())
        return False

    for k, x in (v or {}).items():
        if bad(x):
            raise _err("not_finite", f"option {k!r} is {x!r}, not a finite number", "a finite number (not .inf or .nan)")
    return v


def _method_options(kind: str, method: str, declared: dict[str, Any], given: dict[str, Any] | None) -> dict[str, Any]:
    """An MCDA method's `options`, checked against what it declares and completed with every default (so the
    manifest records them)."""
    given = dict(given or {})
    stray = sorted(set(given) - set(declared))
    if stray:
        raise _err("option_not_for_method", f"option(s) {', '.join(stray)} do not apply to {kind} {method!r}",
                   (f"only {', '.join(sorted(declared))}" if declared else "no options") + f" for {method}")
    return {**declared, **given}


def _shorthand(key: str):
    """Allow `weights: entropy` for `weights: {method: entropy}`."""

    def before(cls, v: Any) -> Any:
        return {key: v} if isinstance(v, str) else v

    return model_validator(mode="before")(classmethod(before))


class _Strict(BaseModel):
    # allow_inf_nan=False: a weight, goalpost or parameter of .inf or .nan would pass every range check (NaN compares
    # false) and silently zero or poison the scores
    model_config = ConfigDict(extra="forbid", validate_assignment=False, allow_inf_nan=False)


class WeightSpec(_Strict):
    """How a branch weights its children.

    - equal; explicit (children's `weight`); ahp (`matrix` over the children in order, `ri_table`, `solver`);
    - entropy (`variant`: zero_ln_zero | shift | epsilon_rescale | spssau_shift, `shift` value);
    - critic (`correlation`: signed | absolute); cv (`basis`: raw | normalised);
    - pca (`variant`: composite — 主成分综合系数, |loadings| of the Kaiser components, `options`: n_components,
      min_eigenvalue, rotation none | varimax, loading abs | squared — | first_component — COINr
      get_PCA, the signed loadings of PC1; `signed: true` lets negative loadings stand, as COINr does, with the
      arithmetic mean only — without it a negative weight is an error that names the node);
    - combined (`combine`: linear (`alpha` for the first component) | multiplicative | geometric | game_theory,
      over `components`);
    - the engine.mcda weightings — merec, gini, cilos, idocriw, angle, lopcow, variance, std, rancom — with their own
      `options` (every default filled in) and `basis`: normalised (the children's scores) | raw (indicators before
      normalisation with their directions; the default of merec, cilos and idocriw, which need positive values).
    """

    method: WeightMethod
    matrix: list[list[float]] | None = None
    ri_table: Literal["saaty", "gong_xu"] | None = None
    solver: Literal["eigenvector", "geometric_mean", "arithmetic_mean"] | None = None
    variant: Literal["zero_ln_zero", "shift", "epsilon_rescale", "spssau_shift", "composite", "first_component"] | None = None
    shift: float | None = Field(default=None, gt=0)
    correlation: Literal["signed", "absolute"] | None = None
    basis: Literal["raw", "normalised"] | None = None
    combine: Literal["linear", "multiplicative", "geometric", "game_theory"] | None = None
    alpha: float | None = Field(default=None, ge=0, le=1)
    components: list["WeightSpec"] | None = None
    signed: bool | None = None
    options: dict[str, Any] | None = None  # the MCDA weightings' own options (merec, angle, rancom …)

    _short = _shorthand("method")
    _finite = field_validator("options")(classmethod(lambda cls, v: _finite_options(v)))

    @field_validator("matrix", mode="before")
    @classmethod
    def _fractions(cls, v: Any) -> Any:
        # AHP judgements are written as 1/3, 1/5 …; accept them as text
        if isinstance(v, list):
            return [
                [float(Fraction(x.replace(" ", ""))) if isinstance(x, str) and _is_fraction(x) else x for x in row]
                if isinstance(row, list) else row
                for row in v
            ]
        return v

    @field_validator("matrix")
    @classmethod
    def _ahp_matrix(cls, m: list[list[float]] | None) -> list[list[float]] | None:
        if m is None:
            return m
        n = len(m)
        if n == 0 or any(len(row) != n for row in m):
            raise _err("ahp_not_square", f"AHP matrix is not square (rows of length {[len(r) for r in m]})",
                       "an n × n matrix, one row and one column per child")
        for i in range(n):
            for j in range(n):
                if m[i][j] <= 0:
                    raise _err("ahp_not_positive", f"AHP matrix entry [{i}][{j}] = {m[i][j]} is not positive",
                               "positive judgements on the 1–9 scale (1/9 … 9)")
        for i in range(n):
            if abs(m[i][i] - 1) > RECIPROCAL_TOLERANCE:
                raise _err("ahp_not_reciprocal", f"AHP matrix diagonal [{i}][{i}] = {m[i][i]} is not 1", "1 on the diagonal")
            for j in range(i + 1, n):
                if abs(m[i][j] * m[j][i] - 1) > RECIPROCAL_TOLERANCE * max(1.0, m[i][j], m[j][i]):
                    raise _err("ahp_not_reciprocal",
                               f"AHP matrix is not reciprocal: [{i}][{j}] = {m[i][j]} but [{j}][{i}] = {m[j][i]}",
                               f"[{j}][{i}] = 1/{m[i][j]:g}")
        return m

    @model_validator(mode="after")
    def _method_options(self) -> "WeightSpec":
        own = {
            "ahp": {"matrix", "ri_table", "solver"},
            "entropy": {"variant", "shift"},
            "critic": {"correlation"},
            "cv": {"basis"},
            "pca": {"variant", "signed", "options"},
            "combined": {"combine", "alpha", "components"},
        }.get(self.method, set())
        if self.method in WEIGHTING_METHODS:
            own = {"options", "basis"}
        stray = [k for k in self.model_fields_set - {"method"} if k not in own]
        if stray:
            raise _err("option_not_for_method", f"option(s) {', '.join(sorted(stray))} do not apply to method {self.method!r}",
                       (f"only {', '.join(sorted(own))}" if own else "no options") + f" for {self.method}")
        # fill defaults so that the manifest records the variant actually used
        if self.method == "ahp":
            if self.matrix is None:
                raise _err("ahp_without_matrix", "method ahp needs a pairwise comparison matrix",
                           "matrix: [[1, 3], [1/3, 1]] with one row per child")
            self.ri_table = self.ri_table or "saaty"
            self.solver = self.solver or "eigenvector"
        elif self.method == "entropy":
            if self.variant in PCA_VARIANTS:
                raise _err("variant_not_for_method", f"variant {self.variant!r} is a pca variant, not an entropy one",
                           "zero_ln_zero | shift | epsilon_rescale | spssau_shift")
            self.variant = self.variant or "zero_ln_zero"
            if self.variant == "shift" and self.shift is None:
                self.shift = 0.0001
        elif self.method == "pca":
            if self.variant is not None and self.variant not in PCA_VARIANTS:
                raise _err("variant_not_for_method", f"variant {self.variant!r} is an entropy variant, not a pca one",
                           " | ".join(PCA_VARIANTS))
            self.variant = self.variant or "composite"
            self.signed = bool(self.signed)
            if self.variant == "composite":
                self.options = _method_options("weights", "pca composite", PCA_COMPOSITE_OPTIONS, self.options)
                if self.options["rotation"] not in ("none", "varimax") or self.options["loading"] not in ("abs", "squared"):
                    raise _err("bad_option", f"pca options rotation={self.options['rotation']!r}, "
                               f"loading={self.options['loading']!r}", "rotation: none | varimax, loading: abs | squared")
            elif self.options:
                raise _err("option_not_for_method", "pca first_component takes no options", "no options")
            if self.signed and self.variant != "first_component":
                raise _err("option_not_for_method", "signed applies to pca variant first_component only "
                           "(composite weights are never negative)", "variant: first_component")
        elif self.method == "critic":
            self.correlation = self.correlation or "signed"
        elif self.method == "cv":
            self.basis = self.basis or "raw"
        elif self.method in WEIGHTING_METHODS:
            self.options = _method_options("weights", self.method, WEIGHTING_METHODS[self.method].options, self.options)
            self.basis = self.basis or ("raw" if self.method in RAW_BASIS_WEIGHTS else "normalised")
            if self.method == "rancom" and self.options.get("ranking") is None and self.options.get("matrix") is None:
                raise _err("rancom_without_ranking", "RANCOM weights come from a ranking of the children",
                           "options: {ranking: [1, 2, 2, 3]} (1 = most important) or a pairwise matrix")
        elif self.method == "combined":
            if not self.combine or not self.components or len(self.components) < 2:
                raise _err("combined_incomplete", "method combined needs `combine` and at least two `components`",
                           "combine: linear|multiplicative|geometric|game_theory and components: [ahp…, entropy…]")
            if self.combine == "linear":
                if len(self.components) != 2:
                    raise _err("combined_incomplete", "linear combination takes exactly two components", "two components")
                self.alpha = 0.5 if self.alpha is None else self.alpha
            elif self.alpha is not None:
                raise _err("option_not_for_method", "alpha only applies to combine: linear", "no alpha")
        return self


def _is_fraction(s: str) -> bool:
    try:
        Fraction(s.replace(" ", ""))
        return True
    except (ValueError, ZeroDivisionError):
        return False


class AggregationSpec(_Strict):
    """How a branch combines its children's scores.

    arithmetic Σwz; geometric Πz^w (`zero_policy` for zeros: error | epsilon | shift, `epsilon`);
    harmonic; generalised mean (`p`); topsis (`normalisation`: vector | min_max, `weighting`:
    pre_multiply | in_distance — not equivalent, methods_formulas §6, `ideal`: observed | theoretical);
    grey_relational (`rho`, default 0.5);
    the engine.mcda ranking methods — vikor, edas, codas, mabac, mairca, marcos, spotis, balanced_spotis, rim, ervd,
    probid, sprobid, aroman, rafsi, lopm, cradis, wsm, saw, wpm, waspas, moora, multimoora, aras, copras, cocoso,
    ocra, ram, lmaw, pvm, promethee_ii, prosa_c, comet — with their own `options` (every default filled in); the
    node score is the method's preference turned higher-is-better (VIKOR, SPOTIS: 1 − value; MAIRCA, LoPM: −value)
    times the score scale.
    """

    method: AggregationMethod
    zero_policy: Literal["error", "epsilon", "shift"] | None = None
    epsilon: float | None = Field(default=None, gt=0)
    p: float | None = None
    normalisation: Literal["vector", "min_max"] | None = None
    weighting: Literal["pre_multiply", "in_distance"] | None = None
    ideal: Literal["observed", "theoretical"] | None = None
    rho: float | None = Field(default=None, gt=0, le=1)
    options: dict[str, Any] | None = None  # the MCDA ranking methods' own options (vikor v, promethee p/q …)

    _short = _shorthand("method")
    _finite = field_validator("options")(classmethod(lambda cls, v: _finite_options(v)))

    @model_validator(mode="after")
    def _method_options(self) -> "AggregationSpec":
        own = {
            "geometric": {"zero_policy", "epsilon"},
            "harmonic": {"zero_policy", "epsilon"},
            "generalised": {"p"},
            "topsis": {"normalisation", "weighting", "ideal"},
            "grey_relational": {"rho"},
        }.get(self.method, set())
        if self.method in RANKING_METHODS:
            own = {"options"}
        stray = [k for k in self.model_fields_set - {"method"} if k not in own]
        if stray:
            raise _err("option_not_for_method", f"option(s) {', '.join(sorted(stray))} do not apply to aggregation {self.method!r}",
                       (f"only {', '.join(sorted(own))}" if own else "no options") + f" for {self.method}")
        if self.method in ("geometric", "harmonic"):
            # no silent epsilon: a zero meets an error that says where it is and how to declare a policy
            self.zero_policy = self.zero_policy or "error"
            if self.zero_policy in ("epsilon", "shift") and self.epsilon is None:
                self.epsilon = 1e-3
        elif self.method == "generalised":
            if self.p is None or self.p == 0:
                raise _err("generalised_without_p", "generalised mean needs a non-zero exponent p",
                           "p: <number ≠ 0> (p → 0 is the geometric mean: use method geometric)")
        elif self.method == "topsis":
            self.normalisation = self.normalisation or "vector"
            self.weighting = self.weighting or "pre_multiply"
            self.ideal = self.ideal or "observed"
        elif self.method == "grey_relational":
            self.rho = 0.5 if self.rho is None else self.rho
        elif self.method in RANKING_METHODS:
            self.options = _method_options("aggregation", self.method, RANKING_METHODS[self.method].options, self.options)
            if self.method == "copras" and self.options.get("variant") == "pymcdm":
                # pymcdm 1.4.0 writes Q = S+ + S−, so costs raise the score (tests/engine/test_mcda_utility.py)
                raise _err("method_defect", "COPRAS variant 'pymcdm' adds the cost sum to the score (a defect kept in "
                           "the engine only to reproduce pymcdm's numbers)", "variant: standard")
            if self.method == "comet" and self.options.get("cvalues") is None:
                raise _err("comet_without_cvalues", "COMET needs characteristic values for the children",
                           "options: {cvalues: [0, 0.5, 1]} (one list for all children, one per child, or a count)")
        return self


class NormalisationSpec(_Strict):
    """Standardisation (无量纲化) before weighting; `shift` variants change entropy weights, so they are recorded.

    `panel`: pooled (面板: all county-years share min/max) | per_year | frozen (anchors fixed once, versioned).
    """

    method: Literal["min_max", "z_score", "max_ratio", "mean_ratio", "initial_value", "vector", "goalposts", "target"] = "min_max"
    shift: Literal["none", "constant", "spssau_interval", "epsilon_rescale", "spssau_nonpositive"] = "none"
    shift_value: float | None = Field(default=None, gt=0)
    panel: Literal["pooled", "per_year", "frozen"] = "pooled"

    _short = _shorthand("method")


class Defaults(_Strict):
    normalisation: NormalisationSpec = Field(default_factory=NormalisationSpec)
    weights: WeightSpec = Field(default_factory=lambda: WeightSpec(method="equal"))
    aggregation: AggregationSpec = Field(default_factory=lambda: AggregationSpec(method="arithmetic"))
    scale: float = Field(default=100.0, gt=0)  # scores are reported on [0, scale]


class IndicatorRef(_Strict):
    """A leaf's indicator: a library `code` with optional overrides, or (unknown code + unit + direction) inline."""

    code: str = Field(pattern=CODE_PATTERN)
    name_zh: str | None = None
    name_en: str | None = None
    unit: str | None = None
    direction: Literal["positive", "negative", "moderate", "target"] | None = None
    optimum: float | None = None
    optimal_interval: tuple[float, float] | None = None
    target: float | None = None
    goalposts: tuple[float, float] | None = None
    denominator: str | None = None
    kind: Literal["total", "rate", "ratio", "per_capita", "index", "count", "share"] | None = None
    valid_range: tuple[float | None, float | None] | None = None
    nonnegative: bool | None = None
    merge: Literal["sum", "weighted_mean", "none"] | None = None
    merge_weight: str | None = None
    source: str | None = None

    _short = _shorthand("code")

    @field_validator("direction", mode="before")
    @classmethod
    def _direction(cls, v: Any) -> Any:
        return parse_direction(v) if v is not None else v

    @field_validator("unit")
    @classmethod
    def _unit(cls, v: str | None) -> str | None:
        return _check_unit(v)

    def overrides(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.model_fields_set if k != "code"}


def _non_negative_weight(v: float | None) -> float | None:
    if v is not None and v < 0:
        raise _err("negative_weight", f"weight {v} is negative", "a weight ≥ 0")
    return v


class Node(_Strict):
    code: str = Field(pattern=NODE_CODE_PATTERN)
    name_zh: str = Field(min_length=1)
    name_en: str | None = None
    description: str | None = None
    weight: float | None = None
    weights: WeightSpec | None = None
    aggregation: AggregationSpec | None = None
    children: list["Node"] | None = None
    indicator: IndicatorRef | None = None

    _weight = field_validator("weight")(classmethod(lambda cls, v: _non_negative_weight(v)))

    @model_validator(mode="after")
    def _shape(self) -> "Node":
        if (self.children is None) == (self.indicator is None):
            raise _err("node_shape", f"node {self.code!r} must have either children or an indicator, not "
                       + ("both" if self.children is not None else "neither"),
                       "children: [...] for a dimension, or indicator: <code> for a leaf")
        if self.children is not None and not self.children:
            raise _err("node_shape", f"node {self.code!r} has an empty children list", "at least one child")
        if self.indicator is not None and (self.weights is not None or self.aggregation is not None):
            raise _err("node_shape", f"leaf {self.code!r} cannot set weights or aggregation (it has no children)",
                       "weights/aggregation only on nodes with children")
        return self

    @property
    def is_leaf(self) -> bool:
        return self.indicator is not None


class NodeOverride(_Strict):
    weight: float | None = None
    weights: WeightSpec | None = None
    aggregation: AggregationSpec | None = None

    _weight = field_validator("weight")(classmethod(lambda cls, v: _non_negative_weight(v)))


class WalkItem(NamedTuple):
    node: Node
    codes: tuple[str, ...]  # node codes from the root to this node
    key_path: Path  # where the node sits in the YAML, e.g. ("root", "children", 2)

    @property
    def depth(self) -> int:
        return len(self.codes) - 1


class LeafIndicator(NamedTuple):
    node_code: str
    codes: tuple[str, ...]
    key_path: Path
    indicator: Indicator  # library metadata with the leaf's overrides applied (or the inline definition)
    inline: bool


class Framework(_Strict):
    code: str = Field(pattern=NODE_CODE_PATTERN)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    version: str = "1"
    description: str | None = None
    source: str | None = None
    library: str | None = None  # an extra indicator-library YAML, relative to the framework file
    county_types: list[str] = Field(default_factory=lambda: list(DEFAULT_COUNTY_TYPES))
    defaults: Defaults = Field(default_factory=Defaults)
    root: Node
    type_overrides: dict[str, dict[str, NodeOverride]] = Field(default_factory=dict)
    # evaluation settings (impute, screen, treat, panel, tiers …); checked by xianping.evaluation.plan
    evaluation: dict[str, Any] | None = None
    # 考核办法: points per indicator, bonuses, penalties, vetoes, classes, awards (frameworks.scoring)
    scoring: Scoring | None = None

    _library: IndicatorLibrary | None = PrivateAttr(default=None)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v

    @field_validator("county_types")
    @classmethod
    def _types(cls, v: list[str]) -> list[str]:
        # the three national classes are always available; user types are added after them
        return list(dict.fromkeys([*DEFAULT_COUNTY_TYPES, *v]))

    @model_validator(mode="after")
    def _semantics(self, info: ValidationInfo) -> "Framework":
        ctx = info.context or {}
        self._library = ctx.get("library") or load_library()
        if ctx.get("defer_checks"):
            return self
        errors = [f for f in self.findings() if f.severity == "error"]
        if errors:
            from xianping.frameworks.yaml_lines import format_path

            raise ValueError("; ".join(f"{format_path(f.path)}: {f.message}" for f in errors))
        return self

    # ── traversal ──────────────────────────────────────────────────────────
    @property
    def indicator_library(self) -> IndicatorLibrary:
        if self._library is None:
            self._library = load_library()
        return self._library

    def walk(self) -> Iterator[WalkItem]:
        """Pre-order: each node with the codes from the root and its YAML key path."""

        def rec(node: Node, codes: tuple[str, ...], path: Path) -> Iterator[WalkItem]:
            yield WalkItem(node, codes, path)
            for i, child in enumerate(node.children or []):
                yield from rec(child, codes + (child.code,), path + ("children", i))

        yield from rec(self.root, (self.root.code,), ("root",))

    def node(self, code: str) -> Node:
        for item in self.walk():
            if item.node.code == code:
                return item.node
        raise KeyError(f"no node {code!r} in framework {self.code!r}")

    def depth(self) -> int:
        return max(item.depth for item in self.walk())

    def indicators(self) -> list[LeafIndicator]:
        """Leaves in order, with resolved indicator metadata. Raises KeyError for an unresolvable leaf."""
        out = []
        for item in self.walk():
            if item.node.is_leaf:
                ind, inline, problems = self._resolve(item)
                if ind is None:
                    raise KeyError(problems[0].message if problems else f"cannot resolve {item.node.code}")
                out.append(LeafIndicator(item.node.code, item.codes, item.key_path, ind, inline))
        return out

    def indicator_codes(self) -> list[str]:
        return [leaf.indicator.code for leaf in self.indicators()]

    def _resolve(self, item: WalkItem) -> tuple[Indicator | None, bool, list[Finding]]:
        ref = item.node.indicator
        assert ref is not None
        lib = self.indicator_library
        path = item.key_path + ("indicator",)
        if ref.code in lib:
            base = lib.get(ref.code).model_dump()
            inline = False
        elif ref.unit is not None and ref.direction is not None:
            base = {
                "code": ref.code,
                "name_zh": item.node.name_zh,
                "name_en": item.node.name_en or ref.code,
                "kind": "index",
            }
            inline = True
        else:
            near = lib.suggest(ref.code)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            return None, False, [Finding(
                "unknown_indicator", f"indicator {ref.code!r} is not in the library{hint}", path + ("code",), ref.code,
                "a library code (see `xianping frameworks library`) or an inline definition with unit and direction")]
        data = {**base, **ref.overrides()}
        try:
            return Indicator.model_validate(data), inline, []
        except ValidationError as err:
            found = []
            for e in err.errors(include_url=False):
                msg = e["msg"].removeprefix("Value error, ")
                kind, expected = "invalid_indicator", None
                if " | expected " in msg:
                    msg, expected = msg.split(" | expected ", 1)
                if msg.startswith("[") and "] " in msg:
                    kind, msg = msg[1:].split("] ", 1)
                # a missing optimum is reported at the direction that requires it
                sub = tuple(e["loc"]) or (("direction",) if kind in ("moderate_without_optimum", "target_without_value") else ())
                value = e.get("input") if e["loc"] else (data.get("direction") if sub else ref.code)
                found.append(Finding(kind, f"indicator {ref.code!r}: {msg}", path + sub, value, expected))
            return None, inline, found

    # ── meaning ────────────────────────────────────────────────────────────
    def findings(self) -> list[Finding]:
        """Every semantic problem (errors and warnings), located by key path."""
        out: list[Finding] = []
        seen: dict[str, Path] = {}
        used: dict[str, Path] = {}
        resolved: dict[str, Indicator] = {}
        for item in self.walk():
            node = item.node
            if node.code in seen:
                out.append(Finding("duplicate_code", f"node code {node.code!r} is used twice (first at "
                                   f"{_fmt(seen[node.code])})", item.key_path + ("code",), node.code, "unique node codes"))
            else:
                seen[node.code] = item.key_path
            if node.is_leaf:
                ind, _, problems = self._resolve(item)
                out.extend(problems)
                if ind is not None:
                    resolved[ind.code] = ind
                    if ind.code in used:
                        out.append(Finding("duplicate_indicator", f"indicator {ind.code!r} is used by two leaves (also at "
                                           f"{_fmt(used[ind.code])})", item.key_path + ("indicator", "code"), ind.code,
                                           "each indicator once", severity="warning"))
                    used.setdefault(ind.code, item.key_path)
            else:
                out.extend(self._weight_findings(node, item.key_path, node.weights))
        known = set(self.indicator_library.codes()) | set(resolved)
        for item in self.walk():
            ref = item.node.indicator
            if ref is not None and ref.denominator is not None and ref.denominator not in known:
                out.append(Finding("unknown_indicator", f"denominator {ref.denominator!r} is not a known indicator",
                                   item.key_path + ("indicator", "denominator"), ref.denominator, "an indicator code"))
        out.extend(self._override_findings(seen))
        if self.scoring is not None:
            out.extend(self.scoring.findings(set(resolved)))
        return out

    def _weight_findings(self, node: Node, path: Path, spec: WeightSpec | None, child_weights: dict[str, float] | None = None,
                         where: Path | None = None) -> list[Finding]:
        """Weights of one branch. `child_weights` replaces children's `weight` (for a type override)."""
        out: list[Finding] = []
        children = node.children or []
        weights = {c.code: c.weight for c in children}
        if child_weights:
            weights.update(child_weights)
        given = [c for c in children if weights[c.code] is not None]
        method = spec.method if spec is not None else ("explicit" if given else self.defaults.weights.method)
        spec_path = where or path + ("weights",)
        if method == "explicit":
            missing = [i for i, c in enumerate(children) if weights[c.code] is None]
            if missing:
                i = missing[0]
                out.append(Finding("missing_weight", f"child {children[i].code!r} of {node.code!r} has no weight while "
                                   "its siblings do (or the parent asks for explicit weights)",
                                   path + ("children", i), None, "a weight on every child, or none (then the default method applies)"))
            else:
                total = sum(weights[c.code] for c in children)
                if total <= 0:
                    out.append(Finding("zero_weights", f"the weights of {node.code!r}'s children are all zero",
                                       path + ("children",), 0, "at least one positive weight"))
                elif abs(total - 1) > WEIGHT_SUM_TOLERANCE:
                    out.append(Finding("weights_normalised", f"weights of {node.code!r}'s children sum to {total:g}; "
                                       "they are normalised to sum 1", path + ("children",), round(total, 10),
                                       "weights summing to 1", severity="warning"))
        elif given:
            out.append(Finding("weight_ignored", f"children of {node.code!r} carry weights but the method is {method!r}; "
                               "the weights are ignored", path + ("children", children.index(given[0]), "weight"),
                               weights[given[0].code], "no weight, or weights: explicit", severity="warning"))
        if spec is not None:
            out.extend(_spec_findings(spec, len(children), node.code, spec_path))
        return out

    def _override_findings(self, nodes: dict[str, Path]) -> list[Finding]:
        out: list[Finding] = []
        for ctype, by_node in self.type_overrides.items():
            tpath: Path = ("type_overrides", ctype)
            if ctype not in self.county_types:
                out.append(Finding("unknown_county_type", f"override for undeclared county type {ctype!r}", tpath, ctype,
                                   f"one of {', '.join(self.county_types)} (or add it to county_types)"))
            child_weights: dict[str, dict[str, float]] = {}
            for code, ov in by_node.items():
                opath = tpath + (code,)
                if code not in nodes:
                    out.append(Finding("unknown_node", f"override for unknown node {code!r}", opath, code, "the code of a node in this framework"))
                    continue
                node = self.node(code)
                if ov.weight is not None:
                    if code == self.root.code:
                        out.append(Finding("bad_override", "the root has no parent, so it cannot take a weight", opath + ("weight",), ov.weight, "weight on a non-root node"))
                    else:
                        parent = self._parent(code)
                        child_weights.setdefault(parent.code, {})[code] = ov.weight
                if node.is_leaf and (ov.weights is not None or ov.aggregation is not None):
                    out.append(Finding("bad_override", f"leaf {code!r} has no children to weight or aggregate", opath, code, "weights/aggregation only for nodes with children"))
                elif ov.weights is not None:
                    out.extend(_spec_findings(ov.weights, len(node.children or []), code, opath + ("weights",)))
            for parent_code, cw in child_weights.items():
                parent = self.node(parent_code)
                spec = self.type_overrides[ctype].get(parent_code, NodeOverride()).weights or parent.weights
                found = self._weight_findings(parent, nodes[parent_code], spec, cw, where=tpath)
                for f in found:  # report at the override, where the user can fix it
                    out.append(dataclasses.replace(f, path=tpath, message=f"{ctype}: {f.message}"))
        return out

    def _parent(self, code: str) -> Node:
        for item in self.walk():
            if any(c.code == code for c in item.node.children or []):
                return item.node
        raise KeyError(code)

    # ── derived frameworks and identity ────────────────────────────────────
    def for_type(self, county_type: str) -> "Framework":
        """This framework with the overrides of `county_type` applied (weights, methods); validated again."""
        if county_type not in self.county_types:
            raise KeyError(f"county type {county_type!r} is not declared; known: {', '.join(self.county_types)}")
        data = self.to_dict()
        overrides = data.pop("type_overrides", {}).get(county_type, {})

        def apply(node: dict) -> None:
            ov = overrides.get(node["code"], {})
            node.update(ov)
            for child in node.get("children") or []:
                apply(child)

        apply(data["root"])
        data["description"] = ((data.get("description") or "") + f" [county type: {county_type}]").strip()
        return Framework.model_validate(data, context={"library": self.indicator_library})

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    def content_hash(self) -> str:
        """sha256 of canonical JSON of the framework and its resolved indicator metadata (for result manifests).

        The resolved metadata is included so that a library change (e.g. a direction) changes the hash too.
        """
        payload = {
            "framework": self.to_dict(),
            "indicators": [leaf.indicator.model_dump(mode="json", exclude_none=True) for leaf in self.indicators()],
        }
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _spec_findings(spec: WeightSpec, n_children: int, code: str, path: Path) -> list[Finding]:
    out: list[Finding] = []
    if spec.method == "ahp" and spec.matrix is not None:
        n = len(spec.matrix)
        if n != n_children:
            out.append(Finding("ahp_size_mismatch", f"AHP matrix of {code!r} is {n}×{n} but the node has {n_children} children",
                               path + ("matrix",), f"{n}×{n}", f"a {n_children}×{n_children} matrix"))
        elif spec.ri_table == "saaty" and 3 <= n <= len(SAATY_RI):
            cr = ahp_consistency_ratio(spec.matrix)
            if cr >= 0.1:
                out.append(Finding("ahp_inconsistent", f"AHP matrix of {code!r} has consistency ratio CR = {cr:.3f} ≥ 0.10",
                                   path + ("matrix",), round(cr, 4), "CR < 0.10 (revise the judgements)", severity="warning"))
    if spec.method == "combined":
        for i, comp in enumerate(spec.components or []):
            out.extend(_spec_findings(comp, n_children, code, path + ("components", i)))
    return out


def ahp_consistency_ratio(matrix: list[list[float]]) -> float:
    """CR = CI / RI with CI = (λmax − n)/(n − 1), λmax from the principal eigenvalue; Saaty RI; CR := 0 for n ≤ 2."""
    import numpy as np

    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    if n <= 2:
        return 0.0
    lam = float(np.max(np.linalg.eigvals(a).real))
    return ((lam - n) / (n - 1)) / SAATY_RI[n - 1]


def _fmt(path: Path) -> str:
    from xianping.frameworks.yaml_lines import format_path

    return format_path(path)


WeightSpec.model_rebuild()
Node.model_rebuild()
