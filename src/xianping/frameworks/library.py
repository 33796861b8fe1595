"""The indicator library: every known indicator with its unit, direction, merge rule and yearbook spellings.

The built-in catalogue is `library/indicators.yaml`; a user may add a file of their own (`load_library(extra)`).
Headers of imported tables are matched against code, names and synonyms after normalising width, whitespace
and brackets, so that ``一般公共财政预算收入（亿元）`` and ``地方一般公共预算收入`` find the same indicator.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from pathlib import Path as FsPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from xianping.frameworks.located import Finding, pydantic_problems
from xianping.frameworks.yaml_lines import YamlSyntaxError, load_with_lines
from xianping.problems import ProblemReport, XianpingInputError
from xianping.reference.measure_units import is_known, parse_unit

Direction = Literal["positive", "negative", "moderate", "target"]
Kind = Literal["total", "rate", "ratio", "per_capita", "index", "count", "share"]
Merge = Literal["sum", "weighted_mean", "none"]
Frequency = Literal["year", "quarter", "month"]

# spellings users and papers write for a direction
DIRECTION_ALIASES: dict[str, str] = {
    "positive": "positive", "正向": "positive", "+": "positive", "benefit": "positive", "正": "positive",
    "negative": "negative", "逆向": "negative", "负向": "negative", "-": "negative", "−": "negative",
    "cost": "negative", "逆": "negative", "负": "negative",
    "moderate": "moderate", "适度": "moderate", "~": "moderate", "中性": "moderate", "区间": "moderate",
    "target": "target", "目标": "target", "目标值": "target",
}

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
BUILTIN_LIBRARY = FsPath(__file__).parent / "library" / "indicators.yaml"


def parse_direction(value: Any) -> str:
    """Canonical direction for any accepted spelling; raises ValueError naming the accepted ones."""
    key = unicodedata.normalize("NFKC", str(value)).strip()
    key = DIRECTION_ALIASES.get(key, DIRECTION_ALIASES.get(key.lower()))
    if key is None:
        raise ValueError(
            f"[unknown_direction] unknown direction {value!r} | expected positive|negative|moderate|target "
            "(or 正向/逆向/适度/目标, +/−/~)"
        )
    return key


def _check_unit(value: Any) -> Any:
    if value is not None and not is_known(str(value)):
        raise ValueError(
            f"[unknown_unit] unknown unit {value!r} | expected a unit xianping knows, e.g. 亿元, 元/人, %, 万吨, 1"
        )
    return value


class Indicator(BaseModel):
    """One catalogued indicator. `valid_range` and `goalposts` are in the indicator's own `unit`."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # .inf/.nan bounds check nothing

    code: str = Field(pattern=CODE_PATTERN)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    unit: str
    direction: Direction
    optimum: float | None = None
    optimal_interval: tuple[float, float] | None = None
    target: float | None = None
    kind: Kind
    merge: Merge = "none"
    merge_weight: str | None = None
    valid_range: tuple[float | None, float | None] | None = None
    nonnegative: bool = False
    synonyms: list[str] = Field(default_factory=list)
    source: str | None = None
    denominator: str | None = None
    goalposts: tuple[float, float] | None = None
    frequency: Frequency = "year"
    caliber: str | None = None  # 口径, e.g. 常住 vs 户籍, 全口径 vs 地方
    notes: str | None = None

    @field_validator("unit")
    @classmethod
    def _unit(cls, v: str) -> str:
        return _check_unit(v)

    @field_validator("direction", mode="before")
    @classmethod
    def _direction(cls, v: Any) -> Any:
        return parse_direction(v) if v is not None else v

    @model_validator(mode="after")
    def _consistent(self) -> "Indicator":
        if self.direction == "moderate" and self.optimum is None and self.optimal_interval is None:
            raise ValueError(
                "[moderate_without_optimum] a moderate (适度) indicator needs an optimum "
                "| expected optimum: <number> or optimal_interval: [a, b]"
            )
        if self.direction == "target" and self.target is None:
            raise ValueError("[target_without_value] a target (目标) indicator needs a target | expected target: <number>")
        if self.optimal_interval and self.optimal_interval[0] > self.optimal_interval[1]:
            raise ValueError("[bad_interval] optimal_interval is reversed | expected [low, high] with low ≤ high")
        if self.goalposts and self.goalposts[0] >= self.goalposts[1]:
            raise ValueError("[bad_goalposts] goalposts are reversed or equal | expected [low, high] with low < high")
        if self.merge == "weighted_mean" and not self.merge_weight:
            raise ValueError(
                "[merge_weight_missing] merge: weighted_mean needs merge_weight | expected the code of the weighting indicator"
            )
        return self

    @property
    def measure_unit(self):
        return parse_unit(self.unit)

    def spellings(self) -> list[str]:
        return [self.code, self.name_zh, self.name_en, *self.synonyms]


_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "〔": "[", "〕": "]", "［": "[", "］": "]"})
_WS = re.compile(r"\s+")


def normalise_header(text: str) -> str:
    """Width (NFKC), whitespace (all of it: yearbook headers wrap inside cells), bracket style, case."""
    t = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    t = t.replace("[", "(").replace("]", ")")
    return _WS.sub("", t).casefold()


