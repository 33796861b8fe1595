"""Score `xianping extract` against hand-labelled gold: recall and precision on (indicator, value, unit).

    .venv/bin/python scripts/score_extraction.py [SEEDS_DIR] [--numeric-only] [--verbose]
    .venv/bin/python scripts/score_extraction.py --devset [DEVSET_DIR] [--verbose]

Seeds (default ../shared/seeds): gold.jsonl with spans; pass at recall ≥ 0.90, precision ≥ 0.95, no lost number
read. Matching rules: xianping.text.score (module docstring).

Development set (default tests/text/devset): real county bulletins and work reports, sources.yaml (URL, title,
county) and a hand-written <stem>.gold.yaml per document; pass at precision ≥ 0.95, recall ≥ 0.90 and no misread
value. Matching rules (also xianping.text.score.DEVSET_RULES):

A predicted statement matches a gold record of the development set when
  * both come from the same document;
  * the predicted span (offsets into the original file) overlaps the gold quote (``q``, at its ``n``-th
    occurrence in the original file, default the first);
  * the indicators are compatible (equal after dropping punctuation, one inside the other, or sharing at least
    half of the shorter name's character bigrams; the predicted name and the text it was read from are tried);
  * value and unit are equal (both absent for growth-only, change-only, rank and structure statements;
    亿 = 亿元, 百分点 = 个百分点);
  * the growth rate (g, signed %) and percentage-point change (pp, signed) are equal, both absent when gold
    gives none — a lost sign, or a change read as a level, does not match;
  * the target flag is equal (a target read as an observation does not match);
  * a gold rank position (rank) or top-N (top) equals the predicted one; a gold structure the predicted parts.
Each gold record matches at most one prediction and vice versa, greedily in document order; predictions
matching an already-matched record (restatements) do not count against precision. wrong_value counts
predictions over a gold quote with a compatible indicator and unit but another value (must be 0). Region
(the document's county) and period (the document's year, observations only) are reported over the matches.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _devset(argv: list[str]) -> int:
    from xianping.text.score import dev_totals, score_devset

    args = [a for a in argv if not a.startswith("--")]
    folder = Path(args[0]) if args else ROOT / "tests" / "text" / "devset"
    scores = score_devset(folder)
    t = dev_totals(scores)
    print(f"{'doc':34} {'gold':>4} {'pred':>4} {'recall':>7} {'precision':>9} {'wrong-value':>11}")
    for s in [*scores, t]:
        print(f"{s.doc:34} {s.gold:4} {s.predicted:4} {s.recall:7.3f} {s.precision:9.3f} {s.wrong_value:11}")
        if "--verbose" in argv and s.doc != "total":
            for g in s.missed:
                print(f"    missed   {g['ind']} v={g.get('v')} {g.get('u')} g={g.get('g')} pp={g.get('pp')} "
                      f"{'target' if g.get('target') else ''} | {g['q']}")
            for p in s.spurious:
                print(f"    spurious {p['indicator_name']} v={p['value']} {p['unit']} g={p['growth_pct']} "
                      f"pp={p['change_pp']} {'target' if p['target'] else ''} {p['flags']} | {p['span_text'][:50]}")
    print(f"region right on {t.region_ok}/{t.matched_pred} matched statements; period right on "
          f"{t.period_ok}/{t.period_n} matched observations")
    return 0 if t.recall >= 0.90 and t.precision >= 0.95 and t.wrong_value == 0 else 1


def _seeds(argv: list[str]) -> int:
    from xianping.text.score import score_seeds, totals

    args = [a for a in argv if not a.startswith("--")]
    seeds = Path(args[0]) if args else ROOT.parent / "shared" / "seeds"
    if not (seeds / "gold.jsonl").is_file():
        print(f"no gold.jsonl in {seeds}", file=sys.stderr)
        return 2
    scores = score_seeds(seeds, numeric_only="--numeric-only" in argv)
    print(f"{'doc':28} {'gold':>4} {'pred':>4} {'recall':>7} {'precision':>9} {'lost-read':>9}")
    for s in [*scores, totals(scores)]:
        print(f"{s.doc:28} {s.gold:4} {s.predicted:4} {s.recall:7.3f} {s.precision:9.3f} {s.damaged_value_read:9}")
        if "--verbose" in argv and s.doc != "total":
            for g in s.missed:
                print(f"    missed   {g['id']} {g['indicator']} {g['value']} {g['unit']} | {g['span']}")
            for p in s.spurious:
                print(f"    spurious {p['indicator_name']} {p['value']} {p['unit']} {p['flags']} | {p['span_text'][:40]}")
    t = totals(scores)
    return 0 if t.recall >= 0.90 and t.precision >= 0.95 and t.damaged_value_read == 0 else 1


def main(argv: list[str]) -> int:
    return _devset(argv) if "--devset" in argv else _seeds(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
