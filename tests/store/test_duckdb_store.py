"""The DuckDB panel store against a real database file."""

from __future__ import annotations

import csv

import pytest

from xianping.problems import XianpingInputError
from xianping.store import BatchMeta, open_store


def obs(code, period, ind, value, unit="人", **kw):
    return {"unit_code": code, "period": period, "indicator": ind, "value": value, "unit": unit, **kw}


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "panel.duckdb") as s:
        yield s


def test_write_and_read_back(store):
    r = store.write_batch([obs("410802", "2020", "pop_total", 347382), obs("410803", "2020", "pop_total", 107281)],
                          BatchMeta("a.csv", "h1", layout="wide", options={"period": "2020"}))
    assert (r.batch_id, r.inserted, r.unchanged) == (1, 2, 0)
    rows = store.observations(indicators=["pop_total"])
    assert [(x["unit_code"], x["value"], x["batch_id"], x["source"]) for x in rows] == [
        ("410802", 347382.0, 1, "import"), ("410803", 107281.0, 1, "import")]
    b = store.batches()[0]
    assert b["file_name"] == "a.csv" and b["sha256"] == "h1" and b["rows"] == 2 and b["options"] == {"period": "2020"}
    assert b["code_vintage"] == 2024


def test_same_hash_and_options_is_a_noop_but_other_options_are_not(store):
    m = BatchMeta("a.csv", "h1", options={"period": "2020"})
    store.write_batch([obs("410802", "2020", "pop_total", 1)], m)
    again = store.write_batch([obs("410802", "2020", "pop_total", 1)], m)
    assert again.already_imported and again.batch_id == 1 and again.inserted == 0
    assert len(store.batches()) == 1
    other = store.write_batch([obs("410802", "2021", "pop_total", 1)], BatchMeta("a.csv", "h1", options={"period": "2021"}))
    assert not other.already_imported and other.batch_id == 2


def test_same_value_is_noop_different_value_rejects_whole_batch(store):
    store.write_batch([obs("410802", "2020", "pop_total", 100.0)], BatchMeta("a.csv", "h1"))
    r = store.write_batch([obs("410802", "2020", "pop_total", 100.0), obs("410803", "2020", "pop_total", 5)],
                          BatchMeta("b.csv", "h2"))
    assert (r.inserted, r.unchanged) == (1, 1)
    with pytest.raises(XianpingInputError) as e:
        store.write_batch([obs("410804", "2020", "pop_total", 7), obs("410802", "2020", "pop_total", 101.0, row=5, column="合计")],
                          BatchMeta("c.csv", "h3"))
    p = e.value.report.problems[0]
    assert (p.kind, p.row, p.column, p.value) == ("stored_conflict", 5, "合计", 101.0)
    assert "batch 1" in p.expected
    # all or nothing: the unrelated new row of the rejected batch is not there, and no batch recorded
    assert store.observations(units=["410804"]) == []
    assert len(store.batches()) == 2


def test_missing_value_is_filled_later_but_never_overwrites(store):
    store.write_batch([obs("410802", "2020", "edu_years", None, flags="missing:—")], BatchMeta("a.csv", "h1"))
    assert store.observations()[0]["value"] is None
    r = store.write_batch([obs("410802", "2020", "edu_years", 9.5)], BatchMeta("b.csv", "h2"))
    assert r.filled == 1 and store.observations()[0]["value"] == 9.5 and store.observations()[0]["batch_id"] == 2
    r = store.write_batch([obs("410802", "2020", "edu_years", None)], BatchMeta("c.csv", "h3"))
    assert r.unchanged == 1 and store.observations()[0]["value"] == 9.5


def test_persists_across_connections_and_env_default(tmp_path, monkeypatch):
    p = tmp_path / "x.duckdb"
    with open_store(p) as s:
        s.write_batch([obs("410802", "2020Q1", "pop_total", 1)], BatchMeta("a.csv", "h"))
    monkeypatch.setenv("XIANPING_STORE", str(p))
    with open_store(None) as s:
        assert s.observations(periods=["2020Q1"])[0]["value"] == 1.0
        assert s.path == p


