"""Parse one Markdown source, with its front matter, into a validated, frozen Document."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import lxml.html
import markdown
from lxml import etree
from markupsafe import Markup

from ..diagnostics import InvalidInput, Diagnostic
from .config import disclaimer_problems
from ..models import Byline, Document, Person, Site, TocEntry
from .sanitise import clean as sanitise_html
from .sanitise import unclosed_elements, unsafe_html
from .schema import Field, YamlText, check_fields, check_image, load_yaml

FRONT_MATTER_FIELDS = [
    Field("title", required=True, hint="add a line 'title: The article title'"),
    Field("subtitle"),
    Field("description", required=True,
          hint="add 'description:' with one or two sentences shown in search results"),
    Field("date", "date", required=True, hint="add 'date: YYYY-MM-DD' (the publication date)"),
    Field("updated", "date"),
    Field("lang", "lang"),
    Field("authors", "list", required=True,
          hint="add 'authors: [author-id]' naming entries of source/authors.yml"),
    Field("reviewers", "list"),
    Field("reviewed", "date"),
    Field("keywords", "list"),
    Field("cover", "image"),
    Field("theme"),
    Field("disclaimer"),
    Field("original_sha256"),  # a translation: the original's SHA-256 when last updated
]

MARKDOWN_EXTENSIONS = [
    "tables", "footnotes", "attr_list", "def_list", "abbr", "toc", "smarty",
    "admonition", "fenced_code", "codehilite", "sane_lists",
]
MARKDOWN_CONFIG = {
    # Footnote ids with ':' need escaping in CSS selectors and target-counter().
    # Numbered in the order they are cited, as the PDF's page footnotes are.
    "footnotes": {"SEPARATOR": "-", "BACKLINK_TITLE": "Back to reference %d",
                  "USE_DEFINITION_ORDER": False},
    "toc": {"toc_depth": "2-4"},
    # Characters rather than named entities, which XHTML (the EPUB) does not know.
    "smarty": {"substitutions": {
        "left-single-quote": "\u2018", "right-single-quote": "\u2019",
        "left-double-quote": "\u201c", "right-double-quote": "\u201d",
        "left-angle-quote": "\u00ab", "right-angle-quote": "\u00bb",
        "ellipsis": "\u2026", "ndash": "\u2013", "mdash": "\u2014",
    }},
    "codehilite": {"css_class": "highlight", "guess_lang": False},
}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}
MAX_SOURCE_BYTES = 1024 * 1024  # of Markdown per document: some 150,000 words, 500 pages
MAX_NESTING = 20  # lists, quotes, tables and divisions inside each other
CONTAINERS = {"ul", "ol", "dl", "blockquote", "div", "table"}
# Characters XML 1.0 forbids (the EPUB is XHTML): C0 controls but tab and newline, U+FFFE/F.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def read_document(path: Path, site: Site, people: dict[str, Person],
                  theme_names: set[str]) -> Document:
    """Parse and check one source file; raise InvalidInput listing every problem in it."""
    text, problems = _read_text(path)
    if text is None:
        raise InvalidInput(problems)
    front, body, body_line, problems = _split_front_matter(path, text)
    if front is None:
        raise InvalidInput(problems)
    values, problems = check_fields(front, front.data, (), FRONT_MATTER_FIELDS, "front matter",
                                    path.parent, site.source_dir)
    authors = _people(front, values.get("authors", ()), "authors", people, problems)
    reviewers = _people(front, values.get("reviewers", ()), "reviewers", people, problems)
    if reviewers and "reviewed" not in values:
        problems.append(Diagnostic(path, front.line("reviewers"), "reviewers are named but not when "
                                "they reviewed", "add 'reviewed: YYYY-MM-DD'"))
    if "reviewed" in values and not values.get("reviewers"):
        problems.append(Diagnostic(path, front.line("reviewed"), "'reviewed' is set but no reviewers "
                                "are named", "add 'reviewers: [person-id]'"))
    if "updated" in values and "date" in values and values["updated"] < values["date"]:
        problems.append(Diagnostic(path, front.line("updated"), "'updated' is before 'date'",
                                "'updated' is the date of the latest revision; correct one of them"))
    if "disclaimer" in values:
        problems += disclaimer_problems(values["disclaimer"], path, front.line("disclaimer"))
    theme = values.get("theme", site.theme)
    problems += theme_problems(theme, theme_names, path,
                               front.line("theme") if "theme" in values else None)
    if not body.strip():
        problems.append(Diagnostic(path, body_line, "the document has no text after its front matter",
                                "write the article below the closing '---' line"))
        raise InvalidInput(problems)
    body_html, toc, images = _convert_body(path, body, body_line, site, problems)
    if problems:
        raise InvalidInput(problems)
    return Document(
        slug=path.stem,
        source_path=path,
        title=values["title"],
        subtitle=values.get("subtitle", ""),
        description=values["description"],
        date=values["date"],
        updated=values.get("updated"),
        lang=values.get("lang", site.lang),
        keywords=values.get("keywords", ()),
        cover=values.get("cover"),
        theme=theme,
        byline=Byline(authors=authors, reviewers=reviewers, reviewed=values.get("reviewed"),
                      publisher=site.publisher),
        body_html=Markup(body_html),
        toc=toc,
        images=images,
        site=site,
        body_source=body,
        body_line=body_line,
        disclaimer=" ".join(values.get("disclaimer", site.disclaimer).split()),
        original_sha256=str(values.get("original_sha256", "")),
    )


def theme_problems(theme: str, theme_names: set[str], path: Path,
                   line: int | None) -> list[Diagnostic]:
    """A theme that is not a folder of themes/, with the closest name or the list."""
    if theme in theme_names:
        return []
    close = difflib.get_close_matches(theme, theme_names, n=1)
    return [Diagnostic(path, line, f"unknown theme '{theme}'",
                    f"did you mean '{close[0]}'?" if close
                    else f"available themes: {', '.join(sorted(theme_names))}")]


def _read_text(path: Path) -> tuple[str | None, list[Diagnostic]]:
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        return None, [Diagnostic(path, None, f"the file is {size / 1024 / 1024:.1f} MB; the limit "
                              f"is {MAX_SOURCE_BYTES // 1024 // 1024} MB of Markdown",
                              "split it into several documents, and keep data and pictures "
                              "in image files")]
    data = path.read_bytes()
    if not data.strip():
        return None, [Diagnostic(path, None, "the file is empty",
                              "begin the file with a '---' line, then 'title:', 'description:', "
                              "'date:' and 'authors:', then '---' and the article")]
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Diagnostic(path, line, f"not valid UTF-8 text (byte {data[error.start]:#04x})",
                              "save the file as UTF-8 in your editor")]
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        if (found := NOT_XML.search(line)) and len(problems) < 10:
            problems.append(Diagnostic(path, number, f"the invisible character U+{ord(found[0]):04X} "
                                    "cannot be published (web pages and e-books may not hold it)",
                                    "delete it; it often comes with text pasted from another "
                                    "program"))
    return (None, problems) if problems else (text, [])


def _split_front_matter(path: Path, text: str):
    """Return (front matter YAML, body, first line of body, problems)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, "", 1, [Diagnostic(path, 1, "the file does not start with front matter",
                                     "begin the file with a '---' line, then 'title:', "
                                     "'description:', 'date:' and 'authors:', then '---'")]
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            front_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            front, problems = load_yaml(path, front_text, first_line=2)
            if front is not None and front.data is None:
                front = YamlText(path, {}, {(): 1})
            return front, body, index + 2, problems
    return None, "", 1, [Diagnostic(path, 1, "the front matter is never closed",
                                 "add a line '---' after the last front matter field")]


