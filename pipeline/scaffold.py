"""`invoke new`: start a source file with complete front matter and a short skeleton."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from pathlib import Path

from .checks.claims import CLAIMS_FILE, DEFAULT_RULES
from .read.config import load_people, load_site
from .diagnostics import PressroomError

SKELETON = """---
title: {title}
subtitle: ""
description: >-
  {description}
date: {date}
lang: {lang}
authors: [{author}]
keywords: []
---

Open with the answer to the reader's question in one or two short sentences.

## First section

Write short sentences in plain words. Say where facts come from with a footnote.[^source]

## What to ask your care team

- A question the reader can take to their appointment.

[^source]: Author, *Title of the source*, year. <https://example.org/>
"""
PLACEHOLDER_DESCRIPTION = "One or two sentences that say what this article is about."


def slugify(title: str) -> str:
    """A file name from a title: lowercase ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def new_source(source_dir: Path, title: str, author: str, today: dt.date) -> list[Path]:
    """Write source/<slug>.md for `title`, and source/claims.yml (the built-in claim rules,
    to edit) when the project has none; refuse an unknown author or an existing file.
    Returns the files written."""
    title = title.strip()
    slug = slugify(title)
    if not slug:
        raise PressroomError(f"cannot make a file name from the title {title!r}: "
                             "use a title with letters or digits")
    people = load_people(source_dir)
    if author not in people:
        close = difflib.get_close_matches(author, people, n=1)
        hint = f"did you mean '{close[0]}'?" if close else \
            f"known ids: {', '.join(sorted(people)) or 'none'} (add people to authors.yml)"
        raise PressroomError(f"unknown author id '{author}' in source/authors.yml; {hint}")
    site = load_site(source_dir)
    path = source_dir / f"{slug}.md"
    text = SKELETON.format(title=_yaml_text(title), description=PLACEHOLDER_DESCRIPTION,
                           date=today.isoformat(), lang=site.lang, author=author)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise PressroomError(f"{path} already exists; pick another title or edit that "
                             "file") from None
    return [path, *_claim_rules(source_dir)]


def _claim_rules(source_dir: Path) -> list[Path]:
    """Copy the built-in claims.yml into a project without one, so its rules can be edited."""
    path = source_dir / CLAIMS_FILE
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(DEFAULT_RULES.read_text(encoding="utf-8"))
    except FileExistsError:
        return []
    return [path]


def new_translation(source_dir: Path, slug: str, lang: str) -> Path:
    """Start source/<slug>.<lang>.md, the translation of source/<slug>.md: its front
    matter copied (title, description and keywords to translate), `lang` set, and the
    original's SHA-256 recorded, so that `invoke check` warns once the original changes;
    then the original's text, to be translated in place."""
    original = source_dir / f"{slug}.md"
    if not original.is_file():
        known = ", ".join(sorted(p.stem for p in source_dir.glob("*.md") if "." not in p.stem))
        raise PressroomError(f"no source named '{slug}.md' in {source_dir} to translate "
                             f"(sources: {known or 'none'})")
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
        raise PressroomError(f"'{lang}' is not a language tag; write it like es, zh-Hans, "
                             "pt-BR")
    data = original.read_bytes()
    text = data.decode("utf-8").replace("\r\n", "\n")
    lines = text.split("\n")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() in ("---", "..."))
    except StopIteration:
        raise PressroomError(f"{original} has no closing '---' after its front matter") from None
    front = [line for line in lines[1:end]
             if not re.match(r"(lang|original_sha256)\s*:", line)]
    front += [f"lang: {lang}", f"original_sha256: {hashlib.sha256(data).hexdigest()}"]
    body = "\n".join(lines[end + 1:])
    path = source_dir / f"{slug}.{lang}.md"
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write("\n".join(["---", *front, "---", body]))
    except FileExistsError:
        raise PressroomError(f"{path} already exists: edit it, and set 'original_sha256' "
                             "when it matches the original again") from None
    return path


def _yaml_text(value: str) -> str:
    """A YAML scalar for `value`: quoted when YAML would read it otherwise."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
