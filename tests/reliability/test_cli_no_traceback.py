"""A sample of the hostile corpus through the real command line, as a county user would run it: a non-zero exit,
a located message on stderr, no Python traceback, nothing stored; texts in any supported encoding give statements."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability import hostile as h
from tests.reliability.test_hostile_tables import CORPUS, HEAD, assert_nothing_stored
from tests.reliability.test_hostile_yaml import _explicit

EXE = str(Path(sys.executable).parent / "xianping")
ENV = {**os.environ, "COLUMNS": "100"}


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=ENV, cwd=cwd, timeout=300)


IMPORTS = [
    ("claimed_cell_xfd.xlsx", h.cell_in_last_column, "MAX_COLUMNS"),
    ("formula.xlsx", h.formula_without_value, "formula without a cached value"),
    ("entities.xlsx", h.entity_bomb, "entities"),
    ("no_sheet.xlsx", h.no_sheet, "no worksheet"),
    ("cut.xlsx", h.cut_sheet_xml, "not a readable XLSX"),
    ("corrupt.xlsx", h.corrupt_stream, "not a readable XLSX"),
    ("unbalanced_quote.csv", None, "not closed"),
    ("overflow.csv", None, "infinite"),
    ("huge_cell.csv", lambda: HEAD + '410802,"' + "x" * 200_000 + '",1\n', "MAX_CELL_CHARS"),
]


@pytest.mark.parametrize("name,build,words", IMPORTS, ids=[i[0] for i in IMPORTS])
def test_import_of_a_hostile_file_exits_with_a_located_message(tmp_path, name, build, words):
    path = CORPUS / name if build is None else h.write(tmp_path, name, build())
    proc = _run("import", str(path), "--store", str(tmp_path / "s.duckdb"), "--period", "2020", cwd=tmp_path)
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout
    assert words in " ".join(proc.stderr.split()), proc.stderr  # rich wraps lines: compare with spaces collapsed
    assert_nothing_stored(tmp_path / "s.duckdb")


FRAMEWORKS = [
    ("bomb.yaml", (CORPUS / "anchor_bomb.yaml").read_text(), "yaml_too_large"),
    ("cycle.yaml", (CORPUS / "cyclic_alias.yaml").read_text(), "yaml_cyclic_alias"),
    ("deep.yaml", "a: " + "[" * 1000 + "]" * 1000 + "\n", "yaml_too_deep"),
    ("dup.yaml", (CORPUS / "duplicate_keys.yaml").read_text(encoding="utf-8"), "duplicate_key"),
    ("inf.yaml", _explicit(".inf"), "not_finite"),
    ("nan.yaml", _explicit(".nan"), "not_finite"),
]


@pytest.mark.parametrize("name,text,kind", FRAMEWORKS, ids=[f[0] for f in FRAMEWORKS])
def test_frameworks_validate_refuses_hostile_yaml_without_traceback(tmp_path, name, text, kind):
    (tmp_path / name).write_text(text, encoding="utf-8")
    proc = _run("frameworks", "validate", name, cwd=tmp_path)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    assert kind in proc.stdout + proc.stderr


def test_a_path_with_markup_is_printed_after_storing(tmp_path):
    # "[/b]" in a folder name was taken as a closing tag: a crash after the batch was stored
    folder = tmp_path / "a[" / "b]"
    folder.mkdir(parents=True)
    path = folder / "c.csv"
    path.write_text(HEAD + "410802,解放区,347382\n", encoding="utf-8")
    for _ in range(2):  # the summary, then the "already imported" line
        proc = _run("import", str(path), "--store", str(tmp_path / "s.duckdb"), "--period", "2020", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr and "a[/b]" in proc.stdout.replace("\n", "")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "gb18030"])
def test_extract_reads_texts_in_every_supported_encoding(tmp_path, encoding):
    text = "2023年，全县地区生产总值完成256.3亿元，同比增长6.5%。一般公共预算收入12.4亿元。\n"
    (tmp_path / "r.txt").write_bytes(text.encode(encoding))
    proc = _run("extract", "r.txt", cwd=tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and '"value": 256.3' in lines[0] and '"value": 12.4' in lines[1]


def test_extract_warns_when_a_file_gives_no_statements(tmp_path):
    (tmp_path / "empty.txt").write_text("没有数字的一段话。\n", encoding="utf-8")
    proc = _run("extract", "empty.txt", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == ""
    assert "no statements found" in proc.stderr and "utf-8" in proc.stderr
