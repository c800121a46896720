"""The HTML a document may publish: clean it, and say what cleaning removes.

Markdown lets a writer type raw HTML, and pages written for other tools are full of it.
Pressroom publishes it after cleaning, never refuses it:

- `clean(html)` repairs the HTML as an HTML5 parser does (html5ever, through nh3), turns
  YouTube and Vimeo embeds (iframes, or a bare link alone in its paragraph) into a neutral
  video block that each renderer draws its own way, unwraps presentational leftovers
  (`<center>`, `<font>`, and `<picture>`, whose `<img>` is shown: the PDF and the EPUB
  show one image, and only the images shown are copied), maps `align` to the theme's
  classes, and keeps only the allow-list below (nh3 again, last, so nothing outside it can
  reach an output whatever the steps before did).
- `inspect(raw_html)` reports, for one fragment of raw HTML as written in the source, what
  cleaning removes that a reader would miss: active content (scripts, styles, event
  handlers, `javascript:` links, forms, embedded objects, frames from other hosts) and
  media or inline SVG/MathML. Each is a warning with its offset in the fragment. Harmless
  attributes (`target`, `rel`, `style`, unknown ones) are dropped without a word.

The video block, as `clean` writes it and the renderers read it (`video_blocks`):

    <div class="video"><p><a href="https://www.youtube.com/watch?v=ID">Title</a></p></div>

The link is the video's page on its host; `video_of` turns it back into a `Video`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import lxml.html
from lxml import etree
import nh3

TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd",
    "label", "li",
    "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "u", "ul", "var", "wbr",
}
GENERIC_ATTRIBUTES = {"id", "class", "title", "lang", "dir"}
ATTRIBUTES = {
    "*": GENERIC_ATTRIBUTES,
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "del": {"datetime", "cite"},
    "ins": {"datetime", "cite"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "abbr": {"title"},
    "details": {"open"},
    "input": {"checked"},  # only a task list's checkbox: `clean` makes it one
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}  # and relative links
STYLE_PROPERTIES = {"text-align"}  # the tables extension aligns columns with it
# Read by the first, repairing pass so that the steps after it can carry or map them.
CARRIED_TAGS = {"iframe"}
CARRIED_ATTRIBUTES = {"iframe": {"src", "title"}, "input": {"type", "disabled"}, "*": {"align"}}
# Whatever an <input> said, it leaves as a disabled checkbox (a task list's).
CHECKBOX = {"input": {"type": "checkbox", "disabled": ""}}
ALIGNMENTS = {"left", "right", "center", "justify"}

# Removed with a warning: a reader would miss them (or they would run code).
ACTIVE = {"script", "style", "noscript", "object", "embed", "applet", "frame", "frameset",
          "form", "input", "button", "select", "option", "textarea", "fieldset",
          "output", "datalist", "link", "meta", "base", "template", "portal", "dialog"}
MEDIA = {"video", "audio", "canvas", "svg", "math", "map", "area", "track"}
# Unwrapped without a word: presentational or structural leftovers whose text stays.
UNWRAPPED = {"center", "font", "picture", "source", "big", "tt", "strike", "nobr", "blink",
             "marquee", "section", "article", "aside", "header", "footer", "nav", "main",
             "hgroup", "address", "data", "acronym", "html", "head", "body", "title"}

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


@dataclass(frozen=True)
class Notice:
    """Something a fragment of the source will lose or show differently once published,
    `offset` characters into the fragment (the reader turns that into line and column)."""

    offset: int
    message: str
    fix: str
    severity: str = "warning"
    rule: str = "raw-html"  # the Diagnostic's rule


@dataclass(frozen=True)
class Video:
    """A video on YouTube or Vimeo, known by its id."""

    host: str  # "YouTube" or "Vimeo"
    id: str

    @property
    def default_title(self) -> str:
        """What a video block says when the source gives no title."""
        return f"Video on {self.host}"

    @property
    def watch_url(self) -> str:
        """Its page on the host, where anyone can watch it."""
        if self.host == "YouTube":
            return f"https://www.youtube.com/watch?v={self.id}"
        return f"https://vimeo.com/{self.id}"

    @property
    def short_url(self) -> str:
        """The shortest address of its page, to print (no scheme)."""
        return f"youtu.be/{self.id}" if self.host == "YouTube" else f"vimeo.com/{self.id}"

    @property
    def embed_url(self) -> str:
        """The player, loaded only when the reader asks: YouTube's privacy-enhanced host,
        Vimeo's player with its Do Not Track option."""
        if self.host == "YouTube":
            return f"https://www.youtube-nocookie.com/embed/{self.id}?autoplay=1"
        return f"https://player.vimeo.com/video/{self.id}?autoplay=1&dnt=1"


