"""Render a Document as an EPUB 3 with EbookLib, then make the archive reproducible."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import string
import uuid
import zipfile
from pathlib import Path
from typing import Callable

import lxml.html
from ebooklib import epub
import uharfbuzz as harfbuzz
from lxml import etree
from markupsafe import Markup

from ..cache import cache_key, cached
from ..checks.accessibility import accessibility_findings, images_without_alt
from .metadata import book_href
from .context import (document_files, our_words, source_relative, template_context,
                      theme_files, video_blocks, words_around)
from . import fonts, i18n
from .i18n import N_
from .cover import cover_png
from ..read.document import polyglot_markup
from ..diagnostics import PressroomError
from ..models import Collection, Document, articles_of
from .images import EPUB_LONG_EDGE, capped
from .references import references_section
from ..read.resources import IMAGE_TYPES
from .theme import Theme

COVER_PAGE = "cover.xhtml"
COLLECTION_PAGE = "title.xhtml"  # a collection's title page, before its chapters
GENERATED_COVER = "cover.png"
NAV_WORDS = (N_("Contents"), N_("Landmarks"), N_("Cover"))  # EbookLib writes them in the navigation
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
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, doc.site.base_url + doc.folder)}"


def render(doc: Document, theme: Theme, out_dir: Path) -> Path:
    """The EPUB of one document: its cover, then one chapter with the title page."""
    name = f"{doc.slug}.xhtml"
    page, title_link, sections = _chapter(doc, theme, name, "toc")
    chapters = [_FinishedXhtml(page, uid="article", file_name=name, title=doc.title,
                               lang=doc.lang)]
    return _write_book(doc, theme, out_dir, chapters, [title_link, *sections],
                       start=f"{name}#body")


def render_collection(collection: Collection, theme: Theme, out_dir: Path) -> Path:
    """The EPUB of a collection: its cover and title page, then a chapter per article,
    all in one navigation."""
    context = template_context(collection, theme, "epub", "theme/",
                               lambda p: source_relative(collection, p),
                               stylesheet_href=STYLESHEET)
    title_page = _well_formed(collection, theme.render_template("epub_collection.xhtml",
                                                                **context))
    chapters = [_FinishedXhtml(title_page, uid="collection", file_name=COLLECTION_PAGE,
                               title=collection.title, lang=collection.lang)]
    toc: list = [epub.Link(COLLECTION_PAGE, collection.title, "toc-collection")]
    members = {doc.slug for doc in collection.documents}
    for index, doc in enumerate(collection.documents, start=1):
        name = f"{doc.slug}.xhtml"
        page, title_link, sections = _chapter(doc, theme, name, f"toc-{index}",
                                              lambda slug, fragment: _member_link(
                                                  slug, fragment, members))
        chapters.append(_FinishedXhtml(page, uid=f"article-{index}", file_name=name,
                                       title=doc.title, lang=doc.lang))
        toc.append((title_link, sections) if sections else title_link)
    return _write_book(collection, theme, out_dir, chapters, toc, start=COLLECTION_PAGE)


def _chapter(doc: Document, theme: Theme, name: str, uid_prefix: str,
             chapter: Callable[[str, str | None], str | None] | None = None):
    """One article as a finished XHTML page (title page, body, references, disclaimer),
    with its navigation: the link to its title page and the links to its sections.
    `chapter(slug, fragment)` gives the chapter of another source in the same book (a
    collection's); other links to pages and relative links become web addresses, so no
    link points to a file the book does not hold."""
    body = lxml.html.fragment_fromstring(str(doc.body_html), create_parent="div")
    for anchor in body.iter("a"):
        if anchor.get("href"):
            anchor.set("href", book_href(doc, anchor.get("href"), chapter))
    our_words(body, doc.lang)
    for block, video, title in video_blocks(body):  # a link: reading systems play no video
        paragraph, link = block.find("p"), block.find("p/a")
        if title:
            message = i18n.gettext(doc.lang, "Video: %(title)s (on %(host)s)")
            paragraph.text, link.tail = words_around(message % {"title": "%(title)s",
                                                                "host": video.host},
                                                     "%(title)s")
        else:
            link.text = i18n.gettext(doc.lang, "Watch the video on %(host)s") % {
                "host": video.host}
    for details in body.iter("details"):  # some reading systems cannot open them
        details.set("open", "open")
    references_id = references_section(body, epub=True, lang=doc.lang)
    context = template_context(doc, theme, "epub", "theme/", lambda p: source_relative(doc, p),
                               stylesheet_href=STYLESHEET, body=Markup(polyglot_markup(body)))
    page = _well_formed(doc, theme.render_template("epub.xhtml", **context))
    sections = [_toc_links(name, entry, uid_prefix) for entry in doc.toc]
    if references_id:
        heading = body.get_element_by_id(f"{references_id}-heading").text
        sections.append(epub.Link(f"{name}#{references_id}", heading, f"{uid_prefix}-references"))
    return page, epub.Link(f"{name}#title-page", doc.title, f"{uid_prefix}-title"), sections


def _member_link(slug: str, fragment: str | None, members: set[str]) -> str | None:
    """The chapter of another article of the collection (its title page, or `fragment`)."""
    if slug not in members:
        return None
    return f"{slug}.xhtml#{fragment or 'title-page'}"


def _write_book(pub: Document | Collection, theme: Theme, out_dir: Path,
                chapters: list[_FinishedXhtml], toc: list, start: str) -> Path:
    """Package `chapters` after a cover page, with the theme's stylesheet and (subset) fonts,
    every image the publication shows, its metadata and the navigation `toc`."""
    css = theme.stylesheet("epub")
    if pub.cover:
        cover_name = source_relative(pub, pub.cover)
        cover_bytes = capped(pub.site.source_dir, pub.cover, EPUB_LONG_EDGE)
    else:
        cover_name, cover_bytes = GENERATED_COVER, cover_png(pub, theme)
    authors = ", ".join(person.name_with_credentials for person in pub.byline.authors)
    def _(message: str) -> str:
        return i18n.gettext(pub.lang, message)

    context = template_context(pub, theme, "epub", "theme/", lambda p: source_relative(pub, p),
                               stylesheet_href=STYLESHEET, cover_src=cover_name,
                               cover_alt=_("Cover: %(title)s, by %(authors)s")
                               % {"title": pub.title, "authors": authors})
    cover_page = _well_formed(pub, theme.render_template("epub_cover.xhtml", **context))

    book = epub.EpubBook()
    direction = i18n.direction(pub.lang)
    if direction == "rtl":  # pages turn to the left: page-progression-direction="rtl"
        book.set_direction(direction)
    book.set_identifier(book_identifier(pub))
    book.set_title(pub.title)
    book.set_language(pub.lang)
    for index, person in enumerate(pub.byline.authors):
        book.add_author(person.name, uid=f"author-{index}")
    book.add_metadata("DC", "description", pub.description)
    book.add_metadata("DC", "publisher", pub.byline.publisher.name)
    book.add_metadata("DC", "date", pub.date.isoformat())
    for keyword in pub.keywords:
        book.add_metadata("DC", "subject", keyword)
    for prop, value, lang in accessibility_metadata(pub):
        book.add_metadata(None, "meta", value,
                          {"property": prop, **({XML_LANG: lang} if lang else {})})

    cover = _FinishedXhtml(cover_page, uid="cover", file_name=COVER_PAGE, title=_("Cover"),
                           lang=pub.lang)
    for page in (cover, *chapters):
        page.add_link(href=STYLESHEET, rel="stylesheet", type="text/css")
        book.add_item(page)
    used_text = _text_of(cover_page, *(page.finished for page in chapters)) + \
        " ".join(_(word) for word in NAV_WORDS) + "".join(page.title for page in chapters)
    # Scripts the theme's faces lack travel as subsets of the fallback faces.
    plan = fonts.plan(used_text, theme, pub.lang)
    # (a theme's own fallback faces travel with its fonts.css and files, as every face does)
    system_faces = tuple(f for f in plan.fallbacks if theme.relative_path(f.regular) is None)
    fallback_rules, fallback_files = fonts.embedded_faces(system_faces, used_text,
                                                          pub.site.source_dir)
    stylesheet = fallback_rules + fonts.with_fallbacks(css, plan, declared=True)
    book.add_item(epub.EpubItem(uid="stylesheet", file_name=STYLESHEET, media_type="text/css",
                                content=stylesheet.encode("utf-8")))
    for index, (name, content) in enumerate(fallback_files):
        book.add_item(epub.EpubItem(uid=f"fallback-{index}", file_name=f"theme/fonts/{name}",
                                    media_type=_media_type(name), content=content))
    for index, name in enumerate(theme_files(pub, theme, css)):
        content = theme.resolve(name).read_bytes()
        if name.endswith(tuple(FONT_TYPES)):
            content = cached_subset(pub.site.source_dir, content, used_text)
        book.add_item(epub.EpubItem(uid=f"theme-{index}", file_name=f"theme/{name}",
                                    media_type=_media_type(name), content=content))
    images = [path for path in document_files(pub) if path != pub.cover]
    for index, path in enumerate(images):
        book.add_item(epub.EpubItem(uid=f"image-{index}", file_name=source_relative(pub, path),
                                    media_type=_media_type(path.name),
                                    content=capped(pub.site.source_dir, path, EPUB_LONG_EDGE)))
    cover_image = epub.EpubItem(uid="cover-image", file_name=cover_name,
                                media_type=_media_type(cover_name), content=cover_bytes)
    cover_image.properties = ["cover-image"]
    book.add_item(cover_image)

    book.toc = toc
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav(title=_("Contents"), direction=direction))
    book.spine = [cover, *chapters, ("nav", "no")]
    book.guide = [{"type": "cover", "href": COVER_PAGE, "title": _("Cover")},
                  {"type": "text", "href": start, "title": pub.title},
                  {"type": "toc", "href": "nav.xhtml", "title": _("Contents")}]

    target = out_dir / f"{pub.slug}.epub"
    modified = dt.datetime.combine(pub.modified, dt.time(), tzinfo=dt.timezone.utc)
    epub.write_epub(str(target), book, {"epub3_pages": False, "mtime": modified,
                                        "landmark_title": _("Landmarks")})
    _make_reproducible(target, pub.lang, modified)
    return target


CONFORMING_SUMMARY = N_(
    "This publication meets EPUB Accessibility 1.1 and WCAG 2.2 Level AA, as checked by "
    "Pressroom: its language is set, headings are in order, every image has a text "
    "alternative, and it has a table of contents. Text can be resized and restyled by the "
    "reading system. It has no sound, video or flashing content.")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def accessibility_metadata(doc: Document | Collection) -> list[tuple[str, str, str | None]]:
    """schema.org accessibility properties (property, value, the value's language when it
    is not the book's), derived from the document (or every article of the collection) and
    its checks.

    Conformance is claimed only when the pipeline's own accessibility checks pass.
    """
    findings = [f for member in articles_of(doc) for f in accessibility_findings(member)]
    undescribed = [alt for member in articles_of(doc) for alt in images_without_alt(member)]
    # The book always shows images: the cover and the logo (both with text alternatives).
    features = ["structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability"]
    if not undescribed:
        features.append("alternativeText")
    animated = [p for p in document_files(doc) if p.suffix.lower() in (".gif", ".webp")]
    metadata = [("schema:accessMode", "textual"), ("schema:accessMode", "visual")]
    if not undescribed:
        metadata.append(("schema:accessModeSufficient", "textual"))
    metadata.append(("schema:accessModeSufficient", "textual,visual"))
    metadata += [("schema:accessibilityFeature", feature) for feature in features]
    if animated:  # GIF and WebP may flash or move; we cannot tell, so we do not claim
        metadata.append(("schema:accessibilityHazard", "unknown"))
    else:
        metadata.append(("schema:accessibilityHazard", "none"))
    summary_lang = None
    if findings:  # in English, as the findings it lists are
        summary = ("This publication has a table of contents, structured headings and text "
                   "that reading systems can resize and restyle. It does not yet meet WCAG 2.2 "
                   "Level AA: " + "; ".join(f.message for f in findings) + ".")
        summary_lang = None if i18n.language(doc.lang) == "en" else "en"
    else:
        summary = i18n.gettext(doc.lang, CONFORMING_SUMMARY)
    metadata.append(("schema:accessibilitySummary", summary))
    if not findings:
        metadata.append(("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"))
        metadata.append(("a11y:certifiedBy", doc.byline.publisher.name))
    return [(prop, value, summary_lang if prop == "schema:accessibilitySummary" else None)
            for prop, value in metadata]


def cached_subset(source_dir: Path, data: bytes, text: str) -> bytes:
    """subset_font(), made once per font and set of characters (kept in the project's
    cache: five subsets cost most of a cold EPUB)."""
    characters = "".join(sorted(set(text + string.printable)))
    key = cache_key(hashlib.sha256(data).hexdigest(), characters, fonts.SUBSETTER_VERSION)
    return cached(source_dir, "font-subsets", key, lambda: subset_font(data, characters))


def subset_font(data: bytes, text: str) -> bytes:
    """Keep only the glyphs `text` needs (plus ASCII), with the font's layout features."""
    return fonts.subset_font(harfbuzz.Face(harfbuzz.Blob(data)), text)


def _text_of(*pages: bytes) -> str:
    return "".join("".join(etree.fromstring(page).itertext()) for page in pages)


def _well_formed(doc: Document, page: str) -> bytes:
    data = page.encode("utf-8")
    try:
        etree.fromstring(data)
    except etree.XMLSyntaxError as error:
        raise PressroomError(f"{doc.source_path}: the EPUB page is not well-formed XHTML "
                             f"({error}); check raw HTML in the document") from None
    return data


def _toc_links(chapter_name: str, entry, uid_prefix: str):
    link = epub.Link(f"{chapter_name}#{entry.id}", entry.title, f"{uid_prefix}-{entry.id}")
    if not entry.children:
        return link
    return (link, [_toc_links(chapter_name, child, uid_prefix) for child in entry.children])


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
