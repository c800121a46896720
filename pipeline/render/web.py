"""Render a Document as a web page: `index.html` with its stylesheet, fonts and images beside
it, and (when asked) `<slug>.single.html`, the same page as one self-contained file."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urljoin

import lxml.html
from lxml import etree
from markupsafe import Markup

from . import fonts, i18n, metadata
from .i18n import N_
from .context import (THEME_LOGO, document_files, our_words, source_relative,
                      template_context, theme_files, video_blocks, video_name)
from ..read.document import polyglot_markup
from ..diagnostics import PressroomError
from ..models import Collection, Document
from .images import WEB_WIDTHS, capped, make_files, resizable, web_image
from .references import references_section
from .theme import Theme

SINGLE_SUFFIX = ".single.html"
# dist/_theme/<theme>/: the stylesheets, fonts, scripts and images of a theme, one copy
# that every web page of the theme links to (a copy beside each page weighed 0.27 MB).
SHARED_DIR = "_theme"
STYLESHEET_PLACEHOLDER = "pressroom-stylesheet-placeholder.css"  # its name: known after
_SHARED_REFERENCE = re.compile(r'(?:href|src)="((?:\.\./)+' + SHARED_DIR + r'/[^"#?]+)"')
_CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)")
# How wide a body image is shown: the text column (--measure, 36em of 18 px) or the screen.
IMAGE_SIZES = "(min-width: 40em) 648px, 100vw"
SINGLE_FILE_WIDTH = 960  # px: images inlined into the single file (sent by e-mail)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//)")  # an absolute URL
VIDEO_SCRIPT = "js/video.js"  # theme file: the click-to-play button of video blocks
FORMAT_LINKS = (  # (format, link text, what it is for)
    ("pdf", N_("PDF"), N_("to print")),
    ("epub", N_("EPUB"), N_("for e-readers")),
)


def single_file_name(doc: Document) -> str:
    return f"{doc.slug}{SINGLE_SUFFIX}"


def shared_href(pub: Document | Collection, theme: Theme) -> str:
    """The URL of the theme's shared folder (dist/_theme/<theme>/) from the page's folder."""
    return "../" * (pub.folder.count("/") + 1) + f"{SHARED_DIR}/{theme.name}/"


def shared_folder(pub: Document | Collection, theme: Theme, out_dir: Path) -> Path:
    """Where the theme's shared files go when the page is written into `out_dir`: the
    folder that stands for dist/ is as many levels up as the page's folder is deep."""
    root = os.path.normpath(out_dir / ("../" * (pub.folder.count("/") + 1)))
    return Path(root) / SHARED_DIR / theme.name


def render(doc: Document, theme: Theme, out_dir: Path) -> Path:
    """index.html, with the document's images beside it and the theme's files (stylesheet,
    fonts, scripts) in the folder every page of the theme shares (see shared_folder)."""
    variants: dict = {}
    body = web_body(doc, single=False, variants=variants)
    shared = shared_href(doc, theme)
    scripts = [f"{shared}{VIDEO_SCRIPT}"] if "data-embed=" in body else []
    # The stylesheet's name comes from its content (fallback faces differ by page), so
    # it is named before the page is rendered: from the page rendered without it.
    page = _page(doc, theme, lambda p: source_relative(doc, p), single=False,
                 stylesheet_href=STYLESHEET_PLACEHOLDER, inline_css=None,
                 json_ld=metadata.json_ld(doc), body=body, scripts=scripts)
    css = screen_css(theme, page, doc.lang)
    page = page.replace(STYLESHEET_PLACEHOLDER, shared + _write_theme(doc, theme, css, out_dir))
    if scripts:
        _write(shared_folder(doc, theme, out_dir) / VIDEO_SCRIPT,
                      theme.resolve(VIDEO_SCRIPT).read_bytes())
    for name, data in make_files(doc.site.source_dir, variants).items():
        _write(out_dir / name, data)
    shown_in_body = {path for path, _, _ in variants.values()}
    for path in document_files(doc):
        if path in shown_in_body and path not in _page_files(doc):
            continue  # the body shows its variants, never the original
        _write(out_dir / source_relative(doc, path),
               capped(doc.site.source_dir, path, WEB_WIDTHS[-1]))
    return _write(out_dir / "index.html", page.encode("utf-8"))


def _page_files(doc: Document) -> set:
    """Files the page shows outside its body (cover for sharing, logo, people's photos)."""
    people = (*doc.byline.authors, *doc.byline.reviewers)
    return {doc.cover, doc.byline.publisher.logo, *(p.photo for p in people)} - {None}


