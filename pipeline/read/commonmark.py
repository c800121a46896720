"""The default Markdown dialect: CommonMark 0.31 and GitHub Flavored Markdown through
markdown-it-py and mdit-py-plugins, with the extensions Pressroom's writers use.

GFM tables, strikethrough, task lists and autolinks of bare URLs; footnotes; definition
lists; attributes (`{#id .class}`, also after a heading); admonitions (`!!! note`) and
GitHub's alerts (`> [!NOTE]`), both as admonitions; abbreviations (`*[MS]: Multiple
sclerosis`); heading ids and `[TOC]`; smart quotes and dashes; Pygments for fenced code.

markdown-it's tokens carry the lines of every block (`Token.map`), and this module records
where each inline token starts, so the source map (blocks, links, raw HTML) comes from the
parse itself.
"""

from __future__ import annotations

import re
import types
from dataclasses import replace
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLinkText
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.gfm import gfm_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from .typography import quotes_for
from ..models import Block, SourceLink
from .sanitise import VOID
from .markdown import (BACKLINK, SOURCE_LINE, ParsedBody, RawHtml, footnote_id, nest_toc,
                       slugify, toc_html)

# Deep enough that the parser never silently stops reading (markdown-it skips the rest of
# a document past this depth); document.py refuses anything deeper than MAX_NESTING first.
PARSER_NESTING = 200
_ABBREVIATION = re.compile(r"^ {0,3}\*\[([^\]\n]+)\]:[ \t]*(.*)$")
_HEADING_ATTRIBUTES = re.compile(r"[ \t]*(\{[^{}\n]*\})[ \t]*$")
# HTML blocks that only an end tag (or `-->`) ends: unclosed, they swallow the rest
_SWALLOWING = {re.compile(r"^ {0,3}<!--"): "-->",
               re.compile(r"^ {0,3}<(pre|script|style|textarea)(\s|>|$)", re.I): None}
CONTAINER_KINDS = {"list_item_open": "list_item", "blockquote_open": "blockquote",
                   "dd_open": "definition", "footnote_open": "footnote",
                   "admonition_open": "admonition", "alert_open": "admonition"}
_BLOCK_OPENINGS = {"paragraph_open", "heading_open", "bullet_list_open", "ordered_list_open",
                   "list_item_open", "blockquote_open", "table_open", "tr_open", "dl_open",
                   "dt_open", "dd_open", "admonition_open", "alert_open", "hr"}
_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)


def parse_body(body: str, body_line: int, lang: str = "en") -> ParsedBody:
    """Read the Markdown `body`, whose first line is line `body_line` of its file, with
    the quotation marks of `lang`."""
    md = _parser(quotes_for(lang))
    env: dict = {}
    tokens = md.parse(body, env)
    walk = _SourceWalk(body.split("\n"), body_line)
    walk.run(tokens)
    toc = nest_toc(walk.headings)
    env["pressroom_toc"] = toc
    for token in tokens:
        if token.map is not None and token.type in _BLOCK_OPENINGS:
            token.attrSet(SOURCE_LINE, str(body_line + token.map[0]))
    return ParsedBody(
        html=md.renderer.render(tokens, md.options, env),
        markup_html=_without_raw_html().render(tokens, md.options, env),
        toc=toc, blocks=tuple(walk.blocks), links=tuple(walk.links),
        raw_html=tuple(walk.raw_html))


