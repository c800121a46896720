"""`invoke check`: everything a reviewer should know before publishing, in one report."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..checks import external as checkers
from .languages import catalogue_findings, glyph_problems, stale_translations
from .publish import BuildOptions, Project, gather, gather_collections, publish
from ..checks.accessibility import accessibility_findings
from ..checks.links import link_findings
from ..diagnostics import SEVERITIES, Diagnostic, sort_key
from ..checks.claims import project_rules, rules_note
from ..render.context import document_files
from ..checks.review import content_findings
from ..diagnostics import InvalidInput
from ..models import Collection, Document
from ..read.resources import IMAGE_TYPES

# Checkers of built outputs: (name, output file of a document, runner).
OUTPUT_CHECKERS = (
    ("EPUBCheck", "{slug}.epub", checkers.epubcheck),
    ("Ace by DAISY", "{slug}.epub", checkers.ace),
    ("Nu Html Checker", "index.html", checkers.vnu),
    ("axe-core", "index.html", checkers.axe),
)


def collect_findings(project: Project, only: str | None = None, fast: bool = False,
                     progress: Callable[[str], None] = lambda line: None,
                     today: dt.date | None = None) -> tuple[list[Diagnostic], list[str]]:
    """All findings for the project's sources, and the checkers that could not run."""
    try:
        documents, problems = gather(project, only)
    except InvalidInput as error:  # site.yml or authors.yml: nothing else can be checked
        return list(error.problems), []
    findings = list(problems)
    collections = []
    if only is None:
        collections, found = gather_collections(project, documents, problems)
        findings += list(found)
    try:
        rules = project_rules(project.source_dir)
        findings += rules_note(rules, project.source_dir)
    except InvalidInput as error:  # claims.yml itself is wrong
        findings += list(error.problems)
        rules = ()
    findings += glyph_problems(documents, project.themes_dir)
    findings += catalogue_findings(documents)
    findings += stale_translations(documents)
    slugs = {path.stem for path in project.sources()}
    for doc in documents:  # its reading warnings came with `problems`
        findings += accessibility_findings(doc)
        findings += link_findings(doc, slugs)
        findings += content_findings(doc, rules, today or dt.date.today())
    if only is None:
        findings += unused_image_findings(project, documents, collections)
    skipped: list[str] = []
    if not fast and documents:
        built = _output_findings(project, only, [*documents, *collections], skipped, progress)
        # The scratch build reads the sources again: their warnings are in already.
        findings += [finding for finding in built if finding not in findings]
    findings.sort(key=sort_key)
    return findings, skipped


def unused_image_findings(project: Project, documents: list[Document],
                          collections: list[Collection] = ()) -> list[Diagnostic]:
    """Images under source/ that no document, collection, author or the site shows."""
    used = {path.resolve() for pub in [*documents, *collections] for path in document_files(pub)}
    findings = []
    for path in sorted(project.source_dir.rglob("*")):
        if path.suffix.lower() in IMAGE_TYPES and path.resolve() not in used:
            findings.append(Diagnostic(path, None, f"image '{path.relative_to(project.source_dir)}'"
                                    " is not used by any document", fix="delete it, or show it", severity="warning", rule="unused-image"))
    return findings


def _output_findings(project: Project, only: str | None,
                     documents: list[Document | Collection], skipped: list[str],
                     progress: Callable[[str], None]) -> list[Diagnostic]:
    findings: list[Diagnostic] = []
    with tempfile.TemporaryDirectory(prefix="pressroom-check-") as scratch:
        scratch_project = Project(project.root, output=Path(scratch))
        progress("building the web pages and EPUBs to check them")
        outcome = publish(scratch_project, BuildOptions(("html", "epub"), only=only),
                          report=lambda line: None)
        findings += list(outcome.problems)
        for name, pattern, run in OUTPUT_CHECKERS:
            for doc in documents:
                output = Path(scratch) / doc.folder / pattern.format(slug=doc.slug)
                if not output.is_file():
                    continue
                progress(f"{name}: {doc.folder}")
                found = run(output)
                if found is None:
                    skipped.append(name)
                    break
                # Report against the source: the scratch build is gone afterwards.
                findings += [Diagnostic(doc.source_path, None, f"{output.name}: {f.message}", fix=f.fix, severity=f.severity, rule=f.rule) for f in found]
    return findings


def as_json(findings: list[Diagnostic], skipped: list[str], root: Path) -> str:
    return json.dumps({
        "findings": [{"file": _relative(f.file, root), "line": f.line, "column": f.column,
                      "severity": f.severity, "rule": f.rule, "message": f.message,
                      "fix": f.fix} for f in findings],
        "summary": summary_counts(findings),
        "checkers_not_installed": skipped,
    }, indent=2, ensure_ascii=False)


def summary_counts(findings: list[Diagnostic]) -> dict[str, int]:
    return {severity: sum(f.severity == severity for f in findings) for severity in SEVERITIES}


def print_table(findings: list[Diagnostic], skipped: list[str], root: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False)
    if findings:
        table = Table(show_lines=False, header_style="bold")
        for column in ("where", "severity", "rule", "finding", "fix"):
            table.add_column(column, overflow="fold")
        for f in findings:
            where = _relative(f.file, root) + (f":{f.line}" if f.line else "") + \
                (f":{f.column}" if f.column else "")
            table.add_row(where, f.severity, f.rule, f.message, f.fix)
        console.print(table)
    counts = summary_counts(findings)
    console.print(f"{counts['error']} error(s), {counts['warning']} warning(s), "
                  f"{counts['info']} note(s)")
    for name in dict.fromkeys(skipped):
        console.print(f"not run: {name} is not installed (bash .ci/install installs it)")


def _relative(path: Path | None, root: Path) -> str:
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def exit_code(findings: list[Diagnostic], strict: bool) -> int:
    counts = summary_counts(findings)
    return 1 if counts["error"] or (strict and counts["warning"]) else 0

