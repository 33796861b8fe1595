"""Fixtures of the platform tests (a module, not conftest.py: tests/report imports its own conftest by that
name, and a second top-level `conftest` would shadow it). Test modules import what they use from here.

Every platform database test runs twice: on an embedded SQLite file and on the machine's real PostgreSQL server
(127.0.0.1:5432, user postgres, trust auth; .ci/run starts it). A fresh database xianping_test_<random> is created
for the test session and dropped after it; each test gets an empty schema, migrated from nothing.

`world` fills a platform with two provinces' divisions, departments, programmes, tasks and a user per role (real
argon2 hashes, real rows): the fixture the login, scope and matrix tests share.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"


@pytest.fixture(scope="session")
def pg_database():
    """The session's PostgreSQL database URL, or a loud skip when no server answers (say why)."""
    import psycopg

    name = f"xianping_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True,
                                connect_timeout=5)
    except psycopg.OperationalError as e:
        pytest.skip(f"POSTGRESQL NOT REACHABLE at {PG_HOST}:{PG_PORT} as {PG_USER} — the PostgreSQL half of the platform "
                    f"tests did NOT run ({str(e).strip().splitlines()[0]}); start it: pg_ctlcluster --skip-systemctl-redirect "
                    "$(ls /etc/postgresql) main start")
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str | None:
    """None: the platform folder's own SQLite file (the default); else the PostgreSQL URL."""
    if request.param == "sqlite":
        return None
    url = request.getfixturevalue("pg_database")
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as c:   # an empty database for each test: the migration runs from nothing
        c.execute(sa.text("DROP SCHEMA public CASCADE"))
        c.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def plat(db_url, tmp_path):
    from xianping.platform.db.connect import open_platform

    p = open_platform(tmp_path / "plat", db_url, create=True)
    yield p
    p.close()


@pytest.fixture(scope="session")
def serve_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve-cache")


@pytest.fixture(scope="session")
def dash(serve_cache):
    """The dashboard over the bundled demo results (built once into a temporary cache, as `xianping serve` does)."""
    from xianping.web.source import load_dashboard

    return load_dashboard(cache=serve_cache)


@pytest.fixture
def app(plat, dash):
    from xianping.platform.web.mount import mount
    from xianping.web.app import create_app

    return mount(create_app(dash), plat)


def client(app, **kw):
    from fastapi.testclient import TestClient

    return TestClient(app, **kw)


# ------------------------------------------------------------------------------------------------------------ world

UNITS = [  # code, name, kind, county
    ("410122", "中牟县", "county", "410122"), ("410181", "巩义市", "county", "410181"), ("410221", "杞县", "county", "410221"),
    ("410122100", "城关镇", "town", "410122"), ("420102", "江岸区", "county", "420102"),
]
DEPARTMENTS = [("tjj", "河南省统计局", "410000", ["gdp", "revenue"]), ("czt", "河南省财政厅", "410000", ["budget"]),
               ("hb_tjj", "湖北省统计局", "420000", ["gdp"])]
USERS = [  # username, role, scope, department
    ("admin41", "province_admin", "410000", None), ("admin42", "province_admin", "420000", None),
    ("rev4101", "prefecture_reviewer", "410100", None), ("rev4102", "prefecture_reviewer", "410200", None),
    ("zhongmou", "county_reporter", "410122", None), ("qixian", "county_reporter", "410221", None),
    ("tjj_user", "department_reporter", None, "tjj"), ("czt_user", "department_reporter", None, "czt"),
    ("viewer41", "viewer", "410000", None),
]
# per role: the user the matrix acts as, a task in its scope and one outside (by unit code or department code)
MATRIX = {
    "province_admin": ("admin41", "410122", "420102"),
    "prefecture_reviewer": ("rev4101", "410181", "410221"),
    "county_reporter": ("zhongmou", "410122100", "410221"),   # a town registered under its county is its own
    "department_reporter": ("tjj_user", "dept:tjj", "dept:czt"),
    "viewer": ("viewer41", "410122", "420102"),
}


# the world's programmes score with a real framework, so the reporting routes can open their tasks
WORLD_FRAMEWORK = """code: world
name_zh: 测试考核
name_en: World test framework
root:
  code: world
  name_zh: 综合
  name_en: Total
  children:
    - {code: w_gdp, name_zh: 地区生产总值, name_en: GDP, indicator: gdp}
    - {code: w_budget, name_zh: 一般公共预算收入, name_en: Budget revenue, indicator: budget_revenue}
    - {code: w_income, name_zh: 农村居民人均可支配收入, name_en: Rural income, indicator: income_rural}
"""


@dataclass
class World:
    passwords: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)   # unit code or "dept:<code>" → task id


def build_world(plat) -> World:
    from xianping.platform.audit.record import SYSTEM
    from xianping.platform.auth import departments, users
    from xianping.platform.db.models import Department, Programme, Task, Unit

    w = World()
    with plat.sessions() as db:
        for code, name, kind, county in UNITS:
            db.add(Unit(code=code, name=name, kind=kind, county_code=county, parent_code=county if kind != "county" else None))
        db.commit()
        for code, name, prov, inds in DEPARTMENTS:
            departments.add(db, SYSTEM, code, name, prov, inds)
        progs = {}
        for prov in ("41", "42"):
            p = Programme(name=f"{prov} 2025 年度考核", framework_yaml=WORLD_FRAMEWORK, framework_sha256="0" * 64, classes={},
                          period_kind="year", period="2025", scope_code=prov + "0000", fill_days=20, review_days=10,
                          publicity_days=7, status="open")
            db.add(p)
            progs[prov] = p
        db.flush()
        for code, _, _, county in UNITS:
            t = Task(programme_id=progs[county[:2]].id, unit_code=code, due_date=date(2026, 1, 31))
            db.add(t)
            db.flush()
            w.tasks[code] = t.id
        for d in db.query(Department).all():
            t = Task(programme_id=progs[d.province_code[:2]].id, department_id=d.id, due_date=date(2026, 1, 31))
            db.add(t)
            db.flush()
            w.tasks["dept:" + d.code] = t.id
        db.commit()
        for username, role, scope, dept in USERS:
            u, pw = users.add_one(db, SYSTEM, users.NewUser(username, username.upper(), role, scope, dept))
            w.passwords[username] = pw
            w.user_ids[username] = u.id
    return w


@pytest.fixture
def world(plat) -> World:
    return build_world(plat)


def login(c, username: str, password: str):
    r = c.post("/api/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["user"]["csrf_token"]
