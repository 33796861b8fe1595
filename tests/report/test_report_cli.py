"""`xianping report --results R --format xlsx|docx|html --out FILE`."""

import typer
from typer.testing import CliRunner

from xianping.cli.report import register


def _app():
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps typer from collapsing the group
        pass

    return app


def test_report_command_writes_each_format(evaluated, tmp_path):
    runner = CliRunner()
    for fmt in ("xlsx", "docx", "html"):
        out = tmp_path / f"r.{fmt}"
        res = runner.invoke(_app(), ["report", "--results", str(evaluated["results"]), "--format", fmt, "--out", str(out)])
        assert res.exit_code == 0, res.output
        assert out.exists() and out.stat().st_size > 5000


def test_report_command_takes_a_folder_and_a_template(evaluated, tmp_path):
    tpl = tmp_path / "t.md"
    tpl.write_text("# 测试\n{{ year }}年首位{{ top[0].name }}，占比{{ indicators.gdp.city_share|pct }}。\n", encoding="utf-8")
    out = tmp_path / "r.docx"
    res = CliRunner().invoke(_app(), ["report", "-r", str(evaluated["dir"]), "-o", str(out), "--template", str(tpl)])
    assert res.exit_code == 0, res.output
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "占比" not in text and "本报告未包含：“indicators.gdp.city_share”（评价结果中没有该项数据）。" in text


def test_report_command_refuses_bad_input(evaluated, tmp_path):
    runner = CliRunner()
    res = runner.invoke(_app(), ["report", "-r", str(evaluated["results"]), "-o", str(tmp_path / "r.pdf")])
    assert res.exit_code == 2
    res = runner.invoke(_app(), ["report", "-r", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert res.exit_code != 0
