"""County industry structure (`xianping analyse industry`): location quotients and 主导产业, HHI, Krugman,
Ellison–Glaeser.

Oracles: the mathmodels R package's printed examples (tests/analysis/oracles/mathmodels_regional, GitHub
zhjx19/mathmodels @ e909b82890e2aedeb0e8c13bf8f60b6b79cd1f4c), to the printed digits. Identities and a by-hand
county on the bundled census 2010 industry table (src/xianping/demo/data/census2010_industry_employment.csv.gz)."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.analysis.oracle_io import load_json
from xianping.analysis.industry_structure import (INDUSTRIES, demo_path, ellison_glaeser, hhi, krugman, location_quotient,
                                                  plant_herfindahl, reference_shares, run_industry)
from xianping.analysis.tables import from_data_csv
from xianping.cli.main import app
from xianping.problems import XianpingInputError

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
BUNDLED = ROOT / "src" / "xianping" / "demo" / "data" / "census2010_industry_employment.csv.gz"
CODES = [c for c, *_ in INDUSTRIES]
runner = CliRunner()
ORACLE = load_json("mathmodels_regional/inputs_and_printed.json")


def _tol(case):
    return 0.5 * 10 ** -ORACLE[case]["printed_decimals"]


# ---- oracles: mathmodels regional_economics examples ----

def test_lq_mathmodels():
    d = ORACLE["LQ"]["input"]
    e = np.column_stack([d["industry1"][1:], d["industry2"][1:]]).astype(float)
    want = np.array([ORACLE["LQ"]["printed"]["Region_A"], ORACLE["LQ"]["printed"]["Region_B"]])
    got = location_quotient(e, total=d["total"][1:], reference=[d["industry1"][0], d["industry2"][0]],
                            reference_total=d["total"][0])
    np.testing.assert_allclose(got, want, atol=_tol("LQ"), rtol=0)
    # the regions add up to the national row, so the default reference (the column sums) gives the same
    np.testing.assert_allclose(location_quotient(e, total=d["total"][1:]), want, atol=_tol("LQ"), rtol=0)
    # leading axes: two "years", the second doubled (LQ is scale-free)
    stacked = location_quotient(np.stack([e, 2 * e]), total=np.stack([d["total"][1:], np.multiply(2, d["total"][1:])]))
    np.testing.assert_allclose(stacked, np.stack([want, want]), atol=_tol("LQ"), rtol=0)


def test_hhi_mathmodels():
    x = ORACLE["HHI"]["input"]
    assert hhi(x) == pytest.approx(ORACLE["HHI"]["printed"]["HHI(x)"], abs=_tol("HHI"))
    assert hhi(x, scaled=True) == pytest.approx(ORACLE["HHI"]["printed"]["HHI(x, scaled = TRUE)"], abs=_tol("HHI"))
    np.testing.assert_allclose(hhi(np.array([x, x[::-1]]), axis=-1), [0.38, 0.38])


def _eg_matrix():
    d = ORACLE["EG"]["input"]
    regions, inds = sorted(set(d["region"])), sorted(set(d["industry"]))
    e = np.zeros((len(regions), len(inds)))
    for r, i, v in zip(d["region"], d["industry"], d["employment"]):
        e[regions.index(r), inds.index(i)] += v
    return e, inds, plant_herfindahl(d["employment"], d["industry"])


def test_eg_mathmodels():
    e, inds, H = _eg_matrix()
    r = ellison_glaeser(e, h=[H[i] for i in inds])
    np.testing.assert_allclose(r.eg, [ORACLE["EG"]["printed"][i] for i in inds], atol=_tol("EG"), rtol=0)
    assert r.h_source == "given"
    # the H = 0 bound is G/(1 − Σx²) and lies above γ; a batch of two gives the same per slice
    assert (r.eg_h0 >= r.eg).all()
    np.testing.assert_allclose(ellison_glaeser(np.stack([e, e]), h=[H[i] for i in inds]).eg, np.stack([r.eg, r.eg]))


def test_eg_mathmodels_through_cli(tmp_path):
    """The same example as a user's county table (regions as units) with --plant-hhi."""
    e, inds, H = _eg_matrix()
    data = tmp_path / "eg.csv"
    data.write_text("unit_code,A,B\n" + "".join(f"R{k + 1},{a:g},{b:g}\n" for k, (a, b) in enumerate(e)), encoding="utf-8")
    ph = tmp_path / "h.csv"
    ph.write_text("industry,H\n" + "".join(f"{i},{H[i]!r}\n" for i in inds), encoding="utf-8")
    res = runner.invoke(app, ["analyse", "industry", "--data", str(data), "--industries", "A,B", "--plant-hhi", str(ph),
                              "--out", str(tmp_path / "eg_out.csv"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    eg = out["by_year"]["all"]["ellison_glaeser"]
    assert eg["A A"]["eg"] == pytest.approx(0.131, abs=5e-4) and eg["B B"]["eg"] == pytest.approx(0.918, abs=5e-4)
    assert "plant Herfindahl given" in out["ellison_glaeser_H"]


def test_lq_mathmodels_through_cli_with_total(tmp_path):
    d = ORACLE["LQ"]["input"]
    data = tmp_path / "lq.csv"
    data.write_text("unit_code,total,industry1,industry2\n" + "".join(
        f"{r},{t},{a},{b}\n" for r, t, a, b in list(zip(d["region"], d["total"], d["industry1"], d["industry2"]))[1:]), encoding="utf-8")
    res = runner.invoke(app, ["analyse", "industry", "--data", str(data), "--industries", "industry1,industry2", "--total", "total",
                              "--out", str(tmp_path / "lq_out.csv")])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(open(tmp_path / "lq_out.lq.csv", encoding="utf-8")))
    got = {r["unit_code"]: [float(r["industry1"]), float(r["industry2"])] for r in rows}
    for region in ("Region_A", "Region_B"):
        np.testing.assert_allclose(got[region], ORACLE["LQ"]["printed"][region], atol=_tol("LQ"), rtol=0)


# ---- identities and a by-hand county on the bundled census 2010 table ----

@pytest.fixture(scope="module")
def census():
    with demo_path() as p:
        inp = from_data_csv(p)
    e = np.stack([inp.column(c) for c in CODES], axis=-1)[0]       # 2010: [units, 20 sections]
    return inp, e


def test_bundled_table_is_small_attributed_and_complete(census):
    inp, e = census
    assert BUNDLED.stat().st_size < 200_000
    sources = (BUNDLED.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert "census2010_industry_employment.csv.gz" in sources and "Dong, Du & Liu (2022)" in sources
    meta = json.loads(BUNDLED.with_name("census2010_industry_employment.meta.json").read_text(encoding="utf-8"))
    assert "长表" in meta["sampling"] and meta["columns"]["trade"]["source_header"] == "信息传输、批发和零售业"
    assert len(inp.units) > 2700 and not np.isnan(e).any() and (e >= 0).all()
    assert inp.unit_names[inp.units.index("330782")] == "义乌市"


def test_weighted_mean_lq_is_one(census):
    inp, e = census
    w = e.sum(1) / e.sum()
    lq = location_quotient(e)
    present = e.sum(0) > 0
    np.testing.assert_allclose(np.nansum(w[:, None] * lq, axis=0)[present], 1.0, rtol=1e-12)
    # against the province: within every province, the province's employment-weighted mean is 1
    prov = np.array([u[:2] for u in inp.units])
    lqp = location_quotient(e, groups=prov)
    for p in np.unique(prov)[:31]:
        m = prov == p
        wp = e[m].sum(1) / e[m].sum()
        ok = e[m].sum(0) > 0
        np.testing.assert_allclose(np.nansum(wp[:, None] * lqp[m], axis=0)[ok], 1.0, rtol=1e-12)
    # reference shares of the nation are the column shares, the same for every county
    np.testing.assert_allclose(reference_shares(e)[5], e.sum(0) / e.sum())


def test_hhi_krugman_eg_bounds(census):
    _, e = census
    n = e.shape[1]
    H, Hs, K = hhi(e), hhi(e, scaled=True), krugman(e)
    assert (H >= 1 / n - 1e-12).all() and (H <= 1 + 1e-12).all()
    assert (Hs >= -1e-12).all() and (Hs <= 1 + 1e-12).all()
    assert (K >= 0).all() and (K <= 2).all()
    r = ellison_glaeser(e)
    assert r.h_source == "county" and (r.eg <= r.eg_h0).all()
    # the county-level H is Σ_i s_ij², each county counted as one plant
    np.testing.assert_allclose(r.H, ((e / e.sum(0)) ** 2).sum(0))


def test_one_county_by_hand():
    """义乌市 (330782) from the bundled CSV with plain Python sums: LQ of 制造业, HHI and Krugman against the nation."""
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(BUNDLED.read_bytes()).decode("utf-8"))))
    yiwu = next(r for r in rows if r["unit_code"] == "330782")
    e_i = sum(float(yiwu[c]) for c in CODES)
    E = {c: sum(float(r[c]) for r in rows) for c in CODES}
    E_all = sum(E.values())
    assert e_i == 86000 and float(yiwu["manufacturing"]) == 43590
    lq_manuf = (43590 / 86000) / (E["manufacturing"] / E_all)
    hhi_by_hand = sum((float(yiwu[c]) / e_i) ** 2 for c in CODES)
    k_by_hand = sum(abs(float(yiwu[c]) / e_i - E[c] / E_all) for c in CODES)

    with demo_path() as p:
        tables, summary, _ = run_industry(from_data_csv(p), units=["330782"])
    row = next(r for r in tables["lq"] if r["unit_code"] == "330782")
    assert row["manufacturing"] == pytest.approx(lq_manuf, rel=1e-12)
    county = next(r for r in tables["industry"] if r["unit_code"] == "330782")
    assert county["hhi"] == pytest.approx(hhi_by_hand, rel=1e-12) and county["krugman"] == pytest.approx(k_by_hand, rel=1e-12)
    assert lq_manuf == pytest.approx(3.14, abs=0.005)          # half of 义乌's sampled workers are in manufacturing
    lead = [x["industry"] for x in summary["units"]["330782"]["2010"]["主导产业"]]
    assert lead == ["manufacturing", "trade"]


