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
    assert h[:4] == ["名次（全国排名）\nRank (national)", "代码\nCode", "县级单位\nCounty-level unit", "省份\nProvince"]
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
    assert ws.cell(row=2, column=h.index("名次（全国排名）\nRank (national)") + 1).number_format == FMT_RANK
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
        assert row[col["名次（全国排名）\nRank (national)"]].value == int(r["rank"])
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


# ── the scope and the ranks within province, prefecture, kind and type (issue 12) ─────────────────────────────
GROUP_COLS = {"省内名次\nRank in province": "rank_province", "省内参与排名数\nRanked in province": "ranked_province",
              "地级市\nPrefecture": "prefecture_name", "市内名次\nRank in prefecture": "rank_prefecture",
              "市内参与排名数\nRanked in prefecture": "ranked_prefecture", "单位类别\nKind": "kind",
              "同类名次\nRank in kind": "rank_kind", "同类参与排名数\nRanked in kind": "ranked_kind"}


def _check_group_columns(ws, result, rank_head: str) -> int:
    """Every row's group columns equal evaluation.scope.rank_rows on the result in memory; numbers are numbers
    (right-aligned by Excel) with a whole-number format."""
    from xianping.evaluation.scope import rank_rows
    from xianping.report.workbook import FMT_COUNT

    want = {r["unit_code"]: r for r in rank_rows(result)}
    h = _headers(ws)
    col = {k: h.index(k) for k in h}
    n = 0
    for row in ws.iter_rows(min_row=2, values_only=False):
        code = row[col["代码\nCode"]].value
        if code is None:
            continue
        r = want[code]
        assert row[col[rank_head]].value == r["rank"]
        for head, key in GROUP_COLS.items():
            cell = row[col[head]]
            assert cell.value == r[key], (code, head)
            if key.startswith("rank"):
                assert isinstance(cell.value, int) and cell.number_format == (FMT_COUNT if key.startswith("ranked") else FMT_RANK)
        if "type" in r:
            assert row[col["类型内名次\nRank within type"]].value == r["rank_type"]
            assert row[col["类型内参与排名数\nRanked within type"]].value == r["ranked_type"]
        n += 1
    return n


def test_group_rank_columns_equal_rank_rows(book, evaluated):
    wb, data = book
    ws = wb["排名"]
    assert _check_group_columns(ws, evaluated["result"], "名次（全国排名）\nRank (national)") == len(data.ranked())
    # two provinces: the province ranks differ from the national ones for someone
    side = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("评价范围")]
    assert side == ["评价范围 Scope：全国 县级单位（全国排名）"]


def test_one_province_workbook_is_ranked_within_the_province(tmp_path):
    from openpyxl import load_workbook

    from one_province import HENAN, evaluate_henan

    e = evaluate_henan(tmp_path)
    assert e["result"].manifest["scope"]["rank_label"] == "省内排名"
    data = load_report_data(e["results"], rebuild=False)
    wb = load_workbook(write_workbook(data, tmp_path / "henan.xlsx"))
    ws = wb["排名"]
    assert _check_group_columns(ws, e["result"], "名次（省内排名）\nRank (within the province)") == len(HENAN)
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "评价范围 Scope：河南省 县级单位（省内排名）" in texts
    assert any(t.startswith("范围内 20 个，参与排名 20 个") for t in texts)
    # 济源 (419001) has no prefecture record: its group is named 河南直辖县级单位, ranked alone
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "419001")
    h = _headers(ws)
    assert row[h.index("地级市\nPrefecture")] == "河南省直辖县级单位"
    assert row[h.index("市内名次\nRank in prefecture")] == 1 and row[h.index("市内参与排名数\nRanked in prefecture")] == 1
