"""Hostile and broken tables (issue 13): each is refused with its own located problem — or read to its correct
value — with no traceback and nothing stored. Small files live in corpus/; large or binary ones are built here
(hostile.py), so a 20 GB claim or a 200,000-character cell is never committed."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from tests.reliability import hostile as h
from xianping.ingest import import_table
from xianping.ingest import read_table as rt
from xianping.ingest.read_table import read_table
from xianping.problems import XianpingInputError
from xianping.store import open_store

CORPUS = Path(__file__).parent / "corpus"
HEAD = "代码,地区,常住人口\n"


def _refused(tmp_path: Path, path: Path, **opts):
    """The first error of importing `path` into a fresh store; asserts the store stayed empty."""
    opts = {"period": "2020", **opts}
    with open_store(tmp_path / "s.duckdb") as store:
        with pytest.raises(XianpingInputError) as err:
            import_table(path, store, **opts)
    assert_nothing_stored(tmp_path / "s.duckdb")
    first = err.value.report.errors[0]
    assert first.file == str(path) and first.message
    return first, err.value


def assert_nothing_stored(store_path: Path) -> None:
    """The store was never created (it is made by the first write) or holds no batch and no value."""
    if store_path.exists():
        with open_store(store_path) as store:
            assert store.observations() == [] and store.batches() == []


def _stored(tmp_path: Path, path: Path, **opts) -> dict[tuple[str, str], float]:
    opts = {"period": "2020", **opts}
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(path, store, **opts)
        return {(o["unit_code"], o["period"]): o["value"] for o in store.observations()}


# ------------------------------------------------------------------------------------------------ workbooks

XLSX_REFUSED = [
    # builder, kind, row, column, words the message must hold
    (h.cell_in_last_column, "too_many_columns", 1048576, "XFD", "MAX_COLUMNS"),
    (h.formula_without_value, "formula_without_value", 2, "C", "formula without a cached value; open and save"),
    (h.entity_bomb, "unreadable_file", None, None, "entities"),
    (h.no_sheet, "no_sheet", None, None, "no worksheet"),
    (h.cut_sheet_xml, "unreadable_file", None, None, "ParseError"),
    (h.corrupt_stream, "unreadable_file", None, None, "decompressing"),
    (h.truncated_zip, "unreadable_file", None, None, "not a zip archive"),
    (h.row_number_beyond_excel, "unreadable_file", None, None, "outside Excel's rows"),
    (lambda: h.with_sheet_xml(h.HEADER_ROW + '<row r="2">' + h.num("A2", 410802) + h.istr("B2", "解放区")
                              + h.num("C2", "1e999") + "</row>"), "not_finite", 2, "GDP_per_capita", "infinite"),
    (lambda: h.with_sheet_xml(h.HEADER_ROW + '<row r="2">' + h.num("A2", 410802) + h.istr("B2", "解放区")
                              + h.num("C2", "1" + "0" * 400) + "</row>"), "not_finite", 2, "GDP_per_capita", "infinite"),
    (lambda: h.with_sheet_xml(h.HEADER_ROW + '<row r="2">' + h.num("A2", 410802) + h.istr("B2", "解" * 40_000)
                              + "</row>"), "cell_too_long", 2, "B", "MAX_CELL_CHARS"),
    (lambda: h.with_sheet_xml(h.HEADER_ROW + '<row r="2"><c r="A2" t="s"><v>999</v></c></row>'),
     "unreadable_file", None, None, "IndexError"),
    (lambda: {**h.parts(h.good_workbook()), h.SHEET: None}, "no_sheet", None, None, "no worksheet"),  # part missing
    (lambda: h.with_sheet_xml('<row r="1"><c r="A1" s="0"/><c r="B1"/></row>'), "empty_file", None, None, "no cells"),
]


def _bytes(made) -> bytes:
    if isinstance(made, dict):  # parts with one removed
        return h.rezip({k: v for k, v in made.items() if v is not None})
    return made


@pytest.mark.parametrize("build,kind,row,column,words", XLSX_REFUSED, ids=lambda v: getattr(v, "__name__", None))
def test_broken_or_hostile_workbook_is_a_located_error(tmp_path, build, kind, row, column, words):
    path = h.write(tmp_path, "t.xlsx", _bytes(build()))
    first, err = _refused(tmp_path, path)
    assert (first.kind, first.row, first.column) == (kind, row, column), first
    assert words in first.as_text()


def test_workbook_claiming_the_last_cell_is_read_from_the_cells_present(tmp_path):
    # 17 billion cells claimed by <dimension ref="A1:XFD1048576"/>: today's reader padded every row to it
    path = h.write(tmp_path, "claims.xlsx", h.claimed_last_cell())
    assert path.stat().st_size < 10_000
    table = read_table(path)
    assert table.rows == [["代码", "地区", "GDP_per_capita"], [410802, "解放区", 52000]]
    assert _stored(tmp_path, path) == {("410802", "2020"): 52000.0}


def test_workbook_formatted_down_to_the_last_cell_is_read_from_the_cells_present(tmp_path):
    path = h.write(tmp_path, "styled.xlsx", h.styled_last_cell())
    assert read_table(path).rows == [["代码", "地区", "GDP_per_capita"], [410802, "解放区", 52000]]
    assert _stored(tmp_path, path) == {("410802", "2020"): 52000.0}


def test_formula_with_its_cached_value_is_read(tmp_path):
    path = h.write(tmp_path, "f.xlsx", h.formula_with_value())
    assert read_table(path).rows[1] == [410802, "解放区", 52000]


def test_every_formula_without_a_value_is_named_up_to_a_limit(tmp_path):
    cells = "".join(f'<row r="{r}">' + h.num(f"A{r}", 410802) + f'<c r="C{r}"><f>A{r}*2</f></c></row>'
                    for r in range(2, 40))
    path = h.write(tmp_path, "many.xlsx", h.with_sheet_xml(h.HEADER_ROW + cells))
    with pytest.raises(XianpingInputError) as err:
        read_table(path)
    probs = err.value.report.errors
    assert [p.row for p in probs[: rt.MAX_LISTED]] == list(range(2, 2 + rt.MAX_LISTED))
    assert "18 more" in probs[-1].message and "38 formula cell(s)" in str(err.value)


def test_workbook_over_the_unpacked_size_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(rt, "MAX_UNZIPPED_BYTES", 1_000_000)
    path = h.write(tmp_path, "bomb.xlsx", h.zip_bomb_declared(5_000_000))
    assert path.stat().st_size < 50_000  # 5 MB of zeros packs small: the declared size is what counts
    first, _ = _refused(tmp_path, path)
    assert first.kind == "file_too_large" and "MAX_UNZIPPED_BYTES" in first.message


def test_workbook_over_the_cell_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(rt, "MAX_CELLS", 50)
    rows = [("代码", "地区", "GDP_per_capita")] + [(410802, "解放区", i) for i in range(30)]
    path = h.write(tmp_path, "cells.xlsx", h.good_workbook(rows))
    first, _ = _refused(tmp_path, path)
    assert first.kind == "too_many_cells" and first.row == 17 and "MAX_CELLS" in first.message


def test_file_over_the_size_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(rt, "MAX_FILE_BYTES", 1_000)
    for name, data in (("big.xlsx", h.good_workbook()), ("big.csv", HEAD + "410802,解放区,1\n" * 100)):
        first, _ = _refused(tmp_path, h.write(tmp_path, name, data))
        assert first.kind == "file_too_large" and "MAX_FILE_BYTES" in first.message, name


@pytest.mark.parametrize("seed", range(12))
def test_damaged_workbooks_never_escape_as_tracebacks(tmp_path, seed):
    """Bytes overwritten in a deflated or a stored workbook: read or refused, nothing else."""
    rng = random.Random(seed)
    base = h.good_workbook() if seed % 2 else h.rezip(h.parts(h.good_workbook()), zipfile.ZIP_STORED)
    for i in range(25):
        data = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = h.write(tmp_path, f"d{i}.xlsx", bytes(data))
        try:
            read_table(path)
        except XianpingInputError as e:
            assert e.report.errors and e.report.errors[0].file == str(path)


# ------------------------------------------------------------------------------------------------------ CSV

CSV_REFUSED = [
    # file or (name, text), kind, row, column, words
    ("unbalanced_quote.csv", "unbalanced_quote", 2, "B", "not closed"),
    ("quote_open_at_end.csv", "unbalanced_quote", 3, "C", "not closed"),
    ("overflow.csv", "not_finite", 3, "常住人口", "infinite"),
    (("neg_overflow.csv", HEAD + "410802,解放区,-1E400\n"), "not_finite", 2, "常住人口", "infinite"),
    (("inf_text.csv", HEAD + "410802,解放区,inf\n"), "not_finite", 2, "常住人口", "infinite"),
    (("infinity_text.csv", HEAD + "410802,解放区,-Infinity\n"), "not_finite", 2, "常住人口", "infinite"),
    (("long_cell.csv", HEAD + "410802,解放区," + "9" * 40_000 + "\n"), "cell_too_long", 2, "C", "MAX_CELL_CHARS"),
    (("huge_cell.csv", HEAD + '410802,"' + "解" * 200_000 + '",1\n'), "cell_too_long", 2, None, "MAX_CELL_CHARS"),
    (("wide.csv", ",".join(f"c{i}" for i in range(5_000)) + "\n"), "too_many_columns", 1, None, "MAX_COLUMNS"),
    (("nul.csv", HEAD + "410802,解放区,34\x007382\n"), "text_in_number", 2, "常住人口", "text where a number"),
    (("long_name.csv", HEAD + "410802," + "某" * 40_000 + ",1\n"), "cell_too_long", 2, "B", "MAX_CELL_CHARS"),
    (("name_20k.csv", "地区,常住人口\n" + "某" * 20_000 + ",1\n"), "unknown_unit", 2, "地区", "no county named"),
    (("bad_bytes.csv", (HEAD + "410802,解放区,1\n").encode("utf-8") + b"\xff\xfe\xfd\x80\x81,\n"), "unreadable_file", None,
     None, "UTF-16"),
]


@pytest.mark.parametrize("case,kind,row,column,words", CSV_REFUSED, ids=lambda v: v if isinstance(v, str) else None)
def test_broken_or_hostile_csv_is_a_located_error(tmp_path, case, kind, row, column, words):
    path = CORPUS / case if isinstance(case, str) else h.write(tmp_path, *case)
    first, _ = _refused(tmp_path, path)
    assert (first.kind, first.row, first.column) == (kind, row, column), first
    assert words in first.as_text()


def test_csv_over_the_cell_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(rt, "MAX_CELLS", 100)
    first, _ = _refused(tmp_path, h.write(tmp_path, "cells.csv", HEAD + "410802,解放区,1\n" * 60))
    assert first.kind == "too_many_cells" and first.row == 34


def test_unbalanced_quote_names_the_rows_it_swallowed(tmp_path):
    first, _ = _refused(tmp_path, CORPUS / "unbalanced_quote.csv")
    assert "next 2 line(s)" in first.message and first.value.startswith("解放区,347382\n410803")


def test_quoted_multiline_cell_is_not_an_unbalanced_quote(tmp_path):
    table = read_table(CORPUS / "multiline_header.csv")
    assert table.rows[0] == ["代码", "地区\n名称", "常住人口"]
    assert _stored(tmp_path, CORPUS / "multiline_header.csv") == {("410802", "2020"): 347382.0}


ENCODED = [
    ("utf16le_bom.csv", None, "utf-16"),
    ("utf16be_nobom.csv", None, "utf-16-be"),
    ("u16le_nobom.csv", "utf-16-le", "utf-16-le"),
    ("u16be_bom.csv", "utf-16", "utf-16"),
    ("u8bom.csv", "utf-8-sig", "utf-8-sig"),
    ("gb.csv", "gb18030", "gb18030"),
    ("gbk.csv", "gbk", "gb18030"),
]


@pytest.mark.parametrize("name,encoding,detected", ENCODED, ids=[e[0] for e in ENCODED])
def test_table_encodings_are_detected(tmp_path, name, encoding, detected):
    path = CORPUS / name if encoding is None else h.write(tmp_path, name, HEAD + "410802,解放区,347382\n", encoding)
    table = read_table(path)
    assert table.encoding == detected
    assert table.rows == [["代码", "地区", "常住人口"], ["410802", "解放区", "347382"]]
    assert _stored(tmp_path, path) == {("410802", "2020"): 347382.0}


DIGITS = [
    ("５２０００", 52000.0), ("٥٢٠٠٠", 52000.0), ("۵۲۰۰۰", 52000.0), ("५२०००", 52000.0), ("１２３．５", 123.5),
    ("٣٫٥", 3.5), ("５２，０００", 52000.0), ("৫২০০০", 52000.0),
]


@pytest.mark.parametrize("cell,value", DIGITS)
def test_numbers_in_any_decimal_digits(tmp_path, cell, value):
    path = h.write(tmp_path, "d.csv", f'{HEAD}410802,解放区,"{cell}"\n')
    assert _stored(tmp_path, path) == {("410802", "2020"): value}


def test_codes_and_years_in_non_ascii_digits(tmp_path):
    assert _stored(tmp_path, CORPUS / "arabic_digits.csv") == {("410802", "2020"): 347382.0}
    (tmp_path / "y").mkdir()
    stored = _stored(tmp_path / "y", CORPUS / "fullwidth_year.csv", period=None)
    assert stored == {("410802", "2020"): 347382.0, ("410802", "2021"): 347400.0}


def test_nan_text_stays_a_missing_mark(tmp_path):
    # pandas writes a gap as NaN: a no-data mark (kept missing with a flag), not a number
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(h.write(tmp_path, "n.csv", HEAD + "410802,解放区,NaN\n"), store, period="2020")
        (obs,) = store.observations()
    assert obs["value"] is None and "missing:NaN" in obs["flags"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8", "gb18030"])
def test_the_head_of_a_file_cut_at_a_line_end_decodes(encoding):
    # evaluation reads the first megabyte of a large CSV cut after its last b"\n": in UTF-16 LE that leaves the line
    # end's zero byte behind, which decode_text(partial=True) drops
    text = HEAD + "410802,解放区,347382\n" * 3
    data = text.encode(encoding)
    head = data[: data.rfind(b"\n") + 1]
    got, enc = rt.decode_text(head, partial=True)
    assert got.rstrip("\n") == text.rstrip("\n") and enc.replace("-sig", "").startswith(encoding[:6])


def test_a_utf16_file_with_a_byte_missing_is_refused(tmp_path):
    data = (HEAD + "410802,解放区,347382\n").encode("utf-16")[:-1]
    with pytest.raises(UnicodeDecodeError):
        rt.decode_text(data)
    first, _ = _refused(tmp_path, h.write(tmp_path, "cut16.csv", data))
    assert first.kind == "unreadable_file" and "UTF-16" in first.message
