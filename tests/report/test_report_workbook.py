"""The ranking workbook, opened with openpyxl and checked against the results CSV."""

import pytest

from conftest import read_results
from xianping.report.data import load_report_data
from xianping.report.workbook import FMT_PERCENT_VALUE, FMT_RANK, FMT_SCORE, FMT_YI, TIER_FILLS, write_workbook


@pytest.fixture(scope="module")
def book(evaluated, tmp_path_factory):
    from openpyxl import load_workbook

    data = load_report_data(evaluated["results"])
    path = write_workbook(data, tmp_path_factory.mktemp("wb") / "ranking.xlsx")
    return load_workbook(path), data


def _headers(ws):
    return [c.value for c in ws[1]]


def test_sheets_and_headers(book):
    wb, data = book
    assert wb.sheetnames == ["排名", "维度得分", "指标值", "变化", "目标", "数据质量", "权重", "清单"]
    h = _headers(wb["排名"])
    assert h[:4] == ["名次\nRank", "代码\nCode", "县级单位\nCounty-level unit", "省份\nProvince"]
    assert "测试综合指数得分（分）\nScore (0–100)" in h
    assert "进位（+）/退位（−）\nPlaces gained" in h
    ind = _headers(wb["指标值"])
    assert "地区生产总值（亿元）\nGDP" in ind
    assert "常住人口城镇化率（%）\nUrbanisation rate" in ind
    assert "平均受教育年限（年）\nYears of schooling" in ind


def test_frozen_headers_and_filters(book):
    wb, _ = book
    for name in ("排名", "维度得分", "指标值", "变化", "数据质量", "权重"):
        ws = wb[name]
        assert ws.freeze_panes is not None and ws.freeze_panes.startswith(("A2", "B2", "C2", "D2")), name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), name


def test_number_formats(book):
    wb, _ = book
    ws = wb["排名"]
    h = _headers(ws)
    assert ws.cell(row=2, column=h.index("名次\nRank") + 1).number_format == FMT_RANK
    assert ws.cell(row=2, column=h.index("测试综合指数得分（分）\nScore (0–100)") + 1).number_format == FMT_SCORE
    wi = wb["指标值"]
    hi = _headers(wi)
    assert wi.cell(row=2, column=hi.index("地区生产总值（亿元）\nGDP") + 1).number_format == FMT_YI == "#,##0.00"
    assert wi.cell(row=2, column=hi.index("常住人口城镇化率（%）\nUrbanisation rate") + 1).number_format == FMT_PERCENT_VALUE


def test_values_ranks_tiers_against_results(book, evaluated):
    wb, data = book
    rows = {(r["unit_code"], r["year"], r["node"]): r for r in read_results(evaluated["results"])}
    ws = wb["排名"]
    h = _headers(ws)
    col = {k: h.index(k) for k in h}
    seen = 0
    colours = set()
    for row in ws.iter_rows(min_row=2, values_only=False):
        code = row[col["代码\nCode"]].value
        r = rows[(code, "2023", "test_index")]
        assert row[col["名次\nRank"]].value == int(r["rank"])
        assert row[col["测试综合指数得分（分）\nScore (0–100)"]].value == pytest.approx(float(r["score"]), abs=1e-12)
        assert row[col["进位（+）/退位（−）\nPlaces gained"]].value == int(r["rank_change"])
        assert row[col["类型内名次\nRank within type"]].value == int(r["type_rank"])
        fill = row[0].fill.fgColor.rgb[-6:]
        assert fill == TIER_FILLS[int(r["tier"])]
        colours.add(fill)
        seen += 1
    assert seen == len(data.ranked())
    assert len(colours) == 3                      # quantile:3 → three tier colours
    wi = wb["指标值"]
    hi = _headers(wi)
    gcol = hi.index("地区生产总值（亿元）\nGDP")
    for row in wi.iter_rows(min_row=2, values_only=True):
        assert row[gcol] == pytest.approx(evaluated["values"][(row[1], row[0], "gdp")])


def test_quality_and_manifest(book):
    wb, data = book
    rows = list(wb["数据质量"].iter_rows(min_row=2, values_only=True))
    assert ("缺失值", "missing_value", "330624", "新昌县", "2023", "平均受教育年限") == rows[0][:6]
    keys = [r[0] for r in wb["清单"].iter_rows(min_row=2, values_only=True)]
    assert "framework.hash" in keys and "settings.tiers.method" in keys