@lru_cache(maxsize=None)
def _parser(quotes: tuple[str, str, str, str]) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "maxNesting": PARSER_NESTING,
                                   "quotes": list(quotes)})
    md.enable(["replacements", "smartquotes"])
    # Every link and image is kept as written, so that document.py can refuse a
    # `javascript:` or `file:` one with its line instead of showing it as text.
    md.validateLink = lambda url: True
    md.use(gfm_plugin)  # tables, strikethrough, task lists, alerts, autolinks, footnotes
    md.use(deflist_plugin).use(attrs_plugin).use(attrs_block_plugin).use(admon_plugin)
    md.block.ruler.at("attr", _not_a_template_tag(_rule(md.block.ruler, "attr")))
    md.block.ruler.before("reference", "abbreviation", _abbreviation_definition,
                          {"alt": ["paragraph", "reference"]})
    md.block.ruler.before("paragraph", "toc_marker", _toc_marker)
    md.core.ruler.after("inline", "heading_attributes", _heading_attributes)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=slugify)
    md.core.ruler.push("abbreviations", _abbreviations)
    md.core.ruler.push("alerts_as_admonitions", _alerts_as_admonitions)
    md.core.ruler.push("task_labels", _task_labels)
    for rule in md.inline.ruler.__rules__:
        rule.fn = _recording_offsets(rule.fn)
    md.inline.ruler.__cache__ = None
    _install_rules(md.renderer)
    return md


@lru_cache(maxsize=1)
def _without_raw_html() -> RendererHTML:
    renderer = RendererHTML()
    _install_rules(renderer)
    renderer.rules["html_block"] = renderer.rules["html_inline"] = \
        types.MethodType(lambda self, *args: "", renderer)
    return renderer


def _recording_offsets(rule):
    """An inline rule that also notes, in each token it makes, where in its block's text
    the token starts (meta["offset"]): links, images and raw HTML get their columns."""
    def recording(state, silent):
        start, count = state.pos, len(state.tokens)
        found = rule(state, silent)
        if found and not silent:
            for token in state.tokens[count:]:
                if token.meta is None:
                    token.meta = {}
                token.meta.setdefault("offset", start)
        return found
    return recording


# --- Extensions markdown-it has no plugin for -------------------------------------------


def _abbreviation_definition(state, start_line: int, end_line: int, silent: bool) -> bool:
    """`*[MS]: Multiple sclerosis` defines an abbreviation; the line itself is not shown."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start_line] + state.tShift[start_line]:
                     state.eMarks[start_line]]
    match = _ABBREVIATION.match(line)
    if not match:
        return False
    if not silent:
        state.env.setdefault("abbreviations", {})[match[1].strip()] = match[2].strip()
        token = state.push("abbreviation_definition", "", 0)
        token.map = [start_line, start_line + 1]
    state.line = start_line + 1
    return True


def _rule(ruler, name: str):
    return next(rule.fn for rule in ruler.__rules__ if rule.name == name)


def _not_a_template_tag(attribute_block):
    """A line '{% youtube ID %}' or '{{< figure >}}' is another tool's template tag, kept
    as text (and warned about: foreign.py), not a block of attributes dropped silently."""
    def rule(state, start_line: int, end_line: int, silent: bool) -> bool:
        start = state.bMarks[start_line] + state.tShift[start_line]
        if state.src.startswith(("{%", "{{"), start):
            return False
        return attribute_block(state, start_line, end_line, silent)
    return rule


def _toc_marker(state, start_line: int, end_line: int, silent: bool) -> bool:
    """A paragraph that is only `[TOC]` becomes the table of contents."""
    line = state.src[state.bMarks[start_line] + state.tShift[start_line]:
                     state.eMarks[start_line]]
    if line.strip() != "[TOC]" or (start_line + 1 < end_line
                                   and not state.isEmpty(start_line + 1)):
        return False
    if not silent:
        token = state.push("toc", "", 0)
        token.map = [start_line, start_line + 1]
    state.line = start_line + 1
    return True


def _heading_attributes(state) -> None:
    """`## Title {#id .class}`: the attributes go to the heading, as in Python-Markdown."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or not tokens[index + 1].children:
            continue
        last = tokens[index + 1].children[-1]
        match = _HEADING_ATTRIBUTES.search(last.content) if last.type == "text" else None
        if not match:
            continue
        try:
            _, attributes = parse_attributes(match[1])
        except ParseError:
            continue
        last.content = last.content[:match.start()]
        for name, value in attributes.items():
            if name == "class" and token.attrGet("class"):
                value = f"{token.attrGet('class')} {value}"
            token.attrSet(name, value)


