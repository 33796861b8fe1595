"""`xianping import` and `xianping export` — move tables in and out of the panel store."""

import typer


def register(app: typer.Typer) -> None:
    pass
