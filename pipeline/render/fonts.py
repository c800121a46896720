"""WeasyPrint font configurations: one per theme and process, and their removal.

A FontConfiguration copies every @font-face it loads into a folder it makes in the
system's temporary directory, and removes that folder only when it is garbage-collected,
which never happens to one kept for reuse (nor at interpreter exit, nor in a pool's
worker processes). `release_fonts()` removes the folders and forgets the
configurations; the build calls it when it has rendered, so no publish leaves a
temporary folder behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # WeasyPrint takes a second to import: only when a PDF is made
    from weasyprint.text.fonts import FontConfiguration

    from .theme import Theme

_font_configs: dict[tuple[Path, ...], FontConfiguration] = {}


def font_config(theme: Theme) -> FontConfiguration:
    """One font configuration per theme and process.

    Reusing it saves decoding the faces on every render; keeping one per theme stops a
    theme's faces from leaking into another theme's PDFs.
    """
    if theme.dirs not in _font_configs:
        from weasyprint.text.fonts import FontConfiguration
        _font_configs[theme.dirs] = FontConfiguration()
    return _font_configs[theme.dirs]


def release_fonts() -> None:
    """Remove the temporary font folders of this process's configurations, and the
    configurations with them (their fonts live in those folders)."""
    while _font_configs:
        _, config = _font_configs.popitem()
        folder = getattr(config, "_folder", None)  # WeasyPrint 70's temporary font folder
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            config._folder = None
