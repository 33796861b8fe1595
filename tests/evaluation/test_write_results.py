"""Writing an evaluation: the columnar writer gives the rows the row-by-row definition gives (every column,
order, float text that reads back to the same bits), CSV and Parquet agree, the manifest names the results'
sha256 and readers refuse a results file that does not match it; files appear complete or not at all."""

from __future__ import annotations

import csv
import json
import os
import struct

import numpy as np
import pytest

from xianping.evaluation import evaluate
from xianping.evaluation.export import check_results
from xianping.files import FileSet, sha256_file
from xianping.problems import XianpingInputError


@pytest.fixture(scope="module")
def res(census_store):
    return evaluate("census-social", store=census_store, years=[2010, 2020], by_type=True,
                    settings={"tiers": {"method": "top_n", "n": 30}})


def reference_rows(r, base_year):
    """The long rows by their definition, one unit at a time (the writer before issue 12, kept as the oracle)."""
    bt = r.years.index(base_year)
    names = {it.node.code: it.node.name_zh for it in r.framework.walk()}
    depth = {it.node.code: it.depth for it in r.framework.walk()}
    out = []
    for t, y in enumerate(r.years):
        for k, code in enumerate(r.nodes):
            for i, u in enumerate(r.units):
                s, rk = r.scores[t, i, k], r.ranks[t, i, k]
                row = {"unit_code": u, "unit_name": r.unit_names[i], "year": y, "node": code, "node_name": names.get(code, ""),
                       "level": depth.get(code, 0), "score": None if np.isnan(s) else float(s),
                       "rank": None if np.isnan(rk) else int(rk),
                       "tier": int(r.tiers[t, i]) if code == r.root and r.tiers[t, i] >= 0 else None}
                ts, tr = r.by_type["values"][t, i, k], r.by_type["ranks"][t, i, k]
                row.update({"type": r.unit_types[i], "type_score": None if np.isnan(ts) else float(ts),
                            "type_rank": None if np.isnan(tr) else int(tr)})
                rb, sb = r.ranks[bt, i, k], r.scores[bt, i, k]
                row["rank_change"] = None if np.isnan(rk) or np.isnan(rb) else int(rb - rk)
                row["score_change"] = None if np.isnan(s) or np.isnan(sb) else float(s - sb)
                out.append(row)
    return out


def as_text(v):
    return "" if v is None else repr(v) if isinstance(v, float) else str(v)


def test_csv_has_the_rows_of_the_definition(res, tmp_path):
    ref = reference_rows(res, "2010")
    paths = res.write(tmp_path / "r.csv", base_year="2010")
    with open(paths["results"], newline="", encoding="utf-8") as f:
        got = list(csv.reader(f))
    cols = list(ref[0])
    assert got[0] == cols
    assert len(got) - 1 == len(ref) == len(res.years) * len(res.nodes) * len(res.units)
    assert got[1:] == [[as_text(r[c]) for c in cols] for r in ref]
    # numbers read back to the very same doubles
    k = cols.index("score")
    back = np.array([float(row[k]) if row[k] else np.nan for row in got[1:]])
    want = np.array([np.nan if r["score"] is None else r["score"] for r in ref])
    assert struct.pack(f"{len(back)}d", *np.nan_to_num(back, nan=-7.0)) == struct.pack(f"{len(want)}d", *np.nan_to_num(want, nan=-7.0))


def test_to_rows_matches_the_definition(res):
    ref = [r for r in reference_rows(res, "2010") if r["node"] == res.root and r["year"] == "2020"]
    assert res.to_rows(nodes=[res.root], years=["2020"], base_year="2010") == ref


def test_weights_rows(res):
    ref = [{"node": s.code, "child": res.nodes[c], "year": y, "weight": float(res.weights[s.code][t, j]),
            "effective_weight": float(res.effective_weights[t, c])}
           for s in res.plan.nodes for t, y in enumerate(res.years) for j, c in enumerate(s.children)]
    assert res.weights_rows() == ref


def test_parquet_holds_the_csv_rows(res, tmp_path):
    import duckdb

    pq = res.write(tmp_path / "r.parquet", base_year="2010")
    cs = res.write(tmp_path / "c.csv", base_year="2010")   # not r.csv: it would share r.manifest.json
    con = duckdb.connect()
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM '{pq['results']}'").fetchall()}
    assert types["score"] == "DOUBLE" and types["rank"] == "BIGINT" and types["unit_code"] == "VARCHAR"
    a = con.execute(f"SELECT * FROM '{pq['results']}'").fetchall()
    b = con.execute(f"SELECT * FROM read_csv('{cs['results']}', all_varchar=true)").fetchall()
    assert len(a) == len(b) == len(res.years) * len(res.nodes) * len(res.units)
    assert [[as_text(v) for v in row] for row in a] == [list(v or "" for v in row) for row in b]
    m = json.loads(open(pq["manifest"], encoding="utf-8").read())
    assert m["files"]["results"]["sha256"] == sha256_file(pq["results"]) and m["files"]["weights"]["file"] == "r.weights.parquet"


