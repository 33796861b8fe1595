"""Builders of malformed and hostile inputs for the reliability corpus (small enough to make in a test, so the
large ones are never stored in the repository)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def good_workbook(rows=(("代码", "地区", "GDP_per_capita"), ("410802", "解放区", 52000))) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def rezip(p: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, body in p.items():
            z.writestr(name, body)
    return buf.getvalue()


def with_sheet_xml(sheet_data: str, dimension: str | None = None, head: str = "") -> bytes:
    """The good workbook with its first sheet replaced by <sheetData> text (inline strings need no shared table)."""
    p = parts(good_workbook())
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    p[SHEET] = (f'<?xml version="1.0" encoding="UTF-8"?>{head}<worksheet {NS}>{dim}<sheetData>{sheet_data}'
                f"</sheetData></worksheet>").encode()
    return rezip(p)


def istr(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def num(ref: str, v) -> str:
    return f'<c r="{ref}"><v>{v}</v></c>'


HEADER_ROW = '<row r="1">' + istr("A1", "代码") + istr("B1", "地区") + istr("C1", "GDP_per_capita") + "</row>"


def claimed_last_cell() -> bytes:
    """A 5 KB workbook whose used range claims A1:XFD1048576 (read naively: 17 billion cells)."""
    return with_sheet_xml(HEADER_ROW + '<row r="2">' + num("A2", 410802) + istr("B2", "解放区") + num("C2", 52000)
                          + "</row>", dimension="A1:XFD1048576")


def styled_last_cell() -> bytes:
    """Used range A1:XFD1048576 from a format on the last cell (an empty styled <c>): the reader before issue 13
    padded 1,048,576 rows to 16,384 columns (a MemoryError under 3 GB; 20 GB in the field)."""
    return with_sheet_xml(HEADER_ROW + '<row r="2">' + num("A2", 410802) + istr("B2", "解放区") + num("C2", 52000)
                          + '</row><row r="1048576"><c r="XFD1048576" s="1"/></row>', dimension="A1:XFD1048576")


def cell_in_last_column() -> bytes:
    return with_sheet_xml(HEADER_ROW + '<row r="1048576">' + num("XFD1048576", 1) + "</row>")


def formula_without_value() -> bytes:
    return with_sheet_xml(HEADER_ROW + '<row r="2">' + num("A2", 410802) + istr("B2", "解放区")
                          + '<c r="C2"><f>SUM(1,2)</f></c></row>')


def formula_with_value() -> bytes:
    return with_sheet_xml(HEADER_ROW + '<row r="2">' + num("A2", 410802) + istr("B2", "解放区")
                          + '<c r="C2"><f>50000+2000</f><v>52000</v></c></row>')


def entity_bomb() -> bytes:
    ents = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    head = f"<!DOCTYPE worksheet [{ents}]>"
    return with_sheet_xml(HEADER_ROW + '<row r="2">' + istr("A2", "&i;") + "</row>", head=head)


def no_sheet() -> bytes:
    p = parts(good_workbook())
    wbx = p["xl/workbook.xml"].decode()
    start, end = wbx.index("<sheets>"), wbx.index("</sheets>") + len("</sheets>")
    p["xl/workbook.xml"] = (wbx[:start] + "<sheets></sheets>" + wbx[end:]).encode()
    return rezip(p)


def cut_sheet_xml() -> bytes:
    p = parts(good_workbook())
    p[SHEET] = p[SHEET][: len(p[SHEET]) // 2]
    return rezip(p)


def corrupt_stream() -> bytes:
    """The sheet part's deflate stream overwritten in the middle (the zip directory still looks fine)."""
    data = bytearray(good_workbook())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(SHEET)
    # local header: 30 bytes + name + extra, then the compressed data
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 5, start + min(info.compress_size - 2, 60)):
        data[i] ^= 0x5A
    return bytes(data)


def truncated_zip() -> bytes:
    data = good_workbook()
    return data[: len(data) * 2 // 3]


def row_number_beyond_excel() -> bytes:
    return with_sheet_xml(HEADER_ROW + '<row r="2000000000">' + num("A2000000000", 1) + "</row>")


def zip_bomb_declared(size: int) -> bytes:
    """A workbook with an extra part that unpacks to `size` zero bytes (compresses ~1000:1)."""
    p = parts(good_workbook())
    p["xl/media/zeros.bin"] = bytes(size)
    return rezip(p)


def write(tmp: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp / name
    if isinstance(data, str):
        data = data.encode(encoding)
    path.write_bytes(data)
    return path
