"""`xianping demo` — load the bundled real data into a local store and summarise it."""

import typer


def register(app: typer.Typer) -> None:
    pass
