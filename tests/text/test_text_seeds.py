"""The five seed documents (../shared/seeds, read-only, never shipped): skipped in a fresh clone."""

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not (SEEDS / "gold.jsonl").is_file(), reason="seed documents not available")


def test_seed_004_repaired_to_clean_simplified():
    from xianping.text.repair import repair

    rep = repair((SEEDS / "004_0eff2f5ab5a49e07.txt").read_text(encoding="utf-8"))
    assert "《西江日报》" in rep.text and "发展潜能" in rep.text
    assert rep.annotations_removed >= 185  # 185 whole annotations + those inside the byte garbles
    assert "(" not in rep.text.replace("(下称《方案》)", "")
    assert "?" not in rep.text and "發" not in rep.text and "评论" not in rep.text


def test_seed_000_mojibake():
    from xianping.text.repair import repair

    rep = repair((SEEDS / "000_50237b4c191da96d.txt").read_text(encoding="utf-8"))
    assert "。县域经济既是" in rep.text and "\ufffd" not in rep.text


def test_gold_scores():
    from xianping.text.score import score_seeds, totals

    t = totals(score_seeds(SEEDS))
    assert t.recall >= 0.90 and t.precision >= 0.95
    assert t.damaged_value_read == 0
