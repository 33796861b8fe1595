"""Load frameworks from built-in names or YAML files, reporting every problem with file, line and key path."""

from __future__ import annotations

from pathlib import Path as FsPath

from pydantic import ValidationError

from xianping.frameworks.library import IndicatorLibrary, load_library
from xianping.frameworks.located import Finding, pydantic_problems
from xianping.frameworks.model import Framework
from xianping.frameworks import yaml_lines
from xianping.frameworks.yaml_lines import YamlSyntaxError, load_with_lines
from xianping.problems import ProblemReport, XianpingInputError

BUILTIN_DIR = FsPath(__file__).parent / "builtin"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def builtin_path(name: str) -> FsPath:
    return BUILTIN_DIR / f"{name}.yaml"


def _parse(path: FsPath, library: IndicatorLibrary | None) -> tuple[Framework | None, ProblemReport]:
    report = ProblemReport()
    file = str(path)
    try:
        size = path.stat().st_size
        if size > 4 * yaml_lines.MAX_YAML_CHARS:  # refused before it is read (a character is at most 4 bytes)
            report.add("yaml_too_large", f"the file has {size:,} bytes, more than a framework can need "
                       f"(yaml_lines.MAX_YAML_CHARS = {yaml_lines.MAX_YAML_CHARS:,} characters)", file=file,
                       value=size, expected="a smaller YAML file")
            return None, report
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        report.add("unreadable_file", f"cannot read file: {e}", file=file, expected="a UTF-8 YAML file")
        return None, report
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as e:
        report.extend(e.problems(file))  # syntax, duplicate keys, depth and alias limits, each located
        return None, report
    if not isinstance(data, dict):
        report.add("not_a_mapping", "a framework file must be a mapping with code, name_zh, name_en and root",
                   file=file, row=1, value=type(data).__name__, expected="code: …, name_zh: …, name_en: …, root: {…}")
        return None, report
    if library is None:
        extra = data.get("library")
        try:
            library = load_library(path.parent / extra if isinstance(extra, str) else None)
        except XianpingInputError as e:
            report.extend(e.report)
            return None, report
    try:
        fw = Framework.model_validate(data, context={"library": library, "defer_checks": True})
    except ValidationError as err:
        report.extend(pydantic_problems(err, file, lines))
        # the meaning checks need a valid tree; the two commonest slips are still found on the raw data
        report.extend(f.locate(file, lines) for f in _raw_findings(data, library))
        return None, report
    report.extend(f.locate(file, lines) for f in fw.findings())
    return fw, report


def _raw_findings(data: dict, library: IndicatorLibrary) -> list[Finding]:
    """Duplicate node codes and unknown indicator codes, found on the raw YAML when the structure is invalid."""
    out: list[Finding] = []
    seen: set[str] = set()

    def rec(node, path):
        if not isinstance(node, dict):
            return
        code = node.get("code")
        if isinstance(code, str):
            if code in seen:
                out.append(Finding("duplicate_code", f"node code {code!r} is used twice", path + ("code",), code, "unique node codes"))
            seen.add(code)
        ind = node.get("indicator")
        ref = ind if isinstance(ind, str) else ind.get("code") if isinstance(ind, dict) else None
        inline = isinstance(ind, dict) and "unit" in ind and "direction" in ind
        if isinstance(ref, str) and ref not in library and not inline:
            near = library.suggest(ref)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            out.append(Finding("unknown_indicator", f"indicator {ref!r} is not in the library{hint}",
                               path + ("indicator", "code"), ref, "a library code or an inline definition with unit and direction"))
        children = node.get("children")
        if isinstance(children, list):
            for i, child in enumerate(children):
                rec(child, path + ("children", i))

    rec(data.get("root"), ("root",))
    return out


def _resolve_path(path_or_name: str | FsPath) -> FsPath:
    p = FsPath(path_or_name)
    if p.suffix.lower() in (".yaml", ".yml") or p.exists():
        return p
    if builtin_path(str(path_or_name)).exists():
        return builtin_path(str(path_or_name))
    raise XianpingInputError(
        f"no framework named {str(path_or_name)!r}: not a built-in ({', '.join(builtin_names())}) and no such file"
    )


def validate_framework_file(path: str | FsPath, library: IndicatorLibrary | None = None) -> ProblemReport:
    """Every problem of a framework file (syntax, structure, meaning), errors and warnings, each located."""
    _, report = _parse(_resolve_path(path), library)
    return report


def load_framework(path_or_name: str | FsPath, library: IndicatorLibrary | None = None) -> Framework:
    """A built-in framework by name (``sanqilai``) or a YAML file; raises `XianpingInputError` listing all errors."""
    path = _resolve_path(path_or_name)
    fw, report = _parse(path, library)
    if fw is None or report.has_errors:
        n = len(report.errors)
        raise XianpingInputError(f"framework {path} has {n} error{'s' if n != 1 else ''}", report)
    return fw