def _abbreviations(state) -> None:
    """Every whole-word use of a defined abbreviation becomes <abbr title="...">."""
    found = state.env.get("abbreviations")
    if not found:
        return
    pattern = re.compile(r"(?<!\w)(" + "|".join(
        re.escape(a) for a in sorted(found, key=len, reverse=True)) + r")(?!\w)")
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children = []
        for child in token.children:
            if child.type != "text" or not pattern.search(child.content):
                children.append(child)
                continue
            position = 0
            for match in pattern.finditer(child.content):
                if match.start() > position:
                    children.append(_text(child.content[position:match.start()]))
                opening = Token("abbr_open", "abbr", 1, attrs={"title": found[match[1]]})
                children += [opening, _text(match[1]), Token("abbr_close", "abbr", -1)]
                position = match.end()
            if position < len(child.content):
                children.append(_text(child.content[position:]))
        token.children = children


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _alerts_as_admonitions(state) -> None:
    """GitHub's `> [!NOTE]` alerts take the admonitions' markup, which the themes style."""
    for token in state.tokens:
        if token.type == "alert_open":
            token.attrSet("class", f"admonition {token.meta['kind'].lower()}")
        elif token.type == "alert_title_open":
            token.attrSet("class", "admonition-title")


def _task_labels(state) -> None:
    """A task list item's checkbox goes into a label with the item's first line of text,
    so that screen readers announce the text with "checked" or "not checked"."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "list_item_open" or "checked" not in (token.meta or {}):
            continue
        checked = token.meta.pop("checked")
        inline = next((t for t in tokens[index + 1:]
                       if t.type == "inline" or t.type.endswith("_list_open")), None)
        if inline is None or inline.type != "inline":
            continue
        opening = Token("task_label_open", "label", 1, meta={"checked": checked})
        inline.children = [opening, *(inline.children or []),
                           Token("task_label_close", "label", -1)]


# --- Rendering: the markup Python-Markdown's extensions write --------------------------


def _install_rules(renderer: RendererHTML) -> None:
    for name, rule in RENDER_RULES.items():
        renderer.rules[name] = types.MethodType(rule, renderer)


def _render_code(self, tokens, index, options, env) -> str:
    token = tokens[index]
    language = token.info.split()[0] if token.info.strip() else ""
    try:
        lexer = get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    return highlight(token.content, lexer, _FORMATTER)


def _render_list_item(self, tokens, index, options, env) -> str:
    return self.renderToken(tokens, index, options, env)


def _render_task_label_open(self, tokens, index, options, env) -> str:
    checked = ' checked="checked"' if tokens[index].meta["checked"] else ""
    return ('<label class="task-list-item-label"><input class="task-list-item-checkbox" '
            f'type="checkbox" disabled="disabled"{checked}/> ')


def _note_label(env, token) -> str:
    label = env["footnotes"]["list"][token.meta["id"]].get("label")
    return footnote_id(label if label is not None else str(token.meta["id"] + 1))


def _render_footnote_ref(self, tokens, index, options, env) -> str:
    token = tokens[index]
    label, number, sub = _note_label(env, token), token.meta["id"] + 1, token.meta["subId"]
    ref = f"fnref{sub + 1 if sub else ''}-{label}"
    return (f'<sup id="{ref}"><a class="footnote-ref" href="#fn-{label}">{number}</a></sup>')


def _render_footnote_anchor(self, tokens, index, options, env) -> str:
    token = tokens[index]
    label, sub = _note_label(env, token), token.meta["subId"]
    space = "\u00a0" if sub == 0 else ""
    # Its title ("Back to reference 2") is given by the renderers, in the reader's language.
    return (f'{space}<a class="footnote-backref" href="#fnref{sub + 1 if sub else ""}-{label}"'
            f'>{BACKLINK}</a>')


def _render_footnote_open(self, tokens, index, options, env) -> str:
    return f'<li id="fn-{_note_label(env, tokens[index])}">\n'


RENDER_RULES = {
    "fence": _render_code,
    "code_block": _render_code,
    "list_item_open": _render_list_item,
    # GitHub's element for ~~strikethrough~~ (markdown-it writes <s>)
    "s_open": lambda self, *args: "<del>",
    "s_close": lambda self, *args: "</del>",
    "task_label_open": _render_task_label_open,
    "task_label_close": lambda self, *args: "</label>",
    "footnote_ref": _render_footnote_ref,
    "footnote_anchor": _render_footnote_anchor,
    "footnote_open": _render_footnote_open,
    "footnote_close": lambda self, *args: "</li>\n",
    "footnote_block_open": lambda self, *args: '<div class="footnote">\n<hr/>\n<ol>\n',
    "footnote_block_close": lambda self, *args: "</ol>\n</div>\n",
    "toc": lambda self, tokens, index, options, env: toc_html(env["pressroom_toc"]),
    "abbreviation_definition": lambda self, *args: "",
}


# --- The source map --------------------------------------------------------------------


class _SourceWalk:
    """Blocks, links, images, raw HTML and headings of a token stream, with their lines
    (from `Token.map`) and columns (from the offsets _recording_offsets noted)."""

    def __init__(self, lines: list[str], body_line: int):
        self.lines = lines
        self.body_line = body_line
        self.blocks: list[Block] = []
        self.links: list[SourceLink] = []
        self.raw_html: list[RawHtml] = []
        self.headings: list[tuple[int, str, str]] = []

    def run(self, tokens: list[Token]) -> None:
        stack: list[Token] = []
        for token in tokens:
            if token.nesting == 1:
                stack.append(token)
            elif token.nesting == -1:
                stack.pop()
            elif token.type == "inline":
                self._inline(token, stack)
            elif token.type in ("fence", "code_block") and token.map:
                language = token.info.split()[0] if token.info.strip() else ""
                self._block("code", token.map, stack, "", label=language)
            elif token.type == "html_block" and token.map:
                self._block("html", token.map, stack, "")
                self._html_block(token)

    def _block(self, kind: str, line_map, stack: list[Token], text: str, level: int = 0,
               label: str = "", source: str | None = None) -> None:
        first, last = line_map[0], max(line_map[1], line_map[0] + 1)
        if source is None:
            source = "\n".join(self.lines[first:last])
        if not level:
            level = max(0, sum(t.type in ("list_item_open", "blockquote_open") for t in stack)
                        - 1)
        self.blocks.append(Block(kind, self.body_line + first, self.body_line + last - 1,
                                 source, text, level, label))

    def _html_block(self, token: Token) -> None:
        first, last = token.map
        first_line = token.content.split("\n", 1)[0]
        closed = True
        for start, end in _SWALLOWING.items():
            match = start.match(first_line)
            if match:
                closing = end or f"</{match[1].lower()}>"
                closed = closing in token.content[match.end():].lower()
        self.raw_html.append(RawHtml(
            token.content, self.body_line + first,
            _content_column(self.lines[first], first_line) + 1, True,
            self.body_line + max(first, last - 1), to_the_end=not closed))

    def _inline(self, token: Token, stack: list[Token]) -> None:
        parent = stack[-1] if stack else None
        line_map = token.map or next((t.map for t in reversed(stack) if t.map), None)
        if parent is None or line_map is None:
            return
        text = _plain_text(token.children or [])
        source = None
        if parent.type == "heading_open":
            kind, level, label = "heading", int(parent.tag[1]), parent.attrGet("id") or ""
            self.headings.append((level, label, text))
            self._block(kind, line_map, stack, text, level=level, label=label)
        elif parent.type in ("th_open", "td_open"):
            row = self.lines[line_map[0]]
            source = _only_cell(row, token.content)
            self._block("table_cell", [line_map[0], line_map[0] + 1], stack, text,
                        source=source)
        elif parent.type == "dt_open":
            self._block("term", line_map, stack, text)
        elif parent.type in ("paragraph_open", "admonition_title_open"):
            kind = next((CONTAINER_KINDS[t.type] for t in reversed(stack[:-1])
                         if t.type in CONTAINER_KINDS), "paragraph")
            label = ""
            if kind == "footnote":
                footnote = next(t for t in reversed(stack) if t.type == "footnote_open")
                label = footnote.meta.get("label") or ""
            self._block(kind, line_map, stack, text, label=label)
        else:
            return  # generated text (an alert's title)
        self._inline_positions(token, line_map[0])

    def _inline_positions(self, token: Token, first: int) -> None:
        children = token.children or []
        depth = 0
        for index, child in enumerate(children):
            offset = (child.meta or {}).get("offset")
            if child.type == "link_open":
                text = _plain_text(_until_close(children, index))
                if offset is not None and token.content[offset:offset + 1] not in "[<":
                    # a bare URL: the autolink rule starts at its ':' or '@'
                    offset = max(0, token.content.rfind(text, 0, offset + len(text)))
                href = normalizeLinkText(child.attrGet("href") or "")
                self.links.append(SourceLink("link", href, text,
                                             *self._position(token, first, offset)))
            elif child.type == "image":
                src = normalizeLinkText(child.attrGet("src") or "")
                self.links.append(SourceLink("image", src, child.content,
                                             *self._position(token, first, offset)))
            elif child.type == "html_inline":
                # An element's tags and what they hold make one piece (<svg> and its <rect>)
                if depth > 0:
                    piece = self.raw_html.pop()
                    self.raw_html.append(replace(piece, html=piece.html + child.content))
                else:
                    line, column = self._position(token, first, offset)
                    self.raw_html.append(RawHtml(child.content, line, column, False,
                                                 line + child.content.count("\n")))
                depth = max(0, depth + _tag_balance(child.content))

    def _position(self, token: Token, first: int, offset: int | None) -> tuple[int, int]:
        """(line, column) in the file of `offset` in the inline token's text."""
        content = token.content
        if offset is None:
            return self.body_line + first, 1
        row = content.count("\n", 0, offset)
        start = content.rfind("\n", 0, offset) + 1
        end = content.find("\n", offset)
        own_line = content[start:end if end >= 0 else len(content)]
        index = min(first + row, len(self.lines) - 1)
        column = _content_column(self.lines[index], own_line) + offset - start + 1
        return self.body_line + index, column


