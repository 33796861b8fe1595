"""`xianping extract` / `xianping repair` end to end, with --check and --import against a fresh store."""

import json

from typer.testing import CliRunner

from xianping.cli.main import app

REPORT = ("温县2023年国民经济和社会发展统计公报\n全年实现地区生产总值221.3亿元,比上年增长5.2%。"
          "年末常住人口城镇化率为58.2%。完成投资.6亿元。\n转载请注明:http://example.com/x.html\n")


def test_extract_jsonl_csv_xlsx(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text(REPORT, encoding="utf-8")
    r = CliRunner().invoke(app, ["extract", str(f)])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.output.splitlines()]
    for k in ("source", "region_code", "region_name", "period", "indicator", "value", "unit", "growth_pct",
              "change_pp", "comparison", "rank", "flags", "span", "sentence"):
        assert k in rows[0]
    assert rows[0]["indicator"] == "gdp" and rows[0]["region_code"] == "410825"
    assert any(x["value"] is None and "damaged_number" in x["flags"] for x in rows)
    assert CliRunner().invoke(app, ["extract", str(f), "--format", "csv"]).output.startswith("source,")
    out = tmp_path / "s.xlsx"
    assert CliRunner().invoke(app, ["extract", str(f), "--format", "xlsx", "-o", str(out)]).exit_code == 0
    assert out.stat().st_size > 0


def test_repair_prints_clean_text(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text("據(jù)報(bào)道,縣域經濟\n冀ICP备2021000000号\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["repair", str(f)])
    assert r.exit_code == 0 and r.output.strip() == "据报道,县域经济"


def test_import_then_check(tmp_path):
    from xianping.store import open_store

    f = tmp_path / "r.txt"
    f.write_text(REPORT, encoding="utf-8")
    db = tmp_path / "p.duckdb"
    r = CliRunner().invoke(app, ["extract", str(f), "--import", "--store", str(db)])
    assert r.exit_code == 0, r.output
    with open_store(db) as st:
        obs = {(o["indicator"], o["period"]): o for o in st.observations(units=["410825"])}
    assert obs[("gdp", "2023")]["value"] == 221.3 and obs[("gdp", "2023")]["source"] == "report"
    assert obs[("gdp_growth", "2023")]["value"] == 5.2
    assert "span=" in obs[("gdp", "2023")]["flags"]
    assert obs[("urbanisation_rate", "2023")]["value"] == 58.2
    f2 = tmp_path / "r2.txt"
    f2.write_text(REPORT.replace("221.3", "230.0"), encoding="utf-8")
    r = CliRunner().invoke(app, ["extract", str(f2), "--check", "--store", str(db)])
    assert r.exit_code == 1 and "conflict" in r.output and "230" in r.output


def test_store_without_check_or_import_is_refused(tmp_path):
    """--store alone would be ignored: refused, naming the option; --check (a read) on a store that does not exist is
    'store X does not exist' as every read command says it; neither creates a store; --import creates one."""
    import subprocess
    import sys
    from pathlib import Path

    f = tmp_path / "r.txt"
    f.write_text(REPORT, encoding="utf-8")
    exe = str(Path(sys.executable).with_name("xianping"))
    db = tmp_path / "nosuch.duckdb"
    r = subprocess.run([exe, "extract", str(f), "--store", str(db)], capture_output=True, text=True, cwd=tmp_path)
    out = "".join(r.stderr.split())
    assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr
    assert f"--store{db}" in out and "onlywith--checkor--import" in out and r.stdout == ""
    r = subprocess.run([exe, "extract", str(f), "--check", "--store", str(db)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and f"store{db}doesnotexist" in "".join(r.stderr.split()), r.stderr
    assert not list(tmp_path.glob("nosuch*"))
    r = subprocess.run([exe, "extract", str(f), "--import", "--store", str(db)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and db.exists(), r.stderr


def test_import_of_real_documents_stores_observations_not_targets(tmp_path):
    """Two devset documents (real texts) imported: what the store holds is what a reader takes from them —
    宜章县's 2023 figures under 431022, 五莲县's 2012 results under 371121 (日照市 is named too) — and none of the
    五莲县 2013 targets (计划/预期目标), none of the pulls, shares or counts without a library indicator."""
    from pathlib import Path

    from xianping.store import open_store

    dev = Path(__file__).parent / "devset"
    db = tmp_path / "p.duckdb"
    r = CliRunner().invoke(app, ["extract", str(dev / "yizhang_2023_bulletin.txt"), str(dev / "wulian_2013_news.txt"),
                                 "--import", "--store", str(db)])
    assert r.exit_code == 0, r.output
    with open_store(db) as st:
        got = {(o["unit_code"], o["period"], o["indicator"], o["value"], o["unit"])
               for o in st.observations(units=["431022", "371121"])}
    # read by hand from the two texts (see their gold files): 地区生产总值276.29亿元,比上年增长5.1%;
    # 第三产业增加值…增长3.5%; 城镇登记失业率0.7%; 五莲县2012年…生产总值163亿元,比上年增长13%;
    # 城镇居民人均可支配收入…18817元
    assert got == {("431022", "2023", "gdp", 276.29, "亿元"), ("431022", "2023", "gdp_growth", 5.1, "%"),
                   ("431022", "2023", "tertiary_va_growth", 3.5, "%"),
                   ("431022", "2023", "urban_unemployment_rate", 0.7, "%"),
                   ("371121", "2012", "gdp", 163.0, "亿元"), ("371121", "2012", "gdp_growth", 13.0, "%"),
                   ("371121", "2012", "income_urban", 18817.0, "元")}
