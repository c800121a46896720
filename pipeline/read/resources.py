"""Which files a build may read: only inside `source/` and the chosen theme."""

from __future__ import annotations

import re
from pathlib import Path

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class UnsafeReference(ValueError):
    """A reference that points outside the allowed folders, or is not a local file."""


def resolve_inside(reference: str, base_dir: Path, root: Path) -> Path:
    """Turn a relative `reference` written in a file under `base_dir` into a path under `root`.

    Refuses URLs (http:, file:, data: ...), absolute paths and `..` escapes, so a
    document can never make the build read a file outside the project.
    """
    if _SCHEME.match(reference) or reference.startswith("//"):
        raise UnsafeReference(
            f"'{reference}' is a URL; only files inside {root.name}/ can be used"
        )
    if reference.startswith(("/", "\\")):
        raise UnsafeReference(f"'{reference}' is an absolute path; use a path relative to the file")
    path = (base_dir / reference).resolve()
    if not path.is_relative_to(root.resolve()):
        raise UnsafeReference(f"'{reference}' points outside {root.name}/")
    return path
