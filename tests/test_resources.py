"""pipeline.read.resources: references may only name files inside source/."""

from __future__ import annotations

import os

import pytest

from helpers import article, make_png, write_source
from pipeline.build.publish import Project, gather
from pipeline.render.context import document_files
from pipeline.diagnostics import PressroomError
from pipeline.read.resources import IMAGE_TYPES, UnsafeReference, resolve_inside


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "source"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "a.png").write_bytes(b"x")
    (tmp_path / "outside.png").write_bytes(b"x")
    return folder


@pytest.mark.parametrize("reference", ["images/a.png", "./images/a.png",
                                       "images/../images/a.png", "images/new.png"])
def test_relative_references_resolve_inside_root(root, reference):
    path = resolve_inside(reference, root, root)
    assert path.is_relative_to(root.resolve())
    assert path.name in ("a.png", "new.png")


def test_reference_is_relative_to_the_base_folder(root):
    assert resolve_inside("a.png", root / "images", root) == (root / "images" / "a.png").resolve()


@pytest.mark.parametrize("reference, words", [
    ("../outside.png", "points outside source/"),
    ("images/../../outside.png", "points outside source/"),
    ("/etc/passwd", "absolute path"),
    ("\\server\\share.png", "absolute path"),
    ("http://example.org/a.png", "is a URL"),
    ("HTTPS://example.org/a.png", "is a URL"),
    ("file:///etc/passwd", "is a URL"),
    ("data:image/png;base64,AA==", "is a URL"),
    ("//cdn.example.org/a.png", "is a URL"),
    ("javascript:alert(1)", "is a URL"),
])
def test_unsafe_references_are_refused(root, reference, words):
    with pytest.raises(UnsafeReference, match=words):
        resolve_inside(reference, root, root)


def test_a_symlink_cannot_lead_out_of_root(root, tmp_path):
    link = root / "images" / "link.png"
    try:
        os.symlink(tmp_path / "outside.png", link)
    except OSError:  # pragma: no cover - file systems without symlinks
        pytest.skip("symlinks not supported here")
    with pytest.raises(UnsafeReference, match="points outside"):
        resolve_inside("images/link.png", root, root)


def test_image_types_have_image_media_types():
    assert {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"} <= set(IMAGE_TYPES)
    assert all(media.startswith("image/") for media in IMAGE_TYPES.values())
    assert IMAGE_TYPES[".svg"] == "image/svg+xml"


def test_the_copier_and_the_packer_refuse_a_file_that_moved_outside_source(project_root, tmp_path):
    """An image checked when the document was read, then replaced by a link to a file
    outside source/, is refused when the web page or the EPUB would read it."""
    image = make_png(project_root / "source" / "images" / "photo.png")
    write_source(project_root, "doc", article(body="![A photo](images/photo.png)"))
    [doc] = [d for d in gather(Project(project_root))[0] if d.slug == "doc"]
    secret = make_png(tmp_path / "secret.png")
    image.unlink()
    image.symlink_to(secret)
    with pytest.raises(PressroomError, match="outside source/"):
        document_files(doc)
