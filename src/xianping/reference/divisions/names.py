"""Name handling: kinds derived from names, short names (修武县 → 修武), code normalisation."""

from __future__ import annotations

import re
from functools import lru_cache

# 55 minority nationalities as they appear in names of autonomous areas (民族自治地方), plus 维吾尔 without 族
# as in 新疆维吾尔自治区. Longest first so that 土家族 wins over 土族.
_ETHNIC = sorted(
    """蒙古族 回族 藏族 维吾尔族 维吾尔 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族
    傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族
    毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族
    独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 各族""".split(),
    key=len,
    reverse=True,
)
_AUTONOMY_SUFFIXES = ("自治县", "自治旗", "自治州", "自治区")
# generic suffixes, longest first; a short name is never empty
_SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "行政区", "民族乡", "民族苏木", "地区", "林区", "特区",
    "矿区", "新区", "街道", "苏木", "村委会", "居委会", "社区", "省", "市", "县", "区", "旗", "盟", "镇", "乡", "村",
)
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
# Longer than any division's full path (province + prefecture + county + town + village is under 60 characters);
# a longer cell names no division, and looking it up split by split would cost O(n²).
MAX_NAME_CHARS = 100


def short_name(name: str) -> str:
    """Name without its administrative suffix: 修武县 → 修武, 长阳土家族自治县 → 长阳, 广西壮族自治区 → 广西."""
    # By hand, not a regex: ^(.+?)(ETHNIC)+自治…$ backtracks in O(n²) per call, and _by_path calls this for every
    # split of a name, so a 20,000-character cell took 45 s. Stripping nationalities from the end is linear.
    if name.endswith(_AUTONOMY_SUFFIXES):
        head = name[:-3]
        stripped = head
        while True:
            for eth in _ETHNIC:
                if stripped.endswith(eth) and len(stripped) > len(eth):
                    stripped = stripped[: -len(eth)]
                    break
            else:
                break
        if stripped != head:
            return stripped
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf):
            return name[: -len(suf)]
    return name


# Compound suffixes whose last character is itself a suffix: 万柏林区 is an ordinary 区 named 万柏林, so it is
# also indexed (and queried) under 万柏林; only 神农架林区 is a 林区.
_COMPOUND = ("林区", "矿区", "新区")
# Suffixes that name the common kinds of a level; tables swap them for former or variant names
# (偃师县 for 偃师市, 长阳县 for 长阳土家族自治县). Others (林区, 矿区, 镇, 乡, 街道 …) must match exactly.
SWAPPABLE_SUFFIXES = frozenset({"县", "市", "区", "旗", "自治县", "自治旗", "省", "自治区", "地区", "盟", "自治州"})


def short_forms(name: str) -> list[tuple[str, str]]:
    """(short name, stripped suffix) pairs a name may be known by: 修武县 → [(修武, 县)];
    万柏林区 → [(万柏, 林区), (万柏林, 区)]; a name without a suffix → [(name, '')]."""
    short = short_name(name)
    forms = [(short, name[len(short):])]
    for comp in _COMPOUND:
        if name.endswith(comp) and len(name) > len(comp) and short == name[: -len(comp)]:
            forms.append((name[:-1], name[-1]))
    return forms


def short_fits(short: str, suffix: str, name: str) -> bool:
    """Whether a query `short`+`suffix` may name the division called `name`, whose short form is `short`.

    A one-character short form only matches with the division's own suffix (新林区 is not 新县, 新 alone
    is nothing); otherwise a query without a suffix matches, and one with a suffix matches a division
    with that very suffix or, when both are common suffixes of a kind (县/市/区/旗 …), a swapped one.
    """
    own = name[len(short):] if name.startswith(short) else name
    if suffix and own == suffix:
        return True
    if len(short) < 2:
        return False
    if not suffix:
        return True
    return suffix in SWAPPABLE_SUFFIXES and (own in SWAPPABLE_SUFFIXES or own.endswith(("自治县", "自治旗", "自治州", "自治区")))


def derive_kind(name: str, level: str) -> str:
    """Kind of division (县/县级市/市辖区/旗/自治县/… ) from its name and level (GB/T 2260 naming rules)."""
    if level == "province":
        if name in MUNICIPALITIES:
            return "直辖市"
        for k in ("特别行政区", "自治区", "省"):
            if name.endswith(k):
                return k
        return "其他"
    if level == "prefecture":
        for suffix, kind in (("自治州", "自治州"), ("地区", "地区"), ("行政区", "行政区"), ("盟", "盟"), ("市", "地级市")):
            if name.endswith(suffix):
                return kind
        return "其他"
    if level == "county":
        if name == "神农架林区":  # the only 林区; 万柏林区, 西林区 … are ordinary districts
            return "林区"
        for suffix, kind in (("自治县", "自治县"), ("自治旗", "自治旗"), ("特区", "特区"), ("旗", "旗"), ("县", "县"), ("市", "县级市"), ("区", "市辖区"), ("镇", "镇")):
            if name.endswith(suffix):
                return kind
        return "其他"
    if level == "town":
        if re.search(r"族乡$", name):
            return "民族乡"
        for suffix in ("街道", "苏木", "镇", "乡"):
            if name.endswith(suffix):
                return suffix
        return "其他"
    if level == "village":
        for suffix, kind in (("居委会", "居委会"), ("社区", "社区"), ("村委会", "村委会"), ("嘎查", "嘎查"), ("村", "村")):
            if name.endswith(suffix):
                return kind
        return "其他"
    return "其他"


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: only queries that need it pay for it

    return opencc.OpenCC("t2s").convert


def to_simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC t2s); ASCII passes through untouched."""
    return text if text.isascii() else _t2s()(text)


def normalize_code(code: object) -> str | None:
    """Canonical code: 6 digits (province/prefecture/county), 9 (town) or 12 (village); None if not code-like.

    Accepts 12-digit statistical codes with trailing zeros (410821000000 → 410821, 410821100000 → 410821100)
    and the boundary files' "156"+code (156410821 → 410821; a 9-digit code starting 156 is otherwise no valid
    town, since no prefecture code starts 156).
    """
    s = str(code).strip()
    if s.endswith(".0"):  # codes read from spreadsheets as floats
        s = s[:-2]
    if not s.isdigit():
        return None
    if len(s) == 9 and s.startswith("156"):
        return s[3:]
    if len(s) == 12:
        if s.endswith("000000"):
            return s[:6]
        if s.endswith("000"):
            return s[:9]
        return s
    if len(s) in (6, 9):
        return s
    return None
