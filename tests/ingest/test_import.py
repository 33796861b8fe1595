"""Imports of real tables into a real DuckDB store: the census excerpts, crosswalks, encodings, layouts, export.

Census excerpts: tests/ingest/data (Dong, Du & Liu 2022, MIT; see data/README.md).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xianping.ingest import import_table
from xianping.problems import XianpingInputError
from xianping.store import open_store

DATA = Path(__file__).parent / "data"
C2010 = DATA / "census_county_2010_excerpt.xlsx"
C2020 = DATA / "census_county_2020_excerpt.xlsx"
SHARED = Path("/work/shared/data/census")


def excerpt_2020(tmp_path) -> Path:
    """The 2020 excerpt without its 拱墅区 row (10): 拱墅区 330105 of 2024 also takes in 下城区 330103, which
    the excerpt lacks, so crosswalking it to 2024 is refused (merge_incomplete; see the test below)."""
    from openpyxl import load_workbook

    wb = load_workbook(C2020)
    ws = wb.active
    assert ws.cell(10, 1).value == 330105
    ws.delete_rows(10)
    out = tmp_path / "census_2020_excerpt_trimmed.xlsx"
    wb.save(out)
    return out


def values(store, indicator, period=None):
    return {r["unit_code"]: r["value"] for r in store.observations(indicators=[indicator], periods=[period] if period else None)}


def write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


# -- census 2010: multi-line headers, subtotal rows, spam last row, 2010 codes ------------------------------

def test_census_2010_excerpt(tmp_path):
    with open_store(tmp_path / "s.duckdb", code_vintage=2010) as store:
        res = import_table(C2010, store, period="2010", trust_codes=True)
        pop = values(store, "pop_total")
        # 焦作 counties, numbers as printed in the census table
        assert pop["410802"] == 295695 and pop["410883"] == 367113
        # 崇文区 was abolished in July 2010; the census (1 Nov 2010) still reports it
        assert pop["110103"] == 346073
        # subtotal rows (北京市, 市辖区, 洛阳市 …) are left out, not stored as units
        assert not {"110000", "410300", "410800", "232700"} & set(pop)
        # header '少数民族\n人口比重\n（%）' etc: multi-line headers with bracketed units are read
        assert values(store, "edu_years")["410802"] == 11.14
        notes = {(p.kind, p.row) for p in res.notes}
        assert ("subtotal_row", 3) in notes  # 市辖区 without a code
        assert ("subtotal_row", 38) in notes  # 焦作市 410800 with its counties below
        assert ("footnote_row", 49) in notes  # 首发论坛：经济学家bbs.jjxj.org
        assert ("name_variant", 12) in notes or "130981" in pop  # 泊头巿 (U+5DFF) reads as 泊头市
        assert {p.row for p in res.notes if p.kind == "missing_code"} == {16, 17, 18, 19}  # 大兴安岭 rows w/o code
        swapped = [p for p in res.notes if p.kind == "name_code_mismatch"]
        assert [(p.row, p.value, p.severity) for p in swapped] == [(10, "丰润区", "warning"), (11, "丰南区", "warning")]
        assert res.units == len(pop) and "pop_total" in res.indicators


def test_census_2010_swapped_names_rejected_without_trust_codes(tmp_path):
    with open_store(tmp_path / "s.duckdb", code_vintage=2010) as store:
        with pytest.raises(XianpingInputError) as err:
            import_table(C2010, store, period="2010")
        errs = err.value.report.errors
        assert [(p.kind, p.row, p.value) for p in errs] == [("name_code_mismatch", 10, "丰润区"), ("name_code_mismatch", 11, "丰南区")]
        assert store.observations() == []


def test_census_headers_that_only_resemble_library_names_are_left_out(tmp_path):
    # 2010 人口数 sits under 家庭户 (family-household population), not the resident total (合计);
    # 2020 家庭户户数 (housing section) repeats 家庭户数 — neither may clash with the real columns
    r10 = import_table(C2010, None, period="2010", dry_run=True, trust_codes=True, code_year=2010)
    rule = write(tmp_path / "split.csv", "source,target,share\n330104,330102,0.4\n330104,330114,0.6\n")
    r20 = import_table(excerpt_2020(tmp_path), None, period="2020", dry_run=True, code_year=2020, split_rule=rule)
    for res, header in ((r10, "人口数"), (r20, "家庭户户数")):
        assert any(p.kind == "unmapped_header" and p.column == header for p in res.notes)
        assert "pop_total" in res.indicators and "households" in res.indicators


# -- census 2020 with a crosswalk to 2024 codes -------------------------------------------------------------

def test_census_2020_excerpt_crosswalk_merge_and_split(tmp_path):
    rule = write(tmp_path / "split.csv", "source,target,share\n330104,330102,0.4\n330104,330114,0.6\n")
    with open_store(tmp_path / "s.duckdb") as store:
        res = import_table(excerpt_2020(tmp_path), store, period="2020", code_year=2020, split_rule=rule)
        pop, edu = values(store, "pop_total"), values(store, "edu_years")
        # 偃师市 410381 → 偃师区 410307 (2021 撤市设区), 1:1
        assert pop["410307"] == 545632 and "410381" not in pop
        # 吉利区 410306 + 孟津县 410322 → 孟津区 410308: totals add, means weight by population
        assert pop["410308"] == 69142 + 416845
        assert edu["410308"] == pytest.approx((10.81 * 69142 + 9.47 * 416845) / (69142 + 416845))
        rows = {r["unit_code"]: r for r in store.observations(indicators=["edu_years"])}
        assert "crosswalk:merge:410306+410322" in rows["410308"]["flags"]
        # 江干区 330104 split between 上城区 330102 (which also keeps its own people) and 钱塘区 330114
        assert pop["330114"] == pytest.approx(0.6 * 1487787)
        assert pop["330102"] == pytest.approx(357657 + 0.4 * 1487787)
        # a mean over a split unit is carried to each part, flagged
        assert edu["330114"] == 12.02
        assert edu["330102"] == pytest.approx((11.55 * 357657 + 12.02 * 0.4 * 1487787) / (357657 + 0.4 * 1487787))
        assert not {"NA", "410871", "410371"} & set(pop)  # 全国, development zones left out
        kinds = {p.kind for p in res.notes}
        assert {"subtotal_row", "non_admin_zone"} <= kinds


# -- small hand-written tables ------------------------------------------------------------------------------

def test_census_2020_excerpt_refuses_an_incomplete_merge(tmp_path):
    # 拱墅区 330105 (2024) = 下城区 330103 + 拱墅区 330105 (2020); the excerpt has only the latter
    rule = write(tmp_path / "split.csv", "source,target,share\n330104,330102,0.4\n330104,330114,0.6\n")
    with pytest.raises(XianpingInputError) as err:
        import_table(C2020, None, period="2020", code_year=2020, split_rule=rule, dry_run=True)
    (p,) = err.value.report.errors
    assert (p.kind, p.row, p.column, p.value) == ("merge_incomplete", 10, "区划代码", "330103")
    assert "330105 拱墅区" in p.message and "330103 下城区" in p.message
    assert p.expected == "rows for all of 330103, 330105, or codes of the store's vintage"


def test_merge_with_a_source_missing_is_refused_for_sums_and_weighted_means(tmp_path):
    # 吉利区 410306 + 孟津县 410322 → 孟津区 410308 (2021): a table with 孟津县 alone cannot give 孟津区
    f = write(tmp_path / "m.csv", "代码,常住人口,城镇化率\n410322,416845,40.0\n410381,545632,55.5\n")
    with open_store(tmp_path / "s.duckdb") as store:
        with pytest.raises(XianpingInputError) as err:
            import_table(f, store, period="2020", code_year=2020)
        (p,) = err.value.report.errors  # one problem per target and missing sources, whatever the indicators
        assert (p.kind, p.row, p.column, p.value) == ("merge_incomplete", 2, "代码", "410306")
        assert "410308 孟津区" in p.message and "410306 吉利区" in p.message and "more indicator" in p.message
        assert p.expected == "rows for all of 410306, 410322, or codes of the store's vintage"
        assert store.observations() == []  # nothing half-stored
    # a weighted mean whose co-source lacks the value (but has the weight) is incomplete too
    f = write(tmp_path / "l.csv", "unit_code,period,indicator,value\n410306,2020,pop_total,69142\n"
                                  "410322,2020,pop_total,416845\n410322,2020,urbanisation_rate,40\n")
    with pytest.raises(XianpingInputError) as err:
        import_table(f, None, code_year=2020, dry_run=True)
    (p,) = err.value.report.errors
    assert (p.kind, p.row, p.value) == ("merge_incomplete", 4, "410306") and "urbanisation_rate 2020" in p.message


def test_target_taking_part_of_an_undistributed_split_is_kept_with_a_warning(tmp_path):
    # 上城区 330102 (2024) = 上城区 (2020) + part of 江干区 330104; without 江干区 rows its value is partial
    f = write(tmp_path / "p.csv", "代码,常住人口,来源\n330102,357657,census2020\n")
    with open_store(tmp_path / "s.duckdb") as store:
        res = import_table(f, store, period="2020", code_year=2020)
        (w,) = [p for p in res.notes if p.kind == "merge_partial"]
        assert (w.severity, w.row, w.value) == ("warning", 2, "330104") and "330102 上城区" in w.message
        (r,) = store.observations()
        assert (r["unit_code"], r["value"], r["source"]) == ("330102", 357657, "census2020")
        assert r["flags"] == "crosswalk:partial:330104;crosswalk:merge:330102"


def test_same_file_twice_changes_nothing(tmp_path):
    f = write(tmp_path / "t.csv", "代码,地区,常住人口\n410802,解放区,347382\n410803,中站区,107281\n")
    with open_store(tmp_path / "s.duckdb") as store:
        first = import_table(f, store, period="2020")
        second = import_table(f, store, period="2020")
        assert second.already_imported and second.batch_id == first.batch_id
        assert "already imported with the same options as batch 1" in second.notes.problems[0].message
        assert len(store.batches()) == 1 and len(store.observations()) == 2
        # the same content under another period is a different import
        third = import_table(f, store, period="2021")
        assert third.batch_id == 2 and third.stored == 2


def test_conflicting_second_file_is_rejected_whole(tmp_path):
    a = write(tmp_path / "a.csv", "代码,常住人口\n410802,347382\n")
    b = write(tmp_path / "b.csv", "代码,常住人口\n410803,107281\n410802,340000\n")
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(a, store, period="2020")
        with pytest.raises(XianpingInputError) as err:
            import_table(b, store, period="2020")
        p = err.value.report.errors[0]
        assert (p.kind, p.row, p.column, p.value) == ("stored_conflict", 3, "常住人口", 340000.0)
        assert set(values(store, "pop_total")) == {"410802"}


def test_gbk_csv_with_title_rows(tmp_path):
    f = tmp_path / "gbk.csv"
    f.write_bytes("焦作市主要指标\n单位：见表头\n代码,地区,常住人口（万人）,城镇化率（%）\n410802,解放区,34.7382,95.5\n".encode("gbk"))
    with open_store(tmp_path / "s.duckdb") as store:
        res = import_table(f, store, period="2020")
        assert res.header_row == 3
        assert values(store, "pop_total")["410802"] == pytest.approx(347382)
        assert values(store, "urbanisation_rate")["410802"] == 95.5


def test_utf8_bom_csv(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes("\ufeff代码,常住人口\n410802,\"1,234\"\n".encode("utf-8"))
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(f, store, period="2020")
        assert values(store, "pop_total") == {"410802": 1234.0}


def test_long_layout_with_units_and_quarters(tmp_path):
    f = write(tmp_path / "long.csv",
              "代码,年份,指标,值,单位\n"
              "410802,2020Q1,地区生产总值,12000,万元\n"
              "410802,2020年第二季度,地区生产总值,2.5,亿元\n"
              "410803,2020-03,常住人口,10.7,万人\n"
              "410803,2020-03,城镇化率,—,%\n"
              "410803,2020-03,不知道的指标,5,个\n")
    with open_store(tmp_path / "s.duckdb") as store:
        res = import_table(f, store)
        assert res.layout == "long"
        assert values(store, "gdp") == {"410802": pytest.approx(1.2)} or values(store, "gdp", "2020Q1") == {"410802": pytest.approx(1.2)}
        assert values(store, "gdp", "2020Q2") == {"410802": 2.5}
        assert values(store, "pop_total", "2020-03") == {"410803": pytest.approx(107000)}
        miss = store.observations(indicators=["urbanisation_rate"])[0]
        assert miss["value"] is None and miss["flags"] == "missing:—"
        assert [p.value for p in res.notes if p.kind == "unmapped_indicator"] == ["不知道的指标"]


def test_long_table_keeps_row_source_and_flags(tmp_path):
    f = write(tmp_path / "long.csv",
              "unit_code,period,indicator,value,unit,来源,标记\n"
              "410802,2020,gdp,12000,万元,统计年鉴2021,estimated\n"
              "410803,2020,gdp,3.5,亿元,,\n"
              "410804,2020,gdp,—,亿元,公报,revised;late\n")
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(f, store, source="mine")
        rows = {r["unit_code"]: r for r in store.observations(indicators=["gdp"])}
        # the row's source wins; a blank source cell falls back to --source
        assert {c: r["source"] for c, r in rows.items()} == {"410802": "统计年鉴2021", "410803": "mine", "410804": "公报"}
        # the row's flags come first, then those the import adds
        assert rows["410802"]["flags"] == "estimated;converted×0.0001"
        assert rows["410803"]["flags"] is None
        assert rows["410804"]["flags"] == "revised;late;missing:—"


def test_long_table_row_source_survives_a_crosswalk(tmp_path):
    f = write(tmp_path / "long.csv",
              "unit_code,period,indicator,value,source,flags\n"
              "410381,2020,pop_total,545632,census2020,\n")
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(f, store, code_year=2020)
        (r,) = store.observations(indicators=["pop_total"])
        assert (r["unit_code"], r["source"], r["flags"]) == ("410307", "census2020", "crosswalk:recode:410381")


def test_bundled_demo_panel_keeps_sources_and_flags(tmp_path):
    from xianping.demo.load_demo import bundled_panel_bytes

    f = tmp_path / "panel.csv"
    f.write_bytes(bundled_panel_bytes())
    with open_store(tmp_path / "s.duckdb") as store:
        res = import_table(f, store, source="bundled")
        assert res.layout == "long" and res.stored == res.observations
        with store.session():  # the store is open only inside an operation or a session
            sources = {r[0] for r in store._con.execute("SELECT DISTINCT source FROM observations").fetchall()}
        assert sources == {"ceads_co2", "census2010", "census2020", "ceads_co2/census2010"}
        # 崇文区 110103 merged into 东城区 110101 in 2010: the census 2010 value is the merged one, flagged
        (r,) = store.observations(indicators=["pop_total"], units=["110101"], periods=["2010"])
        assert (r["source"], r["flags"]) == ("census2010", "crosswalk:merge:110101+110103")
        # CEADs already uses the 2010 东城区 (its footnote: 2010 divisions), so its values carry no crosswalk flag
        (r,) = store.observations(indicators=["co2_total"], units=["110101"], periods=["1997"])
        assert (r["source"], r["flags"]) == ("ceads_co2", None)


def test_unit_conversion_wan_yuan_to_yi_yuan(tmp_path):
    f = write(tmp_path / "gdp.csv", "代码,地区生产总值（万元）\n410802,1234500\n410803,3\n")
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(f, store, period="2020")
        rows = {r["unit_code"]: r for r in store.observations(indicators=["gdp"])}
        assert rows["410802"]["value"] == 123.45 and rows["410802"]["unit"] == "亿元"
        assert rows["410803"]["value"] == 0.0003  # no float noise from ×1e-4
        assert rows["410802"]["flags"] == "converted×0.0001"


def test_merge_weights_urbanisation_by_population(tmp_path):
    f = write(tmp_path / "m.csv", "代码,常住人口,城镇化率\n410306,69142,80.0\n410322,416845,40.0\n410381,545632,55.5\n")
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(f, store, period="2020", code_year=2020)
        assert values(store, "pop_total") == {"410307": 545632, "410308": 69142 + 416845}
        u = values(store, "urbanisation_rate")
        assert u["410308"] == pytest.approx((80.0 * 69142 + 40.0 * 416845) / (69142 + 416845))
        assert u["410307"] == 55.5


def test_name_only_rows_resolve_through_gazetteer(tmp_path):
    f = write(tmp_path / "n.csv", "省,市,区县,常住人口\n河南省,焦作市,修武县,248585\n河南省,焦作市,温县,393838\n山东省,济南市,市中区,700000\n")
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(f, store, period="2020")
        assert values(store, "pop_total") == {"410821": 248585, "410825": 393838, "370103": 700000}


def test_name_only_rows_short_names_paths_and_traditional(tmp_path):
    # 新林区 (a 大兴安岭 district without a code) must not resolve to 新县 through the short name 新
    f = write(tmp_path / "n.csv", "区县,常住人口\n新林区,50000\n焦作市修武县,248585\n沁陽市,440000\n")
    with pytest.raises(XianpingInputError) as err:
        import_table(f, None, period="2020", dry_run=True)
    assert [(p.kind, p.row, p.value) for p in err.value.report.errors] == [("unknown_unit", 2, "新林区")]
    f = write(tmp_path / "ok.csv", "区县,常住人口\n焦作市修武县,248585\n沁陽市,440000\n")
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(f, store, period="2020")
        assert values(store, "pop_total") == {"410821": 248585, "410882": 440000}


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_export_round_trip_after_import(tmp_path, suffix):
    f = write(tmp_path / "t.csv", "代码,常住人口,城镇化率（%）\n410802,347382,95.5\n410803,107281,—\n")
    out = tmp_path / f"out{suffix}"
    with open_store(tmp_path / "s.duckdb") as store:
        import_table(f, store, period="2020")
        n = store.export(out)
        original = [(r["unit_code"], r["period"], r["indicator"], r["value"]) for r in store.observations()]
    assert n == 4
    if suffix == ".csv":
        with open(out, encoding="utf-8") as fh:
            got = [(r["unit_code"], r["period"], r["indicator"], float(r["value"]) if r["value"] else None) for r in csv.DictReader(fh)]
    elif suffix == ".parquet":
        import duckdb

        got = duckdb.sql(f"SELECT unit_code, period, indicator, value FROM '{out}'").fetchall()
    else:
        from openpyxl import load_workbook

        rows = list(load_workbook(out, read_only=True)["observations"].iter_rows(values_only=True))
        assert rows[0][:4] == ("区划代码 unit_code", "时期 period", "指标 indicator", "数值 value")
        got = [(r[0], r[1], r[2], None if r[3] is None else float(r[3])) for r in rows[1:]]
    assert sorted(got, key=str) == sorted(original, key=str)


# -- the acceptance test: through the installed command -----------------------------------------------------

def test_acceptance_cli_rejects_unknown_code_text_and_150_percent(tmp_path):
    f = write(tmp_path / "bad.csv",
              "代码,地区,常住人口,城镇化率（%）\n"
              "410802,解放区,347382,95.5\n"
              "419999,无此县,100,50\n"
              "410803,中站区,约10万,60.1\n"
              "410804,马村区,120560,150\n")
    store = tmp_path / "s.duckdb"
    exe = Path(sys.executable).parent / "xianping"
    proc = subprocess.run([str(exe), "import", f.name, "--store", str(store), "--period", "2020"], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "400"})
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in out
    assert "3 problem(s) in bad.csv; nothing was stored" in out
    for kind, row, value, what in [("unknown_unit", "3", "'419999'", "unknown unit code 419999"),
                                   ("text_in_number", "4", "'约10万'", "text where a number belongs"),
                                   ("percent_out_of_range", "5", "'150'", "must lie within its valid range")]:
        line = next(ln for ln in out.splitlines() if what in ln)
        assert f"│ {row} " in line and value in line, (kind, line)
    with open_store(store) as s:
        assert s.observations() == [] and s.batches() == []


def test_cli_import_and_export(tmp_path):
    f = write(tmp_path / "ok.csv", "代码,常住人口\n410802,347382\n")
    store, out = tmp_path / "s.duckdb", tmp_path / "o.csv"
    exe = Path(sys.executable).parent / "xianping"
    env = {**os.environ, "COLUMNS": "200"}
    p = subprocess.run([str(exe), "import", str(f), "--store", str(store), "--period", "2020"], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    assert "batch 1" in p.stdout and "pop_total" in p.stdout
    p = subprocess.run([str(exe), "import", str(f), "--store", str(store), "--period", "2020"], capture_output=True, text=True, env=env)
    assert "already imported as batch 1" in p.stdout
    p = subprocess.run([str(exe), "export", "--store", str(store), "--out", str(out), "--indicator", "pop_total"],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0 and "exported 1" in p.stdout
    assert "410802" in out.read_text(encoding="utf-8")


def test_dry_run_stores_nothing(tmp_path):
    f = write(tmp_path / "ok.csv", "代码,常住人口\n410802,347382\n")
    with open_store(tmp_path / "s.duckdb") as store:
        res = import_table(f, store, period="2020", dry_run=True)
        assert res.observations == 1 and res.batch_id is None
        assert store.observations() == []


# -- the full shared files, when present ---------------------------------------------------------------------

@pytest.mark.skipif(not SHARED.exists(), reason="needs /work/shared")
def test_full_census_2010_and_2020(tmp_path):
    with open_store(tmp_path / "c2010.duckdb", code_vintage=2010) as store:
        r = import_table(SHARED / "census_county_2010_v1.xlsx", store, period="2010",
                         trust_codes=True)
        assert r.units > 2800 and r.stored == r.observations
        assert {p.row for p in r.notes if p.kind == "name_code_mismatch"} == {74, 75}
        assert any(p.kind == "footnote_row" and p.row == 3280 for p in r.notes)
    with open_store(tmp_path / "c2020.duckdb", code_vintage=2020) as store:
        r = import_table(SHARED / "census_county_2020_v1.xlsx", store, period="2020",
                         skip_unknown=True)
        assert r.units > 2800
        assert sorted(p.value for p in r.notes if p.kind == "unknown_unit") == [232761, 232762, 232763, 232764]
        assert values(store, "pop_total")["410802"] == 347382
    # 2010 → 2024 needs a share for each of the 24 split counties: the report lists every one
    with pytest.raises(XianpingInputError) as err:
        import_table(SHARED / "census_county_2010_v1.xlsx", None, period="2010", code_year=2010, dry_run=True,
                     trust_codes=True)
    assert [p.kind for p in err.value.report.errors].count("split_needs_rule") == 24
    # 三沙市 460300 (2012) = 西沙 + 南沙 + 中沙群岛; the 2010 census lists 西沙群岛 only
    (m,) = [p for p in err.value.report.errors if p.kind != "split_needs_rule"]
    assert (m.kind, m.row, m.value) == ("merge_incomplete", 2279, "469032+469033")


# -- one reading path (issue 12) and untrusted input (issue 13) --------------------------------------------------

def test_code_and_name_of_different_prefectures_is_an_error_unless_trust_codes(tmp_path):
    # 410822 is 博爱县 (焦作市); 偃师区 is 410307 of 洛阳市: a code typed wrong, not a former name
    f = write(tmp_path / "x.csv", "代码,地区,常住人口\n410802,解放区,347382\n410822,偃师区,545632\n")
    with pytest.raises(XianpingInputError) as err:
        import_table(f, None, period="2020", dry_run=True)
    (p,) = err.value.report.errors
    assert (p.kind, p.row, p.column, p.value) == ("name_code_mismatch", 3, "地区", "偃师区")
    assert "河南省焦作市博爱县" in p.message and "410307 河南省洛阳市偃师区" in p.message and "--trust-codes" in p.expected
    with open_store(tmp_path / "s.duckdb") as store:
        res = import_table(f, store, period="2020", trust_codes=True)
        (w,) = [p for p in res.notes if p.kind == "name_code_mismatch"]
        assert w.severity == "warning" and "kept under the code" in w.expected
        assert values(store, "pop_total") == {"410802": 347382, "410822": 545632}
    # the short name of the code's own unit is no mismatch
    g = write(tmp_path / "v.csv", "代码,地区,常住人口\n410822,博爱,1\n")
    res = import_table(g, None, period="2020", dry_run=True)
    assert res.units == 1 and not [p for p in res.notes if p.kind in ("name_code_mismatch", "name_variant")]


def test_header_with_a_typo_is_a_warning_with_did_you_mean(tmp_path):
    f = write(tmp_path / "t.csv", "代码,地区,人均GPD（元）,常住人口\n410802,解放区,61000,347382\n")
    res = import_table(f, None, period="2022", dry_run=True)
    (w,) = [p for p in res.notes if p.kind == "unmapped_header"]
    assert (w.severity, w.row, w.column) == ("warning", 1, "人均GPD（元）")
    assert "did you mean 人均GDP (gdp_per_capita)?" in w.message and "人均GPD（元）: gdp_per_capita" in w.expected
    assert res.indicators == ["pop_total"]
    # nothing near: still a warning, without a guess
    g = write(tmp_path / "g.csv", "代码,地区,备注说明,常住人口\n410802,解放区,无,347382\n")
    (w,) = [p for p in import_table(g, None, period="2022", dry_run=True).notes if p.kind == "unmapped_header"]
    assert w.severity == "warning" and "did you mean" not in w.message


def test_yuan_in_a_per_person_header_is_read_per_person_with_a_note(tmp_path):
    f = write(tmp_path / "t.csv", "代码,地区,人均GDP（元）\n410802,解放区,61000\n")
    g = write(tmp_path / "g.csv", "代码,地区,人均GDP（万元）\n410802,解放区,6.1\n")
    for path, want in ((f, 61000), (g, 61000)):
        res = import_table(path, None, period="2022", dry_run=True)
        assert res.frame["value"].tolist() == [pytest.approx(want)] and res.frame["indicator"].tolist() == ["gdp_per_capita"]
        (n,) = [p for p in res.notes if p.kind == "unit_per_person"]
        assert n.severity == "note" and "read as" in n.message and "元/人" in n.message
    # an amount that is not per person is still refused: people for 元/人
    h = write(tmp_path / "h.csv", "代码,地区,人均GDP（人）\n410802,解放区,61000\n")
    with pytest.raises(XianpingInputError) as err:
        import_table(h, None, period="2022", dry_run=True)
    assert err.value.report.errors[0].kind == "unit_mismatch"


def test_fifty_thousand_warned_rows_each_noted(tmp_path):
    """A warning on every row is collected once per row (the report is not re-scanned: issue 13). Time is measured in
    benchmarks/bench_import_warnings.py, not here; here every warning must be there, located."""
    from xianping.reference.divisions import get_gazetteer

    codes = [d.code for d in get_gazetteer().counties_in(2024) if d.level == "county"][:1000]
    lines = ["代码,月份,性别比"] + [f"{c},{2000 + m // 12}-{m % 12 + 1:02d},250" for m in range(50) for c in codes]
    f = write(tmp_path / "w.csv", "\n".join(lines) + "\n")
    res = import_table(f, None, dry_run=True)
    warned = [p for p in res.notes if p.kind == "implausible_value"]
    assert len(warned) == 50_000 == res.observations
    assert {p.row for p in warned} == set(range(2, 50_002)) and all(p.severity == "warning" for p in warned)


@pytest.mark.parametrize("header, expected", [
    ("人均GPD（元）", "gdp_per_capita"),            # two letters swapped
    ("一般公共预算收人（亿元）", "budget_revenue"),   # 人 for 入
    ("城镇化律（%）", "urbanisation_rate"),          # 律 for 率
    # a census table's neighbouring columns are other quantities, not typos (tests/ingest/data/census_county_2010_excerpt)
    ("85岁及以上（男）", None),                      # 85 ≠ 65
    ("平均受教育年限（年）-男", None),               # 男 ≠ 合计
    ("非农业户口人口比重（%）", None),               # three characters apart from 非农就业人口比重
])
def test_did_you_mean_only_for_slips(header, expected):
    from xianping.frameworks.library import load_library
    from xianping.ingest.map_headers import near_miss

    guess = near_miss(header, load_library())
    assert (guess[1] if guess else None) == expected