def test_manifest_names_the_results_and_readers_check_it(res, tmp_path):
    from xianping.analysis.tables import from_results_csv
    from xianping.report.data import load_report_data

    paths = res.write(tmp_path / "r.csv", base_year="2010")
    m = json.loads(open(paths["manifest"], encoding="utf-8").read())
    assert m["files"]["results"] == {"file": "r.csv", "sha256": sha256_file(paths["results"]),
                                     "rows": len(res.years) * len(res.nodes) * len(res.units),
                                     "columns": m["files"]["results"]["columns"]}
    assert m["files"]["weights"]["sha256"] == sha256_file(paths["weights"])
    assert check_results(paths["results"])["files"] == m["files"]
    assert load_report_data(paths["results"], rebuild=False, analysis=False).units == res.units
    # one changed digit: every reader refuses, naming the file and the manifest
    text = open(paths["results"], encoding="utf-8").read()
    i = text.index("\n", 200) + 1
    line_end = text.index("\n", i)
    line = text[i:line_end]
    changed = line[:-1] + ("1" if line[-1] != "1" else "2")
    with open(paths["results"], "w", encoding="utf-8", newline="") as f:
        f.write(text[:i] + changed + text[line_end:])
    for read in (check_results, lambda p: load_report_data(p, rebuild=False, analysis=False), from_results_csv):
        with pytest.raises(XianpingInputError, match=r"r\.csv does not match its manifest r\.manifest\.json"):
            read(paths["results"])


def test_an_unknown_suffix_writes_nothing(res, tmp_path):
    with pytest.raises(XianpingInputError, match="use .csv or .parquet"):
        res.write(tmp_path / "r.txt")
    assert os.listdir(tmp_path) == []


def test_a_failed_write_leaves_the_old_files(res, tmp_path):
    """A write that fails half-way (here: the second file's writer raises after writing part of it) leaves the
    previous results, weights and manifest byte for byte, and no temporary file."""
    paths = res.write(tmp_path / "r.csv", base_year="2010")
    before = {k: open(p, "rb").read() for k, p in paths.items()}
    with pytest.raises(RuntimeError, match="disk full"):
        with FileSet() as fs:
            fs.stage_text(paths["results"], "unit_code\nhalf")

            def broken(p):
                p.write_text("node,child", encoding="utf-8")
                raise RuntimeError("disk full")
            fs.stage(paths["weights"], broken)
    assert {k: open(p, "rb").read() for k, p in paths.items()} == before
    assert sorted(os.listdir(tmp_path)) == ["r.csv", "r.manifest.json", "r.weights.csv"]


def test_an_output_path_that_cannot_be_written_is_a_clear_error(res, tmp_path):
    from xianping.problems import XianpingError

    (tmp_path / "f").write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(XianpingError, match=r"cannot write .*f/r\.csv: .*f is a file, not a folder"):
        res.write(tmp_path / "f" / "r.csv")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(XianpingError, match=r"cannot write .*d\.csv: it is a folder"):
        res.write(tmp_path / "d.csv")
    assert sorted(os.listdir(tmp_path)) == ["d.csv", "f"] and os.listdir(tmp_path / "d.csv") == []


def test_the_report_reader_gives_back_the_written_arrays_and_locates_a_bad_cell(res, tmp_path):
    """report/data.py reads the results CSV column-wise (pandas); it must give back exactly the evaluation's scores,
    ranks, type ranks, tiers, names and types; a cell that is not a number (with a manifest rewritten to match, so
    the sha check passes) is refused with its row, column and value, not read as NaN."""
    from xianping.report.data import load_report_data

    paths = res.write(tmp_path / "r.csv", base_year="2010")
    d = load_report_data(paths["results"], rebuild=False, analysis=False)
    assert d.units == list(res.units) and d.years == list(res.years)
    order = [d.nodes[k].code for k in range(len(d.nodes))]
    assert order == list(res.nodes)
    np.testing.assert_array_equal(d.score, res.scores)
    np.testing.assert_array_equal(d.rank, res.ranks)
    np.testing.assert_array_equal(d.tier, res.tiers)
    np.testing.assert_array_equal(d.type_rank, np.asarray(res.by_type["ranks"], dtype=float))
    assert d.unit_names == list(res.unit_names)
    assert d.unit_types == list(res.unit_types) and len(set(d.unit_types)) > 1

    lines = open(paths["results"], encoding="utf-8", newline="").read().splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    cells = lines[5].split(",")
    cells[header.index("score")] = "abc"
    lines[5] = ",".join(cells)
    with open(paths["results"], "w", encoding="utf-8", newline="") as f:
        f.write("".join(lines))
    m = json.loads(open(paths["manifest"], encoding="utf-8").read())
    m["files"]["results"]["sha256"] = sha256_file(paths["results"])
    open(paths["manifest"], "w", encoding="utf-8").write(json.dumps(m, ensure_ascii=False))
    with pytest.raises(XianpingInputError, match=r"r\.csv, row 6, column score: 'abc' is not a number"):
        load_report_data(paths["results"], rebuild=False, analysis=False)
