"""Extract indicator statements from a (scraped) Chinese report, each pointing at its source span.

Pipeline: `repair` → sentences (``。！？`` and line breaks) → parts (``;``) → tokens (values, lost numbers,
ranks, ratios) → each token gets an indicator (the lexicon, else the noun phrase around it, else the statement
before it), a region (named in the part, else the speaker's or document's 我市), a period and its growth,
percentage-point change, comparison and share. Statements are then deduplicated by
(region, period, indicator, value), keeping every source span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from xianping.text import patterns as P
from xianping.text.damage import DAMAGED_YEAR, find_damage
from xianping.text.lexicon import Lexicon, Term, load_lexicon
from xianping.text.numbers import parse_number
from xianping.text.regions import DocRegions, Place
from xianping.text.repair import Repaired, repair
from xianping.text.statement import Statement

SENTENCE_END = re.compile(r"[。！？!\n]")
PART_END = re.compile(r"[;；]")
CLAUSE_END = ",;:，；："
SPEAKER_TITLE = re.compile(r"(?:副?市长|副?县长|副?区长|书记|副?主任|常委|副?局长|副?主席|部长|秘书长|发言人|主持人)")
LOGISTICS = re.compile(r"讲话|主持|出席|宣读|点评|交流发言|参加会议|收听收看|观摩组|记者|报道")
LOCATIVE_BEFORE = set("在赴到与同向从至和")
MONEY_HINT = re.compile(r"收入|总值|投资|资金|总额|产值|增加值|支出|消费|零售|利润|税|存款|贷款|额|金|值|费")
QUARTERS = {"一": "Q1", "二": "Q2", "三": "Q3", "四": "Q4"}
SUBPERIOD = re.compile(
    r"(?P<q>第?[一二三四]季度)|(?P<h>上半年|下半年)|(?P<q3>前三季度)|(?P<mr>(?:元|\d{1,2})(?:[-—~至到])(?P<m2>\d{1,2}|[一二三四五六七八九十]+)月)"
    r"|(?P<me>(?P<m>\d{1,2})月(?:末|底))|(?P<y>全年|年末|年底)"
)
CUMULATIVE = re.compile(r"(?:\d+|[两三四五六七八九十])年来|近(?:\d+|[两三四五六七八九十])年|五年来|过去五年|“?十[二三四五]五”?(?:期间|时期)|近年来")
CURRENT_YEAR = re.compile(r"今年|本年")
SHARE_OF = re.compile(r"^的(?P<np>[^,;。、和都均在为]{1,16})")
COUNT_SUBJECT = re.compile(r"(?P<n>\d+)(?P<ge>个)?(?P<u>县\(市\)|县市|县\(市、区\)|县区)(?=全部|均|都)")
SUBJECT_PREFIX = re.compile(r"^(?:\d+个?县\(市(?:、区)?\)|\d+个?县市|[一二三四五六七八九十]+县\(市\))")
RIGHT_NP = re.compile(r"^(?:的)?(?P<np>[^,;。、和及与“”\d]{1,24})")
LIST_SPLIT = re.compile(r"[、和及与]")
INDICATOR_COUNT = re.compile(r"(?:主要)?(?:经济)?(?:指标|工作)")
COUNT_AFTER_OF = re.compile(r"^的\d+(?:\.\d+)?(?:个|项|家|座|条|所)(?P<noun>[^,;。、和及与“”\d]{2,16})")
ORDINAL_LIST = re.compile(r"^第(?P<nums>[一二三四五六七八九十](?:[、和及][一二三四五六七八九十])+)(?P<tail>[^、和及]+)$")
# the last characters of indicator names: an item ending so is a whole name, not the head of a shared one
INDICATOR_HEADS = tuple("入值额量率积数资出费价产")
CN_RANK = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

_DIGIT = re.compile(r"\d")
# every token shape needs one of these (digits and placeholders; the units a Chinese numeral or a lost number
# may carry; classifiers; rank words) — a sentence without any is skipped whole
NUMBERISH = re.compile(r"[0-9*xX×%‰元人个所家座间条项亿万亩吨户公第前强佳成倍]|百分之|方阵|领先")
MAGNITUDE_HINT = re.compile(r"[十百千]\s?[万亿]")
# each rank shape with the word it cannot do without (a scan of the sentence for it is cheap; the shape's is not)
RANK_SHAPES = ((P.RANK_TIER, "tier", re.compile("方阵")), (P.RANK_POS, "pos", re.compile("第")),
               (P.RANK_TOP, "top", re.compile("前")), (P.RANK_LIST, "list", re.compile("[强佳]")),
               (P.RANK_LEAD, "lead", re.compile("领先|前列")))
RANK_HINT = re.compile(r"[第前强佳]|方阵|领先")
SPEAKER_GOVERNMENT = re.compile(r"我代表(?:[\u4e00-\u9fff]{0,10}?)(?P<level>县|市|区|旗)人民政府")
SECTION_MARK = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+部分)")
REVIEW_WORDS = re.compile(r"回顾|工作总结|主要成绩|完成情况")
PLAN_WORDS = re.compile(r"工作安排|工作任务|重点任务|主要任务|预期目标|目标任务|总体要求|工作打算|工作建议|工作思路|展望")
TITLE_WORDS = re.compile(r"公报|工作报告|政府工作|统计")
TITLE_YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s?年(?!\s?\d{1,2}\s?月)|(?P<cy>[一二][〇零九][一二三四五六七八九〇零]{2})年")
CN_YEAR_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


def _doc_year(doc: str, original: str) -> str | None:
    """The year a document speaks of: the year in its title (a line naming 公报/工作报告 among the first
    eight; 二〇二三年 counts, a date 2024年4月15日 does not), else the first line's year, else the URL's."""
    lines = [ln.strip() for ln in doc.split("\n", 12)[:12] if ln.strip()][:8]
    for ln in lines:
        if TITLE_WORDS.search(ln):
            m = TITLE_YEAR.search(ln)
            if m:
                return m.group("y") or "".join(CN_YEAR_DIGITS[c] for c in m.group("cy"))
    for ln in lines[:3]:  # the opening line, or the bulletin's first sentence (2023年是…)
        m = TITLE_YEAR.search(ln[:80])
        if m and m.group("y"):
            return m.group("y")
    m = re.search(r"/(20\d\d)[/-]", original[:2000])
    return m.group(1) if m else None


ABBREVIATION_AFTER = re.compile(r"\s?\((?:[A-Za-z][A-Za-z0-9&]*|R&D)\)$")
INNER_VERB = re.compile(r"(?<=[\u4e00-\u9fff])(?:完成|实现|达到|共计)(?=增加值|营业收入|销售收入|营收|产值|总产值|收入|利润|税收)")
THRESHOLD_BEFORE = re.compile(r"(?:低于|高于|超过|不足|大于|小于|不到)\s?$")
IN_SET = re.compile(r"(?:个)?(?:县市区|县\(市、区\)|县\(市\)|县区|县市|乡镇|县|市|区|企业)?(?:中|之中|当中)")
# a place listed as what the subject is compared with (位居甲县、乙市、丙区之后, 仅次于…) is not a subject
COMPARED_LIST = re.compile(r"(?:位居|位列|排在|仅次于|次于|低于|高于|快于|慢于|超过|落后于|领先于|紧随)[^,;。]*$")
# units for which a year-shaped integer (1949–2100) is not a plausible county figure: 2022% or 2023亿元 is a year
# written over the number by a template or a rewriting site (2023万元 is left alone: a plausible sum)
YEAR_SHAPED_UNITS = frozenset({"%", "‰", "个百分点", "百分点", "亿元", "万亿元", "亿"})
THREE_INDUSTRIES = re.compile(r"^(?:三次产业|一二三产业|一、二、三产业)(?P<rest>.*)$")
MEASURE_WORDS = frozenset({"出栏", "存栏", "出笼", "产量", "总产量", "面积", "播种面积", "种植面积", "收购量", "屠宰量", "单产"})
ANNUAL_OUTPUT = re.compile(r"^年产(?P<what>[\u4e00-\u9fff]{1,8}?)(?:总)?量$")
SHARED_HEADS = ("增加值", "总产值", "产值", "产量", "播种面积", "种植面积", "面积", "收入", "支出", "投资", "价格")
# a percentage or per-mille glued to the noun it qualifies (5‰人口变动抽样调查, 10%股权): an attribute, no value
ATTRIBUTIVE_AFTER = re.compile(r"[\u4e00-\u9fff]")
SOURCE_CLAUSE = re.compile(r"(?:^|[,;])\s?(?:据|根据|依据|按照)[^,;]*$")
NOT_ATTRIBUTIVE = frozenset("的左以和及与或、分同比增下高低提至到为但且上内")
COUNT_VERBS = frozenset({"帮助", "带动", "吸纳", "培训", "安置", "新建", "建成", "完成", "实施", "引进", "培育", "服务", "惠及"})
# qualifiers that make a narrower indicator of the one they precede (营利性服务业 ⊂ 服务业, 规模以下工业 ≠ 工业)
NARROWING = re.compile(r"(?:非营利性|营利性|其他|规模以下|规下|限额以下|重点|民营|国有|外资|个体|私营)$")
SLOGAN_AFTER = re.compile(r"为(?:统领|引领|抓手|主线|核心|目标|重点|方向|牵引|总揽)")
EXCLUSION = re.compile(r"^(?:不含|不包括|含|包括|其中)")
FIGURE_LABEL = re.compile(r"[图表]\s?$")
YEAR_AFTER = re.compile(r"\d*年")


def _ratio_parts(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.split(r"\s?[:︰∶﹕]\s?", text)]


@dataclass
class Token:
    kind: str  # value | damaged | placeholder | range | structure | rank
    start: int
    end: int
    value: float | None = None
    unit: str | None = None
    value_text: str = ""
    hedge: str | None = None
    flags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    rep: Repaired
    regions: DocRegions
    source: str
    doc_year: str | None
    block: Place | None = None
    section_year: str | None = None  # the year of the current heading (一、2022年工作回顾)
    plan: bool = False  # inside a plan section (二、2024年工作安排): every quantity is a target


def _rank_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    v = parse_number(text)
    return int(v) if v is not None else None


def read_text_file(path: str | Path) -> tuple[str, str]:
    """(text, encoding) of a report file by the one decoding rule of xianping (ingest.read_table.decode_text:
    UTF-8 with or without BOM, UTF-16 LE/BE with or without BOM, GB18030). Bytes that are none of them are read as
    GB18030 with U+FFFD for the bad bytes, encoding "gb18030 (damaged)": scraped pages often carry a few broken
    bytes, and the repair step knows how they look."""
    from xianping.ingest.read_table import decode_text

    raw = Path(path).read_bytes()
    try:
        return decode_text(raw)
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace"), "gb18030 (damaged)"


class Extractor:
    """Reads statements out of report text. One instance can serve many documents."""

    def __init__(self, lexicon: Lexicon | None = None):
        self.lexicon = lexicon or load_lexicon()

    # ------------------------------------------------------------------ document
    def extract_text(self, text: str, source: str = "") -> list[Statement]:
        rep = repair(text)
        doc = rep.text
        regions = DocRegions(doc)
        ctx = Context(rep, regions, source, _doc_year(doc, text))
        self._regions = regions
        self._speaker_government(doc, regions)
        out: list[Statement] = []
        pos = 0
        for line in doc.split("\n"):
            a, b = pos, pos + len(line)
            pos = b + 1
            if not line.strip():
                continue
            if self._section(line, ctx):
                continue
            speaker = self._speaker(line, a, regions)
            if speaker is not False:
                ctx.block = speaker  # type: ignore[assignment]
                continue
            s = a
            for m in SENTENCE_END.finditer(line):
                e = a + m.start()
                if e > s:
                    out.extend(self._sentence(doc, s, e + 1 if doc[e] != "\n" else e, ctx))
                s = a + m.end()
            if s < b:
                out.extend(self._sentence(doc, s, b, ctx))
        return self._finish(out, ctx)

    def extract_file(self, path: str | Path) -> list[Statement]:
        p = Path(path)
        return self.extract_text(read_text_file(p)[0], source=str(p))

    @staticmethod
    def _speaker_government(doc: str, regions: DocRegions) -> None:
        """我代表县人民政府向大会报告: the speaking government is the document's subject (named in the clause, else
        the county of the title) — before any province or city the text mentions."""
        m = SPEAKER_GOVERNMENT.search(doc)
        if m is None:
            return
        named = [x for x in regions.in_range(m.start(), m.end()) if x.place.level in ("county", "prefecture")]
        place = named[0].place if named else None
        if place is None:
            level = {"县": "county", "区": "county", "旗": "county", "市": None}[m.group("level")]
            head = regions.in_range(0, m.start())
            cands = [x.place for x in head if (level is None and x.place.level in ("county", "prefecture"))
                     or x.place.level == level]
            place = cands[0] if cands else None
        if place is not None:
            regions.anchor = place
            regions.deictic[m.group("level") if m.group("level") in ("县", "区", "市") else "县"] = place

    @staticmethod
    def _section(line: str, ctx: Context) -> bool:
        """A heading (一、2022年工作回顾 / 二、2024年工作安排 / 今年主要预期目标): its year becomes the default period of
        what follows, and a plan heading makes what follows targets. Returns True for a heading line."""
        st = line.strip()
        if len(st) > 40 or not (SECTION_MARK.match(st) or (len(st) <= 24 and not re.search(r"[,。;]", st))):
            return False
        if not (REVIEW_WORDS.search(st) or PLAN_WORDS.search(st)):
            return False
        y = P.YEAR.search(st)
        ctx.section_year = y.group("y") if y else None
        ctx.plan = bool(PLAN_WORDS.search(st)) and not REVIEW_WORDS.search(st)
        return True

    @staticmethod
    def _speaker(line: str, a: int, regions: DocRegions):
        """A speaker header (沁阳市副市长张征) opens a block where 我市 means the speaker's place."""
        s = line.strip()
        if len(s) > 40 or not SPEAKER_TITLE.search(s):
            return False
        if re.search(r"[,。;!?！？]", s) and not s.startswith("主持人"):
            return False
        if s.endswith((";", "；", ":", "：", "先生", "女士")) and not s.startswith("主持人"):
            return False
        if s.startswith("主持人"):
            return None
        ms = regions.in_range(a, a + len(line))
        return ms[0].place if ms else None

    # ------------------------------------------------------------------ sentence
    def _sentence(self, doc: str, s0: int, s1: int, ctx: Context) -> list[Statement]:
        self._s0 = s0
        sent = doc[s0:s1]
        if not sent.strip():
            return []
        toks = self._tokens(sent)
        quali = P.TARGET.search(sent) and not toks
        if not toks and not quali:
            return []
        stmts: list[Statement] = []
        parts = [(m.start(), m.end()) for m in re.finditer(r"[^;；]+", sent)]
        for p0, p1 in parts:
            ptoks = [t for t in toks if p0 <= t.start < p1]
            if ptoks:
                self._part(doc, s0, sent, p0, p1, ptoks, stmts, ctx)
                q0 = ptoks[-1].end
                if P.TARGET.search(sent, q0, p1):
                    self._qualitative(doc, s0, sent, q0, p1, stmts, ctx)
            elif P.TARGET.search(sent[p0:p1]):
                self._qualitative(doc, s0, sent, p0, p1, stmts, ctx)
        if stmts:
            stripped, span = sent.strip(), ctx.rep.orig_span(s0, s1)
            for st in stmts:
                st.sentence, st.sentence_span, st.source = stripped, span, ctx.source
        return stmts

    def _tokens(self, s: str) -> list[Token]:
        taken: list[tuple[int, int]] = []

        def is_taken(a: int, b: int) -> bool:
            return any(a < y and x < b for x, y in taken)

        toks: list[Token] = []
        if NUMBERISH.search(s) is None:  # no digit, unit, classifier or rank word: nothing below can match
            return toks
        has_digit = _DIGIT.search(s) is not None  # the number patterns below all need a \d
        if has_digit:
            for m in P.DATE.finditer(s):
                taken.append(m.span())
        ranks = RANK_HINT.search(s) is not None  # every rank shape needs one of these: skip six scans without
        for m in (P.RANK_MOVE.finditer(s) if ranks else ()):
            a_, b_ = _rank_number(m.group("a")), _rank_number(m.group("b"))
            up = m.group("dir") in ("上升", "提升", "前移", "跃升", "提高")
            toks.append(Token("rank", m.start(), m.end(), extra={"rank": {
                "scope": m.group("scope") or None, "position": b_, "previous": a_,
                "movement": (a_ - b_) if (a_ and b_) else None, "direction": "up" if up else "down"}}))
            taken.append(m.span())
        for rx, kind, hint in RANK_SHAPES:
            for m in (rx.finditer(s) if ranks and hint.search(s) else ()):
                if is_taken(*m.span()):
                    continue
                rank = self._rank(m, kind, s)
                if rank is None:
                    continue
                toks.append(Token("rank", m.start(), m.end(), extra={"rank": rank, "match": m.group(0)}))
                taken.append(m.span())
                if kind != "pos":
                    continue
                # 位居…投资潜力第3、新型城镇化质量第4、…: a rank shared out over a list, one rank per item
                end = m.end()
                while True:
                    nm = P.RANK_NEXT.match(s, end)
                    if nm is None or is_taken(*nm.span()):
                        break
                    pos = _rank_number(nm.group("pos"))
                    if pos is None:
                        break
                    toks.append(Token("rank", nm.start("name"), nm.end(), extra={
                        "rank": {"scope": None, "position": pos}, "match": nm.group(0), "item": nm.group("name")}))
                    taken.append(nm.span())
                    end = nm.end()
        if has_digit:
            # precedence: a structure change (由A调整为B) before a structure, both before values, so the parts
            # of a ratio and the old ratio are never values of their own
            for m in (P.STRUCTURE_LOST.finditer(s) if "为" in s else ()):
                head = re.match(r"(?:结构|比例|构成)(?:比)?", m.group(0))
                toks.append(Token("structure", m.start("d"), m.end("d"), value_text=m.group("d"), flags=["damaged_number", "damaged_value"],
                                  extra={"parts": None, "subject_end": m.start() + head.end()}))
                taken.append(m.span())
            for m in (P.STRUCTURE_MOVE.finditer(s) if "由" in s else ()):
                if is_taken(*m.span()):
                    continue
                parts = _ratio_parts(m.group("all"))
                toks.append(Token("structure", m.start("all"), m.end(), value_text=m.group("all"),
                                  extra={"parts": parts, "previous": _ratio_parts(m.group("prev")),
                                         "subject_end": m.start()}))
                taken.append(m.span())
            for m in P.STRUCTURE.finditer(s):
                if is_taken(*m.span()):
                    continue
                if FIGURE_LABEL.search(s, max(0, m.start() - 3), m.start()) or YEAR_AFTER.match(s, m.end()):
                    continue  # 图1:2019年-2023年…: a figure's caption, not a ratio
                parts = _ratio_parts(m.group("all"))
                toks.append(Token("structure", m.start(), m.end(), value_text=m.group(0), extra={"parts": parts}))
                taken.append(m.span())
            # 分别下降0.2个、下降0.6个、提高0.8个百分点: each item a change with its own sign
            for m in (P.PP_LIST.finditer(s) if "百分点" in s else ()):
                if is_taken(*m.span()):
                    continue
                for it in P.PP_ITEM.finditer(m.group(0)):
                    a_, e_ = m.start() + it.start(), m.start() + it.end()
                    toks.append(Token("value", a_, e_, parse_number(it.group("num")), "个百分点", s[a_:e_],
                                      extra={"verb": it.group("verb")}))
                taken.append(m.span())
            # 突破3千亿元: the Arabic number times its Chinese magnitude
            for m in (P.MAGNITUDE.finditer(s) if MAGNITUDE_HINT.search(s) else ()):
                if is_taken(*m.span()):
                    continue
                v = parse_number(m.group("num"))
                if v is None:
                    continue
                unit = m.group("unit")
                hb = P.HEDGE_BEFORE.search(s[max(0, m.start() - 3):m.start()])
                toks.append(Token("value", m.start(), m.end(), v * P.MAGNITUDE_FACTOR[m.group("mag")], unit,
                                  m.group(0), hb.group(0) if hb else None, flags=["magnitude"]))
                taken.append(m.span())
            for m in P.RANGE.finditer(s):
                if is_taken(*m.span()):
                    continue
                toks.append(Token("range", m.start(), m.end(), unit=m.group("unit"), value_text=m.group(0),
                                  flags=["range"], extra={"range": [float(m.group("a")), float(m.group("b"))]}))
                taken.append(m.span())
            for m in (COUNT_SUBJECT.finditer(s) if "县" in s else ()):
                if is_taken(*m.span()):
                    continue
                unit = "个" if m.group("ge") else m.group("u")
                toks.append(Token("value", m.start(), m.end(), float(m.group("n")), unit, m.group(0)))
                taken.append(m.span())
        for m in P.VALUE.finditer(s):
            a, e = m.span()
            if is_taken(a, e):
                continue
            if m.group("cnum") is not None:
                cn = m.group("cnum")
                if cn.strip("万亿") == "" or (a and s[a - 1] in "第每前各几数") or (cn in ("一", "两") and m.group("cunit") not in ("成", "倍")):
                    continue
                v = parse_number(cn)
                if v is None:
                    continue
                unit, flags = m.group("cunit"), ["chinese_numeral"]
            elif m.group("pnum") is not None:
                v = parse_number(m.group("pnum"))
                if v is None:
                    continue
                unit, flags = "%", (["chinese_numeral"] if not m.group("pnum")[0].isdigit() else [])
            else:
                num, unit, flags = m.group("num"), m.group("unit"), []
                if a and s[a - 1] in ".第前":  # 第3, 前50名: ranks and top-N, not values
                    continue
                if a and s[a - 1] == "." or (a and s[a - 1].isalpha() and s[a - 1].isascii()):
                    continue
                if num[0] in "*xX":
                    toks.append(Token("placeholder", a, e, None, unit, s[a:e], flags=["placeholder"]))
                    taken.append((a, e))
                    continue
                v = parse_number(num)
                if v is None:
                    continue
                if m.group("approx"):
                    flags.append("approx_" + m.group("approx"))
            rest = s[e:e + 4]
            if re.match(r"(?:以上|以下)[\u4e00-\u9fff]", rest) and not re.match(r"(?:以上|以下)(?:的|,)", rest):
                if unit not in P.CLASSIFIERS:
                    taken.append((a, e))  # 5000万元以上项目: a threshold, not a value
                    continue
                # 招引20个以上过亿项目: a count with a lower bound (precedence: a classifier before 以上 is a count)
            if unit == "天" and not re.search(r"优良|天数", s[max(0, a - 12):a]):
                continue
            if unit in ("%", "‰") and ATTRIBUTIVE_AFTER.match(s, e) and s[e] not in NOT_ATTRIBUTIVE \
                    and SOURCE_CLAUSE.search(s, 0, a):
                taken.append((a, e))  # 据…全省5‰人口变动抽样调查: part of naming the source, no value
                continue
            if THRESHOLD_BEFORE.search(s, max(0, a - 3), a) and s.startswith("的", e):
                taken.append((a, e))  # 增速低于6%的县: a condition on a set, not a value
                continue
            if IN_SET.match(s, e) and s.rfind("在", max(0, a - 6), a) >= 0:
                taken.append((a, e))  # 在12个县市区中: the set compared in, not a value
                continue
            hedge = None
            hb = P.HEDGE_BEFORE.search(s[max(0, a - 3):a])
            if hb:
                hedge = hb.group(0)
            ha = P.HEDGE_AFTER.match(s[e:e + 2])
            if m.group("num") is not None and m.group("approx"):
                hedge = m.group("approx")
            elif ha:
                hedge = ha.group(0)
            toks.append(Token("value", a, e, v, unit, s[a:e], hedge, flags))
            taken.append((a, e))
        for d in find_damage(s, is_taken):
            toks.append(Token("damaged", d.start, d.end, None, d.unit, d.value_text, d.hedge,
                              ["damaged_number", "damaged_value"]))
            taken.append((d.start, d.end))
        toks.sort(key=lambda t: t.start)
        return toks

    @staticmethod
    def _rank(m: re.Match[str], kind: str, s: str) -> dict[str, Any] | None:
        g = m.groupdict()
        scope = (g.get("scope") or "").strip("“”\"的") or None
        pre = P.RANK_COUNT.search(s[max(0, m.start() - 8):m.start()])
        rank: dict[str, Any] = {"scope": scope, "position": None}
        if kind == "pos":
            rank["position"] = _rank_number(g["pos"])
            if rank["position"] is None:
                return None
        elif kind == "top":
            n = _rank_number(g["n"])
            if n is None or n > 1000:
                return None
            rank["top_n"] = n
        elif kind == "tier":
            rank["tier"] = "第一方阵"
            if g.get("n"):
                rank["top_n"] = int(g["n"])
        elif kind == "list":
            if not (g.get("verb") or (g.get("q") and g.get("q2"))):
                return None
            if (m.start() and s[m.start() - 1] == "以") or SLOGAN_AFTER.match(s, m.end()):
                return None  # 以“双千百强”为统领: a slogan that names a goal, no membership
            n = _rank_number(g["n"])
            if n is None:
                return None
            lst = g["list"]
            rank.update({"scope": None, "top_n": n, "list": lst})
        elif kind == "lead":
            rank["qualifier"] = g["q"]
        if pre:
            if pre.group("y"):
                rank["years_in_top_n"] = _rank_number(pre.group("y"))
                rank["consecutive"] = True
            elif pre.group("t"):
                rank["times_in_top_n"] = _rank_number(pre.group("t"))
        return rank

    # ------------------------------------------------------------------ part
    def _part(self, doc: str, s0: int, sent: str, p0: int, p1: int, toks: list[Token], stmts: list[Statement], ctx: Context) -> None:
        """Each token of a part becomes a statement or qualifies one. Precedence, first that applies:
        1. the next item of an open 分别/、 list (values, rates, changes, shares shared out in order);
        2. a rank, a structure (tokens were read so: a structure change 由A调整为B before a ratio, ratios and
           percentage-point lists before values, so their parts never become values);
        3. percentage points: a pull (拉动…增长X个百分点, a value of its own), a change with its own subject
           (二产业比重下降X个百分点, a statement without a level), else the change of the statement before;
        4. a rate after a growth verb (增长/下降/上涨…, sign kept or set by the verb);
        5. an absolute change from the previous period (比上年减少X亩, 比年初增加X亿元): never a level, it
           qualifies the statement before it in the same part;
        6. a difference from a reference area (高于全省X个百分点, 高于全市平均水平X元): the statement before;
        7. a share (占…比重X%);
        8. a level, named by the lexicon or the noun phrase before it (a sub-list measure word inherits the item
           of the clause before, a place alone inherits the indicator before, counts of indicators and
           thresholds are no statements)."""
        part_stmts: list[Statement] = []
        self._cur_sent = sent
        prev_end = p0
        dist: dict[str, Any] | None = None  # an open 分别 list: {"items": [...], "i": int, "kind": str}
        logistics = bool(LOGISTICS.search(sent))
        runs = [1] * len(toks)  # length of the 、-chain of tokens starting at each token
        for i in range(len(toks) - 2, -1, -1):
            gap = sent[toks[i].end:toks[i + 1].start].strip()
            if gap in ("、", "和", "及") or (not gap and toks[i].unit == toks[i + 1].unit == "%"):  # -4.8%6.8%
                runs[i] = runs[i + 1] + 1
        for ti, tok in enumerate(toks):
            cstart = max((sent.rfind(c, p0, tok.start) for c in CLAUSE_END), default=-1)
            cstart = max(cstart + 1, p0)
            left = sent[max(cstart, prev_end):tok.start]
            left_from_clause = sent[cstart:tok.start]
            prev_end_before = prev_end
            prev_end = tok.end
            region, region_src, rmentions = self._region(sent, s0, p0, tok.start, ctx, cstart)
            period, period_text, pflags = self._period(sent, tok.start, ctx)
            # a target cue (计划/力争/确保/预期目标/到2025年) holds to the end of its sentence, over its parts
            target = ctx.plan or bool(P.TARGET.search(sent[:tok.start]))

            def new(name: str | None, term: Term | None, text: str | None, span0: int, **kw) -> Statement:
                st = Statement(region_code=region.code if region else None, region_name=region.name if region else None,
                               region_source=region_src if region else None, period=period, period_text=period_text,
                               indicator=(term.code if term else None), indicator_name=name, indicator_text=text, **kw)
                for f in pflags:
                    st.flag(f)
                if target:
                    st.target = True
                    st.flag("target")
                if P.ESTIMATE.search(sent[p0:tok.start]):
                    st.qualifiers.append("estimate")
                st._clean = (s0 + span0, s0 + tok.end)
                return st

            stripped = left.strip()
            # continuation of a 分别 list: "分别达到x元、y元" / "分别增长p%、q%"
            if dist is not None and stripped in ("、", "和", "") and prev_end_before == tok.start - len(left):
                dist["i"] += 1
                self._distribute(dist, tok, stmts, part_stmts, new)
                continue
            dist = None
            if tok.kind == "rank":
                self._rank_statement(tok, sent, cstart, left_from_clause, stmts, part_stmts, new, rmentions, p0)
                continue
            if tok.kind == "structure":
                if "subject_end" in tok.extra:  # 三次产业结构由上年的…调整为…: the subject is before 由
                    se = tok.extra["subject_end"]
                    cstart = max(max((sent.rfind(c, p0, se) for c in CLAUSE_END), default=-1) + 1, p0)
                    subject = sent[cstart:se]
                else:
                    subject = left_from_clause
                np, term = self._left_np(subject)
                if not np and not term:
                    continue
                parts = tok.extra["parts"]
                st = new(term.name if term else np, term, np, cstart, structure=parts, value_text=tok.value_text)
                if parts and len(parts) == 2 and parts[1] == 1:
                    st.value, st.unit = parts[0], ":1"
                st.flag("structure", *tok.flags)  # a structure whose parts were lost is flagged, never read
                self._add(st, stmts, part_stmts)
                continue
            unit = tok.unit
            if unit in ("个百分点", "百分点"):
                dist = self._pp(tok, left, stmts, part_stmts, new, runs[ti])
                continue
            g = P.GROWTH_TAIL.search(left) if unit in ("%", "倍", None) or tok.kind in ("damaged", "placeholder") else None
            if g and unit in ("%", "倍"):
                dist = self._growth(tok, left, g, stmts, part_stmts, new, cstart, target, sent, p0, runs[ti])
                continue
            ch = P.CHANGE_TAIL.search(left) if tok.kind == "value" and unit not in ("%", "倍", "成") else None
            if ch:
                # precedence: an absolute change (比上年减少22660亩, 比年初增加36.07亿元) is never a level; it goes to
                # the statement before it in the same part, or nowhere
                if part_stmts:
                    verb = ch.group("verb") or ch.group("verb2")
                    sign = -1 if verb in ("减少", "下降", "少", "减", "净减") else 1
                    part_stmts[-1].comparison = (part_stmts[-1].comparison or []) + [{
                        "ref": "上年" if "年初" not in ch.group(0) else "年初", "direction": verb,
                        "diff": None if tok.value is None else sign * tok.value, "unit": unit}]
                    self._extend(part_stmts[-1], tok)
                continue
            c = P.COMPARE_TAIL.search(left) if tok.kind == "value" else None
            if c and stmts and (unit == "%" or part_stmts):
                ref = c.group("ref") or c.group("ref2")
                d = c.group("dir") or c.group("dir2")
                sign = -1 if d in ("低于", "慢于", "落后于", "落后", "低", "慢", "少") else 1
                stmts[-1].comparison = (stmts[-1].comparison or []) + [{"ref": ref, "direction": d, "diff": None if tok.value is None else sign * tok.value, "unit": unit}]
                self._extend(stmts[-1], tok)
                continue
            sh = P.SHARE_TAIL.search(left) if unit in ("%", "成") else None
            if sh and "占" in left:
                self._share_subject = left[: sh.start()]
                dist = self._share(tok, sh, stmts, part_stmts, new, runs[ti])
                continue
            # a level: value, lost value, placeholder, range
            right = sent[tok.end:p1]
            nxt = toks[ti + 1] if ti + 1 < len(toks) else None
            between = sent[tok.end:nxt.start] if nxt else ""
            next_is_value = bool(nxt and nxt.kind == "value" and not re.search(r"[,;、和与及]", between))
            right = sent[tok.end:nxt.start] if (nxt and nxt.start < p1) else right
            name, term, text, span0, ctxflag = self._indicator(tok, left, left_from_clause, right, stmts, part_stmts, cstart, logistics, next_is_value, nxt)
            if name is None:
                continue
            if "分别" in left_from_clause and name is not None:
                items = self._items(left_from_clause.split("分别")[0], runs[ti])
                if len(items) > 1:
                    dist = {"kind": "value", "i": 0, "items": items}
                    name, term, text = items[0]
            st = new(name, term, text, span0)
            self._fill_value(st, tok, name, term)
            if ctxflag:
                st.flag("context_indicator")
            if self._in_parens(tok.start):
                st.flag("parenthetical")  # a side note: what follows the parenthesis is not about it
            if dist is not None:
                st.flag("distributive")
            self._add(st, stmts, part_stmts)

    # ------------------------------------------------------------------ pieces
    def _fill_value(self, st: Statement, tok: Token, name: str | None, term: Term | None) -> None:
        unit = tok.unit
        if unit in ("亿", "万"):
            unit = unit + "元" if MONEY_HINT.search(name or "") else unit
        st.value, st.unit, st.value_text = tok.value, unit, tok.value_text
        for f in tok.flags:
            if not f.startswith("approx_"):
                st.flag(f)
        if tok.kind == "range":
            st.extra_range = tok.extra["range"]  # type: ignore[attr-defined]
        if tok.hedge:
            st.qualifiers.append(_qualifier(tok.hedge))
            if tok.hedge in ("左右", "以上", "以内", "之内") and (st.growth_pct is not None or "力争" in (st.sentence or "")):
                st.target = True
        if tok.kind == "placeholder":
            st.value = None

    def _add(self, st: Statement, stmts: list[Statement], part_stmts: list[Statement]) -> None:
        stmts.append(st)
        part_stmts.append(st)

    def _extend(self, st: Statement, tok: Token) -> None:
        a, b = st._clean
        st._clean = (a, max(b, self._s0 + tok.end))

    def _left_np(self, left: str) -> tuple[str, Term | None]:
        np = left.strip(" \t,、:“”\"(")
        np = EXCLUSION.sub("", np)  # (不含水力发电增加值…): the thing excluded is the indicator
        for _ in range(4):
            before = np
            np = P.LEAD_STRIP.sub("", np)
            np = SUBJECT_PREFIX.sub("", np)
            np = P.VERBS_TAIL.sub("", np)
            np = P.HEDGE_BEFORE.sub("", np)
            np = np.strip(" ,、:“”\"")
            if np == before:
                break
        if "了" in np[:-1]:
            np = np[np.rindex("了") + 1:]
        np = ABBREVIATION_AFTER.sub("", np)  # 地区生产总值(GDP): the name without its abbreviation
        np = ANNUAL_OUTPUT.sub(r"\g<what>产量", np)  # 年产蔬菜量 is the 蔬菜产量
        np = INNER_VERB.sub("", np)  # 第一产业完成增加值, 规上服务业实现营业收入: no verb inside a name
        np = P.RANK_COUNT.sub("", np).strip(" ,")
        hit = self.lexicon.suffix(np)
        if hit:
            prefix = np[: len(np) - len(hit[0])]
            if prefix and NARROWING.search(prefix):
                return np, None  # 营利性服务业增加值 is part of 服务业增加值, not a spelling of it: its own name
            return np, hit[1]
        return np, None

    def _indicator(self, tok, left, left_clause, right, stmts, part_stmts, cstart, logistics, next_is_value=False, nxt=None):
        """(name, term, text, span_start, from_context) for a level token; name None = not a statement."""
        so = SHARE_OF.match(right) if tok.unit == "%" else None
        if so:
            np = so.group("np")
            return np, None, np, tok.start, False
        np, term = self._left_np(left)
        rnp = RIGHT_NP.match(right)
        rtext = rnp.group("np").strip() if rnp else ""
        rtext = re.sub(r"^(?:全部|均|都|已)", "", rtext)
        if is_count_unit(tok.unit) and "的" in right.split(",")[0]:
            head = right.split(",")[0].rsplit("的", 1)[1]  # 1~2个特色鲜明、…的主导产业: the head noun
            if 1 < len(head) <= 12 and not re.search(r"\d", head):
                rtext = head
        if "之一" in right[:len(rtext) + 3]:
            return None, None, None, 0, False
        if tok.unit == "项" and INDICATOR_COUNT.match(right):
            return None, None, None, 0, False  # 28项指标, 11项工作获得督查激励: counts of indicators, not data
        full_right = self._cur_sent[tok.end:] if right.strip() == "的" else right
        cm = COUNT_AFTER_OF.match(full_right) if tok.unit not in ("%", "个百分点") else None
        if cm and np:
            # 总投资35亿元的80项城建重点工程: what the value is of comes after the count
            head = np[np.rfind("总投资"):] if "总投资" in np else np
            return cm.group("noun") + head, None, np, tok.start - (len(left) - max(left.rfind(np), 0)), False
        is_count = tok.unit in P.CLASSIFIERS or tok.unit in ("县(市)", "县市", "万家", "万个")
        substantive = bool(term) or (len(np) >= 2 and np not in P.GENERIC)
        if is_count and rtext:
            if logistics and tok.kind == "value":
                return None, None, None, 0, False
            if next_is_value:  # a count followed by another value is its subject: 6县(市)集中签约项目59个
                return None, None, None, 0, False
            hit = self.lexicon.suffix(rtext)
            return (hit[1].name if hit else rtext), (hit[1] if hit else None), rtext, tok.start, False
        if is_count and nxt is not None and nxt.kind == "rank" and not re.sub(r"全部|均|都|已|先后|连续\d+年|\d+次", "", right).strip():
            # 6个县(市)全部进入全省“第一方阵”: a count of members; the rank joins it
            m = re.match(r"[\d个]*(.*)", tok.value_text)
            noun = m.group(1) if m else ""
            return nxt.extra.get("match", "") + (f"的{noun}" if noun else ""), None, tok.value_text, tok.start, False
        if right.startswith("的") and rtext and tok.unit != "%" and np:
            # 总投资约2.79亿元的紫陵镇…项目: the thing it is of, then what it measures
            return rtext + np, None, np, tok.start - (len(left) - max(left.rfind(np), 0)), False
        if is_count and not rtext and np in COUNT_VERBS:
            return None, None, None, 0, False  # 帮助853名 (cut off): a count of nothing named
        if substantive:
            return self._named(np, term, left, tok, stmts)
        if tok.value_text.endswith("万人") and not np and not left.strip(" ,"):
            return "人口", None, None, tok.start, False  # 总面积…,40万人: a population
        if stmts:
            prev = stmts[-1]
            name = (prev.indicator_name or "") + (np if np else "")
            return name, None, np or None, tok.start - len(left.lstrip(" ,、")), True
        return None, None, None, 0, False

    def _previous(self, stmts: list[Statement], part_stmts: list[Statement], tok: Token) -> Statement | None:
        """The statement a rate or change after it qualifies: the last one, except that a side note in
        parentheses (生产总值782.2亿元(不含水力发电增加值121.06亿元),增长8.0%) is skipped by what follows the
        closing parenthesis."""
        if not stmts:
            return None
        last = stmts[-1]
        if "parenthetical" in last.flags and not self._in_parens(tok.start):
            for st in reversed(part_stmts or stmts):
                if "parenthetical" not in st.flags:
                    return st
        return last

    def _in_parens(self, pos: int) -> bool:
        head = self._cur_sent[:pos]
        return head.count("(") > head.count(")")

    def _is_place(self, np: str) -> bool:
        idx = self._regions.idx
        return np in idx.full or np in idx.short

    def _named(self, np: str, term: Term | None, left: str, tok: Token, stmts=None):
        i = left.rfind(np) if np else -1
        start = tok.start - (len(left) - i) if i >= 0 else tok.start
        if term:
            return term.name, term, np, start, False
        if np in MEASURE_WORDS and stmts and stmts[-1]._clean[0] >= self._s0:
            # 生猪存栏12.6万头,出栏20.3万头 / 种植面积…;产量…: the item of the clause before owns the measure
            prev = stmts[-1].indicator_name or ""
            for w in sorted(MEASURE_WORDS, key=len, reverse=True):
                if prev.endswith(w) and len(prev) > len(w):
                    return prev[: -len(w)] + np, None, np, start, True
        return np[-24:], None, np, start, False

    def _items(self, text: str, n_values: int = 0) -> list[tuple[str, Term | None, str]]:
        np, _ = self._left_np(text.replace("分别", ""))
        three = THREE_INDUSTRIES.match(np)
        if three:  # 三次产业对地区生产总值贡献率分别为…: one item per industry
            rest = three.group("rest")
            return [(f"{n}{rest}", None, f"{n}{rest}") for n in ("第一产业", "第二产业", "第三产业")]
        raw = [x for x in LIST_SPLIT.split(np) if x]
        if n_values and len(raw) != n_values and "、" in np:
            # 和 inside a name (社会保障和就业, 交通运输仓储和邮政业) or as the last separator (A、B和C): the number of
            # values decides — split on 、 alone, or also on the last 和
            by_comma = [x for x in np.split("、") if x]
            last_and = by_comma[:-1] + [x for x in re.split(r"和(?!.*和)", by_comma[-1]) if x]
            for cand in (by_comma, last_and):
                if len(cand) == n_values:
                    raw = cand
                    break
        if len(raw) < 2:
            return []
        last = raw[-1]
        out = []
        ordinal = ORDINAL_LIST.match(np)
        if ordinal:
            # 第一、二、三产业增加值占GDP的比重 → 第一产业…, 第二产业…, 第三产业… (the ordinal shares the noun)
            tail = ordinal.group("tail")
            names = ["第" + n + tail for n in re.findall(r"[一二三四五六七八九十]", ordinal.group("nums"))]
        elif "等" in last:
            # 一般公共服务、教育…社会保障和就业等支出: what follows 等 is every item's head noun
            head, tail = last.rsplit("等", 1)
            names = [x + tail for x in raw[:-1]] + [head + tail]
        elif not any(self.lexicon.suffix(x) or x.endswith(INDICATOR_HEADS) for x in raw[:-1]) and len(last) > len(raw[0]):
            # shared suffix: 城镇居民、农村居民人均可支配收入 → 城镇居民人均可支配收入, 农村居民人均可支配收入;
            # not when an item is a whole indicator itself (农民人均纯收入和城镇居民人均可支配收入)
            k = len(raw[0])
            tail = last[k:]
            names = [x + tail for x in raw[:-1]] + [last]
        elif (shared := next((w for w in SHARED_HEADS if last.endswith(w) and len(last) > len(w)), None)) \
                and not any(x.endswith(shared) for x in raw[:-1]):
            # 交通运输仓储和邮政业、金融业、营利性服务业增加值: the last item's head noun is every item's
            names = [x + shared for x in raw[:-1]] + [last]
        else:
            names = raw
        for n in names:
            hit = self.lexicon.suffix(n)
            if hit and NARROWING.search(n[: len(n) - len(hit[0])]):
                hit = None  # 营利性服务业增加值: a narrower indicator keeps its own name
            out.append((hit[1].name if hit else n, hit[1] if hit else None, n))
        return out

    def _distribute(self, dist, tok, stmts, part_stmts, new) -> None:
        i = dist["i"]
        kind = dist["kind"]
        if kind == "value":
            if i >= len(dist["items"]):
                return
            name, term, text = dist["items"][i]
            st = new(name, term, text, tok.start)
            self._fill_value(st, tok, name, term)
            st.flag("distributive")
            self._add(st, stmts, part_stmts)
            return
        targets = dist.get("targets") or []
        if i >= len(targets):
            return
        st = targets[i]
        if kind == "growth":
            st.growth_pct, st.growth_basis = _signed(tok, dist["verb"]), dist["basis"]
            self._extend(st, tok)
        elif kind == "pp":
            st.change_pp = _signed(tok, tok.extra.get("verb") or dist.get("verb") or "")
            self._extend(st, tok)
        elif kind == "share":
            self._share_one(st, tok, dist["suffix"], dist["ref"], "", stmts, part_stmts, new, True)

    def _growth(self, tok, left, g, stmts, part_stmts, new, cstart, target, sent, p0, run):
        """A growth rate: its own statement when an indicator precedes it, else the previous statement's."""
        np, term = self._left_np(left[: g.start()])
        val = _signed(tok, g.group("verb"))
        basis = g.group("basis") or "同比(隐含)"
        pool = [s for s in (part_stmts or stmts) if s.growth_pct is None]
        # 分别达到21560元、7420元,增长6.1%、8.4%: a run of rates after a distributive list of values is shared out
        # over it even without a second 分别 (precedence: the list before a rate-as-its-own-level reading)
        shared = run > 1 and len(pool) >= run and all("distributive" in s.flags for s in pool[-run:]) and not np
        if (g.group("dist") or g.group("dist2")) and run > 1 and np:
            # 一般公共服务、教育…等支出同比增速分别为-9.4%、23.0%…: rates of named items, one statement each
            items = self._items(np, run)
            if len(items) > 1:
                made = []
                for name, term2, text in items[:run]:
                    st = new(name, term2, text, tok.start - (len(left) - max(left.rfind(np), 0)))
                    st.flag("distributive")
                    self._add(st, stmts, part_stmts)
                    made.append(st)
                made[0].growth_pct, made[0].growth_basis = val, basis
                self._extend(made[0], tok)
                return {"kind": "growth", "i": 0, "targets": made, "basis": basis, "verb": g.group("verb")}
        if g.group("dist") or g.group("dist2") or shared:
            targets = pool[-run:] if len(pool) >= run else pool
            if targets:
                targets[0].growth_pct, targets[0].growth_basis = val, basis
                self._extend(targets[0], tok)
            return {"kind": "growth", "i": 0, "targets": targets, "basis": basis, "verb": g.group("verb")}
        substantive = bool(term) or (len(np) >= 2 and np not in P.GENERIC)
        if substantive and not term and stmts and self._is_place(np):
            # 焦作市…增长6%,新乡市增长5.1%: a place alone names the region; the indicator is the one before
            prev = stmts[-1]
            st = new(prev.indicator_name, None, prev.indicator_text, tok.start - (len(left) - max(left.rfind(np), 0)))
            st.indicator = prev.indicator
            st.growth_pct, st.growth_basis = val, basis
            st.flag("context_indicator")
            self._add(st, stmts, part_stmts)
            return None
        if substantive and not (stmts and stmts[-1].indicator_name == (term.name if term else np)):
            name = term.name if term else np
            st = new(name, term, np, tok.start - (len(left) - max(left.rfind(np), 0)))
            st.growth_pct, st.growth_basis = val, basis
            for f in tok.flags:
                st.flag(f)
            if tok.hedge == "左右":
                st.target = True
                st.flag("target")
            self._add(st, stmts, part_stmts)
            return None
        st = self._previous(stmts, part_stmts, tok)
        if st is not None and st.growth_pct is None:
            st.growth_pct, st.growth_basis = val, basis
            if tok.kind == "placeholder":
                st.flag("placeholder_growth")
            if tok.hedge == "左右":
                st.target = True
                st.flag("target")
            self._extend(st, tok)
        return None

    def _pp(self, tok, left, stmts, part_stmts, new, run):
        c = P.COMPARE_TAIL.search(left)
        if c:
            ref = c.group("ref") or c.group("ref2")
            d = c.group("dir") or c.group("dir2")
            sign = -1 if d in ("低于", "慢于", "低过", "慢过", "落后于", "落后", "低", "慢", "少") else 1
            comp = {"ref": ref, "direction": d, "diff": None if tok.value is None else sign * tok.value, "unit": "个百分点"}
            np, term = self._left_np(left[: c.start()])
            if (term or (len(np) >= 2 and np not in P.GENERIC)) and not self._is_place(np):
                # 三产占地区生产总值比重高过全州平均水平1.6个百分点: a comparison with its own subject is a
                # statement (no level of its own); without one it qualifies the statement before
                st = new(term.name if term else np, term, np, tok.start - (len(left) - max(left.rfind(np), 0)),
                         comparison=[comp])
                self._add(st, stmts, part_stmts)
                return None
            if stmts:
                stmts[-1].comparison = (stmts[-1].comparison or []) + [comp]
                self._extend(stmts[-1], tok)
            return None
        pull = P.PULL_TAIL.search(left)
        if pull:
            # 最终消费支出拉动GDP增长2.5个百分点: a contribution of its own, in percentage points
            np, term = self._left_np(left[: pull.start()])
            if not np and not term and "分别" not in left:
                return None
            items = self._items(np, run) if ("分别" in left and run > 1) else []
            if not items and not np and stmts and "分别" in left:
                # 三次产业对…贡献率分别为…,拉动经济增长分别为…: the list of the clause before
                items = [(re.sub(r"(对.*)?贡献率$", "", s_.indicator_name or ""), None, s_.indicator_text)
                         for s_ in stmts[-run:]] if len(stmts) >= run else []
            if items:
                items = [(n + "拉动经济增长", None, t) for n, _, t in items]
                name, _, text = items[0]
            else:
                name, text = (term.name if term else np) + "拉动经济增长", np
            st = new(name, None, text, tok.start - (len(left) - max(left.rfind(np), 0)) if np else tok.start)
            self._fill_value(st, tok, name, None)
            if items:
                st.flag("distributive")
            self._add(st, stmts, part_stmts)
            return {"kind": "value", "i": 0, "items": items} if items else None
        m = P.PP_TAIL.search(left)
        verb = tok.extra.get("verb") or (m.group("verb") if m else None)
        if verb is None:
            return None
        val = _signed(tok, verb)
        np, term = self._left_np(re.sub(r"(?:(?:比|较)(?:上年|去年|上年末|年初)(?:同期)?)?(?:分别)?$", "",
                                        left[: m.start()] if m else left))
        np = re.sub(r"^.*?(?:比|较)(?:上年|去年)(?:末|同期)?", "", np) if np.startswith(("比", "较")) else np
        own = bool(term) or (len(np) >= 2 and np not in P.GENERIC and not P.CHANGE_BASIS.fullmatch(np))
        dist_here = (m and m.group("dist")) or "分别" in left
        if own:
            # 一产业所占比重上升0.4个百分点 / 第一、二、三产业增加值占GDP的比重分别下降0.2个、…: the change has
            # its subject before it — statements of their own (value None, change_pp set)
            items = self._items(np.split("分别")[0], run) if dist_here else []
            if len(items) > 1:
                made = []
                for name, term2, text in items:
                    st = new(name, term2, text, tok.start - (len(left) - max(left.rfind(np), 0)))
                    st.flag("distributive")
                    self._add(st, stmts, part_stmts)
                    made.append(st)
                made[0].change_pp = val
                self._extend(made[0], tok)
                return {"kind": "pp", "i": 0, "targets": made, "verb": verb}
            st = new(term.name if term else np, term, np, tok.start - (len(left) - max(left.rfind(np), 0)))
            st.change_pp = val
            self._add(st, stmts, part_stmts)
            return None
        if not stmts:
            return None
        if dist_here:
            pool = [s for s in (part_stmts or stmts) if s.change_pp is None]
            targets = pool[-run:] if len(pool) >= run else pool
            if targets:
                targets[0].change_pp = val
                self._extend(targets[0], tok)
            return {"kind": "pp", "i": 0, "targets": targets, "verb": verb}
        st = stmts[-1]
        st.change_pp = val
        if tok.kind == "placeholder":
            st.flag("placeholder_change")
        self._extend(st, tok)
        return None

    def _share(self, tok, sh, stmts, part_stmts, new, run):
        """占全市比重达X% — the share of the statement before it (分别: of the statements before it)."""
        ref = sh.group("ref")
        what = (sh.group("what") or "").strip()
        suffix = f"占{ref or ''}{what}比重"
        pool = part_stmts or stmts
        own = self._left_np(self._share_subject) if self._share_subject else ("", None)
        if own[1] or (len(own[0]) >= 2 and own[0] not in P.GENERIC):
            # 税收收入占一般公共预算收入比重为71.4%: the subject is written before 占
            np, term = own
            st = new((term.name if term else np) + suffix, None, np, tok.start - len(self._share_subject) - len(sh.group(0)),
                     share={"of": term.name if term else np, "ref": ref, "denominator": what or None})
            self._fill_value(st, tok, st.indicator_name, None)
            if st.value is not None and st.unit == "%" and st.value > 100:
                st.flag("implausible")
            self._add(st, stmts, part_stmts)
            return None
        if not pool:
            return None
        targets = pool[-run:] if (sh.group("dist") and len(pool) >= run) else pool[-1:]
        dist = {"kind": "share", "i": 0, "targets": targets, "suffix": suffix, "ref": ref} if sh.group("dist") else None
        self._share_one(targets[0], tok, suffix, ref, what, stmts, part_stmts, new, bool(dist))
        return dist

    def _share_one(self, base, tok, suffix, ref, what, stmts, part_stmts, new, distributive) -> None:
        st = new((base.indicator_name or "") + suffix, None, base.indicator_text, tok.start,
                 share={"of": base.indicator_name, "ref": ref, "denominator": what or None})
        self._fill_value(st, tok, st.indicator_name, None)
        st.flag("context_indicator")
        if distributive:
            st.flag("distributive")
        if st.value is not None and st.unit == "%" and st.value > 100:
            st.flag("implausible")
        self._add(st, stmts, part_stmts)

    def _rank_statement(self, tok, sent, cstart, left, stmts, part_stmts, new, rmentions, p0) -> None:
        rank = tok.extra["rank"]
        if "item" in tok.extra:  # an item of a rank list names its own indicator
            np, term = self._left_np(tok.extra["item"])
            st = new((term.name if term else np) + "排名", term, np, tok.start, rank=rank)
            self._add(st, stmts, part_stmts)
            return
        # a count right before the rank verb carries it: 6个县(市)全部进入…, 3家产业集聚区进入全省前二十
        if part_stmts and part_stmts[-1].rank is None and part_stmts[-1].value is not None and part_stmts[-1]._clean[1] >= 0:
            last = part_stmts[-1]
            gap = left
            if last.unit in P.CLASSIFIERS or last.unit in ("县(市)",):
                if len(gap) <= 16 and last._clean[1] >= self._s0 + cstart:
                    last.rank = rank
                    self._extend(last, tok)
                    return
        # a position after a membership in the same sentence completes it (评为…30强,位列全省第六)
        if "position" in rank and rank.get("position") and not left.strip(" ,") and stmts and stmts[-1].rank and stmts[-1].rank.get("position") is None:
            stmts[-1].rank.update({k: v for k, v in rank.items() if v is not None and k != "scope"})
            self._extend(stmts[-1], tok)
            return
        np, term = self._left_np(left)
        if "list" in rank:
            lst = rank["list"]
            hit = self.lexicon.suffix(lst)
            name, term2, text = (hit[1].name, hit[1], lst) if hit else (lst, None, lst)
            term = term2
        elif rank.get("qualifier"):
            if not term:
                return  # 领先 only for a measurable indicator (夏粮单产), not for slogans
            name, text = term.name + "排名", np
        elif term or (len(np) >= 2 and np not in P.GENERIC):
            name, text = (term.name if term else np) + "排名", np
        elif rank.get("scope"):
            name, text = rank["scope"] + "排名", rank["scope"]
        else:
            return
        # a list of places at the clause start shares the rank (孟州市、沁阳市…入围全省县域工业30强)
        places = [m for m in rmentions if cstart <= m.start - self._s0 < tok.start]
        span0 = cstart if places else tok.start - len(left.lstrip(" ,、")) if np else tok.start
        if len(places) > 1:
            for m in places:
                st = new(name, term, text, span0, rank=dict(rank))
                st.region_code, st.region_name, st.region_source = m.place.code, m.place.name, "text"
                st.flag("distributive")
                self._add(st, stmts, part_stmts)
            return
        st = new(name, term, text, span0, rank=rank)
        self._add(st, stmts, part_stmts)

    def _qualitative(self, doc, s0, sent, p0, p1, stmts, ctx) -> None:
        """到2025年…城镇化率、城乡居民收入…增幅高于全省平均水平: dated targets without numbers."""
        part = sent[p0:p1]
        tm = P.TARGET.search(part)
        if not tm:
            return
        period, period_text, pflags = self._period(sent, p0 + tm.end(), ctx)
        region, region_src, _ = self._region(sent, s0, p0, p0 + tm.end(), ctx)
        comp = re.search(r"(?P<what>增幅|增速|水平)?(?P<dir>高于|快于|低于|超过)(?P<ref>全国|全省|全市)(?P<avg>平均水平|平均)?", part)
        scope_end = comp.start() if comp else len(part)
        for a, b, term in self.lexicon.find(part[:scope_end]):
            if a < tm.end():
                continue
            name = term.name + (comp.group("what") if comp and comp.group("what") else "")
            st = Statement(region_code=region.code if region else None, region_name=region.name if region else None,
                           region_source=region_src if region else None, period=period, period_text=period_text,
                           indicator=term.code, indicator_name=name, indicator_text=part[a:b], target=True)
            st.flag("target", "qualitative")
            if comp:
                st.comparison = [{"ref": comp.group("ref") + (comp.group("avg") or ""), "direction": comp.group("dir"), "diff": None, "unit": None}]
            st._clean = (s0 + p0 + a, s0 + p0 + (comp.end() if comp else b))
            stmts.append(st)
        n = sum(1 for s in stmts if "qualitative" in s.flags and s._clean[0] >= s0 + p0)
        if n > 1:
            for s in stmts:
                if "qualitative" in s.flags and s._clean[0] >= s0 + p0:
                    s.flag("distributive")

    # ------------------------------------------------------------------ region and period
    def _region(self, sent: str, s0: int, p0: int, pos: int, ctx: Context, cstart: int | None = None):
        ms = ctx.regions.in_range(s0 + p0, s0 + pos)
        chosen = None
        for m in reversed(ms):
            a = m.start - s0
            if cstart is not None and a < cstart and a - p0 > 4:
                continue  # a place in an earlier clause is not this clause's subject (划入郑州、洛阳双都市圈)
            before = sent[a - 1] if a > 0 else ""
            after = sent[m.end - s0:m.end - s0 + 2]
            if before in LOCATIVE_BEFORE or after.startswith(("日报", "市委", "县委", "网", "日")):
                continue
            if COMPARED_LIST.search(sent, max(p0, cstart or 0), a):
                continue  # 位居修武县、博爱县之后: compared with, not the subject
            chosen = m
            break
        if chosen is not None:
            return chosen.place, "text", ms
        part = sent[p0:pos]
        d = re.search(r"(?:我|全|本)(省|市|县|区)", part)
        if d and d.group(1) == "省" and (d.group(0) != "全省" or d.start() <= 2):
            return ctx.regions.deictic.get("省"), "deictic", ms
        if ctx.block is not None:
            return ctx.block, "speaker", ms
        if d:
            return ctx.regions.deictic.get(d.group(1)) or ctx.regions.anchor, "deictic", ms
        return ctx.regions.anchor, "document", ms

    def _period(self, sent: str, pos: int, ctx: Context) -> tuple[str | None, str | None, list[str]]:
        head = sent[:pos]
        year = None
        text = None
        flags: list[str] = []
        for m in P.YEAR.finditer(head):
            before = head[max(0, m.start() - 2):m.start()]
            if before.endswith(("比", "较", "与", "同", "由")) or before in ("相比",):
                continue
            year, text = m.group("y"), m.group(0)
            tail = head[m.end():m.end() + 6]
            sm = SUBPERIOD.match(tail)
            if sm:
                text += sm.group(0)
        if year is None:
            cur = CURRENT_YEAR.search(head) or re.search(r"全年|年末|年底", head)
            if cur:
                year, text = ctx.doc_year, cur.group(0)
            elif DAMAGED_YEAR.search(head):
                flags.append("damaged_period")
                text = "年"
            cm = CUMULATIVE.search(head)
            if cm:
                text = cm.group(0)
                flags.append("cumulative")
        sub = None
        if text:
            sm = SUBPERIOD.search(text)
            if sm:
                sub = sm
        if year and sub:
            if sub.group("q3"):
                return f"{year}Q1-Q3", text, flags
            if sub.group("q"):
                return f"{year}{QUARTERS[sub.group('q')[-3]]}", text, flags
            if sub.group("h"):
                return (f"{year}Q1-Q2" if sub.group("h") == "上半年" else f"{year}Q3-Q4"), text, flags
            if sub.group("mr"):
                m2 = _rank_number(sub.group("m2"))
                return f"{year}M1-M{m2}", text, flags
            if sub.group("me"):
                return f"{year}-{int(sub.group('m')):02d}", text, flags
        if year is None and ctx.section_year and not flags:
            year = ctx.section_year  # the heading's year (一、2022年工作回顾; 二、2024年工作安排)
        elif year is None and ctx.doc_year and not flags and not P.TARGET.search(head) and not ctx.plan:
            year = ctx.doc_year  # a bulletin's year is often only in its title
        return year, text, flags

    # ------------------------------------------------------------------ finish
    def _finish(self, stmts: list[Statement], ctx: Context) -> list[Statement]:
        rep = ctx.rep
        guesses = [f["span"] for f in rep.guesses]
        out: list[Statement] = []
        seen: dict[tuple, Statement] = {}
        for st in stmts:
            a, b = st._clean
            st.span = rep.orig_span(a, b)
            st.span_text = rep.original[st.span[0]:st.span[1]]
            st.duplicate_spans = rep.duplicate_spans(*st.span)
            if any(g0 < st.span[1] and st.span[0] < g1 for g0, g1 in guesses):
                st.flag("repair_guess")
            if st.value is not None and st.unit == "%" and st.value > 100 and (st.share or "率" in (st.indicator_name or "")):
                st.flag("implausible")
            if st.value is not None and float(st.value).is_integer() and 1949 <= st.value <= 2100 and st.unit in YEAR_SHAPED_UNITS:
                st.flag("implausible", "year_shaped")  # 比重达到2022%: a year written over the number
            if "implausible" in st.flags and st.value is not None:
                # a number that cannot be what it says may have been rewritten: keep its text, never its value
                st.value = None
                st.flag("damaged_number")
            if any(f.startswith("damaged") for f in st.flags) and "damaged_number" not in st.flags and "damaged_value" in st.flags:
                st.flag("damaged_number")
            if "damaged_period" in st.flags and "damaged_number" not in st.flags:
                st.flag("damaged_number")
            self._standardise(st)
            key = (st.region_code, st.period, st.indicator_name, st.value, st.unit,
                   st.value_text if st.value is None else None, st.growth_pct, repr(st.rank))
            if key in seen:
                first = seen[key]
                if st.span != first.span and st.span not in first.duplicate_spans:
                    first.duplicate_spans.append(st.span)
                first.duplicate_spans.extend(s for s in st.duplicate_spans if s not in first.duplicate_spans)
                continue
            seen[key] = st
            out.append(st)
        return out

    def _standardise(self, st: Statement) -> None:
        if st.value is None or st.unit is None:
            return
        if st.unit == "成":
            st.value_std, st.unit_std = st.value * 10, "%"
            return
        st.value_std, st.unit_std = st.value, st.unit
        target = self.lexicon.units.get(st.indicator) if st.indicator else None
        if target and target != st.unit:
            from xianping.reference.measure_units import conversion_factor

            try:
                st.value_std = st.value * conversion_factor(st.unit, target)
                st.unit_std = target
            except Exception:  # a unit the library cannot convert stays as printed
                pass


