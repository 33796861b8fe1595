"""Issue 13: a batch owns exactly the rows it stored. The same file imported twice under other options, then
the first batch removed: the values stay (the second batch listed them), re-importing works, and removal never
deletes a row another batch listed. Real DuckDB files, through the import path users take."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from xianping.cli.main import app
from xianping.ingest.run_import import import_table
from xianping.store import BatchMeta, open_store

runner = CliRunner()
TABLE = "代码,常住人口\n410802,347382\n410803,107281\n410804,\n"  # 410804 reported blank: a missing cell


def values(st):
    return {(r["unit_code"], r["period"]): (r["value"], r["batch_id"]) for r in st.observations(indicators=["pop_total"])}


def test_same_file_other_options_then_remove_the_first(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(TABLE, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    with open_store(db) as st:
        one = import_table(f, st, period="2020", source="yearbook")
        two = import_table(f, st, period="2020", source="census office")   # other options: a new batch
        assert (one.batch_id, two.batch_id, two.already_imported) == (1, 2, False)
        assert (two.stored, two.unchanged) == (0, 3)
        b1, b2 = st.batches()
        # each batch lists its 3 rows; the stored values are batch 1's, batch 2 holds its own version of each
        assert (b1["rows"], b1["stored"], b1["shared"]) == (3, 3, 0)
        assert (b2["rows"], b2["stored"], b2["shared"]) == (3, 0, 3)
        before = values(st)

        assert st.remove_batch(1) == 0                      # nothing deleted: batch 2 listed every row
        after = values(st)
        assert {k: v for k, (v, _) in after.items()} == {k: v for k, (v, _) in before.items()}
        assert {b for _, b in after.values()} == {2}
        assert {r["source"] for r in st.observations(indicators=["pop_total"])} == {"census office"}
        (b2,) = st.batches()
        assert (b2["batch_id"], b2["stored"], b2["shared"]) == (2, 3, 0)

        # re-import under the first options: accepted, a new batch (3) holding the rows batch 2 stores
        again = import_table(f, st, period="2020", source="yearbook")
        assert not again.already_imported and again.batch_id == 3 and again.unchanged == 3
        assert st.remove_batch(2) == 0 and {b for _, b in values(st).values()} == {3}
        assert st.remove_batch(3) == 3 and values(st) == {}   # the last holder goes: now the rows go


def test_removal_deletes_only_rows_no_other_batch_listed(tmp_path):
    with open_store(tmp_path / "s.duckdb") as st:
        def obs(code, v):
            return {"unit_code": code, "period": "2020", "indicator": "pop_total", "value": v, "unit": "人"}

        st.write_batch([obs("410802", 1.0), obs("410803", 2.0)], BatchMeta("a.csv", "ha"))
        st.write_batch([obs("410803", 2.0), obs("410804", 3.0)], BatchMeta("b.csv", "hb"))
        assert st.remove_batch(1) == 1                       # 410802 only: 410803 was listed by batch 2 too
        assert values(st) == {("410803", "2020"): (2.0, 2), ("410804", "2020"): (3.0, 2)}


def test_a_filled_cell_goes_back_to_missing_when_the_filler_is_removed(tmp_path):
    """Batch 1 reported 410804 missing, batch 2 gave it a value: removing batch 2 brings back batch 1's missing
    cell (batch 1 listed it), removing batch 1 instead keeps batch 2's value."""
    f1, f2 = tmp_path / "a.csv", tmp_path / "b.csv"
    f1.write_text(TABLE, encoding="utf-8")
    f2.write_text("代码,常住人口\n410804,89000\n", encoding="utf-8")
    for drop, want, left in ((2, (None, 1), 3), (1, (89000.0, 2), 1)):
        db = tmp_path / f"s{drop}.duckdb"
        with open_store(db) as st:
            import_table(f1, st, period="2020")
            r = import_table(f2, st, period="2020")
            assert r.filled == 1 and values(st)[("410804", "2020")] == (89000.0, 2)
            st.remove_batch(drop)
            assert values(st)[("410804", "2020")] == want
            assert len(values(st)) == left   # batch 1's other rows go with it: nobody else listed them


def test_batches_cli_shows_the_handover(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(TABLE, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    for src in ("yearbook", "office"):
        r = runner.invoke(app, ["import", str(f), "--store", str(db), "--period", "2020", "--source", src])
        assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["batches", "remove", "1", "--store", str(db)])
    assert r.exit_code == 0 and "removed batch 1 and its 0 observation(s)" in r.output
    r = runner.invoke(app, ["export", "--store", str(db), "--out", str(tmp_path / "e.csv")])
    assert r.exit_code == 0 and "exported 3 observations" in r.output
    r = runner.invoke(app, ["batches", "--store", str(db), "--json"])
    (b,) = json.loads(r.output)
    assert (b["batch_id"], b["rows"], b["stored"], b["shared"]) == (2, 3, 3, 0)
