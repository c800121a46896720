"""pipeline.build.staging: render into a staging folder, move into dist/ only when done."""

from __future__ import annotations

import importlib.util
import signal
import stat
from pathlib import Path

import pytest
from invoke import Exit

from helpers import REPO, SEED_SLUG, run_publish
from pipeline.build import run as build
from pipeline.render import epub as epub_module, web as web_module
from pipeline.build import staging as output
from pipeline.diagnostics import PressroomError
from pipeline.build.staging import move_into, staging


def test_staging_folder_is_inside_dist_and_removed_after_success(tmp_path):
    dist = tmp_path / "dist"
    with staging(dist, "doc") as folder:
        assert folder.is_dir()
        assert folder.parent == dist  # same file system: moves are atomic renames
        assert folder.name.startswith(".building-doc-")
        (folder / "index.html").write_text("x")
    assert not folder.exists()
    assert list(dist.iterdir()) == []


def test_staging_folder_is_removed_on_error(tmp_path):
    dist = tmp_path / "dist"
    with pytest.raises(RuntimeError):
        with staging(dist, "doc") as folder:
            (folder / "sub").mkdir()
            (folder / "sub" / "half-written.pdf").write_bytes(b"%PDF")
            raise RuntimeError("renderer failed")
    assert not folder.exists()
    assert list(dist.iterdir()) == []


def test_two_stagings_of_the_same_slug_do_not_collide(tmp_path):
    with staging(tmp_path, "doc") as first, staging(tmp_path, "doc") as second:
        assert first != second


def test_move_into_moves_every_file_and_replaces_old_ones(tmp_path):
    staged = tmp_path / "staged"
    final = tmp_path / "dist" / "doc"
    (staged / "theme" / "css").mkdir(parents=True)
    (staged / "index.html").write_text("new page")
    (staged / "theme" / "css" / "screen.css").write_text("new css")
    final.mkdir(parents=True)
    (final / "index.html").write_text("old page")
    (final / "doc.pdf").write_text("old pdf, not rebuilt")

    moved = move_into(staged, final)

    assert sorted(moved) == sorted([final / "index.html", final / "theme" / "css" / "screen.css"])
    assert (final / "index.html").read_text() == "new page"
    assert (final / "theme" / "css" / "screen.css").read_text() == "new css"
    assert (final / "doc.pdf").read_text() == "old pdf, not rebuilt"  # other formats kept
    assert not any(p.is_file() for p in staged.rglob("*"))


def test_moved_files_are_world_readable(tmp_path):
    # mkdtemp creates files a web server could not read; published files are 0644.
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "index.html").write_text("x")
    (staged / "index.html").chmod(0o600)
    [moved] = move_into(staged, tmp_path / "final")
    assert stat.S_IMODE(moved.stat().st_mode) == 0o644


# --- failed and interrupted builds ------------------------------------------------------


def _snapshot(dist):
    """Every file of dist/ with its bytes (the manifest aside: it records each build)."""
    return {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def _leftovers(dist):
    return [p.relative_to(dist).as_posix() for p in dist.rglob("*")
            if p.name.startswith(".") or p.name.endswith(".part")]


def _half_then(failure, real):
    """A web renderer that writes the whole page, then half a PDF, then fails."""
    def render(doc, theme, folder):
        real(doc, theme, folder)
        (folder / f"{doc.slug}.pdf").write_bytes(b"%PDF-1.7 half written")
        raise failure
    return render


@pytest.mark.parametrize("failure", [PressroomError("the renderer gave up"), KeyboardInterrupt()],
                         ids=["error", "ctrl-c"])
def test_a_failure_mid_render_leaves_the_previous_outputs_byte_identical(
        project_root, monkeypatch, failure):
    assert run_publish(project_root, ("html",)).ok
    dist = project_root / "dist"
    before = _snapshot(dist)
    source = project_root / "source" / f"{SEED_SLUG}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("title: ", "title: Changed ", 1),
                      encoding="utf-8")
    monkeypatch.setattr(web_module, "render", _half_then(failure, build.renderer("html")))
    if isinstance(failure, KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            run_publish(project_root, ("html",), force=True)
    else:
        outcome = run_publish(project_root, ("html",), force=True)
        assert outcome.failed == [SEED_SLUG]
        assert "the renderer gave up" in outcome.problems[0].message
    assert _snapshot(dist) == before
    assert _leftovers(dist) == []


def test_on_a_pool_one_failed_format_keeps_the_documents_other_formats_out_of_dist(
        project_root, monkeypatch):
    """With --jobs 2 each format renders in its own process and staging folder: the PDF
    that succeeded must not reach dist/ when the EPUB of the same document failed."""
    assert run_publish(project_root).ok
    dist = project_root / "dist"
    before = _snapshot(dist)
    source = project_root / "source" / f"{SEED_SLUG}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("title: ", "title: Changed ", 1),
                      encoding="utf-8")
    monkeypatch.setattr(epub_module, "render", _half_then(PressroomError("the EPUB gave up"),
                                                          lambda doc, theme, folder: None))
    outcome = run_publish(project_root, jobs=2)  # the pool's processes inherit the patch
    assert outcome.failed == [SEED_SLUG]
    assert "the EPUB gave up" in outcome.problems[0].message
    assert _snapshot(dist) == before
    assert _leftovers(dist) == []
    monkeypatch.undo()
    outcome = run_publish(project_root, jobs=2)
    assert outcome.ok and {r.format for r in outcome.results if r.status == "built"} == \
        {"html", "pdf", "epub"}
    assert _leftovers(dist) == []


def test_ctrl_c_while_files_move_into_dist_waits_until_all_have_moved(project_root, monkeypatch):
    assert run_publish(project_root, ("html",)).ok
    source = project_root / "source" / f"{SEED_SLUG}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("title: ", "title: Changed ", 1),
                      encoding="utf-8")
    real_replace = output.os.replace
    moved = {}

    def replace_after_ctrl_c(src, dst):
        if not moved:
            signal.raise_signal(signal.SIGINT)  # the user presses Ctrl-C at the first move
        moved[Path(dst)] = Path(src).read_bytes()
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", replace_after_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        run_publish(project_root, ("html",), force=True)
    page = project_root / "dist" / SEED_SLUG / "index.html"
    assert page in moved and len(moved) > 1
    assert all(path.read_bytes() == data for path, data in moved.items())  # all new, none old
    assert b"Changed " in page.read_bytes()
    assert _leftovers(project_root / "dist") == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_invoke_turns_ctrl_c_into_a_message(monkeypatch):
    spec = importlib.util.spec_from_file_location("pressroom_tasks", REPO / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(tasks, "publish_all", interrupted)
    with pytest.raises(Exit) as caught:
        tasks._build(("html",), None, None)
    assert caught.value.code == 130
    assert caught.value.message == "interrupted: dist/ keeps its previous files"
