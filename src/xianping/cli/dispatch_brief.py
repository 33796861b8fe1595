"""`xianping dispatch brief` — the month's 月度通报 (Word, 公文 layout) from the platform's approved reports:

    xianping dispatch brief --platform plat --month 2025-06 --out 2025-06月调度通报.docx
    xianping dispatch brief --platform plat --month 2025-06 --out 通报.docx --issuer 河南省发展和改革委员会 \
        --doc-number 豫发改〔2025〕12号

Beside the brief: <stem>.sources.csv (every number of the text and where it came from) and <stem>.warnings.csv (the
complete red, yellow and no-report lists). The command line acts as the province office,
province-wide. Registered on `xianping dispatch` (cli/dispatch.py) as the `brief` command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def brief(folder: Path = typer.Option(..., "--platform", help="The platform folder (xianping platform init --dir …)."),
          db: Optional[str] = typer.Option(None, "--db", help="A PostgreSQL URL instead of the SQLite file in --platform."),
          month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
          out: Path = typer.Option(..., "--out", help="The brief to write (.docx)."),
          rules: Optional[Path] = typer.Option(None, "--rules", help="A warning-rules YAML (default: the builtin rules)."),
          issuer: Optional[str] = typer.Option(None, "--issuer", help="红头: the issuing office, printed in red."),
          doc_number: Optional[str] = typer.Option(None, "--doc-number", help="发文字号, e.g. 豫发改〔2025〕12号."),
          area: Optional[str] = typer.Option(None, "--area", help="The area named in the title (default: the "
                                                                 "province or prefecture the projects share).")) -> None:
    from xianping.cli.dispatch import _actor, _session
    from xianping.cli.output import console
    from xianping.platform.workflow.dispatch_measure import check_month
    from xianping.problems import XianpingInputError
    from xianping.report.dispatch_brief import platform_inputs, write_brief

    check_month(month)
    if out.suffix.lower() != ".docx":
        raise XianpingInputError(f"--out {out}: the brief is a Word file; name it …docx")
    with _session(folder, db) as (_, s):
        inputs = platform_inputs(s, _actor(), month, rules_file=rules)
    res = inputs.pop("result")
    if not len(res.projects):
        raise XianpingInputError(f"--month {month}: the platform has no projects in the project bank "
                                 "(xianping dispatch import-projects first)")
    if area is not None:
        inputs["area"] = area
    path = write_brief(res, out, issuer=issuer, doc_number=doc_number, **inputs)
    t = res.total.iloc[0]
    console.print(f"月度通报 brief → {path} ({month}: {int(t['n_projects'])} 个项目 projects, "
                  f"{int(t['n_reported'])} 报送 reported; 数字来源 {path.stem}.sources.csv)", markup=False)
