"""The indicator lexicon for prose: `lexicon.yaml` plus every Chinese name and synonym of the library."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

LEXICON_FILE = Path(__file__).parent / "lexicon.yaml"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_UNUSABLE = re.compile(r"[_（）()%/=\-]|合计")


@dataclass(frozen=True)
class Term:
    name: str  # normalised name
    code: str | None = None  # library code of the level
    growth_code: str | None = None
    kind: str = "level"


class Lexicon:
    def __init__(self, spellings: dict[str, Term], units: dict[str, str] | None = None):
        self.by_spelling = spellings
        self.units = units or {}  # library code → the library's unit (to standardise values)
        self.lengths = sorted({len(s) for s in spellings}, reverse=True)
        # the lengths to try for a text of n characters (those ≤ n, longest first), made once
        self._upto = [[k for k in self.lengths if k <= n] for n in range(max(self.lengths, default=0) + 1)]

    def suffix(self, text: str) -> tuple[str, Term] | None:
        """The longest spelling that `text` ends with."""
        n = len(text)
        get = self.by_spelling.get
        for k in self._upto[min(n, len(self._upto) - 1)]:
            t = get(text[n - k:])
            if t is not None:
                return text[n - k:], t
        return None

    def find(self, text: str) -> list[tuple[int, int, Term]]:
        """Non-overlapping occurrences, longest first at each position (left to right)."""
        out = []
        i, n = 0, len(text)
        upto, top = self._upto, len(self._upto) - 1
        while i < n:
            for k in upto[min(n - i, top)]:
                if text[i:i + k] in self.by_spelling:
                    out.append((i, i + k, self.by_spelling[text[i:i + k]]))
                    i += k
                    break
            else:
                i += 1
        return out


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon, from the compiled cache when lexicon.yaml, the library and this code are unchanged."""
    from xianping.text.cache import compiled

    lib_file = Path(__file__).parents[1] / "frameworks" / "library" / "indicators.yaml"
    data = compiled("text-lexicon", [LEXICON_FILE, lib_file, Path(__file__)], _lexicon_data)
    terms = [Term(*t) for t in data["terms"]]
    return Lexicon({s: terms[i] for s, i in data["spellings"].items()}, data["units"])


def _lexicon_data() -> dict:
    lex = build_lexicon()
    terms: dict[Term, int] = {}
    spellings = {s: terms.setdefault(t, len(terms)) for s, t in lex.by_spelling.items()}
    return {"terms": [[t.name, t.code, t.growth_code, t.kind] for t in terms], "spellings": spellings,
            "units": lex.units}


def build_lexicon() -> Lexicon:
    import yaml

    from xianping.frameworks.library import load_library

    spellings: dict[str, Term] = {}
    data = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    lib = load_library()
    for e in data["terms"]:
        code = e.get("code")
        if code is not None and code not in lib:
            raise ValueError(f"lexicon.yaml: {e['name']} names unknown library code {code!r}")
        t = Term(e["name"], code, e.get("growth_code"), e.get("kind", "level"))
        for s in [e["name"], *e.get("spellings", [])]:
            spellings.setdefault(s, t)
    for ind in lib.all():
        for s in [ind.name_zh, *ind.synonyms]:
            if len(s) >= 3 and _CJK.search(s) and not _UNUSABLE.search(s) and s not in spellings:
                spellings[s] = Term(ind.name_zh, ind.code, None, "rate" if ind.unit == "%" else "level")
    return Lexicon(spellings, {ind.code: ind.unit for ind in lib.all() if ind.unit})
