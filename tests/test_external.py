"""The external checkers' wrappers (pipeline/checks/external.py, used by `invoke check`, and
tests/checkers.py): where they are found, and that a checker failing to check is never
taken for a clean result."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import checkers
from pipeline.checks import external

VALID_PAGE = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
              "<title>A page</title></head><body><p>Fine.</p></body></html>\n")


@pytest.fixture
def vnu_available():
    checkers.vnu_command()  # fails on CI, skips elsewhere, when java or vnu.jar is missing


def test_the_checkers_folder_is_configuration(monkeypatch, tmp_path):
    monkeypatch.delenv("PRESSROOM_NODE_MODULES", raising=False)
    assert external.node_modules() == external.ROOT / "tests" / "checkers" / "node_modules"
    monkeypatch.setenv("PRESSROOM_NODE_MODULES", str(tmp_path))
    assert external.vnu_jar() == tmp_path / "vnu-jar" / "build" / "dist" / "vnu.jar"
    assert external.axe_js() == tmp_path / "axe-core" / "axe.min.js"
    assert external.ace_cli() == tmp_path / ".bin" / "ace-cli"
    # An empty folder holds no checker: they are reported as not installed.
    page = tmp_path / "page.html"
    page.write_text(VALID_PAGE, encoding="utf-8")
    assert external.vnu(page) is None
    assert external.ace(page) is None
    monkeypatch.setenv("PRESSROOM_CHROMIUM", str(tmp_path / "no-chromium"))
    assert external.chromium() == tmp_path / "no-chromium"


def test_vnu_reports_nothing_on_a_valid_page(vnu_available, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(VALID_PAGE, encoding="utf-8")
    assert external.vnu(page) == []


def test_vnu_reports_an_error_in_a_page(vnu_available, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(VALID_PAGE.replace("<title>A page</title>", ""), encoding="utf-8")
    [finding] = external.vnu(page)
    assert finding.severity == "error" and "title" in finding.message


@pytest.mark.parametrize("kind", ["missing", "broken-link", "folder"])
def test_a_page_vnu_cannot_read_is_a_failure_not_a_clean_page(vnu_available, tmp_path, kind):
    page = tmp_path / "page.html"
    if kind == "broken-link":
        page.symlink_to(tmp_path / "nowhere.html")
    elif kind == "folder":
        page.mkdir()
    [finding] = external.vnu(page)
    assert finding.severity == "error" and finding.rule == "nu-html-checker"
    assert finding.message.startswith(f"the Nu Html Checker could not check {page}: ")
    with pytest.raises(pytest.fail.Exception, match="cannot read"):
        checkers.run_vnu(page)


def test_a_non_document_error_of_vnu_is_a_failure(vnu_available, tmp_path):
    """vnu's own report of a page it could not fetch (nothing listens on port 1)."""
    command = external.vnu_command()
    result = subprocess.run([*command, "http://127.0.0.1:1/page.html"], capture_output=True,
                            text=True, timeout=300)
    assert '"non-document-error"' in result.stderr  # what vnu says, as the wrapper reads it
    [finding] = external.vnu_diagnostics(Path("page.html"), result.returncode, result.stderr)
    assert finding.severity == "error"
    assert "could not check" in finding.message and "io:" in finding.message


def test_vnu_without_a_report_or_stopping_is_a_failure():
    [no_report] = external.vnu_diagnostics(Path("p.html"), 1, "Exception in thread main")
    assert "no report (exit status 1)" in no_report.message
    report = '{"version":"1","messages":[]}'
    [stopped] = external.vnu_diagnostics(Path("p.html"), 1, "java.io.IOException\n" + report)
    assert "exit status 1" in stopped.message and "IOException" in stopped.message
    assert external.vnu_diagnostics(Path("p.html"), 0, report) == []
