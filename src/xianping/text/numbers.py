"""Numbers as written in Chinese reports: Arabic (full-width already folded), thousands separators, Chinese
numerals (二百二十一亿三千万, 一点五, 两千), 百分之五, and the placeholders templates leave (``**``, ``xx``)."""

from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_CHARS = "零〇一二两三四五六七八九十百千万亿"
CN_NUMBER = re.compile(rf"[{CN_CHARS}]+(?:点[零〇一二三四五六七八九]+)?")
PLACEHOLDER = re.compile(r"\*+|[xX]{1,3}(?:\.[xX]+)?|×+")


def parse_arabic(text: str) -> float:
    return float(text.replace(",", "").replace(" ", ""))


def parse_chinese(text: str) -> float | None:
    """二百二十一亿三千万 → 22130000000; 一点五 → 1.5; 十二 → 12; None if it is not a well-formed numeral."""
    if not text:
        return None
    if "点" in text:
        head, _, frac = text.partition("点")
        whole = parse_chinese(head) if head else 0.0
        if whole is None or not frac or any(c not in CN_DIGITS for c in frac):
            return None
        return whole + float("0." + "".join(str(CN_DIGITS[c]) for c in frac))
    total = 0
    section = 0  # below 万
    digit = None
    for c in text:
        if c in CN_DIGITS:
            if digit is not None and CN_DIGITS[c] != 0 and digit != 0:
                # plain digit strings (二〇二三) read digit by digit
                return _digit_string(text)
            digit = CN_DIGITS[c]
        elif c in CN_SMALL:
            section += (1 if digit is None else digit) * CN_SMALL[c]
            digit = None
        elif c in CN_BIG:
            section += digit or 0
            if section == 0 and c == "万" and total:
                total *= CN_BIG[c]
            else:
                total += section * CN_BIG[c] if section else (CN_BIG[c] if total == 0 else 0)
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def _digit_string(text: str) -> float | None:
    if all(c in CN_DIGITS for c in text):
        return float("".join(str(CN_DIGITS[c]) for c in text))
    return None


def parse_number(text: str) -> float | None:
    t = text.replace(" ", "")
    if not t:
        return None
    if t[0] == "-" and len(t) > 1 and t[1].isdigit():  # 增长-1.3%, 自然增长率-0.98‰
        v = parse_number(t[1:])
        return None if v is None else -v
    if t[0].isdigit():
        try:
            return parse_arabic(t)
        except ValueError:
            return None
    if t.startswith("百分之"):
        v = parse_number(t[3:])
        return v
    return parse_chinese(t)
