"""`invoke preview`: serve dist/ on 127.0.0.1, rebuild the web pages on every save, and
reload the open page; PDFs and EPUBs are rebuilt when they are asked for.

The server injects a small script into every HTML page it serves. The script asks
`/__pressroom/status?after=N`, which answers as soon as build N is followed by another
(a long poll: the page reloads the moment a rebuild ends), and reloads the page, or
shows the build's errors over the page while they last. Errors never stop the server.

A save re-parses and re-renders only what depends on the changed file: each rebuild is
an incremental publish (dist/manifest.json says what is current), in this one process,
where the pipeline, the theme and, once a PDF was asked for, WeasyPrint stay loaded.
"""

from __future__ import annotations

import functools
import http.server
import importlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from watchfiles import watch

from .build.publish import BuildOptions, Project, publish, read_shared
from .diagnostics import PressroomError

STATUS_PATH = "/__pressroom/status"
RELOAD_SCRIPT = """<script>
(function () {
  var seen = null;
  function show(errors) {
    var box = document.getElementById("pressroom-errors");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "pressroom-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;" +
        "background:#7a0000;color:#fff;font:16px/1.4 monospace;padding:1em;z-index:99999;" +
        "white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "Pressroom could not build:\\n\\n" + errors.join("\\n\\n");
  }
  function poll() {
    var wait = 1000;
    fetch("%s" + (seen === null ? "" : "?after=" + seen), {cache: "no-store"})
      .then(function (r) { return r.json(); }).then(function (s) {
        if (seen !== null && s.build !== seen) { location.reload(); return; }
        seen = s.build; show(s.errors); wait = 0;
      }).catch(function () {}).finally(function () { setTimeout(poll, wait); });
  }
  poll();
})();
</script>""" % STATUS_PATH
FORMAT_OF = {".pdf": "pdf", ".epub": "epub"}
LONG_POLL_SECONDS = 25  # a status request waits this long for a new build at most
WARM_MODULES = ("pipeline.render.pdf", "pipeline.render.epub")  # for PDFs and EPUBs on request


class Preview:
    """The build state shared by the watcher thread and the request handlers."""

    def __init__(self, project: Project, only: str | None = None,
                 log: Callable[[str], None] = print):
        self.project = project
        self.only = only
        self.log = log
        self.build = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.finished = threading.Condition()  # notified when a rebuild ends
        self.changed_at = time.monotonic()
        self.built_at: dict[Path, float] = {}  # PDF/EPUB path -> when it was built

    def rebuild(self) -> None:
        """Rebuild the web pages; keep the errors for the browser and the terminal."""
        with self.lock:
            started = time.perf_counter()
            try:
                outcome = publish(self.project, BuildOptions(("html",), only=self.only),
                                  report=lambda line: None)
                self.errors = [str(problem) for problem in outcome.problems]
            except PressroomError as error:
                self.errors = [str(error)]
            with self.finished:
                self.build += 1
                self.finished.notify_all()
            self.changed_at = time.monotonic()
        for error in self.errors:
            self.log(f"error: {error}")
        self.log(f"rebuilt web pages in {time.perf_counter() - started:.1f} s"
                 f"{' with errors' if self.errors else ''}")

    def ensure(self, path: Path) -> None:
        """Build the PDF or EPUB at `path` if the sources changed since it was built."""
        fmt = FORMAT_OF.get(path.suffix)
        if fmt is None or path.parent.parent != self.project.dist_dir:
            return
        with self.lock:
            if path.is_file() and self.built_at.get(path, -1) >= self.changed_at:
                return
            slug = path.parent.name
            self.log(f"building {fmt} of {slug} on request")
            try:
                outcome = publish(self.project, BuildOptions((fmt,), only=slug),
                                  report=lambda line: None)
                problems = [str(problem) for problem in outcome.problems]
            except PressroomError as error:
                problems = [str(error)]
            for problem in problems:
                self.log(f"error: {problem}")
            self.built_at[path] = time.monotonic()

    def status(self, after: int | None = None, timeout: float = LONG_POLL_SECONDS) -> dict:
        """The build number and its errors; with `after`, once a build later than that
        one has ended (or `timeout` seconds have passed)."""
        if after is not None:
            with self.finished:
                self.finished.wait_for(lambda: self.build > after, timeout)
        return {"build": self.build, "errors": self.errors}

    def watch_forever(self, stop: threading.Event) -> None:
        paths = [self.project.source_dir, self.project.themes_dir]
        for _changes in watch(*paths, stop_event=stop, debounce=100, step=30):
            self.rebuild()

    def warm_up(self) -> None:
        """Import the PDF and EPUB renderers (WeasyPrint, EbookLib) and load the site
        language's hyphenation patterns ahead of a request."""
        for name in WARM_MODULES:
            importlib.import_module(name)
        try:
            lang = read_shared(self.project, None, None).site.lang
        except PressroomError:
            return  # site.yml has a problem: the rebuild reports it
        importlib.import_module("pipeline.render.pdf").warm_up((lang,))


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass  # the terminal shows builds, not every request

    def do_GET(self):  # noqa: N802 (the base class's name)
        url = urlsplit(self.path)
        if url.path == STATUS_PATH:
            after = parse_qs(url.query).get("after", [""])[0]
            status = self.preview.status(int(after) if after.isdigit() else None)
            return self._send(json.dumps(status).encode(), "application/json")
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            target = target / "index.html"
        self.preview.ensure(target)
        if target.suffix == ".html" and target.is_file():
            page = target.read_text(encoding="utf-8")
            page = page.replace("</body>", RELOAD_SCRIPT + "\n</body>", 1)
            return self._send(page.encode("utf-8"), "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def make_server(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for dist/ on 127.0.0.1 only (port 0 picks a free one)."""
    preview.project.dist_dir.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(type("Handler", (_Handler,), {"preview": preview}),
                                directory=str(preview.project.dist_dir))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(project: Project, port: int = 8000, only: str | None = None,
          log: Callable[[str], None] = print) -> None:
    """Build, serve and watch until Ctrl-C."""
    preview = Preview(project, only, log)
    preview.rebuild()
    server = make_server(preview, port)
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch_forever, args=(stop,), daemon=True)
    watcher.start()
    threading.Thread(target=preview.warm_up, daemon=True).start()
    host, bound = server.server_address[:2]
    log(f"serving dist/ at http://{host}:{bound}/ (Ctrl-C to stop); watching source/ "
        "and themes/")
    try:
        server.serve_forever()
    finally:
        stop.set()
        server.server_close()
