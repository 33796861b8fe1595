"""`xianping frameworks …` — list, show and validate indicator frameworks."""

import typer

app = typer.Typer(no_args_is_help=True)
