"""Repair scraped Chinese text: garbles, pinyin annotations, traditional characters, page chrome, repeats.

Order (spec §3): (1) ``\ufffd?X`` mojibake, (2) GBK re-alignment of ``?pinyin)`` runs, (3) strip valid pinyin
annotations, (4) OpenCC t2s. Lines of page chrome (URLs, ICP numbers, 转载请注明, disclaimers, comment
counters, markdown image debris) are dropped, and a long line that repeats an earlier one is dropped as a
duplicate. The result keeps an offset map into the original, so every span of the clean text has a source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xianping.text.garble import (
    LOST_WITH_PINYIN,
    PINYIN_CHARS,
    TONED,
    doc_bigram_scorer,
    fix_qmark,
    parse_run,
    toned_syllables,
)
from xianping.text.offsets import Builder, OffsetMap

CHROME = re.compile(
    r"转载请注明|轉載請注明|如若转载|如若轉載|ICP备|ICP備|ICP证|ICP證|免责声明|免責聲明|版权所有|版權所有"
    r"|扫码看|掃碼看|视频新闻|視頻新聞|发表了评论|發表了評論|当前时间|當前時間|责任编辑|責任編輯|分享到"
    r"|打印本页|关闭窗口|上一篇|下一篇|网友评论|網友評論"
)
URL = re.compile(r"https?://[^\s,，。)）\]]+|www\.[a-zA-Z0-9.\-]+[^\s,，。)）\]]*")
MARKUP_ONLY = re.compile(r"^[\s|!\[\]()（）:：\-]*$")
HIT = re.compile(
    rf"\ufffd\?[\x40-\x7e]|\?[{PINYIN_CHARS}]+\)|(?<=[\u3400-\u9fff\uf900-\ufaff])\([{PINYIN_CHARS}]+\)"
    r"|<[^<>\n]{1,300}>|https?://[^\s,，。)）\]]+|&(?:nbsp|amp|lt|gt|quot);|^#{1,6}\s+"
)
_NEEDS_SCAN = re.compile(r"[\ufffd?(<&#]|http")
ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"'}
# width: full-width digits, letters and the punctuation used around numbers become ASCII (same length)
WIDTH = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
     **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}, "％": "%", "．": ".", "，": ",", "：": ":",
     "；": ";", "（": "(", "）": ")", "～": "~", "\u3000": " ", "﹪": "%"}
)
WIDTH_CHARS = {chr(k): v for k, v in WIDTH.items()}


def _narrow(text: str) -> str:
    """`text.translate(WIDTH)`, by one C-speed replace per full-width character present (translate with a
    dict table looks every character up in Python: 5x slower on a page)."""
    for c in set(text) & WIDTH_CHARS.keys():
        text = text.replace(c, WIDTH_CHARS[c])
    return text


DUP_MIN_CHARS = 20
# hard line wraps (text copied out of a PDF or a fixed-width page): lines of one display width that stop
# mid-sentence, often mid-number (固定资产投资25 / 0.3亿元). Only wide wraps count, so headings of equal
# length (一、强化领导、完善机制,…) are never taken for them.
WRAP_MIN_WIDTH = 60
WRAP_MIN_LINES = 4
SENTENCE_FINAL = tuple("。！？!?;；:：”\"’)）】」")
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\(?[一二三四五六七八九十]+\)|\d+(?:、|\.(?!\d))|——|第[一二三四五六七八九十]+)")


@dataclass
class Repaired:
    """Clean text + map into `original`, with a record of every change."""

    original: str
    text: str
    map: OffsetMap
    dropped: list[dict] = field(default_factory=list)  # {span, reason}
    duplicates: list[tuple[int, int, int]] = field(default_factory=list)  # (dup_start, dup_end, first_start)
    fixes: list[dict] = field(default_factory=list)  # {kind, span, text[, guessed]}
    annotations_removed: int = 0

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        return self.map.orig_span(start, end)

    def duplicate_spans(self, a: int, b: int) -> list[tuple[int, int]]:
        """Original spans that repeat the original span [a, b) in a dropped duplicate line."""
        out = []
        for d0, d1, f0 in self.duplicates:
            if f0 <= a and b - f0 <= d1 - d0:
                out.append((a - f0 + d0, b - f0 + d0))
        return out

    @property
    def guesses(self) -> list[dict]:
        return [f for f in self.fixes if f.get("guessed")]


def _lines(text: str):
    pos = 0
    n = len(text)
    while pos < n:
        j = text.find("\n", pos)
        if j < 0:
            yield pos, n, n
            return
        end = j - 1 if j > pos and text[j - 1] == "\r" else j
        yield pos, end, j + 1
        pos = j + 1


_ANNOTATION = re.compile(rf"\([{PINYIN_CHARS}]+\)")


_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\uffef]")


def _display_width(line: str) -> int:
    # CJK characters and full-width forms take two columns
    return len(line) + len(_WIDE.findall(line))


def wrapped_line_ends(text: str) -> set[int]:
    """Offsets of the newlines that are hard wraps: the document has at least WRAP_MIN_LINES lines, not
    ending a sentence, within 6 columns of one width ≥ WRAP_MIN_WIDTH; each such line is joined to the next
    unless the next is blank or a heading."""
    lines = list(_lines(text))
    widths = []
    for a, b, _ in lines:
        line = text[a:b].rstrip()
        # (a line of fewer than WRAP_MIN_WIDTH/2 characters can never be wide enough: not measured)
        if len(line) * 2 >= WRAP_MIN_WIDTH - 6 and not line.endswith(SENTENCE_FINAL):
            widths.append(_display_width(line))
    if len(widths) < WRAP_MIN_LINES:
        return set()
    best, best_n = 0, 0
    for w in set(widths):
        if w < WRAP_MIN_WIDTH:
            continue
        n = sum(1 for x in widths if w - 6 <= x <= w)
        if n > best_n or (n == best_n and w > best):
            best, best_n = w, n
    if best_n < WRAP_MIN_LINES:
        return set()
    out = set()
    for i, (a, b, nxt) in enumerate(lines[:-1]):
        line = text[a:b].rstrip()
        if not line or line.endswith(SENTENCE_FINAL) or not (best - 6 <= _display_width(line) <= best + 1):
            continue
        na, nb, _ = lines[i + 1]
        follow = text[na:nb]
        if not follow.strip() or HEADING.match(follow):
            continue
        out.add(b)
    return out


def _chrome_reason(line: str) -> str | None:
    s = line.strip()
    if "(" in s:
        s = _ANNOTATION.sub("", s)
    if not s:
        return None
    if MARKUP_ONLY.match(s) and ("|" in s or "![" in s):
        return "markup"
    if len(s) <= 80 and CHROME.search(s):
        return "chrome"
    if URL.search(s):
        rest = URL.sub("", s).strip()
        if len(rest) < 20:
            return "url"
    return None


def _repair_line(out: Builder, rep: Repaired, text: str, a: int, b: int, scorer) -> None:
    line = text[a:b]
    if not _NEEDS_SCAN.search(line):
        out.copy(line, a)
        return
    cursor = a
    syllables = None
    pos = a
    while True:
        m = HIT.search(text, pos, b)
        if m is None:
            break
        s, e = m.start(), m.end()
        tok = m.group(0)
        if tok[0] == "\ufffd":
            fixed = fix_qmark(tok)
            if fixed is None:
                pos = e
                continue
            out.copy(text[cursor:s], cursor)
            out.replace(fixed, s, e)
            rep.fixes.append({"kind": "qmark", "span": (s, e), "text": fixed})
            cursor = pos = e
        elif tok[0] == "?":
            if s - 1 < cursor:
                pos = e
                continue
            fix = parse_run(text[:b], s, scorer)
            if fix is None:
                pos = e
                continue
            out.copy(text[cursor:fix.start], cursor)
            out.replace(fix.text, fix.start, fix.end)
            rep.fixes.append({"kind": "gbk_realign", "span": (fix.start, fix.end), "text": fix.text,
                              "guessed": fix.guessed})
            rep.annotations_removed += len(LOST_WITH_PINYIN.findall(text, fix.start, fix.end))
            cursor = pos = fix.end
        elif tok[0] == "(":
            if syllables is None:
                syllables = toned_syllables() if any(c in TONED for c in line) else frozenset()
            if tok[1:-1] in syllables:
                out.copy(text[cursor:s], cursor)
                out.replace("", s, e)
                rep.annotations_removed += 1
                cursor = e
            pos = e
        else:  # tags, URLs, entities, markdown heading marks
            out.copy(text[cursor:s], cursor)
            out.replace(ENTITIES.get(tok, ""), s, e)
            cursor = pos = e
    out.copy(text[cursor:b], cursor)


def repair(text: str, *, simplify: bool = True) -> Repaired:
    """Clean `text` (see module doc). The result's `text` is simplified Chinese unless `simplify=False`."""
    if text.startswith("\ufeff"):
        text_off = 1
    else:
        text_off = 0
    rep = Repaired(original=text, text="", map=OffsetMap())
    out = Builder()
    scorer = doc_bigram_scorer(text) if "?" in text else None
    seen: dict[str, int] = {}
    blank_run = 0
    wraps = wrapped_line_ends(text) if len(text) > WRAP_MIN_WIDTH * WRAP_MIN_LINES // 2 else set()
    for a, b, nxt in _lines(text):
        a = max(a, text_off)
        line = text[a:b]
        reason = _chrome_reason(line)
        if reason:
            rep.dropped.append({"span": (a, b), "reason": reason})
            continue
        key = line.strip()
        if len(key) >= DUP_MIN_CHARS:
            first = seen.get(key)
            if first is not None:
                rep.dropped.append({"span": (a, b), "reason": "duplicate"})
                rep.duplicates.append((a, b, first))
                continue
            seen[key] = a
        if not key:
            blank_run += 1
            if blank_run > 1:
                continue
        else:
            blank_run = 0
        _repair_line(out, rep, text, a, b, scorer)
        if b in wraps:
            out.replace("", b, nxt)  # a hard wrap: the line goes on
            rep.fixes.append({"kind": "line_wrap", "span": (b, nxt), "text": ""})
        elif nxt > b:
            out.copy("\n", b if text[b] == "\n" else nxt - 1)
    clean = out.text()
    m = out.map
    if simplify:
        clean, m = _simplify(clean, m)
    rep.text = _narrow(clean)
    rep.map = m
    return rep


