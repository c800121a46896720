"""Render a Document as PDFs with WeasyPrint: the tagged handout and the press variant."""

from __future__ import annotations

import contextlib
import copy
import os
import re
import uuid
from pathlib import Path

import lxml.html
import pydyf
import segno
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.urls import FatalURLFetchingError

from lxml import etree

from .context import our_words, source_relative, template_context, video_blocks
from .metadata import book_href, canonical_url
from . import fonts, i18n
from ..read.document import polyglot_markup
from ..diagnostics import PressroomError
from .fetcher import SandboxedFetcher
from .fonts import font_config
from .pdf_parts import PART_BLOCKS, PART_BODY, BodyPart, body_parts, write_in_parts
from .images import PRINT_LONG_EDGE
from ..models import Collection, Document
from .theme import Theme

PAPER = {"letter": "letter", "a4": "A4"}
# Bleed for the press PDF: the US print-shop norm on Letter, ISO's 3 mm on A4.
BLEED = {"letter": "0.125in", "a4": "3mm"}
# CMYK characterisation the press PDF declares, by paper (see themes/default/color/README.md).
PRESS_PROFILE = {"letter": "color/gracol2006-coated.icc", "a4": "color/fogra39-coated.icc"}

def render(doc: Document, theme: Theme, out_dir: Path, part_blocks: int = PART_BLOCKS) -> Path:
    """The handout: tagged PDF/UA-1 on the site's paper, for office printers and screens.
    A body of more than twice `part_blocks` top-level blocks is laid out in parts of about
    that many and merged (pdf_parts: memory bounded by a part, not the document)."""
    target = out_dir / f"{doc.slug}.pdf"
    body = page_footnotes(print_blocks(doc, doc.body_html))
    parts = body_parts(body, part_blocks)
    if len(parts) == 1:
        _write(doc, theme, target, "print", body=body, pdf_variant="pdf/ua-1")
    else:
        _write_in_parts(doc, theme, target, parts)
    return target


def _write_in_parts(doc: Document, theme: Theme, target: Path, parts: list[BodyPart]) -> None:
    """The handout of a big document, laid out and written a part at a time (pdf_parts)."""
    def skeleton(first_page: int, total_pages: int) -> str:
        return _print_page(doc, theme, PART_BODY, first_page=first_page,
                           total_pages=total_pages)

    # The fallback faces for every character of the whole document, parts alike.
    text = page_text(skeleton(1, 1)) + "".join(
        lxml.html.fragment_fromstring(part.html, create_parent="div").text_content()
        for part in parts)
    with _layout(doc, theme, text, "print") as lay_out:
        write_in_parts(target, parts, skeleton, lambda page: lay_out(page, pdf_variant="pdf/ua-1"),
                       lambda document, path: document.write_pdf(path, pdf_variant="pdf/ua-1"))


def render_collection(collection: Collection, theme: Theme, out_dir: Path) -> Path:
    """The collection as one tagged PDF: a cover, contents with page numbers, then each
    article as a chapter opening with its own title block and byline."""
    target = out_dir / f"{collection.slug}.pdf"
    members = {doc.slug for doc in collection.documents}
    chapters = [{"doc": doc, "prefix": chapter_prefix(doc),
                 "body": Markup(page_footnotes(print_blocks(doc, bound_body(doc, members))))}
                for doc in collection.documents]
    page = theme.render_template(
        "collection_print.html",
        **template_context(collection, theme, "print", _theme_base(theme),
                           lambda p: source_relative(collection, p), stylesheet_href=None,
                           paper=PAPER[collection.site.paper], chapters=chapters,
                           online=read_online(collection)))
    _write_page(page, collection, theme, target, "print", pdf_variant="pdf/ua-1")
    return target


def chapter_prefix(doc: Document) -> str:
    """What the ids of an article get in front of them once bound with others."""
    return f"{doc.slug}--"


def bound_body(doc: Document, members: set[str]) -> str:
    """The article's body with its ids prefixed (its headings and notes share one page
    with other articles'), and its links to other articles of the collection made links
    to their chapters."""
    prefix = chapter_prefix(doc)
    root = lxml.html.fragment_fromstring(str(doc.body_html), create_parent="div")
    for element in root.iter():
        if element.get("id"):
            element.set("id", prefix + element.get("id"))
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        if href.startswith("#"):
            anchor.set("href", f"#{prefix}{href[1:]}")
        elif href:
            anchor.set("href", book_href(doc, href, lambda slug, fragment: (
                f"#{slug}--{fragment or 'document-title'}" if slug in members else None)))
    return polyglot_markup(root)


def render_press(doc: Document, theme: Theme, out_dir: Path) -> Path:
    """The press PDF: PDF/X-4 with a CMYK output intent, bleed and crop marks, still tagged."""
    target = out_dir / f"{doc.slug}-press.pdf"
    paper = doc.site.paper
    profile_url = _theme_base(theme) + PRESS_PROFILE[paper]
    press_rules = (
        "@color-profile device-cmyk { components: cyan, magenta, yellow, black; "
        f'src: url("{profile_url}") }}\n'
        f"@page {{ bleed: {BLEED[paper]}; marks: crop; }}\n"
    )
    _write(doc, theme, target, "press", extra_css=press_rules, pdf_variant="pdf/x-4",
           pdf_tags=True, finisher=_stable_document_id(doc))
    return target


