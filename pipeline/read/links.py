"""Links from one source to another: however the writer wrote it, one form in the body.

Writers link to another page by its source file (`tremor.md`, `../x/tremor.md#causes`),
by its address on the site (`https://site/articles/tremor/`), by a path from the site's
root whose last segment is a source's slug (`/information/managing-symptoms/tremor`), or
as the web pages link to each other (`../tremor/`). `page_links` rewrites each of these
that names a known source as `../<slug>/` (with its `#fragment`), the form the renderers
turn into a relative link on the web page, a chapter link in a collection, and the page's
canonical address in a single article's PDF and EPUB (render/metadata.py: `book_href`).
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

import lxml.html

from .document import polyglot_markup

_PAGE_FILES = ("index.html", "index.htm")


def page_target(href: str, slugs: set[str], base_url: str) -> tuple[str, str] | None:
    """(slug, fragment) when `href` names the page of one of `slugs`, else None."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        site = urlsplit(base_url)
        if parts.scheme.lower() not in ("http", "https", "") or \
                parts.netloc.lower() != site.netloc.lower() or \
                not parts.path.startswith(site.path):
            return None
        path = parts.path[len(site.path):]
    else:
        path = parts.path
    if not path:
        return None
    segments = [unquote(s) for s in path.split("/") if s not in ("", ".")]
    if segments and segments[-1] in _PAGE_FILES:
        segments.pop()
    if not segments:
        return None
    last = segments[-1]
    if last.endswith(".md"):
        slug = last[:-3]
    elif path.startswith("/") or path.endswith("/") or parts.netloc or \
            posixpath.basename(path.rstrip("/")) != path.rstrip("/"):
        slug = last[:-5] if last.endswith(".html") else last
    else:
        return None  # 'tremor' alone: a file beside the page, not a page
    return (slug, parts.fragment) if slug in slugs else None


def page_links(body_html: str, slugs: set[str], base_url: str) -> str:
    """The body with every link to another source's page (or its own) as `../<slug>/`."""
    root = lxml.html.fragment_fromstring(str(body_html), create_parent="div")
    changed = False
    for anchor in root.iter("a"):
        target = page_target(anchor.get("href") or "", slugs, base_url)
        if target is not None:
            slug, fragment = target
            anchor.set("href", f"../{slug}/" + (f"#{fragment}" if fragment else ""))
            changed = True
    return polyglot_markup(root) if changed else str(body_html)
