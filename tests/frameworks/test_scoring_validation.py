"""Bad 考核办法 (`scoring:`) definitions: each gives a located error — file, YAML line, key path, what was expected.

Every case edits one line of a valid points-based programme (census-social's tree + a scoring section); the error
must be reported at the edited line (found by its text, not hard-coded) and at the named key path."""

from pathlib import Path

import pytest

from xianping.frameworks.load import load_framework, validate_framework_file
from xianping.problems import XianpingInputError

TREE = (Path(__file__).resolve().parents[2] / "src/xianping/frameworks/builtin/census-social.yaml").read_text(encoding="utf-8")

SCORING = """
scoring:
  total: 100
  ranking_mode: within_class
  classes: [市辖区, 县级市, 县]
  class_points:
    县: {urban: 20, edu: 30, co2: 30, college: 20}
  items:
    - {code: urban, indicator: urbanisation_rate, points: 30, rule: {kind: target_completion, target: 60}}
    - {code: edu, indicator: edu_years, points: 30, rule: {kind: efficacy_coefficient, satisfactory: 12, unacceptable: 7}}
    - {code: co2, indicator: co2_per_capita, points: 20, rule: {kind: growth_vs_average, measure: growth}}
    - {code: college, indicator: college_share, points: 20, rule: {kind: rank_points, step: 0.1}}
  bonuses:
    - {code: tap, indicator: tap_water_share, points: 1, threshold: 95, cap: 1}
  penalties:
    - {code: ageing, indicator: ageing_65, each: 0.1, cap: 2}
  vetoes:
    - {code: illiteracy, indicator: illiteracy_rate, threshold: 20}
  awards: {advanced: 10, advanced_per_class: true, improved: 10, single: [{item: edu}]}
"""

# (case, text replaced, replacement, error kind, key path)
CASES = [
    ("missing_target", "{kind: target_completion, target: 60}", "{kind: target_completion}",
     "missing_parameter", "scoring.items[0].rule"),
    ("missing_satisfactory", "satisfactory: 12, unacceptable: 7", "unacceptable: 7",
     "missing_parameter", "scoring.items[1].rule"),
    ("class_points_not_total", "县: {urban: 20,", "县: {urban: 25,", "points_not_total", "scoring.class_points.县"),
    ("items_not_total", "points: 20, rule: {kind: rank_points", "points: 10, rule: {kind: rank_points",
     "points_not_total", "scoring.items"),
    ("negative_cap", "each: 0.1, cap: 2", "each: 0.1, cap: -2", "negative_cap", "scoring.penalties[0]"),
    ("unknown_indicator", "indicator: illiteracy_rate, threshold", "indicator: illiteracy, threshold",
     "unknown_indicator", "scoring.vetoes[0].indicator"),
    ("unknown_class", "    县: {urban", "    乡: {urban", "unknown_class", "scoring.class_points.乡"),
    ("unknown_item_in_class", "college: 20}", "colleges: 20}", "unknown_item", "scoring.class_points.县.colleges"),
    ("floor_above_points", "{kind: target_completion, target: 60}", "{kind: target_completion, target: 60, floor: 31}",
     "floor_above_points", "scoring.items[0]"),
    ("efficacy_degenerate", "satisfactory: 12, unacceptable: 7", "satisfactory: 7, unacceptable: 7",
     "efficacy_degenerate", "scoring.items[1].rule"),
    ("negative_deduction", "{kind: target_completion, target: 60}", "{kind: target_completion, target: 60, deduct: -0.5}",
     "negative_parameter", "scoring.items[0].rule"),
    ("param_not_for_rule", "{kind: rank_points, step: 0.1}", "{kind: rank_points, step: 0.1, target: 3}",
     "option_not_for_rule", "scoring.items[3].rule"),
    ("unknown_rule_kind", "{kind: rank_points, step: 0.1}", "{kind: rank_point, step: 0.1}",
     "invalid_choice", "scoring.items[3].rule.kind"),
    ("unknown_single_award_item", "single: [{item: edu}]", "single: [{item: gdp}]",
     "unknown_item", "scoring.awards.single[0].item"),
    ("zero_rank_step", "{kind: rank_points, step: 0.1}", "{kind: rank_points, step: 0}",
     "zero_step", "scoring.items[3].rule"),
    ("adjustment_shape", "points: 1, threshold: 95, cap: 1", "threshold: 95, cap: 1",
     "adjustment_shape", "scoring.bonuses[0]"),
    ("within_class_without_classes", "  classes: [市辖区, 县级市, 县]\n  class_points:\n    县: {urban: 20, edu: 30, co2: 30, college: 20}\n",
     "", "no_classes", "scoring.ranking_mode"),
    # points are published to at most 6 decimals (frameworks/scoring.Scoring.decimals)
    ("decimals_out_of_range", "  total: 100\n", "  total: 100\n  decimals: 7\n", "out_of_range", "scoring.decimals"),
    # 功效系数 clipped to [low, high]: low above high leaves no score
    ("efficacy_clip_inverted", "satisfactory: 12, unacceptable: 7", "satisfactory: 12, unacceptable: 7, low: 50, high: 40",
     "bad_clip", "scoring.items[1].rule"),
    # a class cannot give an item negative points (even when the class still totals 100)
    ("negative_class_points", "县: {urban: 20, edu: 30", "县: {urban: -10, edu: 60", "negative_points",
     "scoring.class_points.县.urban"),
]

# errors about a whole section are reported at its key's line
MARKERS = {"within_class_without_classes": "ranking_mode:", "items_not_total": "  items:", "decimals_out_of_range": "decimals: 7"}


def _write(tmp_path: Path, case: str, old: str, new: str) -> tuple[Path, str]:
    assert SCORING.count(old) == 1, old
    text = TREE + SCORING.replace(old, new)
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_the_valid_programme_has_no_problems(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(TREE + SCORING, encoding="utf-8")
    assert not validate_framework_file(path).errors
    fw = load_framework(path)
    rule = fw.scoring.to_dict()["items"][0]["rule"]
    # every default of the rule is recorded (the manifest carries Scoring.to_dict)
    assert rule == {"kind": "target_completion", "target": 60.0, "deduct": 0.5, "step": 1.0, "floor": 0.0, "bonus": 0.0,
                    "bonus_cap": 0.0, "measure": "difference", "steps": "continuous"}


def test_at_least_ten_cases():
    assert len(CASES) >= 10 and len({c[3] for c in CASES}) >= 10  # ten different kinds of error, not one ten times


@pytest.mark.parametrize("case,old,new,kind,column", CASES, ids=[c[0] for c in CASES])
def test_bad_rule_gives_a_located_error(tmp_path, case, old, new, kind, column):
    path, text = _write(tmp_path, case, old, new)
    report = validate_framework_file(path)
    hits = [p for p in report.errors if p.kind == kind]
    assert hits, report.as_text()
    p = hits[0]
    assert p.column == column, report.as_text()
    assert p.file == str(path) and p.expected, p
    # the line: where the edited text now stands (or, for a removed block, where the key stands)
    marker = MARKERS.get(case) or new.strip().splitlines()[0]
    want = [i for i, line in enumerate(text.splitlines(), start=1) if marker in line]
    assert p.row in want, (p.row, want, report.as_text())
    with pytest.raises(XianpingInputError) as exc:
        load_framework(path)
    assert str(path) in exc.value.summary
