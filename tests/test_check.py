"""`invoke check` (pipeline/report.py) and `invoke new` (pipeline/scaffold.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import pytest

from helpers import REPO, article, make_png, make_project, write_source
from pipeline.build.publish import Project, gather
from pipeline.diagnostics import PressroomError
from pipeline.build.check import collect_findings, exit_code
from pipeline.scaffold import new_source, slugify


def findings_by_rule(root, **kwargs):
    findings, skipped = collect_findings(Project(root), fast=True, **kwargs)
    by_rule: dict[str, list] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    return by_rule


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project")


CHECKER_RULES = ("epubcheck", "ace", "nu-html-checker", "axe")
STRUCTURE_RULES = {"front-matter", "broken-anchor", "broken-link", "site-link",
                   "unused-image", "image-alt", "heading-order", "document-lang"}


def test_the_seed_has_content_findings_and_no_structural_ones(project):
    findings, skipped = collect_findings(Project(project), fast=True,
                                         today=dt.date(2026, 12, 1))
    assert skipped == []
    assert not [f for f in findings if f.rule in STRUCTURE_RULES]
    rules = {(f.rule, f.severity) for f in findings}
    assert ("claim-safety", "error") in rules  # "The treatment is safe, ..."
    assert ("claim-evidence", "warning") in rules       # "Studies have shown" with no source
    assert not any("is not a cure" in f.message for f in findings)


def test_findings_name_file_line_rule_and_fix(project):
    make_png(project / "source" / "images" / "chart.png")
    make_png(project / "source" / "images" / "unused.png")
    write_source(project, "doc", article(body="""
        Intro with a [jump](#nowhere) and a [good one](#part).

        ## Part

        ![](images/chart.png)

        #### Too deep

        See [the other](missing-article.md) and [the seed](can-stem-cell-therapy-cure-multiple-sclerosis.md).

        Also [tremor](/information/managing-symptoms/tremor) and [ms](/x/can-stem-cell-therapy-cure-multiple-sclerosis).
        """))
    rules = findings_by_rule(project)
    source = project / "source" / "doc.md"
    [anchor] = rules["broken-anchor"]
    assert (anchor.file, anchor.line, anchor.severity) == (source, 8, "error")
    assert "#nowhere" in anchor.message and anchor.fix
    [alt] = rules["image-alt"]
    assert (alt.line, alt.severity) == (12, "error")
    [heading] = rules["heading-order"]
    assert heading.line == 14 and "skips from level 2 to 4" in heading.message
    [broken] = rules["broken-link"]
    assert broken.line == 16 and "missing-article.md" in broken.message
    [site_link] = rules["site-link"]  # the second one names a source: a page link
    assert (site_link.line, site_link.severity) == (18, "warning")
    assert "'/information/managing-symptoms/tremor' matches no source" in site_link.message
    assert "https://www.stemedix.com/information/managing-symptoms/tremor" in site_link.message
    [unused] = rules["unused-image"]
    assert unused.file.name == "unused.png" and unused.severity == "warning"
    assert "image-alt" in rules and "chart.png" not in str(rules["unused-image"])


def test_a_reading_warning_is_reported_once(project):
    """A warning found while reading (an unclosed element, a remote image) came twice:
    once with gather's problems and once more from the document."""
    write_source(project, "doc", article(body="""
        <details markdown="1">
        <summary>More</summary>

        ![A chart](https://www.example.org/chart.png)
        """))
    findings, _ = collect_findings(Project(project), only="doc", fast=True)
    reading = [(f.rule, f.line) for f in findings if f.rule in ("raw-html", "remote-image")]
    assert sorted(reading) == sorted(set(reading)) and len(reading) == 2, reading


def test_front_matter_problems_are_findings_with_their_line(project):
    write_source(project, "doc", article("tittle: typo", date="2026-13-01"))
    rules = findings_by_rule(project)
    messages = {(f.line, f.message) for f in rules["front-matter"]}
    assert (4, "'date' must be a date written YYYY-MM-DD, not '2026-13-01'") in messages
    assert any(line == 6 and "tittle" in message for line, message in messages)


def test_exit_code_counts_errors_and_in_strict_mode_warnings(tmp_path):
    project = make_project(tmp_path / "clean", seed=False)
    write_source(project, "doc", article(body="Short words. Plain text.\n"))
    make_png(project / "source" / "images" / "unused.png")
    findings, _ = collect_findings(Project(project), fast=True)
    assert {f.severity for f in findings} == {"warning", "info"}  # unused image; no review
    assert exit_code(findings, strict=False) == 0
    assert exit_code(findings, strict=True) == 1
    write_source(project, "doc", article(body="[x](#nowhere)"))
    findings, _ = collect_findings(Project(project), fast=True)
    assert exit_code(findings, strict=False) == 1


def test_only_checks_one_source(project):
    write_source(project, "doc", article(body="[x](#nowhere)"))
    assert "broken-anchor" not in findings_by_rule(
        project, only="can-stem-cell-therapy-cure-multiple-sclerosis")
    with pytest.raises(PressroomError, match="available"):
        collect_findings(Project(project), only="nope", fast=True)


def test_checkers_run_on_the_built_outputs_and_report_nothing_for_the_seed(project):
    findings, skipped = collect_findings(Project(project))
    if skipped:
        message = f"checkers not installed: {skipped}"
        pytest.fail(message) if os.environ.get("CI") == "true" else pytest.skip(message)
    assert [f for f in findings if f.rule.startswith(CHECKER_RULES)] == []
    assert not (project / "dist").exists()  # the checked build went to a scratch folder


def cli(root, *args):
    result = subprocess.run([sys.executable, "-m", "invoke", *args], cwd=root,
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def cli_project(project):
    shutil.copy2(REPO / "tasks.py", project / "tasks.py")
    (project / "pipeline").symlink_to(REPO / "pipeline", target_is_directory=True)
    return project


def test_check_task_prints_json_and_exits_non_zero_on_errors(cli_project):
    write_source(cli_project, "doc", article(body="[x](#nowhere)\n\n![](images/stemedix-logo.svg)"))
    code, output = cli(cli_project, "check", "--fast", "--json")
    assert code == 1, output
    report = json.loads(output)
    rules = {(f["file"], f["line"], f["rule"]) for f in report["findings"]}
    assert ("source/doc.md", 8, "broken-anchor") in rules
    assert ("source/doc.md", 10, "image-alt") in rules
    assert {f["rule"] for f in report["findings"] if f["severity"] == "error"} >= \
        {"broken-anchor", "image-alt"}
    code, output = cli(cli_project, "check", "--fast")
    assert code == 1 and "broken-anchor" in output and "Traceback" not in output


def test_new_writes_a_valid_source_that_check_accepts(project):
    path, *_ = new_source(project / "source", "Fatigue & MS: What Helps?", "becky-palmer",
                      dt.date(2026, 12, 1))
    assert path.name == "fatigue-ms-what-helps.md"
    documents, problems = gather(Project(project), only="fatigue-ms-what-helps")
    assert problems == []
    [doc] = documents
    assert doc.title == "Fatigue & MS: What Helps?"
    assert doc.date == dt.date(2026, 12, 1) and doc.lang == "en-US"
    assert [p.id for p in doc.byline.authors] == ["becky-palmer"]
    assert doc.toc and doc.body_html.count("footnote-ref") == 1


def test_new_refuses_to_overwrite_and_unknown_authors(project):
    new_source(project / "source", "A title", "becky-palmer", dt.date(2026, 1, 1))
    before = (project / "source" / "a-title.md").read_bytes()
    with pytest.raises(PressroomError, match="already exists"):
        new_source(project / "source", "A title", "becky-palmer", dt.date(2026, 2, 2))
    assert (project / "source" / "a-title.md").read_bytes() == before
    with pytest.raises(PressroomError, match="did you mean 'becky-palmer'"):
        new_source(project / "source", "Other", "becky-plamer", dt.date(2026, 1, 1))
    with pytest.raises(PressroomError, match="file name"):
        new_source(project / "source", "???", "becky-palmer", dt.date(2026, 1, 1))


def test_slugify():
    assert slugify("Can Stem Cell Therapy Cure MS?") == "can-stem-cell-therapy-cure-ms"
    assert slugify("  Café – Ærø  ") == "cafe-r"


def test_new_task_via_cli(cli_project):
    code, output = cli(cli_project, "new", "My New Article", "--author", "becky-palmer")
    assert code == 0, output
    assert (cli_project / "source" / "my-new-article.md").is_file()
    code, output = cli(cli_project, "new", "My New Article", "--author", "becky-palmer")
    assert code == 1 and "already exists" in output and "Traceback" not in output
