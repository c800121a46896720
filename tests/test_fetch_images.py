"""`invoke fetch-images` (pipeline/fetch_images.py): against a server this test starts on
127.0.0.1, the only network the tests use."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import io
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from PIL import Image
from pypdf import PdfReader

from helpers import REPO, article, run_publish, write_source
from pipeline import fetch_images as fetching
from pipeline.fetch_images import Refused, download, fetch_images, remote_images, safe_name

TODAY = dt.date(2026, 12, 5)


def png_bytes(size=(8, 6), colour=(30, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


PNG = png_bytes()
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<rect width="10" height="10" fill="#036"/></svg>')


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple] = {}
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the base class's name)
        self.hits.append(self.path)
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        if callable(body):
            body(self)
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def _slow(handler):
    time.sleep(3)
    handler.send_response(200)
    handler.end_headers()


@contextlib.contextmanager
def image_server() -> Iterator[str]:
    """Serve a few images, a redirect chain, a web page and a slow answer on 127.0.0.1."""
    _Handler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.routes = {
        "/pics/Nurse%20Photo.png": (200, {"Content-Type": "image/png"}, PNG),
        "/chart.svg": (200, {"Content-Type": "image/svg+xml; charset=utf-8"}, SVG),
        "/page.png": (200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><p>hello"),
        "/fake.png": (200, {"Content-Type": "image/png"}, b"<!DOCTYPE html><p>not a png"),
        "/huge.png": (200, {"Content-Type": "image/png"}, PNG + b"\0" * 4000),
        "/moved.png": (302, {"Location": "/pics/Nurse%20Photo.png"}, b""),
        **{f"/loop{i}.png": (302, {"Location": f"/loop{i + 1}.png"}, b"") for i in range(6)},
        "/slow.png": (200, {}, _slow),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def server():
    with image_server() as base:
        yield base


# --- Finding the web images -----------------------------------------------------------------


def test_remote_images_are_found_with_their_exact_spans():
    text = (
        "---\ntitle: T\ncover: https://example.org/front-matter.png\n---\n\n"
        'Intro ![A nurse](https://example.org/a.png "Title") and [a link](https://example.org/b.png).\n'
        "\n"
        "![Chart][c] and ![local](images/x.png)\n"
        "\n"
        "```\n![code](https://example.org/code.png)\n```\n"
        "\n"
        "`![span](https://example.org/span.png)`\n"
        '\n<p><img alt="Raw" src="https://example.org/raw.jpg"></p>\n'
        "\n[c]: https://example.org/chart.svg\n"
    )
    found = remote_images(text)
    assert [image.url for image in found] == [
        "https://example.org/a.png", "https://example.org/raw.jpg",
        "https://example.org/chart.svg"]
    for image in found:
        assert text[image.start:image.end] == image.url
        line = text.split("\n")[image.line - 1]
        assert line[image.column - 1:].startswith(image.url)
    assert [(image.line, image.column) for image in found] == [(6, 18), (16, 24), (18, 6)]


def test_safe_names():
    name = safe_name("https://example.org/x/Nurse%20Photo%20(1).PNG?size=big", "image/png")
    assert name.startswith("nurse-photo-1-") and name.endswith(".png")
    assert safe_name("https://example.org/", "image/jpeg").startswith("image-")
    assert safe_name("https://a.org/x.png", "image/png") != safe_name("https://b.org/x.png",
                                                                      "image/png")
    assert safe_name("https://example.org/../../etc/passwd", "image/png").startswith("passwd-")


# --- Downloading ------------------------------------------------------------------------


def test_loopback_is_refused_without_allow_private(server):
    with pytest.raises(Refused, match="127.0.0.1, an address on a loopback network") as refused:
        download(f"{server}/pics/Nurse%20Photo.png")
    assert "--allow-private" in refused.value.fix
    assert _Handler.hits == []  # refused before any connection


@pytest.mark.parametrize("address, kind", [
    ("10.0.0.7", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "link-local"),
    ("::1", "loopback"), ("fe80::1", "link-local"), ("::ffff:127.0.0.1", "loopback"),
    ("0.0.0.0", "private"), ("100.64.0.1", "reserved"),
])
def test_private_addresses_are_refused(address, kind):
    with pytest.raises(Refused, match=f"an address on a {kind} network"):
        fetching.check_address(address, 80, allow_private=False)


def test_a_redirect_is_checked_again(server, monkeypatch):
    """A public address that redirects to a private one: the redirect is refused."""
    real = fetching.check_address
    checked = []

    def public_first(host, port, allow_private):
        checked.append(host)
        return real(host, port, allow_private=len(checked) == 1)

    monkeypatch.setattr(fetching, "check_address", public_first)
    with pytest.raises(Refused, match="loopback"):
        download(f"{server}/moved.png")
    assert checked == ["127.0.0.1", "127.0.0.1"]


def test_downloads_within_the_fences(server):
    fetched = download(f"{server}/moved.png", allow_private=True)
    assert fetched.body == PNG and fetched.content_type == "image/png"
    assert fetched.final_url == f"{server}/pics/Nurse%20Photo.png"
    assert download(f"{server}/chart.svg", allow_private=True).content_type == "image/svg+xml"


@pytest.mark.parametrize("path, message", [
    ("/page.png", "is not an image Pressroom publishes: its content type is 'text/html'"),
    ("/loop0.png", "redirects more than 3 times"),
    ("/missing.png", "answered HTTP 404"),
])
def test_refusals(server, path, message):
    with pytest.raises(Refused, match=message):
        download(f"{server}{path}", allow_private=True)


def test_an_oversized_image_is_refused(server):
    with pytest.raises(Refused, match=r"MB; the limit is"):
        download(f"{server}/huge.png", allow_private=True, max_bytes=len(PNG) + 100)


def test_a_slow_server_is_refused(server):
    with pytest.raises(Refused, match="is too slow: no answer within 0.5 s"):
        download(f"{server}/slow.png", allow_private=True, read_timeout=0.5)


# --- The whole task ---------------------------------------------------------------------


BODY = """\
Intro.

