"""Read `source/collections/<name>.yml`: articles bound in order as one publication."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml

from .config import read_yaml_file
from .document import theme_problems
from ..diagnostics import InvalidInput, Diagnostic
from ..models import Collection, Document, Site
from .schema import Field, check_fields

COLLECTIONS_DIR = "collections"  # under source/, and under dist/
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COLLECTION_FIELDS = [
    Field("title", required=True, hint="add a line 'title: The guide's title'"),
    Field("subtitle"),
    Field("description", required=True,
          hint="add 'description:' with one or two sentences on what the guide covers"),
    Field("cover", "image"),
    Field("articles", "list", required=True,
          hint="add 'articles: [first-slug, second-slug]' naming sources in source/"),
    Field("lang", "lang"),
    Field("theme"),
    Field("keywords", "list"),
]


def collection_sources(source_dir: Path) -> list[Path]:
    return sorted((source_dir / COLLECTIONS_DIR).glob("*.yml"))


def listed_articles(path: Path) -> list[str]:
    """The slugs a collection file lists, read leniently (read_collection reports what is
    wrong with the file): which sources `--only NAME` builds with the collection."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    articles = data.get("articles") if isinstance(data, dict) else None
    return [str(slug) for slug in articles] if isinstance(articles, list) else []


def read_collection(path: Path, site: Site, documents: dict[str, Document],
                    slugs: set[str], theme_names: set[str]) -> Collection:
    """Check one collection file against the sources; raise InvalidInput listing every problem.

    `slugs` are all sources of the project, `documents` those that were read without
    problems: an article that has problems of its own stops the collection too.
    """
    parsed, problems = read_yaml_file(path)
    if parsed is None:
        raise InvalidInput(problems)
    values, problems = check_fields(parsed, parsed.data, (), COLLECTION_FIELDS, "the collection",
                                    path.parent, site.source_dir)
    if not NAME.match(path.stem):
        problems.append(Diagnostic(path, None, f"'{path.stem}' cannot name a collection: it becomes "
                                "a folder of the web site", "rename the file with lower-case "
                                "letters, digits and hyphens, e.g. patient-guide.yml"))
    articles = values.get("articles", ())
    for index, slug in enumerate(articles):
        line = parsed.line("articles", index)
        if slug in articles[:index]:
            problems.append(Diagnostic(path, line, f"article '{slug}' is listed twice",
                                    "keep one of the two lines"))
        elif slug not in slugs:
            close = difflib.get_close_matches(slug, slugs, n=1)
            problems.append(Diagnostic(path, line, f"no source named '{slug}.md' in source/",
                                    f"did you mean '{close[0]}'?" if close
                                    else "give the file name of a source without .md"))
        elif slug not in documents:
            problems.append(Diagnostic(path, line, f"article '{slug}' has problems of its own "
                                    "(listed with its file)", "fix them, and the collection "
                                    "is built with it"))
    theme = values.get("theme", site.theme)
    problems += theme_problems(theme, theme_names, path,
                               parsed.line("theme") if "theme" in values else None)
    if problems:
        raise InvalidInput(problems)
    return Collection(
        name=path.stem,
        source_path=path,
        title=values["title"],
        subtitle=values.get("subtitle", ""),
        description=values["description"],
        cover=values.get("cover"),
        lang=values.get("lang", site.lang),
        theme=theme,
        keywords=values.get("keywords", ()),
        documents=tuple(documents[slug] for slug in articles),
        site=site,
    )
