"""Located problem reports: the shape every layer uses to tell users what is wrong and where."""

import json

import pytest

from xianping.problems import ProblemReport, XianpingInputError


def test_report_collects_every_problem_with_location():
    r = ProblemReport()
    r.add("unknown_unit", "unknown county code", file="a.csv", row=3, column="代码", value="999999",
          expected="a GB/T 2260 code valid in 2020")
    r.add("subtotal_row", "subtotal row left out", file="a.csv", row=4, severity="note")
    assert r.has_errors and len(r.errors) == 1 and r.kinds() == ["unknown_unit", "subtotal_row"]
    text = r.as_text()
    assert "a.csv, row 3, column 代码" in text and "'999999'" in text and "GB/T 2260" in text
    assert json.loads(r.to_json())[0]["row"] == 3


def test_raise_if_errors_carries_the_report():
    r = ProblemReport()
    r.add("note_only", "fine", severity="note")
    r.raise_if_errors("nothing")  # notes alone do not raise
    r.add("bad", "bad value", row=2, value="x")
    with pytest.raises(XianpingInputError) as e:
        r.raise_if_errors("1 problem")
    assert e.value.report is r and "row 2" in str(e.value)
