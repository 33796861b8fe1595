"""The Word report (python-docx) laid out as a 公文 (党政机关公文格式, GB/T 9704-2012): narrative from a template
(`narrative.py`; the default is templates/default_zh.md), tables and charts where the template places them, each
numbered (表N above a table, 图N below a chart), a plain-Chinese method appendix (附件), and beside the .docx two
attached files: the evaluation manifest (`<stem>.manifest.json`) and the source of every number in the text
(`<stem>.sources.csv`). No JSON and no placeholder in the document itself.

Layout (GB/T 9704-2012 §5, §7):
- A4, margins 上37 mm 下35 mm 左28 mm 右26 mm; body 3号 (16 pt) 仿宋_GB2312, line spacing fixed 29 pt (22 lines a
  page), first line indented two characters;
- title 2号 (22 pt) 方正小标宋简体, centred; 一级标题 3号黑体, 二级标题 3号楷体_GB2312;
- page numbers 4号 (14 pt) 半角宋体 "— 1 —" at the foot, odd pages right and even pages left, one character in
  from the edge (§7.5);
- optional 红头: the issuing office (`issuer`) in red 小标宋 centred, the 发文字号 (`doc_number`, e.g.
  豫发改〔2026〕12号) below it, and a red line the width of the text block under both.
East-Asian font names go into w:rFonts/@w:eastAsia (and the font table names the common fallback: 仿宋, 宋体,
楷体), so Word and LibreOffice use the 公文 fonts where installed and their nearest CJK font elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from xianping.problems import XianpingError
from xianping.report.data import ReportData, province_name
from xianping.report.narrative import Narrative, narrative, source_text, unit_word, _advice_ctx

TITLE_FONT, HEADING_FONT, HEADING2_FONT, BODY_FONT, PAGE_FONT = "方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312", "宋体"
FALLBACK = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体"}   # w:altName in the font table
SIZE_TITLE, SIZE_BODY, SIZE_PAGE, SIZE_TABLE = 22, 16, 14, 12                 # 2号, 3号, 4号, 小4
LINE_PT = 29            # fixed line pitch: 22 lines in the 225 mm text block
TEXT_WIDTH_PT = (210 - 28 - 26) / 25.4 * 72
RED = "FF0000"
_PPR_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                   "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                   "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                   "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                   "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_LEAD = re.compile(r"^（[一二三四五六七八九十]+）[^。，；（）]{1,24}。")

# characters XML 1.0 cannot hold (python-docx raises on them), and line breaks inside a name
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str, removed: list[str] | None = None, what: str = "") -> str:
    """User text made safe for a document: characters XML cannot hold are dropped (and noted in `removed`).
    Formula-like text (=, +, -, @) needs nothing: Word only evaluates fields, and none is made from user text."""
    s = str(text)
    if _CONTROL.search(s):
        s = _CONTROL.sub("", s)
        if removed is not None:
            removed.append(f"{what}“{s}”" if what else f"“{s}”")
    return s


def _clean_data(data: ReportData, removed: list[str]) -> ReportData:
    """A copy whose unit, node and framework names hold only characters a document can hold."""
    names = [clean_text(n.replace("\n", " ").replace("\t", " ").replace("\r", " "), removed, "单位名称") for n in data.unit_names]
    types = [clean_text(t, removed, "类型") for t in data.unit_types] if data.unit_types else data.unit_types
    nodes = [replace(n, name_zh=clean_text(n.name_zh, removed, "指标名称"), name_en=clean_text(n.name_en, removed, "指标名称"),
                     unit=clean_text(n.unit, removed, "计量单位")) for n in data.nodes]
    fw = {k: clean_text(v, removed, "指标体系名称") if isinstance(v, str) else v for k, v in data.framework.items()}
    return replace(data, unit_names=names, unit_types=types, nodes=nodes, framework=fw)


def write_docx(data: ReportData, out: str | Path, template: str | Path | None = None, year=None,
               focus: str | list[str] | None = None, issuer: str | None = None, doc_number: str | None = None,
               attach: bool = True) -> Path:
    """Write the report; returns its path. `template`: a template file or text (default: the shipped one);
    `focus`: one or more unit codes, each with its own section; `issuer` / `doc_number`: the 红头 (issuing office)
    and 发文字号; `attach`: write `<stem>.manifest.json` and `<stem>.sources.csv` beside the report (named in
    its appendix). Every file is written to a temporary name in the same folder and renamed when complete."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    year = str(year or data.latest)
    removed: list[str] = []
    data = _clean_data(data, removed)
    if isinstance(template, str) and "\n" in template:
        template = clean_text(template, removed, "模板")
    attachments = {"manifest": f"{out.stem}.manifest.json", "sources": f"{out.stem}.sources.csv"} if attach else {}
    nar = narrative(data, template, year=year, focus=focus, attachments=attachments)
    if removed:
        nar.blocks.insert(_body_end(nar), _note("以下文字含有文档无法容纳的控制字符，已删除这些字符：" + "；".join(dict.fromkeys(removed)) + "。"))
    doc = _document(title=next((b.text for b in nar.blocks if b.kind == "title"), data.framework.get("name_zh", "")))
    if issuer or doc_number:
        _red_header(doc, clean_text(issuer or ""), clean_text(doc_number or ""))
    w = _Writer(doc, data, year)
    for b in nar.blocks:
        w.block(b)
    from xianping.files import FileSet

    with FileSet() as files:  # renamed together on leaving; the report last, so it never names attachments not there
        if attach:
            from xianping.evaluation.manifest import json_safe

            files.stage_text(out.with_name(attachments["manifest"]),
                             json.dumps(json_safe(data.manifest), ensure_ascii=False, indent=2))
            files.stage(out.with_name(attachments["sources"]), lambda p: _write_sources(nar, p))
        files.stage(out, lambda p: doc.save(str(p)))
    return out


