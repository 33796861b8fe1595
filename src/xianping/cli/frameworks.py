"""`xianping frameworks …` — list, show and validate indicator frameworks; look up the indicator library.

The frameworks package (pydantic, numpy) is imported inside the commands so `xianping --help` stays fast.
"""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.markup import escape

app = typer.Typer(no_args_is_help=True)

_ARROWS = {"positive": "↑ 正向", "negative": "↓ 逆向", "moderate": "~ 适度", "target": "◎ 目标"}


def _load_or_exit(name: str):
    from xianping.cli.output import err_console
    from xianping.frameworks.load import load_framework
    from xianping.problems import XianpingInputError

    try:
        return load_framework(name)
    except XianpingInputError as e:
        for p in e.report:
            typer.echo(f"[{p.severity}] {p.as_text()}", err=True)
        err_console.print(f"[bold red]错误 error:[/] {escape(e.summary)}")
        raise typer.Exit(1)


@app.command("list")
def list_frameworks() -> None:
    """列出 List the built-in frameworks."""
    from rich.table import Table

    from xianping.cli.output import console
    from xianping.frameworks.load import builtin_names, load_framework

    table = Table(title="内置指标体系 Built-in frameworks")
    for col in ("name", "中文名", "English", "indicators", "depth"):
        table.add_column(col, overflow="fold")
    for name in builtin_names():
        fw = load_framework(name)
        table.add_row(name, fw.name_zh, fw.name_en, str(len(fw.indicators())), str(fw.depth()))
    console.print(table)


def _spec_text(spec) -> str:
    if spec is None:
        return ""
    d = spec.model_dump(exclude_none=True)
    method = d.pop("method")
    d.pop("matrix", None)  # shown as its size only, below
    extra = ", ".join(f"{k}={v}" for k, v in d.items() if k != "components")
    if spec.method == "ahp" and spec.matrix:
        extra = f"{len(spec.matrix)}×{len(spec.matrix)} matrix" + (", " + extra if extra else "")
    if spec.method == "combined":
        extra = f"{spec.combine}: " + " + ".join(c.method for c in spec.components or [])
    return f"{method}({extra})" if extra else method


