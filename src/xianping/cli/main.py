"""The `xianping` command. Sub-commands register here; their modules keep heavy imports inside functions."""

from __future__ import annotations

import sys

import typer

from xianping.cli import analyse, data_commands, demo, evaluate, frameworks, units
from xianping.cli import text_commands
from xianping.cli import report
from xianping.cli import robust
from xianping.cli import serve
from xianping.cli import platform as platform_cli
from xianping.cli import points as points_cli
from xianping.cli import dispatch as dispatch_cli

app = typer.Typer(
    name="xianping",
    help="县评 xianping — 县域经济高质量发展监测评价系统 (county high-quality development monitoring and evaluation).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(units.app, name="units", help="行政区划 Administrative divisions: lookup and crosswalk across code vintages.")
app.add_typer(frameworks.app, name="frameworks", help="指标体系 Indicator frameworks: list, show, validate.")
app.add_typer(points_cli.app, name="points", help="考核办法 Points-based assessment: what-if (先进县) and robustness of class points.")
app.add_typer(platform_cli.app, name="platform", help="考核平台 The assessment platform: init, users, departments, API tokens.")
app.add_typer(dispatch_cli.app, name="dispatch", help="重点项目月调度 Key-project monthly dispatch: import, measures, warnings.")
data_commands.register(app)
demo.register(app)
evaluate.register(app)
text_commands.register(app)
analyse.register(app)
report.register(app)
robust.register(app)
serve.register(app)


def _version(value: bool) -> None:
    # eager: runs while the options are parsed, before click asks for a sub-command ("Missing command")
    if value:
        from xianping import __version__

        typer.echo(f"xianping {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_version, is_eager=True),
) -> None:
    pass


def _refuse_empty_paths(argv: list[str]) -> None:
    """An empty value for a file or folder option (`--out ""`, an unset shell variable) would be read as the current
    folder '.', deep inside a command; click's Path type takes it, so it is refused here, naming the option."""
    if "" not in argv and not any(a.endswith("=") for a in argv):
        return
    import typer

    from xianping.problems import XianpingInputError

    cmd, i = typer.main.get_command(app), 0
    while hasattr(cmd, "commands") and i < len(argv) and argv[i] in cmd.commands:
        cmd, i = cmd.commands[argv[i]], i + 1
    paths = [p for p in getattr(cmd, "params", []) if str(getattr(p.bare_type(), "__name__", p.bare_type())) == "Path"]
    options = {o: p for p in paths for o in p.opts if o.startswith("-")}
    rest = argv[i:]
    for j, a in enumerate(rest):
        name, eq, val = a.partition("=")
        if (eq and name in options and not val.strip()) or (a in options and j + 1 < len(rest) and not rest[j + 1].strip()):
            raise XianpingInputError(f"{name if eq else a}: an empty path; expected a file or folder name")
    if any(not p.opts[0].startswith("-") for p in paths) and any(not a.strip() for a in rest):
        raise XianpingInputError(f"an empty path given for {', '.join(p.name.upper() for p in paths if not p.opts[0].startswith('-'))}")


def main() -> None:
    """Console entry point: user-input errors print a located report and exit non-zero, without a traceback."""
    from xianping.problems import XianpingError, XianpingInputError

    try:
        _refuse_empty_paths(sys.argv[1:])
        app()
    except XianpingInputError as e:
        from xianping.cli.output import err_console, print_problems

        print_problems(e.report)
        from rich.markup import escape

        err_console.print(f"[bold red]错误 error:[/] {escape(e.summary)}")
        sys.exit(e.exit_code)
    except XianpingError as e:
        from xianping.cli.output import err_console

        from rich.markup import escape

        err_console.print(f"[bold red]错误 error:[/] {escape(str(e))}")
        sys.exit(e.exit_code)
    except UnicodeDecodeError as e:
        # a binary or wrongly-encoded file where text was expected, read by a layer that did not say which file
        from rich.markup import escape

        from xianping.cli.output import err_console

        err_console.print(f"[bold red]错误 error:[/] a file given is not {escape(e.encoding)} text (byte "
                          f"{e.object[e.start:e.start + 1]!r} at position {e.start}: {escape(e.reason)}); expected a text "
                          "file in UTF-8 (tables: UTF-8 or GBK)")
        sys.exit(2)
    except OSError as e:
        # a path given on the command line that is missing, a folder, a file where a folder is needed, unreadable or
        # unwritable: the OS names the path and the reason, which is the whole message the user needs
        if e.filename is None:
            raise
        from rich.markup import escape

        from xianping.cli.output import err_console

        where = str(e.filename) + (f" → {e.filename2}" if e.filename2 else "")
        err_console.print(f"[bold red]错误 error:[/] cannot use {escape(where)}: {escape(e.strerror or type(e).__name__)}")
        sys.exit(2)


if __name__ == "__main__":
    main()
