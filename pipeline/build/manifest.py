"""dist/manifest.json: what each output was built from, so unchanged outputs are skipped.

An output is rebuilt when anything it depends on changed: its source file, the images
it shows, the site and author entries it uses, the theme's files, the build options, or
the pipeline (its version and its code).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata as package_metadata
from pathlib import Path

from .. import __version__
from ..models import Collection, Document, articles_of

MANIFEST = "manifest.json"
PIPELINE_DIR = Path(__file__).resolve().parents[1]
TOOLS = ("weasyprint", "ebooklib", "markdown", "markdown-it-py", "mdit-py-plugins", "jinja2",
         "pygments", "fonttools", "lxml", "nh3")


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=None)
def pipeline_digest() -> str:
    """The pipeline's version and a hash of its code: a change to either rebuilds all."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PIPELINE_DIR.rglob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=None)
def tool_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "pressroom": __version__}
    for name in TOOLS:
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def theme_digest(dirs: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for folder in dirs:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + file_hash(path).encode())
    return digest.hexdigest()


def sources_of(doc: Document | Collection) -> dict[str, str]:
    """Every input file of the document (or of a collection and all its articles),
    relative to source/, with its sha256."""
    paths = [doc.source_path, doc.cover, doc.byline.publisher.logo]
    for member in articles_of(doc):
        people = (*member.byline.authors, *member.byline.reviewers)
        paths += [member.source_path, member.cover, *member.images,
                  *(person.photo for person in people)]
    root = doc.site.source_dir
    return {str(p.relative_to(root)): file_hash(p) for p in dict.fromkeys(paths) if p}


def build_key(doc: Document | Collection, fmt: str, theme_hash: str, options: dict) -> str:
    """One hash of everything an output depends on. The site and author entries are
    hashed through the data they hold (repr of the frozen models), so an edit to another
    author in authors.yml does not rebuild this document."""
    digest = hashlib.sha256()
    bylines = repr(tuple(member.byline for member in articles_of(doc)))
    for part in (fmt, json.dumps(sources_of(doc), sort_keys=True), repr(doc.site),
                 bylines, theme_hash, json.dumps(options, sort_keys=True),
                 pipeline_digest()):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


@dataclass
class Manifest:
    path: Path
    outputs: dict[str, dict]

    @classmethod
    def load(cls, dist_dir: Path) -> Manifest:
        path = dist_dir / MANIFEST
        try:
            outputs = json.loads(path.read_text(encoding="utf-8")).get("outputs", {})
        except (OSError, ValueError):
            outputs = {}  # missing or damaged: everything is rebuilt
        return cls(path, outputs if isinstance(outputs, dict) else {})

    def up_to_date(self, dist_dir: Path, folder: str, fmt: str, key: str) -> bool:
        entry = self.outputs.get(f"{folder}/{fmt}")
        if not entry or entry.get("key") != key:
            return False
        output = dist_dir / entry["file"]
        return output.is_file() and output.stat().st_size == entry.get("size")

    def record(self, dist_dir: Path, doc: Document | Collection, fmt: str, key: str,
               theme: str, output: Path, checks: list[str]) -> None:
        self.outputs[f"{doc.folder}/{fmt}"] = {
            "file": str(output.relative_to(dist_dir)),
            "key": key,
            "sources": sources_of(doc),
            "theme": theme,
            "tools": tool_versions(),
            "size": output.stat().st_size,
            "sha256": file_hash(output),
            "checks": checks,
        }

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".json.part")
        try:
            temporary.write_text(json.dumps({"pipeline": __version__, "outputs": self.outputs},
                                            indent=2, sort_keys=True), encoding="utf-8")
            os.replace(temporary, self.path)
        finally:  # an error or Ctrl-C leaves the previous manifest, and no .part file
            temporary.unlink(missing_ok=True)
