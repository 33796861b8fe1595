"""platform db: the models, the engine factory and the migrations (Alembic, shipped in the package)."""

from xianping.platform.db.engine import make_engine, platform_url, session_factory
from xianping.platform.db.migrate import upgrade

__all__ = ["make_engine", "platform_url", "session_factory", "upgrade"]
