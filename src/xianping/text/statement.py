"""What extraction returns: one indicator statement with its provenance."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FIELDS = (
    "source", "region_code", "region_name", "region_source", "period", "period_text", "indicator", "indicator_name",
    "indicator_text", "value", "unit", "value_text", "value_std", "unit_std", "growth_pct", "growth_basis", "change_pp",
    "comparison", "share", "structure", "rank", "qualifiers", "target", "flags", "span", "span_text", "sentence",
    "sentence_span", "duplicate_spans",
)


@dataclass
class Statement:
    """An indicator statement. `span`/`sentence_span` are offsets into the ORIGINAL file text (as read), so
    ``original[span[0]:span[1]] == span_text``; `sentence` is the repaired (clean, simplified) sentence.

    `value`/`unit` are as printed (``亿`` after a money indicator becomes ``亿元``; ``九成`` is 9 成);
    `value_std`/`unit_std` are the same quantity in the library indicator's unit, or a canonical one
    (成 → %). A value the scrape destroyed is None, flagged, and its residue kept in `value_text`.
    """

    source: str = ""
    region_code: str | None = None
    region_name: str | None = None
    region_source: str | None = None  # text | speaker | document | deictic
    period: str | None = None
    period_text: str | None = None
    indicator: str | None = None  # library code, when the lexicon maps it
    indicator_name: str | None = None  # normalised name
    indicator_text: str | None = None  # as written
    value: float | None = None
    unit: str | None = None
    value_text: str | None = None
    value_std: float | None = None
    unit_std: str | None = None
    growth_pct: float | None = None
    growth_basis: str | None = None
    change_pp: float | None = None
    comparison: list[dict[str, Any]] | None = None
    share: dict[str, Any] | None = None
    structure: list[float] | None = None
    rank: dict[str, Any] | None = None
    qualifiers: list[str] = field(default_factory=list)
    target: bool = False
    flags: list[str] = field(default_factory=list)
    span: tuple[int, int] = (0, 0)
    span_text: str = ""
    sentence: str = ""
    sentence_span: tuple[int, int] = (0, 0)
    duplicate_spans: list[tuple[int, int]] = field(default_factory=list)
    # cleaned-text offsets, for internal use
    _clean: tuple[int, int] = field(default=(0, 0), repr=False)

    def flag(self, *names: str) -> None:
        for n in names:
            if n not in self.flags:
                self.flags.append(n)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("_clean", None)
        d["span"] = list(self.span)
        d["sentence_span"] = list(self.sentence_span)
        d["duplicate_spans"] = [list(s) for s in self.duplicate_spans]
        return {k: d[k] for k in FIELDS}

    @property
    def damaged(self) -> bool:
        return "damaged_number" in self.flags or "placeholder" in self.flags

    @property
    def storable(self) -> bool:
        """A value that may go into the panel store: intact, observed, located, in a library indicator."""
        bad = {"damaged_number", "placeholder", "implausible", "range", "qualitative", "repair_guess"}
        return (
            self.value is not None and not self.target and not (bad & set(self.flags))
            and self.region_code is not None and self.period is not None and self.indicator is not None
        )
