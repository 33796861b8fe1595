"""YAML with line numbers: parse a document and remember the line of every key, so problems can name it.

PyYAML's composed node tree carries start marks; we walk it alongside the constructed data and record
`key path → 1-based line`. Key paths are tuples as pydantic reports them (``("root", "children", 2)``);
`format_path` renders them as ``root.children[2]``.
"""

from __future__ import annotations

from typing import Any

import yaml

from xianping.problems import Problem

Path = tuple[Any, ...]


# Limits on a YAML document from a user. An anchor bomb is ~1 KB of text whose aliases expand to billions of nodes;
# a cycle (&a [*a]) or 1,000 levels of nesting would otherwise end in a RecursionError deep inside PyYAML.
MAX_YAML_CHARS = 10_000_000
MAX_DEPTH = 64  # a framework tree of 10 levels is already deep; each level is 2-3 YAML levels
MAX_NODES = 200_000  # nodes after expanding aliases (a 300-indicator framework has ~10,000)


class YamlSyntaxError(ValueError):
    """A YAML document that cannot be taken: `kind` is yaml_syntax, duplicate_key, yaml_too_deep, yaml_too_large or
    yaml_cyclic_alias; `others` holds further problems found in the same pass (every duplicate key, not the first)."""

    def __init__(self, message: str, line: int | None, column: int | None, kind: str = "yaml_syntax",
                 expected: str = "valid YAML", others: list["YamlSyntaxError"] | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.kind = kind
        self.expected = expected
        self.others = others or []

    def problems(self, file: str | None) -> list[Problem]:
        return [Problem(kind=e.kind, message=e.message if e.kind != "yaml_syntax" else f"YAML syntax error: {e.message}",
                        file=file, row=e.line, column=None if e.column is None else f"character {e.column}",
                        expected=e.expected) for e in (self, *self.others)]


def _mark(m) -> tuple[int | None, int | None]:
    return (m.line + 1, m.column + 1) if m is not None else (None, None)


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a depth limit, an alias-expansion budget, cycles refused and duplicate keys
    collected (PyYAML keeps the last silently). The checks sit in the composer, where the node graph is built, so
    nothing is expanded or recursed into before it is counted."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._open: set[str] = set()  # anchors of the nodes being composed: an alias to one of them is a cycle
        self._size: dict[int, int] = {}  # id(node) → nodes under it, aliases expanded
        self.duplicates: list[YamlSyntaxError] = []

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            if event.anchor in self._open:
                raise YamlSyntaxError(f"alias *{event.anchor} refers to a node that contains it (a cycle)",
                                      *_mark(event.start_mark), kind="yaml_cyclic_alias",
                                      expected="aliases only to nodes defined before and outside them")
            node = super().compose_node(parent, index)
            self._budget(self._size.get(id(node), 1), event.start_mark)
            return node
        event = self.peek_event()
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlSyntaxError(f"nesting deeper than {MAX_DEPTH} levels (yaml_lines.MAX_DEPTH)",
                                  *_mark(event.start_mark), kind="yaml_too_deep",
                                  expected=f"at most {MAX_DEPTH} levels of nested mappings and lists")
        anchor = event.anchor
        if anchor is not None:
            self._open.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open.discard(anchor)
        return node

    def compose_sequence_node(self, anchor):
        return self._composed(super().compose_sequence_node, anchor)

    def compose_mapping_node(self, anchor):
        node = self._composed(super().compose_mapping_node, anchor)
        seen: dict[tuple[str, str], yaml.Node] = {}
        for k, _ in node.value:
            if not isinstance(k, yaml.ScalarNode) or k.tag == "tag:yaml.org,2002:merge":
                continue
            first = seen.setdefault((k.tag, k.value), k)
            if first is not k:
                a, b = first.start_mark.line + 1, k.start_mark.line + 1
                self.duplicates.append(YamlSyntaxError(
                    f"key {k.value!r} is given twice in one mapping (lines {a} and {b}); YAML would keep only the "
                    "last silently", b, k.start_mark.column + 1, kind="duplicate_key",
                    expected=f"each key once: remove or rename one of lines {a} and {b}"))
        return node

    def _composed(self, compose, anchor):
        start = self.peek_event().start_mark
        node = compose(anchor)
        size = 1 + sum(self._size.get(id(c), 1) for item in node.value
                       for c in (item if isinstance(item, tuple) else (item,)))
        self._size[id(node)] = size
        self._budget(size, start)
        return node

    def _budget(self, size: int, mark) -> None:
        if size > MAX_NODES:
            raise YamlSyntaxError(f"the document expands to more than {MAX_NODES:,} nodes (yaml_lines.MAX_NODES); "
                                  "aliases (*name) repeat what their anchor (&name) holds", *_mark(mark),
                                  kind="yaml_too_large", expected="a document without an alias bomb")


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document; return (data, {key path: line}). Raises `YamlSyntaxError` with a location (and
    a kind) for syntax errors, duplicate keys, too deep or too large documents and cyclic aliases."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlSyntaxError(f"the file has {len(text):,} characters, more than {MAX_YAML_CHARS:,} "
                              "(yaml_lines.MAX_YAML_CHARS)", None, None, kind="yaml_too_large",
                              expected="a smaller YAML file")
    try:
        loader = _LimitedLoader(text)  # the reader refuses control characters here, before any parsing
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        raise YamlSyntaxError(f"character #x{e.character:04x} is not allowed in YAML text", line, None) from None
    try:
        node = loader.get_single_node()
        if loader.duplicates:
            first, *rest = loader.duplicates
            first.others = rest
            raise first
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        msg = " ".join(str(x) for x in (e.context, e.problem) if x)
        raise YamlSyntaxError(msg or str(e), *_mark(mark)) from None
    except yaml.YAMLError as e:  # unmarked errors are rare (e.g. a control character the reader refuses)
        raise YamlSyntaxError(str(e), None, None) from None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is not None:
        lines[()] = node.start_mark.line + 1
        _walk(node, (), lines)
    return data, lines


def safe_load(text: str) -> Any:
    """`yaml.safe_load` with the limits above: for every YAML file a user gives (mappings, rules, specs)."""
    return load_with_lines(text)[0]


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
