"""The Word report (python-docx) in the form of a Chinese government analysis report: title, narrative from a
template (`narrative.py`; the default is templates/default_zh.md), tables and charts where the template places
them, and an appendix listing every number in the text with the result cell it came from (数字来源).

Fonts: 方正小标宋/黑体/仿宋_GB2312 as in 党政机关公文格式 (GB/T 9704) where installed; the east-Asian font names
are written into the document, Word and LibreOffice fall back to what the machine has.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from xianping.report.data import ReportData, province_name
from xianping.report.narrative import Narrative, narrative, source_text

TITLE_FONT, HEADING_FONT, BODY_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312"


def _font(run, east_asian: str, size_pt: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    if size_pt:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.bold = bold
    from docx.shared import RGBColor

    run.font.color.rgb = RGBColor(0, 0, 0)


def write_docx(data: ReportData, out: str | Path, template: str | Path | None = None, year=None,
               focus: str | None = None) -> Path:
    """Write the report; returns its path. `template`: a template file or text (default: the shipped one);
    `focus`: a unit code for a 重点县 section."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    year = str(year or data.latest)
    nar = narrative(data, template, year=year, focus=focus)
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    doc.core_properties.title = next((b.text for b in nar.blocks if b.kind == "title"), data.framework.get("name_zh", ""))
    doc.core_properties.author = "xianping"
    for b in nar.blocks:
        if b.kind == "title":
            p = doc.add_paragraph(style="Title")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run(b.text), TITLE_FONT, 22)
            meta = doc.add_paragraph(style="Subtitle")   # not narrative: labels, no data
            meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(meta.add_run(f"{data.framework.get('name_en', '')} · {data.framework.get('code', '')} "
                               f"v{data.framework.get('version', '')} · xianping {data.manifest.get('xianping_version', '')}"),
                  BODY_FONT, 10)
        elif b.kind in ("h1", "h2"):
            h = doc.add_heading(level=1 if b.kind == "h1" else 2)
            _font(h.add_run(b.text), HEADING_FONT, 16 if b.kind == "h1" else 14)
        elif b.kind == "p":
            p = doc.add_paragraph(style="Normal")
            p.paragraph_format.first_line_indent = Pt(32)
            p.paragraph_format.line_spacing = Pt(28)
            _font(p.add_run(b.text), BODY_FONT, 16)
        elif b.kind == "table":
            _table(doc, data, b.name, year)
        elif b.kind == "chart":
            _chart(doc, data, b.name, year)
    _appendix(doc, nar)
    doc.save(out)
    return out


def _cell(cell, text: str, bold: bool = False, size: float = 10.5) -> None:
    cell.text = ""
    _font(cell.paragraphs[0].add_run(text), HEADING_FONT if bold else BODY_FONT, size, bold)


def _grid(doc, headers: list[str], rows: list[list[str]], caption: str) -> None:
    cap = doc.add_paragraph(style="Caption")
    _font(cap.add_run(caption), HEADING_FONT, 12, True)
    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    for j, h in enumerate(headers):
        _cell(t.rows[0].cells[j], h, bold=True)
    for r in rows:
        cells = t.add_row().cells
        for j, v in enumerate(r):
            _cell(cells[j], v)


def _f(x, d=2) -> str:
    from xianping.report.format_zh import fixed

    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else fixed(x, d)


