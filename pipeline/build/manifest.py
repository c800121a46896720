"""dist/manifest.json: what each publication was built from and what each output is, so
a build can tell what is up to date before it reads any Markdown.

For each publication (keyed by its source file, relative to source/) the manifest keeps
its folder of dist/, its theme, the people of its byline and every input file with its
size, modification time and SHA-256; for each output, the hash of everything it depends
on (its build key), its file, size and SHA-256, the tool versions and the checks it passed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata as package_metadata
from pathlib import Path

from .. import __version__
from ..cache import content_hash

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2  # what the file's layout is; an older layout is read as empty
PIPELINE_DIR = Path(__file__).resolve().parents[1]
TOOLS = ("weasyprint", "ebooklib", "markdown", "markdown-it-py", "mdit-py-plugins", "jinja2",
         "pygments", "fonttools", "lxml", "nh3", "pillow")


def file_hash(path: Path) -> str:
    return content_hash(path)


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


def file_state(path: Path | str, recorded: dict | None = None) -> dict | None:
    """{size, mtime_ns, sha256} of the file at `path`, None when it is missing. The hash is
    taken from `recorded` (an earlier state) when size and modification time still match."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if (recorded and recorded.get("size") == stat.st_size
            and recorded.get("mtime_ns") == stat.st_mtime_ns):
        return recorded
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "sha256": file_hash(Path(path))}


@dataclass
class Manifest:
    path: Path
    publications: dict[str, dict] = field(default_factory=dict)  # source -> what it was made of
    outputs: dict[str, dict] = field(default_factory=dict)  # "<folder>/<format>" -> the file
    listing: str = ""  # the key dist/index.html was last written with
    # source -> {"error": n, "warning": m}: what reading and the claims check found when the
    # source was last read, so every build can count the findings of all of dist/
    findings: dict[str, dict] = field(default_factory=dict)
    # the files of dist/_theme/ after the last build that cleaned it: a build that adds
    # none and removes no page has nothing there to clean
    shared: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, dist_dir: Path) -> Manifest:
        path = dist_dir / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}  # missing or damaged: everything is rebuilt
        if not isinstance(data, dict) or data.get("manifest") != MANIFEST_VERSION:
            return cls(path)
        return cls(path, dict(data.get("publications") or {}), dict(data.get("outputs") or {}),
                   str(data.get("listing") or ""), dict(data.get("findings") or {}),
                   list(data.get("shared") or []))

    def output_file(self, dist_dir: Path, folder: str, fmt: str, key: str) -> Path | None:
        """The output recorded for `folder`/`fmt`, if it was built with `key` and is still
        in dist/ at its recorded size."""
        entry = self.outputs.get(f"{folder}/{fmt}")
        if not entry or entry.get("key") != key:
            return None
        output = os.path.join(dist_dir, entry["file"])  # strings: a tree of 300 asks 900 times
        try:
            return Path(output) if os.stat(output).st_size == entry.get("size") else None
        except OSError:
            return None

    def record_publication(self, source: str, folder: str, theme: str, own_theme: str,
                           people: tuple[str, ...], inputs: dict[str, dict],
                           listed: dict) -> None:
        """`listed`: what dist/index.html says about it (listing.describe)."""
        self.publications[source] = {"folder": folder, "theme": theme, "own_theme": own_theme,
                                     "people": list(people), "inputs": inputs,
                                     "listed": listed}

    def described(self) -> dict[str, dict]:
        """{folder: what the listing says about it} for every publication recorded."""
        return {entry["folder"]: entry["listed"] for entry in self.publications.values()
                if entry.get("listed")}

    def record_output(self, dist_dir: Path, folder: str, fmt: str, key: str, source: str,
                      theme: str, output: Path, checks: list[str]) -> None:
        self.outputs[f"{folder}/{fmt}"] = {
            "file": output.relative_to(dist_dir).as_posix(),
            "key": key,
            "source": source,
            "theme": theme,
            "tools": tool_versions(),
            "size": output.stat().st_size,
            "sha256": file_hash(output),
            "checks": checks,
        }

    def record_findings(self, source: str, findings: list) -> None:
        """Remember how many errors and warnings a source had when it was last read."""
        self.findings[source] = {severity: sum(f.severity == severity for f in findings)
                                 for severity in ("error", "warning")}

    def count_findings(self, severity: str) -> int:
        """The findings of that severity of every source recorded, read now or before."""
        return sum(entry.get(severity, 0) for source, entry in self.findings.items()
                   if source in self.publications)

    def forget(self, source: str) -> str | None:
        """Drop a publication and its outputs; its folder of dist/, if one was recorded."""
        self.findings.pop(source, None)
        entry = self.publications.pop(source, None)
        if entry is None:
            return None
        folder = entry["folder"]
        for name in [n for n in self.outputs if n.rsplit("/", 1)[0] == folder]:
            del self.outputs[name]
        return folder

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".json.part")
        try:
            # Compact, one line: JSON's C encoder only serves dumps without indent (a tree
            # of 300 articles saves in 15 ms instead of 180).
            temporary.write_text(json.dumps({"manifest": MANIFEST_VERSION,
                                             "pipeline": __version__,
                                             "listing": self.listing,
                                             "publications": self.publications,
                                             "outputs": self.outputs,
                                             "findings": self.findings,
                                             "shared": self.shared},
                                            sort_keys=True, separators=(",", ":")),
                                 encoding="utf-8")
            os.replace(temporary, self.path)
        finally:  # an error or Ctrl-C leaves the previous manifest, and no .part file
            temporary.unlink(missing_ok=True)
