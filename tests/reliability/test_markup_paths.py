"""Paths and names a user chose are printed as text, not rich markup (issue 13): an output folder named "[/x]" made
every command crash with a MarkupError after writing its files. Each command that says where it wrote runs with
such a path and ends normally, the path printed whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).with_name("xianping"))


def xp(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd,
                          env={"COLUMNS": "300", "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"})


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, Path]:
    import pandas as pd

    from xianping.demo import load_demo

    d = tmp_path_factory.mktemp("markup") / "out[/x]"  # a folder "out[" holding "x]"
    d.mkdir(parents=True)
    panel = Path(load_demo.__file__).parent / "data" / "census_co2_panel.csv.gz"
    df = pd.read_csv(panel, dtype={"unit_code": str, "period": str})
    df[df["unit_code"].str[:4].isin(["4108", "4109"])].to_csv(d / "small.csv", index=False)
    (d / "spec.yaml").write_text("name: w\ninputs:\n  - {name: w1, kind: weights, level: 1, noise: 0.25}\n", encoding="utf-8")
    return {"dir": d, "data": d / "small.csv", "spec": d / "spec.yaml", "results": d / "r[bold].csv"}


def _ok(r: subprocess.CompletedProcess, *paths: Path) -> None:
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "Traceback" not in out and "MarkupError" not in out, out
    flat = out.replace("\n", "")
    for p in paths:
        assert p.exists(), p
        assert str(p) in flat, (p, out)  # said whole, brackets and all


def test_commands_print_bracketed_paths(small):
    d, res = small["dir"], small["results"]
    _ok(xp("evaluate", "-f", "census-social", "--data", small["data"], "-o", res), res)
    _ok(xp("report", "--results", res, "--out", d / "rep[red].xlsx"), d / "rep[red].xlsx")
    _ok(xp("analyse", "disparity", "--results", res, "--out", d / "dis[i].csv"), d / "dis[i].csv")
    _ok(xp("robust", "-f", "census-social", "--data", small["data"], "--spec", small["spec"], "--n", "4",
           "--out", d / "rob[b]"), d / "rob[b]")
    _ok(xp("import", small["data"], "--store", d / "s[u].duckdb"), d / "s[u].duckdb")
    _ok(xp("export", "--store", d / "s[u].duckdb", "--out", d / "e[/].csv"), d / "e[/].csv")
    _ok(xp("batches", "--store", d / "s[u].duckdb"))
