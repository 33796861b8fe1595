"""Source unit → the indicator's library unit (元/万元/亿元, 人/万人, %/‰ …)."""

from __future__ import annotations

from dataclasses import dataclass

from xianping.reference.measure_units import UnitMismatchError, UnknownUnitError, conversion_factor, parse_unit


@dataclass(frozen=True)
class Conversion:
    factor: float | None  # None: the unit cannot be used (see kind)
    kind: str | None = None  # 'unknown_measure_unit' | 'unit_mismatch'
    message: str = ""
    note: str = ""  # the unit was read in a way the user should be told about (元 taken as 元/人)


def convert_factor(source_unit: str | None, target_unit: str) -> Conversion:
    """Factor that takes a value in `source_unit` to `target_unit`; no source unit means the target's own.

    A per-person indicator (元/人, 千克/人 …) whose header gives the amount alone (人均GDP（元）, the usual yearbook
    spelling) is read per person: the header already says 人均, so 元 there means 元/人; a note says so."""
    if source_unit is None or str(source_unit).strip() == "":
        return Conversion(1.0)
    try:
        src = parse_unit(source_unit)
    except UnknownUnitError:
        return Conversion(None, "unknown_measure_unit", f"unknown unit {source_unit!r}")
    try:
        return Conversion(conversion_factor(source_unit, target_unit))
    except UnitMismatchError as e:
        per_person = _per_person_numerator(target_unit)
        if per_person is not None and parse_unit(per_person).dimension == src.dimension:
            return Conversion(conversion_factor(src.symbol, per_person), note=(
                f"{src.symbol} read as {src.symbol}/人: the indicator is per person ({target_unit}), "
                f"as yearbooks print 人均 amounts"))
        return Conversion(None, "unit_mismatch", str(e))
    except UnknownUnitError as e:  # the library's unit itself (a user library) — still the user's input
        return Conversion(None, "unknown_measure_unit", str(e))


def _per_person_numerator(unit: str) -> str | None:
    """'元' for '元/人'; None when the unit is not an amount per person."""
    try:
        u = parse_unit(unit)
    except UnknownUnitError:
        return None
    num, sep, den = u.symbol.partition("/")
    return num if sep and den == "人" else None
