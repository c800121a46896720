"""Fixtures: throwaway projects in tmp, builds published once per session, EPUBCheck.

Nothing here writes into the repository: every project is a copy of `source/` and
`themes/` (or small fixture sources) under pytest's tmp folders.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import (RICH_SLUG, SEED_SLUG, CheckReport, make_feature_project,
                     make_gfm_project, make_long_project, make_project, run_epubcheck,
                     run_publish)
from pipeline.build.publish import Outcome


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    """A fresh copy of the seed project, for one test."""
    return make_project(tmp_path / "project")


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    """site.yml, authors.yml and themes, but no Markdown sources."""
    return make_project(tmp_path / "project", seed=False)


@dataclass(frozen=True)
class Build:
    root: Path
    outcome: Outcome
    finished: float  # time.monotonic() when the build ended

    def out(self, slug: str = SEED_SLUG) -> Path:
        return self.root / "dist" / slug

    def file(self, slug: str, ext: str) -> Path:
        return self.out(slug) / f"{slug}.{ext}"


def _build(root: Path, **kwargs) -> Build:
    outcome = run_publish(root, **kwargs)
    assert outcome.ok, "\n".join(str(p) for p in outcome.problems)
    return Build(root, outcome, time.monotonic())


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory) -> Build:
    """The seed article, published in all three formats with the default theme."""
    return _build(make_project(tmp_path_factory.mktemp("seed") / "project"))


@pytest.fixture(scope="session")
def feature_build(tmp_path_factory) -> Build:
    """The seed and the rich-features document (author with credentials and photo)."""
    return _build(make_feature_project(tmp_path_factory.mktemp("features") / "project"))


@pytest.fixture(scope="session")
def long_web_build(tmp_path_factory) -> Build:
    """The long fixture's web page and its single-file variant (no PDF or EPUB)."""
    root = make_long_project(tmp_path_factory.mktemp("long-web") / "project")
    return _build(root, formats=("html",), single_file=True)


@pytest.fixture(scope="session")
def gfm_build(tmp_path_factory) -> Build:
    """The GFM-heavy fixture (task lists, alerts, <details>, ...) in all three formats."""
    return _build(make_gfm_project(tmp_path_factory.mktemp("gfm") / "project"))


@pytest.fixture(scope="session")
def classic_build(tmp_path_factory) -> Build:
    """The same two documents, published with --theme classic."""
    root = make_feature_project(tmp_path_factory.mktemp("classic") / "project")
    return _build(root, theme="classic")


class EpubChecks:
    """EPUBCheck reports, made on first use inside a test (so that a missing checker
    fails or skips that test, not its setup), for all books at once, in parallel."""

    def __init__(self, books: dict[str, Path], work: Path):
        self.books = books
        self.work = work
        self.reports: dict[str, CheckReport] | None = None

    def __getitem__(self, name: str) -> CheckReport:
        if self.reports is None:
            found = run_epubcheck(list(self.books.values()), self.work)
            self.reports = {key: found[path] for key, path in self.books.items()}
        return self.reports[name]


@pytest.fixture(scope="session")
def epubcheck_reports(seed_build, classic_build, tmp_path_factory) -> EpubChecks:
    """EPUBCheck on two books: the seed (default theme) and the rich-features document
    (classic theme)."""
    return EpubChecks({"seed-default": seed_build.file(SEED_SLUG, "epub"),
                       "rich-classic": classic_build.file(RICH_SLUG, "epub")},
                      tmp_path_factory.mktemp("epubcheck"))


@pytest.fixture(scope="module")
def unsubset_epub_fonts():
    """EPUBs with whole fonts: subsetting takes half a second a book, and tests of markup
    and escaping have nothing to do with it."""
    from pipeline.render import epub

    real = epub.subset_font
    epub.subset_font = lambda data, text: data
    yield
    epub.subset_font = real
