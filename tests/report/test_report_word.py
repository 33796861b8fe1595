"""The Word report, parsed with python-docx: every number in the narrative equals the value in the results (or
the input data) it came from (the attached <stem>.sources.csv names each); a missing number leaves with its
sentence and is listed; LibreOffice converts it to PDF."""

import csv
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


def _sections(doc, path):
    """(narrative paragraphs before the 附件, rows (field, text, value, source) of the attached sources file)."""
    paras = []
    for p in doc.paragraphs:
        if p.text == "附件":
            break
        if p.style.name != "Caption" and p.text and not p.text.startswith(("本报告未包含", "以下部分未能生成")):
            paras.append(p.text)
    with open(path.with_name(path.stem + ".sources.csv"), newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))[1:]
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
    doc, path, data = docx_report
    paras, rows = _sections(doc, path)
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


def test_missing_fields_leave_the_docx_and_are_listed(evaluated, tmp_path):
    from docx import Document

    data = load_report_data(evaluated["results"])
    path = write_docx(data, tmp_path / "seed.docx", template=SEED_STYLE)
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "【缺数据" not in text and "占全市比重" not in text
    top = min(data.ranked("2023"), key=lambda i: data.rank[-1, i, -1])
    assert f"综合得分居首的{data.unit_names[top]}" in text     # the clause after the ；stays
    assert ("本报告未包含：“indicators.gdp.city_share”（评价结果中没有该项数据）；"
            "“indicators.gdp.city_share_change”（评价结果中没有该项数据）。") in text
    _, rows = _sections(doc, path)
    assert not [r for r in rows if r[0].startswith("indicators.gdp.city_share")]   # only numbers that are printed


def test_without_raw_values_indicator_sentences_go(evaluated, tmp_path):
    from docx import Document

    data = load_report_data(evaluated["results"], rebuild=False)
    assert data.raw is None
    doc = Document(str(write_docx(data, tmp_path / "noraw.docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "县均" not in text.split("本报告未包含")[0] and "【缺数据" not in text
    assert "本报告未包含：地区生产总值县均值（原始指标值不可用）；地区生产总值基期县均值（原始指标值不可用）" in text


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


def test_user_text_with_control_characters_and_formulas_cannot_break_the_docx(evaluated, tmp_path):
    """Unit names from a user's file: control characters (which XML cannot hold; python-docx raises on them) are
    removed with a note in the report; formula-like text stays inert text (Word evaluates only fields)."""
    from docx import Document

    data = load_report_data(evaluated["results"])
    i, j = data.units.index("320585"), data.units.index("320581")
    data.unit_names[i] = "太仓\x07市\x1b"
    data.unit_names[j] = '=HYPERLINK("http://example.invalid","常熟市")'
    tpl = "# 报告\n首位{{ top[0].name }}。\n[[table:top]]\n"
    path = write_docx(data, tmp_path / "hostile.docx", template=tpl)
    doc = Document(str(path))
    cells = [c.text for r in doc.tables[0].rows for c in r.cells]
    assert "太仓市" in cells and '=HYPERLINK("http://example.invalid","常熟市")' in cells
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "以下文字含有文档无法容纳的控制字符，已删除这些字符：单位名称“太仓市”。" in text
    import zipfile

    with zipfile.ZipFile(path) as z:      # no field in the body (the footer's PAGE is the only one)
        body = z.read("word/document.xml").decode("utf-8")
    assert "fldSimple" not in body and "instrText" not in body and "\x07" not in body


def test_cli_writes_red_header_and_attachments(evaluated, tmp_path):
    import typer
    from docx import Document
    from typer.testing import CliRunner

    from xianping.cli.report import register

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    out = tmp_path / "r.docx"
    res = CliRunner().invoke(app, ["report", "-r", str(evaluated["results"]), "-o", str(out), "--issuer", "苏州市发展和改革委员会",
                                   "--doc-number", "苏发改〔2026〕3号"])
    assert res.exit_code == 0, res.output
    paras = [p.text for p in Document(str(out)).paragraphs if p.text]
    assert paras[:2] == ["苏州市发展和改革委员会", "苏发改〔2026〕3号"]
    assert (tmp_path / "r.manifest.json").exists() and (tmp_path / "r.sources.csv").exists()


def test_without_attachments_the_text_names_no_file(evaluated, tmp_path):
    from docx import Document

    path = write_docx(load_report_data(evaluated["results"]), tmp_path / "alone.docx", attach=False)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "记录在评价结果的清单文件中" in text and ".json" not in text and ".csv" not in text
    assert sorted(f.name for f in tmp_path.iterdir()) == ["alone.docx"]