@app.command("show")
def show(
    name: str = typer.Argument(..., help="A built-in name (see `xianping frameworks list`) or a YAML file."),
    as_json: bool = typer.Option(False, "--json", help="Print the framework, its hash and resolved indicators as JSON."),
    county_type: Optional[str] = typer.Option(None, "--type", help="Apply the overrides of this county type (e.g. 生态功能)."),
) -> None:
    """显示 Show a framework as a tree with weights, methods, units and directions."""
    from rich.markup import escape
    from rich.tree import Tree

    from xianping.cli.output import console

    fw = _load_or_exit(name)
    if county_type:
        try:
            fw = fw.for_type(county_type)
        except KeyError as e:
            typer.echo(f"错误 error: {e.args[0]}", err=True)
            raise typer.Exit(1)
    leaves = {leaf.node_code: leaf for leaf in fw.indicators()}
    if as_json:
        payload = {
            "framework": fw.to_dict(),
            "content_hash": fw.content_hash(),
            "indicators": [
                {"node": leaf.node_code, "path": list(leaf.codes), "inline": leaf.inline,
                 **leaf.indicator.model_dump(mode="json", exclude_none=True)}
                for leaf in leaves.values()
            ],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return

    d = fw.defaults
    head = (f"[bold]{escape(fw.name_zh)}[/] {escape(fw.name_en)}  [dim]{fw.code} v{fw.version} · "
            f"{len(leaves)} indicators · depth {fw.depth()} · sha256 {fw.content_hash()[:12]}[/]\n"
            f"[dim]defaults: normalise {d.normalisation.method} (shift {d.normalisation.shift}, panel "
            f"{d.normalisation.panel}) · weights {_spec_text(d.weights)} · aggregate {_spec_text(d.aggregation)} · "
            f"scale {d.scale:g}[/]")

    def label(node, is_root=False) -> str:
        w = "" if node.weight is None else f"[magenta]w={node.weight:g}[/] "
        if node.is_leaf:
            ind = leaves[node.code].indicator
            extra = ""
            if ind.direction == "moderate":
                extra = f" optimum {ind.optimal_interval or ind.optimum}"
            elif ind.direction == "target":
                extra = f" target {ind.target:g}"
            return (f"{w}{escape(node.code)} {escape(node.name_zh)} [dim]{escape(node.name_en or '')}[/] "
                    f"[cyan]\\[{escape(ind.unit)}][/] {_ARROWS[ind.direction]}{extra} "
                    f"[dim]← {ind.code}{' (inline)' if leaves[node.code].inline else ''}[/]")
        wm = _spec_text(node.weights) or f"{'explicit' if any(c.weight is not None for c in node.children) else _spec_text(d.weights)} (default)"
        agg = _spec_text(node.aggregation) or f"{_spec_text(d.aggregation)} (default)"
        return (f"{w}[bold]{escape(node.code)}[/] {escape(node.name_zh)} [dim]{escape(node.name_en or '')}[/] "
                f"[green]weights: {escape(wm)} · aggregate: {escape(agg)}[/]")

    tree = Tree(head)

    def add(parent: Tree, node) -> None:
        branch = parent.add(label(node))
        for child in node.children or []:
            add(branch, child)

    add(tree, fw.root)
    console.print(tree)
    if fw.type_overrides and not county_type:
        for t, ovs in fw.type_overrides.items():
            parts = []
            for code, ov in ovs.items():
                bits = [f"weight={ov.weight:g}"] if ov.weight is not None else []
                bits += [f"{k}={_spec_text(getattr(ov, k))}" for k in ("weights", "aggregation") if getattr(ov, k) is not None]
                parts.append(f"{code}: {', '.join(bits)}")
            console.print(f"[yellow]override {escape(t)}[/]: " + escape("; ".join(parts)))


@app.command("validate")
def validate(
    file: str = typer.Argument(..., help="Framework YAML file (or a built-in name)."),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """检查 Validate a framework file: every problem with file, line, key path, value and expected; exit 1 on errors."""
    from xianping.frameworks.load import load_framework, validate_framework_file
    from xianping.problems import XianpingInputError

    try:
        report = validate_framework_file(file)
    except XianpingInputError as e:
        typer.echo(f"错误 error: {e.summary}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(report.to_json())
    else:
        for p in report:
            typer.echo(f"[{p.severity}] {p.as_text()} [{p.kind}]")
    n_err, n_warn = len(report.errors), len(report) - len(report.errors)
    if report.has_errors:
        typer.echo(f"FAILED: {n_err} error(s), {n_warn} warning(s) in {file}", err=True)
        raise typer.Exit(1)
    fw = load_framework(file)
    n_nodes = sum(1 for item in fw.walk() if not item.node.is_leaf)
    typer.echo(f"OK: {fw.code} ({fw.name_zh}) — {len(fw.indicators())} indicators, {n_nodes} branch nodes, "
               f"depth {fw.depth()}, {len(fw.type_overrides)} county-type override(s), {n_warn} warning(s)")


@app.command("library")
def library(
    match: Optional[str] = typer.Option(None, "--match", help="Find the indicators a table header names (e.g. 一般公共财政预算收入（亿元）)."),
    extra: Optional[str] = typer.Option(None, "--extra", help="An extra indicator-library YAML to add."),
) -> None:
    """指标库 List the indicator library, or match a header against it."""
    from rich.markup import escape
    from rich.table import Table

    from xianping.cli.output import console
    from xianping.frameworks.library import load_library
    from xianping.problems import XianpingInputError

    try:
        lib = load_library(extra)
    except XianpingInputError as e:
        for p in e.report:
            typer.echo(f"[{p.severity}] {p.as_text()}", err=True)
        raise typer.Exit(1)
    inds = lib.match(match) if match is not None else lib.all()
    if match is not None and not inds:
        typer.echo(f"no indicator matches {match!r}", err=True)
        raise typer.Exit(1)
    table = Table(title="指标库 Indicator library" + (f" — match {match!r}" if match else ""))
    for col in ("code", "中文名", "English", "unit", "direction", "kind", "merge"):
        table.add_column(col, overflow="fold")
    for i in inds:
        merge = i.merge + (f"({i.merge_weight})" if i.merge_weight else "")
        table.add_row(i.code, escape(i.name_zh), escape(i.name_en), escape(i.unit), _ARROWS[i.direction], i.kind, merge)
    console.print(table)
    if match is not None and len(inds) > 1:
        typer.echo(f"ambiguous: {len(inds)} indicators match {match!r}", err=True)
