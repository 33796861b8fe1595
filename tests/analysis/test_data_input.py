"""`xianping analyse … --data FILE` reads the same files as `evaluate`: a GBK table from Chinese Excel and a gzipped
one give the same input as the UTF-8 file (real county codes and names from the bundled gazetteer)."""

import gzip

import numpy as np

from xianping.analysis.tables import from_data_csv

TEXT = "代码,名称,年份,gdp_pc\n410802,解放区,2020,61234.5\n410803,中站区,2020,58123\n410804,马村区,2020,49876.25\n"


def test_gbk_and_gzip_tables(tmp_path):
    plain = tmp_path / "utf8.csv"
    plain.write_text(TEXT, encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(TEXT.encode("gbk"))
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(TEXT.encode("utf-8")))
    want = from_data_csv(plain)
    assert want.units == ["410802", "410803", "410804"] and want.unit_names[0] == "解放区"
    for p in (gbk, gz):
        got = from_data_csv(p)
        assert got.units == want.units and got.unit_names == want.unit_names and got.years == ["2020"]
        np.testing.assert_array_equal(got.values, want.values)
    assert want.values[0, 2, want.columns.index("gdp_pc")] == 49876.25
