"""What the web page tells search engines and social networks: absolute URLs, Open Graph,
Twitter card and schema.org JSON-LD, all built from the Document (never by templates
concatenating strings)."""

from __future__ import annotations

import json
import posixpath
import mimetypes
from pathlib import Path
import re
from urllib.parse import quote, urljoin, urlsplit

from markupsafe import Markup

from . import i18n
from .context import ARTICLE_LINK, THEME_LOGO, source_relative
from ..models import Collection, Document, Person

FORMAT_TYPES = {"pdf": "application/pdf", "epub": "application/epub+zip"}


def canonical_url(doc: Document) -> str:
    """Where the page is published: site.yml's base_url + slug (or collections/name) + '/'."""
    return f"{doc.site.base_url}{quote(doc.folder)}/"


_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def page_url(doc: Document | Collection, slug: str, fragment: str | None = None) -> str:
    """The canonical address of the source `slug`'s web page (a fragment in it)."""
    return f"{doc.site.base_url}{quote(slug)}/" + (f"#{fragment}" if fragment else "")


def book_href(doc: Document, href: str, chapter=None) -> str:
    """Where a link of the body points in a book (the PDF, the EPUB), which has no pages
    beside it: a link to another source becomes `chapter(slug, fragment)` when that
    source is in the book, else its page's canonical address; a path from the site's
    root an address on the site's origin; any other relative link an address beside the
    document's web page. Fragments and absolute URLs stay."""
    if not href or href.startswith("#") or _ABSOLUTE.match(href):
        return href
    if href.startswith("//"):
        return "https:" + href
    article = ARTICLE_LINK.match(href)
    if article:
        inside = chapter(article["slug"], article["fragment"]) if chapter else None
        return inside or page_url(doc, article["slug"], article["fragment"])
    if href.startswith("/"):
        site = urlsplit(doc.site.base_url)
        return f"{site.scheme}://{site.netloc}{href}"
    return urljoin(canonical_url(doc), href)


def absolute_url(doc: Document, relative: str) -> str:
    """A file of the document's folder (e.g. 'images/x.png') as an absolute URL."""
    return canonical_url(doc) + quote(relative)


def format_file(doc: Document, fmt: str) -> str:
    """The file name of the document in another format ('pdf' or 'epub')."""
    return f"{doc.slug}.{fmt}"


def logo_path(doc: Document) -> str:
    """The publisher logo, relative to the document's folder (the theme's when none)."""
    logo = doc.byline.publisher.logo
    return source_relative(doc, logo) if logo else "theme/" + THEME_LOGO


def share_image(doc: Document) -> dict:
    """The image shown when the page is shared: the cover, else the publisher logo.

    {"url": absolute URL, "type": MIME type, "alt": text, "width"/"height" when known}
    """
    if doc.cover:
        relative, file = source_relative(doc, doc.cover), doc.cover
        alt = i18n.gettext(doc.lang, "Cover of %(title)s") % {"title": doc.title}
    else:
        publisher = doc.byline.publisher
        relative = logo_path(doc)
        alt = publisher.logo_alt or publisher.name
        file = publisher.logo
    image = {"url": absolute_url(doc, relative), "alt": alt,
             "type": mimetypes.guess_type(relative)[0] or "application/octet-stream"}
    if file is not None:
        image.update(_pixel_size(file))
    return image


def _pixel_size(path: Path) -> dict:
    if path.suffix.lower() == ".svg":
        return {}
    try:
        from PIL import Image

        with Image.open(path) as picture:
            width, height = picture.size
    except Exception:  # an image Pillow cannot read: leave the size out
        return {}
    return {"width": width, "height": height}


def open_graph(doc: Document) -> list[tuple[str, str]]:
    """Open Graph properties (https://ogp.me/) as (property, content) pairs, in order."""
    image = share_image(doc)
    title = f"{doc.title}: {doc.subtitle}" if doc.subtitle else doc.title
    pairs = [
        ("og:type", "article"),
        ("og:title", title),
        ("og:description", doc.description),
        ("og:url", canonical_url(doc)),
        ("og:site_name", doc.byline.publisher.name),
        ("og:locale", _og_locale(doc.lang)),
        ("og:image", image["url"]),
        ("og:image:type", image["type"]),
    ]
    if "width" in image:
        pairs += [("og:image:width", str(image["width"])),
                  ("og:image:height", str(image["height"]))]
    pairs += [
        ("og:image:alt", image["alt"]),
        ("article:published_time", doc.date.isoformat()),
        ("article:modified_time", doc.modified.isoformat()),
    ]
    pairs += [("article:author", person.url) for person in doc.byline.authors if person.url]
    pairs += [("article:tag", keyword) for keyword in doc.keywords]
    return pairs


def twitter_card(doc: Document) -> list[tuple[str, str]]:
    """Twitter (X) card fields as (name, content) pairs: a large image when there is a cover."""
    image = share_image(doc)
    title = f"{doc.title}: {doc.subtitle}" if doc.subtitle else doc.title
    return [
        ("twitter:card", "summary_large_image" if doc.cover else "summary"),
        ("twitter:title", title),
        ("twitter:description", doc.description),
        ("twitter:image", image["url"]),
        ("twitter:image:alt", image["alt"]),
    ]


