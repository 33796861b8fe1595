import math

from xianping.report import format_zh as F


def test_amounts_choose_wan_and_yi():
    assert F.amount(123456789, "元") == "1.23亿元"
    assert F.amount(45678, "万元") == "4.57亿元"
    assert F.amount(5600, "人") == "5600人"
    assert F.amount(56789, "人") == "5.68万人"
    assert F.amount(1234.565, "亿元") == "1234.57亿元"      # half up on the decimal value
    assert F.yi(4567.891) == "4567.89亿元"
    assert F.yi(25000, "万元") == "2.50亿元"
    assert F.amount(41.49, "平方米/人") == "41.49平方米/人"
    assert F.amount(105.04, "1") == "105.04"


def test_percent_points_ranks():
    assert F.percent(45.678) == "45.7%"
    assert F.points(-1.23) == "1.2个百分点"
    assert F.ordinal(3) == "第3位"
    assert F.rank_change(3) == "进位3位"
    assert F.rank_change(-2) == "退位2位"
    assert F.rank_change(0) == "位次不变"
    assert F.change(1.234, unit="分") == "提高1.23分"
    assert F.change(-0.5) == "下降0.50"
    assert F.change(0.001) == "持平"


def test_missing_is_never_a_number():
    for fn in (F.amount, F.percent, F.points, F.ordinal, F.rank_change, F.change, F.yi, F.fixed):
        assert fn(None) is None
        assert fn(math.nan) is None
