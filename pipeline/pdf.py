"""Render a Document as a tagged PDF with WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .context import source_relative, template_context
from .fetcher import SandboxedFetcher
from .models import Document
from .theme import Theme

PAPER = {"letter": "letter", "a4": "A4"}

_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    """One font configuration per process: decoding faces once makes later renders faster."""
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def render(doc: Document, theme: Theme, out_dir: Path) -> Path:
    fetcher = SandboxedFetcher(doc.site.source_dir, theme)
    theme_base = theme.dirs[0].resolve().as_uri() + "/"
    page = theme.render_template(
        "print.html",
        **template_context(doc, theme, "print", theme_base, lambda p: source_relative(doc, p),
                           stylesheet_href=None, paper=PAPER[doc.site.paper]),
    )
    fonts = font_config()
    stylesheet = CSS(string=theme.stylesheet("print"), base_url=theme_base + "css/print.css",
                     url_fetcher=fetcher, font_config=fonts)
    html = HTML(string=page, base_url=doc.site.source_dir.resolve().as_uri() + "/",
                url_fetcher=fetcher)
    target = out_dir / f"{doc.slug}.pdf"
    html.write_pdf(target, stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1")
    return target
