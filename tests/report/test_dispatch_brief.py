"""The monthly brief (月度通报, report/dispatch_brief.py) on the hand-computed dispatch year of tests/dispatch/example.py
(修武县 410821 P1–P3, 博爱县 410822 P4; made-up projects). June 2024, worked out by hand:

  plans in force: P1 1,200, P2 800, P3 600 (revised from 1,000 in May), P4 500 → 3,100 万元, 4 projects
  June reports: P1 ytd 600, P2 0, P4 650; P3 none → 3 reported, 1 not
  Σytd ÷ Σplan over the reporting projects = (600 + 0 + 650) ÷ (1,200 + 800 + 500) = 1,250 ÷ 2,500 = 50.0 %;
  elapsed 6/12 = 50.0 % → level with the calendar (与时序进度持平)
  开工率: new projects due by June: P3 (P2 starts in July) → started 1 of 1 = 100.0 %
  按期竣工率: due by June: P4 (planned May), finished in June (late) → 0 of 1 = 0.0 %
  资金到位率: funds 500 (P1) + 0 + 0 over 2,500 = 20.0 %;  入统: P1, P3, P4 started, all 入统 → 3 of 3 = 100.0 %
  修武县: (600 + 0) ÷ (1,200 + 800) = 30.0 %, 20.0 points behind (red); 博爱县: 650 ÷ 500 = 130.0 %, 80.0 ahead
  P2: 0 ÷ 800 = 0 % → 50 points behind → the one red project; P3 the one without a report
January 2024: no new project is due to start (P3 in February, P2 in July) and none due to finish → 开工率 and
按期竣工率 do not exist that month: their clauses leave the brief, which says so.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xianping.dispatch.evaluate_month import evaluate_month
from xianping.dispatch.frames import validate_frames
from xianping.report.dispatch_brief import brief_narrative, write_brief

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dispatch import example as ex  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
NAMES = {"410821": "修武县", "410822": "博爱县"}
LEDGER = [{"id": 1, "unit_code": "410821", "title": "示例项目二（虚构）滞后时序进度50.0个百分点", "colour": "red",
           "owner": "示例单位", "due_date": "2024-07-31", "status": "open"},
          {"id": 2, "unit_code": "410821", "title": "修武县滞后时序进度", "colour": "red", "owner": "修武县",
           "due_date": "2024-06-30", "status": "in_progress"},
          {"id": 3, "unit_code": "410822", "title": "已整改的事项", "colour": "yellow", "owner": "博爱县",
           "due_date": "2024-05-31", "status": "closed"}]


@pytest.fixture(scope="module")
def frames():
    return validate_frames(ex.projects(), ex.plans(), ex.reports())


@pytest.fixture(scope="module")
def june(frames):
    return evaluate_month(frames, "2024-06")


def _text(nar) -> str:
    return "\n".join(b.text for b in nar.blocks if b.kind in ("title", "h1", "h2", "p", "note"))


def test_june_text_says_the_hand_computed_numbers(june):
    from datetime import date

    nar, tables, _ = brief_narrative(june, names=NAMES, area="焦作市", ledger=LEDGER, as_of=date(2024, 7, 5))
    text = _text(nar)
    assert "焦作市重点项目2024年1—6月调度情况通报" in text
    assert "纳入月调度的重点项目4个，年度计划投资3100.00万元" in text
    assert "本月报送调度数据的项目3个，未报送1个" in text
    assert "已报送项目累计完成投资1250.00万元，完成其年度计划投资2500.00万元的50.0%，与时序进度持平（时序进度50.0%）" in text
    assert "新建项目应开工1个，已开工1个，开工率100.0%" in text
    assert "计划年内竣工且已到期的项目1个，按期竣工0个，按期竣工率0.0%" in text
    assert "已报送项目到位资金500.00万元，资金到位率20.0%" in text
    assert "已开工项目3个，其中已入统3个，入统率100.0%" in text
    assert "博爱县完成130.0%，超时序进度80.0个百分点；修武县完成30.0%，滞后时序进度20.0个百分点" in text
    assert "本月红色预警项目1个、黄色预警项目0个、未报送项目1个；红色预警县（市、区）1个" in text
    assert "红色预警县（市、区）：修武县（滞后时序进度20.0个百分点）" in text
    # the ledger: two open (both red, one in progress), the one due 30 June overdue on 5 July, one closed
    assert "截至2024年7月5日，问题台账未销号事项2个，其中红色2个、黄色0个，整改中1个，已逾期1个；已销号1个" in text
    assert "【缺数据" not in text
    # tables: the county ranking and the lists, worst first
    assert [r[:3] + r[5:7] for r in tables["counties"].rows] == [["1", "博爱县", "1/1", "130.0%", "+80.0"],
                                                                 ["2", "修武县", "2/3", "30.0%", "-20.0"]]
    assert [r[1] for r in tables["red"].rows] == ["示例项目二（虚构）"] and tables["red"].rows[0][4:] == ["0.0%", "-50.0"]
    assert [r[1] for r in tables["no_report"].rows] == ["示例项目三（虚构）"]
    assert "yellow" not in tables   # no yellow project: no empty table
    assert [r[1] for r in tables["ledger"].rows] == [LEDGER[1]["title"], LEDGER[0]["title"]]


def test_every_number_of_the_text_is_the_measure_its_source_names(june):
    """Each fill's source (table, row, column) read back from the month's tables gives the value written."""
    nar, _, _ = brief_narrative(june, names=NAMES)
    tables = {"total": june.total.assign(key="全部").set_index("key"),
              "counties": june.counties.set_index("unit_code"), "sectors": june.sectors.set_index("sector")}
    checked = 0
    for f in nar.fills:
        s = f.source
        if f.missing:
            continue
        if s.get("kind") == "dispatch" and s["table"] in tables:
            assert f.value == pytest.approx(float(tables[s["table"]].loc[s["row"], s["column"]])), f
            checked += 1
        elif s.get("kind") == "dispatch" and s["column"] == "elapsed":
            assert f.value == pytest.approx(50.0)
    assert checked >= 25


def test_a_missing_number_takes_its_clause_out_and_is_listed(frames):
    jan = evaluate_month(frames, "2024-01")
    assert jan.total["start_rate"].isna().all() and jan.total["on_time_rate"].isna().all()
    nar, _, _ = brief_narrative(jan, names=NAMES)
    text = _text(nar)
    assert "开工率" not in text.split("本通报未包含")[0] and "按期竣工率" not in text.split("本通报未包含")[0]
    assert "已报送项目到位资金80.00万元，资金到位率2.3%" in text     # the clauses after it stay (80 ÷ 3,500)
    assert "本通报未包含：新建项目开工率；按期竣工率（本月无此数据）。" in text
    assert "【缺数据" not in text and "None" not in text and "nan" not in text
    assert {o.field for o in nar.omitted} == {"total.start_rate", "total.on_time_rate"}
    # June: 服务业's only project (P3) did not report: its sector clause goes, 工业's stays
    june = evaluate_month(frames, "2024-06")
    text = _text(brief_narrative(june, names=NAMES)[0])
    assert "工业3个项目完成年度计划的50.0%，与时序进度持平。" in text and "服务业1个项目" not in text
    assert "本通报未包含：服务业年度计划完成率；服务业与时序进度之差" in text


def test_written_files_sources_and_lists(june, tmp_path):
    out = write_brief(june, tmp_path / "通报.docx", names=NAMES, area="焦作市")
    with open(out.with_name("通报.sources.csv"), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    by = {r["字段 field"]: r for r in rows}
    assert by["total.completion"]["文中 text"] == "50.0%" and float(by["total.completion"]["数值 value"]) == 50.0
    assert json.loads(by["counties[410821].pace"]["来源 source"]) == {
        "kind": "dispatch", "month": "2024-06", "table": "counties", "row": "410821", "column": "pace"}
    with open(out.with_name("通报.warnings.csv"), encoding="utf-8-sig") as f:
        lists = list(csv.DictReader(f))
    assert {(r["项目编号 project"], r["状态 status"], r["预警 colour"]) for r in lists} == {
        ("P2", "reported", "红 red"), ("P3", "no_report", "无报告 no report")}


@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None, reason="needs LibreOffice and poppler-utils (.ci/run installs both)")
def test_rendered_pages_in_gbt9704_layout(june, tmp_path):
    """LibreOffice → PDF → pdftotext, as tests/report/test_report_word_pages.py: what a reader gets."""
    from docx import Document
    from docx.shared import Mm

    out = write_brief(june, tmp_path / "dispatch_brief.docx", names=NAMES, area="焦作市", ledger=LEDGER,
                      issuer="焦作市发展和改革委员会", doc_number="焦发改〔2024〕7号")
    r = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)], capture_output=True, text=True,
                       timeout=300)
    pdf = tmp_path / "dispatch_brief.pdf"
    assert pdf.exists(), r.stdout + r.stderr
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout)[1])
    pages = [subprocess.run([PDFTOTEXT, "-f", str(k), "-l", str(k), "-layout", str(pdf), "-"], capture_output=True,
                            text=True).stdout for k in range(1, n + 1)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "dispatch_brief.pdf")
    flat = re.sub(r"\s+", "", "".join(pages))
    assert "焦作市发展和改革委员会" in flat and "焦发改〔2024〕7号" in flat
    for said in ("完成其年度计划投资2500.00万元的50.0%，与时序进度持平", "修武县完成30.0%，滞后时序进度20.0个百分点",
                 "表1", "博爱县1/1500650130.0%+80.0", "修武县2/3260060030.0%-20.0", "示例项目二（虚构）", "问题台账未销号事项2个"):
        assert said in flat, said
    assert "【缺数据" not in flat and '{"' not in flat
    for k, page in enumerate(pages, 1):      # "— N —" at the foot of every page (GB/T 9704 §7.5)
        tail = [ln.strip() for ln in page.splitlines() if ln.strip()][-1]
        assert re.fullmatch(rf"—\s*{k}\s*—", tail), (k, tail)
    sec = Document(str(out)).sections[0]
    got = (sec.page_width, sec.page_height, sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)
    assert all(abs(a - Mm(b)) < Mm(0.1) for a, b in zip(got, (210, 297, 37, 35, 28, 26))), got   # A4, §5.2.1


def test_indicator_section(june):
    """主要指标监测: the monitored indicators of tests/dispatch/test_monitoring.py's June 2024 (worked out there by hand:
    修武 55 of 100 → 55.0 %, pace +5.0, growth 8.0 against target 10 → 黄; 博爱 45 % → pace −5.0, growth 4.0 against
    the province's 5.5 and target 6 → 黄), as the platform's dispatch_monitor rows give them."""
    import pandas as pd

    from xianping.dispatch.evaluate_month import evaluate_indicators
    from xianping.dispatch.monitoring import validate_monitoring

    inv = "固定资产投资"
    values = pd.DataFrame([("410821", inv, "2024-05", 40, 9.0), ("410821", inv, "2024-06", 55, 8.0),
                           ("410822", inv, "2024-06", 45, 4.0), ("410000", inv, "2024-05", None, 6.0),
                           ("410000", inv, "2024-06", None, 5.5)],
                          columns=["unit_code", "indicator", "period", "value", "growth"])
    targets = pd.DataFrame([("410821", inv, 2024, 100, 10.0), ("410822", inv, 2024, 100, 6.0)],
                           columns=["unit_code", "indicator", "year", "target_value", "target_growth"])
    t = evaluate_indicators(validate_monitoring(values, targets), "2024-06", province="410000")
    rows = [dict(r, name=NAMES[r["unit_code"]]) for r in t.to_dict(orient="records")]
    nar, tables, _ = brief_narrative(june, names=NAMES, area="焦作市", indicators=rows)
    text = _text(nar)
    assert "本期监测县（市、区）主要指标2项次，按年度目标和全省平均增速比较，红色预警0项次、黄色预警2项次。" in text
    assert "黄色预警：修武县固定资产投资（2024-06）、博爱县固定资产投资（2024-06）。" in text
    assert "红色预警：" not in text.split("主要指标监测")[1]
    got = {r[0]: r for r in tables["indicators"].rows}
    assert got["修武县"] == ["修武县", inv, "2024-06", "55.0%", "+5.0", "8.0%", "5.5%", "黄"]
    assert got["博爱县"][3:7] == ["45.0%", "-5.0", "4.0%", "5.5%"]
    # without indicator rows the section is not there at all
    assert "主要指标监测" not in _text(brief_narrative(june, names=NAMES, area="焦作市")[0])


def test_a_county_with_nothing_due_shows_no_completion(frames):
    """July 2024 (tests/dispatch/example.py): 博爱's only project P4 finished in June, so nothing is due from 博爱 in
    July: its row says 无需报送 and no completion (before: "0/1, 130.0 %"), and the text says why. 修武: P1, P2, P3
    due, all three reported (P3's July ytd 650) → 3/3."""
    july = evaluate_month(frames, "2024-07")
    nar, tables, _ = brief_narrative(july, names=NAMES, area="焦作市")
    text = _text(nar)
    assert "1个本月无应报送项目（项目此前均已竣工），不列完成率" in text
    assert "个本月应报送项目均未报送" not in text
    rows = {r[1]: r for r in tables["counties"].rows}
    assert rows["博爱县"][0] == "—" and rows["博爱县"][2] == "无需报送" and rows["博爱县"][5] == "—"
    assert rows["修武县"][2] == "3/3"
    assert tables["counties"].headers[2] == "报送/应报"
