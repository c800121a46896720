"""Gather every source into Documents, check them all, then render and publish each one."""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import importlib

from ..render import listing
from ..read.config import PAPER_SIZES, load_people, load_site
from ..read.document import read_document, source_slug
from ..diagnostics import InvalidInput, PressroomError, Diagnostic
from ..read.collection import COLLECTIONS_DIR, collection_sources, listed_articles, read_collection
from ..models import Collection, Document, articles_of
from ..checks.accessibility import accessibility_findings
from ..checks.claims import refuse_unsupported_claims
from .languages import glyph_problems, in_language, translations_of
from .manifest import Manifest, build_key, theme_digest
from .staging import move_into, new_staging, staging
from ..render.theme import Theme, theme_names

# format -> (module, function). Imported when first needed: WeasyPrint and EbookLib take
# about a second to import, which a build with nothing to render should not pay.
RENDERERS = {"html": ("web", "render"), "single": ("web", "render_single"),
             "pdf": ("pdf", "render"), "press": ("pdf", "render_press"),
             "epub": ("epub", "render")}
COLLECTION_RENDERERS = {"html": ("web", "render_collection"),
                        "pdf": ("pdf", "render_collection"),
                        "epub": ("epub", "render_collection")}


def renderer(fmt: str, collection: bool = False):
    entry = (COLLECTION_RENDERERS if collection else RENDERERS)[fmt]
    if callable(entry):  # a renderer given directly (tests do this)
        return entry
    module, function = entry
    return getattr(importlib.import_module(f"..render.{module}", __package__), function)
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


@dataclass(frozen=True)
class Result:
    """One output of a build, for the summary table."""

    slug: str
    format: str
    path: Path | None
    seconds: float
    status: str  # "built", "up to date" or "failed"


@dataclass
class Outcome:
    """What a publish did: files written per document, and the problems that stopped others."""

    written: dict[str, list[Path]] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    listing: Path | None = None  # dist/index.html, when it was written

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems


def gather(project: Project, only: str | None = None, theme: str | None = None,
           paper: str | None = None) -> tuple[list[Document], list[Diagnostic]]:
    """Read and check every source (or just `only`, or the articles of the collection
    `only` names); nothing is written here."""
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
        bound = collection_file(project, only)
        if bound is not None:
            listed = set(listed_articles(bound))
            sources = [p for p in sources if p.stem in listed]
        else:
            sources = [p for p in sources if source_slug(p) == only]
        if bound is None and not sources:
            known = ", ".join([p.stem for p in project.sources()] +
                              [p.stem for p in collection_sources(project.source_dir)])
            raise PressroomError(f"no source named '{only}.md' in {project.source_dir} "
                                 f"and no collection named '{only}' (available: "
                                 f"{known or 'none'})")
    elif not sources:
        raise PressroomError(f"no Markdown sources in {project.source_dir}; "
                             "add one, e.g. source/my-article.md")
    documents, problems = [], []
    clashes = _slug_clashes(project.sources())
    for path in sources:
        if path in clashes:
            problems.append(clashes[path])
            continue
        if path.stem == COLLECTIONS_DIR:
            problems.append(Diagnostic(path, None, f"'{path.name}' would be published into "
                                    f"dist/{COLLECTIONS_DIR}/, where the collections go",
                                    "rename the file"))
            continue
        try:
            documents.append(read_document(path, site, people, names))
        except InvalidInput as error:
            problems.extend(error.problems)
    # dist/<lang>/ holds the translations into <lang>: no original may be published there
    languages = {doc.lang.lower() for doc in documents if doc.translation_of}
    for doc in [doc for doc in documents if not doc.translation_of
                and doc.slug.lower() in languages]:
        documents.remove(doc)
        problems.append(Diagnostic(doc.source_path, None, f"'{doc.source_path.name}' would be "
                                   f"published into dist/{doc.slug}/, the folder of the "
                                   f"translations into '{doc.slug}'", "rename the file"))
    if theme is not None:
        documents = [replace(doc, theme=theme) for doc in documents]
    return link_translations(documents), problems


def link_translations(documents: list[Document]) -> list[Document]:
    """Each document with the other language versions of its article (same slug)."""
    groups = translations_of(documents)
    return [replace(doc, translations=tuple((other.lang, other.folder)
                                            for other in groups[doc.slug] if other is not doc))
            for doc in documents]


