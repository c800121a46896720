"""Checks on a parsed Document beyond its front matter: the accessibility basics.

The EPUB's accessibility claims are derived from these findings, so a book only
claims what its content shows. Each finding takes its line and column from the
document's source map.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..models import Document


def images_without_alt(doc: Document) -> list[str]:
    """The `src` of every body image whose text alternative is missing or empty."""
    return [link.target for link in doc.links if link.kind == "image" and not link.text.strip()]


def accessibility_findings(doc: Document) -> list[Diagnostic]:
    """Language set, every image described, headings in order (the title is the h1)."""
    findings = []
    if not doc.lang:
        findings.append(Diagnostic(doc.source_path, None, "the document has no language",
                                   fix="set 'lang' in the front matter or 'defaults: lang' "
                                   "in site.yml", rule="document-lang"))
    for link in doc.links:
        if link.kind == "image" and not link.text.strip():
            findings.append(Diagnostic(doc.source_path, link.line,
                                       f"image '{link.target}' has no text alternative",
                                       fix="describe it inside the brackets: "
                                       "![what the image shows](...)", rule="image-alt",
                                       column=link.column))
    previous = 1  # the document title is the only first-level heading
    for heading in (block for block in doc.blocks if block.kind == "heading"):
        level, text = heading.level, heading.text
        if level == 1:
            findings.append(Diagnostic(doc.source_path, heading.line,
                                       f"'# {text}' is a second first-level heading",
                                       fix="the title is the first level; start sections at "
                                       "'##'", rule="heading-order", column=_marker_column(heading.source)))
        elif level > previous + 1:
            findings.append(Diagnostic(doc.source_path, heading.line,
                                       f"heading '{text}' skips from level {previous} to "
                                       f"{level}", fix=f"make it level {previous + 1} "
                                       f"({'#' * (previous + 1)})", rule="heading-order",
                                       column=_marker_column(heading.source)))
        previous = level
    return findings


def _marker_column(source: str) -> int:
    """The column where a block's own text starts, after quote markers and indentation."""
    first = source.split("\n", 1)[0]
    return len(first) - len(first.lstrip(" \t>")) + 1
