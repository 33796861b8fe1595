"""`xianping demo` writes the three reports for census-social; the HTML map of the real 2,800 counties renders."""

import pytest

from test_report_html import needs_browser
from report_browser import render
from conftest import ARTIFACTS


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from xianping.demo.load_demo import load_demo

    return load_demo(tmp_path_factory.mktemp("demo_reports"), reports=True)


def test_demo_writes_three_reports(demo):
    from docx import Document
    from openpyxl import load_workbook

    assert set(demo.reports) == {"xlsx", "docx", "html"}
    wb = load_workbook(demo.reports["xlsx"], read_only=True)
    assert wb.sheetnames[0] == "排名"
    head, first = wb["排名"].iter_rows(min_row=1, max_row=2, values_only=True)
    score_col = next(j for j, h in enumerate(head) if h and h.split("\n")[1] == "Score (0–100)")
    top = demo.result.top(1, year="2020")[0]
    assert first[0] == 1 and first[1] == top["unit_code"] and first[score_col] == pytest.approx(top["score"])
    text = "\n".join(p.text for p in Document(str(demo.reports["docx"])).paragraphs)
    assert f"{top['unit_name']}（{top['score']:.2f}分）" in text
    # CEADs has no 2020 CO2: the county mean of 2020 is left out and listed, never the carried-forward value
    assert "人均二氧化碳排放县均" not in text.split("本报告未包含")[0] and "【缺数据" not in text
    assert "本报告未包含：人均二氧化碳排放县均值（2020年无数据）" in text


@needs_browser
def test_demo_html_map_renders(demo):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = render(demo.reports["html"], {str(ARTIFACTS / "demo_map.png"): "#map-section",
                                        str(ARTIFACTS / "demo_ranking.png"): "#ranking-section",
                                        str(ARTIFACTS / "demo_analysis.png"): "#analysis-section",
                                        str(ARTIFACTS / "demo_profile.png"): "#profile"}, hash_="#county-320585")
    assert out["errors"] == []
    ink, colours = out["ink"]["chart-map"]
    assert ink > 5000 and colours > 20
    assert out["profile_name"].endswith("320585")
