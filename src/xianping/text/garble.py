"""Undo byte-level damage done to GBK text by mirror sites (spec: docs/text_extraction.md §3).

Two kinds:

* ``\ufffd?X`` — a full-width→half-width normaliser turned the misaligned window A3 BF (``？``) into ``?``:
  ``。縣`` = A1 A3 | BF 68 became A1 3F 68. Exact: ``。`` + GBK(0xBF, X).
* ``日?qǐng)?bào)`` — a pinyin annotator wrote ``(pinyin)`` after a 2-byte window that straddled two characters;
  the decoder then swallowed the byte before ``(`` and printed ``?``. Every ``?`` is one lost byte. A lost byte
  followed by pinyin is recovered exactly: the byte b such that GBK(previous byte, b) reads that pinyin. A lost
  byte with no pinyin (the last of a run) is a guess, scored by the bigrams of the document, and flagged.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN_CHARS = "a-zü" + TONED + "ńňǹḿ"
LOST_WITH_PINYIN = re.compile(rf"\?([{PINYIN_CHARS}]+)\)")
MOJIBAKE_QMARK = re.compile(r"\ufffd\?([\x40-\x7e])")


def fix_qmark(token: str) -> str | None:
    """``\ufffd?X`` → ``。`` + GBK(0xBF, X), or None when those bytes are no character."""
    try:
        return "。" + bytes([0xBF, ord(token[2])]).decode("gbk")
    except UnicodeDecodeError:
        return None


@functools.lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, frozenset[str]]:
    from pypinyin.pinyin_dict import pinyin_dict  # MIT; imported only when a garble is present

    return pinyin_dict  # type: ignore[return-value]


@functools.lru_cache(maxsize=1)
def toned_syllables() -> frozenset[str]:
    """Every toned syllable pypinyin knows (``qǐng``, ``bào`` …), used to tell annotations from ``(GDP)``."""
    out: set[str] = set()
    for readings in _pinyin_table().values():
        out.update(readings.split(","))
    return frozenset(s for s in out if any(c in TONED for c in s))


def readings(ch: str) -> set[str]:
    r = _pinyin_table().get(ord(ch))
    return set(r.split(",")) if r else set()


@functools.lru_cache(maxsize=4096)
def _bytes_for(prev: int, pinyin: str) -> tuple[int, ...]:
    out = []
    for b in range(0x40, 0xFF):
        if b == 0x7F:
            continue
        try:
            ch = bytes([prev, b]).decode("gbk")
        except UnicodeDecodeError:
            continue
        if pinyin in readings(ch):
            out.append(b)
    return tuple(out)


@dataclass(frozen=True)
class GarbleFix:
    start: int  # offsets in the string given to `parse_run`
    end: int
    text: str
    guessed: bool  # a trailing lost byte was chosen by score, not recovered


def _gbk(ch: str) -> bytes | None:
    try:
        return ch.encode("gbk")
    except UnicodeEncodeError:
        return None


def parse_run(s: str, q: int, bigram_score=None) -> GarbleFix | None:
    """Repair the garble whose first ``?pinyin)`` starts at `q`; the character before it starts the run.

    Units after it: ``?pinyin)`` (a lost byte, constrained), CJK characters (decoded from misaligned
    bytes), and a bare ``?`` (a lost byte without a clue) that brings the stream back into alignment.
    """
    if q == 0:
        return None
    head = _gbk(s[q - 1])
    if head is None or len(head) != 2:
        return None
    units: list[tuple[str, object]] = []  # ("py", pinyin) | ("b", bytes) | ("?", None)
    i, lost = q, 0
    while i < len(s):
        m = LOST_WITH_PINYIN.match(s, i)
        if m:
            units.append(("py", m.group(1)))
            lost += 1
            i = m.end()
            continue
        if lost % 2 == 0:
            break
        ch = s[i]
        if ch == "?":
            units.append(("?", None))
            lost += 1
            i += 1
            break
        b = _gbk(ch)
        if b is None or len(b) != 2:
            break
        units.append(("b", b))
        i += 1
    if not units:
        return None
    guessed = lost % 2 == 1 or any(k == "?" for k, _ in units)
    # candidates for each lost byte, resolved left to right (each depends on the byte before it)
    partial: list[bytes] = [head]
    for kind, val in units:
        nxt: list[bytes] = []
        for stream in partial:
            if kind == "b":
                nxt.append(stream + val)  # type: ignore[operator]
            elif kind == "py":
                nxt.extend(stream + bytes([b]) for b in _bytes_for(stream[-1], val))  # type: ignore[arg-type]
            else:  # no clue: GB2312 trail bytes first (common characters), the GBK extension only if none fits
                nxt.extend(stream + bytes([b]) for b in range(0xA1, 0xFF))
        partial = nxt[:20000]
        if not partial:
            return None
    if lost % 2 == 1:  # run ends misaligned: one byte is missing for good; the char it started is lost
        partial = [p[:-1] for p in partial]
    best, best_score = None, None
    for stream in partial:
        try:
            text = stream.decode("gbk")
        except UnicodeDecodeError:
            continue
        score = bigram_score(text) if (bigram_score and guessed) else 0
        if best is None or score > best_score:
            best, best_score = text, score
    if best is None:
        return None
    return GarbleFix(q - 1, i, best, guessed)


@functools.lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    from pypinyin.phrases_dict import phrases_dict  # a 47k-word list that ships with pypinyin (MIT)

    return frozenset(phrases_dict)


def _is_common(c: str) -> bool:
    b = _gbk(c)
    return b is not None and len(b) == 2 and 0xB0 <= b[0] <= 0xD7 and b[1] >= 0xA1  # GB2312 level 1


def doc_bigram_scorer(doc: str):
    """Score a guessed repair: bigrams that are words (pypinyin's word list, simplified) or occur elsewhere
    in the document, then the number of common (GB2312 level-1) characters."""
    counts: dict[str, int] = {}
    from xianping.text.simplify import to_simplified

    def score(text: str) -> tuple[int, int, int]:
        text = text[-3:]  # only the guessed end differs between candidates
        words = _words()
        simp = to_simplified(text)
        in_words = sum(1 for a, b in zip(simp, simp[1:]) if a + b in words)
        total = 0
        for a, b in zip(text, text[1:]):
            bg = a + b
            if bg not in counts:
                counts[bg] = doc.count(bg)
            total += counts[bg]
        return in_words, total, sum(1 for c in text if _is_common(c))

    return score
