"""Chinese number formatting for reports: 万/亿, %, 个百分点, 第N位, 进位/退位N位.

Every function takes a plain number and returns text; None or NaN gives None (the caller marks it missing —
a number is never made up). Rounding is half away from zero on the decimal value, as in 统计公报.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

# unit → (factor to 元 / 人 …, base unit); amounts in these units can be shown in 万 or 亿
_SCALABLE = {"元": (1, "元"), "万元": (1e4, "元"), "亿元": (1e8, "元"), "人": (1, "人"), "万人": (1e4, "人"),
             "户": (1, "户"), "万户": (1e4, "户"), "个": (1, "个"), "家": (1, "家"), "万家": (1e4, "家"),
             "吨": (1, "吨"), "万吨": (1e4, "吨")}


def _bad(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fixed(x, digits: int = 2) -> str | None:
    """Round half up to `digits` decimals (no thousands separators, as in Chinese reports)."""
    if _bad(x):
        return None
    q = Decimal(1).scaleb(-digits) if digits > 0 else Decimal(1)
    d = Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP)
    s = f"{d:f}"
    return "0" + s[2:] if s.startswith("-0") and float(d) == 0 else s


def amount(x, unit: str = "", digits: int = 2) -> str | None:
    """An amount with 万/亿 chosen by size: 123456789 元 → 1.23亿元, 45678 万元 → 4.57亿元, 5600 人 → 5600人.
    Units that do not scale (%, 年, 元/人 …) are printed as given."""
    if _bad(x):
        return None
    if unit in _SCALABLE:
        f, base = _SCALABLE[unit]
        v = float(x) * f
        if abs(v) >= 1e8:
            return f"{fixed(v / 1e8, digits)}亿{base}"
        if abs(v) >= 1e4:
            return f"{fixed(v / 1e4, digits)}万{base}"
        return f"{fixed(v, 0 if float(v).is_integer() else digits)}{base}"
    if unit == "%":
        return percent(x, digits)
    return f"{fixed(x, digits)}{'' if unit in ('1', '-') else unit}"


def yi(x, unit: str = "亿元", digits: int = 2) -> str | None:
    """Always in 亿 (亿元 to 2 decimals, as the 统计公报 write GDP): 4567.891 亿元 → 4567.89亿元."""
    if _bad(x):
        return None
    f, base = _SCALABLE.get(unit, (1e8, "元"))
    return f"{fixed(float(x) * f / 1e8, digits)}亿{base}"


def wan(x, unit: str = "人", digits: int = 2) -> str | None:
    if _bad(x):
        return None
    f, base = _SCALABLE.get(unit, (1, unit))
    return f"{fixed(float(x) * f / 1e4, digits)}万{base}"


def percent(x, digits: int = 1) -> str | None:
    """A value already in percent: 45.678 → 45.7%."""
    if _bad(x):
        return None
    return f"{fixed(x, digits)}%"


def points(x, digits: int = 1) -> str | None:
    """A change of a percentage, unsigned (the verb carries the sign): −1.23 → 1.2个百分点."""
    if _bad(x):
        return None
    return f"{fixed(abs(float(x)), digits)}个百分点"


def ordinal(n) -> str | None:
    """第N位."""
    if _bad(n):
        return None
    return f"第{int(n)}位"


def rank_change(n) -> str | None:
    """Places gained (+) or lost (−): 3 → 进位3位, −2 → 退位2位, 0 → 位次不变."""
    if _bad(n):
        return None
    n = int(n)
    if n > 0:
        return f"进位{n}位"
    if n < 0:
        return f"退位{-n}位"
    return "位次不变"


def change(x, up: str = "提高", down: str = "下降", same: str = "持平", digits: int = 2, unit: str = "") -> str | None:
    """A signed change as words: 1.234 → 提高1.23, −0.5 → 下降0.50; `same` when it rounds to zero."""
    if _bad(x):
        return None
    text = fixed(abs(float(x)), digits)
    if float(text) == 0:
        return same
    return f"{up if x > 0 else down}{text}{unit}"


def count(n) -> str | None:
    if _bad(n):
        return None
    return str(int(n))
