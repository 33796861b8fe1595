"""One month's measures and colours together (the builtin rules) on the hand-computed example, and its JSON form."""

import json

import pytest

from xianping.dispatch.evaluate_month import evaluate_month
from xianping.dispatch.frames import validate_frames

from . import example as ex


@pytest.fixture(scope="module")
def june():
    return evaluate_month(validate_frames(ex.projects(), ex.plans(), ex.reports()), "2024-06")


def test_june_colours(june):
    c = june.counties.set_index("unit_code")
    # 修武: pace −20 (30 % − 50 %) is more than 10 behind → 红 under the builtin county rule; 博爱 +80 → 绿
    assert c.loc["410821", "colour"] == "red" and c.loc["410821", "colour_label"] == "红 red"
    assert c.loc["410822", "colour"] == "green"
    p = june.projects.set_index("project_id")
    # P1 on pace (0) green; P2 50 behind → red; P3 no report; P4 130 % green
    assert p["colour"].to_dict() == {"P1": "green", "P2": "red", "P3": "no_report", "P4": "green"}
    assert june.total["colour"].iloc[0] == "green"  # 50 % at June


def test_json_form(june):
    d = json.loads(json.dumps(june.to_dict(), ensure_ascii=False))
    xw = next(c for c in d["counties"] if c["unit_code"] == "410821")
    assert xw["completion"] == pytest.approx(30.0) and xw["pace"] == pytest.approx(-20.0)
    assert xw["start_rate"] == 100.0 and xw["on_time_rate"] is None and xw["n_no_report"] == 1
    p3 = next(p for p in d["projects"] if p["project_id"] == "P3")
    assert p3["completion"] is None and p3["status"] == "no_report"
    assert d["settings"]["missing"] == "unknown" and d["settings"]["elapsed"] == "months"
