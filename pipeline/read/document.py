"""Parse one Markdown source, with its front matter, into a validated, frozen Document."""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

from dataclasses import replace

import lxml.html
from lxml import etree
from markupsafe import Markup

from ..diagnostics import Diagnostic, InvalidInput, sort_key
from ..models import Block, Byline, Document, Person, Site, SourceLink
from . import commonmark, pymarkdown
from .config import disclaimer_problems
from .markdown import SOURCE_LINE, ParsedBody, RawHtml
from .foreign import template_tags, video_tags_as_links
from .images import is_web_address, remote_image_placeholders
from .sanitise import Notice, OpenTags, link_allowed
from .text import first_sentence
from .sanitise import clean as sanitise_html
from .sanitise import inspect as inspect_html
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
    Field("markdown"),
]
# The Markdown dialects a document may be written in (front matter or site.yml `markdown:`)
PARSERS = {"commonmark": commonmark.parse_body, "python-markdown": pymarkdown.parse_body}
# source/<slug>.<lang>.md is a translation of source/<slug>.md: a BCP 47 language tag
# (language, optional script, optional region), as in es, zh-Hans or pt-BR.
LANGUAGE_SUFFIX = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")

REMOTE_IMAGE_FIX = ("run 'invoke fetch-images' (it downloads the web images into source/images/ "
                    "and points the sources at them), or put the image under source/ yourself")
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}
# Of Markdown per document: some 1.5 million words, or a page with a big table of
# resources; time and memory grow linearly with the size (benchmarks/bigpage.py).
MAX_SOURCE_BYTES = 10 * 1024 * 1024
MAX_NESTING = 20  # lists, quotes, tables and divisions inside each other
CONTAINERS = {"ul", "ol", "dl", "blockquote", "div", "table"}
_IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
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
        problems += disclaimer_problems(values["disclaimer"], values.get("lang", site.lang), path,
                                        front.line("disclaimer"))
    theme = values.get("theme", site.theme)
    problems += theme_problems(theme, theme_names, path,
                               front.line("theme") if "theme" in values else None)
    dialect = values.get("markdown", site.markdown)
    if dialect not in PARSERS:
        problems.append(Diagnostic(path, front.line("markdown"), f"unknown Markdown dialect "
                                   f"'{dialect}'", f"use one of: {', '.join(PARSERS)}"))
    slug, translation_of, lang = _translation(path, values.get("lang"), front, problems)
    if not body.strip():
        problems.append(Diagnostic(path, body_line, "the document has no text after its front matter",
                                "write the article below the closing '---' line"))
        raise InvalidInput(problems)
    converted = (_convert_body(path, body, body_line, site, dialect, lang, problems)
                 if dialect in PARSERS else None)
    if any(p.severity == "error" for p in problems) or converted is None:
        raise InvalidInput(problems)
    parsed, images = converted
    return Document(
        slug=slug,
        source_path=path,
        title=values["title"],
        subtitle=values.get("subtitle", ""),
        description=values["description"],
        date=values["date"],
        updated=values.get("updated"),
        lang=lang or site.lang,
        keywords=values.get("keywords", ()),
        cover=values.get("cover"),
        theme=theme,
        byline=Byline(authors=authors, reviewers=reviewers, reviewed=values.get("reviewed"),
                      publisher=site.publisher),
        body_html=Markup(parsed.html),
        toc=parsed.toc,
        images=images,
        site=site,
        disclaimer=" ".join(values.get("disclaimer", site.disclaimer).split()),
        original_sha256=str(values.get("original_sha256", "")),
        disclaimer_line=(first_sentence(values["disclaimer"], lang or site.lang)
                         if "disclaimer" in values else site.disclaimer_line),
        blocks=parsed.blocks,
        links=parsed.links,
        source_text=text,
        front_lines=tuple((str(name), front.line(name)) for name in front.data
                          if front.line(name) is not None),
        translation_of=translation_of,
        warnings=tuple(sorted(problems, key=sort_key)),
    )


