"""A build: decide what is out of date (plan), read and check only that (gather), render it
(run), then move it into dist/ and list every publication in dist/index.html."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..cache import clear as clear_cache
from ..checks.accessibility import accessibility_findings
from ..checks.claims import claim_findings, project_rules, refuse_unsupported_claims
from ..diagnostics import Diagnostic, PressroomError
from ..models import Collection, Document, Site, articles_of
from ..read.collection import COLLECTIONS_DIR, listed_articles
from ..render import listing
from ..render.theme import Theme
from .gather import (SharedInputs, collection_file, gather, gather_collections,  # noqa: F401
                     read_shared, read_sources, select_sources, selected_collections)
from .manifest import Manifest
from .plan import (CLAIMS_FILE, BuildKeys, current_outputs, fingerprint, recorded,
                   source_name)
from .project import FORMATS, BuildOptions, Project  # noqa: F401 (the build's public names)
from .run import (COLLECTION_RENDERERS, RENDERERS, Finished, WorkItem, renderer,  # noqa: F401
                  RenderPool, remove_empty_folders, run)
from .staging import move_into, staging
from .languages import glyph_problems
from ..read.document import source_slug


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
    removed: list[str] = field(default_factory=list)  # folders of dist/ whose source is gone
    read: list[str] = field(default_factory=list)  # sources parsed (the others were current)
    # findings of everything dist/ holds (claims among them), counted when each source was
    # last read: a build that reads nothing still knows them
    published_errors: int = 0
    published_warnings: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Nothing failed: every document was published (warnings or not)."""
        return not self.failed and not self.errors


def publish(project: Project, options: BuildOptions = BuildOptions(),
            report: Callable[[str], None] = print,
            plan: Callable[[dict[str, list[str]]], None] | None = None) -> Outcome:
    """Render each valid source and collection whose inputs changed since the build that
    dist/manifest.json records (all of them with `options.force`) into dist/<folder>/,
    remove the outputs of sources that are gone, and list every publication of dist/ in
    dist/index.html.

    Which sources are current is decided before any Markdown is read; the others are all
    read and checked before anything is rendered (so the warnings reported are those of
    the sources read). A document with errors is not published, one with only warnings
    is; with `options.strict` every source is read, and warnings stop a document too, as
    does a claim of severity error (source/claims.yml). A publication's files are rendered into
    a staging folder and moved into place only when every format succeeded, so dist/ never
    holds half a build. `plan` is told what will be rendered ({folder: formats}) before it
    is, and `report` gets a line as each output is rendered.
    """
    with RenderPool() as pool:
        return _publish(project, options, report, plan, pool)


