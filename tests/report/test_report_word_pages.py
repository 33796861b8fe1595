"""The Word report as rendered pages: LibreOffice turns the .docx into PDF, poppler's pdftotext reads it back, and
the test checks what a reader gets — no 【缺数据, no JSON, every chart captioned 图N and labelled with county names
in Chinese, tables captioned 表N with as many rows as they say, names on one line, page numbers "— N —" on every
page — and, in the document XML, the 公文 fonts and sizes (GB/T 9704-2012). Two results: the demo (2,835
counties, national) and a provincial analyst's 20 counties in 河南 with a 红头 and 发文字号. Pages are written as
PNG to test-artifacts/report/ for looking at."""

import json
import re
import shutil
import subprocess

import pytest

from conftest import ARTIFACTS
from one_province import HENAN, evaluate_henan
from xianping.report.data import from_result, load_report_data
from xianping.report.word import short_name, write_docx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                                reason="needs LibreOffice (soffice) and poppler-utils (pdftotext); .ci/run installs both")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _render(docx, folder, name):
    profile = folder / "lo-profile"
    r = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(folder), str(docx)], capture_output=True, text=True, timeout=300)
    pdf = folder / (docx.stem + ".pdf")
    assert pdf.exists(), r.stdout + r.stderr
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
    text = [subprocess.run([PDFTOTEXT, "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"], capture_output=True,
                           text=True).stdout for n in range(1, pages + 1)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / f"{name}.pdf")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "4", str(pdf), str(ARTIFACTS / name)], check=True)
    return text


@pytest.fixture(scope="module")
def demo_pages(tmp_path_factory):
    from docx import Document

    from xianping.demo.load_demo import load_demo

    folder = tmp_path_factory.mktemp("demo_word")
    demo = load_demo(folder, reports=False)
    data = from_result(demo.result)
    path = write_docx(data, folder / "demo_report.docx", focus="410122")
    return {"data": data, "path": path, "doc": Document(str(path)), "pages": _render(path, folder, "demo_report")}


@pytest.fixture(scope="module")
def henan_pages(tmp_path_factory):
    from docx import Document

    folder = tmp_path_factory.mktemp("henan_word")
    ev = evaluate_henan(folder)
    data = load_report_data(ev["results"])
    path = write_docx(data, folder / "henan_report.docx", focus="410182", issuer="河南省发展和改革委员会",
                      doc_number="豫发改〔2026〕12号")
    return {"data": data, "path": path, "doc": Document(str(path)), "pages": _render(path, folder, "henan_report")}


@pytest.fixture(params=["demo", "henan"])
def report(request, demo_pages, henan_pages):
    return {"demo": demo_pages, "henan": henan_pages}[request.param]


def _flat(pages):
    return re.sub(r"\s+", "", "".join(pages))


def test_no_placeholder_and_no_json_on_any_page(report):
    flat = _flat(report["pages"])
    assert "【缺数据" not in flat and "缺数据：" not in flat
    assert '{"' not in flat and '"manifest"' not in flat and '":' not in flat
    assert "xianping" not in flat.lower()      # no tool banner in a document handed on


def test_every_page_is_numbered(report):
    for n, page in enumerate(report["pages"], 1):
        tail = [ln.strip() for ln in page.splitlines() if ln.strip()][-1]
        assert re.fullmatch(rf"—\s*{n}\s*—", tail), (n, tail)
    doc = report["doc"]
    assert doc.settings.odd_and_even_pages_header_footer
    sec = doc.sections[0]
    assert sec.footer.paragraphs[0].alignment == 2 and sec.even_page_footer.paragraphs[0].alignment == 0  # right / left


def test_every_chart_is_captioned_and_labelled_with_names(report):
    doc, data = report["doc"], report["data"]
    flat = _flat(report["pages"])
    pics = doc.element.body.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
    assert len(pics) >= 3         # ranking, dimensions, 对策建议
    names = {short_name(data, i) for i in range(len(data.units))}
    dims = {n.name_zh for n in data.nodes}
    for n, pic in enumerate(pics, 1):
        caption, _, labels = pic.get("descr").partition("：")
        assert caption.startswith(f"图{n} ") and re.search(r"[\u4e00-\u9fff]", caption)
        assert caption.replace(" ", "") in flat          # the caption is on the page under the chart
        labels = labels.split("、")
        assert labels and not any(re.search(r"\d{6}", x) for x in labels)
        assert all(x in names or x in dims for x in labels), labels
    ranking = pics[0].get("descr")
    assert "综合得分" in ranking and any(short_name(data, i) in ranking for i in data.ranked()[:1])
    assert len(re.findall(r"图\d+", "".join(p.text for p in doc.paragraphs if p.style.name == "Caption"))) == len(pics)


