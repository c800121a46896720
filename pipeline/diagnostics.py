"""Diagnostics: every problem and finding, with file, line, column, rule and fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SEVERITIES = ("error", "warning", "info")  # in order: errors first


@dataclass(frozen=True)
class Diagnostic:
    """One thing a writer or reviewer should know about one input: where it is, how
    serious, which rule, and how to fix it. Validation, checks and publish all speak it."""

    file: Path | None
    line: int | None
    message: str
    fix: str = ""
    severity: str = "error"  # one of SEVERITIES
    rule: str = ""  # "" names it after its file: "front-matter" for a source, else the file
    column: int | None = None

    def __post_init__(self):
        if not self.rule and self.file is not None:
            rule = "front-matter" if self.file.suffix == ".md" else self.file.name
            object.__setattr__(self, "rule", rule)

    @property
    def where(self) -> str:
        """file:line:column, the file relative to the working folder when inside it."""
        file = self.file
        if file is None:
            return ""
        if file.is_absolute() and file.is_relative_to(Path.cwd()):
            file = file.relative_to(Path.cwd())
        return ":".join(str(part) for part in (file, self.line, self.column) if part)

    def __str__(self) -> str:
        label = "" if self.severity == "error" else f"{self.severity}: "
        text = f"{self.where}: {label}{self.message}" if self.where else f"{label}{self.message}"
        return f"{text}\n    fix: {self.fix}" if self.fix else text


def sort_key(diagnostic: Diagnostic) -> tuple:
    """By file, line, column, then the most serious first."""
    return (str(diagnostic.file or ""), diagnostic.line or 0, diagnostic.column or 0,
            SEVERITIES.index(diagnostic.severity))


class PressroomError(Exception):
    """An error with a message meant for the user, not a traceback."""


class InvalidInput(PressroomError):
    """One or more problems in the inputs; nothing was written for them."""

    def __init__(self, problems: list[Diagnostic]):
        self.problems = sorted(problems, key=sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))
