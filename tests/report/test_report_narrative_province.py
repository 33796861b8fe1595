"""The narrative of a provincial analyst's own 20-county result: sentences that read right for one province
(均属河南省, no "；。"), movers never listed twice, 对策建议 from obstacles and weaknesses, and a county section with
its province, prefecture and type ranks — each number checked against the results CSV, computed here apart
from the report code."""

import csv
import re

import numpy as np
import pytest

from one_province import HENAN, evaluate_henan
from xianping.report.data import from_result, load_report_data
from xianping.report.narrative import narrative


@pytest.fixture(scope="module")
def henan(tmp_path_factory):
    return evaluate_henan(tmp_path_factory.mktemp("henan"))


@pytest.fixture(scope="module")
def rows(henan):
    with open(henan["results"], newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _root(rows, year):
    return {r["unit_code"]: r for r in rows if r["year"] == year and r["node"] == "test_index" and r["rank"] != ""}


def test_one_province_sentences_read_right(henan):
    nar = narrative(load_report_data(henan["results"]))
    text = nar.text
    assert "对河南省20个县级单位2023年的发展水平" in text
    assert "第一方阵（前5名）共5个县级单位，均属河南省。" in text
    for broken in ("；。", "，。", "。。", "其中河南省", "【缺数据"):
        assert broken not in text, broken
    assert nar.omitted == []


def test_movers_name_each_county_once(henan, rows):
    nar = narrative(load_report_data(henan["results"]))
    para = next(b.text for b in nar.blocks if b.text.startswith("与2022年相比，"))
    names = re.findall(r"(?:、|是)([^（、]+?)（(?:进位|退位)", para)
    assert len(names) == len(set(names)) and names
    r23 = _root(rows, "2023")
    ups = sum(1 for r in r23.values() if r["rank_change"] not in ("", "0") and int(r["rank_change"]) > 0)
    downs = sum(1 for r in r23.values() if r["rank_change"] not in ("", "0") and int(r["rank_change"]) < 0)
    assert para.startswith(f"与2022年相比，{ups}个县级单位位次前移，{downs}个后移。")


def test_county_section_gives_province_prefecture_and_type_ranks(henan, rows):
    from xianping.reference.divisions import get_gazetteer

    g = get_gazetteer()
    r23 = _root(rows, "2023")
    nar = narrative(load_report_data(henan["results"]), focus=["410182", "419001"])
    text = nar.text
    for code in ("410182", "419001"):
        me = r23[code]
        d = g.get(code)
        same_kind = [u for u in r23 if g.get(u).kind == d.kind]
        kind_rank = 1 + sum(1 for u in same_kind if float(r23[u]["rank"]) < float(me["rank"]))
        sec = next(b.text for b in nar.blocks if b.kind == "p" and b.text.startswith(HENAN[code] + "2023年"))
        assert f"在全部20个参评县级单位中居第{int(me['rank'])}位" in sec
        assert f"在{len(same_kind)}个参评{d.kind}中居第{kind_rank}位" in sec
        prefs = [p for p in d.parents if not p[0].endswith("0000")]
        if prefs:    # 荥阳市 is in 郑州市; 济源市 is under the province directly (省直辖): no prefecture rank
            mates = [u for u in r23 if u[:4] == prefs[0][0][:4]]
            pref_rank = 1 + sum(1 for u in mates if float(r23[u]["rank"]) < float(me["rank"]))
            assert f"在{prefs[0][1]}{len(mates)}个参评县级单位中居第{pref_rank}位" in sec
        else:
            assert "省直辖" not in sec
    assert "在河南省20个" not in text   # one province: the national rank is the provincial one, said once


def test_advice_is_written_from_obstacles_and_weaknesses(henan, rows):
    """对策建议: per dimension the indicator that is among the three largest obstacles of the most counties, with its
    count, mean obstacle degree, weakness count and the three counties it holds back most. Oracle: obstacle degree
    O_ij = w_j(1 − z_ij)/Σ_j w_j(1 − z_ij) from the leaf scores and effective weights in the results files."""
    res = henan["result"]
    data = from_result(res)
    nar = narrative(data)
    year = "2023"
    leaves = ["gdp", "budget_revenue", "urbanisation_rate", "edu_years"]
    dims = {"economy": leaves[:2], "society": leaves[2:]}
    units = sorted(_root(rows, year))
    cell = {(r["unit_code"], r["node"]): r for r in rows if r["year"] == year}
    num = lambda v: float(v) if v != "" else np.nan  # noqa: E731
    # a missing indicator value holds nobody back (z = 1), as the report's obstacle analysis assumes
    z = np.nan_to_num(np.array([[num(cell[(u, k)]["score"]) / 100 for k in leaves] for u in units]), nan=1.0)
    w = {r["child"]: r["effective_weight"] for r in res.weights_rows() if r["year"] == year}
    F = np.array([w[k] for k in leaves])
    FI = F * (1 - z)
    O = FI / FI.sum(axis=1, keepdims=True)
    top3 = np.argsort(-O, axis=1, kind="stable")[:, :3]
    comp = np.array([float(cell[(u, "test_index")]["rank"]) for u in units])
    R = np.array([[num(cell[(u, k)]["rank"]) for k in leaves] for u in units])
    weak = (comp[:, None] - R) <= -0.1 * len(units)
    para = [b.text for b in nar.blocks if b.text.startswith("（") and "短板。" in b.text]
    assert len(para) == 2
    for (dim, ks), p in zip(dims.items(), para):
        js = [leaves.index(k) for k in ks]
        n_top = {j: int(np.sum((top3 == j).any(axis=1) & (O[:, j] > 0))) for j in js}
        best = max(js, key=lambda j: (n_top[j], O[:, j].mean()))
        name = data.node(leaves[best]).name_zh
        worst = [units[i] for i in np.argsort(-O[:, best], kind="stable")[:3]]
        expect = (f"{name}是{n_top[best]}个县级单位的前三位障碍因素，平均障碍度{O[:, best].mean() * 100:.1f}%，"
                  f"{int(weak[:, best].sum())}个县级单位该项排名明显落后于综合排名，受其制约最明显的是"
                  + "、".join(f"{HENAN[u]}（障碍度{O[units.index(u), best] * 100:.1f}%）" for u in worst))
        assert expect in p, (expect, p)
        assert f"建议把提高{name}作为" in p


def test_report_lists_parts_that_could_not_be_made(henan):
    from xianping.report.data import ReportFailure

    data = load_report_data(henan["results"])
    data.failures.append(ReportFailure("障碍度分析", "标准化得分超出 [0, 1]"))
    notes = [b.text for b in narrative(data).blocks if b.kind == "note"]
    assert notes == ["以下部分未能生成：障碍度分析（原因：标准化得分超出 [0, 1]）。"]


def test_a_failed_rebuild_is_a_named_failure(henan, tmp_path):
    """The manifest's data changed since the evaluation: the raw values are lost, and the report says so by name
    instead of an exception swallowed on the way."""
    import json
    import shutil

    folder = tmp_path / "moved"
    shutil.copytree(henan["dir"], folder)
    man = json.loads((folder / "results.manifest.json").read_text(encoding="utf-8"))
    data_path = man["data"]["path"]
    changed = folder / "henan_changed.csv"
    text = open(data_path, encoding="utf-8").read().replace("中牟县,2023,", "中牟县,2023,1", 1)
    changed.write_text(text, encoding="utf-8")
    man["data"]["path"] = str(changed)
    (folder / "results.manifest.json").write_text(json.dumps(man, ensure_ascii=False), encoding="utf-8")
    data = load_report_data(folder / "results.csv")
    assert data.raw is None
    assert [f.part for f in data.failures] == ["原始指标值（按清单重算）"]
    notes = [b.text for b in narrative(data).blocks if b.kind == "note"]
    assert any(n.startswith("以下部分未能生成：原始指标值（按清单重算）（原因：按结果清单重算失败：") for n in notes)
    assert any(n.startswith("本报告未包含：地区生产总值县均值（原始指标值不可用）") for n in notes)
