"""Pressroom tasks: turn the Markdown in source/ into a web page, a PDF and an EPUB each."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from invoke import Exit, task

from pipeline.build.publish import (FORMATS, BuildOptions, Project, clean as clean_dist,
                                    publish as publish_all)
from pipeline.build import check as report
from pipeline.fetch_images import fetch_images as fetch_remote_images
from pipeline.preview import serve as serve_preview
from pipeline.progress import BuildProgress, print_summary
from pipeline.proof import write_proofs
from pipeline.review_packet import approve as approve_review, write_packet
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
STRICT = {"strict": "treat warnings as errors: publish no source with a warning (raw HTML "
                     "removed in cleaning, template tags of other tools) or an unsupported "
                     "claim of severity error (source/claims.yml)"}
SINGLE_FILE = {"single_file": "also make <slug>.single.html, the web page as one self-contained "
                              "file for e-mail, as site.yml's 'single_file: true' does"}


def _build(formats: tuple[str, ...], only: str | None, theme: str | None,
           paper: str | None = None, press: bool | None = None,
           single_file: bool | None = None, force: bool = False, jobs: int = 0,
           strict: bool = False) -> None:
    options = BuildOptions(formats, only=only, theme=theme, paper=paper, press=press,
                           single_file=single_file, force=force,
                           jobs=int(jobs) or os.cpu_count() or 1, strict=strict)
    try:
        with BuildProgress() as progress:
            outcome = publish_all(PROJECT, options, report=progress, plan=progress.plan)
        print_summary(outcome)
    except PressroomError as error:
        raise Exit(f"error: {error}", code=1) from None
    except KeyboardInterrupt:
        raise Exit("interrupted: dist/ keeps its previous files", code=130) from None
    listing = "\n".join(str(problem) for problem in outcome.problems)
    warnings = len(outcome.warnings)
    summary = (f"{len(outcome.errors)} error(s), {warnings} warning(s); `invoke check` lists "
               "them" + ("" if strict or not warnings else
                         ", `--strict` publishes nothing that has a warning"))
    if not outcome.ok:
        if not outcome.failed:
            raise Exit(f"{listing}\n\n{summary}", code=1)
        names = ", ".join(outcome.failed)
        raise Exit(f"{listing}\n\nnot published: {names} (nothing was written for "
                   f"{'it' if len(outcome.failed) == 1 else 'them'})\n{summary}", code=1)
    if warnings:
        print(f"{listing}\n\npublished with {summary}")
    if outcome.published_errors or outcome.published_warnings:
        print(f"what dist/ holds has {outcome.published_errors} error-level finding(s) and "
              f"{outcome.published_warnings} warning(s), unsupported claims among them, counted "
              "when each source was last read (also those this build did not read again): "
              "`invoke check` lists them, and `invoke publish --strict` publishes nothing "
              "that has one")


@task(help={**PDF_FLAGS, **SINGLE_FILE, **STRICT})
def publish(c, only=None, theme=None, paper=None, press=False, single_file=False, force=False,
            jobs=0, strict=False):
    """Build the web page, PDF and EPUB of every source and collection into dist/."""
    _build(FORMATS, only, theme, paper, press or None, single_file or None, force, jobs,
           strict)


@task(help={**{k: v for k, v in FLAGS.items() if k != "paper"}, **SINGLE_FILE, **STRICT})
def html(c, only=None, theme=None, single_file=False, force=False, jobs=0, strict=False):
    """Build only the web pages (dist/<slug>/index.html) and dist/index.html."""
    _build(("html",), only, theme, single_file=single_file or None, force=force, jobs=jobs,
           strict=strict)


@task(help={**PDF_FLAGS, **STRICT})
def pdf(c, only=None, theme=None, paper=None, press=False, force=False, jobs=0, strict=False):
    """Build only the PDFs (dist/<slug>/<slug>.pdf, and -press.pdf when asked)."""
    _build(("pdf",), only, theme, paper, press or None, force=force, jobs=jobs, strict=strict)


@task(help={**{k: v for k, v in FLAGS.items() if k != "paper"}, **STRICT})
def epub(c, only=None, theme=None, force=False, jobs=0, strict=False):
    """Build only the EPUBs (dist/<slug>/<slug>.epub)."""
    _build(("epub",), only, theme, force=force, jobs=jobs, strict=strict)


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


def _help_not_value(value: str, name: str, usage: str) -> None:
    """invoke 3.0.3 hands `invoke NAME --help` to the task as its positional argument
    (pyinvoke/invoke#982): show the task's help, or the usage, instead of using the flag."""
    if value in ("-h", "--help"):
        from invoke.main import program
        program.run(["invoke", "--help", name])  # prints the help and exits
    if value.startswith("-"):
        raise Exit(f"error: '{value}' came where {usage.split()[2]} goes: {usage}", code=1)


@task(help={"title": "the new article's title; with --translate, the slug of the article",
            "author": "id of the author in source/authors.yml (for a new article)",
            "translate": "start a translation of the article TITLE names (with --lang)",
            "lang": "language of the translation, e.g. es, zh-Hans (with --translate)"})
def new(c, title, author="", translate=False, lang=""):
    """Start source/<slug>.md for TITLE, or (--translate SLUG --lang L) a translation."""
    _help_not_value(title, "new", 'invoke new "Title" --author ID')
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
        created = new_source(PROJECT.source_dir, title, author, datetime.date.today())
    except PressroomError as error:
        raise Exit(f"error: {error}", code=1) from None
    for path in created:
        print(f"created {path.relative_to(PROJECT.root)}")
    print("edit the article's description, then write")


@task(help={"slug": "the source to review (its file name without .md)",
            "approve": "record this reviewer (an id of source/authors.yml) as having reviewed "
                       "it today, instead of writing the packet"})
def review(c, slug, approve=None):
    """Write the reviewer's packet reviews/SLUG/SLUG-review.pdf, or record an approval."""
    _help_not_value(slug, "review", "invoke review SLUG [--approve ID]")
    today = datetime.date.today()
    try:
        if approve:
            path = approve_review(PROJECT, slug, approve, today)
            print(f"recorded the review by {approve} on {today.isoformat()} in "
                  f"{path.relative_to(PROJECT.root)}")
        else:
            path = write_packet(PROJECT, slug, today)
            print(f"wrote {path.relative_to(PROJECT.root)}")
    except PressroomError as error:
        raise Exit(f"error: {error}", code=1) from None


@task(help={"only": "fetch just the images of this source (its file name without .md)",
            "allow_private": "also fetch from loopback, private and link-local addresses "
                             "(refused by default: cloud metadata services live there)"})
def fetch_images(c, only=None, allow_private=False):
    """Download the web images the sources show into source/images/ and point them there."""
    outcome = fetch_remote_images(PROJECT.source_dir, only=only, allow_private=allow_private,
                                  progress=print)
    for line in outcome.fetched:
        print(f"fetched {line}")
    for path in outcome.rewritten:
        print(f"rewrote {path.relative_to(PROJECT.root)}")
    if outcome.problems:
        raise Exit("\n".join(str(problem) for problem in outcome.problems), code=1)
    if not outcome.fetched and not outcome.rewritten:
        print("no web images to fetch")


@task(help={"cache": "also empty .cache/ (image checks and variants, font subsets, covers)"})
def clean(c, cache=False):
    """Delete dist/ and everything the builds wrote."""
    clean_dist(PROJECT, cache=cache)
