"""platform audit: the append-only log of every write (who, when, from where, what old → new, why)."""

from xianping.platform.audit.record import Actor, record, writing

__all__ = ["Actor", "record", "writing"]
