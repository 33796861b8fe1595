"""Score extraction against hand-labelled gold statements (the seeds' ``gold.jsonl`` and its README).

A predicted statement matches a gold record when
  * both come from the same document,
  * the predicted span overlaps the gold span or one of its ``duplicate_spans`` (offsets into the original),
  * the values are equal (both None for lost numbers, placeholders, ranks and qualitative targets),
  * the units are equal after printing conventions (``亿`` = ``亿元``; ``个工作日``; None = None),
  * the indicators are compatible: the normalised gold name and the predicted name (or the text it was read
    from) share at least half of the shorter one's character bigrams, or one contains the other.
Each gold record matches at most one prediction and vice versa (greedy, in document order).
Recall = matched gold / gold; precision = matched predictions / predictions. Predictions that match a gold
record's duplicate span after that record is taken are not counted against precision (the gold labels a
restated figure once). ``damaged_value_read`` counts predictions that carry a value where gold says the value
was lost — it must be 0.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

_NORM = re.compile(r"[\s“”\"'()（）、,，:：·\-—《》]")


def norm_name(s: str | None) -> str:
    return _NORM.sub("", s or "")


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s}


def names_compatible(gold: str | None, *pred: str | None) -> bool:
    g = norm_name(gold)
    for p in pred:
        q = norm_name(p)
        if not q or not g:
            continue
        if q in g or g in q:
            return True
        a, b = _bigrams(g), _bigrams(q)
        if len(a & b) >= 0.5 * min(len(a), len(b)):
            return True
    return False


def norm_unit(u: str | None) -> str | None:
    if u is None or u == "":
        return None
    return {"亿": "亿元", "万": "万元", "百分点": "个百分点"}.get(u, u)


def _same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class DocScore:
    doc: str
    gold: int = 0
    predicted: int = 0
    matched_gold: int = 0
    matched_pred: int = 0
    restated: int = 0  # predictions matching an already-taken gold record's restatement
    damaged_value_read: int = 0
    missed: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        n = self.predicted - self.restated
        return self.matched_pred / n if n else 1.0


def load_gold(path: str | Path, numeric_only: bool = False) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if numeric_only:
        rows = [r for r in rows if "qualitative" not in (r.get("flags") or [])]
    return rows


def _gold_spans(g: dict[str, Any]) -> list[tuple[int, int]]:
    spans = [(g["span_start"], g["span_end"])]
    for d in g.get("duplicate_spans") or []:
        if isinstance(d, dict):
            a = d.get("span_start", d.get("start"))
            b = d.get("span_end", d.get("end"))
            if a is not None and b is not None:
                spans.append((a, b))
        elif isinstance(d, (list, tuple)) and len(d) == 2:
            spans.append((d[0], d[1]))
    return spans


def _matches(g: dict[str, Any], p: dict[str, Any]) -> bool:
    pspans = [tuple(p["span"])] + [tuple(s) for s in p.get("duplicate_spans") or []]
    if not any(_overlap(ps, gs) for ps in pspans for gs in _gold_spans(g)):
        return False
    if not _same_value(g.get("value"), p.get("value")):
        return False
    if norm_unit(g.get("unit")) != norm_unit(p.get("unit")):
        return False
    return names_compatible(g.get("indicator"), p.get("indicator_name"), p.get("indicator_text"))


def score_doc(doc: str, gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> DocScore:
    sc = DocScore(doc, gold=len(gold), predicted=len(pred))
    taken_p: set[int] = set()
    taken_g: set[int] = set()
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if pi not in taken_p and _matches(g, p):
                taken_p.add(pi)
                taken_g.add(gi)
                break
    sc.matched_gold = len(taken_g)
    sc.matched_pred = len(taken_p)
    for pi, p in enumerate(pred):
        if pi in taken_p:
            continue
        if any(_matches(g, p) for g in gold):
            sc.restated += 1
        else:
            sc.spurious.append(p)
    for gi, g in enumerate(gold):
        if gi not in taken_g:
            sc.missed.append(g)
        if g.get("value") is None and "damaged_value" in (g.get("flags") or []):
            for p in pred:
                if p.get("value") is not None and any(_overlap(tuple(p["span"]), gs) for gs in _gold_spans(g)) \
                        and norm_unit(p.get("unit")) == norm_unit(g.get("unit")) \
                        and names_compatible(g.get("indicator"), p.get("indicator_name"), p.get("indicator_text")):
                    sc.damaged_value_read += 1
    return sc


def score_seeds(seeds_dir: str | Path, numeric_only: bool = False) -> list[DocScore]:
    """Extract every document named in ``gold.jsonl`` and score it."""
    from xianping.text.extract import Extractor

    seeds = Path(seeds_dir)
    gold = load_gold(seeds / "gold.jsonl", numeric_only)
    docs = sorted({g["doc"] for g in gold} | {p.name for p in seeds.glob("*.txt")})
    ex = Extractor()
    out = []
    for d in docs:
        pred = [s.to_dict() for s in ex.extract_file(seeds / d)]
        out.append(score_doc(d, [g for g in gold if g["doc"] == d], pred))
    return out


def totals(scores: Iterable[DocScore]) -> DocScore:
    t = DocScore("total")
    for s in scores:
        t.gold += s.gold
        t.predicted += s.predicted
        t.matched_gold += s.matched_gold
        t.matched_pred += s.matched_pred
        t.restated += s.restated
        t.damaged_value_read += s.damaged_value_read
    return t


# ---------------------------------------------------------------------------------------------------------------
# The development set (tests/text/devset): real county documents with hand-written gold in YAML.

DEVSET_RULES = """\
A predicted statement matches a gold record of the development set when
  * both come from the same document;
  * the predicted span (offsets into the original file) overlaps the gold quote (the ``q`` text, located in the
    original file at its ``n``-th occurrence, default the first);
  * the indicators are compatible (as for the seeds: equal after dropping punctuation, one inside the other, or
    sharing at least half of the shorter name's character bigrams; the predicted name and the text it was read
    from are both tried);
  * the value and unit are equal (both absent for growth-only, change-only, rank and structure statements;
    ``亿`` = ``亿元``, ``百分点`` = ``个百分点``);
  * the growth rate (``g``, signed %) and the percentage-point change (``pp``, signed) are equal, both absent
    when gold gives none — so a lost sign or a change read as a level does not match;
  * the target flag is equal (``target: true`` in gold; a target read as an observation does not match);
  * a gold rank position (``rank``) or top-N (``top``) equals the predicted one, a gold structure the predicted
    parts.
