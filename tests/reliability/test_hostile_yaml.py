"""Hostile YAML (issue 13): anchor bombs, cycles, deep nesting, duplicate keys and non-finite numbers are located
errors of `frameworks validate`, not memory exhaustion, a RecursionError or a silently kept value."""

from __future__ import annotations

from pathlib import Path

import pytest

from xianping.frameworks import yaml_lines
from xianping.frameworks.load import BUILTIN_DIR, load_framework, validate_framework_file

CORPUS = Path(__file__).parent / "corpus"
BASE = (BUILTIN_DIR / "census-social.yaml").read_text(encoding="utf-8")
LEAF = "{code: urbanisation_rate, name_zh"


def _explicit(weight: str) -> str:
    """census-social with explicit weights and `weight` on its first leaf (line 27)."""
    text = BASE.replace("  weights: equal\n", "  weights: explicit\n", 1)
    return text.replace(LEAF, "{code: urbanisation_rate, weight: " + weight + ", name_zh", 1)


def _errors(tmp_path: Path, text: str | None = None, name: str = "fw.yaml", corpus: str | None = None):
    path = CORPUS / corpus if corpus else tmp_path / name
    if corpus is None:
        path.write_text(text, encoding="utf-8")
    report = validate_framework_file(path)
    assert report.has_errors
    return report.errors


REFUSED = [
    # corpus file or text, kind, line, words
    ("anchor_bomb.yaml", "yaml_too_large", 6, "MAX_NODES"),
    ("cyclic_alias.yaml", "yaml_cyclic_alias", 4, "cycle"),
    ("duplicate_keys.yaml", "duplicate_key", 4, "lines 2 and 4"),
    ("a: " + "[" * 1000 + "]" * 1000 + "\n", "yaml_too_deep", 1, "MAX_DEPTH"),
    ("".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n", "yaml_too_deep", 64, "MAX_DEPTH"),
    ("a: &x {b: *x}\n", "yaml_cyclic_alias", 1, "cycle"),
    ("a: 1\nb: \x00\n", "yaml_syntax", 2, "#x0000"),
    ("a: 1\n---\nb: 2\n", "yaml_syntax", 2, "single document"),
    ("? [a]\n: 1\n", "yaml_syntax", 1, "unhashable"),
    ("a: *nowhere\n", "yaml_syntax", 1, "undefined alias"),
    (_explicit(".inf"), "not_finite", 27, "finite"),
    (_explicit(".nan"), "not_finite", 27, "finite"),
    (_explicit("-.inf"), "not_finite", 27, "finite"),
    (BASE.replace("  scale: 100\n", "  scale: .inf\n", 1), "not_finite", 17, "finite"),
]


@pytest.mark.parametrize("case,kind,line,words", REFUSED, ids=[str(i) for i in range(len(REFUSED))])
def test_hostile_yaml_is_a_located_error(tmp_path, case, kind, line, words):
    errors = _errors(tmp_path, corpus=case) if case.endswith(".yaml") else _errors(tmp_path, case)
    first = errors[0]
    assert (first.kind, first.row) == (kind, line), first
    assert words in first.as_text() and first.file


def test_every_duplicate_key_is_reported_with_both_lines(tmp_path):
    text = BASE.replace("name_en: County population and social development (census)\n",
                        "name_en: County population and social development (census)\nname_zh: 重复\ncode: again\n", 1)
    errors = _errors(tmp_path, text)
    assert [(e.kind, e.row) for e in errors] == [("duplicate_key", 6), ("duplicate_key", 7)]
    assert "lines 4 and 6" in errors[0].message and "lines 3 and 7" in errors[1].message


def test_duplicate_key_in_an_indicator_library(tmp_path):
    (tmp_path / "lib.yaml").write_text("indicators:\n  - code: x\n    unit: 人\n    unit: 万人\n", encoding="utf-8")
    text = "library: lib.yaml\n" + BASE
    errors = _errors(tmp_path, text)
    assert errors[0].kind == "duplicate_key" and errors[0].file.endswith("lib.yaml") and errors[0].row == 4


def test_yaml_over_the_size_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(yaml_lines, "MAX_YAML_CHARS", 1000)
    assert _errors(tmp_path, BASE)[0].kind == "yaml_too_large"  # 3,111 characters in 3,425 bytes: read, then refused
    monkeypatch.setattr(yaml_lines, "MAX_YAML_CHARS", 100)
    first = _errors(tmp_path, BASE, name="big.yaml")[0]  # over 4 bytes a character: refused unread
    assert first.kind == "yaml_too_large" and "bytes" in first.message


def test_anchors_aliases_and_merge_keys_that_are_not_bombs_still_load(tmp_path):
    # a shared block reused by alias and a merge key: ordinary YAML that must keep working
    text = BASE.replace("defaults:\n", "x-base: &base {method: min_max, shift: none, panel: pooled}\ndefaults:\n", 1)
    text = text.replace("  normalisation: {method: min_max, shift: none, panel: pooled}\n",
                        "  normalisation:\n    <<: *base\n    panel: pooled\n", 1)
    data, lines = yaml_lines.load_with_lines(text)
    assert data["defaults"]["normalisation"] == {"method": "min_max", "shift": "none", "panel": "pooled"}
    assert lines[("defaults", "normalisation")] == 15


def test_a_finite_weight_still_validates(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(_explicit("2.5"), encoding="utf-8")
    errors = [p for p in validate_framework_file(path).errors if p.kind == "not_finite"]
    assert errors == []
    with pytest.raises(Exception) as err:  # explicit weights on one leaf only: a meaning error, not a number one
        load_framework(path)
    assert "not_finite" not in str(err.value)
