"""Repair of scraped text, on made-up strings built with the same byte damage the spec describes (§3)."""

from xianping.text.repair import repair


def test_qmark_mojibake_becomes_full_stop_and_character():
    raw = "坚持本质要求\ufffd?h域经济是主战场"
    rep = repair(raw)
    assert "要求。县域经济" in rep.text
    a, b = rep.orig_span(rep.text.index("。县"), rep.text.index("。县") + 2)
    assert raw[a:b] == "\ufffd?h"


def test_pinyin_annotation_garble_rebuilt_from_bytes():
    # 日報 = C8 D5 | 88 F3; the window D5 88 is 請 (qǐng): the annotator wrote (qǐng) inside the pair
    raw = "據(jù)《西江日?qǐng)?bào)》報(bào)道,今年經(jīng)濟(jì)增長5.2%。"
    rep = repair(raw)
    assert rep.text.startswith("据《西江日报》报道,今年经济增长5.2%")
    assert rep.annotations_removed == 6  # 4 whole + 2 inside the garble
    assert [f["guessed"] for f in rep.fixes] == [False]


def test_trailing_lost_byte_is_a_flagged_guess():
    # 發展潛能。 = B0 6C D5 B9 9D 93 C4 DC; the annotator hit B9 9D (節 jié); DC was lost without a clue
    raw = "激發活力潛能。發(fā)展?jié)撃?。"
    rep = repair(raw)
    assert rep.text.endswith("发展潜能。")
    assert rep.guesses and rep.guesses[0]["text"] == "展潛能"


def test_annotations_kept_when_not_pinyin():
    rep = repair("地区生产总值(GDP)增长(前30位)县(市)据(jù)")
    assert rep.text == "地区生产总值(GDP)增长(前30位)县(市)据"


def test_chrome_lines_and_repeats_dropped_with_offsets_kept():
    body = "全县地区生产总值达到120.5亿元,同比增长6.1%,增速居全市第2位。"
    raw = "\n".join(["示例县经济运行情况", body, "![]() |", "转载请注明:http://example.com/1.html",
                     "广告 https://ad.example.com/x", "冀ICP备2021000000号-1", body, "已有0人发表了评论"])
    rep = repair(raw)
    assert rep.text.count("120.5亿元") == 1
    assert "ICP" not in rep.text and "http" not in rep.text and "评论" not in rep.text
    i = rep.text.index("120.5亿元")
    a, b = rep.orig_span(i, i + 7)
    assert raw[a:b] == "120.5亿元"
    dups = rep.duplicate_spans(a, b)
    assert len(dups) == 1 and raw[dups[0][0]:dups[0][1]] == "120.5亿元"


def test_traditional_to_simplified_keeps_offsets():
    raw = "縣域經濟發展,城鎮化率達65.48%。"
    rep = repair(raw)
    assert rep.text == "县域经济发展,城镇化率达65.48%。"
    i = rep.text.index("65.48")
    assert raw[slice(*rep.orig_span(i, i + 5))] == "65.48"
