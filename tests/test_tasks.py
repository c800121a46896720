"""tasks.py through the invoke command line.

tasks.py builds the project in its own folder, so the bad-input runs use a throwaway
copy: tasks.py, source/ and themes/ copied into tmp, pipeline/ linked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from helpers import REPO, SEED_SLUG, article, make_project, write_source

TASKS = ("publish", "html", "pdf", "epub", "clean")


def invoke(cwd, *args):
    result = subprocess.run([sys.executable, "-m", "invoke", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def cli_project(tmp_path):
    root = make_project(tmp_path / "project")
    shutil.copy2(REPO / "tasks.py", root / "tasks.py")
    (root / "pipeline").symlink_to(REPO / "pipeline", target_is_directory=True)
    return root


def test_every_task_has_a_one_line_description():
    code, output = invoke(REPO, "--list")
    assert code == 0, output
    for name in TASKS:
        [line] = [l for l in output.splitlines() if re.match(rf"\s+{name}\b", l)]
        description = line.split(name, 1)[1].strip()
        assert len(description) > 10, f"{name}: {line!r}"


def test_build_tasks_document_their_flags():
    code, output = invoke(REPO, "--help", "publish")
    assert code == 0, output
    assert "--only" in output and "--theme" in output
    assert "file name without" in output  # the help text, not just the flag


@pytest.mark.parametrize("task", ["publish", "html"])
def test_single_file_flag_is_documented(task):
    code, output = invoke(REPO, "--help", task)
    assert code == 0, output
    assert "--single-file" in output and "self-contained" in output


@pytest.mark.parametrize("task, option", [("review", "--approve"), ("new", "--author")])
def test_help_after_a_task_with_a_positional_argument_shows_its_help(cli_project, task,
                                                                     option):
    """invoke 3.0.3 gave `invoke review --help` to the task as its SLUG ("no source named
    '--help.md'"): the task shows its help instead, and a flag where the value goes is named."""
    code, output = invoke(cli_project, task, "--help")
    assert code == 0 and option in output and "Docstring" in output, output
    code, output = invoke(cli_project, task, "-x")
    assert code == 1 and "'-x' came where" in output and "Traceback" not in output, output


def test_html_single_file_writes_the_e_mail_page_and_the_listing(cli_project):
    code, output = invoke(cli_project, "html", "--single-file")
    assert code == 0, output
    assert (cli_project / "dist" / SEED_SLUG / f"{SEED_SLUG}.single.html").is_file()
    assert (cli_project / "dist" / "index.html").is_file()
    assert "listing: dist/index.html" in output


def test_broken_source_exits_non_zero_naming_file_and_line(cli_project):
    write_source(cli_project, "broken", article(authors="[nobody-here]"))
    code, output = invoke(cli_project, "publish")
    assert code != 0
    assert "Traceback" not in output
    assert "source/broken.md:5:" in output  # relative or absolute path, then the line
    assert "unknown author id 'nobody-here'" in output
    assert "not published: broken" in output
    assert not (cli_project / "dist" / "broken").exists()
    # The valid seed was still published.
    assert (cli_project / "dist" / SEED_SLUG / f"{SEED_SLUG}.epub").is_file()


def test_unknown_only_exits_with_a_message_not_a_traceback(cli_project):
    code, output = invoke(cli_project, "html", "--only", "nope")
    assert code != 0
    assert "Traceback" not in output
    assert "no source named 'nope.md'" in output and SEED_SLUG in output


def test_single_format_task_and_clean(cli_project):
    code, output = invoke(cli_project, "html", "--theme", "classic")
    assert code == 0, output
    out = cli_project / "dist" / SEED_SLUG
    assert (out / "index.html").is_file()
    assert not (out / f"{SEED_SLUG}.pdf").exists() and not (out / f"{SEED_SLUG}.epub").exists()
    assert (out.parent / "_theme" / "classic" / "fonts" / "Literata_400Regular.ttf").is_file()
    code, output = invoke(cli_project, "clean")
    assert code == 0, output
    assert not (cli_project / "dist").exists()


def test_a_style_pointing_at_a_url_is_dropped_not_fetched(cli_project):
    write_source(cli_project, "tracker", article(
        body="<p style=\"background: url('https://example.org/pixel.png')\">Hi</p>"))
    code, output = invoke(cli_project, "pdf")
    assert code == 0, output[-2000:]  # the style is dropped when the HTML is cleaned
    assert "Traceback" not in output, output[-2000:]
    assert (cli_project / "dist" / "tracker" / "tracker.pdf").is_file()


def test_a_build_with_nothing_to_do_still_counts_the_warnings_of_dist(cli_project):
    """The second build reads no source (nothing changed), yet it must not look clean: it
    prints the findings the manifest recorded when the sources were last read."""
    write_source(cli_project, "tagged", article(body="{% gist 996818 %}\n\nSome text.\n"))
    code, first = invoke(cli_project, "html")
    assert code == 0, first
    assert "tagged.md:" in first  # the warning itself, with its line, when it is read
    [counted] = re.findall(r"what dist/ holds has (\d+) error-level finding\(s\) and (\d+) "
                           r"warning\(s\)", first)
    assert int(counted[1]) >= 1
    code, again = invoke(cli_project, "html")
    assert code == 0, again
    assert "tagged.md:" not in again  # not read again: nothing changed
    assert re.findall(r"what dist/ holds has (\d+) error-level finding\(s\) and (\d+) "
                      r"warning\(s\)", again) == [counted]