def _note(text: str):
    from xianping.report.narrative import Block

    return Block("note", text)


def _body_end(nar: Narrative) -> int:
    return next((n for n, b in enumerate(nar.blocks) if b.kind == "h1" and b.text.startswith("附件")), len(nar.blocks))


def _write_sources(nar: Narrative, path: Path) -> None:
    """数字来源: every number of the text with the result cell or aggregate it came from (for checking, not reading)."""
    from xianping.report.excel_safe import csv_escape

    seen = set()
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["字段 field", "文中 text", "数值 value", "来源 source"])
        for fl in nar.fills:
            if fl.missing or (fl.field, fl.text) in seen:
                continue
            seen.add((fl.field, fl.text))
            # unit names in the text and sources: never a live formula (excel_safe's round-trip rule)
            w.writerow([csv_escape(x) for x in (fl.field, fl.text, repr(fl.value), source_text(fl.source))])


# ── document setup ───────────────────────────────────────────────────────
def _rfonts(rpr, east_asian: str, latin: str = "Times New Roman") -> None:
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):   # a theme font would win over the names
        fonts.attrib.pop(qn(f"w:{a}"), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)


def _style(style, east_asian: str, size: float, bold: bool = False, latin: str = "Times New Roman") -> None:
    from docx.shared import Pt, RGBColor

    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _rfonts(style.element.get_or_add_rPr(), east_asian, latin)
    pf = style.paragraph_format
    pf.space_before = pf.space_after = Pt(0)


def _document(title: str):
    from docx import Document
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.footer_distance = Mm(28 - 7)   # the page number 7 mm below the text block (GB/T 9704 §7.5)
    normal = doc.styles["Normal"]
    _style(normal, BODY_FONT, SIZE_BODY)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    for lang in doc.styles.element.iter(qn("w:lang")):     # docDefaults: Chinese text is zh-CN (line breaking)
        lang.set(qn("w:eastAsia"), "zh-CN")
    for name, font, outline in (("Heading 1", HEADING_FONT, True), ("Heading 2", HEADING2_FONT, True)):
        st = doc.styles[name]
        _style(st, font, SIZE_BODY)
        st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        st.paragraph_format.line_spacing = Pt(LINE_PT)
        st.paragraph_format.first_line_indent = Pt(2 * SIZE_BODY)
        st.paragraph_format.keep_with_next = True
    _style(doc.styles["Caption"], HEADING_FONT, SIZE_PAGE)
    doc.core_properties.title = title
    doc.core_properties.author = "xianping"
    doc.core_properties.language = "zh-CN"
    _font_table(doc)
    _page_numbers(doc)
    return doc


