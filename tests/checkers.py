"""The independent checkers the suite runs on Pressroom's outputs.

- the Nu Html Checker (npm `vnu-jar`, run with java) on web pages: `run_vnu`,
- axe-core (npm `axe-core`) in Debian's Chromium driven by Playwright: `run_axe`,
- DAISY Ace (npm `@daisy/ace-cli`) on EPUBs: `run_ace`.

The npm packages live in tests/checkers/node_modules (installed by .ci/install from
tests/checkers/package-lock.json), or where PRESSROOM_NODE_MODULES says, as for
`invoke check` (pipeline/checks/external.py). When a tool is missing, the calling test fails on CI
(CI=true) and is skipped elsewhere, as EPUBCheck does in helpers.py.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote

import pytest

from pipeline.checks import external

CHECKERS = Path(__file__).resolve().parent / "checkers"
NODE_MODULES = external.node_modules()
VNU_JAR = external.vnu_jar()
AXE_JS = external.axe_js()
ACE_CLI = external.ace_cli()
CHROMIUM = external.chromium()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
INSTALL_HINT = "run 'bash .ci/install' (npm packages in tests/checkers, Chromium from Debian)"


def unavailable(tool: str, reasons: list[str]) -> None:
    """Fail on CI, skip elsewhere: a checker that cannot run must not pass silently on CI."""
    message = f"{tool} unavailable: {'; '.join(reasons)} ({INSTALL_HINT})"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# ---------------------------------------------------------------------------
# Nu Html Checker


def vnu_command() -> list[str]:
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("java is not on PATH")
    if not VNU_JAR.is_file():
        missing.append(f"{VNU_JAR} is missing")
    if missing:
        unavailable("Nu Html Checker", missing)
    return [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU_JAR),
            "--format", "json", "--exit-zero-always"]


def vnu_findings(paths: list[Path]) -> dict[Path, list[dict]]:
    """Errors and warnings of the Nu Html Checker for each page (one JVM for all of them).

    "info" messages (such as "Trailing slash on void elements", which polyglot markup
    needs for the EPUB) are not findings. vnu's own failures are: a "non-document-error"
    (it could not read or fetch a page), an exit status other than 0, and a page it cannot
    read (about a missing file or a broken link, vnu says nothing at all).
    """
    paths = [Path(p).resolve() for p in paths]
    unreadable = [path for path in paths if not os.access(path, os.R_OK) or path.is_dir()]
    if unreadable:
        pytest.fail(f"the Nu Html Checker cannot read {', '.join(map(str, unreadable))}")
    result = subprocess.run([*vnu_command(), *map(str, paths)], capture_output=True,
                            text=True, timeout=300)
    if result.returncode != 0:
        pytest.fail(f"the Nu Html Checker stopped with exit status {result.returncode}:\n"
                    f"{result.stderr[-2000:]}")
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the Nu Html Checker gave no JSON report:\n{result.stderr[-2000:]}")
    found: dict[Path, list[dict]] = {path: [] for path in paths}
    for message in messages:
        serious = (message.get("type") in ("error", "non-document-error")
                   or message.get("subType") == "warning")
        if not serious:
            continue
        url = message.get("url", "")
        path = Path(unquote(url.removeprefix("file:"))) if url.startswith("file:") else None
        if path not in found:  # a message about no file in particular (e.g. an I/O error)
            for page in found.values():
                page.append(message)
            continue
        found[path].append(message)
    return found


def run_vnu(path: Path) -> list[dict]:
    """The Nu Html Checker's errors and warnings for one HTML file."""
    return vnu_findings([path])[Path(path).resolve()]


def describe_vnu(messages: list[dict]) -> str:
    return "\n".join(f"{m.get('type')}{'/' + m['subType'] if 'subType' in m else ''} "
                     f"line {m.get('lastLine')}: {m.get('message')} "
                     f"[{m.get('extract', '').strip()[:120]!r}]" for m in messages)


# ---------------------------------------------------------------------------
# A throwaway HTTP server for pages under test


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on a free port of 127.0.0.1; yields the base URL (ending in '/')."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ---------------------------------------------------------------------------
# axe-core in Chromium


