"""What every template gets: the document, the medium, and how to link to files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from .. import __version__
from ..diagnostics import PressroomError
from ..models import Collection, Document, articles_of
from . import i18n
from ..read.sanitise import Video, video_of
from .theme import Theme

THEME_LOGO = "images/logo.svg"
# A link from one article to another's web page: '../slug/', '../slug/index.html#id'.
ARTICLE_LINK = re.compile(r"^\.\./(?P<slug>[^/#?]+)/?(?:index\.html)?(?:#(?P<fragment>.+))?$")


def video_blocks(root) -> list[tuple[object, Video, str]]:
    """The video blocks of a body (as sanitise.clean writes them), each with its video and
    its title ("" when the source gave none), for the renderer to draw in its medium."""
    found = []
    for block in root.xpath('.//div[@class="video"]'):
        link = block.find("p/a")
        video = video_of(link.get("href") or "") if link is not None else None
        if video is not None:
            title = " ".join(link.text_content().split())
            found.append((block, video, "" if title == video.default_title else title))
    return found


def video_name(video: Video, title: str, lang: str) -> str:
    """What a video is called: its title, or 'Video on YouTube' in the reader's language."""
    return title or i18n.gettext(lang, "Video on %(host)s") % {"host": video.host}


def words_around(message: str, placeholder: str) -> tuple[str, str]:
    """The translated text before and after `placeholder` in `message` (an element is drawn
    there, a link say), so that a translation may put it where its grammar wants it."""
    before, _, after = message.partition(placeholder)
    return before, after


def our_words(root, lang: str) -> None:
    """The words a parsed body gets in the reader's language (changed in place): a
    <details> without a summary opens with 'Details', a footnote's back link is titled
    'Back to reference 2', the placeholder of an image on the web (as
    read.images.remote_image_placeholders wrote it) says 'Image not included', with the
    image's alt text when it has one."""
    for label in root.xpath('.//span[@class="remote-image-label"]'):
        alt = " ".join(label.text_content().split())
        label.text = (i18n.gettext(lang, "Image not included: %(alt)s") % {"alt": alt} if alt
                      else i18n.gettext(lang, "Image not included"))
    for summary in root.iter("summary"):
        if not summary.text_content().strip() and not len(summary):
            summary.text = i18n.gettext(lang, "Details")
    for number, item in enumerate(root.xpath('.//div[@class="footnote"]/ol/li'), 1):
        for link in item.xpath('.//a[@class="footnote-backref"]'):
            link.set("title", i18n.gettext(lang, "Back to reference %(number)d")
                     % {"number": number})


def source_relative(doc: Document, path: Path) -> str:
    """`path` (inside source/) as a URL relative to the document's own folder."""
    return path.relative_to(doc.site.source_dir).as_posix()


def document_files(doc: Document | Collection) -> list[Path]:
    """Every file under source/ that the document (or every article of the collection)
    shows: images, photos, logo, cover."""
    candidates = [doc.cover, doc.byline.publisher.logo]
    for member in articles_of(doc):
        candidates += [member.cover, *member.images,
                       *(p.photo for p in (*member.byline.authors, *member.byline.reviewers))]
    files: list[Path] = []
    root = doc.site.source_dir.resolve()
    for path in candidates:
        if path and path not in files:
            # Checked when the document was read; checked again here, right before the web
            # page's copier and the EPUB's packer read it (a link may have changed since).
            if not path.resolve().is_relative_to(root):
                raise PressroomError(f"refused to read {path}: it is outside source/")
            files.append(path)
    return files


def theme_files(doc: Document, theme: Theme, css: str) -> list[str]:
    """Theme-relative names of the theme files a page in this medium needs."""
    files = theme.stylesheet_files(css)
    if doc.byline.publisher.logo is None:
        files.append(THEME_LOGO)
    return files


def template_context(doc: Document | Collection, theme: Theme, medium: str, theme_base: str,
                     source_url: Callable[[Path], str], **extra) -> dict:
    """The variables shared by the web, print and EPUB templates.

    `theme_base` is the URL prefix of the theme's files for this medium, and
    `source_url` turns a file under source/ into a URL the medium can load.
    """
    logo = doc.byline.publisher.logo
    return {
        "doc": doc,
        "medium": medium,
        "version": __version__,
        "source_url": source_url,
        "logo_src": source_url(logo) if logo else theme_base + THEME_LOGO,
        "id_prefix": "",  # a collection's PDF prefixes each article's ids with its own
        "lang": doc.lang,  # the language of our own words (templates' _())
        "dir": i18n.direction(doc.lang),
        **extra,
    }
