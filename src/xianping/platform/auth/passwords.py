"""Passwords: argon2id via argon2-cffi's PasswordHasher (its defaults follow RFC 9106's second recommendation)."""

from __future__ import annotations

import os
import secrets
import string
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

HASHER = PasswordHasher()
# argon2id at these defaults is 64 MiB and 4 lanes per hash: at most one hash per core at once in a process, so a
# login storm queues here instead of running 40 at once (2.5 GB, and a worker too starved to answer uvicorn's
# health check is killed with every request it holds: benchmarks/bench_platform.py)
_HASHING = threading.BoundedSemaphore(os.cpu_count() or 2)
MIN_LENGTH = 10
# a hash of nothing anyone knows: an unknown username costs the same time as a known one (no user enumeration by timing)
_DUMMY = HASHER.hash(secrets.token_urlsafe(16))
# initial passwords: no 0/O, 1/l/I that a person copying from a sheet would confuse
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def hash_password(password: str) -> str:
    with _HASHING:
        return HASHER.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    try:
        with _HASHING:
            return HASHER.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


def generate(length: int = 14) -> str:
    """An initial password (log in, then change it): 14 characters of 57, about 82 bits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def weak(password: str, username: str | None = None, old: str | None = None) -> str | None:
    """Why a chosen password is refused, or None: shorter than MIN_LENGTH, too few distinct characters, the
    username itself (any case), or the password it replaces."""
    if len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    if len(set(password)) < 4:
        return "more than a few distinct characters"
    if username and password.strip().casefold() == username.strip().casefold():
        return "something other than the username"
    if old is not None and password == old:
        return "a password other than the current one"
    return None


WEAK_ZH = {f"at least {MIN_LENGTH} characters": f"至少 {MIN_LENGTH} 个字符",
           "more than a few distinct characters": "不能只由少数几个字符重复组成",
           "something other than the username": "不能与用户名相同",
           "a password other than the current one": "不能与当前密码相同"}
