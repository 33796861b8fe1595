"""One data-file reader for `evaluate` and `robust`: COINr's wide layout (uCode, I01…) is read the same way by both,
and a bad cell still gets a located error."""

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from xianping.evaluation import evaluate
from xianping.evaluation.load_panel import read_panel
from xianping.problems import XianpingInputError

# 300 units of ../shared/bench/bench_2800x40.csv (columns I01, I08), copied for the natural-breaks oracle
BENCH = Path(__file__).parents[1] / "engine" / "oracles" / "bench_2800x40_I01_I08_first300.csv"

FW = textwrap.dedent("""\
    code: bench2
    name_zh: 基准
    name_en: Bench
    root:
      code: idx
      name_zh: 指数
      children:
        - {code: a, name_zh: A, indicator: {code: i01, unit: '1', direction: positive}}
        - {code: b, name_zh: B, indicator: {code: i08, unit: '1', direction: negative}}
    """)


def test_evaluate_reads_coinr_wide_layout(tmp_path):
    (tmp_path / "fw.yaml").write_text(FW, encoding="utf-8")
    r = evaluate(str(tmp_path / "fw.yaml"), data=str(BENCH))
    panel = read_panel(BENCH, ["i01", "i08"])
    assert len(r.units) == 300 and r.units == panel.units
    raw = panel.values[0]
    z = (raw - np.nanmin(raw, 0)) / (np.nanmax(raw, 0) - np.nanmin(raw, 0))
    z[:, 1] = 1 - z[:, 1]
    np.testing.assert_allclose(r.scores[0, :, -1], z.mean(1) * 100, rtol=1e-12)
    assert r.manifest["data"]["kind"] == "csv" and len(r.manifest["data"]["sha256"]) == 64


def test_bad_cell_in_wide_file_is_located(tmp_path):
    bad = tmp_path / "bad.csv"
    shutil.copy(BENCH, bad)
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].split(",")[0] + ",约12," + lines[4].split(",")[2]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(XianpingInputError) as e:
        read_panel(bad, ["i01", "i08"])
    p = e.value.report.errors[0]
    assert p.row == 5 and p.value == "约12"


def test_gzip_and_gbk_files_read_like_utf8(tmp_path):
    """Data files as users have them: gzipped (the bundled demo panel is .csv.gz) and GBK/GB18030 from Chinese Excel,
    wide and long — the same panel as the UTF-8 file; bytes that are neither give a clear error naming the file."""
    import gzip

    want = read_panel(BENCH, ["i01", "i08"])
    text = BENCH.read_text(encoding="utf-8").replace("uCode", "unit_code")
    gz = tmp_path / "wide.csv.gz"
    gz.write_bytes(gzip.compress(text.encode("utf-8")))
    lines = text.splitlines()
    head, rows = lines[0].split(","), [r.split(",") for r in lines[1:]]
    gbk = tmp_path / "wide_gbk.csv"  # an ASCII header, Chinese names in GBK below it
    gbk.write_bytes(("unit_code,unit_name,I01,I08\n" + "".join(f"{r[0]},示例县{i},{r[1]},{r[2]}\n"
                                                              for i, r in enumerate(rows))).encode("gbk"))
    long_text = "unit_code,unit_name,year,indicator,value\n" + "".join(
        f"{r[0]},示例县{i},2020,{head[j]},{r[j]}\n" for i, r in enumerate(rows) for j in (1, 2))
    long_gbk = tmp_path / "long_gbk.csv"
    long_gbk.write_bytes(long_text.encode("gbk"))
    for path in (gz, gbk, long_gbk):
        got = read_panel(path, ["i01", "i08"])
        np.testing.assert_array_equal(got.values[-1], want.values[0])
    assert read_panel(long_gbk, ["i01", "i08"]).unit_names[rows[0][0]] == "示例县0"
    assert read_panel(gbk, ["i01", "i08"]).unit_names[rows[1][0]] == "示例县1"
    with pytest.raises(XianpingInputError, match="none of the indicators x9"):
        read_panel(long_gbk, ["x9"])
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"unit_code,year,i01\nu1,2020,\xff\xfe\xfd\n")
    with pytest.raises(XianpingInputError, match="broken.csv.*neither UTF-8 nor GBK"):
        read_panel(broken, ["i01"])


def test_xlsx_workbook_reads_like_the_csv(tmp_path):
    """An Excel workbook (what analysts have) gives the same panel as the CSV; a text cell is located by its Excel
    row and column."""
    import openpyxl

    want = read_panel(BENCH, ["i01", "i08"])
    rows = [r.split(",") for r in BENCH.read_text(encoding="utf-8").splitlines()]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["unit_code", "unit_name", "I01", "I08"])
    for i, r in enumerate(rows[1:]):
        ws.append([r[0], f"示例县{i}", float(r[1]), float(r[2])])
    ws.cell(row=7, column=4).value = "约2.5"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(XianpingInputError) as e:
        read_panel(bad, ["i01", "i08"])
    p = e.value.report.errors[0]
    assert (p.row, p.column, p.value) == (7, "I08", "约2.5")
    ws.cell(row=7, column=4).value = float(rows[6][2])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    got = read_panel(good, ["i01", "i08"])
    np.testing.assert_array_equal(got.values, want.values)
    assert got.unit_names[rows[1][0]] == "示例县0"


