"""The web pages against independent checkers: the Nu Html Checker (0 errors, 0 warnings)
and axe-core in Chromium (0 violations at 375 and 1280 px, light and dark).

Pages: the seed article, the long fixture (reviewer, images, tables, footnotes, code) and
its single-file variant, dist/index.html, the rich-features page (highlighted code) in
both themes, and the GFM-heavy fixture (task lists, alerts, <details>, ...).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from checkers import describe_axe, describe_vnu, run_axe, serve, vnu_findings
from helpers import GFM_SLUG, LONG_SLUG, RICH_SLUG, SEED_SLUG

# name: (session build fixture, page path inside its dist/)
PAGES = {
    "seed": ("seed_build", f"{SEED_SLUG}/index.html"),
    "seed-listing": ("seed_build", "index.html"),
    "long": ("long_web_build", f"{LONG_SLUG}/index.html"),
    "long-single": ("long_web_build", f"{LONG_SLUG}/{LONG_SLUG}.single.html"),
    "long-listing": ("long_web_build", "index.html"),
    "rich-default": ("feature_build", f"{RICH_SLUG}/index.html"),
    "rich-classic": ("classic_build", f"{RICH_SLUG}/index.html"),
    "gfm": ("gfm_build", f"{GFM_SLUG}/index.html"),
}
AXE_PAGES = ["seed", "seed-listing", "long", "long-single", "rich-default", "rich-classic",
             "gfm"]
WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")


def _page_file(request, name: str) -> Path:
    fixture, relative = PAGES[name]
    return request.getfixturevalue(fixture).root / "dist" / relative


class VnuReports:
    """The Nu Html Checker's findings for every page, from one run made on first use
    (inside a test, so that a missing checker fails or skips that test)."""

    def __init__(self, files: dict[str, Path]):
        self.files = files
        self.found: dict[str, list[dict]] | None = None

    def __getitem__(self, name: str) -> list[dict]:
        if self.found is None:
            results = vnu_findings(list(self.files.values()))
            self.found = {key: results[path.resolve()] for key, path in self.files.items()}
        return self.found[name]


@pytest.fixture(scope="session")
def vnu_reports(request) -> VnuReports:
    return VnuReports({name: _page_file(request, name) for name in PAGES})


@pytest.fixture(scope="session")
def servers():
    """One throwaway HTTP server per dist/ folder, started on first use."""
    with contextlib.ExitStack() as stack:
        started: dict[Path, str] = {}

        def url_of(dist: Path) -> str:
            if dist not in started:
                started[dist] = stack.enter_context(serve(dist))
            return started[dist]

        yield url_of


@pytest.mark.parametrize("name", list(PAGES))
def test_nu_html_checker_finds_nothing(name, vnu_reports):
    assert vnu_reports[name] == [], f"{PAGES[name][1]}:\n" + describe_vnu(vnu_reports[name])


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_violation(name, width, scheme, request, servers):
    fixture, relative = PAGES[name]
    dist = request.getfixturevalue(fixture).root / "dist"
    url = servers(dist) + relative.removesuffix("index.html")
    violations = run_axe(url, width, scheme)
    assert violations == [], f"{url} at {width} px, {scheme}:\n" + describe_axe(violations)


# --- the harness itself: a bad page must not pass ------------------------------------

BAD_PAGE = """<!DOCTYPE html>
<html><head><title>Bad</title></head>
<body><p style="color:#777;background:#888">Low contrast</p><img src="x.png">
<a href="#"></a><div id="a"></div><div id="a"></div></body></html>
"""


def test_the_checkers_find_the_faults_of_a_bad_page(tmp_path, servers):
    (tmp_path / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    found = {m["message"] for m in vnu_findings([tmp_path / "bad.html"])[tmp_path / "bad.html"]}
    assert any("alt" in m for m in found), found
    assert any("Duplicate ID" in m for m in found), found
    rules = {v["id"] for v in run_axe(servers(tmp_path) + "bad.html", 375, "light")}
    assert {"html-has-lang", "image-alt", "color-contrast", "link-name"} <= rules, rules
