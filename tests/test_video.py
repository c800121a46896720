"""Videos in every format: the rich-features document embeds a YouTube iframe (in a
wrapper division, as CMSs write it) and a bare Vimeo link. The web page shows a
click-to-play placeholder that asks nothing of the host until the reader presses play;
the PDF a framed block with the title, the short address and a QR code; the EPUB a link.
vnu, axe, EPUBCheck and Ace see the same page in tests/test_web_checkers.py and
tests/test_epub_checkers.py."""

from __future__ import annotations

import re

import lxml.html
from pypdf import PdfReader

from checkers import browser, serve
from helpers import RICH_SLUG, epub_chapter, pages_text

YOUTUBE_WATCH = "https://www.youtube.com/watch?v=TIbZDRXM-Tg"
TITLE = "Living with MS: a nurse explains"
VIDEO_HOSTS = re.compile(r"youtube|youtu\.be|ytimg|vimeo|googlevideo|doubleclick")


def _page(feature_build):
    return feature_build.out(RICH_SLUG) / "index.html"


def test_web_page_names_each_video_and_links_to_it_without_loading_anything(feature_build):
    page = _page(feature_build)
    tree = lxml.html.parse(str(page)).getroot()
    figures = tree.xpath('//figure[@class="video"]')
    assert [f.get("data-embed") for f in figures] == [
        "https://www.youtube-nocookie.com/embed/TIbZDRXM-Tg?autoplay=1",
        "https://player.vimeo.com/video/82090131?autoplay=1&dnt=1"]
    assert [f.findtext("figcaption/a") for f in figures] == [
        f"Watch on YouTube: {TITLE}", "Watch the video on Vimeo"]
    assert figures[0].find("figcaption/a").get("href") == YOUTUBE_WATCH
    assert figures[0].xpath('string(.//button[@type="button"])').startswith("Play the video")
    # Nothing on the page refers to a host but the links: no iframe, image or preconnect.
    loaded = [value for element in tree.iter() if element.tag != "a"
              for name, value in element.attrib.items() if name in ("src", "href", "srcset")]
    assert not [url for url in loaded if VIDEO_HOSTS.search(url)]
    script = tree.xpath('//script[@src="../_theme/default/js/video.js"]')
    assert script and script[0].get("defer") is not None
    assert (page.parent.parent / "_theme" / "default" / "js" / "video.js").is_file()


def test_a_page_without_video_loads_no_script(feature_build):
    seed = feature_build.out() / "index.html"
    assert "video.js" not in seed.read_text(encoding="utf-8")  # (the shared folder has it)


def test_the_player_loads_only_when_the_reader_presses_play(feature_build):
    requests: list[str] = []
    with serve(feature_build.root / "dist") as base:
        page = browser().new_page()
        try:
            page.route(VIDEO_HOSTS, lambda route: (requests.append(route.request.url),
                                                   route.abort()))
            page.goto(f"{base}{RICH_SLUG}/index.html", wait_until="load")
            page.wait_for_timeout(300)
            assert requests == []  # nothing asked of YouTube or Vimeo yet
            button = page.get_by_role("button", name=re.compile(f"Play the video {TITLE}"))
            assert button.is_visible()
            button.focus()
            page.keyboard.press("Enter")  # by keyboard
            frame = page.locator("figure.video iframe").first
            frame.wait_for(state="attached")
            assert frame.get_attribute("src") == (
                "https://www.youtube-nocookie.com/embed/TIbZDRXM-Tg?autoplay=1")
            assert frame.get_attribute("title") == TITLE
            assert page.evaluate("document.activeElement.tagName") == "IFRAME"
            page.wait_for_timeout(300)
            assert requests and all("youtube-nocookie.com" in url for url in requests)
        finally:
            page.close()


def test_without_the_script_the_link_remains(feature_build):
    with serve(feature_build.root / "dist") as base:
        context = browser()
        page = context.new_page()
        try:
            page.route("**/video.js", lambda route: route.abort())
            page.goto(f"{base}{RICH_SLUG}/index.html", wait_until="load")
            assert page.get_by_role("button", name=re.compile("Play the video")).count() == 0
            link = page.get_by_role("link", name=f"Watch on YouTube: {TITLE}")
            assert link.is_visible() and link.get_attribute("href") == YOUTUBE_WATCH
        finally:
            page.close()


def test_pdf_shows_a_framed_block_with_title_short_address_and_qr_code(feature_build):
    pdf = feature_build.file(RICH_SLUG, "pdf")
    text = " ".join(pages_text(pdf))
    assert f"Video: {TITLE} youtu.be/TIbZDRXM-Tg" in text
    assert "A video on Vimeo vimeo.com/82090131" in text
    links = [annotation.get_object()["/A"].get("/URI")
             for page in PdfReader(pdf).pages for annotation in page.get("/Annots") or ()
             if "/A" in annotation.get_object()]
    assert "https://youtu.be/TIbZDRXM-Tg" in links and "https://vimeo.com/82090131" in links


def test_pdf_and_epub_show_details_open(feature_build):
    chapter = epub_chapter(feature_build.file(RICH_SLUG, "epub"), RICH_SLUG)
    details = chapter.find(".//{*}details")
    assert details.get("open") == "open"
    assert "What the videos cover" in " ".join(pages_text(feature_build.file(RICH_SLUG, "pdf")))
    assert "captions are on" in " ".join(pages_text(feature_build.file(RICH_SLUG, "pdf")))


def test_epub_gives_the_title_as_a_link(feature_build):
    chapter = epub_chapter(feature_build.file(RICH_SLUG, "epub"), RICH_SLUG)
    links = {a.get("href"): "".join(a.itertext()) for a in chapter.iter("{*}a")}
    assert links[YOUTUBE_WATCH] == TITLE
    assert links["https://vimeo.com/82090131"] == "Watch the video on Vimeo"
    assert not chapter.findall(".//{*}iframe") and not chapter.findall(".//{*}script")
