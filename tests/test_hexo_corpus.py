"""A real corpus: the posts of hexo-theme-unit-test (tests/fixtures, MIT), written by
others for Hexo, imported as a user would (tests/hexo.py maps their front matter) and
published in all three formats: all 16 posts. Hexo's `{% tag %}` syntax, which Pressroom
cannot run, is a warning with its line and stays in the text. A remote image (three posts
show one) is a warning with its line and column, and a placeholder in every format (its
alt text and a link to its address), never fetched, until `invoke fetch-images` has made
it a local file. EPUBCheck, the Nu Html Checker, axe-core and Ace find nothing in what is
published."""

from __future__ import annotations

import zipfile

import lxml.html
import pytest
from pypdf import PdfReader

from checkers import (browser, describe_ace, describe_axe, describe_vnu, run_ace, run_axe,
                      serve, vnu_findings)
from helpers import make_project, run_epubcheck, run_publish
from hexo import hexo_posts, import_corpus

# (post, line, column, address) of every remote image, as it stands in the imported sources.
REMOTE_IMAGE_WARNINGS = [
    ("gallery-post", 25, 1, "https://via.placeholder.com/350x150.jpg"),  # a gallery photo
    ("images", 16, 1, "https://placehold.co/350x150.jpg"),
    ("markdown", 210, 1, "https://hexo.io/icon/favicon-196x196.png"),
    ("markdown", 213, 1, "https://hexo.io/icon/favicon-196x196.png"),  # a reference image
    ("markdown", 386, 19, "https://img.youtube.com/vi/ARted4RniaU/0.jpg"),  # raw <img> in <a>
    ("markdown", 391, 2, "https://img.youtube.com/vi/ARted4RniaU/0.jpg"),  # [![..](..)](..)
]
REMOTE_IMAGES = {post for post, *_ in REMOTE_IMAGE_WARNINGS}
# (post, line, tag) of every warning: Hexo's tags, as they stand in the imported sources.
TAG_WARNINGS = [
    ("tag-plugins", 18, "{% blockquote David Levithan, Wide Awake %}"),
    ("tag-plugins", 24, "{% blockquote @DevDocs "),
    ("tag-plugins", 30, "{% blockquote Seth Godin "),
    ("tag-plugins", 44, "{% codeblock Array.map %}"),
    ("tag-plugins", 50, "{% codeblock .compact "),
    ("tag-plugins", 59, "{% codeblock lang:js mark:1,7-8,10 %}"),
    ("tag-plugins", 77, "{% gist 996818 %}"),
    ("tag-plugins", 81, "{% jsfiddle ccWP7 %}"),
    ("tag-plugins", 87, "{% pullquote left %}"),
    ("tag-plugins", 95, "{% pullquote right %}"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("hexo") / "project", seed=False)
    posts = import_corpus(root / "source")
    return root, posts, run_publish(root, jobs=2)


def test_every_post_publishes_in_all_three_formats(corpus):
    root, posts, outcome = corpus
    assert len(posts) == len(hexo_posts()) == 16
    assert outcome.ok and outcome.failed == [], [str(p) for p in outcome.problems]
    assert set(outcome.written) == set(posts)
    for slug in outcome.written:
        for name in ("index.html", f"{slug}.pdf", f"{slug}.epub"):
            assert (root / "dist" / slug / name).is_file(), (slug, name)


def test_every_warning_is_known_by_post_rule_and_line(corpus):
    root, posts, outcome = corpus
    found = sorted((p.file.stem, p.rule, p.line) for p in outcome.problems)
    expected = sorted([*((post, "template-tag", line) for post, line, _ in TAG_WARNINGS),
                       *((post, "remote-image", line) for post, line, _, _ in
                         REMOTE_IMAGE_WARNINGS)])
    assert found == expected, "\n".join(map(str, outcome.problems))
    assert {p.severity for p in outcome.problems} == {"warning"}


def test_remote_images_are_warnings_and_placeholders_in_every_format(corpus):
    root, posts, outcome = corpus
    remote = sorted((p for p in outcome.problems if p.rule == "remote-image"),
                    key=lambda p: (p.file.stem, p.line))
    assert [(p.file.stem, p.line, p.column) for p in remote] == \
        [(post, line, column) for post, line, column, _ in REMOTE_IMAGE_WARNINGS]
    for problem, (_, _, _, url) in zip(remote, REMOTE_IMAGE_WARNINGS):
        assert f"image '{url}' is on the web" in problem.message, problem
        assert "invoke fetch-images" in problem.fix, problem
    dist = root / "dist"
    for post in REMOTE_IMAGES:  # no format shows (so no reader's device fetches) them
        page = (dist / post / "index.html").read_text(encoding="utf-8")
        with zipfile.ZipFile(dist / post / f"{post}.epub") as book:
            sources = [lxml.html.fromstring(page.encode("utf-8")),
                       *(lxml.html.fromstring(book.read(name)) for name in book.namelist()
                         if name.endswith(".xhtml"))]
        addresses = [value for root in sources for element in root.iter()
                     for name, value in element.attrib.items() if name in ("src", "srcset")]
        assert addresses and not [a for a in addresses if "//" in a], (post, addresses)
    page = (dist / "images" / "index.html").read_text(encoding="utf-8")
    assert ('<span class="remote-image"><span class="remote-image-label">Image not included: '
            'Small Picture</span> <a class="remote-image-url bare-url" '
            'href="https://placehold.co/350x150.jpg" rel="noreferrer">'
            'https://placehold.co/350x150.jpg</a></span>') in page
    with zipfile.ZipFile(dist / "images" / "images.epub") as book:
        chapter = book.read("EPUB/images.xhtml").decode("utf-8")
    assert "Image not included: Small Picture" in chapter
    assert 'href="https://placehold.co/350x150.jpg"' in chapter
    # An image that is a link: the placeholder inside it, the image's address after it.
    markdown = (dist / "markdown" / "index.html").read_text(encoding="utf-8")
    assert ('<a href="https://www.youtube.com/watch?v=ARted4RniaU"><span class="remote-image">'
            '<span class="remote-image-label">Image not included: IMAGE ALT TEXT HERE</span>'
            '</span></a> <a class="remote-image-url bare-url" '
            'href="https://img.youtube.com/vi/ARted4RniaU/0.jpg"') in markdown
    pdf = PdfReader(dist / "gallery-post" / "gallery-post.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Image not included: Gallery photo 4" in text
    uris = {annotation.get_object()["/A"].get("/URI") for page in pdf.pages
            for annotation in page.get("/Annots", ()) if "/A" in annotation.get_object()}
    assert "https://via.placeholder.com/350x150.jpg" in uris


def test_hexo_tags_are_warnings_with_their_line_and_stay_as_text(corpus):
    root, posts, outcome = corpus
    warnings = [p for p in outcome.problems if p.rule == "template-tag"]
    found = [(w.file.stem, w.line, w.message) for w in warnings]
    assert [(post, line) for post, line, _ in found] == \
        [(post, line) for post, line, _ in TAG_WARNINGS], "\n".join(map(str, warnings))
    for (_, _, message), (_, _, tag) in zip(found, TAG_WARNINGS):
        assert tag in message and "published as text" in message
    assert all(w.column == 1 and w.severity == "warning" and w.fix for w in warnings)


def test_hexo_video_tags_become_videos_in_all_three_formats(corpus):
    """{% youtube ID %} and {% vimeo ID %} alone on their lines are carried as video blocks
    (a click-to-play placeholder, a framed block with a QR code, a link), not as text."""
    root, posts, outcome = corpus
    folder = root / "dist" / "videos"
    page = lxml.html.parse(str(folder / "index.html")).getroot()
    assert [f.get("data-embed") for f in page.xpath('//figure[@class="video"]')] == [
        "https://www.youtube-nocookie.com/embed/TIbZDRXM-Tg?autoplay=1",
        "https://player.vimeo.com/video/82090131?autoplay=1&dnt=1"]
    assert "{%" not in page.text_content()
    pdf_text = " ".join(p.extract_text() for p in PdfReader(folder / "videos.pdf").pages)
    assert "youtu.be/TIbZDRXM-Tg" in pdf_text and "vimeo.com/82090131" in pdf_text
    with zipfile.ZipFile(folder / "videos.epub") as book:
        chapters = " ".join(book.read(n).decode() for n in book.namelist()
                            if n.endswith(".xhtml"))
    assert 'href="https://youtu.be/TIbZDRXM-Tg"' in chapters or \
        'href="https://www.youtube.com/watch?v=TIbZDRXM-Tg"' in chapters
    assert "vimeo.com/82090131" in chapters and "{%" not in chapters


def test_titles_languages_and_code_are_carried(corpus):
    root, posts, outcome = corpus
    dist = root / "dist"
    assert "<h1 class=\"title\" id=\"document-title\">No title</h1>" in \
        (dist / "no-title" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja"' in (dist / "日本語テスト" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in (dist / "中文測試" / "index.html").read_text(encoding="utf-8")
    code = (dist / "code-highlight" / "index.html").read_text(encoding="utf-8")
    assert 'class="highlight"' in code and "<script type=\"application/javascript\">" not in code


def test_checkers_find_nothing_in_what_is_published(corpus, tmp_path):
    root, posts, outcome = corpus
    books = [root / "dist" / slug / f"{slug}.epub" for slug in sorted(outcome.written)]
    reports = {}
    for start in range(0, len(books), 2):  # two JVMs at a time: the machine has two cores
        reports.update(run_epubcheck(books[start:start + 2], tmp_path))
    assert {book.parent.name: reports[book].describe() for book in books
            if reports[book].serious()} == {}
    pages = [root / "dist" / slug / "index.html" for slug in sorted(outcome.written)]
    found = vnu_findings(pages)
    assert {page.parent.name: describe_vnu(found[page.resolve()]) for page in pages
            if found[page.resolve()]} == {}


def test_a_page_with_remote_images_asks_nothing_of_other_hosts_and_passes_axe_and_ace(
        corpus, tmp_path):
    root, posts, outcome = corpus
    requested = []
    page = browser().new_page()
    page.on("request", lambda request: requested.append(request.url))
    with serve(root / "dist") as url:
        for post in sorted(REMOTE_IMAGES):
            page.goto(f"{url}{post}/index.html", wait_until="load")
        page.close()
        assert requested and [r for r in requested if not r.startswith((url, "data:"))] == []
        for post in sorted(REMOTE_IMAGES):
            for scheme in ("light", "dark"):
                violations = run_axe(f"{url}{post}/index.html", 1280, scheme)
                assert violations == [], f"{post} ({scheme}):\n{describe_axe(violations)}"
    for post in sorted(REMOTE_IMAGES):
        violations = run_ace(root / "dist" / post / f"{post}.epub", tmp_path / post)
        assert violations == [], f"{post}:\n{describe_ace(violations)}"