def _theme_base(theme: Theme) -> str:
    return theme.dirs[0].resolve().as_uri() + "/"


def _print_page(doc: Document, theme: Theme, body: str, **numbers) -> str:
    """The print template's page of `doc` with `body` (`numbers`: a part's page numbers)."""
    return theme.render_template(
        "print.html",
        **template_context(doc, theme, "print", _theme_base(theme),
                           lambda p: source_relative(doc, p), stylesheet_href=None,
                           paper=PAPER[doc.site.paper], body=Markup(body),
                           online=read_online(doc), **numbers),
    )


def _write(doc: Document, theme: Theme, target: Path, medium: str, extra_css: str = "",
           body: str | None = None, **options) -> None:
    if body is None:
        body = page_footnotes(print_blocks(doc, doc.body_html))
    _write_page(_print_page(doc, theme, body), doc, theme, target, medium, extra_css, **options)


def _write_page(page: str, doc: Document | Collection, theme: Theme, target: Path, medium: str,
                extra_css: str = "", **options) -> None:
    """Lay out the print page `page` of `doc` and write it to `target`."""
    finisher = options.pop("finisher", None)
    with _layout(doc, theme, page_text(page), medium, extra_css) as lay_out:
        lay_out(page, **options).write_pdf(target, finisher=finisher, **options)


@contextlib.contextmanager
def _layout(doc: Document | Collection, theme: Theme, text: str, medium: str,
            extra_css: str = ""):
    """A function laying out print pages of `doc` whose characters are all in `text`
    (the fallback faces they need), with the theme's `medium` stylesheet. Write the
    laid-out documents inside this context: fonts and images are read then, and their
    timestamps fixed (`_fixed_font_timestamps`)."""
    # The handout's images at most 300 dpi as printed; the press PDF's at full resolution.
    fetcher = SandboxedFetcher(doc.site.source_dir, theme, doc.site.allow_network,
                               None if medium == "press" else PRINT_LONG_EDGE)
    theme_base = _theme_base(theme)
    faces = font_config(theme)
    try:  # WeasyPrint fetches while it parses the stylesheet (fonts) and while it lays out
        # Scripts the theme's faces lack: fallback families WeasyPrint finds installed.
        css = fonts.print_stylesheet(theme.stylesheet(medium), fonts.plan(text, theme, doc.lang),
                                     text, doc.site.source_dir)
        stylesheet, color_profiles = _parsed_stylesheet(
            css + extra_css, f"{theme_base}css/{medium}.css", fetcher, faces)

        def lay_out(page: str, **options):
            html = HTML(string=page, base_url=doc.site.source_dir.resolve().as_uri() + "/",
                        url_fetcher=fetcher)
            return html.render(stylesheets=[stylesheet], font_config=faces,
                               color_profiles=color_profiles, **options)

        with _fixed_font_timestamps():
            yield lay_out
    except FatalURLFetchingError as error:  # a BaseException in WeasyPrint's hierarchy
        raise PressroomError(f"{doc.source_path.name}: {error}") from None


_stylesheets: dict[tuple, tuple[CSS, dict]] = {}


def _parsed_stylesheet(css: str, base_url: str, fetcher: SandboxedFetcher,
                       faces) -> tuple[CSS, dict]:
    """The stylesheet parsed once per process for its text, its fetcher's limits and the
    font configuration its faces were loaded into (a tenth of a PDF's time for an
    article), with the colour profiles it declares (the press PDF's output intent)."""
    key = (css, base_url, fetcher.source_dir, fetcher.theme.dirs, fetcher.allow_network,
           fetcher.image_long_edge, faces)  # (the configuration itself: a released one
    # is never matched again, as its id could be)
    if key not in _stylesheets:
        if len(_stylesheets) >= 32:  # one per theme, medium and set of fallback faces
            _stylesheets.clear()
        color_profiles: dict = {}  # shared with write_pdf: the output intent reaches it
        _stylesheets[key] = (CSS(string=css, base_url=base_url, url_fetcher=fetcher,
                                 font_config=faces, color_profiles=color_profiles),
                             color_profiles)
    return _stylesheets[key]


@contextlib.contextmanager
def _fixed_font_timestamps():
    """Same sources, same PDF bytes: WeasyPrint re-saves some fonts through fontTools (colour
    emoji, variable faces such as Ubuntu's Noto), which stamps their 'head' table with the
    current time unless SOURCE_DATE_EPOCH is set (reproducible-builds.org)."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def page_text(page: str) -> str:
    """Every character a rendered page shows (and its style sheet's strings)."""
    return lxml.html.document_fromstring(page.encode("utf-8")).text_content()


def read_online(doc: Document | Collection) -> dict | None:
    """Where the web page is (site.yml's base_url + slug), for the PDF's last page: its URL,
    the URL without the scheme to print, and a QR code for it as inline SVG (vector)."""
    if not doc.site.base_url:
        return None
    url = canonical_url(doc)
    short_url = re.sub(r"^https?://", "", url)
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=4, svgclass="qr-code", lineclass=None,
                          omitsize=True, title=i18n.gettext(doc.lang, "QR code: %(address)s")
                          % {"address": short_url})
    return {"url": url, "short_url": short_url, "qr_svg": Markup(svg)}