def _people(front: YamlText, ids: tuple[str, ...], field: str, people: dict[str, Person],
            problems: list[Diagnostic]) -> tuple[Person, ...]:
    found = []
    for index, person_id in enumerate(ids):
        if person_id in people:
            found.append(people[person_id])
            continue
        close = difflib.get_close_matches(person_id, people, n=1)
        problems.append(Diagnostic(front.file, front.line(field, index),
                                f"unknown author id '{person_id}' in '{field}'",
                                f"did you mean '{close[0]}'?" if close
                                else "add the person to source/authors.yml, or correct the id"))
    return tuple(found)


def _convert_body(path: Path, body: str, body_line: int, site: Site, problems: list[Diagnostic]):
    converter = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS,
                                  extension_configs=MARKDOWN_CONFIG, output_format="xhtml")
    body_lines = body.split("\n")
    try:
        html = converter.convert(body)
    except RecursionError:
        problems.append(Diagnostic(path, body_line, "the text is nested too deeply to be read "
                                f"(lists or quotes inside each other; the limit is "
                                f"{MAX_NESTING} levels)", "flatten the deepest lists or quotes"))
        return "", (), ()
    raw = lxml.html.fragment_fromstring(html, create_parent="div")
    if not _nesting_ok(path, raw, body_lines, body_line, problems):
        return "", (), ()
    _check_raw_html(path, raw, converter, body_lines, body_line, problems)
    # Character references can still name characters XML forbids: they are dropped.
    root = lxml.html.fragment_fromstring(NOT_XML.sub("", sanitise_html(html)),
                                         create_parent="div")
    images = []
    for img in raw.iter("img"):  # as written: the sanitiser empties a src it refuses
        src = img.get("src", "")
        line = _line_of(src, body_lines, body_line)
        image, error = check_image(src, path.parent, site.source_dir)
        if error:
            problems.append(Diagnostic(path, line, error,
                                    getattr(error, "fix", "") or
                                    "put the image under source/ and refer to it relative to "
                                    "this file, e.g. images/photo.jpg"))
        elif image not in images:
            images.append(image)
    for img in root.iter("img"):
        if img.get("alt") is None:
            img.set("alt", "")
    for element in raw.iter("svg", "math"):
        problems.append(Diagnostic(path, _line_of(f"<{element.tag}", body_lines, body_line),
                                f"inline <{element.tag}> is not supported",
                                f"save it as a file under source/images/ and show it with "
                                f"![description](images/name.{'svg' if element.tag == 'svg' else 'png'})"))
    toc = tuple(_toc_entry(token) for token in converter.toc_tokens)
    return polyglot_markup(root), toc, tuple(images)


