"""One reading path (issue 12): a yearbook-style table evaluated with `--data` and, after `xianping import`, with
`--store` gives the same scores and the same warnings — through the API and through the CLI.

The table: 焦作市 (河南省) counties with their real GB/T 2260 codes and names, 2021–2022, GBK with a title row, the
yearbook header 人均GDP（元） (an amount per person printed as 元), a typo'd header (一般公共预算收人 for 收入), and 温县
410825 missing from 2022. Values are made up for the test; the codes and names are the gazetteer's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from xianping.evaluation import evaluate
from xianping.ingest import import_table
from xianping.problems import XianpingInputError
from xianping.store import open_store

COUNTIES = [("410802", "解放区"), ("410803", "中站区"), ("410804", "马村区"), ("410811", "山阳区"), ("410821", "修武县"),
            ("410822", "博爱县"), ("410823", "武陟县"), ("410825", "温县"), ("410882", "沁阳市"), ("410883", "孟州市")]

FRAMEWORK = """\
code: jiaozuo_test
name_zh: 焦作县域发展测试
name_en: Jiaozuo county development (test)
root:
  code: idx
  name_zh: 综合指数
  children:
    - {code: econ, name_zh: 经济, children: [{code: gdp_pc, name_zh: 人均GDP, indicator: gdp_per_capita}]}
    - code: people
      name_zh: 民生
      children:
        - {code: urb, name_zh: 城镇化率, indicator: urbanisation_rate}
        - {code: rural_inc, name_zh: 农村居民收入, indicator: income_rural}