![A nurse, smiling](SERVER/moved.png "The nurse")

Text with ![the same nurse](SERVER/moved.png) again, and a chart:

<img alt="A chart" src="SERVER/chart.svg">

```
![example in code](SERVER/page.png)
```
"""


def test_fetch_images_stores_rewrites_and_records(empty_project, server):
    source = empty_project / "source"
    path = write_source(empty_project, "remote", article(body=BODY.replace("SERVER", server)))
    before = path.read_bytes()
    # Publishing warns about the web images, naming the task that fixes it, and shows a
    # placeholder in their place: nothing fetches them, not even a renderer allowed the
    # network.
    site_yml = source / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8") + "allow_network: true\n",
                        encoding="utf-8")
    strict = run_publish(empty_project, ("html",), strict=True)
    assert strict.failed == ["remote"]
    outcome = run_publish(empty_project)
    assert outcome.ok, [str(p) for p in outcome.problems]
    remote = [p for p in outcome.problems if p.rule == "remote-image"]
    assert [(p.line, p.column, p.severity) for p in remote] == [
        (10, 1, "warning"), (12, 11, "warning"), (14, 1, "warning")], remote
    assert f"'{server}/moved.png' is on the web" in remote[0].message
    assert f"'{server}/chart.svg' is on the web" in remote[2].message
    assert all("invoke fetch-images" in p.fix for p in remote)
    assert _Handler.hits == []
    dist = empty_project / "dist" / "remote"
    page = (dist / "index.html").read_text(encoding="utf-8")
    assert "Image not included: A nurse, smiling" in page and f'src="{server}' not in page
    assert f'href="{server}/chart.svg" rel="noreferrer"' in page
    with zipfile.ZipFile(dist / "remote.epub") as book:
        chapter = "".join(book.read(name).decode("utf-8") for name in book.namelist()
                          if name.endswith(".xhtml"))
    assert "Image not included: A chart" in chapter and f'src="{server}' not in chapter
    pdf = PdfReader(dist / "remote.pdf")
    assert "Image not included: the same nurse" in "".join(p.extract_text() for p in pdf.pages)
    uris = {annotation.get_object()["/A"].get("/URI") for p in pdf.pages
            for annotation in p.get("/Annots", ())}
    assert {f"{server}/moved.png", f"{server}/chart.svg"} <= uris

    report = fetch_images(source, allow_private=True, today=TODAY)
    assert not report.problems
    assert report.rewritten == [path]
    png_name = safe_name(f"{server}/moved.png", "image/png")
    svg_name = safe_name(f"{server}/chart.svg", "image/svg+xml")
    assert (source / "images" / png_name).read_bytes() == PNG
    assert (source / "images" / svg_name).read_bytes() == SVG
    assert _Handler.hits.count("/moved.png") == 1  # the same address is fetched once
    # Only the addresses changed: alt text, title, code and every other byte are kept.
    expected = (before.decode().replace(f"{server}/moved.png", f"images/{png_name}")
                .replace(f"{server}/chart.svg", f"images/{svg_name}"))
    assert path.read_text(encoding="utf-8") == expected
    assert f'![A nurse, smiling](images/{png_name} "The nurse")' in expected
    assert f"![example in code]({server}/page.png)" in expected  # code is not an image
    credits = yaml.safe_load((source / "images" / "CREDITS.yml").read_text(encoding="utf-8"))
    assert credits[png_name] == {"url": f"{server}/moved.png", "retrieved": "2026-12-05",
                                 "content_type": "image/png", "bytes": len(PNG),
                                 "used_by": ["remote.md"]}
    assert credits[svg_name]["content_type"] == "image/svg+xml"
    assert not [p for p in (source / "images").iterdir() if p.name.startswith(".")]
    # Now it publishes; a second run has nothing to do and downloads nothing.
    outcome = run_publish(empty_project, ("html",))
    assert outcome.ok, [str(p) for p in outcome.problems]
    hits = len(_Handler.hits)
    again = fetch_images(source, allow_private=True, today=TODAY)
    assert (again.fetched, again.rewritten, again.problems) == ([], [], [])
    assert len(_Handler.hits) == hits


def test_fetch_images_reports_each_refusal_with_its_place(empty_project, server):
    source = empty_project / "source"
    body = f"Intro.\n\n![Page]({server}/page.png)\n\n![Fake]({server}/fake.png)\n"
    path = write_source(empty_project, "refused", article(body=body))
    before = path.read_bytes()
    report = fetch_images(source, allow_private=True, today=TODAY)
    assert [(p.line, p.column, p.rule) for p in report.problems] == [
        (10, 9, "fetch-images"), (12, 9, "fetch-images")]
    assert "content type is 'text/html'" in report.problems[0].message
    assert "is not" in report.problems[1].message and "image/png" in report.problems[1].message
    assert path.read_bytes() == before  # nothing fetched, nothing rewritten
    assert not (source / "images" / "CREDITS.yml").exists()
    assert [p.name for p in (source / "images").iterdir() if p.name.startswith(".")] == []


def test_the_task_refuses_loopback_then_fetches_with_allow_private(tmp_path, server):
    """Through `invoke fetch-images`, in a copy of the project: only for --only's source."""
    root = tmp_path / "project"
    (root / "source").mkdir(parents=True)
    for name in ("site.yml", "authors.yml"):
        (root / "source" / name).write_bytes((REPO / "source" / name).read_bytes())
    shutil.copy2(REPO / "tasks.py", root / "tasks.py")
    (root / "pipeline").symlink_to(REPO / "pipeline", target_is_directory=True)
    write_source(root, "one", article(body=f"![A nurse]({server}/moved.png)\n"))
    other = write_source(root, "two", article(body=f"![A chart]({server}/chart.svg)\n"))
    command = [sys.executable, "-m", "invoke", "fetch-images", "--only", "one"]
    refused = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert "source/one.md:8:12:" in refused.stderr and "loopback" in refused.stderr
    assert "--allow-private" in refused.stderr and "Traceback" not in refused.stderr
    done = subprocess.run([*command, "--allow-private"], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "rewrote source/one.md" in done.stdout
    assert f"{server}/chart.svg" in other.read_text(encoding="utf-8")  # not asked for


def test_image_fields_of_the_yaml_files_and_front_matter_are_fetched(empty_project, server):
    """A cover in the front matter, the publisher's logo and a person's photo."""
    source = empty_project / "source"
    path = write_source(empty_project, "covered",
                        article(f'cover: "{server}/chart.svg"  # the chart', "Some text.\n"))
    site_yml, authors_yml = source / "site.yml", source / "authors.yml"
    site_text = site_yml.read_text(encoding="utf-8")
    site_yml.write_text(re.sub(r"(?m)^(\s*logo:).*$", rf"\1 {server}/moved.png", site_text),
                        encoding="utf-8")
    authors_text = authors_yml.read_text(encoding="utf-8")
    authors_yml.write_text(authors_text.replace(
        "  name: Becky Palmer\n", f"  name: Becky Palmer\n  photo: '{server}/moved.png'\n"
        "  photo_alt: Portrait of Becky Palmer\n"), encoding="utf-8")
    report = fetch_images(source, allow_private=True, today=TODAY)
    assert not report.problems
    assert sorted(p.name for p in report.rewritten) == ["authors.yml", "covered.md", "site.yml"]
    png_name = safe_name(f"{server}/moved.png", "image/png")
    svg_name = safe_name(f"{server}/chart.svg", "image/svg+xml")
    assert f'cover: "images/{svg_name}"  # the chart\n' in path.read_text(encoding="utf-8")
    assert f"logo: images/{png_name}\n" in site_yml.read_text(encoding="utf-8")
    assert f"photo: 'images/{png_name}'\n" in authors_yml.read_text(encoding="utf-8")
    credits = yaml.safe_load((source / "images" / "CREDITS.yml").read_text(encoding="utf-8"))
    assert credits[png_name]["used_by"] == ["site.yml", "authors.yml"]
    assert credits[svg_name]["used_by"] == ["covered.md"]
    outcome = run_publish(empty_project, ("html",))
    assert outcome.ok, [str(p) for p in outcome.problems]
