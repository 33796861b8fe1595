"""A user's text file (a mapping, a split rule, a spec, a targets or units list) read by the one decoding rule of
xianping (`read_table.decode_text`: UTF-8 ± BOM, UTF-16, GB18030) and, for YAML, the limited loader — so an
undecodable file or an anchor bomb is an error naming the file, wherever it is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xianping.problems import ProblemReport, XianpingInputError


def read_text(path: str | Path, what: str = "file") -> str:
    """The file's text; a folder, a missing file or bytes none of UTF-8/UTF-16/GB18030 are an error naming it."""
    from xianping.ingest.read_table import decode_text

    path = Path(path)
    if not path.is_file():
        raise XianpingInputError(f"{what} {path}: " + ("is a folder, not a file" if path.is_dir() else "no such file"))
    data = path.read_bytes()
    try:
        return decode_text(data)[0]
    except UnicodeDecodeError as e:
        raise XianpingInputError(f"{what} {path}: not text (byte {data[e.start:e.start + 1]!r} at position {e.start} "
                                 "is none of UTF-8, UTF-16 or GBK/GB18030); expected a text file") from None


def read_yaml(path: str | Path, what: str = "file", with_lines: bool = False) -> Any:
    """The YAML (or JSON, a subset of YAML) document in the file, loaded with the alias/depth/size limits and duplicate
    keys refused; a syntax error names the file and the line. with_lines: (data, {key path: line})."""
    from xianping.frameworks.yaml_lines import YamlSyntaxError, load_with_lines

    text = read_text(path, what)
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as e:
        raise XianpingInputError(f"{what} {path}: not valid YAML", ProblemReport(e.problems(str(path)))) from None
    return (data, lines) if with_lines else data
