"""Links of a document's body that lead nowhere: anchors without a target in the page,
articles that do not exist, and links to Markdown sources instead of pages. Each finding
takes its line and column from the source map."""

from __future__ import annotations

from pathlib import PurePosixPath

import lxml.html

from ..diagnostics import Diagnostic
from ..models import Document


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
            else:
                findings.append(Diagnostic(
                    doc.source_path, link.line, f"link to '{href}' is to the Markdown source",
                    fix=f"link to the published page instead: ../{stem}/", severity="warning",
                    rule="article-link", column=link.column))
    return findings