def _table(doc, data: ReportData, name: str, year: str) -> None:
    from xianping.report.format_zh import rank_change

    t, k = data.t(year), data.k(data.root.code)
    base = data.base_year if data.base_year and data.base_year != year else None
    if name == "top":
        rc = data.rank_change(year)
        heads = ["名次", "县级单位", "省份", "得分（分）"] + ([f"较{base}年"] if base else [])
        rows = []
        for i in data.ranked(year)[:30]:
            r = [str(int(data.rank[t, i, k])), data.unit_names[i], province_name(data.province(i)), _f(data.score[t, i, k])]
            if base:
                r.append(rank_change(rc[i]) or "—")
            rows.append(r)
        _grid(doc, heads, rows, f"表1 {year}年综合得分前30名 Top 30 in {year}")
    elif name == "dimensions":
        heads = ["维度 Dimension", f"{year}年均分"] + ([f"{base}年均分", "变化"] if base else [])
        rows = []
        for d in data.dimensions:
            kd = data.k(d.code)
            m = float(np.nanmean(np.where(np.isnan(data.rank[t, :, -1]), np.nan, data.score[t, :, kd])))
            r = [f"{d.name_zh} {d.name_en}", _f(m)]
            if base:
                tb = data.t(base)
                mb = float(np.nanmean(np.where(np.isnan(data.rank[tb, :, -1]), np.nan, data.score[tb, :, kd])))
                r += [_f(mb), f"{m - mb:+.2f}"]
            rows.append(r)
        _grid(doc, heads, rows, "表2 分维度平均得分 Mean score by dimension")
    elif name == "movers" and base:
        rc = data.rank_change(year)
        ok = [i for i in data.ranked(year) if not np.isnan(rc[i])]
        rows = []
        for i in sorted(ok, key=lambda i: (-rc[i], data.units[i]))[:10] + sorted(ok, key=lambda i: (rc[i], data.units[i]))[:10]:
            rows.append([data.unit_names[i], str(int(data.rank[data.t(base), i, k])), str(int(data.rank[t, i, k])),
                         rank_change(rc[i]) or "—"])
        _grid(doc, ["县级单位", f"{base}年名次", f"{year}年名次", "变化"], rows, "表3 位次变化最大的县级单位 Biggest movers")


def _cjk_font() -> str | None:
    try:
        from matplotlib import font_manager
    except ImportError:
        return None
    for f in font_manager.fontManager.ttflist:
        if any(s in f.name for s in ("Noto Sans CJK SC", "Noto Sans CJK", "WenQuanYi", "SimHei", "Source Han Sans", "Noto Serif CJK SC")):
            return f.name
    return None


def _chart(doc, data: ReportData, name: str, year: str) -> None:
    """A bar chart of the top 20 (matplotlib, when installed); a note otherwise."""
    from docx.shared import Cm

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        doc.add_paragraph("（图表需要 matplotlib：pip install matplotlib）")
        return
    if name != "ranking":
        return
    font = _cjk_font()
    t, k = data.t(year), data.k(data.root.code)
    idx = data.ranked(year)[:20][::-1]
    labels = [data.unit_names[i].split("市")[-1] or data.unit_names[i] if font else data.units[i] for i in idx]
    vals = [data.score[t, i, k] for i in idx]
    with plt.rc_context({"font.family": [font] if font else ["DejaVu Sans"], "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(7.5, 5.5), dpi=150)
        ax.barh(labels, vals, color="#2f6fa7")
        lo = min(vals) if vals else 0
        ax.set_xlim(max(0, lo - 5), 100)
        for yv, v in enumerate(vals):
            ax.text(v + 0.2, yv, f"{v:.2f}", va="center", fontsize=7)
        ax.set_xlabel("综合得分 Score" if font else "Score")
        ax.set_title(f"{year}年综合得分前20名 Top 20 in {year}" if font else f"Top 20 in {year}")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    buf.seek(0)
    doc.add_picture(buf, width=Cm(15))


def _appendix(doc, nar: Narrative) -> None:
    doc.add_page_break()
    h = doc.add_heading(level=1)
    _font(h.add_run("附表 数字来源 Sources of the numbers in the text"), HEADING_FONT, 16)
    p = doc.add_paragraph()
    _font(p.add_run("正文中每个数字均由评价结果直接写出：下表列出字段、文中写法、数值与来源（结果表单元格或其汇总）。"
                    "标为【缺数据】的字段在结果中没有数据，未作估算。"), BODY_FONT, 10.5)
    rows = []
    seen = set()
    for f in nar.fills:
        key = (f.field, f.text)
        if key in seen:
            continue
        seen.add(key)
        rows.append([f.field, f.text, "" if f.value is None else repr(f.value), source_text(f.source)])
    t = doc.add_table(rows=1, cols=4)
    t.style = "Table Grid"
    for j, hd in enumerate(["字段 field", "文中 text", "数值 value", "来源 source"]):
        _cell(t.rows[0].cells[j], hd, bold=True, size=8)
    for r in rows:
        cells = t.add_row().cells
        for j, v in enumerate(r):
            _cell(cells[j], v, size=7)


def narrative_of(data: ReportData, **kw: Any) -> Narrative:
    return narrative(data, **kw)
