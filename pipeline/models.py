"""Frozen data the pipeline passes around: site, people, table of contents, document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from .diagnostics import Diagnostic


# What every publication says about itself unless site.yml or the document says otherwise.
DEFAULT_DISCLAIMER = (
    "This is general information, not medical advice: please consult your physician. It "
    "does not replace a visit with a doctor who knows you and your medical history. Talk to "
    "your doctor before you start, stop or change any treatment."
)
DISCLAIMER_LINE_MAX = 100  # characters of the first sentence, printed in every PDF footer
DEFAULT_REVIEW_INTERVAL_MONTHS = 12
DEFAULT_TARGET_GRADE = 8.0  # patient material: US school grade 8 or below

@dataclass(frozen=True)
class Publisher:
    name: str
    url: str
    logo: Path | None  # absolute path inside source/
    logo_alt: str
    blurb: str


@dataclass(frozen=True)
class Site:
    """What `source/site.yml` says: the publisher and the defaults for every document."""

    source_dir: Path
    publisher: Publisher
    base_url: str
    lang: str
    theme: str
    paper: str  # "letter" or "a4"
    press: bool  # also make the press PDF (PDF/X-4, CMYK, bleed, crop marks)
    single_file: bool = False  # also make the self-contained web page <slug>.single.html
    disclaimer: str = DEFAULT_DISCLAIMER  # shown by every document that does not replace it
    disclaimer_line: str = ""  # its first sentence (read/text.py): the PDF footer line
    review_interval_months: int = DEFAULT_REVIEW_INTERVAL_MONTHS  # a review is due after this
    target_grade: float = DEFAULT_TARGET_GRADE  # readability target (Flesch-Kincaid grade)
    allow_network: bool = False  # let the PDF renderer fetch http(s) URLs a theme names
    markdown: str = "commonmark"  # the Markdown dialect of documents that do not name one


@dataclass(frozen=True)
class Person:
    """One entry of `source/authors.yml`."""

    id: str
    name: str
    credentials: tuple[str, ...] = ()
    role: str = ""
    organisation: str = ""
    photo: Path | None = None  # absolute path inside source/
    photo_alt: str = ""
    bio: str = ""
    url: str = ""

    @property
    def name_with_credentials(self) -> str:
        return ", ".join((self.name, *self.credentials))


@dataclass(frozen=True)
class TocEntry:
    level: int
    id: str
    title: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class Block:
    """One block of a document's body, as the source map knows it. Every finding about the
    body takes its line (and, with `source`, its column) from here: nothing re-reads a file."""

    kind: str  # heading, paragraph, list_item, table_cell, blockquote, code, html, footnote,
    #            term, definition, admonition
    line: int  # first line in the source file (1-based, counting the front matter)
    end_line: int  # last line, inclusive
    source: str  # its lines as written (container markers such as '> ' and '- ' included)
    text: str  # the plain text a reader reads (inline markup resolved); "" for code and html
    level: int = 0  # a heading's level; the nesting depth of a list item or quote (0 at top)
    label: str = ""  # a footnote's label, a heading's id, a code block's language


@dataclass(frozen=True)
class SourceLink:
    """A link or an image of the body, where it stands in the source."""

    kind: str  # "link" or "image"
    target: str  # the href or src as written
    text: str  # the link text, or the image's alternative text
    line: int
    column: int  # 1-based


@dataclass(frozen=True)
class Byline:
    """Who wrote the document, who reviewed it, and who publishes it."""

    authors: tuple[Person, ...]
    reviewers: tuple[Person, ...]
    reviewed: dt.date | None
    publisher: Publisher


@dataclass(frozen=True)
class Document:
    """One source file, parsed and validated once; every renderer reads only this."""

    slug: str
    source_path: Path
    title: str
    subtitle: str
    description: str
    date: dt.date
    updated: dt.date | None
    lang: str
    keywords: tuple[str, ...]
    cover: Path | None
    theme: str
    byline: Byline
    body_html: Markup  # polyglot markup: valid as HTML and as XHTML
    toc: tuple[TocEntry, ...]
    images: tuple[Path, ...]  # absolute paths inside source/, in order of appearance
    site: Site
    disclaimer: str = ""  # the document's own (front matter), else the site's; "" for none
    disclaimer_line: str = ""  # its first sentence (read/text.py): the PDF footer line
    # The source map: the body's blocks, its links and images, and the line of each
    # front-matter field ((name, line) pairs), all in source order.
    blocks: tuple[Block, ...] = ()
    links: tuple[SourceLink, ...] = ()
    front_lines: tuple[tuple[str, int], ...] = ()
    source_text: str = ""  # the file as read (UTF-8, LF line ends): what the lines count
    # A translation is source/<slug>.<lang>.md: the same slug as its original
    # source/<slug>.md, its own language, published in dist/<lang>/<slug>/.
    translation_of: str = ""  # the original's slug; "" for an original
    # A translation's record of the original it translates (the SHA-256 of its file, as
    # `invoke new --translate` writes it), so that a later change to the original shows.
    original_sha256: str = ""
    # The other language versions of the same article: (lang, folder) pairs, the
    # original first, filled in by the build once every source is read.
    translations: tuple[tuple[str, str], ...] = ()
    # What reading found that does not stop publishing (markup removed in cleaning, template
    # tags of other tools shown as text, raw HTML that swallows the rest of the body):
    # warnings with file, line and column, which publish and check report.
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a document: its slug and its language."""
        return (self.slug, self.lang)

    def front_line(self, field: str) -> int | None:
        """The line of a front-matter field in the source file (None when absent)."""
        return next((line for name, line in self.front_lines if name == field), None)

    @property
    def folder(self) -> str:
        """Where its outputs go, relative to dist/ (and to the site's base URL): the slug,
        under the language's folder for a translation."""
        return f"{self.lang.lower()}/{self.slug}" if self.translation_of else self.slug

    @property
    def modified(self) -> dt.date:
        """The latest date the content changed, for 'modified' metadata."""
        return max(d for d in (self.date, self.updated, self.byline.reviewed) if d)


@dataclass(frozen=True)
class Collection:
    """One `source/collections/<name>.yml`: articles bound in order as one publication
    (a patient guide). It answers the questions templates ask of a Document's head
    (title, byline, dates...), so the page skeleton serves both."""

    name: str
    source_path: Path
    title: str
    subtitle: str
    description: str
    cover: Path | None
    lang: str
    theme: str
    keywords: tuple[str, ...]
    documents: tuple[Document, ...]
    site: Site

    @property
    def slug(self) -> str:
        """The stem of its file names: <name>.pdf, <name>.epub."""
        return self.name

    @property
    def folder(self) -> str:
        return f"collections/{self.name}"

    @property
    def date(self) -> dt.date:
        """Published when its newest article was."""
        return max(doc.date for doc in self.documents)

    @property
    def updated(self) -> dt.date | None:
        return self.modified if self.modified != self.date else None

    @property
    def modified(self) -> dt.date:
        return max(doc.modified for doc in self.documents)

    @property
    def byline(self) -> Byline:
        """Every author of its articles, in order of first appearance."""
        authors = tuple(dict.fromkeys(p for doc in self.documents for p in doc.byline.authors))
        return Byline(authors, (), None, self.site.publisher)

    @property
    def disclaimer(self) -> str:
        return self.site.disclaimer

    @property
    def disclaimer_line(self) -> str:
        return self.site.disclaimer_line


def articles_of(publication: Document | Collection) -> tuple[Document, ...]:
    """The documents a publication is made of: itself, or a collection's articles."""
    return publication.documents if isinstance(publication, Collection) else (publication,)
