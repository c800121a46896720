"""Progress while building (a live bar on a terminal, plain lines elsewhere) and the
closing summary table."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .build.publish import Outcome


class BuildProgress:
    """The `plan` and `report` callbacks of build.publish: on a terminal a bar per
    document, advancing as each of its formats is rendered; elsewhere a line per output."""

    def __init__(self, console: Console | None = None, live: bool | None = None):
        self.console = console or Console()
        self.live = sys.stdout.isatty() if live is None else live
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total} formats"),
                                 TimeElapsedColumn(), console=self.console,
                                 transient=True) if self.live else None
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> BuildProgress:
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress:
            self.progress.stop()

    def plan(self, todo: dict[str, list[str]]) -> None:
        if self.progress:
            for folder, formats in todo.items():
                self.tasks[folder] = self.progress.add_task(
                    f"{folder}: {', '.join(formats)}", total=len(formats))

    def __call__(self, line: str) -> None:
        folder = line.split(": ", 1)[0]
        if self.progress and folder in self.tasks:
            self.progress.update(self.tasks[folder], advance=1)
        elif not self.progress:
            print(line, flush=True)


def print_summary(outcome: Outcome, console: Console | None = None) -> None:
    """Document, format, size, time and status of every output of the build."""
    if not outcome.results:
        return
    table = Table(title="Build summary", header_style="bold")
    for column in ("document", "format", "size", "time", "status"):
        table.add_column(column, justify="right" if column in ("size", "time") else "left",
                         overflow="fold")  # long slugs wrap rather than lose their end
    for result in outcome.results:
        size = result.path.stat().st_size if result.path and result.path.is_file() else None
        table.add_row(result.slug, result.format, _size(size) if size is not None else "",
                      f"{result.seconds:.1f} s" if result.status == "built" else "",
                      result.status)
    (console or Console()).print(table)


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