def _publish(project: Project, options: BuildOptions, report: Callable[[str], None],
             plan: Callable[[dict[str, list[str]]], None] | None, pool: RenderPool) -> Outcome:
    shared = read_shared(project, options.theme, options.paper)
    formats = _formats(options, shared.site)
    sources = select_sources(project, options.only)
    bound_paths = selected_collections(project, options.only)
    manifest = Manifest.load(project.dist_dir)
    keys = BuildKeys(project, shared)
    outcome = Outcome()

    current: set[Path] = set()  # sources and collection files whose outputs are all current
    for path in [*sources, *bound_paths]:
        wanted = formats if path.suffix == ".md" else _collection_formats(formats)
        record = recorded(project, manifest, source_name(project, path), options.theme,
                          keys.languages(path))
        found = None if options.force or record is None else \
            current_outputs(project, manifest, keys, record, wanted)
        if found is not None:
            current.add(path)
            outcome.results += [Result(record.folder, fmt, output, 0.0, "up to date")
                                for fmt, output in found.items()]
    stale_bound = [path for path in bound_paths if path not in current]
    stale = [path for path in [*sources, *bound_paths] if path not in current]
    if len(stale) * len(formats) > 1:  # the processes import the renderers meanwhile
        pool.start(options.jobs, formats, (shared.site.lang,))
    members = {slug for path in stale_bound for slug in listed_articles(path)}
    to_read = [path for path in sources if options.strict or path not in current
               or path.stem in members]
    # An article's languages are read together: each page links the others.
    groups = {source_slug(path) for path in to_read}
    to_read = [path for path in sources if path in to_read or source_slug(path) in groups]
    documents, problems = read_sources(project, to_read, shared)
    # A character no font has would be an empty box: that document is not published.
    unprintable = glyph_problems(documents, project.themes_dir)
    if unprintable:
        refused = {p.file for p in unprintable}
        documents = [doc for doc in documents if doc.source_path not in refused]
        problems = [*problems, *unprintable]
    outcome.read = [source_name(project, path) for path in to_read]
    own_themes = {doc.source_path: doc.theme for doc in documents}
    if options.theme is not None:
        documents = [replace(doc, theme=options.theme) for doc in documents]
    checked, read_problems = list(documents), list(problems)

    def record_findings() -> None:
        """Each document's problems and claims, remembered so that a build reading nothing
        can still count them."""
        rules = claim_rules(project.source_dir) if checked else ()
        for doc in checked:
            own = [p for p in read_problems if p.file == doc.source_path]
            manifest.record_findings(source_name(project, doc.source_path),
                                     [*own, *claim_findings(doc, rules)])

    # Claims stop nothing but a --strict build: otherwise they are read while the pool
    # renders, off the build's critical path (1-2 s of CPU for benchmarks/run.py's guide).
    if options.strict:
        record_findings()
        documents, refused = refuse_unsupported_claims(project.source_dir, documents)
        problems = [*problems, *refused]
        warned = {p.file for p in problems if p.severity == "warning"}
        documents = [doc for doc in documents if doc.source_path not in warned]
        problems = [replace(p, severity="error") if p.severity == "warning" else p
                    for p in problems]
    collections, found = gather_collections(project, documents, problems, paths=stale_bound,
                                            site=shared.site)
    own_themes.update({c.source_path: c.theme for c in collections})
    if options.theme is not None:
        collections = [replace(c, theme=options.theme) for c in collections]
    outcome.problems = [*problems, *found]
    outcome.failed = sorted({p.file.stem for p in outcome.problems if p.severity == "error"})

    work: list[WorkItem] = []
    for pub in [*documents, *collections]:
        if pub.source_path in current or pub.source_path.stem in outcome.failed:
            continue  # current (read for a collection, or for --strict), or refused
        item = _work_item(project, manifest, keys, pub, formats, options.force,
                          own_themes[pub.source_path], outcome)
        if item is not None:
            work.append(item)
    if plan:
        plan({item.publication.folder: list(item.formats) for item in work})
    for finished in run(project, work, options.jobs, report, pool,
                        meanwhile=None if options.strict else record_findings):
        _record(project, manifest, finished, own_themes, outcome)
    if options.only is None:
        outcome.removed = _remove_deleted(project, manifest)
        if outcome.written or outcome.removed:
            _remove_unused_shared(project, manifest, bool(outcome.removed))
    _write_listing(project, shared.site, manifest, keys, options.theme,
                   [d for d in documents if d.source_path.stem not in outcome.failed],
                   [c for c in collections if c.source_path.stem not in outcome.failed],
                   outcome, report)
    outcome.published_errors = manifest.count_findings("error")
    outcome.published_warnings = manifest.count_findings("warning")
    manifest.save()
    return outcome


def claim_rules(source_dir: Path):
    """project_rules(), read and compiled again only when claims.yml changed: compiling its
    1,400 patterns takes a fifth of a second, which a preview's every rebuild would pay."""
    try:
        stat = (source_dir / CLAIMS_FILE).stat()
    except OSError:
        return _rules_of(source_dir, None)
    return _rules_of(source_dir, (stat.st_size, stat.st_mtime_ns))


