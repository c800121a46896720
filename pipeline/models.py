"""Frozen data the pipeline passes around: site, people, table of contents, document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup


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
    body_source: str = ""  # the Markdown below the front matter, for checks that quote it
    body_line: int = 1  # the line of source_path on which body_source starts

    @property
    def modified(self) -> dt.date:
        """The latest date the content changed, for 'modified' metadata."""
        return max(d for d in (self.date, self.updated, self.byline.reviewed) if d)
