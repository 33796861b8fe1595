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
