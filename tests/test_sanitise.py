"""pipeline.read.sanitise: raw HTML cleaned (not refused), what cleaning removes reported
with its offset, and videos found; pipeline.read.foreign: other tools' template tags."""

from __future__ import annotations

import pytest

from helpers import article
from pipeline.read.foreign import template_tags
from pipeline.read.sanitise import clean, inspect, video_of


@pytest.mark.parametrize("url, host, video_id", [
    ("https://www.youtube.com/watch?v=TIbZDRXM-Tg", "YouTube", "TIbZDRXM-Tg"),
    ("https://youtube.com/watch?v=TIbZDRXM-Tg&t=30s", "YouTube", "TIbZDRXM-Tg"),
    ("https://m.youtube.com/watch?feature=share&v=TIbZDRXM-Tg", "YouTube", "TIbZDRXM-Tg"),
    ("https://www.youtube-nocookie.com/embed/TIbZDRXM-Tg?rel=0", "YouTube", "TIbZDRXM-Tg"),
    ("https://www.youtube.com/embed/TIbZDRXM-Tg", "YouTube", "TIbZDRXM-Tg"),
    ("https://youtu.be/TIbZDRXM-Tg", "YouTube", "TIbZDRXM-Tg"),
    ("https://www.youtube.com/shorts/TIbZDRXM-Tg", "YouTube", "TIbZDRXM-Tg"),
    ("//www.youtube.com/embed/TIbZDRXM-Tg", "YouTube", "TIbZDRXM-Tg"),
    ("https://vimeo.com/82090131", "Vimeo", "82090131"),
    ("https://player.vimeo.com/video/82090131?h=abc", "Vimeo", "82090131"),
])
def test_video_of_knows_youtube_and_vimeo_addresses(url, host, video_id):
    video = video_of(url)
    assert (video.host, video.id) == (host, video_id)


@pytest.mark.parametrize("url", [
    "https://www.youtube.com/", "https://www.youtube.com/channel/UCabc", "https://vimeo.com/",
    "https://example.org/embed/TIbZDRXM-Tg", "javascript:alert(1)//youtu.be/abcdefg",
    "https://youtube.com.evil.example/embed/TIbZDRXM-Tg", "https://youtu.be/",
    "https://player.vimeo.com/api/82090131", "https://www.youtube.com/watch?v=<script>",
])
def test_video_of_refuses_other_addresses(url):
    assert video_of(url) is None


def test_harmless_attributes_go_quietly_and_safe_ones_stay():
    raw = ('<a href="https://example.org/" target="_blank" rel="noopener noreferrer" '
           'class="button" data-x="1" style="color: red">site</a>'
           '<img src="images/a.png" alt="A" width="40" height="30" loading="lazy">'
           '<table><tr><td colspan="2" rowspan="1" align="right">1</td></tr></table>'
           '<abbr title="multiple sclerosis" lang="en" dir="ltr" id="ms">MS</abbr>')
    assert inspect(raw) == []
    html = clean(raw)
    assert '<a href="https://example.org/" class="button">site</a>' in html
    assert 'target' not in html and 'rel=' not in html and 'style="color' not in html
    assert '<img src="images/a.png" alt="A" width="40" height="30">' in html
    assert '<td colspan="2" rowspan="1" style="text-align:right">1</td>' in html
    assert '<abbr title="multiple sclerosis" lang="en" dir="ltr" id="ms">MS</abbr>' in html


def test_everyday_elements_are_carried_and_presentational_ones_unwrapped():
    raw = ('<details open><summary>More</summary>Text</details><kbd>Ctrl</kbd>'
           '<mark>m</mark><ins>i</ins><del>d</del><sub>2</sub><sup>3</sup>'
           '<figure><img src="a.png" alt="A"><figcaption>Cap</figcaption></figure>'
           '<center><font color="red" face="Comic Sans">Big</font></center>'
           '<p align="center">Mid</p>'
           '<picture><source srcset="a.webp" type="image/webp"><img src="a.jpg" alt="J">'
           '</picture>')
    assert inspect(raw) == []
    html = clean(raw)
    for kept in ('<details open=""><summary>More</summary>Text</details>', "<kbd>Ctrl</kbd>",
                 "<mark>m</mark>", "<ins>i</ins>", "<del>d</del>", "<sub>2</sub>",
                 "<sup>3</sup>", "<figcaption>Cap</figcaption>",
                 '<p class="align-center">Mid</p>', '<img src="a.jpg" alt="J">'):
        assert kept in html
    assert "Big" in html and "<center" not in html and "<font" not in html
    assert "source" not in html and "picture" not in html


