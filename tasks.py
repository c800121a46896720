"""Pressroom tasks: turn the Markdown in source/ into a web page, a PDF and an EPUB each."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from invoke import Exit, task

from pipeline.build.publish import FORMATS, Project, clean as clean_dist, publish as publish_all
from pipeline.build import check as report
from pipeline.preview import serve as serve_preview
from pipeline.progress import BuildProgress, print_summary
from pipeline.proof import write_proofs
from pipeline.scaffold import new_source, new_translation
from pipeline.diagnostics import PressroomError

PROJECT = Project(Path(__file__).resolve().parent)
FLAGS = {
    "only": "build just this source (its file name without .md), or this collection "
            "(source/collections/NAME.yml) and its articles",
    "theme": "use this theme (a folder of themes/) instead of the one the source asks for",
    "paper": "paper size of the PDFs: letter or a4 (default: site.yml's)",
    "force": "rebuild every output, even those whose inputs did not change",
    "jobs": "documents rendered at once, each in its own process (default: the number of CPUs)",
}
PDF_FLAGS = {**FLAGS, "press": "also make the press PDF <slug>-press.pdf (PDF/X-4, CMYK, "
                                "bleed, crop marks), as site.yml's 'press: true' does"}
SINGLE_FILE = {"single_file": "also make <slug>.single.html, the web page as one self-contained "
                              "file for e-mail, as site.yml's 'single_file: true' does"}


def _build(formats: tuple[str, ...], only: str | None, theme: str | None,
           paper: str | None = None, press: bool | None = None,
           single_file: bool | None = None, force: bool = False, jobs: int = 0,
           strict: bool = False) -> None:
    try:
        with BuildProgress() as progress:
            outcome = publish_all(PROJECT, formats, only=only, theme=theme, paper=paper,
                                  press=press, single_file=single_file, force=force,
                                  jobs=int(jobs) or os.cpu_count() or 1, report=progress,
                                  plan=progress.plan,
                                  strict=strict)
        print_summary(outcome)
    except PressroomError as error:
        raise Exit(f"error: {error}", code=1) from None
    except KeyboardInterrupt:
        raise Exit("interrupted: dist/ keeps its previous files", code=130) from None
    if not outcome.ok:
        listing = "\n".join(str(problem) for problem in outcome.problems)
        if not outcome.failed:
            raise Exit(listing, code=1)
        names = ", ".join(outcome.failed)
        raise Exit(f"{listing}\n\nnot published: {names} (nothing was written for "
                   f"{'it' if len(outcome.failed) == 1 else 'them'})", code=1)


@task(help={**PDF_FLAGS, **SINGLE_FILE,
            "strict": "publish no source that still makes an unsupported claim of severity "
                      "error (source/claims.yml)"})
def publish(c, only=None, theme=None, paper=None, press=False, single_file=False, force=False,
            jobs=0, strict=False):
    """Build the web page, PDF and EPUB of every source and collection into dist/."""
    _build(FORMATS, only, theme, paper, press or None, single_file or None, force, jobs,
           strict)


@task(help={**{k: v for k, v in FLAGS.items() if k != "paper"}, **SINGLE_FILE})
def html(c, only=None, theme=None, single_file=False, force=False, jobs=0):
    """Build only the web pages (dist/<slug>/index.html) and dist/index.html."""
    _build(("html",), only, theme, single_file=single_file or None, force=force, jobs=jobs)


@task(help=PDF_FLAGS)
def pdf(c, only=None, theme=None, paper=None, press=False, force=False, jobs=0):
    """Build only the PDFs (dist/<slug>/<slug>.pdf, and -press.pdf when asked)."""
    _build(("pdf",), only, theme, paper, press or None, force=force, jobs=jobs)


@task(help={k: v for k, v in FLAGS.items() if k != "paper"})
def epub(c, only=None, theme=None, force=False, jobs=0):
    """Build only the EPUBs (dist/<slug>/<slug>.epub)."""
    _build(("epub",), only, theme, force=force, jobs=jobs)


@task(help={**PDF_FLAGS, "dpi": "resolution of the page images (default 110)"})
def proof(c, only=None, theme=None, paper=None, press=False, dpi=110, force=False, jobs=0):
    """Build the PDFs, then write a PNG of every page to dist/<slug>/proof/."""
    _build(("pdf",), only, theme, paper, press or None, force=force, jobs=jobs)
    folders = [only or "*", f"collections/{only or '*'}"]  # an article's, a collection's
    pdfs = sorted(p for folder in folders for p in PROJECT.dist_dir.glob(f"{folder}/*.pdf"))
    for pdf_path in pdfs:
        pages = write_proofs(pdf_path, pdf_path.parent / "proof", dpi=int(dpi))
        print(f"{pdf_path.name}: proof {len(pages)} page(s) in "
              f"{pages[0].parent.relative_to(PROJECT.root)}/")


@task(help={
    "only": "check just this source (its file name without .md)",
    "json": "print the report as JSON instead of a table",
    "fast": "skip building the outputs and running EPUBCheck, Ace, the Nu Html Checker "
            "and axe-core",
    "strict": "exit non-zero on warnings too, not only on errors",
})
def check(c, only=None, json=False, fast=False, strict=False):
    """Report what to fix before publishing: inputs, links, images, accessibility, checkers."""
    progress = (lambda line: None) if json else (lambda line: print(f"checking: {line}"))
    try:
        findings, skipped = report.collect_findings(PROJECT, only=only, fast=fast,
                                                    progress=progress)
    except PressroomError as error:
        raise Exit(f"error: {error}", code=1) from None
    if json:
        print(report.as_json(findings, skipped, PROJECT.root))
    else:
        report.print_table(findings, skipped, PROJECT.root)
    code = report.exit_code(findings, strict)
    if code:
        raise Exit(code=code)


@task(help={"port": "port on 127.0.0.1 (default 8000; 0 picks a free one)",
            "only": "preview just this source (its file name without .md)"})
def preview(c, port=8000, only=None):
    """Serve dist/ locally, rebuild web pages on every save and reload the browser."""
    try:
        serve_preview(PROJECT, port=int(port), only=only)
    except OSError as error:
        raise Exit(f"error: cannot serve on 127.0.0.1:{port}: {error.strerror}; "
                   "try another --port", code=1) from None
    except KeyboardInterrupt:
        print("\npreview stopped")


@task(help={"title": "the new article's title; with --translate, the slug of the article",
            "author": "id of the author in source/authors.yml (for a new article)",
            "translate": "start a translation of the article TITLE names (with --lang)",
            "lang": "language of the translation, e.g. es, zh-Hans (with --translate)"})
def new(c, title, author="", translate=False, lang=""):
    """Start source/<slug>.md for TITLE, or (--translate SLUG --lang L) a translation."""
    try:
        if translate:
            if not lang:
                raise Exit("error: --translate needs --lang, e.g. --lang es", code=1)
            path = new_translation(PROJECT.source_dir, title, lang)
            print(f"created {path.relative_to(PROJECT.root)}: translate its title, "
                  "description, keywords and text")
            return
        if not author:
            raise Exit('error: give the author: invoke new "Title" --author ID', code=1)
        path = new_source(PROJECT.source_dir, title, author, datetime.date.today())
    except PressroomError as error:
        raise Exit(f"error: {error}", code=1) from None
    print(f"created {path.relative_to(PROJECT.root)}: edit its description, then write")


@task
def clean(c):
    """Delete dist/ and everything the builds wrote."""
    clean_dist(PROJECT)
