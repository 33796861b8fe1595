"""`xianping units …` — administrative division look-up and crosswalk (filled in by the divisions work)."""

import typer

app = typer.Typer(no_args_is_help=True)
