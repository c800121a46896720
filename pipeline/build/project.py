"""The folders of a Pressroom project, and what one build is asked to make."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FORMATS = ("html", "pdf", "epub")  # what `publish` makes; "press" and "single" when asked for



@dataclass(frozen=True)
class Project:
    """The folders of a Pressroom project."""

    root: Path
    output: Path | None = None  # where builds go instead of dist/ (e.g. a check's scratch)

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def themes_dir(self) -> Path:
        return self.root / "themes"

    @property
    def dist_dir(self) -> Path:
        return self.output or self.root / "dist"

    def sources(self) -> list[Path]:
        return sorted(self.source_dir.glob("*.md"))


@dataclass(frozen=True)
class BuildOptions:
    """What one build makes: the flags of `invoke publish` and its siblings."""

    formats: tuple[str, ...] = FORMATS
    only: str | None = None  # one source's slug, or one collection's name
    theme: str | None = None  # instead of the one each source asks for
    paper: str | None = None  # "letter" or "a4" instead of site.yml's
    press: bool | None = None  # also the press PDF (None: as site.yml says)
    single_file: bool | None = None  # also <slug>.single.html (None: as site.yml says)
    force: bool = False  # rebuild outputs whose inputs did not change
    jobs: int = 1  # processes rendering at once
    strict: bool = False  # publish no source making an unsupported claim of severity error
