import json
from pathlib import Path

from typer.testing import CliRunner

from xianping.cli.main import app

runner = CliRunner()
MALFORMED = Path(__file__).parent / "malformed"


def test_list():
    r = runner.invoke(app, ["frameworks", "list"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    for name in ("sanqilai", "new-development", "urban-rural", "census-social"):
        assert name in r.output
    assert "县域城乡融合发展" in r.output
    line = next(l for l in r.output.splitlines() if "urban-rural" in l)
    assert "19" in line


def test_show_tree():
    r = runner.invoke(app, ["frameworks", "show", "census-social"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "人力资本" in r.output and "illiteracy_rate" in r.output
    assert "平方米/人" in r.output and "↓ 逆向" in r.output and "~ 适度" in r.output
    assert "override 生态功能" in r.output


def test_show_json():
    r = runner.invoke(app, ["frameworks", "show", "urban-rural", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert len(data["indicators"]) == 19
    assert len(data["content_hash"]) == 64
    assert data["framework"]["code"] == "urban-rural"


def test_show_type():
    r = runner.invoke(app, ["frameworks", "show", "census-social", "--type", "生态功能"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "w=0.35" in r.output


def test_show_unknown_name():
    r = runner.invoke(app, ["frameworks", "show", "no-such-framework"])
    assert r.exit_code != 0


def test_validate_ok(tmp_path):
    r = runner.invoke(app, ["frameworks", "validate", "census-social"])
    assert r.exit_code == 0, r.output
    assert "OK: census-social" in r.output and "13 indicators" in r.output


def test_validate_reports_every_problem():
    path = MALFORMED / "several_problems.yaml"
    r = runner.invoke(app, ["frameworks", "validate", str(path)])
    assert r.exit_code == 1
    out = r.output
    assert f"{path}, line 13, column root.children[0].children[0].indicator.code" in out
    assert "line 14, column root.children[1].code" in out
    assert "line 19, column type_overrides.生态功能.nowhere" in out
    assert "(value: 'no_such_indicator')" in out and "expected a library code" in out


def test_validate_syntax_error():
    r = runner.invoke(app, ["frameworks", "validate", str(MALFORMED / "yaml_syntax.yaml")])
    assert r.exit_code == 1
    assert "line 8" in r.output and "[yaml_syntax]" in r.output


def test_validate_json():
    r = runner.invoke(app, ["frameworks", "validate", str(MALFORMED / "negative_weight.yaml"), "--json"])
    assert r.exit_code == 1
    problems = json.loads(r.output[: r.output.rindex("]") + 1])
    assert problems[0]["kind"] == "negative_weight" and problems[0]["row"] == 11


def test_validate_warnings_do_not_fail(tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text(
        "code: t\nname_zh: 测试\nname_en: Test\nroot:\n  code: r\n  name_zh: 根\n  children:\n"
        "    - {code: a, name_zh: 甲, weight: 3, indicator: gdp}\n"
        "    - {code: b, name_zh: 乙, weight: 1, indicator: budget_revenue}\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["frameworks", "validate", str(f)])
    assert r.exit_code == 0, r.output
    assert "[warning]" in r.output and "weights_normalised" in r.output and "1 warning(s)" in r.output


def test_library_match(monkeypatch):
    # The console's width is read once at import, so COLUMNS set here would come too late under pytest-xdist's workers:
    # widen the shared console itself, or the table folds the matched code across two lines.
    from xianping.cli import output

    monkeypatch.setattr(output.console, "_width", 200)
    r = runner.invoke(app, ["frameworks", "library", "--match", "一般公共财政预算收入"])
    assert r.exit_code == 0, r.output
    assert "budget_revenue" in r.output
    r = runner.invoke(app, ["frameworks", "library", "--match", "不存在的指标"])
    assert r.exit_code == 1
