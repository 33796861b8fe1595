"""The malformed corpus: each file is rejected with its own located problem, no traceback, nothing stored.

Files are written by malformed/make_corpus.py (committed alongside them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from xianping.ingest import import_table
from xianping.problems import XianpingInputError
from xianping.store import open_store

CORPUS = Path(__file__).parent / "malformed"

# file, extra options, then kind, row, column, value of the first error
CASES = [
    ("empty.csv", {}, "empty_file", None, None, None),
    ("header_only.csv", {}, "no_data", 1, None, None),
    ("no_id_column.csv", {}, "no_id_column", 1, None, "甲 | 乙 | 丙"),
    ("not_a_workbook.xlsx", {}, "unreadable_file", None, None, None),
    ("table.json", {}, "unsupported_format", None, None, ".json"),
    ("missing_file.csv", {}, "file_not_found", None, None, None),
    ("sheets.xlsx", {"sheet": "nope"}, "unknown_sheet", None, None, "nope"),
    ("unknown_code.csv", {}, "unknown_unit", 3, "代码", "999999"),
    ("stale_code.csv", {}, "unknown_unit", 2, "代码", "410381"),
    ("invalid_code.csv", {}, "invalid_code", 3, "代码", "41080"),
    ("missing_unit_id.csv", {}, "missing_unit_id", 3, "代码", None),
    ("name_code_mismatch.csv", {}, "name_code_mismatch", 2, "地区", "中站区"),
    ("ambiguous_name.csv", {}, "ambiguous_unit", 3, "地区", "市中区"),
    ("unknown_name.csv", {}, "unknown_unit", 3, "地区", "不存在县"),
    ("text_in_number.csv", {}, "text_in_number", 3, "常住人口", "约5"),
    ("text_in_number_digits.csv", {}, "text_in_number", 3, "常住人口", "12,3a"),
    ("percent_out_of_range.csv", {}, "percent_out_of_range", 3, "城镇化率（%）", "150"),
    ("negative_value.csv", {}, "negative_value", 3, "常住人口", "-5"),
    ("unit_mismatch.csv", {}, "unit_mismatch", 1, "常住人口（万元）", "万元"),
    ("unknown_measure_unit.csv", {}, "unknown_measure_unit", 1, "常住人口（万只）", "万只"),
    ("long_unknown_unit.csv", {"period": None}, "unknown_measure_unit", 3, "单位", "furlongs"),
    ("long_unit_mismatch.csv", {"period": None}, "unit_mismatch", 3, "单位", "亿元"),
    ("duplicate_conflict.csv", {}, "duplicate_conflict", 4, "常住人口", "347000"),
    ("duplicate_column.csv", {}, "duplicate_column", 1, "总人口", "pop_total"),
    ("invalid_period.csv", {"period": None}, "invalid_period", 3, "年份", "二〇二〇"),
    ("missing_period_cell.csv", {"period": None}, "missing_period", 3, "年份", None),
    ("mapped_unknown_indicator.csv", {"mapping": CORPUS / "bad_mapping.yaml"}, "unknown_indicator", 1, "常住人口", "population_total"),
    ("merge_needs_weight.csv", {"code_year": 2020}, "merge_needs_weight", 2, "城镇化率", "410306+410322"),
    ("split_needs_rule.csv", {"code_year": 2020}, "split_needs_rule", 3, "代码", "330104"),
]


@pytest.mark.parametrize("name,opts,kind,row,column,value", CASES, ids=[c[0] for c in CASES])
def test_each_malformed_file_names_its_problem(tmp_path, name, opts, kind, row, column, value):
    opts = {"period": "2020", **opts}
    if opts["period"] is None:
        del opts["period"]
    with open_store(tmp_path / "s.duckdb") as store:
        with pytest.raises(XianpingInputError) as err:
            import_table(CORPUS / name, store, **opts)
        first = err.value.report.errors[0]
        assert (first.kind, first.row, first.column, first.value) == (kind, row, column, value)
        assert first.file is not None and first.message
        assert store.observations() == [] and store.batches() == []


def test_missing_period_without_column_or_option(tmp_path):
    with pytest.raises(XianpingInputError) as err:
        import_table(CORPUS / "percent_out_of_range.csv", None, dry_run=True)
    assert "missing_period" in err.value.report.kinds()
    # all problems at once: the 150 % is reported in the same run
    assert "percent_out_of_range" in err.value.report.kinds()


def test_no_data_marks_are_missing_values_not_errors():
    from xianping.ingest.validate import parse_number

    for mark in ["—", "…", "/", "-", "X", "", None, "NA", "……"]:
        cell = parse_number(mark)
        assert cell.value is None and cell.missing is not None and not cell.error, mark
    assert parse_number("1,234").value == 1234.0
    assert parse_number("１２.５").value == 12.5  # full-width digits
    for bad in ["约5", "12,3a", "1,23", "五"]:
        assert parse_number(bad).error, bad


def test_cli_rejects_without_traceback(tmp_path):
    exe = Path(sys.executable).parent / "xianping"
    store = tmp_path / "s.duckdb"
    for name in ["empty.csv", "not_a_workbook.xlsx", "table.json", "no_id_column.csv"]:
        proc = subprocess.run([str(exe), "import", str(CORPUS / name), "--store", str(store), "--period", "2020"],
                              capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr + proc.stdout
        assert "nothing was stored" in proc.stderr or "cannot import" in proc.stderr