def test_which_reader_reads_what(tmp_path):
    """Coded tables (unit_code/uCode and the plan's codes as headers; COINr's countries) keep their own readers; a
    table people make goes through the ingest layer; reading options need a table."""
    coded = read_panel(BENCH, ["i01", "i08"])
    assert "reader" not in coded.source and len(coded.problems) == 0
    yearbook = tmp_path / "y.csv"
    yearbook.write_text("代码,地区,年份,常住人口（万人）\n410802,解放区,2020,34.7382\n410803,中站区,2020,10.7281\n",
                        encoding="utf-8")
    p = read_panel(yearbook, ["pop_total"])
    assert p.source["reader"] == "ingest" and p.units == ["410802", "410803"]
    np.testing.assert_allclose(p.values[0, :, 0], [347382, 107281])
    # the same indicator as a code column with county codes: read as it is
    coded_cn = tmp_path / "c.csv"
    coded_cn.write_text("unit_code,year,pop_total\n410802,2020,347382\n410803,2020,107281\n", encoding="utf-8")
    c = read_panel(coded_cn, ["pop_total"])
    assert "reader" not in c.source
    np.testing.assert_array_equal(c.values, p.values)
    # a county-coded file without the plan's code as a header (a yearbook header instead) goes to the ingest
    mixed = tmp_path / "m.csv"
    mixed.write_text("unit_code,year,常住人口\n410802,2020,347382\n", encoding="utf-8")
    assert read_panel(mixed, ["pop_total"]).source["reader"] == "ingest"
    # long with indicator codes: as it is; long naming the indicator in words: the ingest, as import reads it
    long_codes = tmp_path / "lc.csv"
    long_codes.write_text("unit_code,period,indicator,value\n410802,2020,pop_total,347382\n", encoding="utf-8")
    assert "reader" not in read_panel(long_codes, ["pop_total"]).source
    long_words = tmp_path / "lw.csv"
    long_words.write_text("unit_code,period,indicator,value,unit\n410802,2020,常住人口,34.7382,万人\n", encoding="utf-8")
    lw = read_panel(long_words, ["pop_total"])
    assert lw.source["reader"] == "ingest" and lw.values[0, 0, 0] == pytest.approx(347382)
    # a reading option sends even a coded file through the ingest; a binary panel takes none
    assert read_panel(coded_cn, ["pop_total"], period="2020").source["read_options"] == {"period": "2020"}
    npz = tmp_path / "p.npz"
    np.savez(npz, values=np.zeros((1, 2, 1)), years=np.array(["2020"]), units=np.array(["a", "b"]), columns=np.array(["x"]))
    with pytest.raises(XianpingInputError, match="binary panel"):
        read_panel(npz, ["x"], mapping="m.yaml")


def test_large_utf16_file_read_like_utf8(tmp_path):
    """A wide UTF-16 LE file over a megabyte (Excel's "Unicode text"): the first-megabyte look at its header and units
    is cut at b"\\n", which leaves the line end's zero byte behind; it reads as the UTF-8 file does."""
    lines = BENCH.read_text(encoding="utf-8").splitlines()[1:]
    rows = [r.split(",") for r in lines] * 60  # 18,000 rows, ~1.5 MB in UTF-16
    text = "unit_code,unit_name,I01,I08\n" + "".join(f"U{i:05d},示例县{i},{r[1]},{r[2]}\n" for i, r in enumerate(rows))
    utf8, utf16 = tmp_path / "w8.csv", tmp_path / "w16.csv"
    utf8.write_bytes(text.encode("utf-8"))
    utf16.write_bytes(text.encode("utf-16-le"))
    assert utf16.stat().st_size > 1 << 20
    want, got = read_panel(utf8, ["i01", "i08"]), read_panel(utf16, ["i01", "i08"])
    assert got.units == want.units and got.unit_names["U17999"] == "示例县17999"
    np.testing.assert_array_equal(got.values, want.values)


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_infinite_values_refused_with_their_cells(tmp_path, layout):
    """'inf', '-Infinity' and '1e999' (a double's overflow) would zero an indicator's normalisation for every unit:
    refused as not_finite with file, row and column — on the wide file's pandas path and the long file's reader.
    A blank line before them keeps the rows counted as the file's."""
    lines = BENCH.read_text(encoding="utf-8").replace("uCode", "unit_code").splitlines()
    bad = {4: "inf", 7: "-Infinity", 10: "1e999"}  # file row → value put in I08
    if layout == "wide":
        out = [lines[0], lines[1], ""] + lines[2:]  # the blank line is row 3
        for row, v in bad.items():
            out[row - 1] = ",".join(out[row - 1].split(",")[:2] + [v])
        column = "I08"
    else:
        out, column = ["unit_code,year,indicator,value"], "value"
        for r in lines[1:]:
            u, a, b = r.split(",")
            out += [f"{u},2020,I01,{a}", f"{u},2020,I08,{b}"]
        for row, v in bad.items():
            out[row - 1] = ",".join(out[row - 1].split(",")[:3] + [v])
    path = tmp_path / f"{layout}.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    with pytest.raises(XianpingInputError, match="inf|infinite") as e:
        read_panel(path, ["i01", "i08"])
    errs = e.value.report.errors
    assert [(p.kind, p.row, p.column, p.file) for p in errs] == [("not_finite", row, column, str(path)) for row in bad]
    # a finite file of the same layout reads (the check refuses only the infinities)
    for row in bad:
        out[row - 1] = ",".join(out[row - 1].split(",")[:-1] + ["1.5"])
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    assert np.isfinite(read_panel(path, ["i01", "i08"]).values).all()