def _og_locale(lang: str) -> str:
    """'en-US' -> 'en_US', as Open Graph writes locales."""
    parts = lang.split("-")
    if len(parts) >= 2 and len(parts[-1]) == 2:
        return f"{parts[0].lower()}_{parts[-1].upper()}"
    return parts[0].lower()


def json_ld(doc: Document) -> dict:
    """schema.org data for the page: an Article, or a MedicalWebPage when the document has
    medical reviewers (with reviewedBy and lastReviewed)."""
    url = canonical_url(doc)
    reviewed = bool(doc.byline.reviewers)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage" if reviewed else "Article",
        "@id": url if reviewed else url + "#article",
        "url": url,
        "headline": doc.title,
    }
    if doc.subtitle:
        data["alternativeHeadline"] = doc.subtitle
    if not reviewed:
        data["mainEntityOfPage"] = {"@type": "WebPage", "@id": url}
    data.update(_creative_work(doc))
    if doc.keywords:
        data["keywords"] = list(doc.keywords)
    if reviewed:
        data["reviewedBy"] = [person_json(doc, person) for person in doc.byline.reviewers]
        data["lastReviewed"] = doc.byline.reviewed.isoformat()
    data["encoding"] = _encodings(doc)
    if doc.translation_of and doc.translations:  # the original comes first
        data["translationOfWork"] = {"@id": folder_url(doc, doc.translations[0][1])}
    elif doc.translations:
        data["workTranslation"] = [{"@id": folder_url(doc, folder), "inLanguage": lang}
                                   for lang, folder in doc.translations]
    return data


def folder_url(doc: Document, folder: str) -> str:
    """The canonical URL of a publication folder of dist/ ('es/slug')."""
    return f"{doc.site.base_url}{quote(folder)}/"


def language_versions(doc: Document) -> list[dict]:
    """The document and its translations, in the order of the language switcher: each
    with its language tag, its name in that language, its canonical URL, its address
    relative to this page and whether it is this page."""
    versions = sorted([(doc.lang, doc.folder), *doc.translations],
                      key=lambda version: ("/" in version[1], version[0]))  # original first
    return [{"lang": lang, "name": i18n.language_name(lang), "url": folder_url(doc, folder),
             "href": posixpath.relpath(folder, doc.folder) + "/",
             "current": folder == doc.folder}
            for lang, folder in versions]


def _creative_work(doc: Document | Collection) -> dict:
    """What an article's and a collection's schema.org data say alike."""
    return {
        "description": doc.description,
        "inLanguage": doc.lang,
        "image": share_image(doc)["url"],
        "datePublished": doc.date.isoformat(),
        "dateModified": doc.modified.isoformat(),
        "author": [person_json(doc, person) for person in doc.byline.authors],
        "publisher": publisher_json(doc),
    }


def _encodings(doc: Document | Collection) -> list[dict]:
    """The PDF and the EPUB of the same publication."""
    return [{"@type": "MediaObject", "encodingFormat": media_type,
             "contentUrl": absolute_url(doc, format_file(doc, fmt))}
            for fmt, media_type in FORMAT_TYPES.items()]


def collection_json_ld(collection: Collection) -> dict:
    """schema.org data for a collection's page: a CollectionPage whose parts are its
    articles (at their own pages), with its PDF and EPUB."""
    url = canonical_url(collection)
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "@id": url,
        "url": url,
        "name": collection.title,
        **_creative_work(collection),
        "hasPart": [{"@type": "MedicalWebPage" if doc.byline.reviewers else "Article",
                     "headline": doc.title, "url": canonical_url(doc),
                     "datePublished": doc.date.isoformat()} for doc in collection.documents],
        "encoding": _encodings(collection),
    }


def publisher_json(doc: Document | Collection) -> dict:
    """The publisher as a schema.org Organization with its logo."""
    publisher = doc.byline.publisher
    return {"@type": "Organization", "name": publisher.name, "url": publisher.url,
            "logo": {"@type": "ImageObject", "url": absolute_url(doc, logo_path(doc))}}


def person_json(doc: Document, person: Person) -> dict:
    """A schema.org Person from authors.yml: name, jobTitle, affiliation, credentials."""
    data: dict = {"@type": "Person", "name": person.name}
    if person.credentials:
        data["honorificSuffix"] = ", ".join(person.credentials)
        data["hasCredential"] = [{"@type": "EducationalOccupationalCredential", "name": credential}
                                 for credential in person.credentials]
    if person.role:
        data["jobTitle"] = person.role
    if person.organisation:
        data["affiliation"] = {"@type": "Organization", "name": person.organisation}
    if person.bio:
        data["description"] = person.bio
    if person.url:
        data["url"] = person.url
    if person.photo:
        data["image"] = absolute_url(doc, source_relative(doc, person.photo))
    return data


def script_json(data: dict) -> Markup:
    """`data` as JSON that is safe as the text of a <script> element.

    '</' cannot end the element once written '<\\/' (the same string to a JSON parser),
    and '<!--' cannot open an HTML comment once written '<\\u0021--'.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return Markup(text.replace("</", "<\\/").replace("<!--", "<\\u0021--"))