def _simplify(clean: str, m: OffsetMap) -> tuple[str, OffsetMap]:
    from xianping.text.simplify import to_simplified

    simp = to_simplified(clean)
    if len(simp) == len(clean):
        return simp, m
    # a phrase conversion changed the length: map each changed line as a whole
    out_parts: list[str] = []
    new = OffsetMap()
    pos = n = 0
    for line in clean.splitlines(keepends=True):
        conv = to_simplified(line)
        if len(conv) == len(line):
            for o0, o1, s0, s1 in _sub_pieces(m, pos, pos + len(line)):
                new.add(n + o0 - pos, n + o1 - pos, s0, s1)
        else:
            a, b = m.orig_span(pos, pos + len(line))
            new.add(n, n + len(conv), a, b)
        out_parts.append(conv)
        pos += len(line)
        n += len(conv)
    return "".join(out_parts), new


def _sub_pieces(m: OffsetMap, start: int, end: int):
    for o0, o1, s0, s1 in m.pieces:
        if o1 <= start or o0 >= end:
            if not (o0 == o1 and start <= o0 < end):
                continue
        if o1 - o0 == s1 - s0:
            c0, c1 = max(o0, start), min(o1, end)
            yield c0, c1, s0 + c0 - o0, s0 + c1 - o0
        else:
            yield o0, o1, s0, s1
