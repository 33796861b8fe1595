"""Traditional → simplified Chinese with OpenCC (Apache-2.0), one converter per process."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text) if text else text
