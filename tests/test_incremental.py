"""Incremental and parallel builds, and dist/manifest.json."""

from __future__ import annotations

import json

from helpers import SEED_SLUG, article, make_png, make_project, run_publish, write_source
from pipeline.build import manifest as manifest_module


def statuses(outcome) -> dict[tuple[str, str], str]:
    return {(r.slug, r.format): r.status for r in outcome.results}


def test_nothing_changed_rebuilds_nothing_and_force_rebuilds_all(tmp_path):
    root = make_project(tmp_path / "project")
    first = run_publish(root)
    assert set(statuses(first).values()) == {"built"}
    epub = root / "dist" / SEED_SLUG / f"{SEED_SLUG}.epub"
    stamp = epub.stat().st_mtime_ns
    second = run_publish(root)
    assert set(statuses(second).values()) == {"up to date"}
    assert epub.stat().st_mtime_ns == stamp
    assert set(statuses(run_publish(root, force=True)).values()) == {"built"}


def test_each_kind_of_input_change_rebuilds_only_what_depends_on_it(tmp_path):
    root = make_project(tmp_path / "project")
    make_png(root / "source" / "images" / "chart.png")
    write_source(root, "other", article(body="![A chart](images/chart.png)\n"))
    run_publish(root)

    def rebuilt():
        return sorted({slug for (slug, _), status in statuses(run_publish(root)).items()
                       if status == "built"})

    seed = root / "source" / f"{SEED_SLUG}.md"
    seed.write_text(seed.read_text() + "\nOne more sentence.\n")
    assert rebuilt() == [SEED_SLUG]
    make_png(root / "source" / "images" / "chart.png", colour=(0, 0, 255))
    assert rebuilt() == ["other"]
    authors = root / "source" / "authors.yml"
    authors.write_text(authors.read_text() + "\nsomeone-else:\n  name: Someone Else\n")
    assert rebuilt() == []  # an entry nobody uses
    authors.write_text(authors.read_text().replace("role: Medical professional",
                                                   "role: Nurse educator"))
    assert rebuilt() == sorted(["other", SEED_SLUG])  # both are by Becky Palmer
    tokens = root / "themes" / "default" / "css" / "tokens.css"
    tokens.write_text(tokens.read_text().replace("#0a5566", "#0a5567"))
    assert rebuilt() == sorted(["other", SEED_SLUG])
    assert rebuilt() == []


def test_pipeline_change_rebuilds_all(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    run_publish(root)
    monkeypatch.setattr(manifest_module, "pipeline_digest", lambda: "another version")
    assert set(statuses(run_publish(root)).values()) == {"built"}


def test_a_deleted_output_is_rebuilt(tmp_path):
    root = make_project(tmp_path / "project")
    run_publish(root)
    (root / "dist" / SEED_SLUG / f"{SEED_SLUG}.pdf").unlink()
    assert statuses(run_publish(root))[(SEED_SLUG, "pdf")] == "built"
    assert statuses(run_publish(root))[(SEED_SLUG, "pdf")] == "up to date"


def test_manifest_records_sources_hashes_tools_and_checks(tmp_path):
    root = make_project(tmp_path / "project")
    run_publish(root)
    data = json.loads((root / "dist" / "manifest.json").read_text())
    entry = data["outputs"][f"{SEED_SLUG}/pdf"]
    assert entry["file"] == f"{SEED_SLUG}/{SEED_SLUG}.pdf"
    assert set(entry["sources"]) == {f"{SEED_SLUG}.md", "images/stemedix-logo.svg"}
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
