"""Reading reports: repair scraped Chinese text and extract indicator statements with provenance.

    from xianping.text import repair, extract_text, extract_file
    rep = repair(raw)                 # rep.text (clean, simplified), rep.orig_span(a, b), rep.fixes, rep.dropped
    stmts = extract_file("公报.txt")   # [Statement]: region, period, indicator, value/unit, growth, rank, flags, span

Spec: docs/text_extraction.md (shared). One file per verb: `repair`, `extract`, `check` (against the store),
`score` (against hand-labelled gold).
"""

from xianping.text.extract import Extractor, extract_file, extract_files, extract_text
from xianping.text.repair import Repaired, repair
from xianping.text.statement import Statement

__all__ = ["Extractor", "Repaired", "Statement", "extract_file", "extract_files", "extract_text", "repair"]
