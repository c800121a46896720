"""A real corpus: the posts of hexo-theme-unit-test (tests/fixtures, MIT), written by
others for Hexo, imported as a user would (tests/hexo.py maps their front matter) and
published in all three formats. Each post publishes; Hexo's `{% tag %}` syntax, which
Pressroom cannot run, is a warning with its line and stays in the text. A remote image
(three posts show one) is a clear message with its line, not a crash, until `invoke
fetch-images` has made it a local file. EPUBCheck and the Nu Html Checker find nothing
in what is published."""

from __future__ import annotations

import pytest

from checkers import describe_vnu, vnu_findings
from helpers import make_project, run_epubcheck, run_publish
from hexo import hexo_posts, import_corpus

REMOTE_IMAGES = {"gallery-post", "images", "markdown"}  # they show https:// images
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
    ("videos", 12, "{% youtube TIbZDRXM-Tg %}"),
    ("videos", 16, "{% vimeo 82090131 %}"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("hexo") / "project", seed=False)
    posts = import_corpus(root / "source")
    return root, posts, run_publish(root, jobs=2)


def test_every_post_publishes_but_those_showing_remote_images(corpus):
    root, posts, outcome = corpus
    assert len(posts) == len(hexo_posts()) == 16
    assert set(outcome.failed) <= REMOTE_IMAGES
    assert set(outcome.written) == set(posts) - set(outcome.failed)
    for slug in outcome.written:
        for name in ("index.html", f"{slug}.pdf", f"{slug}.epub"):
            assert (root / "dist" / slug / name).is_file(), (slug, name)
    errors = [p for p in outcome.problems if p.severity == "error"]
    for error in errors:  # a clear message with its line: the image is on the web
        assert error.file.stem in REMOTE_IMAGES and error.line, error
        assert "https://" in error.message and "invoke fetch-images" in error.message, error
        assert "Traceback" not in str(error) and "internal error" not in str(error)


def test_hexo_tags_are_warnings_with_their_line_and_stay_as_text(corpus):
    root, posts, outcome = corpus
    warnings = [p for p in outcome.problems if p.severity == "warning"]
    found = [(w.file.stem, w.line, w.message) for w in warnings]
    assert [(post, line) for post, line, _ in found] == \
        [(post, line) for post, line, _ in TAG_WARNINGS], "\n".join(map(str, warnings))
    for (_, _, message), (_, _, tag) in zip(found, TAG_WARNINGS):
        assert tag in message and "published as text" in message
    assert all(w.column == 1 and w.rule == "template-tag" and w.fix for w in warnings)
    videos = (root / "dist" / "videos" / "index.html").read_text(encoding="utf-8")
    assert "{% youtube TIbZDRXM-Tg %}" in videos and "{% vimeo 82090131 %}" in videos


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
