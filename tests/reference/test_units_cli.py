"""`xianping units …` through typer's CliRunner on the real app."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from xianping.cli.main import app

runner = CliRunner()


def test_lookup_table():
    r = runner.invoke(app, ["units", "lookup", "修武", "--year", "2024"])
    assert r.exit_code == 0, r.output
    assert "410821" in r.output and "焦作市" in r.output and "412227" not in r.output


def test_lookup_json_ambiguous():
    r = runner.invoke(app, ["units", "lookup", "朝阳区", "--year", "2024", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert {d["code"] for d in data} == {"110105", "220104"}
    assert all(d["level"] == "county" and d["kind"] == "市辖区" and d["parents"] for d in data)


def test_lookup_json_traditional_with_successors():
    data = json.loads(runner.invoke(app, ["units", "lookup", "偃師市", "--json"]).output)
    assert data[0]["code"] == "410381" and data[0]["end"] == 2021
    assert data[0]["successors"][0] == {"code": "410307", "name": "偃师区", "year": 2021, "change_type": "撤市设区", "partial": False, "doc_no": "国函〔2021〕10号"}


def test_lookup_no_match_exits_1():
    assert runner.invoke(app, ["units", "lookup", "不存在县"]).exit_code == 1
    r = runner.invoke(app, ["units", "lookup", "偃师市", "--year", "2022", "--json"])
    assert r.exit_code == 1 and json.loads(r.output) == []


def test_crosswalk():
    r = runner.invoke(app, ["units", "crosswalk", "410381", "--from", "2020", "--to", "2024"])
    assert r.exit_code == 0, r.output
    assert "410307" in r.output and "2021" in r.output and "撤市设区" in r.output
    data = json.loads(runner.invoke(app, ["units", "crosswalk", "410306", "--from", "2020", "--to", "2024", "--json"]).output)
    assert data["targets"] == [{"code": "410308", "name": "孟津区"}]
    assert data["steps"][0]["change_type"] == "合并"


def test_crosswalk_bad_code():
    r = runner.invoke(app, ["units", "crosswalk", "410381", "--from", "2023", "--to", "2024"])
    assert r.exit_code == 1


def test_register(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("code,name,parent_code,level\n410821100,城关镇,410821,town\n410821100001,东关村,410821100,village\n", encoding="utf-8")
    r = runner.invoke(app, ["units", "register", str(good)])
    assert r.exit_code == 0, r.output
    assert "1 town(s) and 1 village(s)" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code,level\n410822100,错镇,410821,town\n", encoding="utf-8")
    r = runner.invoke(app, ["units", "register", str(bad), "--json"])
    assert r.exit_code == 1
    problems = json.loads(r.output)
    assert problems[0]["kind"] == "prefix_mismatch" and problems[0]["row"] == 2 and problems[0]["column"] == "code"


def test_register_into_store_then_lookup_crosswalk_and_import(tmp_path):
    from xianping.ingest import import_table
    from xianping.store import open_store

    db = tmp_path / "s.duckdb"
    towns = tmp_path / "towns.csv"
    towns.write_text("code,name,parent_code,level\n410821100,城关镇,410821,town\n410821101,郇封镇,410821,town\n", encoding="utf-8")
    village = tmp_path / "village.csv"
    village.write_text("code,name,parent_code,level\n410821100201,东关村,410821100,village\n", encoding="utf-8")
    r = runner.invoke(app, ["units", "register", str(towns), "--store", str(db)])
    assert r.exit_code == 0 and "2 town(s) and 0 village(s) registered" in r.output, r.output
    # a village under a town registered by an earlier run
    r = runner.invoke(app, ["units", "register", str(village), "--store", str(db)])
    assert r.exit_code == 0 and "0 town(s) and 1 village(s) registered" in r.output, r.output
    with open_store(db) as st:
        assert [(s["code"], s["parent_code"], s["level"]) for s in st.subunits()] == [
            ("410821100", "410821", "town"), ("410821100201", "410821100", "village"), ("410821101", "410821", "town")]
    # a bad file stores nothing, not even its good rows
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code,level\n410821102,西村乡,410821,town\n410822100,错镇,410821,town\n", encoding="utf-8")
    r = runner.invoke(app, ["units", "register", str(bad), "--store", str(db), "--json"])
    assert r.exit_code == 1 and [p["kind"] for p in json.loads(r.output)] == ["prefix_mismatch"]
    with open_store(db) as st:
        assert len(st.subunits()) == 3

    r = runner.invoke(app, ["units", "lookup", "东关村", "--store", str(db), "--json"])
    assert r.exit_code == 0 and json.loads(r.output)[0]["full_name"] == "河南省焦作市修武县城关镇东关村"
    assert runner.invoke(app, ["units", "lookup", "东关村", "--json"]).exit_code == 1  # not without the store
    r = runner.invoke(app, ["units", "crosswalk", "410821100", "--from", "2020", "--to", "2024", "--store", str(db), "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["targets"] == [{"code": "410821100", "name": "城关镇"}]

    table = tmp_path / "long.csv"
    # 9-digit town code in its 12-digit statistical form, a 12-digit village, the county itself
    table.write_text("unit_code,period,indicator,value\n410821100000,2023,pop_total,50000\n"
                     "410821100201,2023,pop_total,3000\n410821000000,2023,pop_total,250000\n", encoding="utf-8")
    with open_store(db) as st:
        res = import_table(table, st)
        assert res.observations == 3
        assert {r["unit_code"]: r["value"] for r in st.observations()} == {
            "410821100": 50000, "410821100201": 3000, "410821": 250000}