_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com",
                  "www.youtube-nocookie.com", "music.youtube.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")


def video_of(url: str) -> Video | None:
    """The YouTube or Vimeo video `url` shows or embeds, or None for any other address."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", ""):
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    candidate = None
    if host in _YOUTUBE_HOSTS:
        if segments[:1] == ["watch"] or parts.path in ("/watch", "/watch/"):
            candidate = (parse_qs(parts.query).get("v") or [None])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "v", "live"):
            candidate = segments[1]
        return Video("YouTube", candidate) if candidate and _YOUTUBE_ID.match(candidate) \
            else None
    if host == "youtu.be":
        candidate = segments[0] if segments else None
        return Video("YouTube", candidate) if candidate and _YOUTUBE_ID.match(candidate) \
            else None
    if host in _VIMEO_HOSTS:
        numeric = [s for s in segments if _VIMEO_ID.match(s)]
        if host == "player.vimeo.com" and segments[:1] != ["video"]:
            return None
        return Video("Vimeo", numeric[0]) if numeric else None
    return None


def clean(html: str) -> str:
    """`html` as it is published: repaired, videos made video blocks, presentational
    markup unwrapped or mapped, and everything outside the allow-list removed."""
    repaired = nh3.clean(
        _START_TAG.sub(_join_urls, html), tags=TAGS | CARRIED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_merge(ATTRIBUTES, CARRIED_ATTRIBUTES),
        strip_comments=True, link_rel=None, url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES)
    if not repaired.strip():
        return ""
    root = lxml.html.fragment_fromstring(repaired, create_parent="div")
    _make_video_blocks(root)
    _map_alignment(root)
    _summary_first(root)
    _lists_hold_items(root)
    for cell in root.iter("th"):  # an empty corner of a table heads nothing: a plain cell
        if not cell.text_content().strip() and not len(cell):
            cell.tag = "td"
    for field in list(root.iter("input")):  # other form fields went with inspect's warning
        if not _task_checkbox(field.get("type"), field.get("disabled")):
            field.drop_tree()
    mapped = "".join(
        [root.text or ""] + [lxml.html.tostring(child, encoding="unicode") for child in root])
    return nh3.clean(mapped, tags=TAGS, attributes=ATTRIBUTES, strip_comments=True,
                     link_rel=None, url_schemes=URL_SCHEMES,
                     filter_style_properties=STYLE_PROPERTIES,
                     set_tag_attribute_values=CHECKBOX)


def _summary_first(root) -> None:
    """HTML wants a <details>'s <summary> first: a later one moves up, a missing one (a
    translator translated the tag's name, say) is added, so that the page stays valid;
    the renderers write "Details" in it, in the reader's language (render.context.our_words)."""
    for details in root.iter("details"):
        summary = next((child for child in details if child.tag == "summary"), None)
        if summary is None:
            summary = lxml.html.Element("summary")
        elif details.index(summary) == 0 and not (details.text or "").strip():
            continue
        else:
            details.remove(summary)
            summary.tail = None
        text, details.text = details.text, None
        details.insert(0, summary)
        summary.tail = text


def _lists_hold_items(root) -> None:
    """A list holds only its items: anything else inside one (a code block CommonMark found
    between a raw <dl>'s lines, stray text) joins the item before it, or a new item where
    none is before it, which is where a browser shows it; the page and the EPUB stay valid."""
    for container in list(root.iter("ul", "ol", "dl")):
        holder = "dd" if container.tag == "dl" else "li"
        item = None  # the item that stray content joins
        if (container.text or "").strip():
            item = lxml.html.Element(holder)
            item.text, container.text = container.text, None
            container.insert(0, item)
        for child in list(container):
            if child is item:
                continue
            if child.tag == holder or (container.tag == "dl" and _is_item_of_dl(child)):
                item = child if child.tag == holder else None
                if (child.tail or "").strip():
                    text, child.tail = child.tail, None
                    if item is None:
                        item = lxml.html.Element(holder)
                        child.addnext(item)
                    _append_text(item, text)
                continue
            if item is None:
                item = lxml.html.Element(holder)
                child.addprevious(item)
            container.remove(child)  # with its tail
            item.append(child)


