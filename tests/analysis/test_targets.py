"""Targets: threshold (compound-growth projection), growth above the provincial mean, top-N, rank improvement."""

import numpy as np
import pytest

from xianping.analysis.targets import evaluate_targets
from xianping.problems import XianpingInputError


def test_targets():
    units = ["410821", "410822", "410823", "320581"]
    years = ["2020", "2021", "2022"]
    out = np.array([[50.0, 80, 120, 10], [60.0, 85, 125, 12], [72.0, 90, 130, 14.4]])
    tg = [{"name": "百亿级", "kind": "threshold", "indicator": "output", "target": 100, "deadline": 2025},
          {"kind": "growth_above_province", "indicator": "output"},
          {"kind": "top_n", "indicator": "output", "n": 2, "deadline": 2025},
          {"kind": "rank_improvement", "indicator": "score", "places": 2, "deadline": 2030}]
    score = np.array([[1.0, 2, 3, 4], [1.0, 2, 4, 3], [1.0, 2, 5, 4.5]])
    rows = evaluate_targets(tg, {"output": out, "score": score}, units, years)
    r = {(x["target"], x["unit_code"]): x for x in rows}
    a = r[("百亿级", "410821")]
    # 50 → 72 in 2 years: 20 %/yr; 72·1.2^2 = 103.7 ≥ 100 → 2024
    assert a["progress_pct"] == pytest.approx(100 * 22 / 50) and a["projected_year"] == 2024 and a["on_track"]
    assert r[("百亿级", "410823")]["attained"] and r[("百亿级", "410823")]["progress_pct"] == 100
    g = r[("growth_above_province:output", "410821")]
    assert g["attained"] and g["province_growth"] == pytest.approx(np.mean([(72 / 50) ** .5, (90 / 80) ** .5, (130 / 120) ** .5]) - 1)
    assert r[("growth_above_province:output", "320581")]["progress_pct"] == 100   # alone in its province: equal, not above
    t = r[("top_n:output", "410821")]
    assert t["rank"] == 3 and not t["attained"] and t["projected_year"] is None     # rank 3 → 3: no pace
    ri = r[("rank_improvement:score", "320581")]
    assert ri["base_rank"] == 1 and ri["rank"] == 2 and ri["progress_pct"] == 0 and not ri["on_track"]
    with pytest.raises(XianpingInputError):
        evaluate_targets([{"kind": "nope", "indicator": "x"}], {"output": out}, units, years)
