"""The compiled start-up cache (text/cache.py): built once, reused while its sources are unchanged, rebuilt when a
source changes or the copy is damaged; a folder that cannot be written only costs the rebuild."""

import os

from xianping.text.cache import compiled


def test_built_once_reused_then_rebuilt_on_change(tmp_path, monkeypatch):
    monkeypatch.setenv("XIANPING_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "terms.yaml"
    src.write_text("a", encoding="utf-8")
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls), "名": ["地区生产总值"]}

    assert compiled("t", [src], build) == {"n": 1, "名": ["地区生产总值"]}
    assert compiled("t", [src], build) == {"n": 1, "名": ["地区生产总值"]} and len(calls) == 1  # from the copy
    src.write_text("ab", encoding="utf-8")  # a changed source (size and mtime) makes a new copy
    assert compiled("t", [src], build)["n"] == 2
    copies = list((tmp_path / "cache").glob("t-*.json"))
    assert len(copies) == 2 and not list((tmp_path / "cache").glob(".*.tmp"))  # written whole, no temp left


def test_damaged_copy_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XIANPING_CACHE_DIR", str(tmp_path))
    src = tmp_path / "s"
    src.write_text("x", encoding="utf-8")
    compiled("t", [src], lambda: [1, 2, 3])
    (copy,) = tmp_path.glob("t-*.json")
    copy.write_text('[1, 2', encoding="utf-8")  # cut short
    assert compiled("t", [src], lambda: [4]) == [4]


def test_unwritable_folder_only_costs_the_build(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XIANPING_CACHE_DIR", str(blocker / "sub"))  # a folder under a file cannot be made
    src = tmp_path / "s"
    src.write_text("x", encoding="utf-8")
    assert compiled("t", [src], lambda: {"ok": True}) == {"ok": True}


def test_lexicon_and_places_from_the_cache_equal_the_built_ones(tmp_path, monkeypatch):
    from xianping.text import lexicon, regions

    monkeypatch.setenv("XIANPING_CACHE_DIR", str(tmp_path))
    for mod, fn in ((lexicon, "load_lexicon"), (regions, "name_index")):
        getattr(mod, fn).cache_clear()
    try:
        lex1, idx1 = lexicon.load_lexicon(), regions.name_index()  # built and written
        for mod, fn in ((lexicon, "load_lexicon"), (regions, "name_index")):
            getattr(mod, fn).cache_clear()
        lex2, idx2 = lexicon.load_lexicon(), regions.name_index()  # read back
        built = lexicon.build_lexicon()
        assert lex2.by_spelling == built.by_spelling == lex1.by_spelling and lex2.units == built.units
        assert lex2.suffix("全县地区生产总值")[1].code == "gdp"
        assert idx2.full == idx1.full and idx2.short == idx1.short and idx2.full["温县"][0].parent == "410800"
        assert len(os.listdir(tmp_path)) == 2
    finally:
        for mod, fn in ((lexicon, "load_lexicon"), (regions, "name_index")):
            getattr(mod, fn).cache_clear()