def is_count_unit(unit: str | None) -> bool:
    return unit in P.CLASSIFIERS or unit in ("县(市)", "县市", "万家", "万个")


def _signed(tok: Token, verb: str) -> float | None:
    val = tok.value
    if val is None:
        return None
    if verb in P.NEGATIVE_VERBS and val > 0:  # 下降1.3% = -1.3; 增长-1.3% keeps its printed sign
        val = -val
    if tok.unit == "倍":
        val = val * 100  # 增长3倍 = +300 %
    return val


def _qualifier(hedge: str) -> str:
    if hedge in ("近", "约", "左右", "将近", "接近", "大约"):
        return "approximate"
    if hedge in ("余", "多", "超", "超过", "逾", "以上", "突破"):
        return "lower_bound"
    if hedge in ("内", "以内", "之内", "以下", "不足", "不到"):
        return "upper_bound"
    return hedge


def extract_text(text: str, source: str = "") -> list[Statement]:
    """Statements in `text` (see `Extractor`)."""
    return Extractor().extract_text(text, source)


def extract_file(path: str | Path) -> list[Statement]:
    return Extractor().extract_file(path)


def extract_files(paths: Iterable[str | Path]) -> list[Statement]:
    ex = Extractor()
    out: list[Statement] = []
    for p in paths:
        out.extend(ex.extract_file(p))
    return out