def collection_file(project: Project, name: str) -> Path | None:
    """source/collections/<name>.yml, when `name` is a collection's and no source's."""
    path = project.source_dir / COLLECTIONS_DIR / f"{name}.yml"
    return path if path.is_file() and not (project.source_dir / f"{name}.md").is_file() else None


def gather_collections(project: Project, documents: list[Document], problems: list[Diagnostic],
                       theme: str | None = None,
                       only: str | None = None) -> tuple[list[Collection], list[Diagnostic]]:
    """Read and check every source/collections/*.yml (or just `only`) against the
    documents just gathered (`problems` are theirs: a collection with a failed article is
    not built)."""
    paths = [p for p in collection_sources(project.source_dir) if only in (None, p.stem)]
    if not paths:
        return [], []
    failed = {p.file.stem for p in problems}
    readable = {doc.slug: doc for doc in documents  # the originals: a translation
                if doc.slug not in failed and not doc.translation_of}  # shares their slug
    slugs = {p.stem for p in project.sources()}
    # The documents' site: with the build's --paper, and site.yml read once.
    site = documents[0].site if documents else load_site(project.source_dir)
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
            clashes[path] = Diagnostic(path, None, f"duplicate slug: '{path.stem}' and the slug of "
                                    f"{others} differ only in case, so they would share one "
                                    "folder of dist/ on macOS and Windows",
                                    "rename one of the files")
    return clashes


def publish(project: Project, formats: tuple[str, ...] = FORMATS, only: str | None = None,
            theme: str | None = None, paper: str | None = None, press: bool | None = None,
            single_file: bool | None = None, report: Callable[[str], None] = print,
            force: bool = False, jobs: int = 1, strict: bool = False,
            plan: Callable[[dict[str, list[str]]], None] | None = None) -> Outcome:
    """Check all sources first; then render each valid document into dist/<slug>/, and
    list every publication of dist/ in dist/index.html.

    `press` adds the press PDF to the formats (None: as site.yml says, when the PDF is
    among them), and `single_file` the self-contained web page (None: as site.yml says,
    when the web page is among them). A document's files are rendered into a staging
    folder and moved into place only when every requested format succeeded, so dist/
    never holds half a build. Outputs whose inputs did not change since the build
    recorded in dist/manifest.json are skipped unless `force`; `jobs` > 1 renders
    the formats of the documents on a pool of processes. With `strict`, a document that
    makes a claim of severity error (source/claims.yml) is not published. `plan` is told
    what will be rendered ({folder: formats}) before it is, and `report` gets a line as
    each output is rendered.
    """
    documents, problems = gather(project, only, theme, paper)
    for warning in (w for doc in documents for w in doc.warnings):
        report(str(warning))  # published all the same, but the writer should know
    # A character no font has would be an empty box: that document is not published.
    unprintable = glyph_problems(documents, project.themes_dir)
    if unprintable:
        refused = {p.file for p in unprintable}
        documents = [doc for doc in documents if doc.source_path not in refused]
        problems = [*problems, *unprintable]
    if strict:
        documents, refused = refuse_unsupported_claims(project.source_dir, documents)
        problems = [*problems, *refused]
    collections: list[Collection] = []
    # --only builds one article and no collection, or one collection and its articles
    if only is None or collection_file(project, only):
        collections, found = gather_collections(project, documents, problems, theme, only)
        problems = [*problems, *found]
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
    manifest = Manifest.load(project.dist_dir)
    theme_hashes: dict[str, str] = {}
    work: list[tuple[Document | Collection, list[str], dict[str, str]]] = []
    for doc in [*documents, *collections]:
        try:
            if doc.theme not in themes:
                themes[doc.theme] = Theme.load(project.themes_dir, doc.theme)
        except PressroomError as error:
            outcome.failed.append(doc.source_path.stem)
            outcome.problems.append(Diagnostic(doc.source_path, None, str(error)))
            continue
        if doc.theme not in theme_hashes:
            theme_hashes[doc.theme] = theme_digest(themes[doc.theme].dirs)
        theme_hash = theme_hashes[doc.theme]
        wanted = [fmt for fmt in formats
                  if not isinstance(doc, Collection) or fmt in COLLECTION_RENDERERS]
        options = {"theme": doc.theme,
                   "translations": list(getattr(doc, "translations", ()))}
        keys = {fmt: build_key(doc, fmt, theme_hash, options) for fmt in wanted}
        todo = [fmt for fmt in wanted
                if force or not manifest.up_to_date(project.dist_dir, doc.folder, fmt, keys[fmt])]
        for fmt in wanted:
            if fmt not in todo:
                outcome.results.append(Result(doc.folder, fmt, _output_path(manifest, project,
                                              doc.folder, fmt), 0.0, "up to date"))
        if todo:
            work.append((doc, todo, keys))
    if plan:
        plan({doc.folder: list(todo) for doc, todo, _ in work})
    for doc, rendered, error in _run(project, work, jobs, report):
        if error:
            outcome.failed.append(doc.source_path.stem)
            outcome.problems.append(error)
            outcome.results += [Result(doc.folder, fmt, None, 0.0, "failed")
                                for fmt in next(todo for d, todo, _ in work if d is doc)]
            continue
        keys = next(k for d, _, k in work if d is doc)
        accessible = not any(accessibility_findings(member) for member in articles_of(doc))
        checks = ["validation"] + (["accessibility"] if accessible else [])
        for fmt, path, seconds in rendered:
            manifest.record(project.dist_dir, doc, fmt, keys[fmt], doc.theme, path, checks)
            outcome.written.setdefault(doc.folder, []).append(path)
            outcome.results.append(Result(doc.folder, fmt, path, seconds, "built"))
    if documents:
        manifest.save()
    # A document that failed keeps its previous files, so the listing describes those.
    published = [doc for doc in documents if doc.source_path.stem not in outcome.failed]
    bound = [c for c in collections if c.source_path.stem not in outcome.failed]
    if published or bound:
        _write_listing(project, published, bound, theme, themes, outcome, report)
    return outcome


