"""The HTML a document may publish: an allow-list, a report of what breaks it, and nh3.

Markdown lets a writer type raw HTML. Pressroom publishes only the elements and
attributes that its Markdown extensions write themselves (plus a few harmless text
elements): no scripts, event handlers, frames, forms, embedded objects, stylesheets or
inline styles. `unsafe_html` reports every break of the allow-list, so the writer hears
about it (document.py makes each one an error that stops the document), and `clean`
runs nh3 with the same allow-list, so whatever the two HTML parsers read differently
can still never reach an output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from html.parser import HTMLParser

import nh3

TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd",
    "label", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "wbr",
}
GENERIC_ATTRIBUTES = {"id", "class", "title", "lang", "dir"}
ATTRIBUTES = {
    "*": GENERIC_ATTRIBUTES,
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "input": {"type", "disabled", "checked"},  # only a task list's checkbox (unsafe_html)
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "details": {"open"},
}
URL_SCHEMES = {"http", "https", "mailto"}  # and relative links
STYLE_PROPERTIES = {"text-align"}  # the tables extension aligns columns with it
# Elements with a special message in document.py (they cannot survive as inline markup).
REFUSED_ELSEWHERE = {"svg", "math"}
# Elements whose end tag HTML lets a writer leave out; any other one left open is reported.
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
                "optgroup", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head",
                "body"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
ALLOWED_HELP = "see 'Raw HTML' in README.md for what a document may contain"


@dataclass(frozen=True)
class Unsafe:
    """One break of the allow-list, and the element that breaks it."""

    element: Any  # the lxml element
    message: str
    fix: str


def clean(html: str) -> str:
    """`html` with everything outside the allow-list removed (content of script and style too)."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes={**ATTRIBUTES, "input": {"checked"}},
        strip_comments=True,
        link_rel=None,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        # whatever an <input> said, it leaves as a disabled checkbox (a task list's)
        set_tag_attribute_values={"input": {"type": "checkbox", "disabled": ""}},
    )


def unsafe_html(root) -> list[Unsafe]:
    """Every element, attribute, link or style in the lxml tree `root` outside the allow-list.

    A refused element is reported once, not its descendants.
    """
    found: list[Unsafe] = []
    skip: set = set()
    for element in root.iterdescendants():
        if not isinstance(element.tag, str):  # comments and processing instructions: dropped
            continue
        if element.getparent() in skip:
            skip.add(element)
            continue
        tag = element.tag.lower()
        if tag in REFUSED_ELSEWHERE:
            skip.add(element)
            continue
        if tag not in TAGS:
            skip.add(element)
            found.append(Unsafe(element, f"raw HTML <{tag}> is not allowed",
                                _element_fix(tag)))
            continue
        if tag == "input" and not _task_checkbox(element):
            skip.add(element)
            found.append(Unsafe(element, "raw HTML <input> is not allowed: only the "
                                "disabled checkboxes of task lists ('- [x] done')",
                                _element_fix(tag)))
            continue
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
        for name, value in element.attrib.items():
            name = name.lower()
            if name == "style" and (name not in allowed or not style_allowed(value)):
                found.append(Unsafe(element, f"style=\"{value}\" on <{tag}> "
                                    "is not allowed: only text-align in table cells",
                                    "remove the style; the theme styles the document"))
            elif name not in allowed:
                found.append(Unsafe(element, f"attribute '{name}' on <{tag}> is not allowed",
                                    _attribute_fix(name)))
            elif name == "href" and not link_allowed(value):
                found.append(Unsafe(element, f"link to '{value}' is not allowed: only http:, "
                                    "https:, mailto: and relative links are published",
                                    "link to a web page, or to a file published with the "
                                    "document"))
    return found


def _task_checkbox(element) -> bool:
    """A task list's checkbox: a disabled checkbox inside a label (the item's text)."""
    return ((element.get("type") or "").lower() == "checkbox"
            and element.get("disabled") is not None
            and element.getparent() is not None and element.getparent().tag == "label")


def link_allowed(href: str) -> bool:
    scheme = _SCHEME.match(_CONTROL.sub("", href))
    return scheme is None or scheme[1].lower() in URL_SCHEMES


def style_allowed(style: str) -> bool:
    for declaration in filter(None, (d.strip() for d in style.split(";"))):
        prop, _, value = declaration.partition(":")
        if prop.strip().lower() not in STYLE_PROPERTIES or not re.fullmatch(
                r"\s*[a-zA-Z-]+\s*", value):
            return False
    return True


def _element_fix(tag: str) -> str:
    if tag in ("script", "noscript"):
        return "remove it: documents cannot run scripts"
    if tag in ("iframe", "frame", "frameset", "object", "embed", "applet", "video", "audio",
               "source", "track", "canvas", "portal"):
        return "remove it and link to the page or media instead: [description](https://...)"
    if tag in ("form", "input", "button", "select", "option", "textarea", "label",
               "fieldset", "output", "datalist"):
        return "remove it: published documents cannot hold forms"
    if tag in ("style", "link", "meta", "base"):
        return "remove it: the theme styles the document"
    return f"remove it, or write '&lt;{tag}>' (or use `code`) if it is meant as text; {ALLOWED_HELP}"


def _attribute_fix(name: str) -> str:
    if name.startswith("on"):
        return "remove it: documents cannot run scripts"
    if name == "style":
        return "remove the style; the theme styles the document"
    return f"remove it; {ALLOWED_HELP}"


class OpenTags(HTMLParser):
    """The elements that HTML blocks, fed one after another with their lines, open and
    never close (an element may close in a later block: Markdown can stand between)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, int]] = []
        self._first_line = 1
        self._fed_lines = 1

    def feed_at(self, block: str, line: int) -> None:
        """Read the raw HTML `block`, which starts on `line` of its file."""
        self._first_line, self._fed_lines = line, self.getpos()[0]
        self.feed(block if block.endswith("\n") else block + "\n")

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append((tag, self._first_line + self.getpos()[0] - self._fed_lines))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def unclosed(self) -> list[tuple[str, int]]:
        """(tag, line) of each element left open whose end tag HTML requires."""
        self.close()
        return [(tag, line) for tag, line in self.open if tag not in OPTIONAL_END]
