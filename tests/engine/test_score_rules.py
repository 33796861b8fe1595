"""考核办法 rules against worked examples computed by hand from their published wording.

Sources (summarised in /work/shared/docs/assessment_practice.md, 考核办法):
- 四川 2019 县域经济发展考核办法 (fgw.dazhou.gov.cn/news-show-697.html): 统一指标、分类赋权 — the same indicators,
  points per class, each class totalling 100; add-on items outside the 100; 先进县 / 进步县.
- 山东 差异化评价 (大众日报 2022-05-21): 分类评分、统一排序; top 10 by score 先进县, top 10 by rank improvement 进步县.
- Rule wording across methods: "完成目标得满分，每低1个百分点扣0.5分，扣完为止"; "增幅高于全省平均水平";
  功效系数法 60 + 40 × (x − 不允许值)/(满意值 − 不允许值); 名次赋分; capped 加分/扣分; 一票否决.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xianping.engine.score_rules import rule_points, score_points
from xianping.frameworks.scoring import Scoring

NAN = np.nan


def _rule(**kw):
    """A rule with every default filled in, as the framework validator records it."""
    sc = Scoring.model_validate({"items": [{"code": "a", "indicator": "x", "points": 100, "rule": kw}]})
    return sc.to_dict()["items"][0]["rule"]


def _pts(x, rule, P=10.0, **kw):
    x = np.asarray(x, dtype=float)
    p, top = rule_points(x, rule, np.full(x.shape[-1], P), **kw)
    return p, top


# ── target completion ─────────────────────────────────────────────────────
def test_target_completion_deducts_half_a_point_per_point_below_until_none_left():
    # "完成目标得满分，每低1个百分点扣0.5分，扣完为止", item worth 10, target 60 (%):
    # 60 → at target: 10; 65 → above: 10; 58 → 2 below: 10 − 2×0.5 = 9; 50 → 10 below: 10 − 5 = 5;
    # 41 → 19 below: 10 − 9.5 = 0.5; 38.5 → 21.5 below: 10 − 10.75 < 0 → 扣完为止: 0; 30 → 0
    p, top = _pts([[60, 65, 58, 50, 41, 38.5, 30]], _rule(kind="target_completion", target=60))
    np.testing.assert_allclose(p, [[10, 10, 9, 5, 0.5, 0, 0]])
    np.testing.assert_allclose(top, 10)


def test_target_completion_bonus_above_target_is_capped_and_whole_steps():
    # bonus 0.2 per point above, at most 1 extra: 62 → 10 + 0.4; 65 → 10 + 1.0; 70 → 10 + min(2, 1) = 11
    p, top = _pts([[62, 65, 70]], _rule(kind="target_completion", target=60, bonus=0.2, bonus_cap=1))
    np.testing.assert_allclose(p, [[10.4, 11, 11]])
    np.testing.assert_allclose(top, 11)
    # whole steps only: 58.5 is 1.5 points below → 1 whole step → 10 − 0.5 = 9.5
    p, _ = _pts([[58.5]], _rule(kind="target_completion", target=60, steps="whole"))
    np.testing.assert_allclose(p, [[9.5]])


def test_target_completion_floor_lower_is_better_and_completion_rate():
    # floor 4: 40 is 20 below → 10 − 10 = 0 → raised to the floor 4
    p, _ = _pts([[40]], _rule(kind="target_completion", target=60, floor=4))
    np.testing.assert_allclose(p, [[4]])
    # a ceiling (lower is better, e.g. CO2 per person ≤ 2.0 t): 2.5 is 0.5 above → 10 − 0.25 = 9.75; 1.8 → 10
    p, _ = _pts([[2.5, 1.8]], _rule(kind="target_completion", target=2.0, better="lower"))
    np.testing.assert_allclose(p, [[9.75, 10]])
    # completion of a target of 200 (亿元): 190 is 95 % → 5 points of completion below → 10 − 2.5 = 7.5
    p, _ = _pts([[190, 200]], _rule(kind="target_completion", target=200, measure="completion"))
    np.testing.assert_allclose(p, [[7.5, 10]])


# ── growth vs the provincial average ─────────────────────────────────────
def test_growth_above_the_provincial_average_zero_and_negative_base():
    # year 0 → year 1 for five units of one province, item worth 8, bonus 0.1 per point above the mean, cap 2:
    # growth = (110/100 − 1)·100 = 10; 105/100 → 5; base 0 → no growth; base −5 → no growth; 40/50 → −20.
    # mean of the growths there are = (10 + 5 − 20)/3 = −5/3.
    # unit 0: 10 > −5/3 → 8 + 0.1 × (10 + 5/3) = 9.1667; unit 1: 8 + 0.1 × (5 + 5/3) = 8.6667;
    # units 2, 3 (no growth) and 4 (below the mean) → below_points 0. Year 0 has no previous year → 0.
    x = np.array([[100, 100, 0, -5, 50], [110, 105, 10, 3, 40]], dtype=float)
    p, top = _pts(x, _rule(kind="growth_vs_average", bonus=0.1, bonus_cap=2), P=8)
    np.testing.assert_allclose(p[0], 0)
    np.testing.assert_allclose(p[1], [8 + 0.1 * (10 + 5 / 3), 8 + 0.1 * (5 + 5 / 3), 0, 0, 0])
    np.testing.assert_allclose(top, 10)


def test_growth_exactly_at_average_is_not_above_and_provinces_average_separately():
    # measure value (the indicator is a growth rate): province A = [6, 4] (mean 5), province B = [5, 5] (mean 5).
    # "高于" is strict: the two units of B at exactly the mean earn below_points 2; A's 6 earns 10, 4 earns 2.
    x = np.array([[6, 4, 5, 5]], dtype=float)
    p, _ = _pts(x, _rule(kind="growth_vs_average", measure="value", below_points=2), P=10,
                provinces=np.array([1, 1, 2, 2]))
    np.testing.assert_allclose(p, [[10, 2, 2, 2]])
    # all units one group: mean 5 → same points here; with average: all and B = [7, 7]: mean (6+4+7+7)/4 = 6
    x = np.array([[6, 4, 7, 7]], dtype=float)
    p, _ = _pts(x, _rule(kind="growth_vs_average", measure="value", average="all"), P=10, provinces=np.array([1, 1, 2, 2]))
    np.testing.assert_allclose(p, [[0, 0, 10, 10]])


# ── 功效系数法 ─────────────────────────────────────────────────────────────
def test_efficacy_coefficient():
    # 满意值 12 years, 不允许值 7 years, item worth 20: c = 60 + 40 (x − 7)/5
    # x = 12 → 100 → 20; 9.5 → 80 → 16; 7 → 60 → 12; 13 → 108 → clipped 100 → 20; 1 → 60 − 48 = 12 → 2.4;
    # −10 → 60 − 136 < 0 → clipped 0 → 0
    p, top = _pts([[12, 9.5, 7, 13, 1, -10]], _rule(kind="efficacy_coefficient", satisfactory=12, unacceptable=7), P=20)
    np.testing.assert_allclose(p, [[20, 16, 12, 20, 2.4, 0]])
    np.testing.assert_allclose(top, 20)
    # lower is better (满意值 below 不允许值): CO2 1 t good, 3 t not allowed; 2 t → 60 + 40·(−1)/(−2) = 80 → 16
    p, _ = _pts([[2]], _rule(kind="efficacy_coefficient", satisfactory=1, unacceptable=3), P=20)
    np.testing.assert_allclose(p, [[16]])


# ── 名次赋分 ───────────────────────────────────────────────────────────────
def test_rank_points_ties_share_and_floor():
    # first 10, each place lower −1; 80 and 80 tie for 2nd (both 9), the next is 4th (7); a missing value gets 0
    p, _ = _pts([[90, 80, 80, 70, NAN]], _rule(kind="rank_points", step=1))
    np.testing.assert_allclose(p, [[10, 9, 9, 7, 0]])
    # step 4, floor 1: 10, 6, 6, 10 − 12 < 1 → 1
    p, _ = _pts([[90, 80, 80, 70]], _rule(kind="rank_points", step=4, floor=1))
    np.testing.assert_allclose(p, [[10, 6, 6, 1]])
    # lower is better
    p, _ = _pts([[3, 1, 2]], _rule(kind="rank_points", step=1, better="lower"))
    np.testing.assert_allclose(p, [[8, 10, 9]])


# ── programme: bonuses, penalties, vetoes, classes, ranks, awards ──────────
def _programme(**over):
    base = {
        "total": 100, "ranking_mode": "together",
        "items": [
            {"code": "a", "indicator": "x", "points": 60, "rule": {"kind": "target_completion", "target": 100, "deduct": 1}},
            {"code": "b", "indicator": "y", "points": 40, "rule": {"kind": "rank_points", "step": 5}},
        ],
        # national honours +1 each, at most +3; a safety accident −2 (penalty by threshold)
        "bonuses": [{"code": "honours", "indicator": "h", "each": 1, "cap": 3}],
        "penalties": [{"code": "accident", "indicator": "acc", "points": 2, "threshold": 1, "cap": 2}],
        "vetoes": [{"code": "veto", "indicator": "v", "threshold": 1}],
        "awards": {"advanced": 1, "first_tier": 2},
    }
    base.update(over)
    return Scoring.model_validate(base).to_dict()


COLS = ["x", "y", "h", "acc", "v"]


def test_bonus_and_penalty_caps_and_veto_on_the_top_county():
    # four units, one year. x (target 100, −1 per point below, 60 full), y ranked (40 − 5 per place):
    # unit 0: x 100 → 60; y 9 → 1st → 40; honours 5 → capped 3; no accident; vetoed → total 103, ranked last
    # unit 1: x 95 → 55; y 8 → 2nd → 35; honours 1 → 1; accident → −2 → 89
    # unit 2: x 98 → 58; y 7 → 4th (two tie for 2nd) → 40 − 15 = 25; honours 0; → 83
    # unit 3: x 90 → 50; y 8 → 2nd (tie) → 35; honours 2 → 2 → 87
    v = np.array([[[100, 9, 5, 0, 1], [95, 8, 1, 1, 0], [98, 7, 0, 0, 0], [90, 8, 2, 0, 0]]], dtype=float)
    r = score_points(v, COLS, _programme())
    np.testing.assert_allclose(r.items[0], [[60, 40], [55, 35], [58, 25], [50, 35]])
    np.testing.assert_allclose(r.bonuses[0, :, 0], [3, 1, 0, 2])
    np.testing.assert_allclose(r.penalties[0, :, 0], [0, 2, 0, 0])
    np.testing.assert_allclose(r.total[0], [103, 89, 83, 87])
    np.testing.assert_array_equal(r.vetoed[0], [True, False, False, False])
    # the vetoed top county drops behind all others; 先进县 (top 1) goes to unit 1; 第一方阵 (top 2) to units 1, 3
    np.testing.assert_allclose(r.rank[0], [4, 1, 3, 2])
    np.testing.assert_array_equal(r.awards["advanced"][0], [False, True, False, False])
    np.testing.assert_array_equal(r.awards["first_tier"][0], [False, True, False, True])


def test_classes_ranked_within_a_class_of_one_and_ties_share():
    # 统一指标、分类赋权: class A scores a 60 / b 40 (the items' own points); class B a 20 / b 80.
    # units 0, 1, 2 in A, unit 3 alone in B. y ranks among all units (among: all).
    prog = _programme(classes=["A", "B"], class_points={"B": {"a": 20, "b": 80}}, ranking_mode="within_class",
                      bonuses=[], penalties=[], vetoes=[], awards={"advanced": 1, "advanced_per_class": True})
    v = np.array([[[100, 9, 0, 0, 0], [90, 8, 0, 0, 0], [90, 8, 0, 0, 0], [100, 7, 0, 0, 0]]], dtype=float)
    r = score_points(v, COLS, prog, classes=np.array([0, 0, 0, 1]))
    # unit 0: 60 + 40 = 100; units 1, 2: 50 + 35 = 85 (tied); unit 3 (class B): a 20 at target, y 4th → 80 − 15 = 65
    np.testing.assert_allclose(r.full, [[60, 40]] * 3 + [[20, 80]])
    np.testing.assert_allclose(r.total[0], [100, 85, 85, 85])
    np.testing.assert_allclose(r.rank[0], [1, 2, 2, 1])  # the class of one: first of its class
    np.testing.assert_allclose(r.rank_together[0], [1, 2, 2, 2])
    np.testing.assert_array_equal(r.awards["advanced"][0], [True, False, False, True])


def test_most_improved_over_last_year():
    # 进步县: top 1 by places gained. year 0 ranks by x: [1, 2, 3, 4]; year 1: unit 3 first, unit 2 second
    # → gains [−2, −2, +1, +3] → unit 3 (gained 3 places) is 进步县; year 0 has no previous year
    prog = _programme(items=[{"code": "a", "indicator": "x", "points": 100, "rule": {"kind": "rank_points", "step": 1}}],
                      bonuses=[], penalties=[], vetoes=[], awards={"improved": 1})
    x = np.zeros((2, 4, 5))
    x[0, :, 0] = [4, 3, 2, 1]
    x[1, :, 0] = [2, 1, 3, 4]
    r = score_points(x, COLS, prog)
    np.testing.assert_allclose(r.rank_together, [[1, 2, 3, 4], [3, 4, 2, 1]])
    np.testing.assert_array_equal(r.awards["improved"], [[False] * 4, [False, False, False, True]])


def test_leading_sample_axes_broadcast():
    v = np.array([[[100, 9, 5, 0, 1], [95, 8, 1, 1, 0], [98, 7, 0, 0, 0], [90, 8, 2, 0, 0]]], dtype=float)
    one = score_points(v, COLS, _programme())
    many = score_points(np.stack([v, v[:, ::-1]]), COLS, _programme())
    np.testing.assert_allclose(many.total[0], one.total)
    np.testing.assert_allclose(many.total[1], one.total[:, ::-1])
    np.testing.assert_allclose(many.rank[1], one.rank[:, ::-1])


# ── property: items + bonuses − penalties = total, every unit-year ─────────
_rules = st.one_of(
    st.builds(lambda t, d, f: {"kind": "target_completion", "target": t, "deduct": d, "floor": f},
              st.floats(-50, 50), st.floats(0, 3), st.floats(0, 1)),
    st.builds(lambda m, b, c: {"kind": "growth_vs_average", "measure": m, "bonus": b, "bonus_cap": c},
              st.sampled_from(["growth", "change", "value"]), st.floats(0, 1), st.floats(0, 5)),
    st.builds(lambda s, u: {"kind": "efficacy_coefficient", "satisfactory": s, "unacceptable": s + u},
              st.floats(-20, 20), st.sampled_from([-10.0, -1.0, 2.0, 7.0])),
    st.builds(lambda s: {"kind": "rank_points", "step": s}, st.floats(0.1, 5)),
)


@st.composite
def programmes(draw):
    k = draw(st.integers(1, 4))
    shares = draw(st.lists(st.integers(1, 10), min_size=k, max_size=k))
    total = draw(st.sampled_from([100.0, 150.0]))
    pts = [total * s / sum(shares) for s in shares]
    pts[-1] = total - sum(pts[:-1])
    items = [{"code": f"i{j}", "indicator": f"c{j % 3}", "points": pts[j], "rule": draw(_rules)} for j in range(k)]
    for it in items:
        if "floor" in it["rule"]:
            it["rule"]["floor"] = min(it["rule"]["floor"], it["points"])
    cp = {"B": {"i0": pts[0] + (pts[1] if k > 1 else 0) * 0.5}}
    if k > 1:
        cp["B"]["i1"] = pts[1] * 0.5
    prog = {"total": total, "items": items, "classes": ["A", "B"], "class_points": cp,
            "ranking_mode": draw(st.sampled_from(["within_class", "together"])),
            "bonuses": [{"code": "b", "indicator": "c1", "each": draw(st.floats(0, 2)), "cap": draw(st.floats(0, 5))}],
            "penalties": [{"code": "p", "indicator": "c2", "points": 2, "threshold": 0, "cap": draw(st.floats(0, 2))}],
            "vetoes": [{"code": "v", "indicator": "c0", "threshold": 40}], "awards": {"advanced": 2, "improved": 1}}
    return Scoring.model_validate(prog)


@settings(max_examples=60, deadline=None)
@given(programmes(), st.integers(0, 2**31 - 1))
def test_items_add_up_to_the_total_for_every_unit_year(sc, seed):
    assert not sc.findings({"c0", "c1", "c2"})
    prog = sc.to_dict()
    rng = np.random.default_rng(seed)
    x = rng.normal(30, 30, size=(2, 3, 7, 3))  # samples, years, units, indicators
    x[rng.random(x.shape) < 0.1] = np.nan
    r = score_points(x, ["c0", "c1", "c2"], prog, classes=rng.integers(-1, 2, size=7), provinces=np.array([1, 1, 1, 2, 2, 2, 2]))
    ok = ~np.isnan(r.total)
    sheet_sum = r.items.sum(-1) + r.bonuses.sum(-1) - r.penalties.sum(-1)
    np.testing.assert_allclose(sheet_sum[ok], r.total[ok])
    # every item within [0, its maximum]; class points total the programme's total
    assert np.all(r.items >= -1e-9) and np.all(r.items <= r.item_max + 1e-9)
    np.testing.assert_allclose(r.full.sum(-1), prog["total"])
    assert np.all(r.bonuses <= r.bonus_max + 1e-12) and np.all(r.penalties <= r.penalty_max + 1e-12)
    # vetoed units rank after all others of their group
    for s in range(2):
        for t in range(3):
            ranked = ok[s, t]
            v, nv = r.vetoed[s, t] & ranked, ~r.vetoed[s, t] & ranked
            if v.any() and nv.any():
                assert r.rank_together[s, t][v].min() > r.rank_together[s, t][nv].max()


def test_single_item_award_breaks_equal_points_by_the_value():
    # 单项奖 top 1 on item a (target 100, 60 points): units 0 and 1 both reach the target (60 points each);
    # the better value (120 > 110) wins; unit 2 is below. A vetoed unit with 130 wins nothing.
    prog = _programme(bonuses=[], penalties=[], awards={"single": [{"item": "a", "top_n": 1}]})
    v = np.array([[[110, 1, 0, 0, 0], [120, 1, 0, 0, 0], [90, 1, 0, 0, 0], [130, 1, 0, 0, 1]]], dtype=float)
    r = score_points(v, COLS, prog)
    np.testing.assert_array_equal(r.awards["single:a"][0], [False, True, False, False])


# ── edge cases of the Done-when list, each by hand (sources as in the module docstring) ─────────────────────
def test_exactly_at_target_earns_full_points_and_no_bonus():
    # "完成目标得满分": at the target exactly (60) the shortfall and the excess are both 0 → 10 points, no bonus;
    # one step above (61) → 10 + 0.2 = 10.2. Lower is better, at the ceiling 2.0 exactly → 10.
    p, _ = _pts([[60, 61]], _rule(kind="target_completion", target=60, bonus=0.2, bonus_cap=1))
    np.testing.assert_allclose(p, [[10, 10.2]])
    p, _ = _pts([[2.0]], _rule(kind="target_completion", target=2.0, better="lower", bonus=0.5, bonus_cap=1))
    np.testing.assert_allclose(p, [[10]])
    # completion measure, exactly 100 % of a 200 亿元 target → 10; whole steps at 99.5 % → 0 whole steps → 10
    p, _ = _pts([[200, 199]], _rule(kind="target_completion", target=200, measure="completion", steps="whole"))
    np.testing.assert_allclose(p, [[10, 10]])


def test_growth_bonus_cap_reached_and_zero_base_everywhere():
    # "增幅高于全省平均水平 … 每高1个百分点加0.5分，最多加2分": item 8, growths 40 %, 0 %, −10 % (mean 10):
    # unit 0: 30 above → 0.5 × 30 = 15 → capped 2 → 10; units 1, 2 below → 0
    x = np.array([[100, 100, 100], [140, 100, 90]], dtype=float)
    p, top = _pts(x, _rule(kind="growth_vs_average", bonus=0.5, bonus_cap=2), P=8)
    np.testing.assert_allclose(p[1], [10, 0, 0])
    np.testing.assert_allclose(top, 10)
    # every base zero or negative: no growth anywhere, no mean → nobody is above it → below_points (1) for all
    x = np.array([[0, -3, 0], [5, 2, 0]], dtype=float)
    p, _ = _pts(x, _rule(kind="growth_vs_average", below_points=1), P=8)
    np.testing.assert_allclose(p[1], [1, 1, 1])


def test_rank_ties_for_first_and_at_the_floor():
    # 名次赋分 item 10, −2 per place, floor 3: values 9, 9, 7, 5, 5, 1 → places 1, 1, 3, 4, 4, 6
    # → 10, 10, 10 − 4 = 6, 10 − 6 = 4, 4, 10 − 10 = 0 → floor 3
    p, _ = _pts([[9, 9, 7, 5, 5, 1]], _rule(kind="rank_points", step=2, floor=3))
    np.testing.assert_allclose(p, [[10, 10, 6, 4, 4, 3]])


def test_penalty_per_unit_capped_and_thresholds_inclusive():
    # "安全生产事故 每起扣0.5分，最多扣2分": 3 accidents → 1.5; 10 → 5 → capped 2. Bonus "达到95%加1分" at exactly 95
    # → +1 (at_least is inclusive); veto "≥ 130" at exactly 130 → vetoed.
    prog = _programme(items=[{"code": "a", "indicator": "x", "points": 100, "rule": {"kind": "rank_points", "step": 1}}],
                      bonuses=[{"code": "toilet", "indicator": "h", "points": 1, "threshold": 95, "cap": 1}],
                      penalties=[{"code": "accident", "indicator": "acc", "each": 0.5, "cap": 2}],
                      vetoes=[{"code": "sex_ratio", "indicator": "v", "threshold": 130}], awards={})
    v = np.array([[[5, 0, 95, 3, 129.9], [4, 0, 94.99, 10, 130]]], dtype=float)
    r = score_points(v, COLS, prog)
    np.testing.assert_allclose(r.bonuses[0, :, 0], [1, 0])
    np.testing.assert_allclose(r.penalties[0, :, 0], [1.5, 2])
    np.testing.assert_array_equal(r.vetoed[0], [False, True])
    # totals: 100 + 1 − 1.5 = 99.5; 99 + 0 − 2 = 97
    np.testing.assert_allclose(r.total[0], [99.5, 97])


def test_class_of_one_county_takes_first_place_in_class_rank_points():
    # among: class — the one county of class B is first of its class on y whatever its value → full 80 points
    prog = _programme(classes=["A", "B"], class_points={"B": {"a": 20, "b": 80}}, ranking_mode="within_class",
                      bonuses=[], penalties=[], vetoes=[], awards={},
                      items=[{"code": "a", "indicator": "x", "points": 60, "rule": {"kind": "target_completion", "target": 100}},
                             {"code": "b", "indicator": "y", "points": 40, "rule": {"kind": "rank_points", "step": 5, "among": "class"}}])
    v = np.array([[[100, 9, 0, 0, 0], [100, 8, 0, 0, 0], [100, 1, 0, 0, 0]]], dtype=float)
    r = score_points(v, COLS, prog, classes=np.array([0, 0, 1]))
    np.testing.assert_allclose(r.items[0, :, 1], [40, 35, 80])
    np.testing.assert_allclose(r.rank[0], [1, 2, 1])


def test_points_as_published_rounded_half_up_and_the_total_their_sum():
    from xianping.engine.score_rules import round_points

    # 四舍五入 on the decimal value: 9.155 → 9.16 (numpy.round: 9.15, the float being 9.15499…); 2.345 → 2.35;
    # float noise 0.28000000000000114 → 0.28; half away from zero for a negative; 0 decimals: 2.5 → 3, 3.5 → 4
    np.testing.assert_array_equal(round_points([9.155, 2.345, 0.28000000000000114, -2.345], 2), [9.16, 2.35, 0.28, -2.35])
    np.testing.assert_array_equal(round_points([2.5, 3.5, 0.49], 0), [3, 4, 0])
    assert np.round(9.155, 2) == 9.15  # why round_points exists
    # a programme: urbanisation 48.31 % against 60 ("每低1个百分点扣0.5分"), item 10 → 10 − 0.5 × 11.69 = 4.155 → 4.16;
    # schooling 9.56 years, 功效系数 20 points, 满意值 11, 不允许值 7: 60 + 40 × 2.56/4 = 85.6 → 17.12;
    # total 4.16 + 17.12 = 21.28 (the unrounded parts would give 21.275). With decimals 0: 4 + 17 = 21.
    items = [{"code": "u", "indicator": "x", "points": 10, "rule": {"kind": "target_completion", "target": 60}},
             {"code": "s", "indicator": "y", "points": 20, "rule": {"kind": "efficacy_coefficient", "satisfactory": 11,
                                                                    "unacceptable": 7}}]
    v = np.array([[[48.31, 9.56, 0, 0, 0]]])
    for dec, parts, total in ((2, [4.16, 17.12], 21.28), (0, [4, 17], 21)):
        prog = Scoring.model_validate({"total": 30, "decimals": dec, "items": items}).to_dict()
        r = score_points(v, COLS, prog)
        np.testing.assert_array_equal(r.items[0, 0], parts)
        assert r.total[0, 0] == total
