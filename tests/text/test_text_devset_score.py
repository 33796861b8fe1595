"""The development set of real county documents (tests/text/devset) and the rules of its scorer.

The scorer's rules (scripts/score_extraction.py, xianping.text.score.DEVSET_RULES) are tested here on hand-made
gold and predictions, each rule by a pair that matches and one that does not."""

from pathlib import Path

import pytest

from xianping.text.score import DevDoc, dev_totals, load_devset, score_dev_doc, score_devset

DEVSET = Path(__file__).parent / "devset"


def test_devset_meets_the_bar():
    t = dev_totals(score_devset(DEVSET))
    assert t.gold >= 190 and len(load_devset(DEVSET)) >= 5
    assert t.precision >= 0.95 and t.recall >= 0.90 and t.wrong_value == 0
    assert t.region_ok == t.matched_pred  # every matched statement is the document's county


def test_held_out_documents_meet_the_bar():
    t = dev_totals(score_devset(DEVSET / "holdout"))
    assert t.precision >= 0.95 and t.recall >= 0.90 and t.wrong_value == 0


def test_devset_sources_name_url_title_and_county():
    docs = load_devset(DEVSET)
    assert len({d.meta["province"] for d in docs}) >= 5
    for d in docs:
        assert d.meta["url"].startswith("http") and d.meta["title"] and d.meta["region"].endswith(("县", "区", "市"))
        assert d.gold, d.file


# ---------------------------------------------------------------- the scorer's rules
TEXT = "全县地区生产总值98.4亿元,增长3.1%。第一产业增加值21.6亿元,下降1.5%。全县地区生产总值98.4亿元,增长3.1%。"


def _doc(*gold):
    gold = [dict(g) for g in gold]
    for g in gold:
        a = TEXT.find(g["q"])
        g["span"] = (a, a + len(g["q"]))
    return DevDoc("t.txt", {"region": "子洲县", "period": "2023"}, TEXT, gold)


def _pred(span_text, occurrence=0, **kw):
    a = -1
    for _ in range(occurrence + 1):
        a = TEXT.find(span_text, a + 1)
    p = {"span": (a, a + len(span_text)), "duplicate_spans": [], "indicator_name": None, "indicator_text": None,
         "value": None, "unit": None, "growth_pct": None, "change_pp": None, "target": False, "rank": None,
         "structure": None, "region_name": "子洲县", "period": "2023", "span_text": span_text, "flags": []}
    p.update(kw)
    return p


GDP = {"q": "地区生产总值98.4亿元", "ind": "地区生产总值", "v": 98.4, "u": "亿元", "g": 3.1}
PRIMARY = {"q": "第一产业增加值21.6亿元", "ind": "第一产业增加值", "v": 21.6, "u": "亿元", "g": -1.5}


def test_a_prediction_matching_every_field_counts():
    sc = score_dev_doc(_doc(GDP), [_pred("地区生产总值98.4亿元,增长3.1%", indicator_name="地区生产总值", value=98.4,
                                         unit="亿", growth_pct=3.1)])  # 亿 = 亿元
    assert (sc.matched_gold, sc.matched_pred, sc.recall, sc.precision) == (1, 1, 1.0, 1.0)
    assert sc.region_ok == 1 and sc.period_ok == 1


@pytest.mark.parametrize("change", [
    {"growth_pct": -3.1},            # a lost or flipped sign
    {"growth_pct": None},            # a rate not attached
    {"value": 98.0},                 # another value (counted as wrong_value too)
    {"unit": "万元"},                 # another unit
    {"target": True},                # an observation read as a target
    {"indicator_name": "一般公共预算收入", "indicator_text": "一般公共预算收入"},  # another indicator
])
def test_a_prediction_differing_in_one_field_does_not_count(change):
    p = _pred("地区生产总值98.4亿元,增长3.1%", indicator_name="地区生产总值", value=98.4, unit="亿元", growth_pct=3.1)
    p.update(change)
    sc = score_dev_doc(_doc(GDP), [p])
    assert (sc.matched_gold, sc.recall, sc.precision) == (0, 0.0, 0.0)
    assert sc.wrong_value == (1 if "value" in change else 0)


def test_span_must_overlap_the_quote():
    p = _pred("第一产业增加值21.6亿元", indicator_name="地区生产总值", value=98.4, unit="亿元", growth_pct=3.1)
    assert score_dev_doc(_doc(GDP), [p]).matched_gold == 0


def test_names_compatible_by_bigrams_or_containment():
    p = _pred("第一产业增加值21.6亿元", indicator_name="第一产业实现增加值", value=21.6, unit="亿元", growth_pct=-1.5)
    assert score_dev_doc(_doc(PRIMARY), [p]).matched_gold == 1  # 5 of 6 bigrams shared
    p["indicator_name"] = p["indicator_text"] = "增加值"  # contained: compatible by the containment rule
    assert score_dev_doc(_doc(PRIMARY), [p]).matched_gold == 1


def test_restatement_is_not_counted_against_precision():
    first = _pred("地区生产总值98.4亿元", indicator_name="地区生产总值", value=98.4, unit="亿元", growth_pct=3.1)
    again = dict(first, span=(TEXT.rfind("地区生产总值98.4亿元"), TEXT.rfind("地区生产总值98.4亿元") + 13),
                 duplicate_spans=[first["span"]])
    sc = score_dev_doc(_doc(GDP), [first, again])
    assert (sc.matched_pred, sc.restated, sc.precision) == (1, 1, 1.0)


def test_one_gold_one_prediction_greedy_in_document_order():
    a = _pred("地区生产总值98.4亿元", indicator_name="地区生产总值", value=98.4, unit="亿元", growth_pct=3.1)
    b = _pred("第一产业增加值21.6亿元", indicator_name="第一产业增加值", value=21.6, unit="亿元", growth_pct=-1.5)
    spurious = _pred("增长3.1%", indicator_name="增长", value=3.1, unit="%")
    sc = score_dev_doc(_doc(GDP, PRIMARY), [b, spurious, a])
    assert (sc.matched_gold, sc.matched_pred, sc.predicted) == (2, 2, 3)
    assert sc.precision == pytest.approx(2 / 3) and sc.spurious == [spurious]


def test_a_quote_not_in_the_text_is_a_located_error(tmp_path):
    (tmp_path / "sources.yaml").write_text("documents:\n- {file: a.txt, region: 温县, url: 'http://x', title: t}\n",
                                           encoding="utf-8")
    (tmp_path / "a.txt").write_text("全县地区生产总值98.4亿元。", encoding="utf-8")
    (tmp_path / "a.gold.yaml").write_text("- {q: 生产总值99亿元, ind: 地区生产总值, v: 99, u: 亿元}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"a.gold.yaml: record 1: quote '生产总值99亿元' not found in a.txt"):
        load_devset(tmp_path)
