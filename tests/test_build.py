"""pipeline.build.publish: check every source first, then publish each valid one atomically."""

from __future__ import annotations

import pytest

from helpers import SEED_SLUG, article, run_publish, write_source
from pipeline.build import gather as gather_module
from pipeline.build import publish as build
from pipeline.render import epub as epub_module, pdf as pdf_module, web as web_module
from pipeline.render import listing as listing_module
from pipeline.build.publish import Project, clean, gather
from pipeline.diagnostics import InvalidInput, PressroomError


def _dist_entries(root):
    """The publication folders of dist/ (and anything unexpected), without the listing."""
    dist = root / "dist"
    # besides documents: the listing, the manifest, the web pages' shared theme files
    listing = {"index.html", listing_module.ASSETS, "manifest.json", "_theme"}
    return sorted(p.name for p in dist.iterdir() if p.name not in listing) if dist.is_dir() else []


def test_gather_reads_every_source_and_writes_nothing(project_root):
    write_source(project_root, "second", article())
    documents, problems = gather(Project(project_root))
    assert problems == []
    assert [d.slug for d in documents] == [SEED_SLUG, "second"]
    assert not (project_root / "dist").exists()


def test_all_sources_are_checked_before_anything_is_rendered(project_root, monkeypatch):
    write_source(project_root, "a-first", article())
    write_source(project_root, "z-last", article())
    events = []
    real_read = gather_module.read_document

    def spy_read(path, *args):
        events.append(("read", path.stem))
        return real_read(path, *args)

    def fake_render(fmt):
        def render(doc, theme, folder):
            events.append(("render", doc.slug))
            path = folder / f"{doc.slug}.{fmt}"
            path.write_text(fmt)
            return path
        return render

    monkeypatch.setattr(gather_module, "read_document", spy_read)
    for module, fmt in ((web_module, "html"), (pdf_module, "pdf"), (epub_module, "epub")):
        monkeypatch.setattr(module, "render", fake_render(fmt))
    outcome = run_publish(project_root)
    assert outcome.ok
    kinds = [kind for kind, _ in events]
    assert kinds == ["read"] * 3 + ["render"] * 9
    assert [slug for kind, slug in events if kind == "read"] == ["a-first", SEED_SLUG, "z-last"]


def test_one_bad_source_does_not_stop_the_good_one(project_root):
    write_source(project_root, "broken", article(authors="[nobody-at-all]"))
    outcome = run_publish(project_root, ("html",))
    assert not outcome.ok
    assert outcome.failed == ["broken"]
    [problem] = outcome.problems
    assert problem.file == project_root / "source" / "broken.md"
    assert problem.line == 5 and "nobody-at-all" in problem.message
    assert (project_root / "dist" / SEED_SLUG / "index.html").is_file()
    assert list(outcome.written) == [SEED_SLUG]
    assert _dist_entries(project_root) == [SEED_SLUG]  # no broken/, no staging left


def test_all_problems_of_all_sources_are_reported(project_root):
    write_source(project_root, "one", article(date="2026-02-31"))
    write_source(project_root, "two", article(title=None, authors="[nobody]"))
    outcome = run_publish(project_root, ("html",))
    assert outcome.failed == ["one", "two"]
    assert sorted((p.file.stem, p.line) for p in outcome.problems) == [
        ("one", 4), ("two", 2), ("two", 4)]


def test_a_renderer_failure_leaves_no_trace_of_that_document(project_root, monkeypatch):
    write_source(project_root, "fails-in-epub", article())

    def failing_epub(doc, theme, folder):
        if doc.slug == "fails-in-epub":
            raise PressroomError("the EPUB could not be written")
        path = folder / f"{doc.slug}.epub"
        path.write_bytes(b"epub")
        return path

    monkeypatch.setattr(epub_module, "render", failing_epub)
    outcome = run_publish(project_root, ("html", "epub"))
    assert outcome.failed == ["fails-in-epub"]
    [problem] = outcome.problems
    assert problem.file == project_root / "source" / "fails-in-epub.md"
    assert "could not be written" in problem.message
    # Its web page was rendered before the EPUB failed, yet nothing was published.
    assert _dist_entries(project_root) == [SEED_SLUG]
    assert (project_root / "dist" / SEED_SLUG / f"{SEED_SLUG}.epub").is_file()


def test_an_inline_style_pointing_at_a_url_is_dropped_before_the_pdf_renderer(project_root):
    """Raw HTML in Markdown could point the PDF renderer at a URL with a style. Styles
    are dropped when the HTML is cleaned (harmless, without a word), so the document is
    published and nothing is fetched (the sandbox would refuse it: test_fetcher.py)."""
    write_source(project_root, "a-tracker", article(
        body='Text.\n\n<p style="background: url(\'https://example.org/pixel.png\')">Hi</p>'))
    try:
        outcome = run_publish(project_root, ("pdf",))
    except BaseException as error:  # ResourceRefused is a BaseException (FatalURLFetchingError)
        pytest.fail(f"publish raised {type(error).__module__}.{type(error).__name__}: {error}")
    assert outcome.ok and outcome.problems == [], outcome.problems
    assert _dist_entries(project_root) == ["a-tracker", SEED_SLUG]
    assert (project_root / "dist" / "a-tracker" / "a-tracker.pdf").is_file()


