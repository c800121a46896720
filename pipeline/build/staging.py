"""Stage a document's outputs, then move them into dist/ only when all succeeded."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Iterator


def new_staging(dist_dir: Path, slug: str) -> Path:
    """A fresh folder inside dist/ to render into; the caller removes it.

    It sits on the same file system as the final folder, so moving files out of it
    is an atomic rename: readers of dist/ never see a half-written file.
    """
    dist_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".building-{slug}-", dir=dist_dir))


@contextlib.contextmanager
def staging(dist_dir: Path, slug: str) -> Iterator[Path]:
    """new_staging() as a block: the folder is removed whatever happens."""
    folder = new_staging(dist_dir, slug)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def move_into(staged: Path | list[Path], final: Path) -> list[Path]:
    """Move every file under `staged` (one folder or several) to the same place under
    `final`, replacing old ones.

    Each move is a rename; a Ctrl-C arriving meanwhile waits until all are done, so a
    document is never left half old and half new.
    """
    moved = []
    folders = staged if isinstance(staged, list) else [staged]
    with interrupts_deferred():
        for folder, path in sorted((f, p) for f in folders for p in f.rglob("*") if p.is_file()):
            target = final / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o644)
            os.replace(path, target)
            moved.append(target)
    return moved


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) until the block ends, then raise KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread, where builds run
        return
    received: list[int] = []
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT,
                      previous if previous is not None else signal.default_int_handler)
        if received:
            raise KeyboardInterrupt
