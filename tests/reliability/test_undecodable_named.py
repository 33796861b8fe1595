"""A user's file that is not text in any encoding xianping reads (UTF-8 ± BOM, UTF-16, GBK/GB18030) is refused with a
message naming that file — not the generic "a file given is not utf-8 text" of the CLI's last resort, which leaves
the user guessing which of several files it was (issue 13). Each reader of a user's text file, through the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).with_name("xianping"))
GENERIC = "a file given is not"  # cli.main's message when a layer did not say which file


def xp(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={"COLUMNS": "400", "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"})


@pytest.fixture(scope="module")
def f(tmp_path_factory) -> dict[str, Path]:
    import pandas as pd

    from xianping.demo import load_demo

    d = tmp_path_factory.mktemp("undecodable")
    panel = Path(load_demo.__file__).parent / "data" / "census_co2_panel.csv.gz"
    df = pd.read_csv(panel, dtype={"unit_code": str, "period": str})
    df[df["unit_code"].str[:4] == "4108"].to_csv(d / "small.csv", index=False)
    r = xp("evaluate", "-f", "census-social", "--data", d / "small.csv", "-o", d / "results.csv", "--top", "0")
    assert r.returncode == 0, r.stdout + r.stderr
    # a header, then bytes that are none of UTF-8, UTF-16 (no zero bytes) and GB18030 (0x80 leads nothing)
    for name in ("bad_spec.yaml", "bad_rule.yaml", "bad_rule.csv", "bad_map.yaml", "bad_towns.csv", "bad_types.csv",
                 "bad_template.j2", "bad_hhi.csv", "bad_targets.yaml"):
        (d / name).write_bytes(b"code,name\n\x80\xff\xfe\x80 broken\n")
    return {"dir": d, "data": d / "small.csv", "results": d / "results.csv"}


CASES = {
    "robust --spec": (["robust", "-f", "census-social", "--data", "{data}", "--spec", "{bad}", "--n", "4", "--out", "{dir}/never"],
                      "bad_spec.yaml"),
    "import --split-rule yaml": (["import", "{data}", "--store", "{dir}/never.duckdb", "--code-year", "2015",
                                  "--split-rule", "{bad}"], "bad_rule.yaml"),
    "import --split-rule csv": (["import", "{data}", "--store", "{dir}/never.duckdb", "--code-year", "2015",
                                 "--split-rule", "{bad}"], "bad_rule.csv"),
    "evaluate --mapping": (["evaluate", "-f", "census-social", "--data", "{data}", "--mapping", "{bad}", "-o", "{dir}/never.csv"],
                           "bad_map.yaml"),
    "units register": (["units", "register", "{bad}"], "bad_towns.csv"),
    "evaluate --types": (["evaluate", "-f", "census-social", "--data", "{data}", "--by-type", "--types", "{bad}",
                          "-o", "{dir}/never.csv"], "bad_types.csv"),
    "report --template": (["report", "--results", "{results}", "--format", "docx", "--template", "{bad}",
                           "--out", "{dir}/never.docx"], "bad_template.j2"),
    "analyse industry --plant-hhi": (["analyse", "industry", "--demo", "--plant-hhi", "{bad}", "--out", "{dir}/never.csv"],
                                     "bad_hhi.csv"),
    "analyse targets": (["analyse", "targets", "--targets", "{bad}", "--results", "{results}"], "bad_targets.yaml"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_undecodable_user_file_is_named(f, case):
    argv, name = CASES[case]
    bad = f["dir"] / name
    r = xp(*[a.format(bad=bad, **{k: str(v) for k, v in f.items()}) for a in argv], cwd=f["dir"])
    out = "".join((r.stdout + r.stderr).split())  # the terminal wraps long paths
    assert r.returncode != 0, out
    assert "Traceback" not in out and "".join(GENERIC.split()) not in out, out
    assert name in out and ("nottext" in out or "notUTF-8" in out or "nonofUTF-8" in out.replace("none", "non")), out
    assert not list(f["dir"].glob("never*")), "nothing written or stored on a refused file"