def source_slug(path: Path) -> str:
    """The slug of a source: its name without '.md' (and without a translation's language)."""
    slug, dot, suffix = path.stem.rpartition(".")
    return slug if dot and LANGUAGE_SUFFIX.match(suffix) else path.stem


def _translation(path: Path, lang: str | None, front: YamlText,
                 problems: list[Diagnostic]) -> tuple[str, str, str | None]:
    """(slug, the original's slug or "", language) of a source: source/<slug>.<lang>.md is
    the translation of source/<slug>.md into <lang>."""
    slug, dot, suffix = path.stem.rpartition(".")
    if not dot or not LANGUAGE_SUFFIX.match(suffix):
        return path.stem, "", lang
    if lang is not None and lang.lower() != suffix.lower():
        problems.append(Diagnostic(path, front.line("lang"), f"'lang' is '{lang}' but the file "
                                   f"name says '{suffix}' (a translation is <slug>.<lang>.md)",
                                   f"write 'lang: {suffix}', or rename the file"))
    original = path.with_name(f"{slug}.md")
    if not original.is_file():
        problems.append(Diagnostic(path, None, f"'{path.name}' is a translation of "
                                   f"'{original.name}', which does not exist",
                                   f"add source/{original.name} (the original), or rename "
                                   "this file if it is not a translation"))
    return slug, slug, suffix


def theme_problems(theme: str, theme_names: set[str], path: Path,
                   line: int | None) -> list[Diagnostic]:
    """A theme that is not a folder of themes/, with the closest name or the list."""
    if theme in theme_names:
        return []
    close = difflib.get_close_matches(theme, theme_names, n=1)
    return [Diagnostic(path, line, f"unknown theme '{theme}'",
                    f"did you mean '{close[0]}'?" if close
                    else f"available themes: {', '.join(sorted(theme_names))}")]


_URL_BREAKS = re.compile(r"[\t\r\n]")


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
        # Composed form (NFC), as the web expects: text pasted from some editors spells
        # "é" as "e" plus a combining accent, which the Nu Html Checker warns about and
        # search and hyphenation treat as another word. Line numbers do not change.
        text = unicodedata.normalize("NFC", text)
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


def _convert_body(path: Path, body: str, body_line: int, site: Site, dialect: str,
                  lang: str, problems: list[Diagnostic]) -> tuple[ParsedBody, tuple[Path, ...]] | None:
    """Parse the body with its dialect and check what it holds: nesting, raw HTML, images.
    Return the parse with its HTML sanitised, or None when the body cannot be read."""
    try:
        parsed = PARSERS[dialect](video_tags_as_links(body), body_line, lang)
    except RecursionError:
        problems.append(Diagnostic(path, body_line, "the text is nested too deeply to be read "
                                   f"(lists or quotes inside each other; the limit is "
                                   f"{MAX_NESTING} levels)", "flatten the deepest lists or quotes"))
        return None
    raw = lxml.html.fragment_fromstring(parsed.html, create_parent="div")
    if not _nesting_ok(path, raw, body_line, problems):
        return None
    links, blocks = list(parsed.links), list(parsed.blocks)
    _check_raw_html(path, parsed, links, blocks, problems)
    generated = lxml.html.fragment_fromstring(parsed.markup_html, create_parent="div")
    lines = {element: int(element.attrib.pop(SOURCE_LINE)) for element in generated.iter()
             if SOURCE_LINE in element.attrib}
    reported = {problem.message for problem in problems}
    for element, needle, notice in _markup_removals(generated):  # what Markdown syntax wrote
        if notice.message in reported:  # raw HTML the python-markdown dialect kept in
            continue
        line = next((lines[node] for node in (element, *element.iterancestors())
                     if node in lines), body_line)
        column = next((link.column for link in links if link.line == line
                       and link.target == element.get("href")), None) \
            or _column_of(parsed.blocks, line, needle)
        problems.append(Diagnostic(path, line, notice.message, notice.fix,
                                   severity=notice.severity, rule=notice.rule, column=column))
    _check_template_tags(path, parsed.blocks, problems)
    for element in raw.iter():
        element.attrib.pop(SOURCE_LINE, None)
        for name in ("href", "src"):  # as browsers read an address wrapped over lines:
            if (value := element.get(name)) is not None:  # lxml would write '%0A'
                element.set(name, _URL_BREAKS.sub("", value).strip())
    # Character references can still name characters XML forbids: they are dropped.
    html = _escape_text(raw.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in raw)
    root = lxml.html.fragment_fromstring(NOT_XML.sub("", sanitise_html(html)),
                                         create_parent="div")
    remote_image_placeholders(root)
    images = []
    links.sort(key=lambda link: (link.line, link.column))
    for link in links:  # as written: the sanitiser empties a src it refuses
        if link.kind != "image":
            continue
        if is_web_address(link.target):
            problems.append(Diagnostic(
                path, link.line, f"image '{link.target.strip()}' is on the web: it is not "
                "fetched, and the publication shows its alt text and a link to it in its "
                "place", REMOTE_IMAGE_FIX, severity="warning", rule="remote-image",
                column=link.column))
            continue
        image, error = check_image(link.target, path.parent, site.source_dir)
        if error:
            problems.append(Diagnostic(path, link.line, error,
                                       getattr(error, "fix", "") or
                                       "put the image under source/ and refer to it relative "
                                       "to this file, e.g. images/photo.jpg",
                                       column=link.column))
        elif image not in images:
            images.append(image)
    for img in root.iter("img"):
        if img.get("alt") is None:
            img.set("alt", "")
    return replace(parsed, html=polyglot_markup(root), markup_html="", links=tuple(links),
                   blocks=tuple(sorted(blocks, key=lambda b: b.line)),
                   raw_html=()), tuple(images)


