"""Problems found in the inputs, reported together with file, line and fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one input file, told so a writer can fix it."""

    file: Path
    line: int | None
    message: str
    fix: str = ""

    def __str__(self) -> str:
        file = self.file
        if file.is_absolute() and file.is_relative_to(Path.cwd()):
            file = file.relative_to(Path.cwd())
        where = f"{file}:{self.line}" if self.line else f"{file}"
        text = f"{where}: {self.message}"
        return f"{text}\n    fix: {self.fix}" if self.fix else text


class PressroomError(Exception):
    """An error with a message meant for the user, not a traceback."""


class InvalidInput(PressroomError):
    """One or more problems in the inputs; nothing was written for them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (str(p.file), p.line or 0))
        super().__init__("\n".join(str(p) for p in self.problems))
