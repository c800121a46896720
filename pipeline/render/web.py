"""Render a Document as a web page: `index.html` with its stylesheet, fonts and images beside
it, and (when asked) `<slug>.single.html`, the same page as one self-contained file."""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import quote, urljoin

import lxml.html
from markupsafe import Markup

from . import fonts, i18n, metadata
from .i18n import N_
from .context import THEME_LOGO, document_files, source_relative, template_context, theme_files
from ..read.document import polyglot_markup
from ..diagnostics import PressroomError
from ..models import Collection, Document
from .references import references_section
from .theme import Theme

SINGLE_SUFFIX = ".single.html"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//)")  # an absolute URL
FORMAT_LINKS = (  # (format, link text, what it is for)
    ("pdf", N_("PDF"), N_("to print")),
    ("epub", N_("EPUB"), N_("for e-readers")),
)


def single_file_name(doc: Document) -> str:
    return f"{doc.slug}{SINGLE_SUFFIX}"


def render(doc: Document, theme: Theme, out_dir: Path) -> Path:
    """index.html, with the theme's files under theme/ and the document's images beside it."""
    page = _page(doc, theme, lambda p: source_relative(doc, p), single=False,
                 stylesheet_href="theme/css/screen.css", inline_css=None,
                 json_ld=metadata.json_ld(doc), body=web_body(doc, single=False))
    css = screen_css(theme, page, doc.lang)
    _write_theme(doc, theme, css, out_dir)
    for path in document_files(doc):
        _write(out_dir / source_relative(doc, path), path.read_bytes())
    return _write(out_dir / "index.html", page.encode("utf-8"))


def render_single(doc: Document, theme: Theme, out_dir: Path) -> Path:
    """The same page as one file, for e-mail: stylesheet, fonts and images inlined (data:
    URLs); links to the other formats and to other pages are absolute."""
    css = theme.embed_files(screen_css(theme, f"{doc.title} {doc.description} {doc.body_html}",
                                       doc.lang))
    page = _page(doc, theme, _data_url, single=True, stylesheet_href=None,
                 inline_css=Markup(css.replace("</", "<\\/")),
                 logo_src=(_data_url(doc.byline.publisher.logo) if doc.byline.publisher.logo
                           else _data_url(theme.resolve(THEME_LOGO))),
                 json_ld=metadata.json_ld(doc), body=web_body(doc, single=True))
    return _write(out_dir / single_file_name(doc), page.encode("utf-8"))


def render_collection(collection: Collection, theme: Theme, out_dir: Path) -> Path:
    """dist/collections/<name>/index.html: the collection's articles in order, each linking
    to its own web page, and the collection's PDF and EPUB."""
    articles = [{"doc": doc, "href": f"../../{quote(doc.folder)}/"}
                for doc in collection.documents]
    page = _page(collection, theme, lambda p: source_relative(collection, p), single=False,
                 template="collection.html", stylesheet_href="theme/css/screen.css",
                 inline_css=None, articles=articles, home_href="../../",
                 json_ld=metadata.collection_json_ld(collection))
    css = screen_css(theme, page, collection.lang)
    _write_theme(collection, theme, css, out_dir)
    shown = (collection.byline.publisher.logo, collection.cover,
             *(person.photo for person in collection.byline.authors))  # photos: in JSON-LD
    for path in dict.fromkeys(filter(None, shown)):
        _write(out_dir / source_relative(collection, path), path.read_bytes())
    return _write(out_dir / "index.html", page.encode("utf-8"))


def screen_css(theme: Theme, page: str, lang: str) -> str:
    """The bundled screen stylesheet, its font stacks naming the fallback faces the
    page's scripts need (the reader's device draws them when it has them)."""
    text = lxml.html.document_fromstring(page.encode("utf-8")).text_content()
    return fonts.with_fallbacks(theme.stylesheet("screen"), fonts.plan(text, theme, lang))


def _write_theme(doc: Document | Collection, theme: Theme, css: str, out_dir: Path) -> None:
    """The bundled screen stylesheet and the theme files it needs, under theme/."""
    for name in theme_files(doc, theme, css):
        _write(out_dir / "theme" / name, theme.resolve(name).read_bytes())
    _write(out_dir / "theme" / "css" / "screen.css", css.encode("utf-8"))


def _page(doc: Document | Collection, theme: Theme, source_url, *, single: bool, json_ld: dict,
          template: str = "web.html", **extra) -> str:
    canonical = metadata.canonical_url(doc)
    link = (lambda name: metadata.absolute_url(doc, name)) if single else (lambda name: name)
    formats = [{"href": link(metadata.format_file(doc, fmt)),
                "label": i18n.gettext(doc.lang, label), "purpose": i18n.gettext(doc.lang, purpose),
                "type": metadata.FORMAT_TYPES[fmt]} for fmt, label, purpose in FORMAT_LINKS]
    variables = {
        "canonical_url": canonical,
        "open_graph": metadata.open_graph(doc),
        "twitter_card": metadata.twitter_card(doc),
        "json_ld": metadata.script_json(json_ld),
        "formats": formats,
        "home_href": doc.site.base_url if single else "../" * (doc.folder.count("/") + 1),
        "languages": [dict(version, href=version["url"]) if single else version
                      for version in (metadata.language_versions(doc)
                                      if isinstance(doc, Document) and doc.translations
                                      else [])],
        **extra,
    }
    return theme.render_template(
        template, **template_context(doc, theme, "screen", "theme/", source_url, **variables))


def _data_url(path: Path) -> str:
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def web_body(doc: Document, single: bool) -> Markup:
    """The body for the web: links whose text is their own URL get the class 'bare-url'
    (the print stylesheet writes other links' URLs after them), code blocks, which
    scroll sideways on narrow screens, take the keyboard focus, and the footnotes become
    the references section. For the single file, images become data: URLs and relative
    links absolute ones."""
    root = lxml.html.fragment_fromstring(str(doc.body_html), create_parent="div")
    references_section(root, lang=doc.lang)
    images = set(doc.images)
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        if _SCHEME.match(href) and anchor.text_content().strip() in (href, href.rstrip("/")):
            anchor.set("class", " ".join(filter(None, (anchor.get("class"), "bare-url"))))
        elif single and href and not href.startswith("#") and not _SCHEME.match(href):
            anchor.set("href", urljoin(metadata.canonical_url(doc), href))
    for pre in root.iter("pre"):  # code keeps its lines and scrolls: reachable by keyboard
        pre.set("tabindex", "0")
    if single:
        for img in root.iter("img"):
            path = (doc.source_path.parent / img.get("src", "")).resolve()
            if path not in images:  # document.py checked every image: this would be our bug
                raise PressroomError(f"{doc.source_path}: image '{img.get('src')}' was not "
                                     "checked")
            img.set("src", _data_url(path))
    return Markup(polyglot_markup(root))


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
