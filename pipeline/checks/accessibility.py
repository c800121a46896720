"""Checks on a parsed Document beyond its front matter: the accessibility basics.

The EPUB's accessibility claims are derived from these findings, so a book only
claims what its content shows.
"""

from __future__ import annotations

import lxml.html

from ..diagnostics import Diagnostic
from ..models import Document

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def source_line(doc: Document, needle: str) -> int | None:
    """The line of the document's source file where `needle` first appears in the body."""
    for offset, text in enumerate(doc.body_source.split("\n")):
        if needle and needle in text:
            return doc.body_line + offset
    return None


def images_without_alt(doc: Document) -> list[str]:
    """The `src` of every body image whose text alternative is missing or empty."""
    root = lxml.html.fragment_fromstring(doc.body_html, create_parent="div")
    return [img.get("src", "") for img in root.iter("img") if not (img.get("alt") or "").strip()]


def accessibility_findings(doc: Document) -> list[Diagnostic]:
    """Language set, every image described, headings in order (the title is the h1)."""
    findings = []
    if not doc.lang:
        findings.append(Diagnostic(doc.source_path, None, "the document has no language", fix="set 'lang' in the front matter or 'defaults: lang' in site.yml", rule="document-lang"))
    for src in images_without_alt(doc):
        findings.append(Diagnostic(doc.source_path, source_line(doc, src), f"image '{src}' has no text alternative", fix="describe it inside the brackets: ![what the image shows](...)", rule="image-alt"))
    root = lxml.html.fragment_fromstring(doc.body_html, create_parent="div")
    previous = 1  # the document title is the only first-level heading
    for heading in root.iter(*HEADINGS):
        level = int(heading.tag[1])
        text = heading.text_content().strip()
        if level == 1:
            findings.append(Diagnostic(doc.source_path, source_line(doc, text), f"'# {text}' is a second first-level heading", fix="the title is the first level; start sections at '##'", rule="heading-order"))
        elif level > previous + 1:
            findings.append(Diagnostic(doc.source_path, source_line(doc, text), f"heading '{text}' skips from level {previous} to {level}", fix=f"make it level {previous + 1} ({'#' * (previous + 1)})", rule="heading-order"))
        previous = level
    return findings
