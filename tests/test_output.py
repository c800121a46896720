"""pipeline.output: render into a staging folder, move into dist/ only when done."""

from __future__ import annotations

import stat

import pytest

from pipeline.output import move_into, staging


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
