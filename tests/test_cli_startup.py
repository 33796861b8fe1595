"""`xianping --help` must stay fast: the CLI module may not import heavy libraries at module level."""

import subprocess
import sys

HEAVY = ["duckdb", "openpyxl", "numpy", "opencc", "pydantic", "yaml"]


def test_cli_import_does_not_load_heavy_libraries():
    code = (
        "import sys, xianping.cli.main\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported at startup: {out.stdout.strip()}"


def test_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "xianping.cli.main", "--help"], capture_output=True, text=True,
                         check=True, env={"COLUMNS": "200", "PATH": ""})
    for cmd in ("units", "frameworks", "import", "export", "demo"):
        assert cmd in out.stdout