# Formats of one document go to the pool as separate tasks, the slowest first, so that one
# document still keeps both cores busy (its PDF on one, its EPUB and web page on the other).
RENDER_ORDER = ("pdf", "press", "epub", "html", "single")


def _run(project: Project, work, jobs: int, report: Callable[[str], None]):
    """Render each (document, formats) item: in this process, or with `jobs` > 1 each
    format on a pool of `jobs` processes. Yields (document, rendered, problem) once all
    of a document's formats are done; its files reach dist/ only if all succeeded."""
    tasks = [(index, fmt) for index, (_, todo, _) in enumerate(work)
             for fmt in sorted(todo, key=RENDER_ORDER.index)]
    if jobs <= 1 or len(tasks) <= 1:
        for doc, todo, _ in work:
            rendered, error = render_publication(project, doc, tuple(todo), report)
            yield doc, rendered, error
        return
    parts: dict[int, list] = {index: [] for index in range(len(work))}
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(stage_formats, project, work[index][0], (fmt,)): index
                       for index, fmt in tasks}
            for future in as_completed(futures):
                index = futures[future]
                doc, todo, _ = work[index]
                folder, rendered, error = future.result()
                for fmt, relative, seconds in rendered:
                    report(_rendered_line(doc, fmt, folder / relative, seconds))
                parts[index].append((folder, rendered, error))
                if len(parts[index]) < len(todo):
                    continue
                done = parts.pop(index)
                errors = [error for _, _, error in done if error]
                if errors:
                    _discard(done)
                    yield doc, [], errors[0]
                    continue
                yield doc, publish_staged(project, doc, done), None
    finally:  # an error or Ctrl-C: what was staged and not moved is removed
        for done in parts.values():
            _discard(done)


def _rendered_line(doc: Document | Collection, fmt: str, path: Path, seconds: float) -> str:
    """What the build reports when one output is rendered (the progress bar reads it)."""
    return f"{doc.folder}: {fmt:<5} {path.name} ({_size(path)}, {seconds:.1f} s)"


def render_publication(project: Project, doc: Document | Collection, formats: tuple[str, ...],
                       report: Callable[[str], None] | None = None):
    """Render `formats` of one document (into dist/<slug>/) or collection (into
    dist/collections/<name>/).

    Returns ([(format, path, seconds)], None) or ([], Diagnostic): everything is staged and
    moved into place only when all formats succeeded.
    """
    staged = stage_formats(project, doc, formats, report)
    if staged[2]:
        return [], staged[2]
    return publish_staged(project, doc, [staged]), None


