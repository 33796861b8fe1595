"""证明材料: a file attached to a value — PDF, XLSX, PNG or JPEG, its type sniffed from its bytes (a name says
nothing), a size cap, its sha256; kept under DIR/evidence/ (outside the web root) and sent only by a route that
checks the value's scope.

    ev = attach(db, actor, plat.folder, value, "统计公报.pdf", data)
    path, row = open_evidence(db, user, plat.folder, evidence_id)    # None outside the user's scope
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.auth.scope import value_condition
from xianping.platform.db.models import DataValue, EvidenceFile, Programme, User
from xianping.platform.workflow.programme_open import require_open
from xianping.problems import ProblemReport, XianpingInputError

MAX_EVIDENCE_BYTES = 10 * 2**20
TYPES = {  # extension → (content type, magic bytes)
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}


def sniff(name: str, data: bytes) -> tuple[str, str]:
    """(extension, content type) when the bytes are what the name says, else XianpingInputError naming the file."""
    ext = Path(name).suffix.lower()
    report = ProblemReport()
    if ext not in TYPES:
        report.add("bad_file_type", "evidence is a PDF, an Excel workbook or an image", file=name,
                   value=ext or "(none)", expected="PDF, XLSX, PNG or JPEG")
    elif not data:
        report.add("empty_file", "the file is empty", file=name, expected="a PDF, XLSX, PNG or JPEG file")
    elif len(data) > MAX_EVIDENCE_BYTES:
        report.add("file_too_large", f"the file has {len(data):,} bytes", file=name, value=len(data),
                   expected=f"at most {MAX_EVIDENCE_BYTES:,} bytes")
    elif not data.startswith(TYPES[ext][1]) or (ext == ".xlsx" and not _is_xlsx(data)):
        report.add("content_mismatch", f"the content is not a {ext[1:].upper()} file", file=name,
                   value=data[:8].hex(), expected=f"a real {ext[1:].upper()} file")
    report.raise_if_errors(f"cannot attach {name}; nothing was stored")
    return ext, TYPES[ext][0]


def _is_xlsx(data: bytes) -> bool:
    # a workbook is a zip with [Content_Types].xml and an xl/ part; only the directory is read, never unpacked
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _clean_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip() or "evidence"
    return "".join(ch for ch in base if ch.isprintable())[:200]


def store_file(folder: Path, name: str, data: bytes) -> tuple[Path, str, str, str]:
    """Check an evidence file (type from its bytes, size cap) and store it under DIR/evidence, content-addressed
    (the same file twice is stored once), written to a temporary name and renamed: (relative path, clean name,
    content type, sha256). Used by value evidence and objections alike."""
    from xianping.files.atomic import write_bytes

    name = _clean_name(name)
    ext, ctype = sniff(name, data)
    sha = hashlib.sha256(data).hexdigest()
    rel = Path("evidence") / sha[:2] / f"{sha}{'.jpg' if ext == '.jpeg' else ext}"
    if not (folder / rel).exists():
        write_bytes(folder / rel, data)
    return rel, name, ctype, sha


def attach(db: Session, actor: Actor | User, folder: Path, value: DataValue, name: str, data: bytes,
           ip: str | None = None) -> EvidenceFile:
    require_open(db.get(Programme, value.programme_id))   # after closing, a value's record is what compute read
    rel, name, ctype, sha = store_file(folder, name, data)
    with writing(db, actor, ip) as w:
        ev = EvidenceFile(value_id=value.id, path=rel.as_posix(), name=name, size=len(data), content_type=ctype,
                          sha256=sha, uploaded_by=actor.id)
        db.add(ev)
        db.flush()
        w.record("evidence.attach", "evidence_file", ev.id, field=f"value {value.id}",
                 new={"value_id": value.id, "name": name, "size": len(data), "content_type": ctype, "sha256": sha})
    return ev


def visible_value(db: Session, user: User, value_id: int) -> DataValue | None:
    return db.scalars(select(DataValue).where(DataValue.id == value_id, value_condition(user))).one_or_none()


def open_evidence(db: Session, user: User, folder: Path, evidence_id: int) -> tuple[Path, EvidenceFile] | None:
    """The file of an evidence row whose value the user may read; None otherwise (as if it did not exist)."""
    ev = db.get(EvidenceFile, evidence_id)
    if ev is None or ev.value_id is None or visible_value(db, user, ev.value_id) is None:
        return None
    path = (folder / ev.path).resolve()
    if not path.is_relative_to((folder / "evidence").resolve()) or not path.is_file():
        raise XianpingInputError(f"evidence {evidence_id}: its file is missing from the platform folder")
    return path, ev