def _check_raw_html(path: Path, parsed: ParsedBody, links: list[SourceLink],
                    blocks: list[Block], problems: list[Diagnostic]) -> None:
    """Each piece of raw HTML: what cleaning removes from it (sanitise.inspect: active
    content, media, unknown elements) and elements of HTML blocks never closed, warnings
    at their line and column; HTML blocks that swallow the rest of the body; its images,
    links and headings join the source map."""
    open_tags = OpenTags()
    for piece in parsed.raw_html:
        for notice in inspect_html(piece.html):
            line, column = _at_offset(piece, notice.offset)
            problems.append(Diagnostic(path, line, notice.message, notice.fix,
                                       severity=notice.severity, rule=notice.rule,
                                       column=column))
        fragment = lxml.html.fragment_fromstring(piece.html, create_parent="div")
        # Where each <img> starts, in document order as the parser meets them.
        img_offsets = iter([match.start() for match in _IMG_TAG.finditer(piece.html)])
        for element in fragment.iter("img", "a"):
            kind, attribute = ("image", "src") if element.tag == "img" else ("link", "href")
            line, column = piece.line, piece.column
            if kind == "image":
                offset = next(img_offsets, None)
                if offset is not None:
                    line, column = _at_offset(piece, offset)
            known = any(link.target == element.get(attribute) and link.line in (piece.line, line)
                        for link in links)
            if element.get(attribute) is not None and not known:
                text = element.get("alt", "") if kind == "image" else element.text_content()
                links.append(SourceLink(kind, element.get(attribute), text, line, column))
        for heading in fragment.iter(*HEADINGS):
            line = piece.line + (heading.sourceline or 1) - 1
            text, level = " ".join(heading.text_content().split()), int(heading.tag[1])
            if not any(b.kind == "heading" and (b.text, b.level) == (text, level)
                       and abs(b.line - line) <= 1 for b in blocks):  # python-markdown's
                blocks.append(Block("heading", line, line,
                                    piece.html.split("\n")[line - piece.line], text, level,
                                    heading.get("id", "")))
        if piece.to_the_end:
            opening = piece.html.split("\n", 1)[0].strip()
            shown = ("shown as they are typed, not read as Markdown"
                     if opening.lower().startswith(("<pre", "<textarea")) else "not shown")
            problems.append(Diagnostic(
                path, piece.line, f"'{opening[:30]}' is never closed, so lines {piece.line} "
                f"to {piece.end_line} (the rest of the file) are {shown}",
                "close it ('-->' for a comment, '</pre>' for <pre>) where it should end",
                severity="warning", rule="raw-html", column=piece.column))
        elif piece.block:
            open_tags.feed_at(piece.html, piece.line)
    for tag, line in open_tags.unclosed():  # repaired as browsers do: closed at the end
        problems.append(Diagnostic(path, line, f"raw HTML <{tag}> is never closed, so the rest "
                                   "of the document would be inside it",
                                   f"add </{tag}> where the element ends", severity="warning",
                                   rule="raw-html"))


