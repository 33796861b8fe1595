"""The Word report, parsed with python-docx: every number in the narrative equals the value in the results (or
the input data) it came from; missing data stays marked; LibreOffice converts it to PDF."""

import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from conftest import ARTIFACTS, read_results
from xianping.report.data import load_report_data
from xianping.report.word import write_docx

SEED_STYLE = """# 县域经济运行情况
## 一、总体情况
{{ year }}年，全市县域地区生产总值达到{{ indicators.gdp.total|yi }}，占全市比重达到{{ indicators.gdp.city_share|pct }}，\
比上年提高{{ indicators.gdp.city_share_change|pp }}；综合得分居首的{{ top[0].name }}{{ top[0].rank_change|jinwei }}。
"""


@pytest.fixture(scope="module")
def docx_report(evaluated, tmp_path_factory):
    from docx import Document

    data = load_report_data(evaluated["results"])
    path = write_docx(data, tmp_path_factory.mktemp("docx") / "report.docx", focus="320585")
    return Document(str(path)), path, data


def _sections(doc):
    """(narrative paragraphs before the appendix, appendix rows (field, text, value, source))."""
    paras = []
    for p in doc.paragraphs:
        if p.text.startswith("附表 数字来源"):
            break
        if p.style.name not in ("Subtitle", "Caption"):   # the framework label line and table captions
            paras.append(p.text)
    table = doc.tables[-1]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    return paras, rows


class Oracle:
    """Values recomputed from the results CSV and the input data, independently of the report code."""

    def __init__(self, evaluated):
        self.rows = read_results(evaluated["results"])
        self.cell = {(r["unit_code"], r["year"], r["node"]): r for r in self.rows}
        self.values = evaluated["values"]
        self.manifest = json.loads(evaluated["results"].with_name("results.manifest.json").read_text(encoding="utf-8"))

    def ranked(self, year, node, type_=None):
        return [r for r in self.rows if r["year"] == year and r["node"] == node and r["rank"] != ""
                and (type_ is None or r["type"] == type_)]

    def value(self, s):
        k = s["kind"]
        if k == "cell":
            return float(self.cell[(s["unit"], s["year"], s["node"])][s["column"]])
        if k == "diff":
            return self.value(s["a"]) - self.value(s["b"])
        if k == "year":
            return float(s["year"])
        if k == "framework":
            return {"first-level dimensions": 2, "indicators": 4}[s["what"]]
        if k == "settings":
            return float(self.manifest["settings"]["tiers"][s["key"].split(".")[1]])
        if k == "manifest":
            return float(len([u for u in self.manifest["steps"]["screen"]["units_out"] if u["year"] == s["year"]]))
        if k == "agg":
            root_rows = self.ranked(s["year"], s["node"], s.get("type"))
            if s["column"] == "tier":
                sel = [r for r in root_rows if r["tier"] == str(s["equals"])
                       and ("province" not in s or r["unit_code"][:2] == s["province"]) and ("type" not in s or r["type"] == s["type"])]
                return float(len(sel))
            if s["column"] == "rank_change":
                ch = [int(r["rank_change"]) for r in root_rows if r["rank_change"] != ""]
                return float(sum(1 for c in ch if (c > 0 if s["where"] == "> 0" else c < 0)))
            if s["column"] == "score":
                v = [float(r["score"]) for r in root_rows]
            else:  # raw: the input data of the ranked units
                units = [r["unit_code"] for r in self.ranked(s["year"], "test_index")]
                v = [self.values[(u, s["year"], s["node"])] for u in units]
                v = [x for x in v if not np.isnan(x)]
            return float({"mean": np.mean, "median": np.median, "max": np.max, "min": np.min, "sum": np.sum,
                          "count": len}[s["fn"]](v))
        return None   # analysis results: checked against the analysis layer in tests/analysis


def _number_in(text: str) -> float:
    """The value a formatted field shows: 1234.57亿元 → 1234.57, 进位3位 → 3, 退位2位 → −2, 下降0.50 → −0.50, 第4位 → 4."""
    m = re.search(r"-?\d+(?:\.\d+)?", text)
    if "持平" in text or "位次不变" in text:
        return 0.0
    x = float(m.group())
    return -x if ("退位" in text or "下降" in text) else x


def _decimals(text: str) -> int:
    m = re.search(r"\d+(?:\.(\d+))?", text)
    return len(m.group(1) or "") if m else 0


def test_every_number_in_the_narrative_equals_its_source(docx_report, evaluated):
    doc, _, data = docx_report
    paras, rows = _sections(doc)
    assert paras[0].startswith("县域发展测试指数评价分析报告")
    oracle = Oracle(evaluated)
    checked = 0
    texts = []
    for field, text, value, source in rows:
        src = json.loads(source)
        texts.append(text)
        if value == "":
            continue
        expected = oracle.value(src)
        if expected is None:
            continue
        assert float(value) == pytest.approx(expected, abs=1e-9), (field, src)
        shown = _number_in(text)
        tol = 0.5 * 10 ** -_decimals(text) + 1e-9
        assert abs(shown - expected) <= tol, (field, text, expected)
        checked += 1
    assert checked >= 40
    # every digit of the narrative belongs to a traced field
    for p in paras:
        rest = p
        for t in sorted(set(texts), key=len, reverse=True):
            rest = rest.replace(t, "")
        assert not re.search(r"\d", rest), (p, rest)


def test_missing_fields_stay_marked_in_the_docx(evaluated, tmp_path):
    from docx import Document

    data = load_report_data(evaluated["results"])
    path = write_docx(data, tmp_path / "seed.docx", template=SEED_STYLE)
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "占全市比重达到【缺数据：indicators.gdp.city_share】" in text
    assert "比上年提高【缺数据：indicators.gdp.city_share_change】" in text
    gdp = sum(evaluated["values"][(u, "2023", "gdp")] for u in data.units)
    assert f"地区生产总值达到{gdp:.2f}亿元" in text
    _, rows = _sections(doc)
    missing = [r for r in rows if r[1].startswith("【缺数据")]
    assert {r[0] for r in missing} == {"indicators.gdp.city_share", "indicators.gdp.city_share_change"}
    assert all(r[2] == "" for r in missing)


def test_without_raw_values_indicator_fields_are_marked(evaluated, tmp_path):
    from docx import Document

    data = load_report_data(evaluated["results"], rebuild=False)
    assert data.raw is None
    doc = Document(str(write_docx(data, tmp_path / "noraw.docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "地区生产总值县均【缺数据：indicators.gdp.mean】" in text


def test_docx_converts_to_pdf_with_libreoffice(docx_report, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer")
    _, path, _ = docx_report
    profile = tmp_path / "lo-profile"
    r = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), r.stdout + r.stderr
    head = pdf.read_bytes()
    assert head[:5] == b"%PDF-" and len(head) > 20_000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "report_test.pdf")