def print_blocks(doc: Document, body_html: str) -> str:
    """The body for paper: each video a framed block with its title, short address and a
    QR code to watch it; details open (paper cannot be clicked); links to other pages and
    relative links as web addresses (a collection's `bound_body` made its own chapter
    links first)."""
    root = lxml.html.fragment_fromstring(str(body_html), create_parent="div")
    for anchor in root.iter("a"):
        if anchor.get("href"):
            anchor.set("href", book_href(doc, anchor.get("href")))
    for block, video, title in video_blocks(root):
        url = f"https://{video.short_url}"
        frame = etree.Element("div", {"class": "video-print"})
        code = segno.make(url, error="m", micro=False)
        frame.append(etree.fromstring(code.svg_inline(
            scale=1, border=4, svgclass="qr-code", lineclass=None, omitsize=True,
            title=i18n.gettext(doc.lang, "QR code: %(address)s") % {
                "address": video.short_url})))
        text = etree.SubElement(frame, "p", {"class": "video-print-text"})
        name = etree.SubElement(text, "span", {"class": "video-print-title"})
        name.text = (i18n.gettext(doc.lang, "Video: %(title)s") % {"title": title} if title
                     else i18n.gettext(doc.lang, "A video on %(host)s") % {"host": video.host})
        link = etree.SubElement(text, "a", {"href": url})
        link.text = video.short_url
        frame.tail = block.tail
        block.getparent().replace(block, frame)
    our_words(root, doc.lang)
    for details in root.iter("details"):
        details.set("open", "")
    return polyglot_markup(root)


_BLOCKS = {"p", "div", "ul", "ol", "li", "blockquote", "pre", "table", "dl", "dt", "dd",
           "h1", "h2", "h3", "h4", "h5", "h6"}


def page_footnotes(body_html: str) -> str:
    """Move each Markdown footnote to its reference, as a `float: footnote` span.

    Python-Markdown collects footnotes at the end; in print they belong at the foot
    of the page that cites them, which WeasyPrint does for floated footnote elements.
    """
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    notes = {li.get("id"): li for li in root.xpath('.//div[@class="footnote"]/ol/li')}
    if not notes:
        return body_html
    used: list[str] = []  # note ids in order of first citation = WeasyPrint's numbering
    for call in root.xpath('.//sup[a[@class="footnote-ref"]]'):
        note_id = call.find("a").get("href", "").lstrip("#")
        if note_id not in notes:
            continue
        if note_id in used:  # a note cited again: repeat its number, the note prints once
            repeat = lxml.html.Element("sup", {"class": "footnote-repeat"})
            repeat.text = str(used.index(note_id) + 1)
            repeat.tail = call.tail
            call.getparent().replace(call, repeat)
            continue
        used.append(note_id)
        note = copy.deepcopy(notes[note_id])
        for backref in note.xpath('.//a[@class="footnote-backref"]'):
            backref.drop_tree()
        note.tag = "span"
        note.attrib.clear()
        note.set("class", "page-footnote")
        for block in note.iter():
            if block is not note and block.tag in _BLOCKS:
                block.set("class", f"footnote-{block.tag}")
                block.tag = "span"
            # WeasyPrint breaks the line after the marker when the note starts with a newline.
            if block.tail and not block.tail.strip():
                block.tail = " " if block.getnext() is not None else ""
        note.text = (note.text or "").lstrip()
        note.tail = call.tail
        call.getparent().replace(call, note)
    for container in root.xpath('.//div[@class="footnote"]'):
        container.drop_tree()
    return polyglot_markup(root)


def _stable_document_id(doc: Document):
    """PDF/X-4 puts a random uuid in the XMP DocumentID; use one derived from the document."""
    stable = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, doc.site.base_url + doc.slug)}".encode()

    def finisher(_document, pdf: pydyf.PDF) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
                obj.stream = [re.sub(rb"xmp\.did:[0-9a-fA-F-]{36}", stable,
                                     part if isinstance(part, bytes) else str(part).encode())
                              for part in obj.stream]

    return finisher


def warm_up(languages: tuple[str, ...]) -> None:
    """Load the hyphenation patterns of `languages` ahead of the first PDF: WeasyPrint
    reads them when it first hyphenates a language in a process (pyphen keeps them):
    0.06 s of CPU for English, several times that on a busy machine."""
    import pyphen

    for lang in languages:
        if pyphen.language_fallback(lang.replace("-", "_")):
            pyphen.Pyphen(lang=lang.replace("-", "_"))
