"""An uploaded sheet on its way to the reading path (reporting's task workbooks, dispatch's sheets): its type, size
and content checked first, then a temporary copy under DIR/uploads/.incoming that the ingest layer reads (it reads
files, with its own limits), removed after; problems name the file by the uploader's name, not the copy's."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from xianping.problems import ProblemReport, XianpingInputError

SHEET_TYPES = {".xlsx": b"PK\x03\x04", ".csv": None}   # extension → leading bytes (None: text, not sniffed)


def clean_name(name: str) -> str:
    """The uploader's file name without folders or control characters (it is shown back and logged)."""
    base = Path(name.replace("\\", "/")).name.strip() or "upload"
    return "".join(ch for ch in base if ch.isprintable())[:200]


def sweep(incoming: Path) -> None:
    """Remove the temporary copies left by a server process killed while reading an upload (kill -9, a crash):
    each copy is named after its process, and a live process's copies are its own."""
    for p in incoming.iterdir():
        pid = p.name.split(".", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except (ProcessLookupError, OverflowError):   # no such process (any more)
            p.unlink(missing_ok=True)
        except PermissionError:   # another user's live process
            pass


@contextmanager
def incoming_copy(folder: Path, file_name: str, data: bytes, *, max_bytes: int, what: str,
                  expected: str) -> Iterator[tuple[str, Path]]:
    """(the cleaned name, a temporary copy to read) after the checks; `what` says what may be uploaded (the
    refusal's message), `expected` what the file should be. Any XianpingInputError raised while reading is given
    back naming the uploader's file."""
    name = clean_name(file_name)
    ext = Path(name).suffix.lower()
    report = ProblemReport()
    if ext not in SHEET_TYPES:
        report.add("bad_file_type", what, file=name, value=ext or "(none)", expected=".xlsx or .csv")
    elif len(data) > max_bytes:
        report.add("file_too_large", f"the file has {len(data):,} bytes", file=name, value=len(data),
                   expected=f"at most {max_bytes:,} bytes")
    elif SHEET_TYPES[ext] and not data.startswith(SHEET_TYPES[ext]):
        report.add("not_xlsx", "the file is not an Excel workbook (xlsx) despite its name", file=name, expected=expected)
    report.raise_if_errors(f"cannot read {name}; nothing was stored")
    incoming = Path(folder) / "uploads" / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    sweep(incoming)
    tmp = incoming / f"{os.getpid()}.{secrets.token_hex(8)}{ext}"
    tmp.write_bytes(data)
    try:
        yield name, tmp
    except XianpingInputError as e:
        named = ProblemReport([replace(q, file=name) if q.file and Path(str(q.file)).name == tmp.name else q
                               for q in e.report])
        raise XianpingInputError(e.summary.replace(str(tmp), name), named) from None
    finally:
        tmp.unlink(missing_ok=True)
