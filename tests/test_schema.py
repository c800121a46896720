"""pipeline.read.schema: YAML with line numbers, field checks, image references."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpers import make_png
from pipeline.read.schema import Field, check_fields, check_image, load_yaml

FILE = Path("/project/source/doc.md")


def parse(text: str, first_line: int = 1):
    parsed, problems = load_yaml(FILE, text, first_line)
    assert problems == []
    return parsed


# --- load_yaml --------------------------------------------------------------


def test_load_yaml_records_the_line_of_every_key():
    parsed = parse("title: A\n\npublisher:\n  name: B\n  url: C\nlist:\n  - x\n  - y\n")
    assert parsed.data == {"title": "A", "publisher": {"name": "B", "url": "C"},
                           "list": ["x", "y"]}
    assert parsed.line("title") == 1
    assert parsed.line("publisher") == 3
    assert parsed.line("publisher", "url") == 5
    assert parsed.line("list", 1) == 8


def test_load_yaml_offsets_lines_by_first_line():
    # Front matter starts on line 2 of a Markdown file (after the opening '---').
    parsed = parse("title: A\ndate: 2026-01-01\n", first_line=2)
    assert parsed.line("title") == 2
    assert parsed.line("date") == 3


def test_line_of_an_unknown_path_falls_back_to_the_nearest_parent():
    parsed = parse("a:\n  b: 1\n", first_line=5)
    assert parsed.line("a", "missing") == 5
    assert parsed.line("nothing", "here") == 5


def test_dates_stay_text_so_they_can_be_checked_with_our_message():
    assert parse("date: 2026-01-01\n").data["date"] == "2026-01-01"


@pytest.mark.parametrize(
    "text, first_line, line",
    [
        ("title: A\ndescription: x: y\n", 1, 2),          # colon inside a plain value
        ("title: A\ndescription: x: y\n", 2, 3),          # same, inside front matter
        ("title: A\n  bad indent: 1\nc: 2\n", 1, 2),
        ("a: [1, 2\nb: 3\n", 10, 10),                   # the unclosed '[' is on the first line
        ('a: 1\ntitle: "A\nb: 2\nc: 3\n', 1, 2),        # unclosed quote: where it opened
    ],
)
def test_malformed_yaml_becomes_a_problem_at_the_right_line(text, first_line, line):
    parsed, problems = load_yaml(FILE, text, first_line)
    assert parsed is None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.file == FILE
    assert problem.line == line
    assert "malformed YAML" in problem.message
    assert problem.fix


def test_empty_yaml_has_no_data_and_no_problem():
    parsed, problems = load_yaml(FILE, "", 2)
    assert problems == [] and parsed.data is None


# --- check_fields -----------------------------------------------------------

FIELDS = [
    Field("title", required=True, hint="add a title"),
    Field("date", "date", required=True),
    Field("tags", "list"),
    Field("lang", "lang"),
    Field("url", "url"),
    Field("settings", "mapping"),
]


def check(text: str, fields=FIELDS, tmp: Path = Path("/nowhere")):
    parsed = parse(text, first_line=2)
    return check_fields(parsed, parsed.data, (), fields, "front matter", tmp, tmp)


def test_valid_fields_are_converted():
    values, problems = check("title: Hello\ndate: 2026-02-28\ntags: one\nlang: en-GB\n"
                             "url: https://example.org/\nsettings: {a: 1}\n")
    assert problems == []
    assert values == {"title": "Hello", "date": dt.date(2026, 2, 28), "tags": ("one",),
                      "lang": "en-GB", "url": "https://example.org/", "settings": {"a": 1}}


def test_missing_required_field_is_reported_with_its_hint():
    values, problems = check("date: 2026-01-01\n")
    assert "title" not in values
    [problem] = problems
    assert "missing the required field 'title'" in problem.message
    assert problem.fix == "add a title"
    assert problem.line == 2


@pytest.mark.parametrize("value", ["''", "[]", ""])
def test_empty_required_field_counts_as_missing(value):
    _, problems = check(f"title: {value}\ndate: 2026-01-01\n")
    assert [p.message for p in problems] == ["front matter is missing the required field 'title'"]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("title: [a, b]", "'title' must be text, not a list"),
        ("title: {a: 1}", "'title' must be text, not a group of fields"),
        ("title: yes", "'title' must be text, not yes/no (True)"),
        ("tags: {a: 1}", "'tags' must be a list"),
        ("tags: [a, [b]]", "'tags' must be a list of text"),
        ("lang: english language", "'lang' must be a language tag"),
        ("url: www.example.org", "'url' must be a web address"),
        ("settings: 3", "'settings' must be a group of fields"),
    ],
)
def test_wrong_type_is_reported_on_its_line(line, expected):
    field = line.split(":")[0]
    rest = "" if field == "title" else "title: T\n"
    values, problems = check(f"date: 2026-01-01\n{line}\n{rest}")
    assert field not in values
    [problem] = problems
    assert problem.message.startswith(expected)
    assert problem.line == 3


@pytest.mark.parametrize("date", ["2026-13-45", "yesterday", "2026-02-30", "26-1-1", "2026"])
def test_bad_date_is_reported_on_its_line(date):
    values, problems = check(f"title: T\n\ndate: {date}\n")
    assert "date" not in values
    [problem] = problems
    assert problem.line == 4
    assert "'date' must be a date written YYYY-MM-DD" in problem.message
    assert date in problem.message


def test_unknown_key_suggests_the_closest_field():
    _, problems = check("tittle: T\ndate: 2026-01-01\n")
    unknown = [p for p in problems if "unknown field" in p.message]
    assert len(unknown) == 1
    assert "'tittle'" in unknown[0].message
    assert unknown[0].fix == "did you mean 'title'?"
    assert unknown[0].line == 2


def test_unknown_key_without_close_match_lists_the_known_fields():
    _, problems = check("title: T\ndate: 2026-01-01\nzzzzqqq: 1\n")
    [problem] = problems
    assert problem.line == 4
    assert "known fields" in problem.fix and "title" in problem.fix


def test_all_problems_in_a_mapping_are_reported_at_once():
    _, problems = check("tittle: T\ndate: yesterday\nlang: 12 3\ntags: {a: 1}\n")
    messages = " | ".join(p.message for p in problems)
    assert len(problems) == 5, messages
    assert "unknown field 'tittle'" in messages
    assert "missing the required field 'title'" in messages
    assert "'date'" in messages and "'lang'" in messages and "'tags'" in messages
    assert {p.line for p in problems} == {2, 3, 4, 5}


def test_a_mapping_that_is_not_a_mapping_is_one_problem():
    parsed = parse("- a\n- b\n", first_line=2)
    values, problems = check_fields(parsed, parsed.data, (), FIELDS, "front matter",
                                    Path("/x"), Path("/x"))
    assert values == {}
    [problem] = problems
    assert "must be a group of 'key: value' lines" in problem.message


def test_image_field_is_resolved_and_checked(tmp_path):
    make_png(tmp_path / "images" / "a.png")
    fields = [Field("photo", "image"), Field("cover", "image")]
    parsed = parse("photo: images/a.png\ncover: images/missing.png\n")
    values, problems = check_fields(parsed, parsed.data, (), fields, "x", tmp_path, tmp_path)
    assert values == {"photo": (tmp_path / "images" / "a.png").resolve()}
    [problem] = problems
    assert problem.line == 2 and "does not exist" in problem.message


# --- check_image ------------------------------------------------------------


@pytest.fixture
def source(tmp_path):
    root = tmp_path / "source"
    make_png(root / "images" / "photo.jpg")
    (root / "notes.txt").write_text("not an image")
    (tmp_path / "secret.png").write_bytes(b"png outside source/")
    return root


def test_check_image_accepts_an_image_inside_source(source):
    path, error = check_image("images/photo.jpg", source, source)
    assert error == ""
    assert path == (source / "images" / "photo.jpg").resolve()


@pytest.mark.parametrize(
    "reference, reason",
    [
        ("images/missing.jpg", "does not exist"),
        ("notes.txt", "not an image type"),
        ("../secret.png", "points outside"),
        ("images/../../secret.png", "points outside"),
        ("/etc/hosts.png", "absolute path"),
        ("http://example.org/a.png", "is a URL: a publication carries its own copy"),
        ("HTTPS://example.org/a.png", "run 'invoke fetch-images'"),
        ("file:///etc/passwd.png", "is a URL"),
        ("//example.org/a.png", "is a URL"),
        ("data:image/png;base64,AAAA", "is a URL"),
    ],
)
def test_check_image_refuses(source, reference, reason):
    path, error = check_image(reference, source, source)
    assert path is None
    assert reason in error
    assert reference in error


def test_check_image_refuses_absolute_path_even_to_an_existing_file(source):
    absolute = str((source / "images" / "photo.jpg").resolve())
    path, error = check_image(absolute, source, source)
    assert path is None and "absolute path" in error


def test_a_bare_no_as_language_asks_for_quotes(tmp_path):
    """YAML reads `lang: no` (Norwegian) as false: the message says to quote it."""
    from pipeline.read.schema import Field, check_fields, load_yaml

    parsed, problems = load_yaml(tmp_path / "x.yml", "lang: no\n")
    values, problems = check_fields(parsed, parsed.data, (), [Field("lang", "lang")], "x",
                                    tmp_path, tmp_path)
    assert "lang" not in values
    assert len(problems) == 1 and problems[0].line == 1
    assert '"no"' in problems[0].message
