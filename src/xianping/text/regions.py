"""Find division names in prose and resolve deictic subjects (我市, 全县, 我省) through the gazetteer.

Full names (焦作市, 温县) are found anywhere; short names (孟州, 焦作, 河南) only for provinces, prefectures,
and counties of a prefecture the document names, so that words such as 博爱 or 大同 do not become places.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

SUFFIX_CHARS = "省市县区旗州盟"
# two-character short names that are ordinary words far more often than places
SHORT_STOP = frozenset("大同 中山 长治 安康 吉安 太平 白山 黄山 三明 和平 新华 城关 中心 建设 新城 长安 文化 开发 东方 "
                       "永安 光明 宝山 南山 北海 海南 江南 河西 城区 郊区 矿区 市中 市区 红旗 解放 胜利 前进 青山 "
                       "东风 五四 友谊 人民 工业 新兴 兴业 龙华 美兰 宁海 安全 公安 长沙".split())
SUFFIX = re.compile(f"[{SUFFIX_CHARS}]")
DEICTIC = re.compile(r"(我|全|本|该)(省|市|县|区|州)")


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str
    parent: str | None  # prefecture (or province) code
    province: str | None


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    place: Place


class NameIndex:
    def __init__(self, places: list[tuple[Place, str]]):
        """`places`: each division with its short name (中牟县 → 中牟)."""
        self.full: dict[str, list[Place]] = {}
        self.short: dict[str, list[Place]] = {}
        self.province_names = {p.code: p.name for p, _ in places if p.level == "province"}
        for p, s in places:
            self.full.setdefault(p.name, []).append(p)
            if len(s) >= 2 and s != p.name and s not in SHORT_STOP:
                self.short.setdefault(s, []).append(p)
        self.max_len = max(len(k) for k in self.full)
        # the lengths of the full names ending in each pair of characters (州市, 阳县), longest first: find_full
        # tries only those, so a 市 in 城市 or 超市 costs one dictionary look-up
        lengths: dict[str, set[int]] = {}
        for k in self.full:
            if len(k) >= 2:
                lengths.setdefault(k[-2:], set()).add(len(k))
        self.lengths_by_last2 = {c: sorted(v, reverse=True) for c, v in lengths.items()}
        self.short_by_prefix: dict[str, list[str]] = {}
        for k in self.short:
            self.short_by_prefix.setdefault(k[:2], []).append(k)
        self.short_prefixes = frozenset(self.short_by_prefix)  # (set & dict.keys() would build a set each time)

    def find_full(self, text: str) -> list[Mention]:
        out = []
        last_end = -1
        by_last2 = self.lengths_by_last2
        for m in SUFFIX.finditer(text):
            e = m.end()
            for k in by_last2.get(text[e - 2:e], ()):
                if k > e:
                    continue
                s = e - k
                if s < last_end:
                    continue
                cands = self.full.get(text[s:e])
                if cands:
                    out.append(Mention(s, e, cands[0]) if len(cands) == 1 else Mention(s, e, _Ambiguous(cands)))  # type: ignore[arg-type]
                    last_end = e
                    break
        return out


class _Ambiguous(Place):
    def __new__(cls, cands):
        return cands  # resolved by the document context below


@functools.lru_cache(maxsize=1)
def name_index() -> NameIndex:
    """Provinces, prefectures and counties of 2024, from the compiled cache when the gazetteer's data and this
    code are unchanged (see text/cache.py)."""
    from pathlib import Path

    from xianping.text.cache import compiled

    data_file = Path(__file__).parents[1] / "reference" / "data" / "divisions.json.gz"
    rows = compiled("text-places", [data_file, Path(__file__)], _place_rows)
    return NameIndex([(Place(*r[:5]), r[5]) for r in rows])


def _place_rows() -> list[list]:
    from xianping.reference.divisions import get_gazetteer
    from xianping.reference.divisions.names import short_name

    rows = []
    for d in get_gazetteer().divisions_in(2024):
        if d.level not in ("province", "prefecture", "county"):
            continue
        prov = d.parents[0][0] if d.parents else (d.code if d.level == "province" else None)
        rows.append([d.code, d.name, d.level, d.parent_code, prov, short_name(d.name)])
    return rows


class DocRegions:
    """Place mentions of one document, resolved against each other (a county of a named prefecture wins)."""

    def __init__(self, text: str, idx: NameIndex | None = None):
        self.idx = idx or name_index()
        raw = self.idx.find_full(text)
        prov_or_pref: Counter[str] = Counter()
        for m in raw:
            if isinstance(m.place, Place):
                for c in (m.place.code, m.place.parent, m.place.province):
                    if c:
                        prov_or_pref[c] += 1
        # the areas named, counting only mentions that are plausibly places (增城区 inside 新增城区 names no area)
        kept = [m for m in raw if not isinstance(m.place, Place) or self._plausible(text, m, prov_or_pref)]
        if len(kept) < len(raw):
            raw = kept
            prov_or_pref = Counter(c for m in raw if isinstance(m.place, Place)
                                   for c in (m.place.code, m.place.parent, m.place.province) if c)
        # short names: provinces and prefectures anywhere; counties of named prefectures
        shorts: dict[str, Place] = {}
        bigrams = set(map(str.__add__, text[:-1], text[1:]))  # at C speed: a set comprehension costs 4x
        trigrams: set[str] | None = None
        present = []
        for bg in bigrams & self.idx.short_prefixes:
            for s in self.idx.short_by_prefix[bg]:
                if len(s) == 2:  # its bigram is in the text: no search needed
                    present.append(s)
                    continue
                if trigrams is None:
                    trigrams = set(map(str.__add__, map(str.__add__, text[:-2], text[1:-1]), text[2:]))
                if s[:3] in trigrams and (len(s) == 3 or s in text):
                    present.append(s)
        deictic_levels = {m.group(2) for m in DEICTIC.finditer(text)}
        # a county document that never writes its full name (宁远发展史上…, 全县…): a short name that is one
        # county's alone may name it
        lone_county = None  # decided on first need: most documents never ask
        for s in present:
            cands = self.idx.short[s]
            pick = [p for p in cands if p.level in ("province", "prefecture") and p.code not in ("",)]
            pick += [p for p in cands if p.level == "county" and (p.parent in prov_or_pref)]
            if not pick and lone_county is None:
                lone_county = ("县" in deictic_levels or "区" in deictic_levels) and not any(
                    isinstance(m.place, Place) and m.place.level == "county" for m in raw)
            if not pick and lone_county and len(s) >= 2 and _free_standing(text, s):
                counties = [p for p in cands if p.level == "county"]
                if len(counties) == 1:
                    pick = counties
            if len(pick) >= 1:
                pick.sort(key=lambda p: -prov_or_pref.get(p.code, 0) - prov_or_pref.get(p.parent or "", 0))
                shorts[s] = pick[0]
        mentions = [m for m in raw if isinstance(m.place, Place) and self._plausible(text, m, prov_or_pref)]
        for m in raw:
            if not isinstance(m.place, Place):  # ambiguous full name: choose the one in a named area
                cands = sorted(m.place, key=lambda p: -prov_or_pref.get(p.parent or "", 0) - prov_or_pref.get(p.province or "", 0))  # type: ignore[arg-type]
                if prov_or_pref.get(cands[0].parent or "", 0) or prov_or_pref.get(cands[0].province or "", 0):
                    mentions.append(Mention(m.start, m.end, cands[0]))
        if shorts:
            covered = bytearray(len(text) + 1)  # positions inside a full-name mention
            for m in mentions:
                covered[m.start:m.end] = b"\x01" * (m.end - m.start)
            # (a look-ahead on the first characters lets the scan skip other positions at C speed)
            first = "".join(sorted({k[0] for k in shorts}))
            pat = re.compile(f"(?=[{re.escape(first)}])(?:" + "|".join(sorted(map(re.escape, shorts), key=len, reverse=True)) + ")")
            for m in pat.finditer(text):
                if not covered[m.start()]:
                    mentions.append(Mention(m.start(), m.end(), shorts[m.group(0)]))
        mentions.sort(key=lambda m: m.start)
        self.mentions = mentions
        self.starts = [m.start for m in mentions]
        counts = Counter(m.place.code for m in mentions)
        self.counts = counts
        self.by_code = {m.place.code: m.place for m in mentions}
        deictics = Counter(m.group(2) for m in DEICTIC.finditer(text))
        self.deictic = {lvl: self._dominant(lvl) for lvl in ("省", "市", "县", "区")}
        top = deictics.most_common(1)
        self.anchor = self.deictic.get(top[0][0]) if top else None
        if self.anchor is None and mentions:
            self.anchor = self.by_code[counts.most_common(1)[0][0]]

    @staticmethod
    def _plausible(text: str, m: Mention, named: Counter) -> bool:
        """Two-character names (和县, 范县, 富县) hide inside words; keep them only after a separator and
        inside an area the document names."""
        prev = text[m.start - 1] if m.start else ""
        if m.place.level == "county" and m.end - m.start > 2:
            # 新增城区绿化面积 hides 增城区: a county name glued to the word before it counts only inside an area
            # the document names
            name = text[m.start:m.end]
            if prev and "\u4e00" <= prev <= "\u9fff" and prev not in "和与及在是为于、省市州盟年的对向" \
                    and text.count(name) < 2:
                return named.get(m.place.parent or "", 0) > 1 or named.get(m.place.province or "", 0) > 1  # itself counts once
            return True
        if m.end - m.start > 2 or m.place.level != "county":
            return True
        if prev and "\u4e00" <= prev <= "\u9fff" and prev not in "和与及在是为于":
            return False
        if not prev or prev in "\n#《“\"":  # a title or heading that starts with the name
            return True
        return named.get(m.place.parent or "", 0) > 1 or named.get(m.place.province or "", 0) > 1

    def _dominant(self, level_char: str) -> Place | None:
        level = {"省": "province", "市": "prefecture", "县": "county", "区": "county"}[level_char]
        cands = [(n, self.by_code[c]) for c, n in self.counts.items() if self.by_code[c].level == level]
        if level_char == "市" and not cands:  # a county-level city speaks of itself as 我市
            cands = [(n, self.by_code[c]) for c, n in self.counts.items() if self.by_code[c].name.endswith("市")]
        if not cands:
            if level == "province":
                pref = self._dominant("市")
                if pref and pref.province:
                    name = self.idx.province_names.get(pref.province) or _province_name(pref.province)
                    return Place(pref.province, name, "province", None, pref.province)
            return None
        cands.sort(key=lambda x: -x[0])
        return cands[0][1]

    def in_range(self, start: int, end: int) -> list[Mention]:
        import bisect

        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            out.append(self.mentions[i])
            i += 1
        return out


def _free_standing(text: str, name: str) -> bool:
    """Whether `name` occurs at least once not glued to the word before it (也是宁远发展史上 yes, 新增城区 no)."""
    i = text.find(name)
    while i >= 0:
        prev = text[i - 1] if i else ""
        if not prev or not ("\u4e00" <= prev <= "\u9fff") or prev in "和与及在是为于、":
            return True
        i = text.find(name, i + 1)
    return False


def _province_name(code: str) -> str:
    from xianping.reference.divisions import get_gazetteer

    d = get_gazetteer().get(code)
    return d.name if d else code
