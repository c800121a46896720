"""Read sources into Documents and Collections, reporting every problem; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from markupsafe import Markup

from ..diagnostics import Diagnostic, InvalidInput, PressroomError
from ..models import Collection, Document, Person, Site
from ..read.collection import (COLLECTIONS_DIR, collection_sources, listed_articles,
                               read_collection)
from ..read.config import PAPER_SIZES, load_people, load_site
from ..read.document import read_document, source_slug
from ..read.links import page_links
from ..render.theme import theme_names
from .languages import in_language, link_translations
from .project import Project


@dataclass(frozen=True)
class SharedInputs:
    """What every source is read against: site.yml (with the build's --paper), authors.yml
    and the names of the themes."""

    site: Site
    people: dict[str, Person]
    theme_names: frozenset[str]


def read_shared(project: Project, theme: str | None = None,
                paper: str | None = None) -> SharedInputs:
    site = load_site(project.source_dir)
    if paper is not None:
        if paper.lower() not in PAPER_SIZES:
            raise PressroomError(f"unknown paper size '{paper}' (use one of: "
                                 f"{', '.join(PAPER_SIZES)})")
        site = replace(site, paper=paper.lower())
    names = frozenset(theme_names(project.themes_dir))
    if theme is not None and theme not in names:
        raise PressroomError(f"unknown theme '{theme}' (available: {', '.join(sorted(names))})")
    return SharedInputs(site, load_people(project.source_dir), names)


def select_sources(project: Project, only: str | None = None) -> list[Path]:
    """Every Markdown source, or the one `only` names, or the articles of the collection
    `only` names."""
    sources = project.sources()
    if only is None:
        if not sources:
            raise PressroomError(f"no Markdown sources in {project.source_dir}; "
                                 "add one, e.g. source/my-article.md")
        return sources
    bound = collection_file(project, only)
    if bound is not None:
        listed = set(listed_articles(bound))
        return [p for p in sources if p.stem in listed]
    # A slug names the article in every language; a file name, one translation of it.
    chosen = [p for p in sources if only in (source_slug(p), p.stem)]
    if not chosen:
        known = ", ".join([p.stem for p in sources] +
                          [p.stem for p in collection_sources(project.source_dir)])
        raise PressroomError(f"no source named '{only}.md' in {project.source_dir} "
                             f"and no collection named '{only}' (available: "
                             f"{known or 'none'})")
    return chosen


def read_sources(project: Project, paths: list[Path], shared: SharedInputs,
                 theme: str | None = None) -> tuple[list[Document], list[Diagnostic]]:
    """Parse and check `paths` (sources of `project`): the Documents that are valid, and the
    errors of the others with the warnings of those."""
    documents, problems = [], []
    clashes = _slug_clashes(project.sources())
    for path in paths:
        if path in clashes:
            problems.append(clashes[path])
            continue
        if path.stem == COLLECTIONS_DIR:
            problems.append(Diagnostic(path, None, f"'{path.name}' would be published into "
                                       f"dist/{COLLECTIONS_DIR}/, where the collections go",
                                       "rename the file"))
            continue
        try:
            document = read_document(path, shared.site, shared.people, set(shared.theme_names))
            documents.append(document)
            problems.extend(document.warnings)
        except InvalidInput as error:
            problems.extend(error.problems)
    # dist/<lang>/ holds the translations into <lang>: no original may be published there
    languages = {source_language(p) for p in project.sources()} - {None}
    for doc in [doc for doc in documents if not doc.translation_of
                and doc.slug.lower() in languages]:
        documents.remove(doc)
        problems.append(Diagnostic(doc.source_path, None, f"'{doc.source_path.name}' would be "
                                   f"published into dist/{doc.slug}/, the folder of the "
                                   f"translations into '{doc.slug}'", "rename the file"))
    # Links to other sources, however written, in the one form the renderers map.
    slugs = {p.stem for p in project.sources()}
    documents = [replace(doc, body_html=Markup(page_links(doc.body_html, slugs,
                                                          shared.site.base_url)))
                 for doc in documents]
    if theme is not None:
        documents = [replace(doc, theme=theme) for doc in documents]
    return link_translations(documents), problems


def source_language(path: Path) -> str | None:
    """The language a translation's file name gives (source/<slug>.<lang>.md), lower-cased;
    None for an original."""
    slug = source_slug(path)
    return path.stem[len(slug) + 1:].lower() if slug != path.stem else None


def gather(project: Project, only: str | None = None, theme: str | None = None,
           paper: str | None = None) -> tuple[list[Document], list[Diagnostic]]:
    """Read and check every source (or just `only`, or the articles of the collection
    `only` names); nothing is written here."""
    shared = read_shared(project, theme, paper)
    return read_sources(project, select_sources(project, only), shared, theme)


def collection_file(project: Project, name: str) -> Path | None:
    """source/collections/<name>.yml, when `name` is a collection's and no source's."""
    path = project.source_dir / COLLECTIONS_DIR / f"{name}.yml"
    return path if path.is_file() and not (project.source_dir / f"{name}.md").is_file() else None


def selected_collections(project: Project, only: str | None = None) -> list[Path]:
    """The collection files a build makes: all of them, the one `only` names, or none when
    `only` names an article."""
    if only is not None and collection_file(project, only) is None:
        return []
    return [p for p in collection_sources(project.source_dir) if only in (None, p.stem)]


def gather_collections(project: Project, documents: list[Document], problems: list[Diagnostic],
                       theme: str | None = None, only: str | None = None,
                       paths: list[Path] | None = None,
                       site: Site | None = None) -> tuple[list[Collection], list[Diagnostic]]:
    """Read and check the collection files `paths` (default: every one, or just `only`)
    against the documents just gathered (`problems` are theirs: a collection with a failed
    article is not built)."""
    if paths is None:
        paths = [p for p in collection_sources(project.source_dir) if only in (None, p.stem)]
    if not paths:
        return [], []
    failed = {p.file.stem for p in problems if p.severity == "error"}
    readable = {doc.slug: doc for doc in documents  # the originals: a translation
                if doc.slug not in failed and not doc.translation_of}  # shares their slug
    slugs = {p.stem for p in project.sources()}
    # The documents' site: with the build's --paper, and site.yml read once.
    site = site or (documents[0].site if documents else load_site(project.source_dir))
    names = theme_names(project.themes_dir)
    collections, found = [], []
    for path in paths:
        try:
            collection = in_language(read_collection(path, site, readable, slugs, names),
                                     [doc for doc in documents if doc.slug not in failed])
        except InvalidInput as error:
            found.extend(error.problems)
            continue
        collections.append(replace(collection, theme=theme) if theme else collection)
    return collections, found


def _slug_clashes(sources: list[Path]) -> dict[Path, Diagnostic]:
    """Sources whose slugs differ only in case: on macOS and Windows, whose file names
    ignore case, they would share one folder of dist/, so neither is published."""
    groups: dict[str, list[Path]] = {}
    for path in sources:
        groups.setdefault(path.stem.casefold(), []).append(path)
    clashes = {}
    for group in (g for g in groups.values() if len(g) > 1):
        for path in group:
            others = ", ".join(p.name for p in group if p != path)
            clashes[path] = Diagnostic(path, None, f"duplicate slug: '{path.stem}' and the slug "
                                       f"of {others} differ only in case, so they would share "
                                       "one folder of dist/ on macOS and Windows",
                                       "rename one of the files")
    return clashes
