"""Offset maps from a cleaned text back into the text it was cleaned from.

The cleaned text is built from pieces. A piece copied unchanged maps character by character; a piece that
replaced something (a repaired garble, a removed annotation) maps as a whole onto what it replaced. So every
span of the cleaned text has a source span in the original, and a statement can always cite its source.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass
class OffsetMap:
    """Pieces (out_start, out_end, orig_start, orig_end); a piece with equal lengths maps linearly."""

    out_starts: list[int] = field(default_factory=list)
    pieces: list[tuple[int, int, int, int]] = field(default_factory=list)

    def add(self, out_start: int, out_end: int, orig_start: int, orig_end: int) -> None:
        if out_end == out_start and orig_end == orig_start:
            return
        self.out_starts.append(out_start)
        self.pieces.append((out_start, out_end, orig_start, orig_end))

    def _piece(self, pos: int) -> tuple[int, int, int, int] | None:
        i = bisect.bisect_right(self.out_starts, pos) - 1
        # an empty output piece (a deletion) shares its start with the next piece: prefer the non-empty one
        while i >= 0 and self.pieces[i][0] == self.pieces[i][1] and i + 1 < len(self.pieces) and self.pieces[i + 1][0] == pos:
            i += 1
        return self.pieces[i] if i >= 0 else None

    def orig_pos(self, pos: int, end: bool = False) -> int:
        """Original offset of cleaned offset `pos`; with `end`, the end of the source of character pos-1."""
        if not self.pieces:
            return pos
        if end:
            if pos <= 0:
                return self.orig_pos(0)
            i = bisect.bisect_right(self.out_starts, pos - 1) - 1
            while i > 0 and self.pieces[i][0] == self.pieces[i][1]:
                i -= 1
            o0, o1, s0, s1 = self.pieces[max(i, 0)]
            if o1 - o0 == s1 - s0:
                return s0 + min(pos, o1) - o0
            return s1
        p = self._piece(pos)
        if p is None:
            return self.pieces[0][2]
        o0, o1, s0, s1 = p
        if pos >= o1:
            return s1
        if o1 - o0 == s1 - s0:
            return s0 + pos - o0
        return s0

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        a = self.orig_pos(start)
        b = self.orig_pos(end, end=True) if end > start else a
        return a, max(a, b)


class Builder:
    """Accumulates the cleaned text and its offset map."""

    __slots__ = ("parts", "map", "n")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.map = OffsetMap()
        self.n = 0

    def copy(self, text: str, orig_start: int) -> None:
        if text:
            self.map.add(self.n, self.n + len(text), orig_start, orig_start + len(text))
            self.parts.append(text)
            self.n += len(text)

    def replace(self, text: str, orig_start: int, orig_end: int) -> None:
        self.map.add(self.n, self.n + len(text), orig_start, orig_end)
        self.parts.append(text)
        self.n += len(text)

    def text(self) -> str:
        return "".join(self.parts)
