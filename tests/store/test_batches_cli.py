"""`xianping batches` and `xianping batches remove N` on a real store file."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from xianping.cli.main import app
from xianping.problems import XianpingInputError
from xianping.store import open_store

runner = CliRunner()


def _imp(tmp_path, name, text, db):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["import", str(f), "--store", str(db), "--period", "2020", "--source", "yearbook"])


def test_list_and_remove_batches(tmp_path):
    db = tmp_path / "s.duckdb"
    assert _imp(tmp_path, "a.csv", "代码,常住人口\n410802,347382\n410803,107281\n", db).exit_code == 0
    # a second file disagreeing with batch 1 is refused, and the message names the command that fixes it
    r = _imp(tmp_path, "b.csv", "代码,常住人口\n410802,347000\n", db)
    assert isinstance(r.exception, XianpingInputError)
    (p,) = r.exception.report.problems
    assert p.kind == "stored_conflict" and "xianping batches remove 1" in p.expected

    r = runner.invoke(app, ["batches", "--store", str(db), "--json"])
    assert r.exit_code == 0, r.output
    (b,) = json.loads(r.output)
    assert (b["batch_id"], b["file_name"], b["rows"], b["source"]) == (1, "a.csv", 2, "yearbook")
    r = runner.invoke(app, ["batches", "--store", str(db)])
    assert r.exit_code == 0 and "a.csv" in r.output and b["sha256"][:10] in r.output.replace("\n", "")

    r = runner.invoke(app, ["batches", "remove", "1", "--store", str(db)])
    assert r.exit_code == 0, r.output
    assert "removed batch 1 and its 2 observation(s)" in r.output
    with open_store(db) as st:
        assert st.batches() == [] and st.observations() == []
    assert _imp(tmp_path, "b.csv", "代码,常住人口\n410802,347000\n", db).exit_code == 0


def test_remove_unknown_batch_and_missing_store(tmp_path):
    db = tmp_path / "s.duckdb"
    assert _imp(tmp_path, "a.csv", "代码,常住人口\n410802,347382\n", db).exit_code == 0
    r = runner.invoke(app, ["batches", "remove", "7", "--store", str(db)])
    assert isinstance(r.exception, XianpingInputError)
    assert r.exception.report.problems[0].kind == "unknown_batch"
    with open_store(db) as st:
        assert len(st.observations()) == 1
    r = runner.invoke(app, ["batches", "--store", str(tmp_path / "none.duckdb")])
    assert r.exit_code != 0 and not (tmp_path / "none.duckdb").exists()
