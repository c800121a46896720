"""pipeline.diagnostics, pipeline.models and pipeline.render.context: messages, derived values, file lists."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from helpers import RICH_SLUG
from pipeline.build.publish import Project, gather
from pipeline.render.context import document_files, source_relative
from pipeline.diagnostics import InvalidInput, PressroomError, Diagnostic
from pipeline.models import Person


def test_problem_names_file_line_and_fix():
    text = str(Diagnostic(Path("/x/source/a.md"), 7, "bad date", "write YYYY-MM-DD"))
    first, second = text.split("\n")
    assert first.endswith("a.md:7: bad date")
    assert second.strip() == "fix: write YYYY-MM-DD"


def test_problem_without_line_or_fix():
    text = str(Diagnostic(Path("/x/source/site.yml"), None, "file not found"))
    assert text.endswith("site.yml: file not found")
    assert "\n" not in text and ":None" not in text


def test_invalid_input_carries_every_problem_in_its_message():
    problems = [Diagnostic(Path("/s/b.md"), 3, "three"), Diagnostic(Path("/s/a.md"), 9, "nine"),
                Diagnostic(Path("/s/a.md"), 2, "two")]
    error = InvalidInput(problems)
    assert isinstance(error, PressroomError)
    assert sorted(map(str, error.problems)) == sorted(map(str, problems))
    for problem in problems:
        assert str(problem) in str(error)


def test_name_with_credentials():
    assert Person(id="a", name="Ann Lee").name_with_credentials == "Ann Lee"
    assert Person(id="a", name="Ann Lee", credentials=("RN", "MSN")).name_with_credentials == \
        "Ann Lee, RN, MSN"


@pytest.fixture(scope="module")
def rich_doc(feature_build):
    documents, _ = gather(Project(feature_build.root), only=RICH_SLUG)
    return documents[0]


def test_modified_is_the_latest_date(rich_doc):
    base = dataclasses.replace(rich_doc, date=dt.date(2026, 1, 1), updated=None,
                               byline=dataclasses.replace(rich_doc.byline, reviewed=None))
    assert base.modified == dt.date(2026, 1, 1)
    assert dataclasses.replace(base, updated=dt.date(2026, 2, 1)).modified == dt.date(2026, 2, 1)
    reviewed = dataclasses.replace(base.byline, reviewed=dt.date(2026, 3, 1))
    assert dataclasses.replace(base, updated=dt.date(2026, 2, 1),
                               byline=reviewed).modified == dt.date(2026, 3, 1)


def test_document_files_lists_each_shown_file_once(rich_doc):
    files = document_files(rich_doc)
    names = [source_relative(rich_doc, f) for f in files]
    # cover, publisher logo, body image and author photo; jane.png is all of
    # cover, body image and photo, and is listed once.
    assert names == ["images/jane.png", "images/stemedix-logo.svg"]
    assert all(f.is_file() for f in files)
