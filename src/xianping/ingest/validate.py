"""Cell-level checks: numbers vs text, missing markers, periods, codes, subtotal and footnote rows, ranges."""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from xianping.store.base import is_valid_period

# Yearbook ways of saying "no data"; these become a missing value with a flag, never an error.
MISSING_MARKERS = {"—", "——", "–", "-", "--", "―", "…", "……", "...", "......", "..", "/", "x", "X", "×", "*", "na", "n/a",
                   "nan", "null", "none", "无数据", "空"}

# Names of rows that add up other rows; they are left out so that nothing is counted twice.
SUBTOTAL_NAMES = {"全国", "全省", "全市", "全区", "全县", "全州", "全盟", "合计", "总计", "小计", "市辖区", "县", "市",
                  "其中", "全自治区", "total", "subtotal", "全国合计", "全省合计", "全市合计", "national", "province",
                  "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县", "直辖县", "县级市"}

# Functional zones (开发区, 示范区 …) that statistics report beside counties but GB/T 2260 does not list.
ZONE_RE = re.compile(r"(开发区|示范区|管理区|产业园|园区|管委会|高新区|经开区|实验区|合作区|保税区|食品区|行政委员会|行委$|新城$)")

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


# Arabic and Persian decimal and thousands separators (NFKC leaves them; full-width "．" and "，" it maps itself)
_SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ",", "\u060c": ","})
_DIGIT = re.compile(r"\d")  # on str patterns \d is every Unicode decimal digit (category Nd)


def ascii_digits(text: str) -> str:
    """NFKC text with every Unicode decimal digit as its ASCII digit: '２０２０', '٢٠٢٠', '२०२०' → '2020',
    '１２３．５' → '123.5'. Numbers and years are read from what this returns."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    return _DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text).translate(_SEPARATORS)


@dataclass(frozen=True)
class Cell:
    value: float | None
    missing: str | None = None  # the marker when the source reported no data ('' for a blank cell)
    error: bool = False  # text where a number belongs, or a number that is not finite (then `reason` says so)
    percent_sign: bool = False  # "45.2%" written in the cell
    reason: str | None = None  # why an error cell was refused when it is not plain text ("not_finite")


def parse_number(cell: Any) -> Cell:
    """A cell as a number. Yearbook no-data marks (— … / X, and 'NaN' as pandas writes a gap) become missing; text,
    and numbers that are infinite or overflow a double ('1e999', 10**400), are errors (`reason` "not_finite")."""
    if cell is None:
        return Cell(None, missing="")
    if isinstance(cell, bool):
        return Cell(None, error=True)
    if isinstance(cell, (int, float)):
        if cell != cell:  # NaN
            return Cell(None, missing="NaN")
        try:
            value = float(cell)
        except OverflowError:  # an int beyond a double
            return Cell(None, error=True, reason="not_finite")
        return Cell(value) if math.isfinite(value) else Cell(None, error=True, reason="not_finite")
    text = ascii_digits(str(cell)).strip()
    if text == "":
        return Cell(None, missing="")
    if text in MISSING_MARKERS or text.lower() in MISSING_MARKERS:
        return Cell(None, missing=str(cell).strip())
    pct = text.endswith("%")
    if pct:
        text = text[:-1].strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if _PLAIN.match(text):
        value = float(text)
        if not math.isfinite(value):  # '1e999' overflows to inf and would zero an indicator's normalisation
            return Cell(None, error=True, reason="not_finite")
        return Cell(value, percent_sign=pct)
    if text.lstrip("+-").lower() in ("inf", "infinity", "∞"):
        return Cell(None, error=True, reason="not_finite")
    return Cell(None, error=True)


def normalise_code(cell: Any) -> str | None:
    """A unit code as text ('410802'), or None when the cell is empty or a missing marker ('NA')."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = ascii_digits(str(cell)).strip()
    if text == "" or text.lower() in MISSING_MARKERS:
        return None
    # 12-digit statistical codes of counties end in 000000; GB/T 2260 uses the first six.
    if re.fullmatch(r"\d{6}0{6}", text):
        text = text[:6]
    return text


def is_county_code(code: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", code))


def code_level(code: str) -> str:
    """Level by the GB/T 2260 pattern: XX0000 province, XXXX00 prefecture, else county."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


# Look-alike characters typed for the right one in published tables (巿 U+5DFF "fu" for 市 in census 2010).
_LOOKALIKES = str.maketrans({"巿": "市"})


def clean_name(cell: Any) -> str:
    return "" if cell is None else re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(cell))).translate(_LOOKALIKES)


def is_subtotal_name(name: str) -> bool:
    return name.casefold() in SUBTOTAL_NAMES or name.endswith("合计") or name.endswith("总计")


def is_footnote_row(row: list[Any]) -> bool:
    """A row with a single text cell and nothing else (notes, sources, the spam line at the end of a download)."""
    filled = [c for c in row if c is not None and str(c).strip() != ""]
    if len(filled) != 1 or not isinstance(filled[0], str):
        return False
    text = filled[0].strip()
    return not re.fullmatch(r"\d+", text)


_PERIOD_PATTERNS = [
    (re.compile(r"^(\d{4})(?:\.0+)?年?$"), lambda m: m.group(1)),
    (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"), lambda m: f"{m.group(1)}-{int(m.group(2)):02d}"),
    (re.compile(r"^(\d{4})\s*[-]?\s*[Qq]([1-4])$"), lambda m: f"{m.group(1)}Q{m.group(2)}"),
    (re.compile(r"^(\d{4})年?第?([1-4一二三四])季度?$"), lambda m: f"{m.group(1)}Q{'一二三四'.index(m.group(2)) + 1 if m.group(2) in '一二三四' else m.group(2)}"),
]


def parse_period(cell: Any) -> str | None:
    """'2020', '2020Q1' or '2020-03' from the spellings tables use ('2020年', 2020.0, '2020年3月', '2020年第一季度'),
    None when the text is not a period."""
    if cell is None:
        return None
    if isinstance(cell, (_dt.date, _dt.datetime)):
        return f"{cell.year}-{cell.month:02d}" if cell.month != 1 or cell.day != 1 else str(cell.year)
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = ascii_digits(str(cell)).strip()
    for pat, fmt in _PERIOD_PATTERNS:
        m = pat.match(text)
        if m:
            p = fmt(m)
            if is_valid_period(p) and 1900 <= int(p[:4]) <= 2100:
                return p
    return None