"""


def yearbook_table(path: Path) -> Path:
    rows = ["焦作市各县（市、区）主要经济指标", ",,,,,,",
            "代码,地区,年份,人均GDP（元）,城镇化率（%）,农村居民人均可支配收入（元）,一般公共预算收人（亿元）"]
    rng = np.random.default_rng(12)
    for year in (2021, 2022):
        for i, (code, name) in enumerate(COUNTIES):
            if year == 2022 and code == "410825":
                continue  # 温县 is missing from 2022
            gdp = 42000 + 4100 * i + 900 * (year - 2021) + int(rng.integers(0, 800))
            urb = round(45 + 4.5 * ((i * 7) % 10) + 0.6 * (year - 2021), 1)
            inc = 19000 + 650 * ((i * 3) % 10) + 700 * (year - 2021)
            rows.append(f"{code},{name},{year},{gdp},{urb},{inc},{round(8 + i * 1.3, 2)}")
    rows.append("资料来源：焦作市统计局（测试数据）")
    path.write_bytes(("\n".join(rows) + "\n").encode("gbk"))
    return path


@pytest.fixture()
def files(tmp_path):
    fw = tmp_path / "framework.yaml"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    return yearbook_table(tmp_path / "焦作主要指标.csv"), fw


def _said(problems, severity=None):
    return sorted((p["kind"], p["message"]) for p in problems if severity is None or p["severity"] == severity)


def test_data_and_store_give_the_same_scores_and_warnings(files, tmp_path):
    table, fw = files
    direct = evaluate(str(fw), data=str(table))

    with open_store(tmp_path / "s.duckdb") as st:
        imported = import_table(table, st)
    via_store = evaluate(str(fw), store=str(tmp_path / "s.duckdb"))

    assert direct.units == via_store.units == [c for c, _ in COUNTIES]
    assert direct.years == via_store.years == ["2021", "2022"]
    np.testing.assert_array_equal(direct.scores, via_store.scores)
    np.testing.assert_array_equal(direct.ranks, via_store.ranks)
    # 温县 has no 2022 score; everyone else has one
    wen = direct.units.index("410825")
    assert np.isnan(direct.scores[1, wen, -1]) and not np.isnan(np.delete(direct.scores[1, :, -1], wen)).any()

    # the warnings: those of reading the file (at import, or in evaluate --data) and those of the evaluation
    read_warnings = [p.as_dict() for p in imported.notes if p.severity == "warning"]
    assert read_warnings  # the typo'd header at least
    # the store keeps what reading the file said: both ways give the same warnings, those of the reading included
    assert _said(direct.manifest["warnings"]) == _said(via_store.manifest["warnings"])
    assert set(_said(read_warnings)) <= set(_said(via_store.manifest["warnings"]))
    kinds = {p["kind"]: p for p in direct.manifest["warnings"]}
    assert {"unmapped_header", "unit_year_missing"} <= set(kinds)  # (and the evaluation's own, e.g. tiers resized)
    typo = kinds["unmapped_header"]
    assert typo["column"] == "一般公共预算收人（亿元）" and typo["row"] == 3
    assert "did you mean 一般公共预算收入 (budget_revenue)?" in typo["message"]
    gap = kinds["unit_year_missing"]
    assert gap["value"] == "2022" and "410825 河南省焦作市温县" in gap["message"] and "(2021)" in gap["message"]
    assert [p["message"] for p in via_store.manifest["warnings"] if p["kind"] == "unit_year_missing"] == [gap["message"]]
    # 人均GDP（元）: 元 read per person, said in a note both ways
    for problems in ([p.as_dict() for p in imported.notes], direct.manifest["problems"]):
        (note,) = [p for p in problems if p["kind"] == "unit_per_person"]
        assert note["severity"] == "note" and "元 read as 元/人" in note["message"]
    # the value is the printed one (factor 1), not refused as 元 vs 元/人
    x = direct.panel.take(["gdp_per_capita"])
    assert x[0, 0, 0] == pytest.approx(float(yearbook_table(tmp_path / "again.csv").read_bytes().decode("gbk")
                                             .splitlines()[3].split(",")[3]))


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "xianping.cli.main", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**__import__("os").environ, "COLUMNS": "100"}, timeout=300)


def _flat(text: str) -> str:
    return "".join(text.split())


def test_cli_data_and_store_print_and_record_the_same(files, tmp_path):
    table, fw = files
    a = _cli("evaluate", "-f", fw, "--data", table, "--out", tmp_path / "a.csv", cwd=tmp_path)
    assert a.returncode == 0, a.stderr
    imp = _cli("import", table, "--store", tmp_path / "s.duckdb", cwd=tmp_path)
    assert imp.returncode == 0, imp.stderr
    b = _cli("evaluate", "-f", fw, "--store", tmp_path / "s.duckdb", "--out", tmp_path / "b.csv", cwd=tmp_path)
    assert b.returncode == 0, b.stderr
    assert "Traceback" not in a.stderr + imp.stderr + b.stderr

    import pandas as pd

    ra, rb = (pd.read_csv(tmp_path / f, dtype={"unit_code": str}) for f in ("a.csv", "b.csv"))
    pd.testing.assert_frame_equal(ra, rb)
    ma, mb = (json.loads((tmp_path / f).read_text(encoding="utf-8")) for f in ("a.manifest.json", "b.manifest.json"))
    # the store kept what reading the file said: the same warnings in both manifests
    assert sorted((w["kind"], w["message"]) for w in ma["warnings"]) == sorted((w["kind"], w["message"]) for w in mb["warnings"])
    assert {"unmapped_header", "unit_year_missing"} <= {w["kind"] for w in mb["warnings"]}

    typo = _flat("did you mean 一般公共预算收入 (budget_revenue)?")
    gap = _flat("1 unit(s) have no data in 2022 but do in other years (2021): 410825 河南省焦作市温县")
    # the dropped column is printed by `import` and by both evaluations alike, as a warning; the missing county-year
    # by both evaluations
    assert typo in _flat(a.stdout) and typo in _flat(imp.stdout) and typo in _flat(b.stdout)
    assert gap in _flat(a.stdout) and gap in _flat(b.stdout)
    assert "unit_per_person" in a.stdout and "unit_per_person" in imp.stdout  # 元 read as 元/人, a note both ways


def test_reading_options_have_the_import_meaning(files, tmp_path):
    table, fw = files
    # a --mapping file names the typo'd column: it is read, and the warning goes
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("一般公共预算收人（亿元）: budget_revenue\n", encoding="utf-8")
    r = evaluate(str(fw), data=str(table), mapping=str(mapping))
    assert "unmapped_header" not in {w["kind"] for w in r.manifest["warnings"]}
    assert "unit_year_missing" in {w["kind"] for w in r.manifest["warnings"]}
    assert r.manifest["data"]["read_options"] == {"mapping": str(mapping)}
    assert r.manifest["data"]["mapping_sha256"] and r.manifest["data"]["reader"] == "ingest"
    # the manifest rebuilds the same result with the same options
    from xianping.evaluation.run import rebuild

    np.testing.assert_array_equal(rebuild(r.manifest).scores, r.scores)
    # reading options belong to a file, not to a store
    with pytest.raises(XianpingInputError, match="mapping: reading options of a data file"):
        evaluate(str(fw), store=str(tmp_path / "none.duckdb"), mapping=str(mapping))


def test_a_file_import_refuses_is_refused_by_evaluate_with_the_same_problems(files, tmp_path):
    table, fw = files
    # 410822 博爱县 with the name 孟州市 (410883, also 焦作): codes and names shifted — an error both ways
    text = table.read_bytes().decode("gbk").replace("410822,博爱县", "410822,孟州市")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(text.encode("gbk"))
    with pytest.raises(XianpingInputError) as imp:
        import_table(bad, None, dry_run=True)
    with pytest.raises(XianpingInputError) as ev:
        evaluate(str(fw), data=str(bad))
    assert [p.as_dict() for p in ev.value.report.errors] == [p.as_dict() for p in imp.value.report.errors]
    assert {(p.kind, p.row) for p in ev.value.report.errors} == {("name_code_mismatch", 9), ("name_code_mismatch", 19)}


def test_robust_and_analyse_read_the_table_the_same_way(files, tmp_path):
    from xianping.analysis.run import data_input
    from xianping.robust.load import load_model

    table, fw = files
    direct = evaluate(str(fw), data=str(table))
    model = load_model(str(fw), data=str(table))
    np.testing.assert_array_equal(model.panel.values, direct.panel.values)
    assert model.units == direct.units
    said = {p.kind for p in model.extra["problems"] if p.severity == "warning"}
    assert {"unmapped_header", "unit_year_missing"} <= said

    mapping = tmp_path / "m.csv"
    mapping.write_text("header,indicator\n一般公共预算收人（亿元）,budget_revenue\n", encoding="utf-8")
    inp, problems = data_input(table, mapping=str(mapping))
    assert inp.columns == ["budget_revenue", "gdp_per_capita", "income_rural", "urbanisation_rate"]
    assert inp.column_names["budget_revenue"] == "一般公共预算收入" and inp.unit_names[0] == "解放区"
    assert "unmapped_header" not in {p.kind for p in problems}
    np.testing.assert_array_equal(inp.column("gdp_per_capita"), direct.panel.take(["gdp_per_capita"])[..., 0])

    r = _cli("analyse", "disparity", "--data", table, "--indicator", "budget_revenue", "--by", "prefecture",
             "--mapping", mapping, "--json", "--out", tmp_path / "d.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)  # the reading's notes go to stderr: stdout stays JSON
    assert summary["indicator"] == "budget_revenue" and set(summary["per_year"]) == {"2021", "2022"}
    assert "unit_per_person" in r.stderr
    r = _cli("analyse", "disparity", "--results", tmp_path / "d.csv", "--mapping", mapping, cwd=tmp_path)
    assert r.returncode != 0 and "readingoptionsofa--datatable" in _flat(r.stderr)


def test_one_year_evaluated_gives_the_same_units_both_ways(files, tmp_path):
    table, fw = files
    direct = evaluate(str(fw), data=str(table), years="2022")
    with open_store(tmp_path / "s.duckdb") as st:
        import_table(table, st)
    via_store = evaluate(str(fw), store=str(tmp_path / "s.duckdb"), years="2022")
    assert direct.units == via_store.units and "410825" not in direct.units  # 温县 has no 2022 row
    np.testing.assert_array_equal(direct.scores, via_store.scores)
    with pytest.raises(XianpingInputError, match="no rows for year"):
        evaluate(str(fw), data=str(table), years="2023")


def test_the_same_table_as_a_workbook(files, tmp_path):
    """The yearbook table saved from Excel (title row, numbers as numbers, codes as numbers) evaluates the same."""
    import csv
    import io

    from openpyxl import Workbook

    table, fw = files
    wb = Workbook()
    ws = wb.active
    for row in csv.reader(io.StringIO(table.read_bytes().decode("gbk"))):
        ws.append([float(c) if c.replace(".", "", 1).isdigit() and len(c) != 4 else c or None for c in row])
    book = tmp_path / "焦作.xlsx"
    wb.save(book)
    a, b = evaluate(str(fw), data=str(table)), evaluate(str(fw), data=str(book))
    assert a.units == b.units and b.manifest["data"]["kind"] == "xlsx"
    np.testing.assert_array_equal(a.scores, b.scores)
    assert _said(a.manifest["warnings"]) == _said(b.manifest["warnings"])


def test_robust_cli_prints_and_records_the_reading_warnings(files, tmp_path):
    table, fw = files
    spec = tmp_path / "spec.yaml"
    spec.write_text("inputs:\n  - {name: w, kind: weights, level: 1, noise: 0.25}\n", encoding="utf-8")
    r = _cli("robust", "-f", fw, "--data", table, "--spec", spec, "--n", "8", "--out", tmp_path / "rob", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert _flat("did you mean 一般公共预算收入 (budget_revenue)?") in _flat(r.stdout)
    man = json.loads((tmp_path / "rob" / "robust.manifest.json").read_text(encoding="utf-8"))
    assert {"unmapped_header", "unit_year_missing"} <= {w["kind"] for w in man["warnings"]}
    assert man["data"]["reader"] == "ingest"


def test_whatif_takes_the_reading_options(files, tmp_path):
    """`analyse whatif --data` reads the table as evaluate does, with --mapping (and the other reading options): the
    typo'd revenue column is read through the mapping, its indicator gets scenarios; without the mapping it is
    not read and said so; with --store the reading options are refused."""
    import pandas as pd

    table, _ = files
    fw = tmp_path / "fw_budget.yaml"
    fw.write_text(FRAMEWORK.replace("        - {code: rural_inc, name_zh: 农村居民收入, indicator: income_rural}\n",
                                    "        - {code: rural_inc, name_zh: 农村居民收入, indicator: income_rural}\n"
                                    "        - {code: budget, name_zh: 财政收入, indicator: budget_revenue}\n"),
                  encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("一般公共预算收人（亿元）: budget_revenue\n", encoding="utf-8")
    args = ["analyse", "whatif", "-f", fw, "--data", table, "--unit", "410821", "--year", "2022", "--json"]
    r = _cli(*args, "--mapping", mapping, "--out", tmp_path / "w.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "一般公共预算收人" not in r.stderr and "unit_year_missing" in r.stderr  # the reading's warnings said
    rows = pd.read_csv(tmp_path / "w.csv", dtype=str)
    budget = rows[rows.apply(lambda row: "budget_revenue" in " ".join(row.fillna("")), axis=1)]
    assert len(budget) >= 1 and budget.filter(like="当前值").notna().all().all()
    r = _cli(*args, "--out", tmp_path / "w0.csv", cwd=tmp_path)  # no mapping: the column is not read, and said so
    assert "Traceback" not in r.stderr and "一般公共预算收人" in _flat(r.stderr) and "unmapped_header" in r.stderr
    r = _cli("analyse", "whatif", "-f", fw, "--store", tmp_path / "s.duckdb", "--unit", "410821", "--mapping", mapping,
             "--split-rule", mapping, cwd=tmp_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr and "readingoptionsofadatafile" in _flat(r.stderr)