def _tag_balance(html: str) -> int:
    """+1 for a start tag of an element that needs an end tag, -1 for an end tag."""
    if html.startswith("</"):
        return -1
    match = _START_TAG.match(html)
    return 1 if match and not html.rstrip().endswith("/>") and \
        match[1].lower() not in VOID else 0


def _content_column(source_line: str, content_line: str) -> int:
    """Where the text of a block's line starts in the source line (0-based): after the
    container markers ('> ', '- ') and indentation the parser took off."""
    own = content_line.rstrip()
    written = source_line.rstrip()
    if own and written.endswith(own):
        return len(written) - len(own)
    found = source_line.find(own.strip()) if own.strip() else -1
    if found >= 0:
        return found - (len(own) - len(own.lstrip()))
    return len(source_line) - len(source_line.lstrip(" \t>"))


def _only_cell(row: str, cell: str) -> str:
    """The table row with everything but this cell blanked (columns stay right)."""
    column = row.find(cell.strip()) if cell.strip() else -1
    if column < 0:
        return ""
    return " " * column + cell.strip()


def _until_close(children: list[Token], index: int) -> list[Token]:
    depth, inside = 0, []
    for child in children[index:]:
        depth += child.nesting if child.type in ("link_open", "link_close") else 0
        if depth == 0:
            break
        inside.append(child)
    return inside[1:]


def _plain_text(children: list[Token]) -> str:
    """What a reader reads of an inline token: text and code, not markup."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()

