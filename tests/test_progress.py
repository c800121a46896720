"""pipeline.progress: a bar per document on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io

from rich.console import Console

from helpers import SEED_SLUG, run_publish
from pipeline.progress import BuildProgress


def test_on_a_terminal_each_document_gets_a_bar_that_counts_its_formats(project_root):
    progress = BuildProgress(Console(file=io.StringIO(), force_terminal=True), live=True)
    with progress:
        outcome = run_publish(project_root, ("html", "epub"), report=progress,
                              plan=progress.plan)
    assert outcome.ok
    [task] = progress.progress.tasks
    assert task.description == f"{SEED_SLUG}: html, epub"
    assert (task.completed, task.total) == (2, 2)


def test_elsewhere_each_rendered_output_is_a_line(project_root, capsys):
    progress = BuildProgress(Console(file=io.StringIO()), live=False)
    with progress:
        assert run_publish(project_root, ("html",), report=progress, plan=progress.plan).ok
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{SEED_SLUG}: html  index.html (")
    assert lines[-1] == "listing: dist/index.html"