def render_single(doc: Document, theme: Theme, out_dir: Path) -> Path:
    """The same page as one file, for e-mail: stylesheet, fonts and images inlined (data:
    URLs); links to the other formats and to other pages are absolute."""
    css = theme.embed_files(screen_css(theme, f"{doc.title} {doc.description} {doc.body_html}",
                                       doc.lang))
    page = _page(doc, theme, _data_url, single=True, stylesheet_href=None,
                 inline_css=Markup(css.replace("</", "<\\/")),
                 logo_src=(_data_url(doc.byline.publisher.logo) if doc.byline.publisher.logo
                           else _data_url(theme.resolve(THEME_LOGO))),
                 json_ld=metadata.json_ld(doc), body=web_body(doc, single=True))
    return _write(out_dir / single_file_name(doc), page.encode("utf-8"))


def render_collection(collection: Collection, theme: Theme, out_dir: Path) -> Path:
    """dist/collections/<name>/index.html: the collection's articles in order, each linking
    to its own web page, and the collection's PDF and EPUB."""
    articles = [{"doc": doc, "href": f"../../{quote(doc.folder)}/"}
                for doc in collection.documents]
    page = _page(collection, theme, lambda p: source_relative(collection, p), single=False,
                 template="collection.html", stylesheet_href=STYLESHEET_PLACEHOLDER,
                 inline_css=None, articles=articles, home_href="../../",
                 json_ld=metadata.collection_json_ld(collection))
    css = screen_css(theme, page, collection.lang)
    page = page.replace(STYLESHEET_PLACEHOLDER, shared_href(collection, theme) +
                        _write_theme(collection, theme, css, out_dir))
    shown = (collection.byline.publisher.logo, collection.cover,
             *(person.photo for person in collection.byline.authors))  # photos: in JSON-LD
    for path in dict.fromkeys(filter(None, shown)):
        _write(out_dir / source_relative(collection, path), path.read_bytes())
    return _write(out_dir / "index.html", page.encode("utf-8"))


def screen_css(theme: Theme, page: str, lang: str) -> str:
    """The bundled screen stylesheet, its font stacks naming the fallback faces the
    page's scripts need (the reader's device draws them when it has them)."""
    text = lxml.html.document_fromstring(page.encode("utf-8")).text_content()
    return fonts.with_fallbacks(theme.stylesheet("screen"), fonts.plan(text, theme, lang))


def _write_theme(doc: Document | Collection, theme: Theme, css: str, out_dir: Path) -> str:
    """The bundled screen stylesheet and the theme files it needs, in the theme's shared
    folder; the stylesheet's name there (css/screen-<hash>.css)."""
    folder = shared_folder(doc, theme, out_dir)
    for name in theme_files(doc, theme, css):
        _write(folder / name, theme.resolve(name).read_bytes())
    data = css.encode("utf-8")
    name = f"css/screen-{hashlib.sha256(data).hexdigest()[:16]}.css"
    _write(folder / name, data)
    return name


def shared_files_used(page: Path) -> set[Path]:
    """The files of the shared theme folders the web page `page` uses: what it links to
    there, and what those stylesheets refer to."""
    used: set[Path] = set()
    text = page.read_text(encoding="utf-8", errors="replace")
    for reference in _SHARED_REFERENCE.findall(text):
        path = Path(os.path.normpath(page.parent / unquote(reference)))
        used.add(path)
        if path.suffix == ".css" and path.is_file():
            css = path.read_text(encoding="utf-8", errors="replace")
            used.update(Path(os.path.normpath(path.parent / unquote(url)))
                        for url in _CSS_URL.findall(css) if not _SCHEME.match(url))
    return used


def _page(doc: Document | Collection, theme: Theme, source_url, *, single: bool, json_ld: dict,
          template: str = "web.html", **extra) -> str:
    canonical = metadata.canonical_url(doc)
    link = (lambda name: metadata.absolute_url(doc, name)) if single else (lambda name: name)
    formats = [{"href": link(metadata.format_file(doc, fmt)),
                "label": i18n.gettext(doc.lang, label), "purpose": i18n.gettext(doc.lang, purpose),
                "type": metadata.FORMAT_TYPES[fmt]} for fmt, label, purpose in FORMAT_LINKS]
    variables = {
        "canonical_url": canonical,
        "open_graph": metadata.open_graph(doc),
        "twitter_card": metadata.twitter_card(doc),
        "json_ld": metadata.script_json(json_ld),
        "formats": formats,
        "home_href": doc.site.base_url if single else "../" * (doc.folder.count("/") + 1),
        "languages": [dict(version, href=version["url"]) if single else version
                      for version in (metadata.language_versions(doc)
                                      if isinstance(doc, Document) and doc.translations
                                      else [])],
        **extra,
    }
    return theme.render_template(
        template, **template_context(doc, theme, "screen", shared_href(doc, theme), source_url,
                                     **variables))


