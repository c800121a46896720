"""Gather every source into Documents, check them all, then render and publish each one."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from . import epub, listing, pdf, web
from .config import PAPER_SIZES, load_people, load_site
from .document import read_document
from .errors import InvalidInput, PressroomError, Problem
from .models import Document
from .output import move_into, staging
from .theme import Theme, theme_names

RENDERERS = {"html": web.render, "single": web.render_single, "pdf": pdf.render,
             "press": pdf.render_press, "epub": epub.render}
FORMATS = ("html", "pdf", "epub")  # what `publish` makes; "press" and "single" when asked for


@dataclass(frozen=True)
class Project:
    """The folders of a Pressroom project."""

    root: Path
    output: Path | None = None  # where builds go instead of dist/ (e.g. a check's scratch)

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def themes_dir(self) -> Path:
        return self.root / "themes"

    @property
    def dist_dir(self) -> Path:
        return self.output or self.root / "dist"

    def sources(self) -> list[Path]:
        return sorted(self.source_dir.glob("*.md"))


@dataclass
class Outcome:
    """What a publish did: files written per document, and the problems that stopped others."""

    written: dict[str, list[Path]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    listing: Path | None = None  # dist/index.html, when it was written

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems


def gather(project: Project, only: str | None = None, theme: str | None = None,
           paper: str | None = None) -> tuple[list[Document], list[Problem]]:
    """Read and check every source (or just `only`); nothing is written here."""
    site = load_site(project.source_dir)
    if paper is not None:
        if paper.lower() not in PAPER_SIZES:
            raise PressroomError(f"unknown paper size '{paper}' (use one of: "
                                 f"{', '.join(PAPER_SIZES)})")
        site = replace(site, paper=paper.lower())
    people = load_people(project.source_dir)
    names = theme_names(project.themes_dir)
    if theme is not None and theme not in names:
        raise PressroomError(f"unknown theme '{theme}' (available: {', '.join(sorted(names))})")
    sources = project.sources()
    if only is not None:
        sources = [p for p in sources if p.stem == only]
        if not sources:
            known = ", ".join(p.stem for p in project.sources()) or "none"
            raise PressroomError(f"no source named '{only}.md' in {project.source_dir} "
                                 f"(available: {known})")
    if not sources:
        raise PressroomError(f"no Markdown sources in {project.source_dir}; "
                             "add one, e.g. source/my-article.md")
    documents, problems = [], []
    for path in sources:
        try:
            documents.append(read_document(path, site, people, names))
        except InvalidInput as error:
            problems.extend(error.problems)
    if theme is not None:
        documents = [replace(doc, theme=theme) for doc in documents]
    return documents, problems


def publish(project: Project, formats: tuple[str, ...] = FORMATS, only: str | None = None,
            theme: str | None = None, paper: str | None = None, press: bool | None = None,
            single_file: bool | None = None,
            report: Callable[[str], None] = print) -> Outcome:
    """Check all sources first; then render each valid document into dist/<slug>/, and
    list every publication of dist/ in dist/index.html.

    `press` adds the press PDF to the formats (None: as site.yml says, when the PDF is
    among them), and `single_file` the self-contained web page (None: as site.yml says,
    when the web page is among them). A document's files are rendered into a staging
    folder and moved into place only when every requested format succeeded, so dist/
    never holds half a build.
    """
    documents, problems = gather(project, only, theme, paper)
    site = documents[0].site if documents else None
    if "pdf" in formats and "press" not in formats:
        wants_press = press if press is not None else bool(site and site.press)
        if wants_press:
            formats = (*formats, "press")
    if "html" in formats and "single" not in formats:
        wants_single = single_file if single_file is not None else bool(site and site.single_file)
        if wants_single:
            formats = (*formats[:formats.index("html") + 1], "single",
                       *formats[formats.index("html") + 1:])
    outcome = Outcome(problems=problems)
    outcome.failed = sorted({p.file.stem for p in problems})
    themes: dict[str, Theme] = {}
    for doc in documents:
        try:
            if doc.theme not in themes:
                themes[doc.theme] = Theme.load(project.themes_dir, doc.theme)
            with staging(project.dist_dir, doc.slug) as folder:
                for fmt in formats:
                    started = time.perf_counter()
                    path = RENDERERS[fmt](doc, themes[doc.theme], folder)
                    report(f"{doc.slug}: {fmt:<4} {path.name} "
                           f"({_size(path)}, {time.perf_counter() - started:.1f} s)")
                outcome.written[doc.slug] = move_into(folder, project.dist_dir / doc.slug)
        except PressroomError as error:
            outcome.failed.append(doc.slug)
            outcome.problems.append(Problem(doc.source_path, None, str(error)))
        except Exception as error:  # a bug of ours or an engine's: report it, keep going
            if os.environ.get("PRESSROOM_DEBUG"):
                raise
            outcome.failed.append(doc.slug)
            outcome.problems.append(Problem(
                doc.source_path, None,
                f"internal error while rendering: {type(error).__name__}: {error}",
                "please report it; run with PRESSROOM_DEBUG=1 to see the traceback"))
    if documents:
        _write_listing(project, documents, theme, themes, outcome, report)
    return outcome


def _write_listing(project: Project, documents: list[Document], theme: str | None,
                   themes: dict[str, Theme], outcome: Outcome,
                   report: Callable[[str], None]) -> None:
    """dist/index.html, in the theme of this build (--theme, else site.yml's)."""
    name = theme or documents[0].site.theme
    try:
        if name not in themes:
            themes[name] = Theme.load(project.themes_dir, name)
        outcome.listing = listing.render(documents, themes[name], project.dist_dir)
        report(f"listing: {os.path.relpath(outcome.listing, project.root)}")
    except PressroomError as error:
        outcome.problems.append(Problem(project.source_dir / "site.yml", None,
                                        f"the list of publications was not written: {error}"))
    except Exception as error:  # a bug of ours: report it, like a document's
        if os.environ.get("PRESSROOM_DEBUG"):
            raise
        outcome.problems.append(Problem(
            project.source_dir / "site.yml", None,
            f"internal error while writing dist/index.html: {type(error).__name__}: {error}",
            "please report it; run with PRESSROOM_DEBUG=1 to see the traceback"))


def clean(project: Project) -> None:
    """Remove everything the builds wrote."""
    shutil.rmtree(project.dist_dir, ignore_errors=True)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
