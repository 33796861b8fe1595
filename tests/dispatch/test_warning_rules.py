"""Warning colours on each side of every boundary, the two-months-running escalation, 无报告, and bad rule files
(each located by file, line and key path)."""

import numpy as np
import pytest

from xianping.dispatch import warning_rules as wr
from xianping.dispatch.frames import validate_frames
from xianping.dispatch.measures import year_measures
from xianping.problems import XianpingInputError

from . import example as ex

RULES = """\
version: 1
name: test
projects:
  - measure: pace
    yellow_behind_more_than: 10
    red_behind_more_than: 20
    red_when_yellow_months_running: 2
counties:
  - measure: pace
    yellow_behind_more_than: 5
    red_behind_more_than: 10
  - measure: start_rate
    target: 90
    yellow_behind_more_than: 0
    red_behind_more_than: 20
indicators:
  - measure: growth_vs_province
    yellow_behind_more_than: 0
    red_behind_more_than: 3
"""


@pytest.fixture(scope="module")
def rules():
    return wr.rules_from_text(RULES, "test.yaml")


def _names(codes):
    return list(wr.COLOURS[np.asarray(codes)])


def test_pace_boundaries_each_side(rules):
    r = rules.projects[0].model_copy(update={"red_when_yellow_months_running": None})
    pace = np.array([5.0, 0.0, -10.0, -10.001, -20.0, -20.001, np.nan])
    # behind exactly 10 is still green; just over is yellow; exactly 20 is yellow; just over is red
    assert _names(wr.colour_codes(-pace, r)) == ["green", "green", "green", "yellow", "yellow", "red", "none"]


def test_rate_boundaries_each_side(rules):
    r = rules.counties[1]  # 开工率 target 90: behind = 90 − rate; yellow > 0, red > 20
    rate = np.array([100.0, 90.0, 89.99, 70.0, 69.99])
    assert _names(wr.colour_codes(90 - rate, r)) == ["green", "green", "yellow", "yellow", "red"]


def test_float_noise_does_not_cross_a_boundary(rules):
    r = rules.counties[0]  # yellow > 5
    # 30 % computed as 0.3 × 100 = 30.000000000000004; elapsed 35 % → behind 4.999999999999996, and the reverse
    behind = np.array([35 - 0.3 * 100, 0.1 * 3 * 100 / 6])  # 5 − ε and 5.000000000000001
    assert behind[1] != 5.0
    assert _names(wr.colour_codes(behind, r)) == ["green", "green"]


def test_yellow_two_months_running_turns_red(rules):
    r = rules.projects[0]
    # behind 15 (yellow) in months 2–3 → red in month 3; a green month or a missing month breaks the run
    behind = np.array([[0, 15, 15, 0, 15, np.nan, 15, 15, 25, 15, 0, 11]], dtype=float)
    assert _names(wr.colour_codes(behind, r)[0]) == [
        "green", "yellow", "red", "green", "yellow", "none", "yellow", "red", "red", "red", "green", "yellow"]
    three = r.model_copy(update={"red_when_yellow_months_running": 3})
    assert _names(wr.colour_codes(behind, three)[0])[1:4] == ["yellow", "yellow", "green"]
    assert _names(wr.colour_codes(behind, three)[0])[6:9] == ["yellow", "yellow", "red"]


def test_project_and_county_colours_on_the_example(rules):
    ym = year_measures(validate_frames(ex.projects(), ex.plans(), ex.reports()), 2024)
    pc = wr.project_colours(ym, rules)
    ids = list(ym.projects["project_id"])
    # P2 reports zeros: pace −8.33 (Jan, green), −16.67 (Feb, yellow), −25 (Mar, red) … no report from September
    assert _names(pc[ids.index("P2")])[:3] == ["green", "yellow", "red"]
    assert _names(pc[ids.index("P2")])[8:] == ["no_report"] * 4
    # P3: no report in June; finished in September → not warned afterwards
    assert _names(pc[ids.index("P3")])[5] == "no_report" and _names(pc[ids.index("P3")])[9:] == ["none"] * 3
    gc = wr.group_colours(ym.groups("unit_code"), rules)
    # 修武 pace (Σytd/Σplan − k/12): Jan 100/3,000 − 8.33 = −5 (exactly 5 behind: green); Feb 300/3,000 − 16.67
    # = −6.67 (yellow); Mar 500/3,000 − 25 = −8.33 (yellow); Apr 700/3,000 − 33.33 = −10 (exactly 10: still yellow);
    # July: 开工率 1/2 = 50 % → 40 behind the 90 target → red
    assert _names(gc[0])[:4] == ["green", "yellow", "yellow", "yellow"]
    assert _names(gc[0])[6] == "red"
    # the builtin county rule escalates yellow two months running: March and April red
    built = wr.group_colours(ym.groups("unit_code"), wr.builtin_rules())
    assert _names(built[0])[:4] == ["green", "yellow", "red", "red"]
    # 博爱 ahead until June (130 % by June) → green; P4 finished in June: from July nothing is due to report, the
    # county has no completion for the month (no report due or received) and no colour
    assert _names(gc[1])[:6] == ["green"] * 6 and _names(gc[1])[6:] == ["none"] * 6


