"""Source unit → the indicator's library unit (元/万元/亿元, 人/万人, %/‰ …)."""

from __future__ import annotations

from dataclasses import dataclass

from xianping.reference.measure_units import UnitMismatchError, UnknownUnitError, conversion_factor, parse_unit


@dataclass(frozen=True)
class Conversion:
    factor: float | None  # None: the unit cannot be used (see kind)
    kind: str | None = None  # 'unknown_measure_unit' | 'unit_mismatch'
    message: str = ""


def convert_factor(source_unit: str | None, target_unit: str) -> Conversion:
    """Factor that takes a value in `source_unit` to `target_unit`; no source unit means the target's own."""
    if source_unit is None or str(source_unit).strip() == "":
        return Conversion(1.0)
    try:
        parse_unit(source_unit)
    except UnknownUnitError:
        return Conversion(None, "unknown_measure_unit", f"unknown unit {source_unit!r}")
    try:
        return Conversion(conversion_factor(source_unit, target_unit))
    except UnitMismatchError as e:
        return Conversion(None, "unit_mismatch", str(e))
    except UnknownUnitError as e:  # the library's unit itself (a user library) — still the user's input
        return Conversion(None, "unknown_measure_unit", str(e))
