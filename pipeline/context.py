"""What every template gets: the document, the medium, and how to link to files."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from . import __version__
from .errors import PressroomError
from .models import Document
from .theme import Theme

THEME_LOGO = "images/logo.svg"


def source_relative(doc: Document, path: Path) -> str:
    """`path` (inside source/) as a URL relative to the document's own folder."""
    return path.relative_to(doc.site.source_dir).as_posix()


def document_files(doc: Document) -> list[Path]:
    """Every file under source/ that the document shows: images, photos, logo, cover."""
    candidates = [doc.cover, doc.byline.publisher.logo, *doc.images,
                  *(p.photo for p in (*doc.byline.authors, *doc.byline.reviewers))]
    files: list[Path] = []
    root = doc.site.source_dir.resolve()
    for path in candidates:
        if path and path not in files:
            # Checked when the document was read; checked again here, right before the web
            # page's copier and the EPUB's packer read it (a link may have changed since).
            if not path.resolve().is_relative_to(root):
                raise PressroomError(f"refused to read {path}: it is outside source/")
            files.append(path)
    return files


def theme_files(doc: Document, theme: Theme, css: str) -> list[str]:
    """Theme-relative names of the theme files a page in this medium needs."""
    files = theme.stylesheet_files(css)
    if doc.byline.publisher.logo is None:
        files.append(THEME_LOGO)
    return files


def template_context(doc: Document, theme: Theme, medium: str, theme_base: str,
                     source_url: Callable[[Path], str], **extra) -> dict:
    """The variables shared by the web, print and EPUB templates.

    `theme_base` is the URL prefix of the theme's files for this medium, and
    `source_url` turns a file under source/ into a URL the medium can load.
    """
    logo = doc.byline.publisher.logo
    return {
        "doc": doc,
        "body": doc.body_html,
        "medium": medium,
        "version": __version__,
        "source_url": source_url,
        "logo_src": source_url(logo) if logo else theme_base + THEME_LOGO,
        **extra,
    }