def _check_raw_html(path: Path, raw, converter: markdown.Markdown, body_lines: list[str],
                    body_line: int, problems: list[Diagnostic]) -> None:
    """Report raw HTML outside the sanitiser's allow-list, and raw HTML blocks left open
    (Markdown would read the rest of the document as HTML), each with its line."""
    for block in converter.htmlStash.rawHtmlBlocks:
        if not isinstance(block, str) or "\n" not in block.strip():
            continue  # one inline tag: its paragraph closes it
        start = _line_of(block.strip().split("\n")[0], body_lines, body_line)
        for tag, line in unclosed_elements(block)[:1]:
            problems.append(Diagnostic(path, start + line - 1,
                                    f"raw HTML <{tag}> is never closed, so the rest of the "
                                    "document would be read as HTML",
                                    f"add </{tag}> where the element ends"))
    seen = set()
    for unsafe in unsafe_html(raw):
        line = _line_of(unsafe.needle, body_lines, body_line, ignore_case=True, after=seen)
        seen.add((unsafe.needle.lower(), line))
        problems.append(Diagnostic(path, line, unsafe.message, unsafe.fix))


def _nesting_ok(path: Path, root, body_lines: list[str], body_line: int,
                problems: list[Diagnostic]) -> bool:
    """Whether lists, quotes and HTML elements stay within MAX_NESTING levels (and any
    element within 5 x MAX_NESTING): deeper ones are refused before the renderers, which
    recurse over the tree, or the HTML parsers, which slow down, meet them."""
    depth = containers = -1  # not counting the wrapper <div>
    for event, element in etree.iterwalk(root, events=("start", "end")):
        step = 1 if event == "start" else -1
        depth += step
        containers += step if element.tag in CONTAINERS else 0
        if event == "start" and (containers > MAX_NESTING or depth > 5 * MAX_NESTING):
            text = next((t.strip() for t in element.itertext() if t.strip()), "")[:40]
            line = (_line_of(text, body_lines, body_line) if text  # else the deepest line
                    else body_line + max(range(len(body_lines)),
                                         key=lambda i: _indent_depth(body_lines[i])))
            problems.append(Diagnostic(path, line,
                                    f"lists, quotes or HTML elements are nested more than "
                                    f"{MAX_NESTING} levels deep", "flatten the deepest ones"))
            return False
    return True


def _indent_depth(line: str) -> int:
    """How deep a Markdown line sits: its quote markers plus its indentation in 4s."""
    stripped = line.lstrip(" \t>")
    marks = line[:len(line) - len(stripped)]
    return marks.count(">") + marks.replace(">", "").expandtabs(4).count(" ") // 4


def _line_of(needle: str, lines: list[str], first_line: int, ignore_case: bool = False,
             after: set | None = None) -> int:
    """The first line holding `needle`; with `after`, the first one not yet in it (so that a
    second occurrence of the same text gets the line of the second one)."""
    key = needle.lower() if ignore_case else needle
    taken = {line for text, line in after or () if text == needle.lower()}
    for offset, line in enumerate(lines):
        text = line.lower() if ignore_case else line
        if key and key in text and first_line + offset not in taken:
            return first_line + offset
    return _line_of(needle, lines, first_line, ignore_case) if taken else first_line


def _toc_entry(token: dict) -> TocEntry:
    return TocEntry(level=token["level"], id=token["id"], title=token["name"],
                    children=tuple(_toc_entry(child) for child in token["children"]))


def polyglot_markup(root: lxml.html.HtmlElement) -> str:
    """Serialise as markup that is both valid HTML and well-formed XHTML.

    XML serialisation gives well-formed output without HTML named entities; empty
    non-void elements get an explicit end tag, since `<a/>` means an open tag in HTML.
    """
    for element in root.iter():
        if (isinstance(element.tag, str) and element.tag not in VOID_ELEMENTS
                and len(element) == 0 and not element.text):
            element.text = ""
    parts = [_escape_text(root.text or "")]
    parts += [etree.tostring(child, method="xml", encoding="unicode", with_tail=True)
              for child in root]
    return "".join(parts)


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