def test_only_builds_just_that_source(project_root):
    write_source(project_root, "other", article())
    outcome = run_publish(project_root, ("html",), only="other")
    assert list(outcome.written) == ["other"]
    assert _dist_entries(project_root) == ["other"]


def test_the_listing_is_written_after_the_documents_and_keeps_earlier_ones(project_root):
    write_source(project_root, "other", article())
    run_publish(project_root, ("html",), only=SEED_SLUG)
    outcome = run_publish(project_root, ("html",), only="other")
    assert outcome.ok and outcome.listing == project_root / "dist" / "index.html"
    text = outcome.listing.read_text(encoding="utf-8")
    assert f'href="{SEED_SLUG}/"' in text and 'href="other/"' in text


def test_a_listing_failure_is_a_problem_not_a_traceback(project_root, monkeypatch):
    def broken(*args):
        raise PressroomError("theme 'default' has no template 'listing.html'")

    monkeypatch.setattr(listing_module, "render", broken)
    outcome = run_publish(project_root, ("html",))
    assert not outcome.ok and outcome.failed == []
    [problem] = outcome.problems
    assert problem.file.name == "site.yml" and "listing.html" in problem.message
    assert (project_root / "dist" / SEED_SLUG / "index.html").is_file()


def test_single_file_follows_site_yml_unless_told(project_root):
    site = project_root / "source" / "site.yml"
    site.write_text(site.read_text().replace("paper: letter", "paper: letter\n  single_file: true"))
    single = project_root / "dist" / SEED_SLUG / f"{SEED_SLUG}.single.html"
    assert run_publish(project_root, ("html",)).ok
    assert single.is_file()
    single.unlink()
    assert run_publish(project_root, ("html",), single_file=False).ok
    assert not single.exists()
    assert run_publish(project_root, ("pdf",)).ok  # the single file comes with the web page
    assert not single.exists()


def test_only_with_an_unknown_slug_lists_the_available_ones(project_root):
    write_source(project_root, "other", article())
    with pytest.raises(PressroomError) as caught:
        run_publish(project_root, ("html",), only="can-stem-cell")
    message = str(caught.value)
    assert "no source named 'can-stem-cell.md'" in message
    assert SEED_SLUG in message and "other" in message
    assert not (project_root / "dist").exists()


def test_only_skips_problems_in_other_sources(project_root):
    write_source(project_root, "broken", article(date="never"))
    outcome = run_publish(project_root, ("html",), only=SEED_SLUG)
    assert outcome.ok


def test_theme_override(project_root):
    outcome = run_publish(project_root, ("html",), theme="classic")
    assert outcome.ok
    fonts = {p.name for p in (project_root / "dist" / "_theme" / "classic" / "fonts").iterdir()}
    assert "Literata_400Regular.ttf" in fonts
    documents, _ = gather(Project(project_root), theme="classic")
    assert {d.theme for d in documents} == {"classic"}


def test_theme_from_front_matter_without_override(project_root):
    write_source(project_root, "classic-doc", article("theme: classic"))
    documents, _ = gather(Project(project_root))
    assert {d.slug: d.theme for d in documents} == {SEED_SLUG: "default", "classic-doc": "classic"}


def test_unknown_theme_override_lists_the_themes(project_root):
    with pytest.raises(PressroomError) as caught:
        run_publish(project_root, ("html",), theme="modern")
    assert "unknown theme 'modern'" in str(caught.value)
    assert "classic" in str(caught.value) and "default" in str(caught.value)
    assert not (project_root / "dist").exists()


def test_no_sources(empty_project):
    with pytest.raises(PressroomError, match="no Markdown sources"):
        run_publish(empty_project, ("html",))


def test_a_bad_site_yml_stops_everything_with_its_problems(project_root):
    site = project_root / "source" / "site.yml"
    site.write_text(site.read_text().replace("paper: letter", "paper: legal"))
    with pytest.raises(InvalidInput) as caught:
        run_publish(project_root, ("html",))
    [problem] = caught.value.problems
    assert problem.file == site and "legal" in problem.message and problem.line
    assert not (project_root / "dist").exists()


def test_clean_removes_dist(project_root):
    run_publish(project_root, ("html",))
    assert (project_root / "dist").is_dir()
    clean(Project(project_root))
    assert not (project_root / "dist").exists()
    clean(Project(project_root))  # cleaning twice is fine


@pytest.mark.parametrize("strict", [False, True])
def test_a_page_reaches_dist_before_its_claims_are_read_unless_strict(project_root,
                                                                      monkeypatch, strict):
    """The claims stop only a --strict build, so an in-process build (the preview's) writes
    the page first: the preview shows a save a claims check sooner. --strict reads them
    before anything is written."""
    page = project_root / "dist" / SEED_SLUG / "index.html"
    written_when_read = []
    real = build.claim_findings

    def claim_findings(doc, rules):
        written_when_read.append(page.is_file())
        return real(doc, rules)

    monkeypatch.setattr(build, "claim_findings", claim_findings)
    run_publish(project_root, ("html",), jobs=1, strict=strict)
    assert written_when_read and all(seen is not strict for seen in written_when_read)
