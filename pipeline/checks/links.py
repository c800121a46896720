"""Links of a document's body that lead nowhere: anchors without a target in the page,
articles that do not exist, and site-root paths that match no source. Each finding takes
its line and column from the source map. (A link to a source, in any of the forms of
read/links.py, is a link to its page.)"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlsplit

import lxml.html

from ..diagnostics import Diagnostic
from ..models import Document
from ..read.links import page_target


def link_findings(doc: Document, slugs: set[str]) -> list[Diagnostic]:
    """Internal anchors that point nowhere, and links to other articles (`slugs`, the
    project's) that do not exist."""
    root = lxml.html.fragment_fromstring(str(doc.body_html), create_parent="div")
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    findings = []
    for link in doc.links:
        href = link.target
        if link.kind != "link":
            continue
        if href.startswith("#"):
            if href[1:] not in ids:
                findings.append(Diagnostic(
                    doc.source_path, link.line, f"link to '{href}' points to no heading or id",
                    fix="use the id of a heading (shown in the web page's address when you "
                    "click it) or add one with {#id}", rule="broken-anchor",
                    column=link.column))
        elif href.split("#")[0].endswith(".md") and "://" not in href:
            stem = PurePosixPath(href.split("#")[0]).stem
            if stem not in slugs:
                findings.append(Diagnostic(
                    doc.source_path, link.line, f"link to '{href}': no such article in source/",
                    fix=f"articles are: {', '.join(sorted(slugs))}", rule="broken-link",
                    column=link.column))
        elif href.startswith("/") and not href.startswith("//") and \
                page_target(href, slugs, doc.site.base_url) is None:
            site = urlsplit(doc.site.base_url)
            findings.append(Diagnostic(
                doc.source_path, link.line,
                f"link to '{href}' matches no source: the PDF and the EPUB link to "
                f"{site.scheme}://{site.netloc}{href}",
                fix="check that the page exists on the site, or link to the source "
                    "(other-slug.md) or to a full address (https://...)",
                severity="warning", rule="site-link", column=link.column))
    return findings
