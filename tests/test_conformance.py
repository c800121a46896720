"""Markdown conformance: our reader against GitHub's reference renderer (cmark-gfm).

Every example of tests/conformance/ is published through `read_document` (default dialect)
and compared, after normalising both sides (tests/conformance_suite.py), with cmark-gfm's
rendering. Every list example must match, and at least 95% of all of them. The normaliser
has its own tests below: it must make presentation choices equal and keep real differences.
"""

from __future__ import annotations

import collections

import pytest

from conformance_suite import (EXAMPLES_DIR, Outcome, Reader, compare, load_examples,
                               outline, reference_html)

EXAMPLES = load_examples()
LIST_EXAMPLES = [example for example in EXAMPLES if example.is_list]
REQUIRED_SHARE = 0.95
# The features issue 10 names; each has a data file of its own.
FEATURES = {
    "lists-nesting", "lists-lazy", "lists-after-paragraph", "lists-ordered", "lists-code",
    "blockquotes", "emphasis", "links", "reference-links", "autolinks", "hard-breaks",
    "tables", "task-lists", "strikethrough", "html-blocks", "entities", "headings",
    "thematic-breaks", "code-blocks", "code-spans",
}


@pytest.fixture(scope="session")
def reader(tmp_path_factory) -> Reader:
    return Reader(tmp_path_factory.mktemp("conformance") / "project")


@pytest.fixture(scope="session")
def outcomes(reader) -> dict[str, Outcome]:
    return {example.id: compare(example, reader) for example in EXAMPLES}


# --- the examples -------------------------------------------------------------------------


def test_the_examples_cover_every_feature_with_enough_cases():
    assert len(EXAMPLES) >= 150
    counts = collections.Counter(example.feature for example in EXAMPLES)
    assert FEATURES <= set(counts), FEATURES - set(counts)
    assert min(counts.values()) >= 5, counts
    assert len({example.id for example in EXAMPLES}) == len(EXAMPLES), "duplicate names"
    assert all(example.markdown.strip() for example in EXAMPLES)


def test_the_data_files_hide_no_whitespace():
    """Trailing spaces (hard breaks) and tabs are written as ␣ and →, so that an editor
    that trims lines cannot change an example unseen."""
    for path in EXAMPLES_DIR.glob("*.yml"):
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            assert line == line.rstrip() and "\t" not in line, f"{path.name}:{number}"


def test_the_visible_stand_ins_become_spaces_and_tabs():
    by_id = {example.id: example for example in EXAMPLES}
    assert "Clinic  \n12 High" in by_id["hard-breaks/two-spaces"].markdown
    assert "\n\t- new numbness" in by_id["lists-nesting/tab-indented-child"].markdown
    assert "<br" in reference_html(by_id["hard-breaks/two-spaces"].markdown)


@pytest.mark.parametrize("example", LIST_EXAMPLES, ids=lambda example: example.id)
def test_every_list_example_renders_as_github_renders_it(example, outcomes):
    outcome = outcomes[example.id]
    assert outcome.matches, f"{example.markdown}\n{outcome.diff()}"


def test_at_least_95_percent_of_the_examples_render_as_github_renders_them(outcomes):
    differing = [outcome for outcome in outcomes.values() if not outcome.matches]
    share = 1 - len(differing) / len(outcomes)
    report = "\n".join(f"--- {o.example.id}\n{o.diff()}" for o in differing)
    assert share >= REQUIRED_SHARE, (f"{share:.1%} of {len(outcomes)} examples match "
                                     f"(at least {REQUIRED_SHARE:.0%} must):\n{report}")


# --- the normaliser: presentation is equal ... ----------------------------------------------


