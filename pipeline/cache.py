"""The project's cache, `.cache/` beside `source/`: results that cost time to make and
depend only on what they are made from (an image's checks and its resized variants, a
font's subset, a generated cover), each stored under a hash of everything it depends on.

Nothing here is ever stale: a different input gives a different key. `invoke clean
--cache` empties the folder. Entries are written to a temporary name and renamed, so
processes rendering side by side never read half an entry.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE_DIR = ".cache"
# Bump when what an entry holds changes shape, so old entries are not read as new ones.
CACHE_VERSION = "1"


def cache_dir(source_dir: Path) -> Path:
    """The cache folder of the project whose sources are in `source_dir`."""
    return source_dir.parent / CACHE_DIR


def cache_key(*parts: str | bytes) -> str:
    """One hash of `parts`, in order (none may contain the others' boundaries)."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def content_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def entry_path(source_dir: Path, kind: str, key: str) -> Path:
    """Where the entry `kind/key` of the project's cache is (or would be) stored."""
    return cache_dir(source_dir) / kind / key[:2] / key


def cached(source_dir: Path, kind: str, key: str, make: Callable[[], bytes]) -> bytes:
    """The entry `kind/key` of the project's cache, made by `make()` and stored when absent."""
    path = entry_path(source_dir, kind, key)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = make()
    try:
        store(path, data)
    except OSError:  # a project that cannot be written to: the cache only saves time
        pass
    return data


def store(path: Path, data: bytes) -> None:
    """Write `data` at `path` by renaming a finished temporary file into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".part-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def clear(source_dir: Path) -> None:
    """Empty the project's cache (`invoke clean --cache`)."""
    shutil.rmtree(cache_dir(source_dir), ignore_errors=True)
