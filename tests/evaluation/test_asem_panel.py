"""COINr's ASEM panel example (a "purse": five years) through `xianping evaluate`, against COINr v1.1.14.

Expected numbers: tests/evaluation/oracles/coinr_asem/ASEM_purse_aggregated.csv — copied from
../shared/oracles/coinr_asem/outputs, written by its make_oracles.R with COINr v1.1.14 (commit b9682034):
`get_dset(build_example_purse(), "Aggregated")`, i.e. Screen per year (byNA, dat_thresh 0.9, on the raw
data) → Treat per year (COINr defaults) → Normalise(global = TRUE): min–max 0–100 over all years →
Aggregate (a_amean, NA skipped). The file holds, per Time and uCode, every normalised indicator and every
aggregate; units screened out in a year are not in it.
Inputs: examples/asem_panel/ (made by make_asem_panel.py from the same folder's ASEM_iData_p/iMeta).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from xianping.evaluation import evaluate

ROOT = Path(__file__).resolve().parents[2]
PANEL = ROOT / "examples" / "asem_panel"
ORACLE = Path(__file__).parent / "oracles" / "coinr_asem" / "ASEM_purse_aggregated.csv"
SCREENED_OUT = ["BGD", "BRN", "KHM", "LAO", "MMR"]  # data availability < 0.9 in every year


def purse():
    """{year: (units, columns, values [units, columns])} from the oracle."""
    with open(ORACLE, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    cols = rows[0][2:]
    out: dict[str, tuple[list[str], list[str], np.ndarray]] = {}
    for year in sorted({r[0] for r in rows[1:]}):
        rs = [r for r in rows[1:] if r[0] == year]
        vals = np.array([[np.nan if v == "NA" else float(v) for v in r[2:]] for r in rs])
        out[year] = ([r[1] for r in rs], cols, vals)
    return out


@pytest.fixture(scope="module")
def expected():
    return purse()


@pytest.fixture(scope="module")
def res():
    return evaluate(str(PANEL / "framework.yaml"), data=str(PANEL / "data.csv"))


def ours(res, year, units, cols, what="scores"):
    t = res.panel.years.index(year)
    arr = getattr(res, what)[t]
    return arr[np.ix_([res.units.index(u) for u in units], [res.nodes.index(c) for c in cols])]


def test_years_and_units(res, expected):
    assert res.panel.years == ["2018", "2019", "2020", "2021", "2022"] == sorted(expected)
    for year, (units, cols, _) in expected.items():
        assert len(units) == 46 and len(cols) == 49 + 11  # 49 indicators, 8 pillars, 2 sub-indices, the index
        assert sorted(set(res.units) - set(units)) == SCREENED_OUT


@pytest.mark.parametrize("year", ["2018", "2019", "2020", "2021", "2022"])
def test_every_column_of_every_year_matches_coinr(res, expected, year):
    units, cols, vals = expected[year]
    got = ours(res, year, units, cols)
    assert np.array_equal(np.isnan(got), np.isnan(vals))
    np.testing.assert_allclose(got, vals, rtol=1e-9, atol=1e-9)


def _rank_min(v):
    """Ranks 1 = highest, ties share the smallest rank (COINr's rank(-x, ties.method = "min")); NaN unranked."""
    r = 1.0 + np.sum(v[None, :] > v[:, None], axis=1)
    return np.where(np.isnan(v), np.nan, r)


@pytest.mark.parametrize("year", ["2018", "2019", "2020", "2021", "2022"])
def test_ranks_per_year(res, expected, year):
    units, cols, vals = expected[year]
    aggs = cols[49:]
    got = ours(res, year, units, aggs, "ranks")
    for j, c in enumerate(aggs):
        assert np.array_equal(got[:, j], _rank_min(vals[:, 49 + j])), c


def test_screening_per_year_on_raw_data(res):
    """Screen(purse, dset = "Raw", dat_thresh = 0.9, unit_screen = "byNA") in each coin: the same five units
    fall below 0.9 every year; they get no score, and the manifest lists them per year."""
    out = res.manifest["steps"]["screen"]["units_out"]
    assert sorted((u["year"], u["unit_code"]) for u in out) == [(y, u) for y in res.panel.years for u in SCREENED_OUT]
    assert all(u["availability"] < 0.9 for u in out)
    assert res.manifest["steps"]["impute"]["cells"] == 0
    gone = [res.units.index(u) for u in SCREENED_OUT]
    assert np.isnan(res.scores[:, gone, :]).all()
    assert res.prepared.keep_units.sum(axis=-1).tolist() == [46] * 5


def test_global_normalisation_anchors(res):
    """Normalise(purse, global = TRUE): one min and max per indicator over the treated data of all years
    (screened units excluded), recorded in the manifest; a year alone need not reach 0 or 100."""
    steps = res.manifest["steps"]["normalise"]
    assert steps["panel"] == "pooled"
    x = res.prepared.treated
    for j, c in enumerate(res.plan.indicators):
        lo, hi = steps["anchors"][c]
        assert lo == np.nanmin(x[..., j]) and hi == np.nanmax(x[..., j])
    z = res.prepared.normalised
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(np.nanmin(z, axis=(0, 1)), 0, atol=1e-9)  # over all years: 0 and 100
        np.testing.assert_allclose(np.nanmax(z, axis=(0, 1)), 100, atol=1e-9)
        per_year_min = np.nanmin(z, axis=1)  # [T, n]
    assert (per_year_min > 1e-9).any()  # pooled, not per-year, min–max


def test_per_year_normalisation_would_not_match(expected):
    """The purse's numbers need the pooled anchors: per-year min–max on the same data gives other scores."""
    r = evaluate(str(PANEL / "framework.yaml"), data=str(PANEL / "data.csv"), settings={"panel": "per_year"})
    units, cols, vals = expected["2018"]
    assert np.nanmax(np.abs(ours(r, "2018", units, ["Index"]) - vals[:, [cols.index("Index")]])) > 1e-3


def test_cli_reproduces_coinr_purse(tmp_path, expected):
    from typer.testing import CliRunner

    from xianping.cli.main import app

    out = tmp_path / "r.csv"
    r = CliRunner().invoke(app, ["evaluate", "--framework", str(PANEL / "framework.yaml"),
                                 "--data", str(PANEL / "data.csv"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    with open(out, newline="", encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row["node"] == "Index" and row["score"]]
    assert len(rows) == 5 * 46
    for year, (units, cols, vals) in expected.items():
        exp = dict(zip(units, vals[:, cols.index("Index")]))
        ranks = dict(zip(units, _rank_min(vals[:, cols.index("Index")])))
        for row in (x for x in rows if x["year"] == year):
            assert abs(float(row["score"]) - exp[row["unit_code"]]) < 1e-9
            assert int(row["rank"]) == ranks[row["unit_code"]]
    assert (tmp_path / "r.manifest.json").exists()
