"""Render publications: each in its own staging folder, in this process or on a pool of
processes, moved into dist/ only when every requested format succeeded."""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing.util
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..diagnostics import Diagnostic, PressroomError
from ..models import Collection, Document
from ..render.fonts import release_fonts
from ..render.theme import Theme
from .project import Project
from .staging import move_into, new_staging

# format -> (module of pipeline.render, function). Imported when first needed: WeasyPrint
# and EbookLib take about a second to import, which a build with nothing to render should
# not pay.
RENDERERS = {"html": ("web", "render"), "single": ("web", "render_single"),
             "pdf": ("pdf", "render"), "press": ("pdf", "render_press"),
             "epub": ("epub", "render")}
COLLECTION_RENDERERS = {"html": ("web", "render_collection"),
                        "pdf": ("pdf", "render_collection"),
                        "epub": ("epub", "render_collection")}
# Formats of one document go to the pool as separate tasks, the slowest first, so that one
# document still keeps both cores busy (its PDF on one, its EPUB and web page on the other).
RENDER_ORDER = ("pdf", "press", "epub", "html", "single")
# What a web page has beside it, all rendered anew ("theme": where its theme's files were
# before they moved to dist/_theme/, emptied when the page is rendered again).
WEB_PAGE_FOLDERS = ("images", "theme")


def renderer(fmt: str, collection: bool = False) -> Callable[[Document, Theme, Path], Path]:
    """The function that renders `fmt` of a document (or of a collection)."""
    module, function = (COLLECTION_RENDERERS if collection else RENDERERS)[fmt]
    return getattr(importlib.import_module(f"..render.{module}", __package__), function)


@dataclass(frozen=True)
class WorkItem:
    """One publication to render, the formats it needs and their build keys."""

    publication: Document | Collection
    formats: tuple[str, ...]
    keys: dict[str, str]


@dataclass(frozen=True)
class Rendered:
    """One output rendered: its format, its file and how long it took."""

    format: str
    path: Path  # relative to the staging folder while staged, in dist/ once published
    seconds: float


@dataclass(frozen=True)
class Staged:
    """Formats of one publication rendered into a staging folder, or the problem that
    stopped them (the folder then removed)."""

    folder: Path | None
    outputs: tuple[Rendered, ...] = ()
    problem: Diagnostic | None = None


@dataclass(frozen=True)
class Finished:
    """A work item done: its outputs in dist/, or the problem that kept them out."""

    item: WorkItem
    outputs: tuple[Rendered, ...]
    problem: Diagnostic | None


class RenderPool:
    """The pool of processes a build renders on, started (by `start`) as soon as the build
    knows it has something to render: each process imports the renderers (WeasyPrint and
    EbookLib take a third of a second) while the build still reads and checks the
    sources. Shut down when the block ends."""

    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None

    def start(self, jobs: int, formats: tuple[str, ...], languages: tuple[str, ...] = ()
              ) -> None:
        """Start `jobs` processes for `formats`; with PDFs, they also load the hyphenation
        patterns of `languages`."""
        if jobs <= 1 or self.executor is not None:
            return
        modules = tuple(dict.fromkeys(RENDERERS[fmt][0] for fmt in formats if fmt in RENDERERS))
        self.executor = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_started,
                                            initargs=(modules, languages))
        for _ in range(jobs):  # processes are made as tasks arrive: make them all now
            self.executor.submit(int)

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


def run(project: Project, work: list[WorkItem], jobs: int,
        report: Callable[[str], None], pool: RenderPool | None = None,
        meanwhile: Callable[[], None] | None = None) -> Iterator[Finished]:
    """Render each work item: in this process, or with `jobs` > 1 each format on a pool of
    `jobs` processes (`pool`'s, when it was started). Yields each item once all its
    formats are done; its files reach dist/ only if all succeeded. `meanwhile` is work of
    the build that no output waits for: it runs while the pool renders (after rendering,
    in this process)."""
    tasks = [(index, fmt) for index, item in enumerate(work)
             for fmt in sorted(item.formats, key=RENDER_ORDER.index)]
    started = pool is not None and pool.executor is not None
    if not tasks or (not started and (jobs <= 1 or len(tasks) <= 1)):
        try:
            for item in work:
                yield render_publication(project, item, report)
        finally:
            release_fonts()
        if meanwhile:  # after: a preview's page is in dist/ before the claims are read
            meanwhile()
        return
    parts: dict[int, list[Staged]] = {index: [] for index in range(len(work))}
    own = RenderPool() if not started else None
    try:
        with own or contextlib.nullcontext():
            if own is not None:
                own.start(jobs, tuple(dict.fromkeys(fmt for _, fmt in tasks)))
            executor = (own or pool).executor
            futures = {executor.submit(stage_formats, project, work[index].publication,
                                       (fmt,)): index for index, fmt in tasks}
            if meanwhile:
                meanwhile()
            for future in as_completed(futures):
                index = futures[future]
                item = work[index]
                staged = future.result()
                for output in staged.outputs:
                    report(rendered_line(item.publication, output.format,
                                         staged.folder / output.path, output.seconds))
                parts[index].append(staged)
                if len(parts[index]) < len(item.formats):
                    continue
                done = parts.pop(index)
                problems = [s.problem for s in done if s.problem]
                if problems:
                    discard(done)
                    yield Finished(item, (), problems[0])
                    continue
                yield Finished(item, publish_staged(project, item.publication, done), None)
    finally:  # an error or Ctrl-C: what was staged and not moved is removed
        for done in parts.values():
            discard(done)