@lru_cache(maxsize=4)
def _rules_of(source_dir: Path, state: tuple[int, int] | None):
    return project_rules(source_dir)


def _formats(options: BuildOptions, site: Site) -> tuple[str, ...]:
    """The build's formats, with the press PDF and the single file when asked for."""
    formats = options.formats
    if "pdf" in formats and "press" not in formats:
        if options.press if options.press is not None else site.press:
            formats = (*formats, "press")
    if "html" in formats and "single" not in formats:
        if options.single_file if options.single_file is not None else site.single_file:
            at = formats.index("html") + 1
            formats = (*formats[:at], "single", *formats[at:])
    return formats


def _collection_formats(formats: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fmt for fmt in formats if fmt in COLLECTION_RENDERERS)


def _work_item(project: Project, manifest: Manifest, keys: BuildKeys,
               pub: Document | Collection, formats: tuple[str, ...], force: bool,
               own_theme: str, outcome: Outcome) -> WorkItem | None:
    """The formats of a publication just read that must be rendered (None: it is current,
    though a file was touched), or a failure when its theme cannot be loaded."""
    wanted = formats if isinstance(pub, Document) else _collection_formats(formats)
    if keys.theme_digest(pub.theme) is None:
        try:
            Theme.load(project.themes_dir, pub.theme)
        except PressroomError as error:
            outcome.failed.append(pub.source_path.stem)
            outcome.problems.append(Diagnostic(pub.source_path, None, str(error)))
            return None
    made_from, states = fingerprint(project, pub, keys.languages(pub.source_path))
    built = {fmt: keys.key(fmt, made_from) for fmt in wanted}
    todo = tuple(fmt for fmt in wanted if force or not
                 manifest.output_file(project.dist_dir, pub.folder, fmt, built[fmt]))
    source = source_name(project, pub.source_path)
    for fmt in (fmt for fmt in wanted if fmt not in todo):
        outcome.results.append(Result(pub.folder, fmt, manifest.output_file(
            project.dist_dir, pub.folder, fmt, built[fmt]), 0.0, "up to date"))
    if not todo:  # a file touched, not changed: remember its new time
        manifest.record_publication(source, pub.folder, pub.theme, own_theme, made_from.people,
                                    states, listing.describe(pub))
        return None
    return WorkItem(pub, todo, built)


def _record(project: Project, manifest: Manifest, finished: Finished, own_themes: dict,
            outcome: Outcome) -> None:
    """Note a rendered publication in the outcome and the manifest."""
    pub = finished.item.publication
    if finished.problem:
        outcome.failed.append(pub.source_path.stem)
        outcome.problems.append(finished.problem)
        outcome.results += [Result(pub.folder, fmt, None, 0.0, "failed")
                            for fmt in finished.item.formats]
        return
    accessible = not any(accessibility_findings(member) for member in articles_of(pub))
    checks = ["validation"] + (["accessibility"] if accessible else [])
    source = source_name(project, pub.source_path)
    made_from, states = fingerprint(project, pub)
    manifest.record_publication(source, pub.folder, pub.theme, own_themes[pub.source_path],
                                made_from.people, states, listing.describe(pub))
    for output in finished.outputs:
        manifest.record_output(project.dist_dir, pub.folder, output.format,
                               finished.item.keys[output.format], source, pub.theme,
                               output.path, checks)
        outcome.written.setdefault(pub.folder, []).append(output.path)
        outcome.results.append(Result(pub.folder, output.format, output.path, output.seconds,
                                      "built"))


def _remove_deleted(project: Project, manifest: Manifest) -> list[str]:
    """Remove the folders of dist/ whose source was deleted; their folders' names."""
    removed = []
    for source in [s for s in manifest.publications if not (project.source_dir / s).is_file()]:
        folder = manifest.forget(source)
        target = (project.dist_dir / folder).resolve() if folder else None
        dist = project.dist_dir.resolve()
        # Only a publication's own folder, strictly inside dist/ (never dist/ itself, the
        # listing's files or the folder that holds all collections).
        if (target is None or not target.is_relative_to(dist) or target == dist
                or target.name.startswith((".", "_")) or target == dist / COLLECTIONS_DIR):
            continue
        shutil.rmtree(target, ignore_errors=True)
        removed.append(folder)
    return removed


