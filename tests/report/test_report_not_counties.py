"""Reports on units that are not counties (COINr's ASEM countries, examples/asem): every format is written, the HTML
without a county map, and no traceback (issue 13: the HTML report on units that are not counties raised)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "xianping.cli.main", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def asem_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("asem")
    r = _cli("evaluate", "-f", ROOT / "examples/asem/framework.yaml", "--data", ROOT / "examples/asem/data.csv",
             "--out", out / "asem.csv", cwd=out)
    assert r.returncode == 0, r.stderr
    return out / "asem.csv"


@pytest.mark.parametrize("fmt", ["html", "xlsx", "docx"])
def test_reports_on_countries(asem_results, fmt, tmp_path):
    r = _cli("report", "--results", asem_results, "--format", fmt, "--out", tmp_path / f"r.{fmt}", cwd=tmp_path)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert (tmp_path / f"r.{fmt}").stat().st_size > 0
    if fmt == "html":
        import json
        import re

        page = (tmp_path / "r.html").read_text(encoding="utf-8")
        charts = json.loads(re.search(r"var C=(\{.*?\});\n", page).group(1))
        assert charts and "map" not in charts   # the other charts, but no county map to draw
        assert "Austria" in page