Each gold record matches at most one prediction and vice versa, greedily in document order. Predictions that
match an already-matched gold record (a restatement) are not counted against precision. ``wrong_value`` counts
predictions over a gold quote with a compatible indicator and unit but another value (a misread number): it
must be 0. Region and period are scored apart, over the matched statements: the region must be the document's
county; the period the document's year (for observations only).
"""


def _num_eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))


@dataclass
class DevDoc:
    file: str
    meta: dict[str, Any]
    text: str
    gold: list[dict[str, Any]]  # each with "span" added


def load_devset(folder: str | Path) -> list[DevDoc]:
    """The documents of `folder`/sources.yaml with their gold; every quote located (an error names the file and
    the quote that is not in the text)."""
    import yaml

    folder = Path(folder)
    meta = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))
    out = []
    for d in meta["documents"]:
        text = (folder / d["file"]).read_text(encoding="utf-8")
        gpath = folder / (Path(d["file"]).stem + ".gold.yaml")
        gold = yaml.safe_load(gpath.read_text(encoding="utf-8")) or []
        for i, g in enumerate(gold):
            pos = -1
            for _ in range(int(g.get("n", 1))):
                pos = text.find(g["q"], pos + 1)
                if pos < 0:
                    raise ValueError(f"{gpath.name}: record {i + 1}: quote {g['q']!r} not found in {d['file']}")
            g["span"] = (pos, pos + len(g["q"]))
        out.append(DevDoc(d["file"], d, text, gold))
    return out


def _dev_match(g: dict[str, Any], p: dict[str, Any], attributes: bool = True) -> bool:
    pspans = [tuple(p["span"])] + [tuple(s) for s in p.get("duplicate_spans") or []]
    if not any(_overlap(ps, g["span"]) for ps in pspans):
        return False
    if norm_unit(g.get("u")) != norm_unit(p.get("unit")):
        return False
    if not names_compatible(g.get("ind"), p.get("indicator_name"), p.get("indicator_text")):
        return False
    if not attributes:
        return True
    if not _num_eq(g.get("v"), p.get("value")):
        return False
    if not _num_eq(g.get("g"), p.get("growth_pct")) or not _num_eq(g.get("pp"), p.get("change_pp")):
        return False
    if bool(g.get("target")) != bool(p.get("target")):
        return False
    rank = p.get("rank") or {}
    if "rank" in g and rank.get("position") != g["rank"]:
        return False
    if "top" in g and rank.get("top_n") != g["top"]:
        return False
    if "structure" in g and [float(x) for x in g["structure"]] != [float(x) for x in (p.get("structure") or [])]:
        return False
    return True


@dataclass
class DevScore(DocScore):
    wrong_value: int = 0
    region_ok: int = 0
    period_ok: int = 0
    period_n: int = 0


def score_dev_doc(doc: DevDoc, pred: list[dict[str, Any]]) -> DevScore:
    sc = DevScore(doc.file, gold=len(doc.gold), predicted=len(pred))
    taken_p: dict[int, int] = {}
    taken_g: set[int] = set()
    order = sorted(range(len(doc.gold)), key=lambda i: doc.gold[i]["span"])
    for gi in order:
        for pi, p in enumerate(pred):
            if pi not in taken_p and _dev_match(doc.gold[gi], p):
                taken_p[pi] = gi
                taken_g.add(gi)
                break
    sc.matched_gold = len(taken_g)
    sc.matched_pred = len(taken_p)
    for pi, p in enumerate(pred):
        if pi in taken_p:
            g = doc.gold[taken_p[pi]]
            sc.region_ok += p.get("region_name") == doc.meta.get("region")
            if not g.get("target") and doc.meta.get("period") is not None:
                sc.period_n += 1
                sc.period_ok += p.get("period") == doc.meta.get("period")
            continue
        if any(_dev_match(g, p) for g in doc.gold):
            sc.restated += 1
        else:
            sc.spurious.append(p)
        if p.get("value") is not None and any(
                g.get("v") is not None and not _num_eq(g["v"], p["value"]) and _dev_match(g, p, attributes=False)
                for g in doc.gold):
            sc.wrong_value += 1
    sc.missed = [doc.gold[i] for i in order if i not in taken_g]
    return sc


def score_devset(folder: str | Path) -> list[DevScore]:
    from xianping.text.extract import Extractor

    ex = Extractor()
    out = []
    for doc in load_devset(folder):
        pred = [s.to_dict() for s in ex.extract_text(doc.text, source=doc.file)]
        out.append(score_dev_doc(doc, pred))
    return out


def dev_totals(scores: Iterable[DevScore]) -> DevScore:
    t = DevScore("total")
    for s in scores:
        for k in ("gold", "predicted", "matched_gold", "matched_pred", "restated", "wrong_value", "region_ok",
                  "period_ok", "period_n"):
            setattr(t, k, getattr(t, k) + getattr(s, k))
    return t
