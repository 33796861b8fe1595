"""Command line (typer + rich). Each sub-command lives in its own module and imports heavy libraries lazily."""
