"""`xianping dispatch` — 重点项目月调度 on a platform: import the project bank and monthly reports, the month's
measures and colours per county, the warnings' issue ledger.

    xianping dispatch import-projects --platform plat 项目库.xlsx --year 2025         # all rows or none
    xianping dispatch import-reports --platform plat 2025-06月调度.xlsx --month 2025-06  # submitted for review
    xianping dispatch measures --platform plat --month 2025-06 --json                  # per county: completion, pace …
    xianping dispatch warn --platform plat --month 2025-06                             # open ledger items, escalate
    xianping dispatch import-indicators --platform plat 2025年1-6月主要指标.xlsx          # 监测: values + targets
    xianping dispatch monitor --platform plat --period 2025-Q2 --json                   # indicators vs target, province

The command line acts as the province office (audit actor cli:dispatch), province-wide.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(no_args_is_help=True, help="重点项目月调度 Key-project monthly dispatch: import, measures, warnings.")

PLATFORM = typer.Option(..., "--platform", help="The platform folder (xianping platform init --dir …).")
DB = typer.Option(None, "--db", help="A PostgreSQL URL instead of the SQLite file in --platform.")
ACTOR_NAME = "cli:dispatch"


@contextmanager
def _session(folder: Path, db: Optional[str]):
    from xianping.platform.db.connect import open_platform

    plat = open_platform(folder, db)
    try:
        with plat.sessions() as s:
            yield plat, s
    finally:
        plat.close()


def _actor():
    from xianping.platform.audit.record import Actor

    return Actor(None, ACTOR_NAME)


def _warnings(items) -> None:
    from xianping.cli.output import print_problems
    from xianping.problems import ProblemReport

    if items:
        print_problems(ProblemReport(list(items)), title="提示 Warnings (accepted)")


@app.command("import-projects", help="Import the project bank (项目库) from an Excel/CSV sheet: 项目编号, 项目名称, 所在县 or "
                                     "区划代码, 所属行业, 建设性质, 总投资, 计划开工/竣工时间, 责任单位 … (年度计划投资 sets "
                                     "the year's plan). All rows or none; every problem located.")
def import_projects(file: Path = typer.Argument(..., help="The sheet (.xlsx or .csv)."), folder: Path = PLATFORM,
                    db: Optional[str] = DB,
                    year: Optional[int] = typer.Option(None, "--year", help="The plan's year, when the sheet has no 年度 column."),
                    effective_month: Optional[str] = typer.Option(
                        None, "--effective-month", help="A revised plan takes effect this month (YYYY-MM; default: "
                                                        "January of the plan's year)."),
                    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    from xianping.cli.output import console
    from xianping.platform.workflow.dispatch_import_projects import check_month, import_projects_file

    check_month(effective_month)
    with _session(folder, db) as (_, s):
        res = import_projects_file(s, _actor(), file, year=year, effective_month=effective_month)
    if as_json:
        typer.echo(json.dumps(res.as_dict(), ensure_ascii=False, indent=1))
        return
    _warnings(res.warnings)
    console.print(f"项目库 project bank ← {file.name}: 新增 created {res.created} · 更新 updated {res.updated} · "
                  f"未变 unchanged {res.unchanged} · 年度计划 plans set {res.plans_added}", markup=False)


@app.command("import-reports", help="Import a month's reports (月调度表): 项目编号, 本月完成投资, 本年累计完成投资, 自开工累计"
                                    "完成投资, 到位资金, 是否开工, 是否竣工, 形象进度, 存在问题. Submitted for review (or "
                                    "approved at once with --approve). All rows or none.")
def import_reports(file: Path = typer.Argument(..., help="The sheet (.xlsx or .csv)."), folder: Path = PLATFORM,
                   db: Optional[str] = DB,
                   month: Optional[str] = typer.Option(None, "--month", help="The month (YYYY-MM), when the sheet has no "
                                                                             "月份 column."),
                   approve: bool = typer.Option(False, "--approve", help="Approve the imported reports as the province "
                                                                         "office (audited), e.g. a year loaded afterwards."),
                   as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    from xianping.cli.output import console
    from xianping.platform.workflow import dispatch_review
    from xianping.platform.workflow.dispatch_import_reports import import_reports_file

    with _session(folder, db) as (_, s):
        res = import_reports_file(s, _actor(), file, month=month)
        approved = dispatch_review.approve(s, _actor(), res.written) if approve and res.written else []
    out = res.as_dict() | {"approved": len(approved)}
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    _warnings(res.warnings)
    console.print(f"月调度 reports ← {file.name}: {res.rows} 行 rows · 写入 stored {len(res.written)} "
                  f"({'已通过 approved' if approve else '已提交 submitted for review'}) · 未变 unchanged "
                  f"{res.rows - len(res.written)}", markup=False)


def _reported(r: dict) -> str:
    """报送/应报: reports in over projects due this month (finished ones are not due); 无需报送 when none is due."""
    return "无需报送 none due" if r["n_due_report"] == 0 else f"{r['n_reported']}/{r['n_due_report']}"


def _fmt(x, pct: bool = True) -> str:
    if x is None:
        return "—"
    return f"{x:.1f}%" if pct else f"{x:+.1f}"


@app.command("measures", help="The month's measures per county over approved reports: completion of the annual plan, "
                              "pace against the calendar (percentage points), start rate, colour (warning rules).")
def measures(folder: Path = PLATFORM, db: Optional[str] = DB,
             month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
             rules: Optional[Path] = typer.Option(None, "--rules", help="A warning-rules YAML (default: the builtin rules)."),
             projects: bool = typer.Option(False, "--projects", help="With --json: every project's row too."),
             as_json: bool = typer.Option(False, "--json", help="Print JSON: {month, elapsed, counties: [...]}.")) -> None:
    from rich.table import Table

    from xianping.cli.output import console
    from xianping.platform.workflow.dispatch_measure import check_month, month_view

    from xianping.platform.workflow.dispatch_monitor import indicator_periods_of_month, indicator_view

    check_month(month)
    with _session(folder, db) as (_, s):
        view = month_view(s, _actor(), month, rules_file=rules)
        indicators = [indicator_view(s, _actor(), p, rules_file=rules) for p in indicator_periods_of_month(month)]
    if as_json:
        out = view.as_dict(projects=projects)
        # 监测: the month's (and, at a quarter's end, the quarter's) monitored indicators with their colours
        out["indicators"] = [r for v in indicators for r in v.rows]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    t = Table(title=f"{month} 重点项目月调度 · 时序进度 elapsed {view.elapsed:.1f}%")
    for h in ("区划代码 code", "县 county", "完成率 completion", "时序 pace (pts)", "开工率 start rate",
              "报送/应报 reported/due", "预警 colour"):
        t.add_column(h)
    for r in view.county_rows():
        t.add_row(r["unit_code"], r["name"], _fmt(r["completion"]), _fmt(r["pace"], pct=False), _fmt(r["start_rate"]),
                  _reported(r), r["colour_label"])
    console.print(t)


@app.command("import-indicators", help="Import monitored indicator values (监测): 区划代码 or 地区, 指标, 期别 (2025-06 or "
                                       "2025-Q2), 本期累计值 and/or 累计增速, with 年度目标值 / 目标增速; the province's "
                                       "own row gives the provincial growth. All rows or none; every problem located.")
def import_indicators(file: Path = typer.Argument(..., help="The sheet (.xlsx or .csv)."), folder: Path = PLATFORM,
                      db: Optional[str] = DB,
                      as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    from xianping.cli.output import console
    from xianping.platform.workflow.dispatch_import_indicators import import_indicators_file

    with _session(folder, db) as (_, s):
        res = import_indicators_file(s, _actor(), file)
    if as_json:
        typer.echo(json.dumps(res.as_dict(), ensure_ascii=False, indent=1))
        return
    _warnings(res.warnings)
    console.print(f"监测指标 indicators ← {file.name}: {res.rows} 行 rows · 写入 stored {res.written} · 未变 unchanged "
                  f"{res.unchanged} · 年度目标 targets set {res.targets_written}", markup=False)


@app.command("monitor", help="Monitored indicators of a month or quarter: share of the year's target, pace against the "
                             "calendar (时间过半、任务过半), growth against the target and the provincial average, colour.")
def monitor(folder: Path = PLATFORM, db: Optional[str] = DB,
            period: str = typer.Option(..., "--period", help="YYYY-MM (a month) or YYYY-Qn (a quarter)."),
            rules: Optional[Path] = typer.Option(None, "--rules", help="A warning-rules YAML (default: the builtin rules)."),
            as_json: bool = typer.Option(False, "--json", help="Print JSON: {period, province, indicators: [...]}.")) -> None:
    from rich.table import Table

    from xianping.cli.output import console
    from xianping.platform.workflow.dispatch_monitor import indicator_view

    with _session(folder, db) as (_, s):
        view = indicator_view(s, _actor(), period, rules_file=rules)
    if as_json:
        typer.echo(json.dumps(view.as_dict(), ensure_ascii=False, indent=1))
        return
    t = Table(title=f"{period} 监测指标 monitored indicators (全省 province {view.province or '—'})")
    for h in ("区划代码 code", "地区 unit", "指标 indicator", "完成目标 share", "时序 pace (pts)", "增速 growth",
              "全省 province", "预警 colour"):
        t.add_column(h)
    for r in view.rows:
        t.add_row(r["unit_code"], r["name"], r["indicator"], _fmt(r["share"]), _fmt(r["pace"], pct=False),
                  _fmt(r["growth"]), _fmt(r["province_growth"]), r["colour_label"])
    console.print(t)


@app.command("warn", help="Open issue-ledger items (问题台账) for the month's red and yellow warnings (once: running it "
                          "again opens nothing new) and escalate items past their due date.")
def warn(folder: Path = PLATFORM, db: Optional[str] = DB,
         month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
         rules: Optional[Path] = typer.Option(None, "--rules", help="A warning-rules YAML (default: the builtin rules)."),
         as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    from xianping.cli.output import console
    from xianping.platform.workflow.dispatch_escalate import escalate
    from xianping.platform.workflow.dispatch_measure import check_month
    from xianping.platform.workflow.dispatch_warn import open_items

    check_month(month)
    with _session(folder, db) as (_, s):
        opened = open_items(s, _actor(), month, rules_file=rules)
        escalated = escalate(s, _actor())
    out = opened.as_dict() | {"escalated": escalated}
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    console.print(f"{month} 问题台账 ledger: 新开 opened {len(opened.opened)} · 升级为红 raised {len(opened.raised)} · "
                  f"已有 already open {opened.kept} · 逾期上报 escalated {len(escalated)}", markup=False)


from xianping.cli.dispatch_brief import brief as _brief  # noqa: E402 (the monthly brief, its own file)

app.command("brief", help="The month's brief (月度通报, Word in 公文 layout) from the approved reports: totals, pace, "
                          "county ranking, sectors, red/yellow lists, open ledger items; every number traced in "
                          "<stem>.sources.csv.")(_brief)
