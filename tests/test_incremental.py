"""Incremental and parallel builds, and dist/manifest.json."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helpers import SEED_SLUG, article, make_png, make_project, run_publish, write_source
from pipeline.build import manifest as manifest_module
from pipeline.build import plan as plan_module


def statuses(outcome) -> dict[tuple[str, str], str]:
    return {(r.slug, r.format): r.status for r in outcome.results}


def test_nothing_changed_parses_nothing_rebuilds_nothing_and_force_rebuilds_all(tmp_path):
    root = make_project(tmp_path / "project")
    first = run_publish(root)
    assert set(statuses(first).values()) == {"built"}
    assert first.read == [f"{SEED_SLUG}.md"]
    epub = root / "dist" / SEED_SLUG / f"{SEED_SLUG}.epub"
    listing = root / "dist" / "index.html"
    stamps = epub.stat().st_mtime_ns, listing.stat().st_mtime_ns
    second = run_publish(root)
    assert set(statuses(second).values()) == {"up to date"}
    assert second.read == []  # decided from the manifest: no Markdown parsed
    assert (epub.stat().st_mtime_ns, listing.stat().st_mtime_ns) == stamps
    forced = run_publish(root, force=True)
    assert set(statuses(forced).values()) == {"built"} and forced.read == [f"{SEED_SLUG}.md"]


def test_a_touched_file_is_hashed_not_rebuilt(tmp_path):
    root = make_project(tmp_path / "project")
    run_publish(root)
    seed = root / "source" / f"{SEED_SLUG}.md"
    os.utime(seed, ns=(seed.stat().st_atime_ns, seed.stat().st_mtime_ns + 10**9))
    assert set(statuses(run_publish(root)).values()) == {"up to date"}


@pytest.fixture
def two_articles(tmp_path):
    """The seed and 'other' (which shows images/chart.png), both by Becky Palmer, built."""
    root = make_project(tmp_path / "project")
    make_png(root / "source" / "images" / "chart.png")
    write_source(root, "other", article(body="![A chart](images/chart.png)\n"))
    assert run_publish(root).ok
    return root


def rebuilt(root, **options):
    """The sources a publish read and the publications it rendered."""
    outcome = run_publish(root, **options)
    assert outcome.ok, outcome.problems
    built = sorted({slug for (slug, _), status in statuses(outcome).items() if status == "built"})
    return sorted(Path(name).stem for name in outcome.read), built


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BOTH = sorted(["other", SEED_SLUG])


def test_an_edited_source_rebuilds_that_source_only(two_articles):
    edit(two_articles / "source" / f"{SEED_SLUG}.md", "In one answer, no,", "In short, no,")
    assert rebuilt(two_articles) == ([SEED_SLUG], [SEED_SLUG])
    assert rebuilt(two_articles) == ([], [])


def test_an_image_rebuilds_the_documents_that_show_it(two_articles):
    make_png(two_articles / "source" / "images" / "chart.png", colour=(0, 0, 255))
    assert rebuilt(two_articles) == (["other"], ["other"])


def test_authors_yml_rebuilds_the_documents_of_the_changed_entry_only(two_articles):
    authors = two_articles / "source" / "authors.yml"
    authors.write_text(authors.read_text() + "\nsomeone-else:\n  name: Someone Else\n")
    assert rebuilt(two_articles) == ([], [])  # an entry nobody uses
    edit(authors, "role: Medical professional", "role: Nurse educator")
    assert rebuilt(two_articles) == (BOTH, BOTH)  # both are by Becky Palmer


def test_site_yml_rebuilds_everything(two_articles):
    edit(two_articles / "source" / "site.yml", "name: Stemedix Inc.", "name: Stemedix Ltd.")
    assert rebuilt(two_articles) == (BOTH, BOTH)
    assert "Stemedix Ltd." in (two_articles / "dist" / "other" / "index.html").read_text()


def test_claims_yml_rebuilds_everything(two_articles):
    claims = two_articles / "source" / "claims.yml"
    claims.write_text(claims.read_text() + "\n", encoding="utf-8")
    assert rebuilt(two_articles) == (BOTH, BOTH)


def test_a_theme_file_rebuilds_everything_in_that_theme(two_articles):
    classic = two_articles / "themes" / "classic" / "css" / "tokens.css"
    classic.write_text(classic.read_text() + "\n/* another theme's change */\n")
    assert rebuilt(two_articles) == ([], [])
    tokens = two_articles / "themes" / "default" / "css" / "tokens.css"
    tokens.write_text(tokens.read_text().replace("#0a5566", "#0a5567"))
    assert rebuilt(two_articles) == (BOTH, BOTH)
    assert rebuilt(two_articles, theme="classic") == (BOTH, BOTH)  # --theme: another theme
    assert rebuilt(two_articles, theme="classic") == ([], [])
    assert rebuilt(two_articles) == (BOTH, BOTH)  # and back


def test_force_rebuilds_everything(two_articles):
    assert rebuilt(two_articles, force=True) == (BOTH, BOTH)


def test_a_deleted_source_takes_its_outputs_and_its_listing_entry(two_articles):
    (two_articles / "source" / "other.md").unlink()
    outcome = run_publish(two_articles)
    assert outcome.ok and outcome.removed == ["other"] and outcome.read == []
    dist = two_articles / "dist"
    assert not (dist / "other").exists()
    assert "../other/" not in (dist / "index.html").read_text() and \
        'href="other/"' not in (dist / "index.html").read_text()
    assert f'href="{SEED_SLUG}/"' in (dist / "index.html").read_text()
    manifest = json.loads((dist / "manifest.json").read_text())
    assert "other.md" not in manifest["publications"]
    assert not any(name.startswith("other/") for name in manifest["outputs"])


def test_only_never_removes_other_outputs(two_articles):
    (two_articles / "source" / "other.md").unlink()
    assert run_publish(two_articles, only=SEED_SLUG).removed == []
    assert (two_articles / "dist" / "other" / "index.html").is_file()


def test_a_failing_source_is_read_again_every_build_and_keeps_its_outputs(two_articles):
    edit(two_articles / "source" / "other.md", "date: 2026-03-04", "date: 2026-13-04")
    for _ in range(2):
        outcome = run_publish(two_articles)
        assert outcome.failed == ["other"] and outcome.read == ["other.md"]
    assert (two_articles / "dist" / "other" / "index.html").is_file()


def test_pipeline_change_rebuilds_all(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    run_publish(root)
    monkeypatch.setattr(plan_module, "pipeline_digest", lambda: "another version")
    assert set(statuses(run_publish(root)).values()) == {"built"}


def test_a_deleted_output_is_rebuilt(tmp_path):
    root = make_project(tmp_path / "project")
    run_publish(root)
    (root / "dist" / SEED_SLUG / f"{SEED_SLUG}.pdf").unlink()
    assert statuses(run_publish(root))[(SEED_SLUG, "pdf")] == "built"
    assert statuses(run_publish(root))[(SEED_SLUG, "pdf")] == "up to date"


def test_manifest_records_inputs_hashes_tools_and_checks(tmp_path):
    root = make_project(tmp_path / "project")
    run_publish(root)
    data = json.loads((root / "dist" / "manifest.json").read_text())
    publication = data["publications"][f"{SEED_SLUG}.md"]
    assert publication["folder"] == SEED_SLUG and publication["people"] == ["becky-palmer"]
    assert set(publication["inputs"]) == {f"{SEED_SLUG}.md", "images/stemedix-logo.svg"}
    seed = root / "source" / f"{SEED_SLUG}.md"
    assert publication["inputs"][f"{SEED_SLUG}.md"] == {
        "size": seed.stat().st_size, "mtime_ns": seed.stat().st_mtime_ns,
        "sha256": manifest_module.file_hash(seed)}
    entry = data["outputs"][f"{SEED_SLUG}/pdf"]
    assert entry["file"] == f"{SEED_SLUG}/{SEED_SLUG}.pdf"
    pdf = root / "dist" / entry["file"]
    assert entry["size"] == pdf.stat().st_size
    assert entry["sha256"] == manifest_module.file_hash(pdf)
    assert entry["theme"] == "default" and "weasyprint" in entry["tools"]
    assert entry["checks"] == ["validation", "accessibility"]


def test_parallel_build_gives_the_same_files(tmp_path):
    serial = make_project(tmp_path / "serial")
    parallel = make_project(tmp_path / "parallel")
    for root in (serial, parallel):
        write_source(root, "second", article(body="Second article.\n"))
    assert run_publish(serial, jobs=1).ok
    outcome = run_publish(parallel, jobs=2)
    assert outcome.ok and set(statuses(outcome).values()) == {"built"}
    for slug in (SEED_SLUG, "second"):
        for ext in ("pdf", "epub"):
            name = f"{slug}/{slug}.{ext}"
            assert (serial / "dist" / name).read_bytes() == (parallel / "dist" / name).read_bytes()


def test_every_build_counts_the_error_level_findings_of_what_dist_holds(tmp_path):
    """The seed makes unsupported claims: publish counts them when it reads the seed, and a
    build that reads nothing still counts them; a fixed source brings the count down."""
    from pipeline.checks.claims import claim_findings, project_rules
    from pipeline.read.config import load_people, load_site
    from pipeline.read.document import read_document
    from pipeline.render.theme import theme_names

    root = make_project(tmp_path / "project")
    source = next((root / "source").glob("*.md"))
    site = load_site(root / "source")
    doc = read_document(source, site, load_people(root / "source"), theme_names(root / "themes"))
    expected = sum(f.severity == "error" for f in claim_findings(doc, project_rules(root / "source")))
    assert expected > 0
    first = run_publish(root, ("html",))
    assert first.published_errors == expected
    again = run_publish(root, ("html",))
    assert again.read == [] and again.published_errors == expected
    text = source.read_text(encoding="utf-8")
    source.write_text(text.split("\n---\n", 1)[0] + "\n---\n\nA plain sentence about MS.\n",
                      encoding="utf-8")
    fixed = run_publish(root, ("html",))
    assert fixed.published_errors < expected


def test_a_process_reuses_the_claim_rules_until_claims_yml_changes(tmp_path):
    """The preview publishes again and again in one process: the compiled rules are kept,
    and an edit to claims.yml (in the same second, even) gives the new rules at once."""
    from pipeline.build.publish import claim_rules

    root = make_project(tmp_path / "project")
    source_dir = root / "source"
    first = claim_rules(source_dir)
    assert claim_rules(source_dir) is first
    claims = source_dir / "claims.yml"
    text = claims.read_text(encoding="utf-8")
    [english] = [language for language in first.languages if language.code == "en"]
    dropped = english.rules[0].id
    claims.write_text(text.replace(f"    {dropped}:\n", "    renamed-for-the-test:\n", 1),
                      encoding="utf-8")
    changed = claim_rules(source_dir)
    [english] = [language for language in changed.languages if language.code == "en"]
    assert dropped not in {rule.id for rule in english.rules}
    assert "renamed-for-the-test" in {rule.id for rule in english.rules}


def test_the_listing_is_written_again_only_when_what_it_shows_changed(tmp_path):
    """A few words changed in a body (the preview's usual save) leave dist/index.html as
    it is; a new title is written into it."""
    root = make_project(tmp_path / "project")
    source = write_source(root, "second", article(body="Some words of the body.\n"))
    assert run_publish(root, ("html",)).listing is not None
    listing = root / "dist" / "index.html"
    stamp = listing.stat().st_mtime_ns
    source.write_text(source.read_text().replace("Some words", "Other words"))
    edited = run_publish(root, ("html",))
    assert edited.read == ["second.md"] and edited.written  # the page itself was rebuilt
    assert edited.listing is None and listing.stat().st_mtime_ns == stamp
    source.write_text(source.read_text().replace("title: A test article", "title: Renamed"))
    renamed = run_publish(root, ("html",))
    assert renamed.listing == listing and "Renamed" in listing.read_text(encoding="utf-8")
