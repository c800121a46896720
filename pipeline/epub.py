"""Render a Document as an EPUB 3 with EbookLib, then make the archive reproducible."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile
from pathlib import Path

from ebooklib import epub
from lxml import etree

from .context import document_files, source_relative, template_context
from .errors import PressroomError
from .models import Document
from .resources import IMAGE_TYPES
from .theme import Theme

FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
STYLESHEET = "theme/css/epub.css"


class _FinishedXhtml(epub.EpubHtml):
    """A chapter whose content is our own finished XHTML.

    EbookLib would otherwise re-parse it with an HTML parser, dropping our <head> and
    lower-casing SVG attribute names.
    """

    def __init__(self, content: bytes, **kwargs):
        super().__init__(**kwargs)
        self.finished = content

    def get_content(self, default=None) -> bytes:
        return self.finished


def book_identifier(doc: Document) -> str:
    """A stable identifier: the same site URL and slug always give the same book id."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, doc.site.base_url + doc.slug)}"


def render(doc: Document, theme: Theme, out_dir: Path) -> Path:
    css = theme.stylesheet("epub")
    chapter_name = f"{doc.slug}.xhtml"
    page = theme.render_template(
        "epub.xhtml",
        **template_context(doc, theme, "epub", "theme/", lambda p: source_relative(doc, p),
                           stylesheet_href=STYLESHEET),
    )
    try:
        etree.fromstring(page.encode("utf-8"))
    except etree.XMLSyntaxError as error:
        raise PressroomError(f"{doc.source_path}: the EPUB page is not well-formed XHTML "
                             f"({error}); check raw HTML in the document") from None

    book = epub.EpubBook()
    book.set_identifier(book_identifier(doc))
    book.set_title(doc.title)
    book.set_language(doc.lang)
    for index, person in enumerate(doc.byline.authors):
        book.add_author(person.name, uid=f"author-{index}")
    book.add_metadata("DC", "description", doc.description)
    book.add_metadata("DC", "publisher", doc.byline.publisher.name)
    book.add_metadata("DC", "date", doc.date.isoformat())
    for keyword in doc.keywords:
        book.add_metadata("DC", "subject", keyword)

    chapter = _FinishedXhtml(page.encode("utf-8"), uid="article", file_name=chapter_name,
                             title=doc.title, lang=doc.lang)
    chapter.add_link(href=STYLESHEET, rel="stylesheet", type="text/css")
    book.add_item(chapter)
    book.add_item(epub.EpubItem(uid="stylesheet", file_name=STYLESHEET, media_type="text/css",
                                content=css.encode("utf-8")))
    theme_names = theme.stylesheet_files(css)
    if doc.byline.publisher.logo is None:
        theme_names.append("images/logo.svg")
    for index, name in enumerate(theme_names):
        book.add_item(epub.EpubItem(uid=f"theme-{index}", file_name=f"theme/{name}",
                                    media_type=_media_type(name),
                                    content=theme.resolve(name).read_bytes()))
    for index, path in enumerate(document_files(doc)):
        item = epub.EpubItem(uid=f"image-{index}", file_name=source_relative(doc, path),
                             media_type=_media_type(path.name), content=path.read_bytes())
        if doc.cover == path:
            item.properties = ["cover-image"]
        book.add_item(item)

    book.toc = [epub.Link(chapter_name, doc.title, "toc-title"),
                *(_toc_links(chapter_name, entry) for entry in doc.toc)]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [chapter, ("nav", "no")]
    book.guide = [{"type": "text", "href": chapter_name, "title": doc.title},
                  {"type": "toc", "href": "nav.xhtml", "title": "Contents"}]

    target = out_dir / f"{doc.slug}.epub"
    modified = dt.datetime.combine(doc.modified, dt.time(), tzinfo=dt.timezone.utc)
    epub.write_epub(str(target), book, {"epub3_pages": False, "mtime": modified})
    _make_reproducible(target, doc.lang, modified)
    return target


def _toc_links(chapter_name: str, entry):
    link = epub.Link(f"{chapter_name}#{entry.id}", entry.title, f"toc-{entry.id}")
    if not entry.children:
        return link
    return (link, [_toc_links(chapter_name, child) for child in entry.children])


def _media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return IMAGE_TYPES.get(suffix) or FONT_TYPES.get(suffix) or "application/octet-stream"


def _make_reproducible(path: Path, lang: str, modified: dt.datetime) -> None:
    """Rewrite the archive with fixed timestamps and `xml:lang` on the package element.

    EbookLib stamps every entry with the current time and has no option for the
    package language, which Ace by DAISY requires.
    """
    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info.filename)) for info in archive.infolist()]
    stamp = modified.timetuple()[:6]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in sorted(entries, key=lambda entry: entry[0] != "mimetype"):
            if name.endswith(".opf"):
                data = re.sub(rb"<package (?![^>]*xml:lang)",
                              b'<package xml:lang="' + lang.encode() + b'" ', data, count=1)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