def stage_formats(project: Project, doc: Document | Collection, formats: tuple[str, ...],
                  report: Callable[[str], None] | None = None):
    """Render `formats` into a new staging folder inside dist/ (in a worker process too,
    where `report` is None: the parent reports).

    Returns (folder, [(format, path relative to it, seconds)], None), the folder left for
    publish_staged; or (None, [], Diagnostic), the folder removed.
    """
    folder = new_staging(project.dist_dir, doc.slug)
    try:
        theme = _theme(project.themes_dir, doc.theme)
        rendered = []
        for fmt in formats:
            started = time.perf_counter()
            path = renderer(fmt, isinstance(doc, Collection))(doc, theme, folder)
            seconds = time.perf_counter() - started
            rendered.append((fmt, path.relative_to(folder), seconds))
            if report:
                report(_rendered_line(doc, fmt, path, seconds))
        return folder, rendered, None
    except PressroomError as error:
        shutil.rmtree(folder, ignore_errors=True)
        return None, [], Diagnostic(doc.source_path, None, str(error))
    except Exception as error:  # a bug of ours or an engine's: report it, keep going
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get("PRESSROOM_DEBUG"):
            raise
        return None, [], Diagnostic(doc.source_path, None,
                                 f"internal error while rendering: {type(error).__name__}: "
                                 f"{error}", "please report it; run with PRESSROOM_DEBUG=1 to "
                                 "see the traceback")
    except BaseException:  # Ctrl-C
        shutil.rmtree(folder, ignore_errors=True)
        raise


def publish_staged(project: Project, doc: Document | Collection, staged) -> list:
    """Move the staged folders of one publication into dist/ together, then remove them."""
    final = project.dist_dir / doc.folder
    try:
        move_into([folder for folder, _, _ in staged], final)
    finally:
        _discard(staged)
    return [(fmt, final / relative, seconds)
            for _, rendered, _ in staged for fmt, relative, seconds in rendered]


def _discard(staged) -> None:
    for folder, _, _ in staged:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


@lru_cache(maxsize=None)
def _theme(themes_dir: Path, name: str) -> Theme:
    """One loaded theme per process (its Jinja environment and font configuration)."""
    return Theme.load(themes_dir, name)


def _output_path(manifest: Manifest, project: Project, slug: str, fmt: str) -> Path:
    return project.dist_dir / manifest.outputs[f"{slug}/{fmt}"]["file"]


def _write_listing(project: Project, documents: list[Document], collections: list[Collection],
                   theme: str | None, themes: dict[str, Theme], outcome: Outcome,
                   report: Callable[[str], None]) -> None:
    """dist/index.html, in the theme of this build (--theme, else site.yml's)."""
    site = (documents or collections)[0].site
    name = theme or site.theme
    try:
        if name not in themes:
            themes[name] = Theme.load(project.themes_dir, name)
        outcome.listing = _publish_listing(project, site, documents, collections,
                                           themes[name])
        report(f"listing: {os.path.relpath(outcome.listing, project.root)}")
    except PressroomError as error:
        outcome.problems.append(Diagnostic(project.source_dir / "site.yml", None,
                                        f"the list of publications was not written: {error}"))
    except Exception as error:  # a bug of ours: report it, like a document's
        if os.environ.get("PRESSROOM_DEBUG"):
            raise
        outcome.problems.append(Diagnostic(
            project.source_dir / "site.yml", None,
            f"internal error while writing dist/index.html: {type(error).__name__}: {error}",
            "please report it; run with PRESSROOM_DEBUG=1 to see the traceback"))


def _publish_listing(project: Project, site, documents: list[Document],
                     collections: list[Collection], theme: Theme) -> Path:
    """Render dist/index.html and its files in a staging folder, move them into dist/,
    and remove the listing's files that this one no longer uses (an earlier theme's)."""
    dist_dir = project.dist_dir
    with staging(dist_dir, listing.ASSETS) as folder:
        listing.render(site, documents, collections, theme, dist_dir, folder)
        moved = set(move_into(folder, dist_dir))
    assets = dist_dir / listing.ASSETS
    for stale in [p for p in assets.rglob("*") if p.is_file() and p not in moved]:
        stale.unlink()
    return dist_dir / "index.html"


def clean(project: Project) -> None:
    """Remove everything the builds wrote."""
    shutil.rmtree(project.dist_dir, ignore_errors=True)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
