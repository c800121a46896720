"""`invoke preview`: serves dist/, rebuilds on save, shows errors, builds PDF/EPUB on request."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest

from helpers import SEED_SLUG, article, make_project, write_source
from pipeline.build import gather as gather_module
from pipeline.build.publish import Project
from pipeline.preview import STATUS_PATH, Preview, make_server


@pytest.fixture
def running(tmp_path):
    root = make_project(tmp_path / "project")
    preview = Preview(Project(root), log=lambda line: None)
    preview.rebuild()
    server = make_server(preview, 0)
    stop = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, daemon=True),
               threading.Thread(target=preview.watch_forever, args=(stop,), daemon=True)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # let the watcher start
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield root, base
    stop.set()
    server.shutdown()
    server.server_close()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def status(base: str) -> dict:
    return json.loads(get(base + STATUS_PATH))


def wait_for_build(base: str, after: int, limit: float = 10.0) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        current = status(base)
        if current["build"] > after:
            return current
        time.sleep(0.05)
    pytest.fail(f"no rebuild within {limit} s")


def test_serves_pages_with_the_reload_script(running):
    root, base = running
    page = get(f"{base}/{SEED_SLUG}/").decode()
    assert "Can Stem Cell Therapy Cure Multiple Sclerosis?" in page
    assert STATUS_PATH in page
    assert status(base) == {"build": 1, "errors": []}
    assert not (root / "dist" / SEED_SLUG / "index.html").read_text().count(STATUS_PATH)


def test_a_save_rebuilds_the_page(running):
    root, base = running
    source = root / "source" / f"{SEED_SLUG}.md"
    source.write_text(source.read_text().replace("In one answer, no,", "In short, no,"))
    wait_for_build(base, 1)
    assert "In short, no," in get(f"{base}/{SEED_SLUG}/").decode()


def test_errors_show_in_the_status_and_the_server_keeps_serving(running):
    root, base = running
    source = root / "source" / f"{SEED_SLUG}.md"
    good = source.read_text()
    source.write_text(good.replace("date: 2026-11-25", "date: 2026-13-25"))
    broken = wait_for_build(base, 1)
    assert broken["errors"] and "2026-13-25" in broken["errors"][0]
    assert b"Can Stem Cell" in get(f"{base}/{SEED_SLUG}/")  # the last good page
    source.write_text(good)
    assert wait_for_build(base, broken["build"])["errors"] == []


def test_pdf_and_epub_are_built_on_request(running):
    root, base = running
    pdf = root / "dist" / SEED_SLUG / f"{SEED_SLUG}.pdf"
    assert not pdf.exists()
    assert get(f"{base}/{SEED_SLUG}/{SEED_SLUG}.pdf").startswith(b"%PDF")
    assert get(f"{base}/{SEED_SLUG}/{SEED_SLUG}.epub").startswith(b"PK")


def test_a_status_request_waits_for_the_next_build(running):
    """The page's script asks with ?after=N: the answer comes when build N+1 ends."""
    root, base = running
    current = status(base)["build"]
    answers = []
    waiting = threading.Thread(target=lambda: answers.append(
        json.loads(get(f"{base}{STATUS_PATH}?after={current}"))))
    waiting.start()
    time.sleep(0.5)
    assert answers == []  # nothing saved yet: still waiting
    source = root / "source" / f"{SEED_SLUG}.md"
    source.write_text(source.read_text().replace("In one answer, no,", "In short, no,"))
    waiting.join(timeout=30)
    assert answers and answers[0]["build"] == current + 1


def test_a_save_reparses_only_the_saved_source(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    write_source(root, "second", article(body="Second article.\n"))
    reads = []
    preview = Preview(Project(root), log=lambda line: None)
    preview.rebuild()
    real = gather_module.read_document

    def spy(path, *args):
        reads.append(path.name)
        return real(path, *args)

    monkeypatch.setattr(gather_module, "read_document", spy)
    source = root / "source" / "second.md"
    source.write_text(source.read_text().replace("Second article.", "Edited."))
    preview.rebuild()
    assert reads == ["second.md"]
    assert "Edited." in (root / "dist" / "second" / "index.html").read_text()
