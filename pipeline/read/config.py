"""Load `source/site.yml` and `source/authors.yml` into frozen models."""

from __future__ import annotations

import re
from pathlib import Path

from ..diagnostics import InvalidInput, Diagnostic
from ..models import (DEFAULT_DISCLAIMER, DEFAULT_REVIEW_INTERVAL_MONTHS, DEFAULT_TARGET_GRADE,
                     DISCLAIMER_LINE_MAX, Person, Publisher, Site)
from .markdown import DIALECTS as MARKDOWN_DIALECTS
from .schema import Field, YamlText, check_fields, load_yaml
from .text import first_sentence

PAPER_SIZES = ("letter", "a4")
AUTHOR_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

PUBLISHER_FIELDS = [
    Field("name", required=True),
    Field("url", "url", required=True),
    Field("logo", "image"),
    Field("logo_alt"),
    Field("blurb"),
]
DEFAULTS_FIELDS = [Field("lang", "lang"), Field("theme"), Field("paper"), Field("press", "bool"),
                   Field("single_file", "bool"), Field("markdown")]
SITE_FIELDS = [
    Field("publisher", "mapping", required=True),
    Field("base_url", "url", required=True, hint="add 'base_url: https://example.org/articles/'"),
    Field("defaults", "mapping"),
    Field("disclaimer"),
    Field("review_interval_months", "count"),
    Field("readability", "mapping"),
    Field("allow_network", "bool"),
]
READABILITY_FIELDS = [Field("target_grade", "number")]
PERSON_FIELDS = [
    Field("name", required=True),
    Field("credentials", "list"),
    Field("role"),
    Field("organisation"),
    Field("photo", "image"),
    Field("photo_alt"),
    Field("bio"),
    Field("url", "url"),
]


def read_yaml_file(path: Path) -> tuple[YamlText | None, list[Diagnostic]]:
    """Read a YAML file; a missing or undecodable file becomes a Diagnostic."""
    if not path.is_file():
        return None, [Diagnostic(path, None, "file not found", f"create {path.name}")]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Diagnostic(path, None, f"not valid UTF-8 text ({error.reason})",
                              "save the file as UTF-8")]
    return load_yaml(path, text)


def load_site(source_dir: Path) -> Site:
    """Read and check `site.yml`; raise InvalidInput listing every problem."""
    path = source_dir / "site.yml"
    parsed, problems = read_yaml_file(path)
    if parsed is None:
        raise InvalidInput(problems)
    top, problems = check_fields(parsed, parsed.data, (), SITE_FIELDS, "site.yml",
                                 source_dir, source_dir)
    publisher, found = check_fields(parsed, top.get("publisher", {}), ("publisher",),
                                    PUBLISHER_FIELDS, "publisher", source_dir, source_dir)
    problems += found
    defaults, found = check_fields(parsed, top.get("defaults", {}), ("defaults",),
                                   DEFAULTS_FIELDS, "defaults", source_dir, source_dir)
    problems += found
    readability, found = check_fields(parsed, top.get("readability", {}), ("readability",),
                                      READABILITY_FIELDS, "readability", source_dir, source_dir)
    problems += found
    disclaimer = top.get("disclaimer", DEFAULT_DISCLAIMER)
    lang = defaults.get("lang", "en")
    problems += disclaimer_problems(disclaimer, lang, path, parsed.line("disclaimer"))
    paper = defaults.get("paper", "letter").lower()
    if paper not in PAPER_SIZES:
        problems.append(Diagnostic(path, parsed.line("defaults", "paper"),
                                f"unknown paper size '{paper}'",
                                f"use one of: {', '.join(PAPER_SIZES)}"))
    dialect = defaults.get("markdown", MARKDOWN_DIALECTS[0])
    if dialect not in MARKDOWN_DIALECTS:
        problems.append(Diagnostic(path, parsed.line("defaults", "markdown"),
                                f"unknown Markdown dialect '{dialect}'",
                                f"use one of: {', '.join(MARKDOWN_DIALECTS)}"))
    if publisher.get("logo") and not publisher.get("logo_alt"):
        problems.append(Diagnostic(path, parsed.line("publisher", "logo"),
                                "the publisher logo has no text alternative",
                                "add 'logo_alt:' with the publisher's name as shown in the logo"))
    if problems:
        raise InvalidInput(problems)
    return Site(
        source_dir=source_dir,
        publisher=Publisher(
            name=publisher["name"],
            url=publisher["url"],
            logo=publisher.get("logo"),
            logo_alt=publisher.get("logo_alt", ""),
            blurb=publisher.get("blurb", ""),
        ),
        base_url=top["base_url"].rstrip("/") + "/",
        lang=lang,
        theme=defaults.get("theme", "default"),
        paper=paper,
        press=defaults.get("press", False),
        single_file=defaults.get("single_file", False),
        disclaimer=" ".join(disclaimer.split()),
        disclaimer_line=first_sentence(disclaimer, lang),
        review_interval_months=top.get("review_interval_months", DEFAULT_REVIEW_INTERVAL_MONTHS),
        target_grade=readability.get("target_grade", DEFAULT_TARGET_GRADE),
        allow_network=top.get("allow_network", False),
        markdown=dialect,
    )


def disclaimer_problems(text: str, lang: str, file: Path, line: int | None) -> list[Diagnostic]:
    """The disclaimer's first sentence is the PDF footer line of every page: keep it short."""
    first = first_sentence(text, lang)
    if len(first) <= DISCLAIMER_LINE_MAX:
        return []
    return [Diagnostic(file, line, f"the first sentence of 'disclaimer' is {len(first)} characters "
                    f"long; the PDF prints it in the footer of every page",
                    f"start the disclaimer with a sentence of at most {DISCLAIMER_LINE_MAX} "
                    "characters, e.g. 'This is general information, not medical advice.'")]


def load_people(source_dir: Path) -> dict[str, Person]:
    """Read and check `authors.yml`; raise InvalidInput listing every problem."""
    path = source_dir / "authors.yml"
    parsed, problems = read_yaml_file(path)
    if parsed is None:
        raise InvalidInput(problems)
    if not isinstance(parsed.data, dict):
        raise InvalidInput([Diagnostic(path, 1, "authors.yml must map author ids to their details",
                                    "start each entry with a line 'firstname-lastname:'")])
    people: dict[str, Person] = {}
    for person_id, entry in parsed.data.items():
        where = f"author '{person_id}'"
        if not AUTHOR_ID.match(str(person_id)):
            problems.append(Diagnostic(path, parsed.line(person_id),
                                    f"author id '{person_id}' is not a lowercase, hyphenated id",
                                    "make the id from the name, e.g. 'becky-palmer'"))
        values, found = check_fields(parsed, entry, (person_id,), PERSON_FIELDS, where,
                                     source_dir, source_dir)
        problems += found
        if values.get("photo") and not values.get("photo_alt"):
            problems.append(Diagnostic(path, parsed.line(person_id, "photo"),
                                    f"{where} has a photo without a text alternative",
                                    "add 'photo_alt:' describing the photo, e.g. 'Portrait of ...'"))
        if found or "name" not in values:
            continue
        people[str(person_id)] = Person(id=str(person_id), **values)
    if problems:
        raise InvalidInput(problems)
    return people