def test_active_content_is_removed_with_its_offset():
    raw = ('<p>Hi <b onmouseover="steal()">you</b></p>\n'
           '<script>alert(1)</script><style>p{}</style>\n'
           '<a href="javascript:alert(1)">x</a><a href=" JaVa\tScRiPt:alert(2)">y</a>\n'
           '<form action="/f"><input name="q"><button>Go</button></form>\n'
           '<object data="x.swf"></object><embed src="x.swf">\n'
           '<iframe src="https://maps.example.com/embed?pb=1"></iframe>')
    notices = inspect(raw)
    found = [(raw[n.offset:n.offset + 12], n.message) for n in notices]
    assert found == [
        ('onmouseover=', "the event handler 'onmouseover' on <b> is removed"),
        ("<script>aler", "<script> is removed"),
        ("<style>p{}</", "<style> is removed"),
        ('href="javasc', "the javascript: address in 'href' on <a> is removed"),
        ('href=" JaVa\t', "the javascript: address in 'href' on <a> is removed"),
        ('<form action', "the form element <form> is removed"),
        ('<object data', "<object> is removed with its content"),
        ('<embed src="', "<embed> is removed with its content"),
        ('<iframe src=', "the embedded frame from maps.example.com is removed: only "
                         "YouTube and Vimeo videos are embedded"),
    ]
    assert all(n.severity == "warning" and n.fix for n in notices)
    html = clean(raw)
    for gone in ("onmouseover", "alert", "p{}", "javascript", "<form", "<input", "<button",
                 "<object", "<embed", "<iframe", "maps.example"):
        assert gone.lower() not in html.lower()
    assert "Hi <b>you</b>" in html and ">x</a>" in html


def test_an_unknown_element_loses_its_tag_with_a_warning_and_keeps_its_text():
    raw = "Press <Ctrl> and <x-note>this</x-note>."
    assert [(raw[n.offset:n.offset + 6], n.message) for n in inspect(raw)] == [
        ("<Ctrl>", "the unknown element <ctrl> is removed (the text inside it stays)"),
        ("<x-not", "the unknown element <x-note> is removed (the text inside it stays)")]
    assert "&lt;ctrl>" in inspect(raw)[0].fix
    assert clean(raw) == "Press  and this."


def test_malformed_html_is_repaired_as_browsers_do():
    # An href split over two lines, an unclosed <b>, misnested tags, a stray end tag.
    raw = '<p><a href="https://example.org/a-long-\npath">link</a> <b>bold <i>both</b> i</i></p></div>'
    assert inspect(raw) == []
    html = clean(raw)
    assert clean('<pre><code>x = \'<a href="a\nb">\'</code></pre>'.replace("<a", "&lt;a")) \
        == '<pre><code>x = \'&lt;a href="a\nb"&gt;\'</code></pre>'  # code keeps its lines
    assert html == ('<p><a href="https://example.org/a-long-path">link</a> '
                    '<b>bold <i>both</i></b><i> i</i></p>')


def test_video_iframes_and_bare_links_become_video_blocks():
    html = clean(
        '<div class="video-container"><iframe src="https://www.youtube-nocookie.com/embed/'
        'TIbZDRXM-Tg" title="How MS   is treated" allowfullscreen></iframe></div>'
        '<p>https://youtu.be/abcdefghijk</p>'
        '<p><a href="https://vimeo.com/82090131">https://vimeo.com/82090131</a></p>'
        '<p>Watch <iframe src="https://player.vimeo.com/video/1234"></iframe> here.</p>'
        '<p>See https://youtu.be/abcdefghijk for more.</p>')
    assert html == (
        '<div class="video"><p><a href="https://www.youtube.com/watch?v=TIbZDRXM-Tg">'
        'How MS is treated</a></p></div>'
        '<div class="video"><p><a href="https://www.youtube.com/watch?v=abcdefghijk">'
        'Video on YouTube</a></p></div>'
        '<div class="video"><p><a href="https://vimeo.com/82090131">Video on Vimeo</a></p></div>'
        '<p>Watch  here.</p>'
        '<div class="video"><p><a href="https://vimeo.com/1234">Video on Vimeo</a></p></div>'
        '<p>See https://youtu.be/abcdefghijk for more.</p>')


