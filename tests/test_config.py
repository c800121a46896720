"""pipeline.read.config: site.yml and authors.yml."""

from __future__ import annotations

import textwrap

import pytest

from pipeline.read.config import load_people, load_site
from pipeline.diagnostics import InvalidInput
from helpers import make_png

MINIMAL_SITE = """\
publisher:
  name: Example Press
  url: https://example.org/
base_url: https://example.org/articles
"""


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "source"
    folder.mkdir()
    return folder


def write(folder, name, text):
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def problems_of(call, folder):
    with pytest.raises(InvalidInput) as caught:
        call(folder)
    return caught.value.problems


# --- site.yml -----------------------------------------------------------------


def test_site_defaults(source):
    write(source, "site.yml", MINIMAL_SITE)
    site = load_site(source)
    assert site.lang == "en"
    assert site.theme == "default"
    assert site.paper == "letter"
    assert site.publisher.name == "Example Press"
    assert site.publisher.logo is None
    # Canonical URLs are base_url + slug + "/", so base_url always ends with one slash.
    assert site.base_url == "https://example.org/articles/"


def test_site_reads_defaults_and_logo(source):
    make_png(source / "images" / "logo.png")
    write(source, "site.yml", MINIMAL_SITE.replace(
        "  url: https://example.org/\n",
        "  url: https://example.org/\n  logo: images/logo.png\n  logo_alt: Example\n")
        + "defaults:\n  lang: fr-CA\n  theme: classic\n  paper: A4\n")
    site = load_site(source)
    assert (site.lang, site.theme, site.paper) == ("fr-CA", "classic", "a4")
    assert site.publisher.logo == (source / "images" / "logo.png").resolve()
    assert site.publisher.logo_alt == "Example"


def test_single_file_default_and_setting(source):
    write(source, "site.yml", MINIMAL_SITE)
    assert load_site(source).single_file is False
    write(source, "site.yml", MINIMAL_SITE + "defaults:\n  single_file: true\n")
    assert load_site(source).single_file is True


def test_single_file_must_be_true_or_false(source):
    write(source, "site.yml", MINIMAL_SITE + "defaults:\n  single_file: sometimes\n")
    [problem] = problems_of(load_site, source)
    assert problem.line == 6 and "'single_file'" in problem.message
    assert "true or false" in problem.fix


def test_repository_site_yml_is_valid():
    from helpers import REPO
    site = load_site(REPO / "source")
    assert site.paper in ("letter", "a4")
    assert site.base_url.endswith("/")


def test_unknown_paper_size_is_reported_on_its_line(source):
    write(source, "site.yml", MINIMAL_SITE + "defaults:\n  lang: en\n  paper: a5\n")
    [problem] = problems_of(load_site, source)
    assert problem.file == source / "site.yml"
    assert problem.line == 7
    assert "unknown paper size 'a5'" in problem.message
    assert "letter" in problem.fix and "a4" in problem.fix


def test_logo_without_text_alternative_is_refused(source):
    make_png(source / "images" / "logo.png")
    write(source, "site.yml", MINIMAL_SITE.replace(
        "  url: https://example.org/\n", "  url: https://example.org/\n  logo: images/logo.png\n"))
    [problem] = problems_of(load_site, source)
    assert problem.line == 4
    assert "no text alternative" in problem.message
    assert "logo_alt" in problem.fix


def test_site_problems_are_reported_together(source):
    write(source, "site.yml", """\
        publisher:
          nme: Example Press
          url: example.org
        defaults:
          paper: tabloid
        """)
    problems = problems_of(load_site, source)
    text = "\n".join(str(p) for p in problems)
    assert "unknown field 'nme'" in text and "did you mean 'name'?" in text
    assert "required field 'base_url'" in text
    assert "'url' must be a web address" in text
    assert "unknown paper size 'tabloid'" in text
    assert {p.line for p in problems} >= {2, 3, 5}


def test_missing_site_yml(source):
    [problem] = problems_of(load_site, source)
    assert problem.file == source / "site.yml"
    assert "file not found" in problem.message


def test_site_yml_that_is_not_utf8(source):
    (source / "site.yml").write_bytes(MINIMAL_SITE.encode("utf-8") + b"# caf\xe9\n")
    [problem] = problems_of(load_site, source)
    assert "UTF-8" in problem.message


# --- authors.yml ----------------------------------------------------------------


def test_people_are_loaded_with_credentials(source):
    make_png(source / "images" / "jane.png")
    write(source, "authors.yml", """\
        jane-doe:
          name: Jane Doe
          credentials: [MD, PhD]
          role: Neurologist
          organisation: Example Clinic
          photo: images/jane.png
          photo_alt: Portrait of Jane Doe
        john-roe:
          name: John Roe
          credentials: RN
        """)
    people = load_people(source)
    assert set(people) == {"jane-doe", "john-roe"}
    jane = people["jane-doe"]
    assert jane.credentials == ("MD", "PhD")
    assert jane.name_with_credentials == "Jane Doe, MD, PhD"
    assert jane.photo == (source / "images" / "jane.png").resolve()
    assert people["john-roe"].credentials == ("RN",)
    assert people["john-roe"].name_with_credentials == "John Roe, RN"


def test_unknown_person_field_suggests_a_correction(source):
    write(source, "authors.yml", """\
        jane-doe:
          name: Jane Doe
          organization: Example Clinic
        """)
    [problem] = problems_of(load_people, source)
    assert problem.line == 3
    assert "unknown field 'organization' in author 'jane-doe'" in problem.message
    assert problem.fix == "did you mean 'organisation'?"


@pytest.mark.parametrize("bad_id", ["Jane Doe", "jane_doe", "Jane-Doe", "jane--doe"])
def test_bad_person_id_is_reported_on_its_line(source, bad_id):
    write(source, "authors.yml", f"""\
        ok-person:
          name: OK
        {bad_id}:
          name: Jane Doe
        """)
    [problem] = problems_of(load_people, source)
    assert problem.line == 3
    assert f"author id '{bad_id}'" in problem.message


def test_photo_without_text_alternative_is_refused(source):
    make_png(source / "images" / "jane.png")
    write(source, "authors.yml", """\
        jane-doe:
          name: Jane Doe
          photo: images/jane.png
        """)
    [problem] = problems_of(load_people, source)
    assert problem.line == 3
    assert "photo without a text alternative" in problem.message
    assert "photo_alt" in problem.fix


def test_person_without_name_and_missing_photo(source):
    write(source, "authors.yml", """\
        jane-doe:
          role: Neurologist
        john-roe:
          name: John Roe
          photo: images/nobody.png
          photo_alt: Nobody
        """)
    problems = problems_of(load_people, source)
    assert [(p.line, "name" in p.message, "does not exist" in p.message) for p in problems] == [
        (1, True, False), (5, False, True)]


def test_authors_yml_must_be_a_mapping(source):
    write(source, "authors.yml", "- jane-doe\n- john-roe\n")
    [problem] = problems_of(load_people, source)
    assert "must map author ids" in problem.message