class _Browser:
    """One headless Chromium for the whole session, started on first use."""

    def __init__(self):
        self.playwright = None
        self.browser = None
        self.profile: str | None = None
        self.current = None  # (url, page) of the last run

    def get(self):
        if self.browser is None:
            missing = []
            try:
                from playwright.sync_api import sync_playwright
            except ImportError:
                missing.append("the Python package playwright is not installed "
                               "(pip install -e '.[test]')")
            if not CHROMIUM.is_file():
                missing.append(f"{CHROMIUM} is missing (apt-get install chromium)")
            if not AXE_JS.is_file():
                missing.append(f"{AXE_JS} is missing")
            if missing:
                unavailable("axe-core", missing)
            self.profile = tempfile.mkdtemp(prefix="pressroom-chromium-")
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch_persistent_context(
                self.profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            atexit.register(self.close)
        return self.browser

    def page(self, url: str):
        """A tab showing `url` with axe loaded; the same tab while the URL stays the same
        (axe changes nothing in the page, and loading it is most of a short run's time)."""
        if self.current is not None and self.current[0] == url:
            return self.current[1]
        if self.current is not None:
            self.current[1].close()
            self.current = None
        page = self.get().new_page()
        response = page.goto(url, wait_until="load")
        if response is not None and not response.ok:
            page.close()
            pytest.fail(f"{url}: HTTP {response.status}")
        page.add_script_tag(path=str(AXE_JS))
        self.current = (url, page)
        return page

    def close(self):
        self.current = None
        if self.browser is not None:
            self.browser.close()
            self.playwright.stop()
            self.browser = self.playwright = None
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None


_BROWSER = _Browser()


def browser():
    """The session's headless Chromium (a Playwright browser context), for tests that
    drive a page themselves; a missing Chromium fails in CI and skips elsewhere."""
    return _BROWSER.get()


def run_axe(url: str, width: int, color_scheme: str) -> list[dict]:
    """axe-core's violations on the page at `url`, `width` CSS pixels wide, in the
    'light' or 'dark' colour scheme. Every rule axe runs by default counts (WCAG 2.x
    A and AA, and best practices)."""
    if color_scheme not in ("light", "dark"):
        raise ValueError(f"color_scheme must be 'light' or 'dark', not {color_scheme!r}")
    page = _BROWSER.page(url)
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=color_scheme, media="screen")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page.evaluate("axe.run(document).then(results => results.violations)")


def describe_axe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')}")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    {node.get('target')}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# DAISY Ace


def ace_command() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("node (Node.js) is not on PATH")
    if not ACE_CLI.exists():
        missing.append(f"{ACE_CLI} is missing")
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    if missing:
        unavailable("DAISY Ace", missing)
    return [str(ACE_CLI), "-s", "-E", "-f"]


def run_ace(epub_path: Path, report_dir: Path) -> list[dict]:
    """DAISY Ace's violations for one EPUB: every assertion whose outcome is 'fail', as
    {"rule", "impact", "description", "file", "location"}. The full report is written
    to `report_dir` (report.json and report.html)."""
    command = [*ace_command(), "-o", str(Path(report_dir).resolve()),
               str(Path(epub_path).resolve())]
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM),
           "PUPPETEER_SKIP_DOWNLOAD": "1"}
    result = subprocess.run(command, cwd=NODE_MODULES.parent, env=env, capture_output=True, text=True,
                            timeout=300)
    report = Path(report_dir) / "report.json"
    if result.returncode not in (0, 2) or not report.is_file():
        pytest.fail(f"Ace failed (exit {result.returncode}) on {epub_path}:\n"
                    f"{(result.stdout + result.stderr)[-3000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    violations = list(_ace_failures(data.get("assertions", []), ""))
    if data.get("earl:result", {}).get("earl:outcome") == "fail" and not violations:
        violations.append({"rule": "unknown", "impact": None, "file": "", "location": None,
                           "description": "Ace's outcome is 'fail' but names no assertion"})
    return violations


def _ace_failures(assertions: list[dict], subject: str) -> Iterator[dict]:
    for assertion in assertions:
        where = assertion.get("earl:testSubject", {}).get("url", subject)
        test = assertion.get("earl:test")
        result = assertion.get("earl:result", {})
        if test is not None and result.get("earl:outcome") == "fail":
            yield {"rule": test.get("dct:title"), "impact": test.get("earl:impact"),
                   "description": result.get("dct:description") or test.get("dct:description"),
                   "file": where, "location": result.get("earl:pointer", {}).get("css")}
        yield from _ace_failures(assertion.get("assertions", []), where)


def describe_ace(violations: list[dict]) -> str:
    return "\n".join(f"{v['rule']} ({v['impact']}) in {v['file']}: {v['description']}"
                     f"{' at ' + str(v['location']) if v.get('location') else ''}"
                     for v in violations)
