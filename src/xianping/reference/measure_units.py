"""Measurement units as Chinese statistics print them (元/万元/亿元, 人/万人, %/‰ …) and conversion between them.

Written by hand rather than with pint: the units here are Chinese counting words with decimal scale prefixes
(万 = 1e4, 亿 = 1e8), percent-like rates and compound "per" units (元/人, 吨/万元); pint knows none of the
Chinese spellings and would need the same table anyway.

A unit parses to (dimension, factor): value_in_base = value × factor. Two units convert iff their
dimensions are equal. Compound units "A/B" get dimension "dimA/dimB" and factor fA/fB.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# symbol → (dimension, factor to the dimension's base unit, English name)
_BASE: dict[str, tuple[str, float, str]] = {
    # money (base: 元 yuan)
    "元": ("money", 1.0, "yuan"),
    "千元": ("money", 1e3, "thousand yuan"),
    "万元": ("money", 1e4, "10k yuan"),
    "百万元": ("money", 1e6, "million yuan"),
    "千万元": ("money", 1e7, "10 million yuan"),
    "亿元": ("money", 1e8, "100 million yuan"),
    "万亿元": ("money", 1e12, "trillion yuan"),
    "美元": ("usd", 1.0, "US dollar"),
    "万美元": ("usd", 1e4, "10k US dollars"),
    "亿美元": ("usd", 1e8, "100 million US dollars"),
    # people (base: 人)
    "人": ("people", 1.0, "persons"),
    "百人": ("people", 1e2, "hundred persons"),
    "千人": ("people", 1e3, "thousand persons"),
    "万人": ("people", 1e4, "10k persons"),
    "亿人": ("people", 1e8, "100 million persons"),
    # households
    "户": ("households", 1.0, "households"),
    "万户": ("households", 1e4, "10k households"),
    # rates (base: fraction 1)
    "%": ("fraction", 1e-2, "percent"),
    "‰": ("fraction", 1e-3, "per mille"),
    "比值": ("fraction", 1.0, "ratio"),
    # percentage points are a difference of percents, kept apart from % on purpose
    "个百分点": ("pp", 1.0, "percentage points"),
    # mass (base: 吨 tonne)
    "吨": ("mass", 1.0, "tonnes"),
    "万吨": ("mass", 1e4, "10k tonnes"),
    "百万吨": ("mass", 1e6, "million tonnes (Mt)"),
    "亿吨": ("mass", 1e8, "100 million tonnes"),
    "千克": ("mass", 1e-3, "kilograms"),
    "公斤": ("mass", 1e-3, "kilograms"),
    # area (base: 平方米)
    "平方米": ("area", 1.0, "square metres"),
    "公顷": ("area", 1e4, "hectares"),
    "亩": ("area", 10000.0 / 15.0, "mu"),
    "平方公里": ("area", 1e6, "square kilometres"),
    "万平方米": ("area", 1e4, "10k square metres"),
    # energy (base: 吨标准煤 tonnes of coal equivalent)
    "吨标准煤": ("energy_tce", 1.0, "tonnes of coal equivalent"),
    "万吨标准煤": ("energy_tce", 1e4, "10k tonnes of coal equivalent"),
    # power (base: 千瓦 kW), e.g. farm machinery power
    "千瓦": ("power", 1.0, "kilowatts"),
    "万千瓦": ("power", 1e4, "10k kilowatts"),
    # volume (base: 立方米)
    "立方米": ("volume", 1.0, "cubic metres"),
    "万立方米": ("volume", 1e4, "10k cubic metres"),
    "亿立方米": ("volume", 1e8, "100 million cubic metres"),
    # length
    "米": ("length", 1.0, "metres"),
    "公里": ("length", 1e3, "kilometres"),
    # time
    "年": ("years", 1.0, "years"),
    "岁": ("age_years", 1.0, "years of age"),
    # counts of things
    "个": ("count", 1.0, "count"),
    "家": ("count", 1.0, "count (firms)"),
    "件": ("count", 1.0, "count (items)"),
    "张": ("count", 1.0, "count (beds)"),
    "所": ("count", 1.0, "count (institutions)"),
    "间": ("rooms", 1.0, "rooms"),
    "项": ("count", 1.0, "count (projects)"),
    "1": ("unitless", 1.0, "unitless"),
}

# spellings → canonical symbol
_ALIASES: dict[str, str] = {
    "yuan": "元", "rmb": "元", "cny": "元", "万": "万元", "亿": "亿元",
    "10kyuan": "万元", "100myuan": "亿元",
    "percent": "%", "pct": "%", "％": "%", "百分比": "%", "permille": "‰", "千分比": "‰",
    "pp": "个百分点", "百分点": "个百分点",
    "ratio": "比值", "倍": "比值", "times": "比值",
    "persons": "人", "person": "人", "口": "人", "人口": "人",
    "t": "吨", "mt": "百万吨", "10kt": "万吨", "kg": "千克",
    "km2": "平方公里", "km²": "平方公里", "平方千米": "平方公里", "m2": "平方米", "m²": "平方米",
    "hm2": "公顷", "hm²": "公顷", "ha": "公顷",
    "km": "公里", "千米": "公里", "m": "米",
    "tce": "吨标准煤", "kw": "千瓦", "m3": "立方米", "m³": "立方米",
    "years": "年", "year": "年", "a": "年",
    "无": "1", "unitless": "1", "-": "1", "": "1",
}


@dataclass(frozen=True)
class MeasureUnit:
    symbol: str  # canonical spelling, e.g. "万元" or "元/人"
    dimension: str  # e.g. "money" or "money/people"
    factor: float  # value × factor = value in the dimension's base unit
    name_en: str

    def __str__(self) -> str:
        return self.symbol


class UnknownUnitError(ValueError):
    pass


class UnitMismatchError(ValueError):
    pass


def _normalise(text: str) -> str:
    t = unicodedata.normalize("NFKC", str(text)).strip()
    t = t.replace("（", "(").replace("）", ")").strip("()[]【】 ")
    return t


def _atom(text: str) -> tuple[str, tuple[str, float, str]]:
    t = _normalise(text)
    if t in _BASE:
        return t, _BASE[t]
    key = t.lower().replace(" ", "")
    if key in _ALIASES:
        sym = _ALIASES[key]
        return sym, _BASE[sym]
    if t in _ALIASES:
        sym = _ALIASES[t]
        return sym, _BASE[sym]
    raise UnknownUnitError(f"unknown unit {text!r}")


def parse_unit(text: str | None) -> MeasureUnit:
    """Parse a unit as printed in a header or framework (``万元``, ``元/人``, ``%``, ``Mt``)."""
    t = _normalise(text or "")
    if "/" in t and t not in _BASE:
        num, den = t.split("/", 1)
        sn, (dn, fn, en) = _atom(num)
        sd, (dd, fd, ed) = _atom(den)
        return MeasureUnit(f"{sn}/{sd}", f"{dn}/{dd}", fn / fd, f"{en} per {ed}")
    sym, (dim, fac, en) = _atom(t)
    return MeasureUnit(sym, dim, fac, en)


def is_known(text: str | None) -> bool:
    try:
        parse_unit(text)
        return True
    except UnknownUnitError:
        return False


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiply a value in `from_unit` by this to express it in `to_unit`; raises on a dimension mismatch."""
    a, b = parse_unit(from_unit), parse_unit(to_unit)
    if a.dimension != b.dimension:
        raise UnitMismatchError(
            f"cannot convert {a.symbol} ({a.dimension}) to {b.symbol} ({b.dimension})"
        )
    return a.factor / b.factor


_BRACKET_UNIT = re.compile(r"^(?P<name>.*?)\s*[（(\[【](?P<unit>[^）)\]】]*)[）)\]】]\s*$")


def split_header(header: str) -> tuple[str, str | None]:
    """Split a yearbook header into name and unit: ``地区生产总值（亿元）`` → (``地区生产总值``, ``亿元``).

    Only a trailing bracket that parses as a unit is taken as one: ``性别比（女=100）`` stays whole.
    """
    h = unicodedata.normalize("NFKC", str(header)).replace("\n", "").replace("\r", "").strip()
    m = _BRACKET_UNIT.match(h)
    if m and is_known(m.group("unit")) and m.group("name"):
        return m.group("name").strip(), parse_unit(m.group("unit")).symbol
    return h, None
