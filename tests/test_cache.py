"""The project's .cache/: image checks, font subsets and covers made once; no temporary
folder left behind by a publish."""

from __future__ import annotations

import tempfile

import pytest

from helpers import SEED_SLUG, article, make_png, make_project, run_publish, write_source
from pipeline.build.publish import Project, clean
from pipeline.read import images as images_module
from pipeline.render import cover as cover_module, epub as epub_module


def _entries(root, kind):
    return sorted(p.name for p in (root / ".cache" / kind).rglob("*") if p.is_file())


def test_a_warm_epub_takes_subsets_and_cover_from_the_cache(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    assert run_publish(root, ("epub",)).ok
    first = (root / "dist" / SEED_SLUG / f"{SEED_SLUG}.epub").read_bytes()
    assert len(_entries(root, "font-subsets")) >= 2 and len(_entries(root, "covers")) == 1

    def refuse(*args):
        raise AssertionError("made again instead of taken from the cache")

    monkeypatch.setattr(epub_module, "subset_font", refuse)
    monkeypatch.setattr(cover_module, "_render", refuse)
    assert run_publish(root, ("epub",), force=True).ok
    assert (root / "dist" / SEED_SLUG / f"{SEED_SLUG}.epub").read_bytes() == first


def test_what_the_cover_shows_makes_a_new_cover(tmp_path):
    root = make_project(tmp_path / "project")
    assert run_publish(root, ("epub",)).ok
    seed = root / "source" / f"{SEED_SLUG}.md"
    seed.write_text(seed.read_text().replace("title: ", "title: New ", 1))
    assert run_publish(root, ("epub",)).ok
    assert len(_entries(root, "covers")) == 2


def test_an_image_is_checked_once_per_content(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project", seed=False)
    make_png(root / "source" / "images" / "chart.png", size=(300, 200))
    write_source(root, "one", article(body="![A chart](images/chart.png)\n"))
    assert run_publish(root, ("html",)).ok
    assert len(_entries(root, "image-checks")) == 2  # the chart and the logo
    images_module._problem.cache_clear()  # as in a new process

    def refuse(*args):
        raise AssertionError("checked again")

    monkeypatch.setattr(images_module, "_file_problem", refuse)
    write_source(root, "two", article(body="The same chart: ![A chart](images/chart.png)\n"))
    assert run_publish(root, ("html",)).ok
    monkeypatch.undo()
    images_module._problem.cache_clear()
    (root / "source" / "images" / "chart.png").write_bytes(b"not a picture")
    outcome = run_publish(root, ("html",))
    assert sorted(outcome.failed) == ["one", "two"]
    assert "images/chart.png" in outcome.problems[0].message


def test_clean_with_cache_empties_it(tmp_path):
    root = make_project(tmp_path / "project")
    assert run_publish(root, ("epub",)).ok
    clean(Project(root))
    assert (root / ".cache").is_dir() and not (root / "dist").exists()
    clean(Project(root), cache=True)
    assert not (root / ".cache").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_publish_leaves_no_temporary_folder(tmp_path, monkeypatch, jobs):
    """WeasyPrint's font configurations copy the theme's faces into a temporary folder
    that they keep for as long as they live; the build removes them, in the pool's
    processes too."""
    root = make_project(tmp_path / "project")
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))  # the pool's processes inherit it
    assert run_publish(root, jobs=jobs).ok
    assert list(private.iterdir()) == []