def _font_table(doc) -> None:
    """Name the usual fallback of each 公文 font (w:altName), so Word without 仿宋_GB2312 uses 仿宋, not a Latin font."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    part = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    root = parse_xml(part.blob)
    ns = root.nsmap.get("w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main")
    for font, alt in FALLBACK.items():
        root.append(parse_xml(f'<w:font xmlns:w="{ns}" w:name="{font}"><w:altName w:val="{alt}"/>'
                              f'<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(paragraph, instr: str) -> None:
    """A Word field (PAGE) as begin/instr/separate/end runs."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        _run_font(run, PAGE_FONT, SIZE_PAGE, latin=PAGE_FONT)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            run.text = text
            continue
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def _page_numbers(doc) -> None:
    """"— N —" in 4号半角宋体, odd pages right and even pages left, one character in (GB/T 9704 §7.5)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        pf = p.paragraph_format
        pf.first_line_indent = Pt(0)
        pf.line_spacing = 1.0
        (pf.__setattr__("right_indent", Pt(SIZE_PAGE)) if align == WD_ALIGN_PARAGRAPH.RIGHT
         else pf.__setattr__("left_indent", Pt(SIZE_PAGE)))
        _run_font(p.add_run("— "), PAGE_FONT, SIZE_PAGE, latin=PAGE_FONT)
        _field(p, "PAGE")
        _run_font(p.add_run(" —"), PAGE_FONT, SIZE_PAGE, latin=PAGE_FONT)


def _run_font(run, east_asian: str, size: float, bold: bool = False, color: str | None = None,
              latin: str = "Times New Roman") -> None:
    from docx.shared import Pt, RGBColor

    _rfonts(run._element.get_or_add_rPr(), east_asian, latin)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor.from_string(color or "000000")


def _para(doc, text: str, font: str = BODY_FONT, size: float = SIZE_BODY, align=None, indent: bool = True,
          bold: bool = False, color: str | None = None, style: str | None = None):
    from docx.shared import Pt

    p = doc.add_paragraph(style=style) if style else doc.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.first_line_indent = Pt(2 * SIZE_BODY) if indent else Pt(0)
    if text:
        _run_font(p.add_run(clean_text(text)), font, size, bold, color)
    return p


def _red_header(doc, issuer: str, doc_number: str) -> None:
    """红头: the issuing office in red 小标宋, the 发文字号 under it, and a red line the width of the text block."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    C = WD_ALIGN_PARAGRAPH.CENTER
    if issuer:
        p = _para(doc, issuer, TITLE_FONT, 26 if len(issuer) > 12 else 36, C, indent=False, color=RED)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _para(doc, "", indent=False)
    p = _para(doc, doc_number, BODY_FONT, SIZE_BODY, C, indent=False)
    # pBdr sits before spacing/ind/jc in w:pPr (schema order, or Word reports the file as damaged)
    p._p.get_or_add_pPr().insert_element_before(
        parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" w:space="11" w:color="{RED}"/></w:pBdr>'),
        *_PPR_AFTER_PBDR)
    _para(doc, "", indent=False)


