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
        assert isinstance(row[0], int)            # years are numbers, not text
        assert row[gcol] == pytest.approx(evaluated["values"][(row[1], str(row[0]), "gdp")])


def test_quality_and_manifest(book):
    wb, data = book
    rows = list(wb["数据质量"].iter_rows(min_row=2, values_only=True))
    assert ("缺失值", "missing_value", "330624", "新昌县", 2023, "平均受教育年限") == rows[0][:6]
    man = {r[0]: r for r in wb["清单"].iter_rows(min_row=2, values_only=True)}
    assert "framework.hash" in man and "settings.tiers.method" in man
    assert man["settings.tiers.method"][1:] == ("分档设置", "quantile", "分位数分档") or \
        man["settings.tiers.method"][1:] == ("分档方法", "quantile", "分位数分档")
    assert man["steps.nodes.economy.weights.method"][1:] == ("赋权方法", "equal", "等权法")
    assert all(r[1] for r in man.values()), [k for k, r in man.items() if not r[1]]   # every key has a Chinese label
    other = [k for k, r in man.items() if r[1] == "其他"]          # the fallback for keys added later: rare
    assert len(other) <= 0.1 * len(man), other


CJK = __import__("re").compile(r"[\u4e00-\u9fff]")
ASCII_WORD = __import__("re").compile(r"[a-z]{3,}")   # an English word; acronyms (CSV, TOPSIS) are fine


def test_no_english_in_chinese_cells(book):
    """Below the bilingual headers, English words appear only in the columns whose header says they are codes,
    values as written, or the engine's original message; every other text cell is Chinese (or a name/number)."""
    wb, _ = book
    allowed = ("代码", "Code", "值\nValue", "原文", "Key")
    for ws in wb.worksheets:
        heads = [c.value or "" for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for c in row:
                h = heads[c.column - 1] if c.column - 1 < len(heads) else ""
                if isinstance(c.value, str) and not any(a in h for a in allowed):
                    # Chinese with an English gloss (极差标准化（min–max）) is fine; English alone is not
                    assert not ASCII_WORD.search(c.value) or CJK.search(c.value), (ws.title, c.coordinate, h, c.value)


def test_years_are_numbers(book):
    wb, _ = book
    for name in ("维度得分", "指标值", "权重", "数据质量"):
        ws = wb[name]
        col = [c.value for c in ws[1]].index("年份\nYear") + 1
        years = [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)]
        years = [y for y in years if y is not None]
        assert years and all(isinstance(y, int) and 1949 < y < 2100 for y in years), (name, years[:5])


def test_columns_fit_full_names(book):
    """Every text cell fits its column: width ≥ its display width, CJK characters counted as 2."""
    from openpyxl.utils import get_column_letter

    from xianping.report.workbook import MAX_WIDTH, display_width

    wb, _ = book
    assert display_width("新疆维吾尔自治区") == 16 and display_width("Tier 1") == 6
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, str) and c.value:
                    w = ws.column_dimensions[get_column_letter(c.column)].width
                    assert w >= min(MAX_WIDTH, display_width(c.value)), (ws.title, c.coordinate, c.value, w)
