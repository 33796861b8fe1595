"""The malformed-framework corpus: each file states, in `# expect:` lines, the errors it must produce.

Format: `# expect: kind | key path (or - for none) | YAML line | fragment of the message`. The file's errors
must be exactly the expected ones (no more, no fewer), each at its key path and line.
"""

from pathlib import Path

import pytest

from xianping.frameworks.load import load_framework, validate_framework_file
from xianping.problems import XianpingInputError

CORPUS = Path(__file__).parent / "malformed"
FILES = sorted(CORPUS.glob("*.yaml"))


def _expectations(path: Path) -> list[tuple[str, str | None, int, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            kind, column, row, fragment = (x.strip() for x in line.removeprefix("# expect:").split("|", 3))
            out.append((kind, None if column == "-" else column, int(row), fragment))
    return out


def test_corpus_is_large_enough():
    assert len(FILES) >= 10
    assert all(_expectations(p) for p in FILES), "every corpus file must declare what it expects"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_malformed_file_reports_its_problem(path: Path):
    report = validate_framework_file(path)
    expected = _expectations(path)
    errors = report.errors
    assert sorted(p.kind for p in errors) == sorted(e[0] for e in expected), report.as_text()
    for kind, column, row, fragment in expected:
        hits = [p for p in errors if p.kind == kind and (column is None or p.column == column)]
        assert hits, f"no {kind} at {column}:\n{report.as_text()}"
        p = hits[0]
        assert p.row == row, f"{kind} reported at line {p.row}, expected {row}"
        assert fragment in p.message, p.message
        assert p.file == str(path)
        assert p.expected, "every problem says what was expected"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_loading_malformed_raises_with_the_same_report(path: Path):
    with pytest.raises(XianpingInputError) as exc:
        load_framework(path)
    assert exc.value.report.has_errors
    assert str(path) in exc.value.summary
