"""`xianping dispatch brief --platform DIR --month YYYY-MM --out FILE.docx` on a real platform database (SQLite and
PostgreSQL): the hand-computed dispatch year of tests/dispatch/example.py (修武县 P1–P3, 博爱县 P4, made up) imported as
a province office would (`dispatch import-projects`, the plan revised from May by a second sheet, `import-reports
--approve`), then the brief for June 2024. By hand (tests/report/test_dispatch_brief.py's docstring works each out):
3,100 万元 planned over 4 projects; 3 reported; 1,250 of 2,500 = 50.0 %, level with the calendar (50.0 %); 修武县
30.0 % (20.0 points behind), 博爱县 130.0 % (80.0 ahead); one red project (P2), one without a report (P3)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from platform_fixtures import *  # noqa: F401,F403 (its fixtures: db_url, plat)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dispatch import example as ex  # noqa: E402

XIANPING = [sys.executable, "-m", "xianping.cli.main"]
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


def _cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([*XIANPING, *args], capture_output=True, text=True, timeout=300, env=ENV)
    assert (r.returncode == 0) == ok, r.stdout + r.stderr
    return r


def _sheets(tmp: Path) -> tuple[Path, Path, Path]:
    p, pl = ex.projects(), ex.plans()
    first = pl.drop_duplicates("project_id").set_index("project_id")["annual_plan"]
    bank, revised, reports = tmp / "bank.csv", tmp / "revised.csv", tmp / "reports.csv"
    heads = ["项目编号", "项目名称", "区划代码", "所属行业", "建设性质", "总投资", "年度计划投资", "计划开工时间", "计划竣工时间",
             "实际开工时间", "是否入统", "责任单位", "责任人"]
    for path, plans in ((bank, first), (revised, pl[pl.effective_month == "2024-05"].set_index("project_id")["annual_plan"])):
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(heads)
            for r in p.to_dict("records"):
                if r["project_id"] in plans.index:
                    w.writerow([r["project_id"], r["name"], r["unit_code"], r["sector"],
                                "新建" if r["kind"] == "new" else "续建", r["total_investment"], plans[r["project_id"]],
                                r["plan_start"], r["plan_finish"], r["actual_start"] or "", "是" if r["in_statistics"] else "否",
                                r["responsible_unit"], r["responsible_person"]])
    rep = ex.reports()
    rep = rep[rep.month <= "2024-06"]
    with open(reports, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["项目编号", "月份", "本月完成投资", "本年累计完成投资", "自开工累计完成投资", "到位资金", "是否开工", "是否竣工"])
        for r in rep.to_dict("records"):
            w.writerow([r["project_id"], r["month"], r["investment_month"], r["investment_ytd"], r["investment_cumulative"],
                        r["funds_in_place"], "是" if r["started"] else "否", "是" if r["finished"] else "否"])
    return bank, revised, reports


def test_brief_command_on_the_platform(plat, db_url, tmp_path):
    from docx import Document

    from xianping.platform.db.models import Unit

    with plat.sessions() as db:   # the two counties (a programme would register them; here they are all we need)
        db.add_all([Unit(code="410821", name="修武县", kind="county", county_code="410821", parent_code="410800"),
                    Unit(code="410822", name="博爱县", kind="county", county_code="410822", parent_code="410800")])
        db.commit()
    folder = str(plat.folder)
    where = ["--platform", folder] + (["--db", db_url] if db_url else [])
    bank, revised, reports = _sheets(tmp_path)
    _cli("dispatch", "import-projects", *where, str(bank), "--year", "2024")
    _cli("dispatch", "import-projects", *where, str(revised), "--year", "2024", "--effective-month", "2024-05")
    _cli("dispatch", "import-reports", *where, str(reports), "--approve")
    out = tmp_path / "通报" / "2024-06.docx"
    r = _cli("dispatch", "brief", *where, "--month", "2024-06", "--out", str(out), "--issuer", "焦作市发展和改革委员会",
             "--doc-number", "焦发改〔2024〕7号")
    assert "2024-06.sources.csv" in r.stdout
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    for said in ("焦作市重点项目2024年1—6月调度情况通报", "纳入月调度的重点项目4个，年度计划投资3100.00万元",
                 "本月报送调度数据的项目3个，未报送1个",
                 "已报送项目累计完成投资1250.00万元，完成其年度计划投资2500.00万元的50.0%，与时序进度持平（时序进度50.0%）",
                 "博爱县完成130.0%，超时序进度80.0个百分点；修武县完成30.0%，滞后时序进度20.0个百分点",
                 "本通报数据为经审核通过的月调度报告", "焦发改〔2024〕7号"):
        assert said in text, said
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["修武县", "示例项目二（虚构）", "800", "0", "0.0%", "-50.0"] in cells       # the red list
    assert ["修武县", "示例项目三（虚构）", "600"] in cells                              # no report in June
    assert (out.parent / "2024-06.sources.csv").exists() and (out.parent / "2024-06.warnings.csv").exists()
    # a bad month or a non-Word name: a located refusal, nothing written
    bad = _cli("dispatch", "brief", *where, "--month", "2024-13", "--out", str(tmp_path / "x.docx"), ok=False)
    assert "2024-13" in bad.stdout + bad.stderr and "Traceback" not in bad.stdout + bad.stderr
    assert not (tmp_path / "x.docx").exists()
