"""Write the malformed-input corpus of this folder (run: .venv/bin/python tests/ingest/malformed/make_corpus.py).

Each file is small and breaks one rule; tests/ingest/test_ingest_malformed.py holds what each must report
(kind, row, column, value). Codes and names are real (焦作 410802 解放区 …) so only the intended fault shows.
"""

from pathlib import Path

HERE = Path(__file__).parent

H = "代码,地区,常住人口,城镇化率（%）\n"
OK1 = "410802,解放区,347382,95.5\n"
OK2 = "410803,中站区,107281,60.1\n"

CSV = {
    "empty.csv": "",
    "header_only.csv": H,
    "no_id_column.csv": "甲,乙,丙\n1,2,3\n",
    "unknown_code.csv": H + OK1 + "999999,某县,5,50\n",
    "text_in_number.csv": H + OK1 + "410803,中站区,约5,60.1\n",
    "text_in_number_digits.csv": H + OK1 + "410803,中站区,\"12,3a\",60.1\n",
    "percent_out_of_range.csv": H + OK1 + "410803,中站区,107281,150\n",
    "negative_value.csv": H + OK1 + "410803,中站区,-5,60.1\n",
    "unit_mismatch.csv": "代码,地区,常住人口（万元）\n410802,解放区,34\n",
    "unknown_measure_unit.csv": "代码,地区,常住人口（万只）\n410802,解放区,34\n",
    "duplicate_conflict.csv": H + OK1 + OK2 + "410802,解放区,347000,95.5\n",
    "invalid_period.csv": "代码,年份,常住人口\n410802,2020,347382\n410803,二〇二〇,107281\n",
    "missing_period_cell.csv": "代码,年份,常住人口\n410802,2020,347382\n410803,,107281\n",
    "ambiguous_name.csv": "地区,常住人口\n解放区,347382\n市中区,100000\n",
    "unknown_name.csv": "地区,常住人口\n解放区,347382\n不存在县,100000\n",
    "name_code_mismatch.csv": H + "410802,中站区,347382,95.5\n",
    "duplicate_column.csv": "代码,常住人口,总人口\n410802,347382,347382\n",
    "invalid_code.csv": H + OK1 + "41080,中站区,107281,60.1\n",
    "missing_unit_id.csv": H + OK1 + ",,107281,60.1\n",
    "long_unknown_unit.csv": "代码,年份,指标,值,单位\n410802,2020,pop_total,34.7,万人\n410803,2020,pop_total,10,furlongs\n",
    "long_unit_mismatch.csv": "代码,年份,指标,值,单位\n410802,2020,pop_total,34.7,万人\n410803,2020,pop_total,10,亿元\n",
    "merge_needs_weight.csv": "代码,城镇化率\n410306,55.0\n410322,45.0\n",
    "split_needs_rule.csv": "代码,常住人口\n330102,500000\n330104,1000000\n",
    "stale_code.csv": H + "410381,偃师市,600000,50\n",
    "table.json": '{"代码": 410802}',
}

MAPPING = {"bad_mapping.yaml": "常住人口: population_total\n"}


def main() -> None:
    for name, text in CSV.items():
        (HERE / name).write_text(text, encoding="utf-8")
    for name, text in MAPPING.items():
        (HERE / name).write_text(text, encoding="utf-8")
    (HERE / "mapped_unknown_indicator.csv").write_text(H + OK1, encoding="utf-8")
    # a file named .xlsx that is not a workbook (a CSV renamed by hand)
    (HERE / "not_a_workbook.xlsx").write_bytes((H + OK1).encode("utf-8"))
    # a real workbook for the unknown-sheet case; the title rows above the header are deliberate
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["表1 焦作市各县区常住人口"])
    ws.append([])
    ws.append(["代码", "地区", "常住人口"])
    ws.append([410802, "解放区", 347382])
    wb.save(HERE / "sheets.xlsx")


if __name__ == "__main__":
    main()
