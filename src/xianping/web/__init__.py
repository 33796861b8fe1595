"""The web dashboard and JSON API (FastAPI): rankings, county profiles, maps, comparisons, the framework, data
quality and report downloads, over one evaluation's results loaded once into memory.

    from xianping.web import create_app, load_dashboard
    app = create_app(load_dashboard(results="out/results.csv"))   # or store=…, or nothing: the bundled demo

`data.py` holds the loaded results and their indexes, `source.py` finds them (demo cache, store, results CSV,
robustness and targets), `api.py` is the JSON API, `pages/` a file per page, `templates/` and `static/` the HTML.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {"create_app": "app", "load_dashboard": "source", "Dashboard": "data", "read_rank_stats": "data"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"xianping.web.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
