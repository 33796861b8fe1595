"""The dispatch column contract: the example is taken as is; every bad cell is located (frame, row, column, value,
expected); spellings a sheet holds are normalised; problems beyond MAX_PER_COLUMN are summarised."""

import pandas as pd
import pytest

from xianping.dispatch import frames as fr
from xianping.problems import XianpingInputError

from . import example as ex


def _errors(projects=None, plans=None, reports=None, **kw):
    with pytest.raises(XianpingInputError) as err:
        fr.validate_frames(ex.projects() if projects is None else projects, ex.plans() if plans is None else plans,
                           ex.reports() if reports is None else reports, **kw)
    return err.value.report.errors


def test_example_is_valid_and_typed():
    f = fr.validate_frames(ex.projects(), ex.plans(), ex.reports())
    assert len(f.warnings) == 0
    assert str(f.projects["plan_start"].dtype) == "datetime64[ns]" and f.projects["in_statistics"].dtype == bool
    assert f.reports["investment_ytd"].dtype == float and f.reports["month"].iloc[0] == "2024-01"
    assert pd.isna(f.projects.loc[0, "actual_finish"])


def test_sheet_spellings_are_normalised():
    p = ex.projects().astype(object)
    p.loc[0, "kind"], p.loc[1, "kind"] = "续建", "新建"
    p.loc[0, "in_statistics"], p.loc[1, "in_statistics"] = "是", "否"
    p.loc[0, "unit_code"] = 410821  # a number in Excel
    r = ex.reports().astype(object)
    r.loc[0, "month"] = "2024年1月"
    r.loc[1, "month"] = pd.Timestamp("2024-02-01")
    r.loc[2, "started"] = None  # blank event cell: no event
    f = fr.validate_frames(p, ex.plans(), r)
    assert list(f.projects["kind"][:2]) == ["continuing", "new"]
    assert list(f.projects["in_statistics"][:2]) == [True, False] and f.projects.loc[0, "unit_code"] == "410821"
    assert list(f.reports["month"][:2]) == ["2024-01", "2024-02"] and not f.reports.loc[2, "started"]


def test_bad_project_cells_are_located():
    p = ex.projects().astype(object)
    p.loc[0, "unit_code"] = "4108"  # row 2
    p.loc[1, "unit_code"] = "410800"  # row 3: a prefecture
    p.loc[2, "kind"] = "扩建"
    p.loc[3, "total_investment"] = "两千"
    p.loc[0, "plan_finish"] = "2022-01-01"  # before plan_start 2023-03-01
    p.loc[1, "plan_start"] = "下月"
    p.loc[2, "in_statistics"] = "也许"
    p.loc[3, "project_id"] = "P1"
    got = {(e.file, e.row, e.column, e.kind, e.value) for e in _errors(projects=p)}
    assert got >= {
        ("projects", 2, "unit_code", "bad_code", "4108"), ("projects", 3, "unit_code", "not_county", "410800"),
        ("projects", 4, "kind", "invalid_choice", "扩建"), ("projects", 5, "total_investment", "wrong_type", "两千"),
        ("projects", 2, "plan_finish", "date_order", "2022-01-01"), ("projects", 3, "plan_start", "bad_date", "下月"),
        ("projects", 4, "in_statistics", "wrong_type", "也许"), ("projects", 5, "project_id", "duplicate_id", "P1"),
    }
    assert all(e.expected for e in _errors(projects=p))


def test_bad_plan_and_report_cells_are_located():
    pl = ex.plans().astype(object)
    pl.loc[0, "effective_month"] = "2025-01"  # outside its year 2024
    pl.loc[1, "project_id"] = "P9"
    pl.loc[4, "annual_plan"] = -5
    r = ex.reports().astype(object)
    r.loc[0, "investment_ytd"] = None  # a blank amount is never read as 0
    r.loc[1, "month"] = "2024-13"
    r.loc[3, "investment_month"] = 1e9  # more than the year to date
    r = pd.concat([r, r.iloc[[5]]], ignore_index=True)  # P1 2024-06 twice
    got = {(e.file, e.row, e.column, e.kind) for e in _errors(plans=pl, reports=r, sources={"reports": "月报.xlsx"})}
    assert got >= {("plans", 2, "effective_month", "month_outside_year"), ("plans", 3, "project_id", "unknown_project"),
                   ("plans", 6, "annual_plan", "out_of_range"), ("月报.xlsx", 2, "investment_ytd", "missing_value"),
                   ("月报.xlsx", 3, "month", "bad_month"), ("月报.xlsx", 5, "investment_month", "inconsistent_amounts"),
                   ("月报.xlsx", len(r) + 1, "month", "duplicate_report")}


def test_importer_rows_are_used_and_missing_columns_named():
    p = ex.projects().assign(_row=[10, 11, 12, 13])
    p.loc[2, "sector"] = ""
    assert [(e.row, e.column) for e in _errors(projects=p)] == [(12, "sector")]
    errors = _errors(reports=ex.reports().drop(columns=["funds_in_place"]))
    assert [(e.file, e.row, e.column, e.kind) for e in errors] == [("reports", 1, "funds_in_place", "missing_column")]


def test_warnings_do_not_stop():
    r = ex.reports()
    r.loc[(r.project_id == "P1") & (r.month == "2024-03"), "investment_ytd"] = 310  # 200 + 100 ≠ 310
    p = ex.projects()
    p.loc[3, "responsible_person"] = ""
    f = fr.validate_frames(p, ex.plans(), r)
    # March (row 4): 200 + 100 ≠ 310; April (row 5): 310 + 100 ≠ 400; P4's blank person (projects row 5)
    assert sorted((w.file, w.kind, w.row) for w in f.warnings) == [
        ("projects", "missing_value", 5), ("reports", "ytd_not_cumulative", 4), ("reports", "ytd_not_cumulative", 5)]


def test_many_bad_rows_are_summarised():
    r = ex.reports()
    r["funds_in_place"] = "n/a"
    errors = _errors(reports=r)
    funds = [e for e in errors if e.column == "funds_in_place"]
    assert len(funds) == fr.MAX_PER_COLUMN + 1 and funds[-1].row is None
    assert funds[-1].message.startswith(f"{len(r) - fr.MAX_PER_COLUMN} more row(s)")


def test_month_index_round_trip():
    idx = fr.month_index(["2024-01", "2024-12", "2025-03"])
    assert list(idx) == [2024 * 12, 2024 * 12 + 11, 2025 * 12 + 2]
    assert list(fr.month_text(idx)) == ["2024-01", "2024-12", "2025-03"]


def test_report_without_a_plan_in_force_is_a_warning():
    plans = ex.plans()
    plans.loc[plans["project_id"] == "P2", "effective_month"] = "2024-03"  # P2's plan from March only
    f = fr.validate_frames(ex.projects(), plans, ex.reports())
    # P2's January and February reports (rows 14 and 15: after P1's 12) are outside any plan
    assert [(w.kind, w.row, w.value) for w in f.warnings] == [("no_plan_in_force", 14, "2024-01"),
                                                               ("no_plan_in_force", 15, "2024-02")]
