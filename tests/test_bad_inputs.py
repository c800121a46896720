"""Bad inputs, one table: each case is a broken document (or image, or theme) put into a
throwaway project beside a good document, published through build.publish, and must give
its message, with its file and line when it has one, without a traceback; nothing may be
written for it, and the good document must still be published.

A few cases run `python3 -m invoke` in a copy of the project, as tests/test_tasks.py does,
to see that the user reads the same message on one line and the exit code is non-zero.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image

from helpers import REPO, SEED_SLUG, article, make_png, make_project, run_publish, write_source

GOOD = "good"
IMAGE_BODY = "Intro.\n\n![A picture](images/{name})"  # the image is on line 10


@dataclass(frozen=True)
class Case:
    write: Callable[[Path, str], None]  # write(project root, slug): put the bad input in place
    message: str  # a fragment of the message the user must read
    line: int | None  # the line the message names (None: the whole file)
    file: str = "{slug}.md"  # the file the message names, under source/
    failed: tuple[str, ...] = ()  # the sources not published (default: the case's slug)
    formats: tuple[str, ...] = ("html",)
    column: int | None = None  # the column the message names, when it names one
    warning: bool = False  # cleaned and published, with a warning (not refused)


def doc(*args, **kwargs) -> Callable[[Path, str], None]:
    """A writer of source/<slug>.md with article(*args, **kwargs) as its text."""
    return lambda root, slug: write_source(root, slug, article(*args, **kwargs))


def body(text: str) -> Callable[[Path, str], None]:
    return doc(body=text)


def raw(data: bytes) -> Callable[[Path, str], None]:
    return lambda root, slug: (root / "source" / f"{slug}.md").write_bytes(data)


def image(name: str, data: Callable[[Path], None], *, front: str = "",
          text: str = IMAGE_BODY) -> Callable[[Path, str], None]:
    """A writer of source/images/<name> (data(path) makes it) and a document showing it."""
    def write(root: Path, slug: str) -> None:
        path = root / "source" / "images" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data(path)
        write_source(root, slug, article(front, text.format(name=name)))
    return write


def png_bytes(fmt: str = "PNG", size=(40, 40)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(output, fmt)
    return output.getvalue()


def write_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def huge_pixels(path: Path) -> None:
    Image.new("1", (8000, 6000)).save(path)  # 48 megapixels, a few KB as a 1-bit PNG


def huge_bytes(path: Path) -> None:
    make_png(path)
    with open(path, "ab") as file:
        file.truncate(21 * 1024 * 1024)  # a valid PNG followed by zeros: 21 MB


SVG_EXTERNAL = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
  <image xlink:href="https://example.org/track.png" width="10" height="10"/>
</svg>
"""
SVG_ENTITIES = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>
"""


def duplicate(root: Path, slug: str) -> None:
    write_source(root, slug, article())
    write_source(root, slug.title(), article())  # Duplicate-Slug.md beside duplicate-slug.md


def deep_list(levels: int) -> str:
    return "\n".join("    " * level + f"- item {level}" for level in range(levels))


def theme(name: str, files: dict[str, str], front: str | None = None):
    """A writer of themes/<name>/ (extending default unless theme.yml is given) and of a
    document that uses it."""
    def write(root: Path, slug: str) -> None:
        folder = root / "themes" / name
        files_ = {"theme.yml": f"name: {name}\nextends: default\n", **files}
        for relative, text in files_.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text, encoding="utf-8")
        write_source(root, slug, article(front or f"theme: {name}"))
    return write


CASES = {
    # --- front matter ---------------------------------------------------------------
    "malformed-yaml": Case(doc(description="what: it says"), "malformed YAML", 3),
    "wrong-type-text": Case(doc(title="[one, two]"), "'title' must be text, not a list", 2),
    "wrong-type-list": Case(doc(authors="42"), "'authors' must be a list, not 42", 5),
    "wrong-date": Case(doc(date="2026-11-31"), "'date' must be a date written YYYY-MM-DD", 4),
    "missing-title": Case(doc(title=None), "is missing the required field 'title'", 2),
    "unknown-author": Case(doc(authors="\n  - becky-palmer\n  - becky-plamer"),
                           "unknown author id 'becky-plamer'", 7),
    "duplicate-slug": Case(duplicate, "duplicate slug: 'duplicate-slug' and the slug of "
                           "Duplicate-Slug.md differ only in case", None,
                           failed=("Duplicate-Slug", "duplicate-slug")),
    # --- the file itself ------------------------------------------------------------
    "invalid-utf8": Case(raw(article(body="Intro.\n\nCaf\u00e9").encode("utf-8")
                             .replace(b"\xc3\xa9", b"\xe9")),
                         "not valid UTF-8 text (byte 0xe9)", 10),
    "control-character": Case(body("Intro.\n\nPasted\x0btext."),
                              "the invisible character U+000B cannot be published", 10),
    "empty-file": Case(raw(b""), "the file is empty", None),
    "eleven-mb-document": Case(body("A sentence of the long document.\n\n" * 339_000),
                               "the file is 11.0 MB; the limit is 10 MB of Markdown", None),
    "deeply-nested-list": Case(body(deep_list(200)),
                               "nested more than 20 levels deep", 28),  # item 20, the 21st level
    "deeply-nested-quote": Case(body("Intro.\n\n" + ">" * 1000 + " deep"),
                                "nested more than 20 levels deep", 10),
    # --- raw HTML -------------------------------------------------------------------
    # Cleaned and published with a warning naming line and column: what readers would
    # miss, or what would run code. Harmless attributes go without a word (test_sanitise).
    "unclosed-raw-html": Case(body('Intro.\n\n<div class="note">\n\nSome *text*.\n\n'
                                   "## Heading\n\nMore."),
                              "raw HTML <div> is never closed", 10, warning=True),
    "script": Case(body("Intro.\n\n<script>alert('hi')</script>\n\nText."),
                   "<script> is removed", 10, column=1, warning=True),
    "iframe": Case(body('Intro.\n\nSee <iframe src="https://example.org/"></iframe>'),
                   "the embedded frame from example.org is removed", 10, column=5,
                   warning=True),
    "event-handler": Case(body('Intro.\n\n<p class="x" onclick="alert(1)">Hi</p>'),
                          "the event handler 'onclick' on <p> is removed", 10, column=14,
                          warning=True),
    "event-handler-attr-list": Case(body('Intro.\n\n## Heading {onclick="alert(1)"}'),
                                    "the event handler 'onclick' on <h2> is removed", 10,
                                    column=13, warning=True),
    "javascript-link": Case(body("Intro.\n\n[Click](javascript:alert(1))"),
                            "the link to 'javascript:alert(1)' is removed", 10, column=1,
                            warning=True),
    "form": Case(body('Intro.\n\n<form action="https://example.org/"><input name="q"></form>'),
                 "the form element <form> is removed", 10, column=1, warning=True),
    "external-stylesheet": Case(body('Intro.\n\n<link rel="stylesheet" '
                                     'href="https://example.org/x.css">'),
                                "<link> is removed", 10, column=1, warning=True),
    "inline-svg": Case(body('Intro.\n\n<svg viewBox="0 0 1 1"><rect width="1"/></svg>'),
                       "inline <svg> is removed", 10, column=1, warning=True),
    "template-tag": Case(body("Intro.\n\nWatch {% youtube TIbZDRXM-Tg %} now."),
                         "the template tag '{% youtube TIbZDRXM-Tg %}'", 10, column=7,
                         warning=True),
    # --- images ---------------------------------------------------------------------
    "missing-image": Case(body(IMAGE_BODY.format(name="chart.png")),
                          "image 'images/chart.png' does not exist", 10),
    "empty-image": Case(image("empty.png", write_bytes(b"")),
                        "image 'images/empty.png' is empty (0 bytes)", 10),
    "corrupt-image": Case(image("corrupt.png", write_bytes(b"this is not a picture")),
                          "image 'images/corrupt.png' is not a readable PNG file", 10),
    "truncated-image": Case(image("truncated.png", write_bytes(png_bytes()[:60])),
                            "image 'images/truncated.png' is damaged and cannot be read", 10),
    "misnamed-image": Case(image("photo.png", write_bytes(png_bytes("JPEG"))),
                           "image 'images/photo.png' is a JPEG file but its name ends in .png",
                           10),
    "huge-image-pixels": Case(image("poster.png", huge_pixels),
                              "is 8000 x 6000 pixels (48 megapixels); the limit is "
                              "40 megapixels", 10),
    "huge-image-bytes": Case(image("heavy.png", huge_bytes),
                             "image 'images/heavy.png' is 21.0 MB; the limit is 20 MB", 10),
    "corrupt-cover": Case(image("cover.png", write_bytes(b"GIF89a nonsense"),
                                front="cover: images/cover.png", text="Text."),
                          "'cover': image 'images/cover.png' is not a readable PNG file", 6),
    "svg-external-reference": Case(image("chart.svg", write_bytes(SVG_EXTERNAL)),
                                   "image 'images/chart.svg' refers to "
                                   "'https://example.org/track.png' outside itself "
                                   "(line 2 of the SVG)", 10),
    "svg-entities": Case(image("lol.svg", write_bytes(SVG_ENTITIES)),
                         "image 'images/lol.svg' declares XML entities", 10),
    "path-traversal": Case(body("Intro.\n\n![Secrets](../../etc/passwd.png)"),
                           "'../../etc/passwd.png' points outside source/", 10),
    "absolute-path": Case(body("Intro.\n\n![Hosts](/etc/hosts.png)"),
                          "'/etc/hosts.png' is an absolute path", 10),
    "file-url-image": Case(body("Intro.\n\n![Host](file:///etc/hostname.png)"),
                           "'file:///etc/hostname.png' is a URL; only files inside source/", 10),
    "http-image": Case(body("Intro.\n\n![Pixel](http://example.org/pixel.png)"),
                       "image 'http://example.org/pixel.png' is on the web: it is not fetched",
                       10, column=1, warning=True),
    # --- themes ---------------------------------------------------------------------
    "missing-theme": Case(doc("theme: modern"), "unknown theme 'modern'", 6),
    "theme-extends-missing": Case(theme("orphan", {"theme.yml": "name: Orphan\nextends: gone\n"}),
                                  "theme 'gone' not found", None),
    "template-syntax-error": Case(theme("broken", {"templates/web.html":
                                                   "<!-- web -->\n\n<p>{{ doc.title | }}</p>\n"}),
                                  "themes/broken/templates/web.html, line 3: expected token "
                                  "'name'", None),
    "network-font-in-theme": Case(theme("webfont", {"css/print.css": (
        (REPO / "themes" / "default" / "css" / "print.css").read_text(encoding="utf-8")
        + '\n@font-face { font-family: "Remote"; src: url("https://example.org/f.woff2") }\n'
        'body { font-family: "Remote", serif }\n')}),
        "refused to fetch https://example.org/f.woff2: network access is off", None,
        formats=("pdf",)),
}


@pytest.fixture
def project(tmp_path) -> Path:
    """site.yml, authors.yml, images and themes, and one good document."""
    root = make_project(tmp_path / "project", seed=False)
    write_source(root, GOOD, article(title="The good one"))
    return root.resolve()


@pytest.mark.parametrize("slug", list(CASES))
def test_bad_input_gives_its_message_and_the_good_document_is_published(project, slug):
    case = CASES[slug]
    case.write(project, slug)
    outcome = run_publish(project, case.formats)

    assert sorted(outcome.failed) == ([] if case.warning else sorted(case.failed or (slug,)))
    file = project / "source" / case.file.format(slug=slug)
    messages = "\n".join(str(p) for p in outcome.problems)
    found = [p for p in outcome.problems if p.file == file and case.message in p.message]
    assert found, f"expected {case.message!r} for {file.name}, got:\n{messages}"
    assert found[0].line == case.line, messages
    assert found[0].severity == ("warning" if case.warning else "error"), messages
    if case.column is not None:
        assert found[0].column == case.column, messages
    assert "Traceback" not in messages and "internal error" not in messages
    dist = project / "dist"
    assert (dist / slug).exists() == case.warning
    assert not [p for p in dist.iterdir() if p.name.startswith(".")]  # no staging left over
    good = dist / GOOD / ("index.html" if "html" in case.formats else f"{GOOD}.pdf")
    assert good.is_file()
    assert sorted(outcome.written) == sorted([GOOD, slug] if case.warning else [GOOD])


@pytest.mark.parametrize("slug", [slug for slug, case in CASES.items() if case.warning])
def test_strict_publish_refuses_what_has_a_warning(project, slug):
    CASES[slug].write(project, slug)
    outcome = run_publish(project, ("html",), strict=True)
    assert outcome.failed == [slug] and list(outcome.written) == [GOOD]
    assert not (project / "dist" / slug).exists()
    assert all(p.severity == "error" for p in outcome.problems)


def test_every_case_of_the_issue_is_in_the_table():
    issue = ["malformed-yaml", "wrong-type-text", "unknown-author", "duplicate-slug",
             "missing-image", "empty-image", "corrupt-image", "huge-image-pixels",
             "invalid-utf8", "empty-file", "eleven-mb-document", "deeply-nested-list",
             "unclosed-raw-html", "script", "iframe", "event-handler", "path-traversal",
             "file-url-image", "http-image", "svg-external-reference", "missing-theme",
             "template-syntax-error"]
    assert set(issue) <= set(CASES) and len(CASES) >= 15


# --- through `python3 -m invoke` --------------------------------------------------------


def invoke(cwd: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-m", "invoke", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def cli_project(tmp_path) -> Path:
    """The seed project with tasks.py, pipeline/ linked, for `python3 -m invoke`."""
    root = make_project(tmp_path / "project")
    shutil.copy2(REPO / "tasks.py", root / "tasks.py")
    (root / "pipeline").symlink_to(REPO / "pipeline", target_is_directory=True)
    return root


def test_publish_removes_a_script_with_a_warning_and_strict_refuses_it(cli_project):
    CASES["script"].write(cli_project, "script")
    code, output = invoke(cli_project, "html", "--strict")
    assert code == 1
    assert "Traceback" not in output
    assert "source/script.md:10:1: <script> is removed" in output
    assert "not published: " in output and "script (nothing was written" in output
    assert not (cli_project / "dist" / "script").exists()

    code, output = invoke(cli_project, "html")
    assert code == 0, output
    assert "Traceback" not in output
    assert "source/script.md:10:1: warning: <script> is removed" in output
    assert "published with 0 error(s), 1 warning(s); `invoke check` lists them" in output
    page = (cli_project / "dist" / "script" / "index.html").read_text(encoding="utf-8")
    assert "alert(" not in page.split("</head>")[1] and "Text." in page


def test_publish_with_a_missing_theme_is_one_line(cli_project):
    code, output = invoke(cli_project, "publish", "--theme", "modern")
    assert code == 1
    [line] = output.strip().splitlines()
    assert line.startswith("error: unknown theme 'modern' (available: ")
    assert "classic" in line and "default" in line
    assert not (cli_project / "dist").exists()


def test_template_syntax_error_reaches_the_user_as_one_line(cli_project):
    CASES["template-syntax-error"].write(cli_project, "broken-theme")
    code, output = invoke(cli_project, "html", "--only", "broken-theme")
    assert code == 1
    assert "Traceback" not in output
    [line] = [l for l in output.splitlines() if "broken-theme.md" in l]
    assert "theme 'broken': template " in line
    assert "themes/broken/templates/web.html, line 3: expected token 'name'" in line
    assert "not published: broken-theme" in output


def test_a_bad_allow_network_in_site_yml_names_its_line(cli_project):
    site = cli_project / "source" / "site.yml"
    site.write_text(site.read_text(encoding="utf-8") + "allow_network: maybe\n",
                    encoding="utf-8")
    line = len(site.read_text(encoding="utf-8").splitlines())
    code, output = invoke(cli_project, "html")
    assert code == 1
    assert "Traceback" not in output
    assert f"source/site.yml:{line}: 'allow_network' must be true or false" in output
