"""Score `xianping extract` against the hand-labelled seeds: recall and precision on (indicator, value, unit).

    .venv/bin/python scripts/score_extraction.py [SEEDS_DIR] [--numeric-only] [--verbose]

SEEDS_DIR defaults to ../shared/seeds next to the repository. Matching rules: xianping.text.score.
"""

from __future__ import annotations

import sys
from pathlib import Path

from xianping.text.score import score_seeds, totals


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    seeds = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared" / "seeds"
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