def test_tables_say_how_many_rows_they_show_and_names_stay_on_one_line(report):
    doc, data = report["doc"], report["data"]
    caps = [p.text for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith("表")]
    assert [int(re.match(r"表(\d+)", c).group(1)) for c in caps] == list(range(1, len(caps) + 1))
    top, shown = caps[0], len(doc.tables[0].rows) - 1
    n = len(data.ranked())
    assert shown == min(30, n)
    assert (f"全部{n}个" in top) if n <= 30 else ("前30名" in top)
    lines = "\n".join(report["pages"]).splitlines()
    for row in doc.tables[0].rows[1:]:
        name = row.cells[1].text
        assert any(name in ln for ln in lines), f"{name} wraps or is missing"
        for c in row.cells:            # numbers right-aligned, text left
            if re.fullmatch(r"[\d.]+", c.text):
                assert c.paragraphs[0].alignment == 2


def test_gbt9704_fonts_sizes_and_margins(report):
    from docx.shared import Pt

    doc = report["doc"]
    sec = doc.sections[0]
    assert (round(sec.page_width / 36000), round(sec.page_height / 36000)) == (210, 297)    # A4, EMU → mm
    assert [round(x / 36000) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [37, 35, 28, 26]
    normal = doc.styles["Normal"].paragraph_format
    assert normal.line_spacing == Pt(29) and normal.line_spacing_rule == 4    # EXACTLY

    def fonts(p):
        out = set()
        for r in p.runs:
            rf = r._element.rPr.find(f"{W}rFonts")
            out.add((rf.get(f"{W}eastAsia"), r.font.size.pt))
        return out

    kinds = {"title": set(), "h1": set(), "body": set()}
    for p in doc.paragraphs:
        if not p.runs or not p.text:
            continue
        if p.style.name == "Heading 1":
            kinds["h1"] |= fonts(p)
        elif p.text.endswith("评价分析报告（2023年）") or p.text.endswith("评价分析报告（2020年）"):
            kinds["title"] |= fonts(p)
        elif p.style.name == "Normal" and len(p.text) > 30:
            kinds["body"] |= fonts(p)
    assert kinds["title"] == {("方正小标宋简体", 22.0)}
    assert kinds["h1"] == {("黑体", 16.0)}
    assert kinds["body"] == {("仿宋_GB2312", 16.0), ("楷体_GB2312", 16.0)}    # 二级标题 （一）… runs in 楷体
    kai = [p.runs[0].text for p in doc.paragraphs if p.runs and p.runs[0]._element.rPr is not None and
           p.runs[0]._element.rPr.find(f"{W}rFonts").get(f"{W}eastAsia") == "楷体_GB2312"]
    assert kai and all(re.fullmatch(r"（[一二三四五六七八九十]+）[^。]+。", t) for t in kai), kai
    footer = doc.sections[0].footer.paragraphs[0]
    assert {(r._element.rPr.find(f"{W}rFonts").get(f"{W}eastAsia"), r.font.size.pt) for r in footer.runs} == {("宋体", 14.0)}


def test_manifest_is_an_attached_file_named_in_the_text(report):
    path, data = report["path"], report["data"]
    man = path.with_name(path.stem + ".manifest.json")
    assert json.loads(man.read_text(encoding="utf-8"))["framework"]["hash"] == data.manifest["framework"]["hash"]
    text = "\n".join(p.text for p in report["doc"].paragraphs)
    assert f"评价清单文件{man.name}" in text and path.with_name(path.stem + ".sources.csv").exists()
    assert "附件" in text and "指标无量纲化采用" in text
    assert not list(path.parent.glob(".*.tmp*"))     # written to temporary names and renamed


def test_henan_report_has_red_header_and_one_province_wording(henan_pages):
    flat = _flat(henan_pages["pages"])
    assert flat.startswith("河南省发展和改革委员会豫发改〔2026〕12号")
    first = henan_pages["doc"].paragraphs[0]
    assert str(first.runs[0].font.color.rgb) == "FF0000"
    assert "第一方阵（前5名）共5个县级单位，均属河南省。" in flat
    assert "全部20个县（市）" in flat
    assert "荥阳市2023年综合得分" in flat and "在郑州市6个参评县级单位中居第" in flat
    for name in HENAN.values():
        assert name in flat


def test_demo_report_lists_what_it_left_out(demo_pages):
    flat = _flat(demo_pages["pages"])
    assert "本报告未包含：人均二氧化碳排放县均值（2020年无数据）" in flat
    assert "对策建议" in flat and "在河南省" in flat and "在郑州市" in flat