def _worker_started(modules: tuple[str, ...] = (), languages: tuple[str, ...] = ()) -> None:
    """In each process of the pool: import the renderers of `modules` (and for PDFs the
    hyphenation patterns of `languages`) ahead of the first task, and remove its temporary
    font folders when it exits (the pool's processes end without running atexit
    handlers, but with these finalizers)."""
    multiprocessing.util.Finalize(None, release_fonts, exitpriority=10)
    for module in modules:
        loaded = importlib.import_module(f"..render.{module}", __package__)
        if module == "pdf":
            loaded.warm_up(languages)


def render_publication(project: Project, item: WorkItem,
                       report: Callable[[str], None] | None = None) -> Finished:
    """Render the formats of one document (into dist/<folder>/) or collection (into
    dist/collections/<name>/): all are staged, and moved into place only when all
    succeeded."""
    staged = stage_formats(project, item.publication, item.formats, report)
    if staged.problem:
        return Finished(item, (), staged.problem)
    return Finished(item, publish_staged(project, item.publication, [staged]), None)


def stage_formats(project: Project, pub: Document | Collection, formats: tuple[str, ...],
                  report: Callable[[str], None] | None = None) -> Staged:
    """Render `formats` into a new staging folder inside dist/ (in a worker process too,
    where `report` is None: the parent reports)."""
    folder = new_staging(project.dist_dir, pub.slug)
    out_dir = folder / pub.folder  # the staging folder stands for dist/ (web pages share
    # their theme's files in dist/_theme/)
    try:
        theme = _theme(project.themes_dir, pub.theme)
        outputs = []
        for fmt in formats:
            started = time.perf_counter()
            out_dir.mkdir(parents=True, exist_ok=True)
            path = renderer(fmt, isinstance(pub, Collection))(pub, theme, out_dir)
            seconds = time.perf_counter() - started
            outputs.append(Rendered(fmt, path.relative_to(folder), seconds))
            if report:
                report(rendered_line(pub, fmt, path, seconds))
        return Staged(folder, tuple(outputs))
    except PressroomError as error:
        shutil.rmtree(folder, ignore_errors=True)
        return Staged(None, (), Diagnostic(pub.source_path, None, str(error)))
    except Exception as error:  # a bug of ours or an engine's: report it, keep going
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get("PRESSROOM_DEBUG"):
            raise
        return Staged(None, (), Diagnostic(
            pub.source_path, None, f"internal error while rendering: {type(error).__name__}: "
            f"{error}", "please report it; run with PRESSROOM_DEBUG=1 to see the traceback"))
    except BaseException:  # Ctrl-C
        shutil.rmtree(folder, ignore_errors=True)
        raise


def publish_staged(project: Project, pub: Document | Collection,
                   staged: list[Staged]) -> tuple[Rendered, ...]:
    """Move the staged folders of one publication into dist/ together, then remove them
    (and, when its web page was rendered, the files the earlier page used and this one
    does not: the variants of a photo it no longer shows)."""
    final = project.dist_dir / pub.folder
    try:
        moved = set(move_into([s.folder for s in staged if s.folder], project.dist_dir))
    finally:
        discard(staged)
    if any(output.format == "html" for s in staged for output in s.outputs):
        for folder in (final / name for name in WEB_PAGE_FOLDERS):
            for path in [p for p in folder.rglob("*") if p.is_file() and p not in moved]:
                path.unlink()
            remove_empty_folders(folder)
    return tuple(Rendered(output.format, project.dist_dir / output.path, output.seconds)
                 for s in staged for output in s.outputs)


def remove_empty_folders(folder: Path) -> None:
    """Remove `folder` and the folders under it that hold no file."""
    for path in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(path.iterdir()):
            path.rmdir()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def discard(staged: list[Staged]) -> None:
    for s in staged:
        if s.folder is not None:
            shutil.rmtree(s.folder, ignore_errors=True)


def rendered_line(pub: Document | Collection, fmt: str, path: Path, seconds: float) -> str:
    """What the build reports when one output is rendered (the progress bar reads it)."""
    return f"{pub.folder}: {fmt:<5} {path.name} ({_size(path)}, {seconds:.1f} s)"


@lru_cache(maxsize=None)
def _theme(themes_dir: Path, name: str) -> Theme:
    """One loaded theme per process (its Jinja environment and font configuration)."""
    return Theme.load(themes_dir, name)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