def _is_item_of_dl(element) -> bool:
    return element.tag == "dt" or (element.tag == "div" and len(element) > 0
                                   and all(child.tag in ("dt", "dd") for child in element))


def _append_text(element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _task_checkbox(input_type: str | None, disabled) -> bool:
    """A task list's checkbox, as the readers write it (`- [x] done`)."""
    return (input_type or "").lower() == "checkbox" and disabled is not None


# A link or source address in quotes: browsers drop the line breaks and tabs inside one
# (a long href wrapped by an editor), and so does `clean`.
_URL_ATTRIBUTE = re.compile(r"""(\s(?:href|src)\s*=\s*)("[^"]*"|'[^']*')""", re.I)


_START_TAG = re.compile(r"<[a-zA-Z][^<>]*>")  # text, code included, has its '<' escaped


def _join_urls(tag: re.Match) -> str:
    return _URL_ATTRIBUTE.sub(lambda m: m[1] + re.sub(r"[\t\r\n]", "", m[2]), tag[0])


def _merge(*maps: dict[str, set[str]]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for mapping in maps:
        for tag, names in mapping.items():
            merged[tag] = merged.get(tag, set()) | names
    return merged


def video_block(video: Video, title: str) -> lxml.html.HtmlElement:
    """The neutral video block: a division holding a paragraph with a link to the video."""
    block = lxml.html.Element("div", {"class": "video"})
    paragraph = etree.SubElement(block, "p")
    link = etree.SubElement(paragraph, "a", {"href": video.watch_url})
    link.text = title or video.default_title
    return block


def _make_video_blocks(root) -> None:
    for frame in list(root.iter("iframe")):
        video = video_of(frame.get("src") or "")
        if video is None:
            frame.drop_tree()  # inspect() warned about it, naming its host
            continue
        block = video_block(video, " ".join((frame.get("title") or "").split()))
        _replace_with_block(frame, block)
    for paragraph in list(root.iter("p")):
        video = _bare_video_link(paragraph)
        if video is not None:
            block = video_block(video, "")
            block.tail = paragraph.tail
            paragraph.getparent().replace(paragraph, block)


def _replace_with_block(element, block) -> None:
    """Put `block` where `element` is. A wrapper holding nothing else (`<div
    class="video-container"><iframe>`) is replaced as a whole; inside running text the
    block follows the paragraph (a paragraph cannot hold a division)."""
    outer = element
    while (outer.getparent().getparent() is not None
           and outer.getparent().tag in ("p", "div", "span", "center", "figure")
           and _alone_in(outer)):
        outer = outer.getparent()
    paragraph = next((a for a in outer.iterancestors() if a.tag == "p"), None)
    if paragraph is None:
        block.tail = outer.tail
        outer.getparent().replace(outer, block)
        return
    outer.drop_tree()  # keeps the text after it
    block.tail = paragraph.tail
    paragraph.tail = None
    paragraph.addnext(block)


def _alone_in(element) -> bool:
    parent = element.getparent()
    others = [child for child in parent if child is not element]
    texts = [parent.text, element.tail, *(child.tail for child in others)]
    return not others and not "".join(t or "" for t in texts).strip()


def _bare_video_link(paragraph) -> Video | None:
    """The video of a paragraph that is just its address (as text or as a link to itself)."""
    text = paragraph.text_content().strip()
    if not text or " " in text:
        return None
    children = list(paragraph)
    if not children:
        return video_of(text)
    if len(children) == 1 and children[0].tag == "a" and \
            (children[0].get("href") or "").strip().rstrip("/") == text.rstrip("/") and \
            not (paragraph.text or "").strip() and not (children[0].tail or "").strip():
        return video_of(text)
    return None


def _map_alignment(root) -> None:
    """`align` becomes `text-align` in table cells (as the tables extension writes it) and
    the theme's class `align-<value>` elsewhere."""
    for element in root.xpath("//*[@align]"):
        value = (element.attrib.pop("align") or "").strip().lower()
        if value not in ALIGNMENTS:
            continue
        if element.tag in ("td", "th"):
            if "text-align" not in (element.get("style") or ""):
                element.set("style", f"text-align: {value}")
        else:
            element.set("class", " ".join(filter(None, (element.get("class"),
                                                        f"align-{value}"))))


def link_allowed(href: str) -> bool:
    scheme = _SCHEME.match(_CONTROL.sub("", href))
    return scheme is None or scheme[1].lower() in URL_SCHEMES


class _Inspector(HTMLParser):
    """Walks one raw fragment and notes what cleaning will remove, with its offset."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.notices: list[Notice] = []
        self.removed_depth: list[str] = []  # open removed elements: their insides go with them

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, closes=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, closes=True)

    def handle_endtag(self, tag):
        if self.removed_depth and self.removed_depth[-1] == tag:
            self.removed_depth.pop()

    def _start(self, tag: str, attrs, closes: bool) -> None:
        start = self.position()
        tag_text = self.get_starttag_text() or ""
        if self.removed_depth:  # inside a removed element: reported with it
            if not closes and tag == self.removed_depth[-1]:
                self.removed_depth.append(tag)
            return
        message = _element_message(tag, dict(attrs))
        if message:
            self.notices.append(Notice(start, *message))
            if not closes and (tag in ACTIVE or tag in MEDIA or tag == "iframe") and \
                    tag not in ("embed", "input", "link", "meta", "base", "area", "track"):
                self.removed_depth.append(tag)
            return
        for name, value in attrs:
            where = start + _attribute_offset(tag_text, name)
            if name.startswith("on"):
                self.notices.append(Notice(where, f"the event handler '{name}' on <{tag}> "
                                           "is removed", "remove it: published documents "
                                           "cannot run scripts"))
            elif name in ("href", "src", "action", "formaction", "cite", "poster") and \
                    value and not link_allowed(value):
                scheme = _SCHEME.match(_CONTROL.sub("", value))[1].lower()
                fix = ("remove it: published documents cannot run scripts"
                       if scheme in ("javascript", "vbscript")
                       else "link to a web page (https://...) or to a file published "
                            "with the document")
                self.notices.append(Notice(where, f"the {scheme}: address in '{name}' on "
                                           f"<{tag}> is removed", fix))


def _element_message(tag: str, attrs: dict) -> tuple[str, str] | None:
    """(message, fix) when the element `tag` goes with its content; None when it stays or
    is only unwrapped."""
    if tag == "iframe":
        src = attrs.get("src") or ""
        if video_of(src):
            return None
        host = urlsplit(src).hostname if "//" in src else None
        return (f"the embedded frame from {host or repr(src) if src else 'nowhere'} is "
                "removed: only YouTube and Vimeo videos are embedded",
                "link to the page instead: [what it shows](https://...)")
    if tag in ("script", "noscript"):
        return f"<{tag}> is removed", "remove it: published documents cannot run scripts"
    if tag in ("style", "link", "meta", "base"):
        return f"<{tag}> is removed", "remove it: the theme styles the document"
    if tag == "input" and _task_checkbox(attrs.get("type"), "" if "disabled" in attrs else None):
        return None
    if tag in ("form", "input", "button", "select", "option", "textarea",
               "fieldset", "output", "datalist"):
        return (f"the form element <{tag}> is removed",
                "remove it: published documents cannot hold forms; link to the form's page")
    if tag in ("svg", "math"):
        return (f"inline <{tag}> is removed",
                f"save it as a file under source/images/ and show it with "
                f"![description](images/name.{'svg' if tag == 'svg' else 'png'})")
    if tag in ACTIVE or tag in MEDIA:
        return (f"<{tag}> is removed with its content",
                "link to the page or the media file instead: [description](https://...)")
    if tag not in TAGS and tag not in UNWRAPPED and tag not in CARRIED_TAGS:
        return (f"the unknown element <{tag}> is removed (the text inside it stays)",
                f"if '<{tag}>' is meant as text, write &lt;{tag}> or put it in `code`")
    return None


def _attribute_offset(tag_text: str, name: str) -> int:
    found = re.search(r"\s" + re.escape(name) + r"(?=[\s=/>]|$)", tag_text, re.I)
    return found.start() + 1 if found else 0


def inspect(raw_html: str) -> list[Notice]:
    """What cleaning removes from one fragment of raw HTML that readers would miss, each
    with its offset in the fragment (harmless attributes go without a notice)."""
    inspector = _Inspector(raw_html)
    inspector.feed(raw_html)
    inspector.close()
    return inspector.notices


# Elements whose end tag HTML lets a writer leave out; any other one left open is reported.
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
                "optgroup", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head",
                "body"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}


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