def test_province_reference_and_min_share(census):
    inp, _ = census
    tables, summary, settings = run_industry(inp, reference="province", min_share=0.10, units=["330782"])
    prof = summary["units"]["330782"]["2010"]
    assert prof["reference"].startswith("浙江省")
    # against 浙江省, trade (19.5 %) leads and manufacturing (50.7 %, LQ ≈ 1.16) follows
    assert [x["industry"] for x in prof["主导产业"]] == ["trade", "manufacturing"]
    assert all(r["share"] >= 0.10 and r["lq"] > 1 for r in tables["leading"])
    assert settings["reference"] == "province" and "2-digit" in settings["reference_rule"]


# ---- CLI ----

def test_cli_demo_writes_tables_and_manifest(tmp_path):
    out = tmp_path / "industry.csv"
    res = runner.invoke(app, ["analyse", "industry", "--demo", "--unit", "330782", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    lead = summary["units"]["330782"]["2010"]["主导产业"]
    assert [(x["zh"], x["industry"]) for x in lead] == [("制造业", "manufacturing"), ("批发和零售业", "trade")]
    assert "长表" in summary["data_note"] and "not a full enumeration" in summary["data_note"]
    assert summary["by_year"]["2010"]["units"] > 2700 and "ellison_glaeser_note" in summary
    for name in ("industry.csv", "industry.lq.csv", "industry.leading.csv", "industry.concentration.csv", "industry.manifest.json"):
        assert (tmp_path / name).exists(), name
    man = json.loads((tmp_path / "industry.manifest.json").read_text(encoding="utf-8"))
    assert man["analysis"] == "industry" and man["settings"]["min_share"] == 0.05 and "长表" in man["settings"]["data_note"]
    assert man["input"]["bundled"].startswith("census2010_industry_employment") and len(man["input"]["sha256"]) == 64
    yiwu = next(r for r in csv.DictReader(open(out, encoding="utf-8")) if r["unit_code"] == "330782")
    assert yiwu["leading"].startswith("制造业 manufacturing (LQ 3.14")
    conc = list(csv.DictReader(open(tmp_path / "industry.concentration.csv", encoding="utf-8")))
    assert len(conc) == 20 and {r["H_source"] for r in conc} == {"county"}


def test_cli_xlsx_and_chinese_headers(tmp_path):
    """A user's table with the census's Chinese headers gives the same LQ as the English codes."""
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(BUNDLED.read_bytes()).decode("utf-8"))))[:40]
    zh = {c: z for c, _, z, _, _ in INDUSTRIES}
    data = tmp_path / "mine.csv"
    with open(data, "w", newline="", encoding="gbk") as f:
        w = csv.writer(f)
        w.writerow(["区划代码", "地区", *(zh[c] for c in CODES)])
        for r in rows:
            w.writerow([r["unit_code"], r["unit_name"], *(r[c] for c in CODES)])
    res = runner.invoke(app, ["analyse", "industry", "--data", str(data), "--out", str(tmp_path / "mine.xlsx")])
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "mine.xlsx", read_only=True)
    assert wb.sheetnames == ["industry", "lq", "leading", "concentration", "manifest"]
    header = [c.value for c in next(wb["lq"].iter_rows(max_row=1))]
    assert "制造业" in header
    e = np.array([[float(r[c]) for c in CODES] for r in rows])
    got = [list(r) for r in wb["lq"].iter_rows(min_row=2, values_only=True)]
    j = header.index("制造业")
    np.testing.assert_allclose([g[j] for g in got], location_quotient(e)[:, CODES.index("manufacturing")], rtol=1e-12)


