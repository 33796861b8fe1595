"""One data-file reader for `evaluate` and `robust`: COINr's wide layout (uCode, I01…) is read the same way by both,
and a bad cell still gets a located error."""

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from xianping.evaluation import evaluate
from xianping.evaluation.load_panel import read_panel
from xianping.problems import XianpingInputError

# 300 units of ../shared/bench/bench_2800x40.csv (columns I01, I08), copied for the natural-breaks oracle
BENCH = Path(__file__).parents[1] / "engine" / "oracles" / "bench_2800x40_I01_I08_first300.csv"

FW = textwrap.dedent("""\
    code: bench2
    name_zh: 基准
    name_en: Bench
    root:
      code: idx
      name_zh: 指数
      children:
        - {code: a, name_zh: A, indicator: {code: i01, unit: '1', direction: positive}}
        - {code: b, name_zh: B, indicator: {code: i08, unit: '1', direction: negative}}
    """)


def test_evaluate_reads_coinr_wide_layout(tmp_path):
    (tmp_path / "fw.yaml").write_text(FW, encoding="utf-8")
    r = evaluate(str(tmp_path / "fw.yaml"), data=str(BENCH))
    panel = read_panel(BENCH, ["i01", "i08"])
    assert len(r.units) == 300 and r.units == panel.units
    raw = panel.values[0]
    z = (raw - np.nanmin(raw, 0)) / (np.nanmax(raw, 0) - np.nanmin(raw, 0))
    z[:, 1] = 1 - z[:, 1]
    np.testing.assert_allclose(r.scores[0, :, -1], z.mean(1) * 100, rtol=1e-12)
    assert r.manifest["data"]["kind"] == "csv" and len(r.manifest["data"]["sha256"]) == 64


def test_bad_cell_in_wide_file_is_located(tmp_path):
    bad = tmp_path / "bad.csv"
    shutil.copy(BENCH, bad)
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].split(",")[0] + ",约12," + lines[4].split(",")[2]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(XianpingInputError) as e:
        read_panel(bad, ["i01", "i08"])
    p = e.value.report.errors[0]
    assert p.row == 5 and p.value == "约12"
