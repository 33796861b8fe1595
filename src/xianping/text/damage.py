"""Numbers the scrape destroyed (spec §2.1–2): never read, always flagged.

* ``.6亿元`` — a fraction with no integer digit before it.
* ``项目个`` / ``个行政村`` / ``余万元`` / ``达到元、元`` / ``就业人`` — a unit where a number is needed: after a
  verb or a list separator, at a clause start before a noun, or at a clause end after a noun. Whether the
  classifier forms a word with its neighbour (专家, 厕所, 空间, 个人, 项目) is checked against a word list, so
  ordinary words are not taken for lost numbers.
* ``在年全省`` — a year without digits (``damaged_period``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

NUMERAL_BEFORE = set("0123456789零〇一二两三四五六七八九十百千万亿几多数每各这那整某半第首哪其些单")
CLAUSE_EDGE = set(",、;:。()“”\"和及与")
VERB_BEFORE = ("实施", "完成", "开展了", "开展", "新建", "建成", "谋划", "搭建", "建立", "创建", "培育", "引进", "改造",
               "共有", "拥有", "全市", "全县", "全区", "全省", "累计", "达到", "新增", "建设", "打造", "设立", "组建", "元")
CLASSIFIER = re.compile(r"(?=[余个所家座间条项])(?P<hedge>余)?(?P<unit>[个所家座间条项])")
PERSON = re.compile(r"(?:就业|脱贫|转移|培训|安置|吸纳|带动|招聘|惠及|招录|参保)(?P<unit>人)(?=[,。;、)]|$)")
DAMAGED_YEAR = re.compile(r"(?:^|(?<=[在于为选入获,、;:]))年(?![代轻龄均初底末终内来间份报鉴会货华画限薪糕假节夜级中产度销])")
VERB_BEFORE_RX = re.compile("(?:" + "|".join(sorted(VERB_BEFORE, key=len, reverse=True)) + ")$")
MEASURE_UNIT = re.compile(r"万亿元|亿元|万元|万亩|平方公里|万人|万吨|公里|万户|%|‰")
HEDGES = frozenset("余多近约")
LEADING_POINT = re.compile(r"(?<![\d.])\.\d+\s?(?P<unit>[^\d\s,;。、]{1,4})")
IDIOM_BEFORE_MEASURE = set("超上过近逾数几百千万亿十")
NOT_WORDS = {"个人", "个体", "个性", "个别", "个税", "个案", "所有", "所以", "所在", "所属", "所得", "所谓", "所需", "所致",
             "家庭", "家乡", "家电", "家长", "家居", "家政", "家具", "家风", "家属", "家园", "家门", "家族", "座谈", "间接",
             "条件", "条例", "条款", "项目", "间隔", "间断", "所长", "家底", "条线", "项工作", "个月"}


@dataclass(frozen=True)
class Damage:
    start: int
    end: int
    unit: str
    value_text: str
    hedge: str | None


@functools.lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    try:
        from pypinyin.phrases_dict import phrases_dict
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        return frozenset()
    return frozenset(phrases_dict)


def _is_word(s: str) -> bool:
    return s in NOT_WORDS or s in _words()


def _cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def find_damage(s: str, taken) -> list[Damage]:
    """Lost numbers in sentence `s`; `taken(a, b)` says whether [a, b) is already read as something else."""
    out: list[Damage] = []
    # .6亿元: digits after a point with no integer part
    for m in (LEADING_POINT.finditer(s) if "." in s else ()):
        unit = _unit_prefix(m.group("unit"))
        if unit and not taken(m.start(), m.end()):
            e = m.start() + len(m.group(0)) - len(m.group("unit")) + len(unit)
            out.append(Damage(m.start(), e, unit, s[m.start():e], None))
    # (the unit is found first and its hedge looked at by hand: a pattern opening with an optional hedge is
    # tried at every position of the sentence, three times slower)
    for m in MEASURE_UNIT.finditer(s):
        u0, e = m.span()
        hedge = s[u0 - 1] if u0 and s[u0 - 1] in HEDGES else None
        a = u0 - 1 if hedge else u0
        if taken(a, e) or a == 0:
            continue
        prev = s[a - 1]
        if prev.isdigit() or prev in ".*xX" or prev in IDIOM_BEFORE_MEASURE or prev in NUMERAL_BEFORE or not (_cjk(prev) or prev in CLAUSE_EDGE):
            continue
        unit = m.group(0)
        if unit == "公里" and s[max(0, a - 2):a] in ("平方", "一公"):
            continue
        if hedge is None and unit in ("%", "‰") and not _cjk(prev):
            continue
        out.append(Damage(a, e, unit, s[a:e], hedge))
    i = s.find("元")
    while i >= 0:  # 达到元、元: 元 right after a verb of amount, or after another lost 元
        if i and (s[i - 1] in "到达为至计" or s.startswith("元、", i - 2)) and not taken(i, i + 1):
            out.append(Damage(i, i + 1, "元", "元", None))
        i = s.find("元", i + 1)
    for m in PERSON.finditer(s):
        a = m.start("unit")
        if not taken(a, m.end()):
            out.append(Damage(a, m.end(), "人", "人", None))
    for m in CLASSIFIER.finditer(s):
        a, e = m.start(), m.end()
        if taken(a, e):
            continue
        prev = s[a - 1] if a else ""
        nxt = s[e] if e < len(s) else ""
        if prev and (prev in NUMERAL_BEFORE or prev in "*xX"):
            continue
        unit = m.group("unit")
        at_end = not nxt or nxt in ",。;、)"
        # (at the start of a clause or after a verb: tested only when a character follows, the costly test last)
        if _cjk(nxt) and (not prev or prev in CLAUSE_EDGE or VERB_BEFORE_RX.search(s, max(0, a - 3), a)) \
                and not _is_word(unit + nxt) and not _is_word(s[a + len(m.group(0)) - 1:e + 2]):
            out.append(Damage(a, e, unit, m.group(0), m.group("hedge")))
        elif m.group("hedge") and prev and _cjk(prev):  # 余 needs a number before it: 房屋余座
            out.append(Damage(a, e, unit, m.group(0), m.group("hedge")))
        elif at_end and prev and _cjk(prev) and not any(_is_word(s[max(0, e - k):e]) for k in (2, 3, 4)):
            out.append(Damage(a, e, unit, m.group(0), m.group("hedge")))
    out.sort(key=lambda d: d.start)
    dedup: list[Damage] = []
    for d in out:
        if dedup and d.start < dedup[-1].end:
            continue
        dedup.append(d)
    return dedup


def _unit_prefix(text: str) -> str | None:
    from xianping.text.patterns import UNITS

    for u in UNITS:
        if text.startswith(u):
            return u
    if text.startswith(("亿", "万")):
        return text[0]
    return None
