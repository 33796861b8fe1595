"""Every YAML file a user gives goes through the limited loader (issue 13): an anchor bomb and a duplicate key fed to
each entry point — import/evaluate --mapping, import --split-rule, analyse targets --targets, evaluate --settings,
serve --targets — end in a message naming the file and the line, a non-zero exit, no traceback, nothing stored."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).with_name("xianping"))
CORPUS = Path(__file__).parent / "corpus"


def xp(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={"COLUMNS": "100", "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"})


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    import pandas as pd

    from xianping.demo import load_demo

    d = tmp_path_factory.mktemp("yaml-entry")
    panel = Path(load_demo.__file__).parent / "data" / "census_co2_panel.csv.gz"
    df = pd.read_csv(panel, dtype={"unit_code": str, "period": str})
    df[df["unit_code"].str[:4] == "4108"].to_csv(d / "small.csv", index=False)
    r = xp("evaluate", "-f", "census-social", "--data", d / "small.csv", "-o", d / "results.csv", "--top", "0")
    assert r.returncode == 0, r.stdout + r.stderr
    (d / "bomb.yaml").write_text((CORPUS / "anchor_bomb.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    # the same key on lines 2 and 4, in the shape each file takes
    (d / "dup.yaml").write_text("# twice\n常住人口: population_total\n其他: skip\n常住人口: gdp\n", encoding="utf-8")
    return {"data": d / "small.csv", "results": d / "results.csv", "bomb": d / "bomb.yaml", "dup": d / "dup.yaml",
            "dir": d}


def entry_points(f: dict[str, Path], bad: Path) -> dict[str, list]:
    store = f["dir"] / f"never-{bad.stem}.duckdb"
    return {
        "import --mapping": ["import", f["data"], "--store", store, "--mapping", bad],
        "evaluate --mapping": ["evaluate", "-f", "census-social", "--data", f["data"], "--mapping", bad,
                               "-o", f["dir"] / f"never-{bad.stem}.csv"],
        "import --split-rule": ["import", f["data"], "--store", store, "--code-year", "2015", "--split-rule", bad],
        "analyse targets": ["analyse", "targets", "--targets", bad, "--results", f["results"]],
        "evaluate --settings": ["evaluate", "-f", "census-social", "--data", f["data"], "--settings", bad,
                                "-o", f["dir"] / f"never-{bad.stem}.csv"],
        "serve --targets": ["serve", "--results", f["results"], "--targets", bad, "--port", "1"],
    }


@pytest.mark.parametrize("bad, says", [("bomb", "MAX_NODES"), ("dup", "lines 2 and 4")])
@pytest.mark.parametrize("entry", ["import --mapping", "evaluate --mapping", "import --split-rule", "analyse targets",
                                   "evaluate --settings", "serve --targets"])
def test_yaml_limits_at_every_entry_point(files, entry, bad, says):
    path = files[bad]
    r = xp(*entry_points(files, path)[entry], cwd=files["dir"])
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "Traceback" not in out, out
    # rich folds long cells (a temporary path's length varies by machine and worker): compare without the folds
    flat = _unfolded(out)
    assert _unfolded(path.name) in flat and _unfolded(says) in flat, out
    assert not list(files["dir"].glob("never-*")), "nothing may be written or stored on a refused file"


def _unfolded(text: str) -> str:
    """Text without whitespace and box-drawing characters, so that a cell folded over lines reads whole."""
    return re.sub(r"[\s\u2500-\u257f]", "", text)
