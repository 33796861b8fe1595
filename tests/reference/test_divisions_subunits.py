"""Registering towns (9-digit) and villages (12-digit) under counties: every bad row is located."""

from __future__ import annotations

import pytest

from xianping.reference.divisions import Gazetteer

GOOD = [
    {"code": "410821100", "name": "城关镇", "parent_code": "410821", "level": "town"},
    # a village before its town in the file is fine: towns are checked first
    {"code": "410821101001", "name": "东关村", "parent_code": "410821101", "level": "village"},
    {"code": "410821101000", "name": "郇封镇", "parent_code": "410821000000", "level": ""},
]


@pytest.fixture()
def gaz() -> Gazetteer:
    return Gazetteer.load()  # fresh: registrations must not leak between tests


def test_register_good_rows(gaz):
    report = gaz.register_subunits(GOOD)
    assert not report.has_errors, report.as_text()
    town = gaz.get("410821100")
    assert (town.level, town.kind, town.parents[-1]) == ("town", "镇", ("410821", "修武县"))
    assert gaz.get("410821101000").name == "郇封镇"  # 12-digit form of a town code
    village = gaz.get("410821101001")
    assert village.level == "village" and village.parents[-2:] == (("410821", "修武县"), ("410821101", "郇封镇"))
    assert [d.code for d in gaz.lookup("城关镇")] == ["410821100"]
    assert [d.code for d in gaz.lookup("东关村", 2024)] == ["410821101001"]
    assert [d.code for d in gaz.lookup("修武县郇封镇")] == ["410821101"]
    assert len(gaz.subunits("town")) == 2
    assert [d.code for d in gaz.divisions_in(2024, "village")] == ["410821101001"]
    assert not Gazetteer.load().is_registered("410821100")  # another instance is untouched


def test_each_problem_is_located(gaz):
    rows = [
        {"code": "41082110A", "name": "坏镇", "parent_code": "410821", "level": "town"},
        {"code": "410822100", "name": "错前缀镇", "parent_code": "410821", "level": "town"},
        {"code": "410381100", "name": "偃师镇", "parent_code": "410381", "level": "town"},
        {"code": "41082110", "name": "短码镇", "parent_code": "410821", "level": "town"},
        {"code": "410821100", "name": "城关镇", "parent_code": "410821", "level": "town"},
        {"code": "410821100", "name": "城关镇", "parent_code": "410821", "level": "town"},
        {"code": "410821200001", "name": "无镇村", "parent_code": "410821200", "level": "village"},
        {"code": "410821300", "name": "乡", "parent_code": "410821", "level": "hamlet"},
        {"code": "410800100", "name": "某镇", "parent_code": "410800", "level": "town"},
    ]
    report = gaz.register_subunits(rows, file="towns.csv", first_row=2)
    got = [(p.kind, p.row, p.column, p.value) for p in report]
    assert got == [
        ("bad_code", 2, "code", "41082110A"),
        ("prefix_mismatch", 3, "code", "410822100"),
        ("unknown_parent", 4, "parent_code", "410381"),  # 偃师市 no longer in use
        ("bad_code_length", 5, "code", "41082110"),
        ("duplicate_code", 7, "code", "410821100"),
        ("unknown_parent", 8, "parent_code", "410821200"),
        ("bad_level", 9, "level", "hamlet"),
        ("unknown_parent", 10, "parent_code", "410800"),  # a prefecture is not a county
    ]
    assert all(p.file == "towns.csv" and p.expected for p in report)
    assert gaz.get("410821100") is None  # all-or-nothing


def test_duplicate_against_earlier_registration(gaz):
    assert not gaz.register_subunits(GOOD[:1]).has_errors
    assert len(gaz.register_subunits(GOOD[:1])) == 0  # the same row again changes nothing
    report = gaz.register_subunits([{**GOOD[0], "name": "东城镇"}])
    assert report.kinds() == ["duplicate_code"] and "城关镇" in report.problems[0].message


def test_with_subunits_is_a_new_instance(gaz):
    rows = [{"code": "410821100", "name": "城关镇", "parent_code": "410821", "level": "town"},
            {"code": "410821100201", "name": "东关村", "parent_code": "410821100", "level": "village"}]
    g2 = gaz.with_subunits(rows)
    assert g2.get("410821100201").full_name == "河南省焦作市修武县城关镇东关村"
    assert g2.subunit_rows() == rows
    assert not gaz.is_registered("410821100")
    from xianping.problems import XianpingInputError

    with pytest.raises(XianpingInputError) as e:
        gaz.with_subunits([{"code": "410822100", "name": "错镇", "parent_code": "410821", "level": "town"}], file="db")
    assert e.value.report.kinds() == ["prefix_mismatch"]


def test_load_csv(gaz, tmp_path):
    f = tmp_path / "towns.csv"
    f.write_text("code,name,parent_code,level\n410821100,城关镇,410821,town\n410821100001,东关村,410821100,village\n", encoding="utf-8")
    assert not gaz.load_subunits_csv(f).has_errors
    assert gaz.get("410821100001").name == "东关村"
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n1,x\n", encoding="utf-8")
    assert Gazetteer.load().load_subunits_csv(bad).kinds() == ["missing_column"]
    assert Gazetteer.load().load_subunits_csv(tmp_path / "none.csv").kinds() == ["file_not_found"]