def _remove_unused_shared(project: Project, manifest: Manifest, removed: bool) -> None:
    """Remove the files of dist/_theme/ that no web page of dist/ uses any more (an earlier
    stylesheet, a theme's former font), when the build added one there or `removed` a
    publication (otherwise, as in most of a preview's rebuilds, none can have become
    unused: a new stylesheet or font is a new file)."""
    from ..render.web import SHARED_DIR, shared_files_used  # lxml and Pillow: when needed

    shared = project.dist_dir / SHARED_DIR
    if not shared.is_dir():
        return
    present = sorted(p.relative_to(shared).as_posix() for p in shared.rglob("*") if p.is_file())
    if not removed and set(present) <= set(manifest.shared):
        return
    used: set[Path] = set()
    for name, entry in manifest.outputs.items():
        page = project.dist_dir / entry["file"]
        if name.endswith("/html") and page.is_file():
            used |= shared_files_used(page)
    for path in [p for p in shared.rglob("*") if p.is_file()]:
        if Path(os.path.normpath(path)) not in used:
            path.unlink()
    remove_empty_folders(shared)
    manifest.shared = sorted(p.relative_to(shared).as_posix() for p in shared.rglob("*")
                             if p.is_file())


def _write_listing(project: Project, site: Site, manifest: Manifest, keys: BuildKeys,
                   theme: str | None, documents: list[Document], collections: list[Collection],
                   outcome: Outcome, report: Callable[[str], None]) -> None:
    """dist/index.html, in the theme of this build (--theme, else site.yml's), when what
    it shows (publications, their outputs and sizes) or its own inputs changed."""
    name = theme or site.theme
    # What the listing shows: every publication as recorded and its outputs with their
    # sizes as written there. A save that changes only a few words of an article's body
    # leaves it as it is (most of the preview's rebuilds).
    sizes = {output: listing.human_size(entry.get("size", 0))
             for output, entry in manifest.outputs.items()}
    shown = json.dumps([manifest.described(), sizes], sort_keys=True)
    key = hashlib.sha256(f"{name}\0{keys.theme_digest(name)}\0{keys.shared_digest}\0{shown}"
                         .encode()).hexdigest()
    listing_file = project.dist_dir / "index.html"
    if manifest.listing == key and listing_file.is_file():
        return
    if not (documents or collections or manifest.publications):
        return  # nothing was ever published
    try:
        outcome.listing = _publish_listing(project, site, documents, collections,
                                           Theme.load(project.themes_dir, name),
                                           manifest.described())
        manifest.listing = key
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


def _publish_listing(project: Project, site: Site, documents: list[Document],
                     collections: list[Collection], theme: Theme,
                     described: dict[str, dict]) -> Path:
    """Render dist/index.html and its files in a staging folder, move them into dist/,
    and remove the listing's files that this one no longer uses (an earlier theme's)."""
    dist_dir = project.dist_dir
    with staging(dist_dir, listing.ASSETS) as folder:
        listing.render(site, documents, collections, theme, dist_dir, folder, described)
        moved = set(move_into(folder, dist_dir))
    assets = dist_dir / listing.ASSETS
    for stale in [p for p in assets.rglob("*") if p.is_file() and p not in moved]:
        stale.unlink()
    return dist_dir / "index.html"


def clean(project: Project, cache: bool = False) -> None:
    """Remove everything the builds wrote (and with `cache`, the project's .cache/)."""
    shutil.rmtree(project.dist_dir, ignore_errors=True)
    if cache:
        clear_cache(project.source_dir)
