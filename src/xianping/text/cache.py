"""A compiled copy of what extraction reads at start-up (the lexicon with the library's names and units, the
place-name index, the word list of the lost-number check), so `xianping extract` on a short file does not parse
the indicator library's YAML and the gazetteer each time.

The copy is plain JSON in the user's cache folder ($XIANPING_CACHE_DIR, else $XDG_CACHE_HOME/xianping, else
~/.cache/xianping), named by a hash of its sources (path, size and modification time of each data file and of the
code that builds it), so any change to them builds a new one. JSON, not pickle: loading it runs no code. A folder
that cannot be written only means the copy is built in memory each time; a damaged copy is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

CACHE_VERSION = 1


def cache_dir() -> Path:
    env = os.environ.get("XIANPING_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "xianping"


def _key(name: str, sources: list[Path]) -> str:
    h = hashlib.sha256(f"{CACHE_VERSION}|{name}|{sys.version_info[:2]}".encode())
    for p in sources:
        st = p.stat()
        h.update(f"|{p}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:20]


def compiled(name: str, sources: list[Path], build: Callable[[], Any]) -> Any:
    """`build()` (JSON-serialisable), or its copy from the cache when the sources have not changed."""
    if os.environ.get("XIANPING_NO_CACHE"):
        return build()
    try:
        path = cache_dir() / f"{name}-{_key(name, sources)}.json"
    except OSError:  # a source that cannot be stat'ed: no cache
        return build()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)  # whole or not at all: another process never reads half a file
    except OSError:
        pass
    return data