def _at_offset(piece: RawHtml, offset: int) -> tuple[int, int]:
    """(line, column) in the file of the character `offset` into a piece of raw HTML."""
    before = piece.html[:offset]
    newlines = before.count("\n")
    if not newlines:
        return piece.line, piece.column + offset
    return piece.line + newlines, offset - before.rfind("\n")


def _column_of(blocks, line: int, needle: str) -> int | None:
    """The column of `needle` on `line`, from the source of the block holding it."""
    for block in blocks:
        if block.line <= line <= block.end_line:
            lines = block.source.split("\n")
            if line - block.line < len(lines):
                found = lines[line - block.line].lower().find(needle.lower())
                if found >= 0:
                    return found + 1
    return None


def _markup_removals(root) -> list[tuple[object, str, Notice]]:
    """Event handlers and links to unpublished schemes that Markdown syntax wrote
    (`{onclick=...}` attribute lists, `[text](javascript:...)`): cleaning removes them."""
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append((element, name, Notice(
                    0, f"the event handler '{name}' on <{element.tag}> is removed",
                    "remove it: published documents cannot run scripts")))
            elif name in ("href", "src") and value and not link_allowed(value):
                found.append((element, value, Notice(
                    0, f"the link to '{value}' is removed: only http:, https:, mailto: and "
                    "tel: links and links to files are published",
                    "link to a web page (https://...) or to a file published with the "
                    "document")))
    return found


def _check_template_tags(path: Path, blocks, problems: list[Diagnostic]) -> None:
    """Template tags of other tools in the text (foreign.template_tags): warnings at their
    line and column; the text stays as written."""
    seen = set()
    for block in blocks:
        if block.kind in ("code", "html"):
            continue
        for notice in template_tags(block.source):
            before = block.source[:notice.offset]
            line = block.line + before.count("\n")
            column = notice.offset - before.rfind("\n")
            if (line, column) not in seen:
                seen.add((line, column))
                problems.append(Diagnostic(path, line, notice.message, notice.fix,
                                           severity=notice.severity, rule=notice.rule,
                                           column=column))


def _line_of_element(element) -> int | None:
    """The line of the block an element of the parsed body stands in."""
    for node in (element, *element.iterancestors()):
        if node.get(SOURCE_LINE):
            return int(node.get(SOURCE_LINE))
    return None


def _nesting_ok(path: Path, root, body_line: int, problems: list[Diagnostic]) -> bool:
    """Whether lists, quotes and HTML elements stay within MAX_NESTING levels (and any
    element within 5 x MAX_NESTING): deeper ones are refused before the renderers, which
    recurse over the tree, or the HTML parsers, which slow down, meet them."""
    depth = containers = -1  # not counting the wrapper <div>
    for event, element in etree.iterwalk(root, events=("start", "end")):
        step = 1 if event == "start" else -1
        depth += step
        containers += step if element.tag in CONTAINERS else 0
        if event == "start" and (containers > MAX_NESTING or depth > 5 * MAX_NESTING):
            problems.append(Diagnostic(path, _line_of_element(element) or body_line,
                                       f"lists, quotes or HTML elements are nested more than "
                                       f"{MAX_NESTING} levels deep", "flatten the deepest ones"))
            return False
    return True


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