def _data_url(path: Path, data: bytes | None = None) -> str:
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    data = path.read_bytes() if data is None else data
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def web_body(doc: Document, single: bool, variants: dict | None = None) -> Markup:
    """The body for the web: links whose text is their own URL get the class 'bare-url'
    (the print stylesheet writes other links' URLs after them), code blocks, which
    scroll sideways on narrow screens, take the keyboard focus, and the footnotes become
    the references section. For the single file, images become data: URLs and relative
    links absolute ones. Otherwise JPEG and PNG images become responsive (see
    _responsive), and `variants` gets the files they need."""
    root = lxml.html.fragment_fromstring(str(doc.body_html), create_parent="div")
    our_words(root, doc.lang)
    for anchor in root.xpath('.//a[contains(concat(" ", @class, " "), " remote-image-url ")]'):
        anchor.set("rel", "noreferrer")  # the image's host is not told which page was read
    references_section(root, lang=doc.lang)
    images = set(doc.images)
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        if _SCHEME.match(href) and anchor.text_content().strip() in (href, href.rstrip("/")):
            anchor.set("class", " ".join(filter(None, (anchor.get("class"), "bare-url"))))
        elif single and href and not href.startswith("#") and not _SCHEME.match(href):
            anchor.set("href", urljoin(metadata.canonical_url(doc), href))
    for pre in root.iter("pre"):  # code keeps its lines and scrolls: reachable by keyboard
        pre.set("tabindex", "0")
    for block, video, title in video_blocks(root):
        block.getparent().replace(block, _video_figure(video, title, single, doc.lang))
    if single:
        for img in root.iter("img"):
            path = (doc.source_path.parent / img.get("src", "")).resolve()
            if path not in images:  # document.py checked every image: this would be our bug
                raise PressroomError(f"{doc.source_path}: image '{img.get('src')}' was not "
                                     "checked")
            img.set("src", _data_url(path, capped(doc.site.source_dir, path,
                                                  SINGLE_FILE_WIDTH)))
    elif variants is not None:
        variants.update(_responsive(doc, root))
    return Markup(polyglot_markup(root))


def _responsive(doc: Document, root) -> dict:
    """Each JPEG or PNG of the body as a <picture>: WebP variants and the original's format
    as fallback, each with srcset and sizes, its width and height (no layout shift while
    it loads) and, below the first, lazy loading. Returns the files the variants need."""
    plan: dict = {}
    images = set(doc.images)
    for index, img in enumerate(list(root.iter("img"))):
        src = img.get("src", "")
        path = (doc.source_path.parent / src).resolve()
        if path not in images or not resizable(path) or _SCHEME.match(src):
            continue
        image, files = web_image(path, src)
        plan.update(files)
        img.set("src", image.default.name)
        img.set("srcset", _srcset(image.fallback))
        img.set("sizes", IMAGE_SIZES)
        img.set("width", str(image.largest.width))
        img.set("height", str(image.largest.height))
        img.set("decoding", "async")
        if index:  # the first image may be in view when the page opens
            img.set("loading", "lazy")
        picture = lxml.html.Element("picture")
        etree.SubElement(picture, "source", type="image/webp", srcset=_srcset(image.modern),
                         sizes=IMAGE_SIZES)
        picture.tail, img.tail = img.tail, None
        img.getparent().replace(img, picture)
        picture.append(img)
    return plan


def _srcset(variants) -> str:
    return ", ".join(f"{quote(v.name)} {v.width}w" for v in variants)


def _video_figure(video, title: str, single: bool, lang: str):
    """A click-to-play placeholder: the title and a link to the video on its host; the
    theme's script shows the play button, which alone loads the player (the single file,
    for e-mail, has no script: its link is the way to the video)."""
    name = video_name(video, title, lang)
    figure = etree.Element("figure", {"class": "video"})
    if not single:
        figure.set("data-embed", video.embed_url)
        figure.set("data-title", name)
        frame = etree.SubElement(figure, "div", {"class": "video-frame", "hidden": ""})
        button = etree.SubElement(frame, "button", {"type": "button", "class": "video-play"})
        label = etree.SubElement(button, "span", {"class": "video-play-label"})
        label.text = i18n.gettext(lang, "Play the video")
        label.tail = " "
        heading = etree.SubElement(button, "span", {"class": "video-play-title"})
        heading.text = name
        heading.tail = " "
        note = etree.SubElement(button, "span", {"class": "video-privacy"})
        host = "youtube-nocookie.com" if video.host == "YouTube" else "player.vimeo.com"
        note.text = i18n.gettext(lang, "The player loads from %(host)s when you press play.") \
            % {"host": host}
    caption = etree.SubElement(figure, "figcaption")
    link = etree.SubElement(caption, "a", {"href": video.watch_url})
    link.text = (i18n.gettext(lang, "Watch on %(host)s: %(title)s") % {"host": video.host,
                                                                        "title": name}
                 if title else
                 i18n.gettext(lang, "Watch the video on %(host)s") % {"host": video.host})
    return figure


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
