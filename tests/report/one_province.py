"""A 20-county, one-province evaluation (real 河南 county codes: 县 and 县级市 in 郑州, 开封, 洛阳, 商丘 and 省直辖
济源), two years, first tier = top 5 — the shape of a provincial analyst's own data, for the report tests."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from conftest import FRAMEWORK, INDICATORS

HENAN = {"410122": "中牟县", "410181": "巩义市", "410182": "荥阳市", "410183": "新密市", "410184": "新郑市",
         "410185": "登封市", "410221": "杞县", "410222": "通许县", "410223": "尉氏县", "410225": "兰考县",
         "410323": "新安县", "410324": "栾川县", "410325": "嵩县", "410326": "汝阳县", "410327": "宜阳县",
         "410328": "洛宁县", "410329": "伊川县", "411423": "宁陵县", "411481": "永城市", "419001": "济源市"}
YEARS = ("2022", "2023")


def henan_values(seed: int = 11) -> dict[tuple[str, str, str], float]:
    rng = np.random.default_rng(seed)
    out = {}
    for n, u in enumerate(HENAN):
        base = {"gdp": 200 + 40 * n + rng.uniform(0, 600), "budget_revenue": 8 + rng.uniform(0, 40),
                "urbanisation_rate": 35 + rng.uniform(0, 35), "edu_years": 8 + rng.uniform(0, 2.5)}
        for t, y in enumerate(YEARS):
            for k, v in base.items():
                out[(u, y, k)] = round(v * (1 + 0.06 * t * rng.uniform(-0.5, 1.5)), 4)
    out[("410325", "2023", "budget_revenue")] = float("nan")
    return out


def evaluate_henan(folder: Path) -> dict:
    from xianping.evaluation import evaluate

    fw = folder / "henan-test.yaml"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    data = folder / "henan.csv"
    vals = henan_values()
    with open(data, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "unit_name", "year", *INDICATORS])
        for u, name in HENAN.items():
            for y in YEARS:
                w.writerow([u, name, y, *["" if np.isnan(vals[(u, y, k)]) else vals[(u, y, k)] for k in INDICATORS]])
    res = evaluate(str(fw), data=str(data), years=list(YEARS),
                   settings={"tiers": {"method": "top_n", "n": 5}, "base_year": "2022"})
    out = folder / "results.csv"
    res.write(out, base_year="2022")
    return {"dir": folder, "results": out, "result": res, "values": vals}
