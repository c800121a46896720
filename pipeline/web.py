"""Render a Document as a web page: `index.html` with its stylesheet, fonts and images beside it."""

from __future__ import annotations

from pathlib import Path

from .context import THEME_LOGO, document_files, source_relative, template_context
from .models import Document
from .theme import Theme


def theme_files(doc: Document, theme: Theme, css: str) -> list[str]:
    """Theme-relative names of the theme files a page in this medium needs."""
    files = theme.stylesheet_files(css)
    if doc.byline.publisher.logo is None:
        files.append(THEME_LOGO)
    return files


def render(doc: Document, theme: Theme, out_dir: Path) -> Path:
    css = theme.stylesheet("screen")
    page = theme.render_template(
        "web.html",
        **template_context(doc, theme, "screen", "theme/", lambda p: source_relative(doc, p),
                           stylesheet_href="theme/css/screen.css",
                           canonical_url=f"{doc.site.base_url}{doc.slug}/"),
    )
    for name in theme_files(doc, theme, css):
        _write(out_dir / "theme" / name, theme.resolve(name).read_bytes())
    _write(out_dir / "theme" / "css" / "screen.css", css.encode("utf-8"))
    for path in document_files(doc):
        _write(out_dir / source_relative(doc, path), path.read_bytes())
    return _write(out_dir / "index.html", page.encode("utf-8"))


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
