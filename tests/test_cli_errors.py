"""Typed CLI errors (issue 12): `xianping --version`; a mistyped tier spec; and every option and argument of every
command fed wrong-typed or absurd values (a number out of range or too large, NaN, a missing path, a folder where
a file is wanted, a binary file, a malformed or empty string) ends with a message and a non-zero exit or a normal
run — never a Python traceback, and never a store created by a read.

The sweep runs `xianping` in a child process per command, which loops over that command's cases calling the
console entry point (`xianping.cli.main.main`) in-process with its own argv: the same code path as the installed
script, without paying the import for each of the ~500 cases. The data are three prefectures of the bundled
census/CO₂ panel (河南 焦作、濮阳、许昌), imported into a small store and evaluated, so each case runs in well under a
second."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).with_name("xianping"))
ROOT = Path(__file__).resolve().parents[1]
SEED = next((ROOT.parent / "shared" / "seeds").glob("000_*.txt"), None) if (ROOT.parent / "shared" / "seeds").exists() else None


def xp(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={"COLUMNS": "200", "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"})


def test_version():
    from xianping import __version__

    r = xp("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"xianping {__version__}", r.stdout + r.stderr


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, str]:
    """Three prefectures of the bundled panel: a long CSV, a store imported from it, results evaluated from it."""
    import pandas as pd

    from xianping.demo import load_demo

    d = tmp_path_factory.mktemp("cli-errors")
    panel = Path(load_demo.__file__).parent / "data" / "census_co2_panel.csv.gz"
    df = pd.read_csv(panel, dtype={"unit_code": str, "period": str})
    df[df["unit_code"].str[:4].isin(["4108", "4109", "4110"])].to_csv(d / "small.csv", index=False)
    r = xp("import", str(d / "small.csv"), "--store", str(d / "small.duckdb"))
    assert r.returncode == 0, r.stdout + r.stderr
    r = xp("evaluate", "-f", "census-social", "--data", str(d / "small.csv"), "-o", str(d / "results.csv"), "--top", "0")
    assert r.returncode == 0, r.stdout + r.stderr
    (d / "spec.yaml").write_text("name: w\ninputs:\n  - {name: w1, kind: weights, level: 1, noise: 0.25}\n", encoding="utf-8")
    (d / "targets.yaml").write_text("targets:\n  - {name: 前5, kind: top_n, indicator: census_social, n: 5, deadline: 2030}\n",
                                    encoding="utf-8")
    (d / "towns.csv").write_text("code,name,parent_code,level\n410802100,某镇,410802,town\n", encoding="utf-8")
    (d / "binary.bin").write_bytes(bytes(range(256)) * 8)
    (d / "emptydir").mkdir()
    (d / "text.txt").write_text(SEED.read_text(encoding="utf-8") if SEED else "2023年，全县地区生产总值增长6.5%。\n",
                                encoding="utf-8")
    return {k: str(d / v) for k, v in {"dir": ".", "data": "small.csv", "store": "small.duckdb", "results": "results.csv",
                                        "spec": "spec.yaml", "targets": "targets.yaml", "towns": "towns.csv",
                                        "binary": "binary.bin", "emptydir": "emptydir", "text": "text.txt"}.items()}


@pytest.mark.parametrize("value, says", [
    ("top30", "did you mean top_n:30"), ("quantile:1", "2 to 20 classes"), ("fixed:a/b", "not numbers"),
    ("natural:5", "unknown tier method"), ("top_n:-3", "not a whole number"), ("fixed:80/40", "increasing")])
def test_tiers_spec_errors_name_option_value_and_forms(small, value, says):
    r = xp("evaluate", "-f", "census-social", "--data", small["data"], "--tiers", value, "-o", small["dir"] + "/t.csv")
    err = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 2 and "Traceback" not in err, err
    assert f"--tiers {value!r}" in err and says in err and "top_n:30 | quantile:4 | natural_breaks:5" in err, err
    assert not Path(small["dir"], "t.csv").exists()


@pytest.mark.parametrize("text, says", [("tiers: top30\n", "did you mean top_n:30"),
                                         ("tiers: {method: top30}\n", "unknown tier method 'top30'"),
                                         ("tiers: [1, 2]\n", "expected {method: top_n, n: 30}"),
                                         ("- a\n- b\n", "expected a mapping of settings"),
                                         ("tiers: {method: top_n, n: 5\n", "not valid YAML")])
def test_settings_file_errors_name_the_file(small, text, says):
    f = Path(small["dir"]) / "settings.yaml"
    f.write_text(text, encoding="utf-8")
    r = xp("evaluate", "-f", "census-social", "--data", small["data"], "--settings", str(f), "-o", small["dir"] + "/s.csv")
    out = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 2 and f"--settings {f}" in out and says in out and "Traceback" not in out, out[-600:]
    assert not Path(small["dir"], "s.csv").exists()


def test_tiers_accepts_every_documented_form(small):
    for spec in ("top_n:5", "quantile:4", "natural_breaks:3", "jenks:3", "fixed:40/60/80"):
        r = xp("evaluate", "-f", "census-social", "--data", small["data"], "--tiers", spec, "-o", small["dir"] + "/t.csv",
               "--top", "0")
        assert r.returncode == 0, (spec, r.stdout + r.stderr)


# ---------------------------------------------------------------------------------------------
# the sweep


def base_args(f: dict[str, str]) -> dict[str, list[str]]:
    """A valid call of each command (the sweep changes one option at a time); {OUT} and {STORE_COPY} per case."""
    res, store, data = f["results"], f["store"], f["data"]
    return {
        "import": [data, "--store", "{STORE_COPY}", "--dry-run"],
        "export": ["--out", "{OUT}.csv", "--store", store],
        "evaluate": ["-f", "census-social", "--data", data, "-o", "{OUT}.csv", "--top", "0"],
        "extract": [f["text"]],
        "repair": [f["text"]],
        "report": ["--results", res, "--out", "{OUT}.xlsx", "--format", "xlsx"],
        "robust": ["-f", "census-social", "--data", data, "--spec", f["spec"], "--n", "4", "--out", "{OUT}"],
        "units lookup": ["410802"],
        "units crosswalk": ["410802", "--from", "2010", "--to", "2020"],
        "units register": [f["towns"]],
        "frameworks show": ["census-social"],
        "frameworks validate": [str(ROOT / "src/xianping/frameworks/builtin/census-social.yaml")],
        "frameworks library": [],
        "batches remove": ["nosuch", "--store", "{STORE_COPY}"],
        "analyse obstacles": ["--results", res],
        "analyse coupling": ["--results", res],
        "analyse disparity": ["--results", res],
        "analyse convergence": ["--results", res],
        "analyse markov": ["--results", res],
        "analyse spatial": ["--results", res, "--permutations", "99"],
        "analyse targets": ["--targets", f["targets"], "--results", res],
        "analyse audit": ["-f", "census-social", "--data", data],
        "analyse whatif": ["-f", "census-social", "--data", data, "--unit", "410802"],
        "analyse industry": ["--demo"],
        "points whatif": ["-f", "province-assessment", "--data", data, "--unit", "410802"],
        "points robust": ["-f", "province-assessment", "--data", data, "-n", "2", "-o", "{OUT}.csv"],
    }


# serve is left out (a value it accepts starts a server): tests/web/test_serve_cli.py covers its options; demo
# builds the national demo, so its one option (--out) has its own test below
SKIP = {"serve", "demo"}


def test_demo_out_that_is_a_file_or_empty(small):
    for value, says in ((small["binary"], "cannot use"), ("", "--out: an empty path")):
        r = xp("demo", "--out", value)
        out = " ".join((r.stdout + r.stderr).split())
        assert r.returncode == 2 and says in out and "Traceback" not in out, out[-500:]


def wrong_values(kind: str, f: dict[str, str]) -> list[str]:
    return {"int": ["-1", "99999999999999999999"],
            "float": ["nan", "-1"],
            "Path": ["{MISSING}", f["emptydir"], f["binary"], ""],
            }.get(kind, ["zz:zz", ""])


def cases(f: dict[str, str], command: str) -> list[dict]:
    import typer

    from xianping.cli.main import app

    root = typer.main.get_command(app)
    c = root
    for part in command.split():
        c = c.commands[part]
    base = base_args(f)[command]
    out = []
    for p in c.params:
        if p.name == "help" or getattr(p, "is_flag", False):
            continue
        kind = str(getattr(p.bare_type(), "__name__", p.bare_type()))   # a class, or its name as a string
        for v in wrong_values(kind, f):
            args = list(base)
            if p.opts and p.opts[0].startswith("-"):
                at = next((i for i, a in enumerate(args) if a in p.opts), None)
                if at is None:
                    args += [p.opts[0], v]
                else:
                    args[at + 1] = v
                name = p.opts[0]
            else:   # the commands' one positional argument comes first in base_args
                args[0] = v
                name = p.name
            out.append({"option": name, "value": v, "args": command.split() + args,
                        "output_option": name in OUTPUTS or (command, name) in CREATES})
    return out


OUTPUTS = {"--out", "-o", "--output"}   # writing there may create folders; every other path is only read
# stores these commands write to (import, register towns, extract --import): a new path makes a new store
CREATES = {("import", "--store"), ("units register", "--store"), ("extract", "--store")}


def run_cases(f: dict[str, str], command: str) -> list[dict]:
    """In a child process (the driver below): each case through the console entry point, in-process (-P: the
    tests folder is not put on sys.path, where a test package could shadow a standard module)."""
    r = subprocess.run([sys.executable, "-P", __file__, "--sweep", json.dumps(f), command], capture_output=True, text=True,
                       timeout=1200, cwd=f["dir"], env={"COLUMNS": "200", "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
                                                       "HOME": f["dir"]})
    assert r.returncode == 0, r.stderr[-3000:]
    return [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]


COMMANDS = sorted(set(base_args({k: "" for k in ("results", "store", "data", "text", "spec", "towns", "targets")})) - SKIP)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_gives_a_message_not_a_traceback(small, command):
    results = run_cases(small, command)
    assert len(results) >= 1
    bad = [r for r in results if r["traceback"] or r["created_missing"] or r["rc"] not in (0, 1, 2)]
    assert not bad, "\n".join(f"{command} {r['option']} {r['value']!r}: rc {r['rc']}, created {r['created_missing']}\n"
                              f"{r['tail']}" for r in bad)
    # a path that does not exist, given to an option that reads it, is refused
    for r in results:
        if r["value"] == "{MISSING}" and not r["output_option"] and (command, r["option"]) not in CREATES:
            assert r["rc"] != 0, f"{command} {r['option']} accepted a missing path:\n{r['tail']}"


# ---------------------------------------------------------------------------------------------
# the driver (run as a script by run_cases)


def _invoke(argv: list[str]) -> tuple[int, str]:
    import contextlib
    import io
    import traceback

    from xianping.cli import main as M

    buf = io.StringIO()
    old = sys.argv
    sys.argv = ["xianping", *argv]
    rc = 0
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            try:
                M.main()
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            except BaseException:   # what the installed script would print as a traceback
                traceback.print_exc(file=buf)
                rc = 1
    finally:
        sys.argv = old
    return rc, buf.getvalue()


def _sweep(f: dict[str, str], command: str) -> None:
    import shutil

    for k, case in enumerate(cases(f, command)):
        work = Path(f["dir"]) / "sweep" / command.replace(" ", "_") / str(k)
        work.mkdir(parents=True, exist_ok=True)
        missing = work / "missing" / "x.csv"
        args = [a.replace("{OUT}", str(work / "out")).replace("{STORE_COPY}", str(work / "copy.duckdb"))
                 .replace("{MISSING}", str(missing)) for a in case["args"]]
        if any("{STORE_COPY}" in a for a in case["args"]):
            shutil.copy(f["store"], work / "copy.duckdb")
        rc, out = _invoke(args)
        print(json.dumps({"option": case["option"], "value": case["value"], "rc": rc, "traceback": "Traceback" in out,
                          "created_missing": missing.parent.exists() and not case["output_option"],
                          "output_option": case["output_option"], "tail": out[-1500:]}, ensure_ascii=False), flush=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--sweep":
    _sweep(json.loads(sys.argv[2]), sys.argv[3])
