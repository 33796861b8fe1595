"""Write a file so that readers only ever see the complete old one or the complete new one.

Every output goes to a temporary file in the target's own folder (same file system, so the rename is atomic),
is flushed to disk, and replaces the target with `os.replace` when complete. An exception (KeyboardInterrupt
included) removes the temporary file; a SIGKILL leaves it behind under a hidden `.<name>.<pid>.tmp…` name that
the next write to the same target removes once its process is gone (`glob`-escaped: names may hold brackets).

    with replace_when_done("out/report.docx") as tmp:   # one file written by a library (doc.save(tmp))
        doc.save(tmp)
    write_text("out/x.manifest.json", text)             # text / bytes in one call

    files = FileSet()                                    # several files that belong together (results + manifest):
    files.stage("out/results.csv", lambda p: ...)        # each written to its temporary file first,
    files.stage_text("out/results.manifest.json", ...)   # the manifest staged last,
    files.commit()                                       # then all renamed back to back, in order, SIGINT/SIGTERM deferred

The standard library's tempfile + os.replace do the work; this module only fixes the naming, the fsync and the
clean-up so that every writer does them the same way.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import secrets
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from xianping.problems import XianpingError


def _tmp_path(target: Path) -> Path:
    # keep the suffix: some writers pick the format by it (openpyxl, DuckDB's COPY does not but costs nothing)
    return target.with_name(f".{target.name}.{os.getpid()}.tmp{secrets.token_hex(4)}{target.suffix}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _sweep(target: Path) -> None:
    """Remove temporary files of earlier writes to `target` whose process has died (a SIGKILL mid-write)."""
    folder = target.parent
    if not folder.is_dir():
        return
    # `.<name>.<pid>.tmp<8 hex><suffix>`, and anything a writer derived from it (DuckDB's `….part<i>` chunks)
    mine = re.compile(r"^\." + re.escape(target.name) + r"\.(?P<pid>\d+)\.tmp[0-9a-f]{8}")
    for p in folder.glob(f".{glob.escape(target.name)}.*.tmp*"):
        m = mine.match(p.name)
        if m and int(m["pid"]) != os.getpid() and not _alive(int(m["pid"])):
            p.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a platform without directory handles: the rename is still atomic
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Defer SIGINT/SIGTERM while files that belong together are renamed, so Ctrl-C cannot split the set: the
    handlers only note the signal, and the noted one is acted on (KeyboardInterrupt, termination) afterwards.
    Blocking the signal would not do: Python may already hold one it has not acted on yet."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []
    old = {}
    try:
        for s in (signal.SIGINT, signal.SIGTERM):
            old[s] = signal.signal(s, lambda signum, frame: noted.append(signum))
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if noted:
            h = old.get(noted[0])
            if callable(h):
                h(noted[0], None)            # Python's default for SIGINT raises KeyboardInterrupt
            elif h != signal.SIG_IGN:
                os.kill(os.getpid(), noted[0])


def _cannot(target: Path, e: OSError) -> XianpingError:
    return XianpingError(f"cannot write {target}: {e.strerror or e} (nothing was written; the previous file, if any, is unchanged)")


def _prepare(target: Path) -> None:
    blocker = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise XianpingError(f"cannot write {target}: {blocker} is a file, not a folder (nothing was written)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise IsADirectoryError(21, "it is a folder")
    except OSError as e:
        raise _cannot(target, e) from None
    _sweep(target)


@contextmanager
def replace_when_done(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; when the block ends without an exception, the file written there
    replaces `target`. The block must create the file. A file-system error (no space, a folder in the way) is a
    XianpingError naming the target."""
    target = Path(target)
    _prepare(target)
    tmp = _tmp_path(target)
    try:
        try:
            yield tmp
            _fsync_file(tmp)
            os.replace(tmp, target)
        except OSError as e:
            raise _cannot(target, e) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def write_bytes(target: str | Path, data: bytes) -> Path:
    with replace_when_done(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: str | Path, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(target, text.encode(encoding))


class FileSet:
    """Files that belong together: each staged to its temporary file, then all renamed in staging order by
    `commit()` (the last one — a manifest — names the others' hashes). Leaving without `commit()` (an exception)
    removes every temporary file and leaves the targets as they were."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def stage(self, target: str | Path, write: Callable[[Path], object]) -> Path:
        """Write `target`'s content to a temporary path with `write(tmp)`; returns the temporary path (to hash it)."""
        target = Path(target)
        _prepare(target)
        tmp = _tmp_path(target)
        self._staged.append((tmp, target))
        try:
            write(tmp)
            _fsync_file(tmp)
        except OSError as e:
            raise _cannot(target, e) from None
        return tmp

    def stage_text(self, target: str | Path, text: str, encoding: str = "utf-8") -> Path:
        return self.stage(target, lambda p: p.write_bytes(text.encode(encoding)))

    def commit(self) -> None:
        try:
            with _signals_held():
                for tmp, target in self._staged:
                    try:
                        os.replace(tmp, target)
                    except OSError as e:
                        raise _cannot(target, e) from None
        except BaseException:  # interrupted before the renames: nothing replaced, no temporary file left
            self.discard()
            raise
        for d in {t.parent for _, t in self._staged}:
            _fsync_dir(d)
        self._staged = []

    def discard(self) -> None:
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged = []

    def __enter__(self) -> "FileSet":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()
        elif self._staged:
            self.commit()


def sha256_file(path: str | Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
