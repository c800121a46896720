"""What a build must do, decided from dist/manifest.json and the files' sizes, times and
hashes before any Markdown is read.

An output's build key hashes everything it depends on: the contents of its input files
(the source, the images it shows, the people's photos, the logo; for a collection its
file and all its articles'), the entries of authors.yml its byline uses, site.yml (with
the build's --paper), claims.yml, every file of its theme, and the pipeline (version,
code, tool versions). The manifest records, per publication, which files and people
those were at its last build, so the key can be computed again without parsing: a file
whose size and modification time did not change keeps its recorded hash, the others are
hashed again. A source whose key still matches is neither parsed nor rendered.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import PressroomError
from ..models import Collection, Document, articles_of
from ..read.document import source_slug
from ..render.theme import Theme
from .gather import SharedInputs
from .manifest import Manifest, file_hash, file_state, pipeline_digest, tool_versions
from .project import Project

CLAIMS_FILE = "claims.yml"


@dataclass(frozen=True)
class Fingerprint:
    """What one publication's outputs are made from."""

    inputs: tuple[tuple[str, str], ...]  # (file relative to source/, its SHA-256), sorted
    people: tuple[str, ...]  # ids of authors.yml entries its bylines show, in order
    theme: str
    # The sources of an article's languages (source/<slug>.md and <slug>.<lang>.md, by
    # name): each language's page links the others, so one added or deleted makes all stale.
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Record:
    """What the manifest says a publication was made from, with its files' states now."""

    folder: str
    fingerprint: Fingerprint
    states: dict  # file relative to source/ -> {size, mtime_ns, sha256}, as found now


class BuildKeys:
    """The build keys of one build: the shared inputs are hashed once."""

    def __init__(self, project: Project, shared: SharedInputs):
        self.project = project
        self.shared = shared
        claims = project.source_dir / CLAIMS_FILE
        digest = hashlib.sha256()
        for part in (repr(shared.site), file_hash(claims) if claims.is_file() else "",
                     pipeline_digest(), json.dumps(tool_versions(), sort_keys=True)):
            digest.update(part.encode() + b"\0")
        self.shared_digest = digest.hexdigest()
        self._themes: dict[str, str | None] = {}
        self._languages: dict[str, tuple[str, ...]] | None = None

    def languages(self, path: Path) -> tuple[str, ...]:
        """The sources of the languages of the article `path` is one language of (none for
        a collection file), as source/ holds them now: listed once per build."""
        if self._languages is None:
            groups: dict[str, list[str]] = {}
            for source in self.project.sources():
                groups.setdefault(source_slug(source), []).append(source.name)
            self._languages = {slug: tuple(names) for slug, names in groups.items()}
        if path.suffix != ".md":
            return ()
        return self._languages.get(source_slug(path), ())

    def theme_digest(self, name: str) -> str | None:
        """A hash of every file of the theme `name` (and of those it extends); None when
        it cannot be loaded."""
        if name not in self._themes:
            try:
                dirs = Theme.load(self.project.themes_dir, name).dirs
            except PressroomError:
                self._themes[name] = None
            else:
                digest = hashlib.sha256()
                for folder in dirs:
                    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                        digest.update(path.relative_to(folder).as_posix().encode() +
                                      file_hash(path).encode())
                self._themes[name] = digest.hexdigest()
        return self._themes[name]

    def key(self, fmt: str, fingerprint: Fingerprint) -> str | None:
        """The build key of one output; None when a person or the theme is gone (then
        the publication must be read again, to report it)."""
        people = [self.shared.people.get(person) for person in fingerprint.people]
        theme = self.theme_digest(fingerprint.theme)
        if None in people or theme is None:
            return None
        digest = hashlib.sha256()
        for part in (fmt, json.dumps(fingerprint.inputs), repr(tuple(people)), theme,
                     json.dumps(fingerprint.languages), self.shared_digest):
            digest.update(part.encode() + b"\0")
        return digest.hexdigest()


def input_files(pub: Document | Collection) -> list[Path]:
    """Every file under source/ an output of the publication is made from."""
    paths = [pub.source_path, pub.cover, pub.byline.publisher.logo]
    for member in articles_of(pub):
        people = (*member.byline.authors, *member.byline.reviewers)
        paths += [member.source_path, member.cover, *member.images,
                  *(person.photo for person in people)]
    return [p for p in dict.fromkeys(paths) if p]


def people_of(pub: Document | Collection) -> tuple[str, ...]:
    return tuple(person.id for member in articles_of(pub)
                 for person in (*member.byline.authors, *member.byline.reviewers))


def source_name(project: Project, path: Path) -> str:
    """How the manifest names a source file: relative to source/."""
    return path.relative_to(project.source_dir).as_posix()


def fingerprint(project: Project, pub: Document | Collection,
                languages: tuple[str, ...] = ()) -> tuple[Fingerprint, dict]:
    """The fingerprint of a publication just read (`languages`: BuildKeys.languages), and
    its input files' states."""
    states = {}
    for path in input_files(pub):
        state = file_state(path)
        if state is None:
            raise PressroomError(f"{path} disappeared while the build read it")
        states[source_name(project, path)] = state
    return (Fingerprint(tuple(sorted((name, s["sha256"]) for name, s in states.items())),
                        people_of(pub), pub.theme, languages), states)


def recorded(project: Project, manifest: Manifest, source: str, theme: str | None,
             languages: tuple[str, ...] = ()) -> Record | None:
    """What the manifest says `source` was made from, re-hashing only files whose size or
    time changed; None when it was never built or one of its files is gone. `theme` is the
    build's --theme (None: the publication's own); `languages` its article's languages
    now (BuildKeys.languages)."""
    entry = manifest.publications.get(source)
    if not entry:
        return None
    states = {}
    source_dir = str(project.source_dir)
    for name, old in entry["inputs"].items():
        state = file_state(f"{source_dir}/{name}", old)
        if state is None:
            return None
        states[name] = state
    return Record(entry["folder"],
                  Fingerprint(tuple(sorted((name, s["sha256"]) for name, s in states.items())),
                              tuple(entry["people"]), theme or entry["own_theme"],
                              languages),
                  states)


def current_outputs(project: Project, manifest: Manifest, keys: BuildKeys, record: Record,
                    formats: tuple[str, ...]) -> dict[str, Path] | None:
    """The recorded outputs of `formats`, when every one is up to date; else None."""
    found = {}
    dist_dir = project.dist_dir
    for fmt in formats:
        key = keys.key(fmt, record.fingerprint)
        path = key and manifest.output_file(dist_dir, record.folder, fmt, key)
        if not path:
            return None
        found[fmt] = path
    return found
