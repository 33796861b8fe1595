"""A small evaluation made here (14 real county codes in 苏州 and 绍兴, two years, four indicators with 亿元 and %),
so the report tests need neither the demo store nor /work/shared."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

FRAMEWORK = """\
code: report-test
name_zh: 县域发展测试指数
name_en: County development test index
version: "0.1"
defaults:
  normalisation: {method: min_max, shift: none, panel: pooled}
  weights: equal
  aggregation: arithmetic
  scale: 100
root:
  code: test_index
  name_zh: 测试综合指数
  name_en: Test index
  children:
    - code: economy
      name_zh: 经济实力
      name_en: Economic strength
      children:
        - {code: gdp, name_zh: 地区生产总值, name_en: GDP, indicator: gdp}
        - {code: budget_revenue, name_zh: 一般公共预算收入, name_en: Budget revenue, indicator: budget_revenue}
    - code: society
      name_zh: 社会发展
      name_en: Social development
      children:
        - {code: urbanisation_rate, name_zh: 常住人口城镇化率, name_en: Urbanisation rate, indicator: urbanisation_rate}
        - {code: edu_years, name_zh: 平均受教育年限, name_en: Years of schooling, indicator: edu_years}
"""

UNITS = {"320581": "常熟市", "320585": "太仓市", "320582": "张家港市", "320583": "昆山市", "320508": "姑苏区",
         "320509": "吴江区", "320506": "吴中区", "320507": "相城区", "320505": "虎丘区", "330602": "越城区",
         "330603": "柯桥区", "330604": "上虞区", "330624": "新昌县", "330681": "诸暨市"}
YEARS = ("2022", "2023")
INDICATORS = ("gdp", "budget_revenue", "urbanisation_rate", "edu_years")


def make_values() -> dict[tuple[str, str, str], float]:
    rng = np.random.default_rng(7)
    out = {}
    for n, u in enumerate(UNITS):
        base = {"gdp": 800 + 300 * n + rng.uniform(0, 2000), "budget_revenue": 60 + rng.uniform(0, 200),
                "urbanisation_rate": 55 + rng.uniform(0, 30), "edu_years": 9 + rng.uniform(0, 3)}
        for t, y in enumerate(YEARS):
            for k, v in base.items():
                g = 1 + (0.05 if k in ("gdp", "budget_revenue") else 0.01) * t * rng.uniform(0.2, 1.8)
                out[(u, y, k)] = round(v * g, 4)
    out[("330624", "2023", "edu_years")] = float("nan")   # a missing cell
    return out


@pytest.fixture(scope="session")
def evaluated(tmp_path_factory) -> dict:
    from xianping.evaluation import evaluate

    d = tmp_path_factory.mktemp("report_eval")
    fw = d / "report-test.yaml"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    data = d / "data.csv"
    vals = make_values()
    with open(data, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "unit_name", "year", *INDICATORS])
        for u, name in UNITS.items():
            for y in YEARS:
                w.writerow([u, name, y, *["" if np.isnan(vals[(u, y, k)]) else vals[(u, y, k)] for k in INDICATORS]])
    res = evaluate(str(fw), data=str(data), years=list(YEARS), by_type=True,
                   settings={"tiers": {"method": "quantile", "k": 3}, "base_year": "2022"})
    out = d / "results.csv"
    res.write(out, base_year="2022")
    return {"dir": d, "results": out, "result": res, "values": vals, "data": data, "framework": fw}


def read_results(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"
