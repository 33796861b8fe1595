"""A platform: its folder (the SQLite file, evidence files, generated password lists) and its database.

    plat = open_platform(Path("plat"))                 # refuses a database that is not migrated to this version
    with plat.sessions() as db: …
"""

from __future__ import annotations

import os

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from xianping.platform.db import migrate
from xianping.platform.db.engine import DB_FILE, make_engine, platform_url, session_factory
from xianping.problems import XianpingError


@dataclass
class Platform:
    folder: Path
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def evidence_dir(self) -> Path:
        # outside any folder the web server serves: files are sent only by a route that checks access
        return self.folder / "evidence"

    def close(self) -> None:
        self.engine.dispose()


def open_platform(folder: Path, db: str | None = None, *, create: bool = False) -> Platform:
    """create: make the folder and migrate the database to the newest schema (`xianping platform init`); otherwise
    the database must already be at the newest revision."""
    folder = Path(folder)
    if create:
        folder.mkdir(parents=True, exist_ok=True)
        if db is None:
            # the embedded database holds password hashes: readable by its owner only (SQLite gives its -wal and
            # -shm files the database file's permissions), created so before SQLite first opens it
            os.close(os.open(folder / DB_FILE, os.O_CREAT | os.O_WRONLY, 0o600))
    elif not folder.is_dir():
        raise XianpingError(f"--platform {folder}: no such folder; create it with `xianping platform init --dir {folder}`")
    engine = make_engine(platform_url(folder, db))
    try:
        if create:
            migrate.upgrade(engine)
        else:
            at, want = migrate.current(engine), migrate.head()
            if at != want:
                engine.dispose()
                raise XianpingError(f"the platform database of {folder} is at schema {at or '(empty)'}, this xianping "
                                    f"needs {want}: run `xianping platform init --dir {folder}` (it migrates)")
    except OperationalError as e:
        engine.dispose()
        raise XianpingError(f"cannot open the platform database ({engine.url.render_as_string(hide_password=True)}): "
                            f"{str(e.orig).strip().splitlines()[0] if e.orig else e}") from None
    return Platform(folder, platform_url(folder, db), engine, session_factory(engine))
