"""The notes at the end of the web page and the EPUB: Python-Markdown's footnotes block
becomes a section with a heading, "References" when a note cites a web address (else
"Notes"), and the numbered notes in the order they are first cited. The PDF prints the
same notes at the foot of their pages instead (pdf.page_footnotes)."""

from __future__ import annotations

import lxml.html

from . import i18n

SECTION_ID = "references"


def notes_heading(root: lxml.html.HtmlElement, lang: str = "en") -> str | None:
    """The heading the notes of a body (parsed) get, or None when it has no notes."""
    container = root.xpath('.//div[@class="footnote"]/ol')
    if not container:
        return None
    cites_url = any((a.get("href") or "").startswith(("http://", "https://"))
                    for a in container[0].iter("a"))
    return i18n.gettext(lang, "References") if cites_url else i18n.gettext(lang, "Notes")


def references_section(root: lxml.html.HtmlElement, epub: bool = False,
                       lang: str = "en") -> str | None:
    """Turn the footnotes block of `root` (a parsed body, changed in place) into the
    references section; return the section's id, or None when there are no notes.

    Citations and back links get their DPUB-ARIA roles (and, in the EPUB, their epub:type)."""
    heading_text = notes_heading(root, lang)
    if heading_text is None:
        return None
    [container] = root.xpath('.//div[@class="footnote"]')
    notes = container.find("ol")
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    section_id = SECTION_ID
    while section_id in ids or f"{section_id}-heading" in ids:
        section_id += "-notes"
    section = lxml.html.Element("section", {"class": "references", "id": section_id,
                                            "role": "doc-endnotes",
                                            "aria-labelledby": f"{section_id}-heading"})
    heading = lxml.html.Element("h2", {"id": f"{section_id}-heading"})
    heading.text = heading_text
    section.append(heading)
    section.append(notes)
    section.tail = container.tail
    container.getparent().replace(container, section)
    for link in root.xpath('.//a[@class="footnote-ref"]'):
        link.set("role", "doc-noteref")
    for link in notes.xpath('.//a[@class="footnote-backref"]'):
        link.set("role", "doc-backlink")
    if epub:
        _epub_type(section, "endnotes")
        for link in root.xpath('.//a[@class="footnote-ref"]'):
            _epub_type(link, "noteref")
        for link in notes.xpath('.//a[@class="footnote-backref"]'):
            _epub_type(link, "backlink")
    return section_id


def _epub_type(element, value: str) -> None:
    # Written with its prefix: the chapter's <html> declares xmlns:epub (epub.xhtml).
    element.set("epub:type", value)