def test_error_no_industry_columns(tmp_path):
    data = tmp_path / "gdp.csv"
    data.write_text("unit_code,gdp,pop\n410821,100,10\n410822,200,20\n", encoding="utf-8")
    res = runner.invoke(app, ["analyse", "industry", "--data", str(data), "--out", str(tmp_path / "x.csv")])
    assert res.exit_code != 0 and isinstance(res.exception, XianpingInputError)
    text = str(res.exception)
    assert "gdp.csv, row 1" in text and "no industry employment columns" in text and "制造业" in text
    assert res.exception.report.kinds() == ["no_industry_columns"]


def test_error_negative_employment_is_located(tmp_path):
    data = tmp_path / "neg.csv"
    data.write_text("unit_code,制造业,农林牧渔业,建筑业\n410821,100,50,10\n410822,200,-3,20\n410823,10,10,10\n",
                    encoding="utf-8")
    # through the console entry point, as a user sees it: a located report, no traceback, exit 2
    proc = subprocess.run([sys.executable, "-m", "xianping.cli.main", "analyse", "industry", "--data", "neg.csv",
                           "--out", "x.csv"], capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "COLUMNS": "240"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    row = next(line for line in proc.stderr.splitlines() if "negative_employment" in line)
    cells = [c.strip() for c in row.split("│")]
    assert cells[1:6] == ["error", "neg.csv", "3", "农林牧渔业", "-3.0"], row   # file, spreadsheet row, column, value
    assert "1 negative employment value(s)" in proc.stderr
    assert not (tmp_path / "x.csv").exists()


def test_error_input_choice(tmp_path):
    res = runner.invoke(app, ["analyse", "industry", "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "--data FILE or --demo" in res.output


# ---- the build script (needs ../shared) ----

@pytest.mark.skipif(not (SHARED / "census" / "census_county_2010_v1.xlsx").exists(), reason="../shared/data not present")
def test_build_reproduces_bundled_table(tmp_path):
    spec = importlib.util.spec_from_file_location("build_industry_data", ROOT / "scripts" / "build_industry_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--shared", str(SHARED.parent), "--out-dir", str(tmp_path)]) == 0
    assert (tmp_path / BUNDLED.name).read_bytes() == BUNDLED.read_bytes(), "bundled table is stale: rerun scripts/build_industry_data.py"
    meta = json.loads((tmp_path / "census2010_industry_employment.meta.json").read_text(encoding="utf-8"))
    fixed = {(r["code"], r["column"]): r["value"] for r in meta["repairs"]}
    assert fixed[("411122", "trade")] == 1373                  # 临颍县: −1373 in the source, the row total says 1373