def test_template_tags_are_found_with_their_offset_and_what_to_write():
    text = "Intro {% youtube TIbZDRXM-Tg %} and {% blockquote A %}q{% endblockquote %} {{< x >}}"
    notices = template_tags(text)
    assert [text[n.offset:n.offset + 4] for n in notices] == ["{% y", "{% b", "{{< "]
    assert "video link alone on its line" in notices[0].fix
    assert "start each line with '> '" in notices[1].fix
    assert template_tags("Braces {like this} and 100% {sure}.") == []


def test_a_document_with_warnings_is_read_and_they_carry_line_and_column(reader_doc):
    doc = reader_doc(article(body="Intro.\n\n```\n{% not in code %}\n```\n\n"
                                  "Text {% gist 996818 %} and <b onclick='x()'>b</b>.\n\n"
                                  "{% jsfiddle ccWP7 %}"))
    assert [(w.line, w.column, w.rule) for w in doc.warnings] == [
        (14, 6, "template-tag"), (14, 31, "raw-html"), (16, 1, "template-tag")]
    for tag in ("{% gist 996818 %}", "{% jsfiddle ccWP7 %}"):
        assert tag in str(doc.body_html)  # shown as text, not dropped (nor read as {attrs})
    assert "onclick" not in str(doc.body_html)


@pytest.fixture
def reader_doc(empty_project):
    from pipeline.read.config import load_people, load_site
    from pipeline.read.document import read_document
    from pipeline.render.theme import theme_names
    from helpers import write_source

    source = empty_project / "source"

    def read(text: str):
        path = write_source(empty_project, "doc", text)
        return read_document(path, load_site(source), load_people(source),
                             theme_names(empty_project / "themes"))
    return read


@pytest.mark.parametrize("raw, expected", [
    # a translator translated <summary> (and the closing tag): the content gets a summary
    ("<details><p>hidden</p></details>", "<details><summary></summary><p>hidden</p>"),
    ("<details>text<summary>Open</summary></details>", "<details><summary>Open</summary>text"),
    ("<details><summary>Open</summary>body</details>", "<details><summary>Open</summary>body"),
])
def test_a_details_always_opens_with_its_summary(raw, expected):
    assert clean(raw).startswith(expected)


@pytest.mark.parametrize("raw, expected", [
    # CommonMark ends a raw <dl> at its blank line: the indented lines after it are a code
    # block between the list's lines, which joins the item before it.
    ("<dl>\n<dt>A</dt>\n<dd>B</dd>\n<div><pre>code</pre></div>\n</dl>",
     "<dl>\n<dt>A</dt>\n<dd>B<div><pre>code</pre></div>\n</dd>\n</dl>"),
    ("<dl><dt>A</dt>text<p>more</p></dl>", "<dl><dt>A</dt><dd>text<p>more</p></dd></dl>"),
    ("<ul>lead<li>a</li><p>para</p> tail</ul>", "<ul><li>lead</li><li>a<p>para</p> tail</li></ul>"),
    ("<dl><div><dt>a</dt><dd>b</dd></div></dl>", "<dl><div><dt>a</dt><dd>b</dd></div></dl>"),
    ("<ol>\n<li>a</li>\n<li>b</li>\n</ol>", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
])
def test_a_list_holds_only_its_items(raw, expected):
    assert clean(raw) == expected


def test_an_empty_header_cell_is_a_plain_cell():
    # A table's empty top-left corner, as Markdown tables write it: it heads nothing, and
    # screen readers would announce an empty header (axe-core's empty-table-header).
    html = clean("<table><thead><tr><th></th><th>ASCII</th><th><b>HTML</b></th></tr></thead>"
                 "<tbody><tr><th> </th><td>x</td><td></td></tr></tbody></table>")
    assert html == ("<table><thead><tr><td></td><th>ASCII</th><th><b>HTML</b></th></tr></thead>"
                    "<tbody><tr><td> </td><td>x</td><td></td></tr></tbody></table>")