# ── blocks ───────────────────────────────────────────────────────────────
class _Writer:
    def __init__(self, doc, data: ReportData, year: str):
        self.doc, self.data, self.year = doc, data, year
        self.n_table = self.n_chart = 0
        self.in_appendix = False

    def block(self, b) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        doc = self.doc
        if b.kind == "title":
            p = _para(doc, b.text, TITLE_FONT, SIZE_TITLE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
            p.paragraph_format.line_spacing = Pt(36)
            _para(doc, "", indent=False)          # one blank line between title and body (§7.3.3)
        elif b.kind == "h1" and b.text.startswith("附件"):
            doc.add_page_break()
            self.in_appendix = True
            label, _, rest = b.text.partition("　")
            _para(doc, label, HEADING_FONT, SIZE_BODY, indent=False)   # 附件 top left in 黑体 (§8.1)
            if rest:
                _para(doc, rest, TITLE_FONT, SIZE_TITLE, WD_ALIGN_PARAGRAPH.CENTER, indent=False).paragraph_format.line_spacing = Pt(36)
                _para(doc, "", indent=False)
        elif b.kind in ("h1", "h2"):
            h = doc.add_paragraph(style="Heading 1" if b.kind == "h1" else "Heading 2")
            _run_font(h.add_run(clean_text(b.text)), HEADING_FONT if b.kind == "h1" else HEADING2_FONT, SIZE_BODY)
        elif b.kind in ("p", "note"):
            lead = _LEAD.match(b.text)
            if lead:     # （一）城镇化。… — a 二级标题 run in 楷体 at the head of its paragraph (GB/T 9704 §7.3.3)
                p = _para(doc, "")
                _run_font(p.add_run(clean_text(lead.group())), HEADING2_FONT, SIZE_BODY)
                _run_font(p.add_run(clean_text(b.text[lead.end():])), BODY_FONT, SIZE_BODY)
            else:
                _para(doc, b.text)
        elif b.kind == "table":
            self.table(b.name)
        elif b.kind == "chart":
            self.chart(b.name)

    # ── tables ──
    def caption(self, text: str, kind: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = _para(self.doc, text, HEADING_FONT, SIZE_PAGE, WD_ALIGN_PARAGRAPH.CENTER, indent=False, style="Caption")
        p.paragraph_format.keep_with_next = kind == "table"

    def grid(self, caption: str, headers: list[str], rows: list[list[str]], numeric: list[bool]) -> None:
        self.n_table += 1
        self.caption(f"表{self.n_table} {caption}", "table")
        _grid(self.doc, headers, rows, numeric)

    def table(self, name: str) -> None:
        from xianping.report.format_zh import rank_change

        data, year = self.data, self.year
        t, k = data.t(year), data.k(data.root.code)
        base = data.base_year if data.base_year and data.base_year != year else None
        uw = unit_word(data)
        one_prov = len({data.province(i) for i in data.ranked(year)}) == 1
        if name == "top":
            rc = data.rank_change(year)
            order = data.ranked(year)
            shown = order[:30]
            heads = ["名次", "县级单位"] + ([] if one_prov else ["省份"]) + ["得分（分）"] + ([f"较{base}年"] if base else [])
            num = [True, False] + ([] if one_prov else [False]) + [True] + ([True] if base else [])
            rows = []
            for i in shown:
                r = [str(int(data.rank[t, i, k])), short_name(data, i)] + ([] if one_prov else [province_name(data.province(i))])
                r.append(_f(data.score[t, i, k]))
                if base:
                    r.append(rank_change(rc[i]) or "—")
                rows.append(r)
            what = f"全部{len(shown)}个{uw}" if len(shown) == len(order) else f"前{len(shown)}名{uw}"
            self.grid(f"{year}年综合得分排名（{what}）", heads, rows, num)
        elif name == "dimensions":
            heads = ["维度", f"{year}年平均得分"] + ([f"{base}年平均得分", "变化"] if base else [])
            rows = []
            for d in data.dimensions:
                m = _dim_mean(data, year, d.code)
                r = [d.name_zh, _f(m)]
                if base:
                    mb = _dim_mean(data, base, d.code)
                    r += [_f(mb), "—" if np.isnan(m) or np.isnan(mb) else f"{m - mb:+.2f}"]
                rows.append(r)
            self.grid("分维度平均得分（分）", heads, rows, [False] + [True] * (len(heads) - 1))
        elif name == "movers" and base:
            rc = data.rank_change(year)
            ok = [i for i in data.ranked(year) if not np.isnan(rc[i])]
            gains = sorted([i for i in ok if rc[i] > 0], key=lambda i: (-rc[i], data.units[i]))[:10]
            losses = sorted([i for i in ok if rc[i] < 0], key=lambda i: (rc[i], data.units[i]))[:10]
            rows = [[short_name(data, i), str(int(data.rank[data.t(base), i, k])), str(int(data.rank[t, i, k])),
                     rank_change(rc[i]) or "—"] for i in gains + losses]   # a unit is a gainer or a loser, never both
            if rows:
                self.grid(f"位次变化最大的{uw}（{base}—{year}年，进位、退位各至多十个）",
                          [uw, f"{base}年名次", f"{year}年名次", "变化"], rows, [False, True, True, True])
        elif name == "indicators":
            self.indicator_table()

    def indicator_table(self) -> None:
        data = self.data
        eff = {}
        for w in data.weights:
            if str(w.get("year")) == self.year:
                eff[w["child"]] = w.get("effective_weight")
        direction = {"positive": "正向", "negative": "逆向", "moderate": "适度", "target": "目标值"}
        rows = []
        for d in data.dimensions:
            for n in data.leaves:
                p = n
                while p.parent is not None and p.parent != d.code:
                    p = data.node(p.parent)
                if p.parent != d.code:
                    continue
                wv = eff.get(n.code)
                rows.append([d.name_zh, n.name_zh, "—" if n.unit in ("", "1", "-") else n.unit, direction.get(n.direction, n.direction or "—"),
                             "—" if wv is None or np.isnan(wv) else f"{wv * 100:.2f}%"])
        if rows:
            self.grid(f"指标体系及权重（{self.year}年）", ["维度", "指标", "单位", "方向", "综合权重"], rows,
                      [False, False, False, False, True])

    # ── charts ──
    def chart(self, name: str) -> None:
        made = chart_png(self.data, name, self.year)
        if made is None:
            return
        png, caption, labels = made
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        self.n_chart += 1
        cap = f"图{self.n_chart} {caption}"
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.line_spacing = 1.0      # a fixed line pitch would clip the picture
        p.add_run().add_picture(io.BytesIO(png), width=Mm(150))
        docpr = p._p.xpath(".//wp:docPr")[-1]
        docpr.set("descr", clean_text(f"{cap}：{'、'.join(labels)}"))   # alt text: the names the chart shows
        docpr.set("title", clean_text(cap))
        self.caption(cap, "chart")
        _para(self.doc, "", indent=False)


def _grid(doc, headers: list[str], rows: list[list[str]], numeric: list[bool]) -> None:
    """A table whose columns are as wide as their longest entry (names never wrap), numbers right-aligned, the
    header repeated on every page. The font steps down (小4 → 5号 → 小5) until the widths fit the text block."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    pad = 2 * 5.4 + 6    # cell margins (0.19 cm each side) and air for a wider fallback font
    for size in (SIZE_TABLE, 10.5, 9):
        widths = [max(_text_width(str(c), size) for c in col) + pad for col in zip(headers, *rows)]
        if sum(widths) <= TEXT_WIDTH_PT:
            break
    spare = max(0.0, TEXT_WIDTH_PT - sum(widths))
    widths = [w + spare * w / sum(widths) for w in widths] if sum(widths) < 0.6 * TEXT_WIDTH_PT else widths
    t = doc.add_table(rows=1 + len(rows), cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False          # w:tblLayout fixed: Word keeps the widths below instead of refitting
    for j, gc in enumerate(t._tbl.tblGrid.findall(qn("w:gridCol"))):
        gc.set(qn("w:w"), str(int(widths[j] * 20)))
    header_row = t.rows[0]
    trpr = header_row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        trpr.append(OxmlElement(tag))
    for r, values in enumerate([headers] + rows):
        row = t.rows[r]
        for j, v in enumerate(values):
            cell = row.cells[j]
            cell.width = Pt(widths[j])
            p = cell.paragraphs[0]
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing = 1.0
            p.alignment = (WD_ALIGN_PARAGRAPH.CENTER if r == 0 else
                           WD_ALIGN_PARAGRAPH.RIGHT if numeric[j] else WD_ALIGN_PARAGRAPH.LEFT)
            _run_font(p.add_run(clean_text(str(v))), HEADING_FONT if r == 0 else BODY_FONT, size)
    doc.add_paragraph().paragraph_format.line_spacing = 1.0


def _text_width(s: str, size: float) -> float:
    """Points a line of text takes: wide (CJK, full-width) characters one em, others about half."""
    return sum(size if unicodedata.east_asian_width(ch) in ("W", "F") else 0.62 * size for ch in s)


def _f(x, d=2) -> str:
    from xianping.report.format_zh import fixed

    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else fixed(x, d)


def _dim_mean(data: ReportData, year: str, code: str) -> float:
    t, kd = data.t(year), data.k(code)
    v = data.score[t, :, kd][~np.isnan(data.rank[t, :, -1])]
    v = v[~np.isnan(v)]
    return float(v.mean()) if len(v) else float("nan")


def short_name(data: ReportData, i: int) -> str:
    """A unit's name without its province when the name starts with it (浙江省杭州市滨江区 → 杭州市滨江区): tables
    and charts show the province apart or cover one province."""
    name, prov = data.unit_names[i] or data.units[i], province_name(data.province(i))
    return name[len(prov):] if name.startswith(prov) and len(name) > len(prov) else name


# ── charts (matplotlib with a CJK font) ──────────────────────────────────
_CJK_PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei",
                  "Microsoft YaHei", "PingFang SC")


def cjk_font() -> str:
    """A font with Chinese glyphs that matplotlib knows (Noto Sans CJK SC first); refuses clearly when none is
    installed, since charts would otherwise print boxes for every county name."""
    from matplotlib import font_manager

    for attempt in range(2):
        names = {f.name for f in font_manager.fontManager.ttflist}
        for want in _CJK_PREFERRED:
            if want in names:
                return want
        cjk = sorted(n for n in names if "CJK" in n or "Han Sans" in n or "Hei" in n)
        if cjk:
            return cjk[0]
        if attempt == 0:   # fonts installed after matplotlib built its cache
            font_manager.fontManager = font_manager._load_fontmanager(try_read_cache=False)
    raise XianpingError("the Word report's charts need a Chinese (CJK) font and matplotlib finds none: install "
                        "fonts-noto-cjk (Debian/Ubuntu: apt-get install fonts-noto-cjk) or another CJK font "
                        "(未找到中文字体，无法绘制图表)")


def chart_png(data: ReportData, name: str, year: str) -> tuple[bytes, str, list[str]] | None:
    """(PNG bytes, Chinese caption without its 图N, the labels shown) of a named chart, or None when the
    results hold nothing to draw (a one-year result has no change to chart)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    t, k = data.t(year), data.k(data.root.code)
    uw = unit_word(data)
    base = data.base_year if data.base_year and data.base_year != year else None
    with plt.rc_context({"font.family": [font], "axes.unicode_minus": False, "font.size": 11}):
        if name == "ranking":
            order = data.ranked(year)
            idx = order[:20]
            if not idx:
                return None
            labels = [short_name(data, i) for i in idx]
            vals = [float(data.score[t, i, k]) for i in idx]
            fig, ax = plt.subplots(figsize=(7.2, 0.32 * len(idx) + 1.2), dpi=200)
            ax.barh(labels[::-1], vals[::-1], color="#2f6fa7")
            lo = min(vals)
            ax.set_xlim(max(0.0, lo - 5), min(100.0, max(vals) + 4) if max(vals) <= 100 else max(vals) * 1.05)
            for yv, v in enumerate(vals[::-1]):
                ax.text(v + 0.2, yv, f"{v:.2f}", va="center", fontsize=9)
            ax.set_xlabel("综合得分（分）")
            caption = f"{year}年综合得分" + (f"前{len(idx)}位{uw}" if len(idx) < len(order) else f"（全部{len(idx)}个{uw}）")
        elif name == "dimensions":
            dims = data.dimensions
            if not dims:
                return None
            labels = [d.name_zh for d in dims]
            x = np.arange(len(dims))
            fig, ax = plt.subplots(figsize=(7.2, 3.6), dpi=200)
            w = 0.38 if base else 0.6
            if base:
                ax.bar(x - w / 2, [_dim_mean(data, base, d.code) for d in dims], w, label=f"{base}年", color="#9bb7d4")
            ax.bar(x + (w / 2 if base else 0), [_dim_mean(data, year, d.code) for d in dims], w, label=f"{year}年", color="#2f6fa7")
            ax.set_xticks(x, labels)
            ax.set_ylabel("平均得分（分）")
            ax.legend(frameon=False)
            caption = f"分维度平均得分（{base}年、{year}年）" if base else f"{year}年分维度平均得分"
        elif name == "advice":
            rows = [(a["name_zh"], i) for a in _advice_ctx(data, year) for i in a["indicators"]]
            if not rows:
                return None
            labels = [i["name_zh"] for _, i in rows]
            vals = [i["n_top"].value for _, i in rows]
            fig, ax = plt.subplots(figsize=(7.2, 0.4 * len(rows) + 1.2), dpi=200)
            ax.barh(labels[::-1], vals[::-1], color="#b5523b")
            for yv, v in enumerate(vals[::-1]):
                ax.text(v, yv, f" {int(v)}", va="center", fontsize=9)
            ax.set_xlabel(f"以该指标为前三位障碍因素的{uw}数（个）")
            caption = f"{year}年主要障碍指标涉及的{uw}数量"
        else:
            return None
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue(), caption, labels


def narrative_of(data: ReportData, **kw: Any) -> Narrative:
    return narrative(data, **kw)