class IndicatorLibrary:
    """An immutable catalogue of indicators with header matching."""

    def __init__(self, indicators: list[Indicator], sources: list[str] | None = None):
        self._by_code = {i.code: i for i in indicators}
        self.sources = sources or []
        self._index: dict[str, list[str]] = {}
        for ind in indicators:
            for s in ind.spellings():
                codes = self._index.setdefault(normalise_header(s), [])
                if ind.code not in codes:
                    codes.append(ind.code)

    def get(self, code: str) -> Indicator:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown indicator {code!r}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def all(self) -> list[Indicator]:
        return list(self._by_code.values())

    def codes(self) -> list[str]:
        return list(self._by_code)

    def match(self, header_name: str) -> list[Indicator]:
        """Indicators whose code/name/synonym equals the header after normalising; several = ambiguous.

        If the whole header matches nothing, a trailing unit bracket is dropped and the name tried again
        (``地区生产总值（亿元）`` → ``地区生产总值``); brackets that are not units (``性别比（女=100）``) stay.
        """
        from xianping.reference.measure_units import split_header

        codes = self._index.get(normalise_header(header_name))
        if not codes:
            name, unit = split_header(header_name)
            if unit is not None:
                codes = self._index.get(normalise_header(name))
        return [self._by_code[c] for c in codes or []]

    def suggest(self, code: str, n: int = 3) -> list[str]:
        return difflib.get_close_matches(code, self.codes(), n=n, cutoff=0.6)

    def ambiguous_spellings(self) -> dict[str, list[str]]:
        return {k: v for k, v in self._index.items() if len(v) > 1}

    def merged(self, extra: "IndicatorLibrary") -> "IndicatorLibrary":
        return IndicatorLibrary([*self.all(), *extra.all()], [*self.sources, *extra.sources])


def validate_library_file(path: str | FsPath, base: IndicatorLibrary | None = None) -> tuple[list[Indicator], ProblemReport]:
    """Parse and check a library YAML (a top-level `indicators:` list); return the indicators and ALL problems.

    `base` is the library that cross references (merge_weight, denominator) may also point into.
    """
    path = FsPath(path)
    report = ProblemReport()
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        report.add("unreadable_file", f"cannot read file: {e.strerror or e}", file=file)
        return [], report
    except UnicodeDecodeError as e:
        report.add("unreadable_file", f"not UTF-8 text (byte {e.object[e.start:e.start + 1]!r} at position {e.start})",
                   file=file, expected="a UTF-8 YAML file")
        return [], report
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as e:
        report.extend(e.problems(file))  # syntax, duplicate keys, depth and alias limits, each located
        return [], report
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
        report.add("bad_library", "a library file must have a top-level `indicators:` list", file=file, row=1,
                   expected="indicators: [ {code: ..., name_zh: ..., ...}, ... ]")
        return [], report
    good: list[Indicator] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data["indicators"]):
        try:
            ind = Indicator.model_validate(raw)
        except ValidationError as err:
            report.extend(pydantic_problems(err, file, lines, prefix=("indicators", i)))
            continue
        if ind.code in seen or (base is not None and ind.code in base):
            report.problems.append(Finding("duplicate_code", f"indicator code {ind.code!r} is defined twice",
                                           ("indicators", i, "code"), ind.code, "a code not used elsewhere").locate(file, lines))
            continue
        seen[ind.code] = i
        good.append(ind)
    known = set(seen) | (set(base.codes()) if base is not None else set())
    for ind in good:
        i = seen[ind.code]
        for key in ("merge_weight", "denominator"):
            ref = getattr(ind, key)
            if ref is not None and ref not in known:
                report.problems.append(Finding("unknown_indicator", f"{key} refers to unknown indicator {ref!r}",
                                               ("indicators", i, key), ref, "the code of an indicator in the library").locate(file, lines))
    lib = IndicatorLibrary(good)
    for spelling, codes in lib.ambiguous_spellings().items():
        for c in codes[1:]:
            report.problems.append(Finding("ambiguous_synonym",
                                           f"spelling {spelling!r} names several indicators: {', '.join(codes)}",
                                           ("indicators", seen[c], "synonyms"), spelling, "each spelling to name one indicator",
                                           severity="warning").locate(file, lines))
    return good, report


@functools.lru_cache(maxsize=1)
def _builtin() -> IndicatorLibrary:
    inds, report = validate_library_file(BUILTIN_LIBRARY)
    report.raise_if_errors("the built-in indicator library is invalid")
    return IndicatorLibrary(inds, [str(BUILTIN_LIBRARY)])


def load_library(extra: str | FsPath | None = None) -> IndicatorLibrary:
    """The built-in library (cached), plus the indicators of `extra` if given; problems raise XianpingInputError."""
    base = _builtin()
    if extra is None:
        return base
    inds, report = validate_library_file(extra, base=base)
    report.raise_if_errors(f"indicator library {extra} has problems")
    return base.merged(IndicatorLibrary(inds, [str(extra)]))
