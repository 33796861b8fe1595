"""YAML with line numbers: parse a document and remember the line of every key, so problems can name it.

PyYAML's composed node tree carries start marks; we walk it alongside the constructed data and record
`key path → 1-based line`. Key paths are tuples as pydantic reports them (``("root", "children", 2)``);
`format_path` renders them as ``root.children[2]``.
"""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[Any, ...]


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None, column: int | None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document; return (data, {key path: line}). Raises `YamlSyntaxError` with a location."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        msg = " ".join(str(x) for x in (e.context, e.problem) if x)
        return_line = mark.line + 1 if mark else None
        return_col = mark.column + 1 if mark else None
        raise YamlSyntaxError(msg or str(e), return_line, return_col) from None
    except yaml.YAMLError as e:  # unmarked errors are rare (e.g. bad encoding)
        raise YamlSyntaxError(str(e), None, None) from None
    lines: dict[Path, int] = {}
    if node is not None:
        lines[()] = node.start_mark.line + 1
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            # keys are constructed by safe_load too; mirror int keys so paths match the data
            if k.tag.endswith(":int"):
                try:
                    key = int(key)
                except ValueError:
                    pass
            p = path + (key,)
            lines.setdefault(p, k.start_mark.line + 1)
            _walk(v, p, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            p = path + (i,)
            lines.setdefault(p, item.start_mark.line + 1)
            _walk(item, p, lines)


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """Line of `path`, or of its nearest existing ancestor (a missing key is reported where its parent is)."""
    p = tuple(path)
    while True:
        if p in lines:
            return lines[p]
        if not p:
            return None
        p = p[:-1]


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
