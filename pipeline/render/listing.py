"""dist/index.html: every publication found in dist/, newest first, with its three formats.

Written by build.publish after the documents. A publication is a folder of dist/ holding
a web page, a PDF or an EPUB; what the listing says about it comes from the Document when
it was just built, else from the head of its web page (so an `--only` build still lists
the others). The listing's own stylesheet, fonts and logo go to dist/_site/.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import lxml.html
from lxml import etree

from .. import __version__
from . import fonts, i18n, metadata
from .i18n import N_
from .context import THEME_LOGO
from ..models import Collection, Document, Site
from .theme import Theme

ASSETS = "_site"  # dist/_site/: the listing's stylesheet, fonts and logo
FORMATS = (  # (label, file name pattern, media type)
    (N_("Web page"), "index.html", "text/html"),
    (N_("PDF"), "{slug}.pdf", "application/pdf"),
    (N_("EPUB"), "{slug}.epub", "application/epub+zip"),
)


@dataclass(frozen=True)
class Format:
    label: str
    href: str  # relative to dist/
    type: str
    size: str


@dataclass(frozen=True)
class Publication:
    slug: str
    title: str
    subtitle: str
    description: str
    date: dt.date | None
    authors: tuple[str, ...]
    lang: str
    formats: tuple[Format, ...]
    # The same article in other languages (dist/<lang>/<slug>/), listed with it.
    translations: tuple[Publication, ...] = ()

    @property
    def url(self) -> str:
        return f"{self.slug}/"


def render(site: Site, docs: list[Document], collections: list[Collection], theme: Theme,
           dist_dir: Path, out_dir: Path, described: dict[str, dict] | None = None) -> Path:
    """Write index.html (and its files in _site/) into `out_dir`, listing every publication
    in `dist_dir`, then the collections. `docs` and `collections` are those just built;
    they give fresh details; the others come from `described` ({folder: describe(pub)} as
    the build recorded them) or else from their web pages. The build moves the result
    into dist/."""
    found = publications(docs, dist_dir, described)
    bound = bound_publications(collections, dist_dir, described)
    logo = site.publisher.logo
    logo_path = (f"{ASSETS}/{logo.relative_to(site.source_dir).as_posix()}" if logo
                 else f"{ASSETS}/theme/{THEME_LOGO}")
    page = theme.render_template(
        "listing.html",
        site=site,
        lang=site.lang,
        dir=i18n.direction(site.lang),
        publications=found,
        collections=[c for c in bound if c.formats],
        version=__version__,
        stylesheet_href=f"{ASSETS}/theme/css/screen.css",
        logo_src=logo_path,
        json_ld=metadata.script_json(listing_json_ld(site, found + bound)),
    )
    text = lxml.html.document_fromstring(page.encode("utf-8")).text_content()
    css = fonts.with_fallbacks(theme.stylesheet("screen"),
                               fonts.plan(text, theme, site.lang))
    files = {f"{ASSETS}/theme/css/screen.css": css.encode("utf-8")}
    for name in theme.stylesheet_files(css) + ([] if logo else [THEME_LOGO]):
        files[f"{ASSETS}/theme/{name}"] = theme.resolve(name).read_bytes()
    if logo:
        files[logo_path] = logo.read_bytes()
    files["index.html"] = page.encode("utf-8")
    for name, data in files.items():
        (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_bytes(data)
    return out_dir / "index.html"


def describe(pub: Document | Collection) -> dict:
    """What the listing says about a publication, as JSON the build can keep."""
    return {"title": pub.title, "subtitle": pub.subtitle, "description": pub.description,
            "date": pub.date.isoformat(), "lang": pub.lang,
            "authors": [p.name_with_credentials for p in pub.byline.authors]}


def _recorded(folder: str, fields: dict, formats: tuple[Format, ...]) -> Publication:
    return Publication(folder, fields["title"], fields["subtitle"], fields["description"],
                       dt.date.fromisoformat(fields["date"]), tuple(fields["authors"]),
                       fields["lang"], formats)


def publications(docs: list[Document], dist_dir: Path,
                 described: dict[str, dict] | None = None) -> list[Publication]:
    """Every publication folder of dist/, newest first, then by title."""
    fresh = {doc.folder: doc for doc in docs}
    found = []
    for name in _publication_folders(dist_dir):
        formats = _formats(dist_dir, name)
        doc = fresh.get(name)
        if doc is not None:
            found.append(_described(doc, formats))
        elif name in (described or {}):
            found.append(_recorded(name, described[name], formats))
        elif (dist_dir / name / "index.html").is_file():
            found.append(_from_page(dist_dir / name, formats, name))
    return sorted(_grouped(found), key=lambda p: (-(p.date or dt.date.min).toordinal(), p.title.lower()))


def _grouped(found: list[Publication]) -> list[Publication]:
    """One entry per article: the original (dist/<slug>/) with its translations
    (dist/<lang>/<slug>/) by language; a translation whose original is not in dist/
    stands on its own."""
    groups: dict[str, list[Publication]] = {}
    for pub in found:
        groups.setdefault(pub.slug.rsplit("/", 1)[-1], []).append(pub)
    entries = []
    for group in groups.values():
        originals = [pub for pub in group if "/" not in pub.slug]
        if not originals:
            entries += group
            continue
        others = sorted((pub for pub in group if "/" in pub.slug), key=lambda pub: pub.lang)
        entries.append(replace(originals[0], translations=tuple(others)))
    return entries


def _publication_folders(dist_dir: Path) -> list[str]:
    """The folders of dist/ (relative) that hold a document's formats: dist/<slug>/, and
    dist/<lang>/<slug>/ for translations (the collections are listed on their own)."""
    found = []
    for folder in sorted(p for p in dist_dir.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):  # staging folders, the listing's files
            continue
        if _formats(dist_dir, folder.name):
            found.append(folder.name)
        elif folder.name != "collections":  # a language's folder of translations
            found += [f"{folder.name}/{inner.name}" for inner in sorted(folder.iterdir())
                      if inner.is_dir() and _formats(dist_dir, f"{folder.name}/{inner.name}")]
    return found


def bound_publications(collections: list[Collection], dist_dir: Path,
                       described: dict[str, dict] | None = None) -> list[Publication]:
    """Every collection of dist/collections/, in name order: those just built described
    from their Collection, the others from their web page."""
    fresh = {c.folder: c for c in collections}
    found = []
    for folder in sorted(p for p in (dist_dir / "collections").glob("*") if p.is_dir()):
        name = f"collections/{folder.name}"
        formats = _formats(dist_dir, name)
        if name in fresh:
            found.append(_described(fresh[name], formats))
        elif formats and name in (described or {}):
            found.append(_recorded(name, described[name], formats))
        elif formats and (folder / "index.html").is_file():
            found.append(_from_page(folder, formats, name))
    return found


def _described(pub: Document | Collection, formats: tuple[Format, ...]) -> Publication:
    """A document or collection just built, as the listing describes it."""
    return Publication(slug=pub.folder, title=pub.title, subtitle=pub.subtitle,
                       description=pub.description, date=pub.date,
                       authors=tuple(p.name_with_credentials for p in pub.byline.authors),
                       lang=pub.lang, formats=formats)


def _formats(dist_dir: Path, folder: str) -> tuple[Format, ...]:
    """The formats of the publication in dist/<folder>/ that were built."""
    found = []
    for label, pattern, media_type in FORMATS:
        path = dist_dir / folder / pattern.format(slug=folder.rsplit("/", 1)[-1])
        if path.is_file():
            href = f"{folder}/" if path.name == "index.html" else f"{folder}/{path.name}"
            found.append(Format(label, href, media_type, human_size(path.stat().st_size)))
    return tuple(found)


def _from_page(folder: Path, formats: tuple[Format, ...], slug: str = "") -> Publication:
    """What a web page built earlier says about itself in its head (`slug`: its folder
    relative to dist/, by default the folder's name)."""
    slug = slug or folder.name
    try:
        root = lxml.html.parse(str(folder / "index.html")).getroot()
    except (OSError, etree.ParserError):
        root = None
    if root is None:
        return Publication(slug, folder.name, "", "", None, (), "", formats)

    def meta(name: str) -> list[str]:
        return root.xpath(f"/html/head/meta[@name='{name}']/@content")

    title = " ".join(root.xpath("string(//h1)").split()) or root.findtext(".//title") or folder.name
    subtitle = " ".join(root.xpath("string((//*[contains(@class,'subtitle')])[1])").split())
    try:
        date = dt.date.fromisoformat((meta("dcterms.created") or [""])[0])
    except ValueError:
        date = None
    return Publication(slug, title, subtitle, (meta("description") or [""])[0], date,
                       tuple(meta("author")), root.get("lang", ""), formats)


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def listing_json_ld(site: Site, found: list[Publication]) -> dict:
    """schema.org CollectionPage naming every publication."""
    publisher = site.publisher
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "@id": site.base_url,
        "url": site.base_url,
        "name": i18n.gettext(site.lang, "Publications: %(publisher)s") % {
            "publisher": publisher.name},
        "inLanguage": site.lang,
        "publisher": {"@type": "Organization", "name": publisher.name, "url": publisher.url},
        "hasPart": [{"@type": "CreativeWork", "headline": p.title, "url": site.base_url + quote(p.url),
                     **({"inLanguage": p.lang} if p.lang else {}),
                     **({"datePublished": p.date.isoformat()} if p.date else {})}
                    for entry in found for p in (entry, *entry.translations)],
    }
