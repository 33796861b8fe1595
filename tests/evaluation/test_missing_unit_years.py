"""A unit with values in some evaluated years and none in another is named in a warning (console and manifest), for
every reader: here a coded wide file (the pandas pass), where nothing else would say so."""

import textwrap

import numpy as np

from xianping.evaluation import evaluate
from xianping.reference.divisions import get_gazetteer

FW = textwrap.dedent("""\
    code: gaps
    name_zh: 缺年
    name_en: Gaps
    root:
      code: idx
      name_zh: 指数
      children:
        - {code: a, name_zh: A, indicator: {code: pop_total}}
        - {code: b, name_zh: B, indicator: {code: urbanisation_rate}}
    """)


def test_units_missing_a_year_are_named(tmp_path):
    (tmp_path / "fw.yaml").write_text(FW, encoding="utf-8")
    henan = [d for d in get_gazetteer().counties_in(2024) if d.code.startswith("41") and d.level == "county"][:30]
    rows = ["unit_code,year,pop_total,urbanisation_rate"]
    for y in (2020, 2021, 2022):
        for i, d in enumerate(henan):
            if y == 2021 and i < 23:
                continue  # 23 counties absent in 2021
            if y == 2022 and i == 29:
                rows.append(f"{d.code},{y},,")  # a row with no values counts as absent too
                continue
            rows.append(f"{d.code},{y},{300000 + 1000 * i + y},{40 + i * 0.5}")
    f = tmp_path / "coded.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = evaluate(str(tmp_path / "fw.yaml"), data=str(f))
    assert "reader" not in r.manifest["data"]  # the coded reader, not the ingest
    gaps = [w for w in r.manifest["warnings"] if w["kind"] == "unit_year_missing"]
    assert [w["value"] for w in gaps] == ["2021", "2022"]
    first, second = gaps
    assert first["message"].startswith("23 unit(s) have no data in 2021 but do in other years (2020, 2022): "
                                       f"{henan[0].code} {henan[0].full_name}, ")
    assert first["message"].count(", 41") == 19 and "… and 3 more" in first["message"]
    assert second["message"].startswith(f"1 unit(s) have no data in 2022 but do in other years (2020, 2021): "
                                        f"{henan[29].code} {henan[29].full_name};")
    t = r.years.index("2021")
    assert np.isnan(r.scores[t, :23, -1]).all() and not np.isnan(r.scores[t, 23:, -1]).any()