@pytest.mark.parametrize("github, ours", [
    ('<p>"Yes" -- it\'s fine...</p>', "<p>\u201cYes\u201d \u2013 it\u2019s fine\u2026</p>"),
    ("<h2>Side effects</h2>",
     '<h2 id="side-effects" class="x">Side effects<a class="headerlink" href="#side-effects">'
     "\u00b6</a></h2>"),
    ("<p>MS is common.</p>", '<p><abbr title="Multiple sclerosis">MS</abbr> is common.</p>'),
    ('<pre lang="python"><code>x = 1 &lt; 2\n</code></pre>',
     '<div class="highlight"><pre><span></span><code><span class="n">x</span> '
     '<span class="o">=</span> 1 &lt; 2\n</code></pre></div>'),
    ('<ul>\n<li><input type="checkbox" checked="" disabled="" /> done</li>\n</ul>',
     '<ul class="task-list"><li class="task"><span role="checkbox" aria-checked="true" '
     'aria-label="done"></span> done</li></ul>'),
    ('<ul><li><input type="checkbox" disabled="" /> to do</li></ul>',
     "<ul><li>\u2610 to do</li></ul>"),
    ("<p><del>wrong</del></p>", "<p><s>wrong</s></p>"),
    ('<table><thead><tr><th align="center">a</th></tr></thead></table>',
     '<table><thead><tr><th style="text-align: center;">a</th></tr></thead><tbody></tbody>'
     "</table>"),
    ("<table><tr><td>a</td></tr></table>", "<table><tbody><tr><td>a</td></tr></tbody></table>"),
    ("<ol>\n<li>one</li>\n</ol>\n<p>after</p>\n", '<ol start="1"><li>one</li></ol><p>after</p>'),
    ('<p><a href="https://example.org/a%20b">x</a></p>',
     '<p><a href="https://example.org/a b" rel="nofollow">x</a></p>'),
    ("<p>a<br />\nb</p>", "<p>a<br/>b</p>"),
    ("<p>one</p>\n<!-- note -->\n", "<p>one</p>"),
    ('<ul>\n<li><input type="checkbox" disabled="" /> book a visit</li>\n</ul>',
     '<ul class="contains-task-list"><li class="task-list-item"><input type="checkbox" '
     'class="task-list-item-checkbox" id="t1" disabled="disabled"><label for="t1">book a '
     "visit</label></li></ul>"),
    ("<h3>Dose</h3><p>(c) 2026</p>",
     '<h3 id="dose">Dose <a class="header-anchor" href="#dose">#</a></h3><p>\u00a9 2026</p>'),
], ids=["typography", "heading-anchor-and-id", "abbr", "pygments", "task-aria", "task-glyph",
        "s-for-del", "alignment-style", "implied-tbody", "start-one", "percent-encoding",
        "break-whitespace", "comment", "task-label", "header-anchor-and-symbol"])
def test_the_normaliser_makes_presentation_choices_equal(github, ours):
    assert outline(github) == outline(ours)


# --- ... and real differences are not ----------------------------------------------------------


@pytest.mark.parametrize("github, ours", [
    ("<ul><li>parent<ul><li>child</li></ul></li></ul>", "<ul><li>parent</li><li>child</li></ul>"),
    ("<p>This is <del>wrong</del>.</p>", "<p>This is wrong.</p>"),
    ("<p>This is <del>wrong</del>.</p>", "<p>This is ~~wrong~~.</p>"),
    ("<p>Things to bring:</p><ul><li>your medicines</li></ul>",
     "<p>Things to bring: - your medicines</p>"),
    ("<ul><li>tight</li></ul>", "<ul><li><p>tight</p></li></ul>"),
    ("<pre><code>a\n  b\n</code></pre>", "<pre><code>a\nb\n</code></pre>"),
    ("<pre><code>code\n</code></pre>", "<p><code>code</code></p>"),
    ('<p><a href="https://a.org/">x</a></p>', '<p><a href="https://b.org/">x</a></p>'),
    ('<p><a href="/x" title="Leaflet">x</a></p>', '<p><a href="/x">x</a></p>'),
    ('<table><tr><td align="right">1</td></tr></table>', "<table><tr><td>1</td></tr></table>"),
    ('<ul><li><input type="checkbox" checked="" /> done</li></ul>',
     '<ul><li><input type="checkbox" /> done</li></ul>'),
    ("<ul><li><input type='checkbox' /> to do</li></ul>", "<ul><li>[ ] to do</li></ul>"),
    ('<ol start="3"><li>rest</li></ol>', "<ol><li>rest</li></ol>"),
    ("<p>5\u00a0mg</p>", "<p>5 mg</p>"),
    ("<p>a<br />b</p>", "<p>a\\ b</p>"),
    ("<p><em>a</em> <strong>b</strong></p>", "<p><strong>a</strong> <em>b</em></p>"),
    ("<h2>Title</h2>", "<h3>Title</h3>"),
    ('<p><img src="images/a.png" alt="A pill" /></p>', '<p><img src="images/a.png" alt="" /></p>'),
    ("<div><p><strong>Note</strong></p></div>", "<div>**Note**</div>"),
], ids=["flattened-list", "missing-del", "raw-tildes", "list-after-paragraph-as-text",
        "tight-vs-loose", "code-indentation", "block-vs-inline-code", "href", "title",
        "alignment", "task-state", "task-as-text", "start", "no-break-space", "hard-break",
        "emphasis-kind", "heading-level", "alt-text", "markdown-in-html-block"])
def test_the_normaliser_keeps_real_differences(github, ours):
    assert outline(github) != outline(ours)