def test_county_without_any_report_is_no_report(rules):
    reports = ex.reports()
    reports = reports[~((reports["project_id"] == "P4") & (reports["month"] == "2024-03"))]
    ym = year_measures(validate_frames(ex.projects(), ex.plans(), reports), 2024)
    gc = wr.group_colours(ym.groups("unit_code"), rules)
    assert _names(gc[1])[2] == "no_report" and _names(gc[1])[3] == "green"


def test_builtin_rules_load_from_the_package():
    rules = wr.builtin_rules()
    assert rules.version == 1 and [r.measure for r in rules.indicators] == ["pace", "growth_vs_province",
                                                                              "growth_vs_target"]
    assert wr.load_rules(None) == rules


BAD = [
    # (case, text, kind, line, column)
    ("syntax", "version: 1\nprojects: [\n", "yaml_syntax", 3, None),
    ("duplicate key", RULES.replace("name: test\n", "name: test\nname: again\n"), "duplicate_key", 3, None),
    ("not a mapping", "- 1\n- 2\n", "not_a_mapping", 1, None),
    ("version", RULES.replace("version: 1", "version: 2"), "invalid_choice", 1, "version"),
    ("missing section", RULES.split("indicators:")[0], "missing_key", 1, "indicators"),
    ("unknown key", RULES.replace("    red_when_yellow_months_running: 2\n",
                                  "    red_when_yellow_months_running: 2\n    colour: blue\n"),
     "unknown_key", 8, "projects[0].colour"),
    ("measure not for projects", RULES.replace("  - measure: pace\n    yellow_behind_more_than: 10",
                                               "  - measure: growth_vs_target\n    yellow_behind_more_than: 10"),
     "invalid_choice", 4, "projects[0]"),
    ("red not beyond yellow", RULES.replace("red_behind_more_than: 20", "red_behind_more_than: 10"),
     "threshold_order", 4, "projects[0]"),
    ("negative threshold", RULES.replace("yellow_behind_more_than: 5", "yellow_behind_more_than: -5"),
     "out_of_range", 10, "counties[0].yellow_behind_more_than"),
    ("one month running", RULES.replace("red_when_yellow_months_running: 2", "red_when_yellow_months_running: 1"),
     "out_of_range", 7, "projects[0].red_when_yellow_months_running"),
    ("rate without target", RULES.replace("    target: 90\n", ""), "missing_target", 12, "counties[1]"),
    ("target on a pace rule", RULES.replace("  - measure: growth_vs_province\n",
                                            "  - measure: growth_vs_province\n    target: 5\n"),
     "unexpected_target", 17, "indicators[0]"),
    ("threshold not a number", RULES.replace("red_behind_more_than: 3", "red_behind_more_than: three"),
     "wrong_type", 19, "indicators[0].red_behind_more_than"),
    ("empty list", RULES.replace(RULES[RULES.index("indicators:"):], "indicators: []\n"), "wrong_length", 16,
     "indicators"),
]


@pytest.mark.parametrize("case,text,kind,line,column", BAD, ids=[b[0] for b in BAD])
def test_bad_rule_files_are_located(case, text, kind, line, column):
    with pytest.raises(XianpingInputError) as err:
        wr.rules_from_text(text, "rules.yaml")
    problems = err.value.report.problems
    hit = [p for p in problems if p.kind == kind]
    assert hit, [p.as_text() for p in problems]
    assert hit[0].file == "rules.yaml" and hit[0].row == line, hit[0].as_text()
    if column is not None:  # YAML syntax problems name the character, not a key
        assert hit[0].column == column, hit[0].as_text()
    assert hit[0].expected


def test_rule_file_read_from_disk_names_the_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(RULES.replace("red_behind_more_than: 20", "red_behind_more_than: 5"), encoding="utf-8")
    with pytest.raises(XianpingInputError) as err:
        wr.load_rules(path)
    assert err.value.report.problems[0].file == str(path)
    ok = tmp_path / "ok.yaml"
    ok.write_text(RULES, encoding="utf-8")
    assert wr.load_rules(ok).name == "test"