def test_summary_and_subunits(store):
    store.write_batch([obs("410802", "2020", "pop_total", 1), obs("410803", "2020", "pop_total", 2),
                       obs("410802", "2010", "pop_total", 3), obs("410802", "2010", "edu_years", None)],
                      BatchMeta("a.csv", "h"))
    s = store.summary()
    assert s["units_per_period"] == {"2010": 1, "2020": 2}
    cov = {d["indicator"]: d for d in s["indicators"]}
    assert cov["pop_total"]["units"] == 2 and cov["pop_total"]["values"] == 3
    assert cov["edu_years"]["missing"] == 1
    assert store.register_subunits([{"code": "410802001000", "name": "焦南街道", "parent_code": "410802", "level": "town"}]) == 1
    assert store.subunits("410802")[0]["name"] == "焦南街道"


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_export_round_trip(store, tmp_path, suffix):
    rows = [obs("410802", "2020", "pop_total", 347382), obs("410802", "2020", "urbanisation_rate", 61.5, unit="%"),
            obs("410803", "2020-03", "pop_total", None, flags="missing:—")]
    store.write_batch(rows, BatchMeta("a.csv", "h"))
    out = tmp_path / f"out{suffix}"
    n = store.export(out, indicators=["pop_total"])
    assert n == 2
    if suffix == ".csv":
        with open(out, encoding="utf-8") as f:
            got = list(csv.DictReader(f))
        assert [(r["unit_code"], r["period"], r["value"]) for r in got] == [("410802", "2020", "347382.0"), ("410803", "2020-03", "")]
    elif suffix == ".parquet":
        import duckdb
        got = duckdb.sql(f"SELECT unit_code, period, value FROM '{out}' ORDER BY unit_code").fetchall()
        assert got == [("410802", "2020", 347382.0), ("410803", "2020-03", None)]
    else:
        from openpyxl import load_workbook
        ws = load_workbook(out, read_only=True)["observations"]
        got = list(ws.iter_rows(values_only=True))
        assert got[0][0] == "区划代码 unit_code"
        assert [(r[0], r[1], r[3]) for r in got[1:]] == [("410802", "2020", 347382), ("410803", "2020-03", None)]


def test_export_unknown_suffix(store, tmp_path):
    with pytest.raises(XianpingInputError, match="unknown format"):
        store.export(tmp_path / "x.json")


def test_remove_batch_deletes_its_observations_in_one_go_and_retires_the_id(store):
    store.write_batch([obs("410802", "2020", "pop_total", 1), obs("410803", "2020", "pop_total", 2)], BatchMeta("a.csv", "h1"))
    store.write_batch([obs("410804", "2020", "pop_total", 3)], BatchMeta("b.csv", "h2"))
    assert store.remove_batch(2) == 1
    assert [b["batch_id"] for b in store.batches()] == [1]
    assert {r["unit_code"] for r in store.observations()} == {"410802", "410803"}
    # the same file can come back; it gets a new id, never the removed one
    again = store.write_batch([obs("410804", "2020", "pop_total", 3)], BatchMeta("b.csv", "h2"))
    assert not again.already_imported and again.batch_id == 3
    # a conflicting value can be stored once the batch holding the old one is gone
    assert store.remove_batch(1) == 2
    store.write_batch([obs("410802", "2020", "pop_total", 99)], BatchMeta("c.csv", "h3"))
    assert store.observations(units=["410802"])[0]["value"] == 99
    with pytest.raises(XianpingInputError) as e:
        store.remove_batch(1)
    p = e.value.report.problems[0]
    assert (p.kind, p.value, p.expected) == ("unknown_batch", 1, "one of 3, 4")


def test_observation_columns_match_rows(store):
    """The columnar read (DuckDB) and the generic one (the interface's default, from rows) agree, missing
    values included."""
    import numpy as np

    from xianping.store.base import PanelStore

    store.write_batch([obs("410802", "2020", "pop_total", 347382), obs("410803", "2020", "pop_total", None),
                       obs("410803", "2010", "edu_years", 9.5, unit="年")], BatchMeta("a.csv", "h1"))
    fast = store.observation_columns(indicators=["pop_total", "edu_years"])
    generic = PanelStore.observation_columns(store, indicators=["pop_total", "edu_years"])
    for k in ("unit_code", "period", "indicator", "batch_id"):
        assert list(fast[k]) == list(generic[k])
    np.testing.assert_array_equal(fast["value"], generic["value"])  # NaN where the cell was missing
    assert np.isnan(fast["value"]).sum() == 1
