"""`invoke review SLUG`: the packet a clinician or compliance reviewer reads and signs, and
`invoke review SLUG --approve ID`, which records their review.

The packet, reviews/<slug>/<slug>-review.pdf (internal material: never in dist/), has a
first page summarising the findings by severity, the reading grade, the sources cited, the
last review and what changed since it (a diff against the text last approved), and a
sign-off block; then the source file as written, its line numbers in the margin, each claim
highlighted where it stands and carrying a PDF comment (a Highlight annotation) with the
rule, the message and the suggested rewording; a sentence the claims model reads as a
claim (a `likely-claim` warning) is highlighted whole, its comment naming the words that
made it read so.

Approving edits the front matter's `reviewers` and `reviewed` lines in place (the rest of
the file, its formatting and comments, is kept as written), refuses while the article still
makes a claim of severity error, and keeps the approved text under reviews/<slug>/ so the
next packet can show what changed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import html
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .build.publish import Project, gather
from .checks.claims import (LIKELY_CLAIM_FIX, LIKELY_CLAIM_RULE, LocatedClaim, footnotes,
                             likely_claim_message, located_claims, located_likely_claims,
                             project_rules)
from .checks.readability import grade_level
from .checks.review import content_findings
from .diagnostics import PressroomError
from .models import Document
from .read.config import load_people

REVIEWS_DIR = "reviews"  # git-ignored: packets and approved texts are internal
REVIEWED_TEXT = "reviewed.md"  # the text as last approved
REVIEW_RECORD = "review.json"  # who approved it, when, and its SHA-256
DIFF_LINES = 30  # lines of the diff on the first page; the rest is counted
FONTS = ("default", "fonts")  # the project's default theme's fonts (Atkinson Hyperlegible)
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels; PDF user space is in points
SEVERITY_COLOURS = {"error": (1.0, 0.55, 0.55), "warning": (1.0, 0.85, 0.3),
                    "info": (0.6, 0.8, 1.0)}


@dataclass(frozen=True)
class Marked:
    """A finding the packet highlights: a rule's claim, or a likely claim of the model."""

    line: int | None
    column: int | None
    # (line, column, end line, end column) of each piece of its words
    pieces: tuple[tuple[int | None, int | None, int | None, int | None], ...]
    severity: str
    rule: str  # as in findings: claim-cure, likely-claim
    category: str  # the summary's "rule" column: cure, likely-claim
    summary: str  # the summary's "finding" column
    comment: str  # the PDF comment, after its number


def marked_findings(claims: list[LocatedClaim], likely) -> list[Marked]:
    """The rules' claims and the model's likely claims, in source order."""
    marked = [Marked(c.line, c.column, c.pieces, c.claim.rule.severity, c.claim.rule.name,
                     c.claim.rule.id,
                     f"{c.claim.rule.message}: {', '.join(c.claim.words)}",
                     f"{c.claim.rule.name} ({c.claim.rule.severity}): {c.claim.rule.message}: "
                     f"\u201c{c.claim.sentence}\u201d\nSuggested: "
                     f"{' '.join(c.claim.rule.suggestion.split())}")
              for c in claims]
    marked += [Marked(k.line, k.column, ((k.line, k.column, k.end_line, k.end_column),),
                      "warning", LIKELY_CLAIM_RULE, LIKELY_CLAIM_RULE,
                      likely_claim_message(k.likely),
                      f"{LIKELY_CLAIM_RULE} (warning): {likely_claim_message(k.likely)}\n"
                      f"Suggested: {LIKELY_CLAIM_FIX}")
               for k in likely]
    return sorted(marked, key=lambda m: (m.line or 0, m.column or 0, m.rule))


@dataclass(frozen=True)
class Review:
    """What reviews/<slug>/ remembers of the last approval."""

    reviewer: str
    date: str
    sha256: str
    text: str


def review_folder(project: Project, slug: str) -> Path:
    return project.root / REVIEWS_DIR / slug


def last_review(project: Project, slug: str) -> Review | None:
    folder = review_folder(project, slug)
    try:
        record = json.loads((folder / REVIEW_RECORD).read_text(encoding="utf-8"))
        text = (folder / REVIEWED_TEXT).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    return Review(record.get("reviewer", ""), record.get("date", ""),
                  record.get("sha256", ""), text)


def _document(project: Project, slug: str) -> Document:
    documents, problems = gather(project, only=slug)
    if problems or not documents:
        listing = "\n".join(str(p) for p in problems) or f"no source/{slug}.md"
        raise PressroomError(f"cannot review '{slug}':\n{listing}")
    return documents[0]


# --- The packet ----------------------------------------------------------------------------


def write_packet(project: Project, slug: str, today: dt.date) -> Path:
    """Write reviews/<slug>/<slug>-review.pdf and return its path."""
    from weasyprint import HTML  # slow to import: only when a packet is made

    doc = _document(project, slug)
    rules = project_rules(project.source_dir)
    claims = marked_findings(located_claims(doc, rules), located_likely_claims(doc, rules))
    text = doc.source_text  # shown as written, line by line
    page = _packet_html(doc, text, claims, content_findings(doc, rules, today), rules,
                        last_review(project, slug), today)
    fonts = project.themes_dir.joinpath(*FONTS)  # missing: WeasyPrint's own fallback fonts
    rendered = HTML(string=page, base_url=str(fonts) + "/").render()
    rectangles = _finding_rectangles(rendered)
    folder = review_folder(project, slug)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{slug}-review.pdf"
    handle, scratch = tempfile.mkstemp(prefix=f".{slug}-", suffix=".pdf", dir=folder)
    os.close(handle)
    try:
        rendered.write_pdf(scratch)
        _annotate(Path(scratch), claims, rectangles, [p.height for p in rendered.pages])
        os.chmod(scratch, 0o644)
        os.replace(scratch, target)
    finally:
        Path(scratch).unlink(missing_ok=True)
    return target


def _packet_html(doc: Document, text: str, claims: list[Marked], findings, rules,
                 previous: Review | None, today: dt.date) -> str:
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITY_COLOURS}
    language = rules.language(doc.lang) if rules else None
    sources = [note for note in footnotes(doc).values()
               if language and language.reading.citations.search(note)]
    sources += [link.target for link in doc.links
                if link.kind == "link" and link.target.startswith(("http://", "https://"))
                and not any(link.target in s for s in sources)]
    reviewers = ", ".join(p.name_with_credentials for p in doc.byline.reviewers)
    last = (f"{doc.byline.reviewed.isoformat()} by {reviewers}" if doc.byline.reviewed
            else "never reviewed")
    numbered = {id(c): n for n, c in enumerate(claims, start=1)}
    rows = "".join(
        f"<tr><td>{numbered[id(c)]}</td><td>{c.line or ''}</td>"
        f"<td class='{c.severity}'>{c.severity}</td>"
        f"<td>{_e(c.category)}</td><td>{_e(c.summary)}</td></tr>" for c in claims)
    rows += "".join(  # the claims are numbered above
        f"<tr><td></td><td>{f.line or ''}</td><td class='{f.severity}'>{f.severity}</td>"
        f"<td>{_e(f.rule)}</td><td>{_e(f.message)}</td></tr>"
        for f in findings if not f.rule.startswith("claim-") and f.rule != LIKELY_CLAIM_RULE)
    return f"""<!DOCTYPE html>
<html lang="{_e(doc.lang)}"><head><meta charset="utf-8">
<title>Review packet: {_e(doc.title)}</title>
<style>{_STYLE}</style></head><body>
<section class="summary">
<h1>Review packet: {_e(doc.title)}</h1>
<p class="meta">source/{_e(doc.source_path.name)}, prepared {today.isoformat()}.
Internal material for the medical and compliance review: do not publish.</p>
<h2>Findings</h2>
<p class="counts"><span class="error">{counts['error']} errors</span>
<span class="warning">{counts['warning']} warnings</span>
<span class="info">{counts['info']} notes</span>. Each claim is highlighted in the text
below, numbered in the margin, with a comment holding the rule, what is wrong and a
suggested rewording.</p>
<table class="findings"><thead><tr><th>#</th><th>line</th><th>severity</th><th>rule</th>
<th>finding</th></tr></thead><tbody>{rows}</tbody></table>
<h2>Reading level</h2>
<p>Flesch-Kincaid grade {grade_level(doc):.1f} (target {doc.site.target_grade:g} or lower).</p>
<h2>Sources cited</h2>
{_list(sources, 'No sources are cited.')}
<h2>Last review</h2>
<p>{_e(last)}.{_e(_record_line(previous))}</p>
<h2>What changed since</h2>
{_changes(previous, text)}
<h2>Sign-off</h2>
<div class="signoff">
<p>Reviewer (name, credentials): <span class="blank"></span></p>
<p>Decision: &#9744; approved &#9744; approved after the changes noted &#9744; not approved</p>
<p>Signature: <span class="blank"></span> Date: <span class="blank short"></span></p>
<p class="how">To record an approval: <code>invoke review {_e(doc.slug)} --approve
REVIEWER-ID</code> (refused while claims of severity error remain).</p>
</div>
</section>
<section class="source">
<h2>The text as written, with its line numbers</h2>
{_source_lines(text, claims, numbered)}
</section>
</body></html>"""


def _record_line(previous: Review | None) -> str:
    if previous is None:
        return " No approved text is recorded in reviews/ yet."
    return f" Approved text recorded on {previous.date} (reviewer {previous.reviewer})."


def _changes(previous: Review | None, text: str) -> str:
    if previous is None:
        return "<p>No approved version is recorded, so there is nothing to compare.</p>"
    diff = list(difflib.unified_diff(previous.text.split("\n"), text.split("\n"),
                                     "approved", "now", n=1, lineterm=""))[2:]
    if not diff:
        return "<p>Nothing changed since the approved version.</p>"
    shown = diff[:DIFF_LINES]
    more = len(diff) - len(shown)
    lines = "".join(
        f"<div class='{ {'+': 'added', '-': 'removed', '@': 'hunk'}.get(line[:1], 'same') }'>"
        f"{_e(line) or '&#160;'}</div>" for line in shown)
    tail = f"<p>... and {more} more lines of changes.</p>" if more else ""
    return f"<div class='diff'>{lines}</div>{tail}"


def _list(items: list[str], empty: str) -> str:
    if not items:
        return f"<p>{empty}</p>"
    return "<ol class='sources'>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ol>"


def _source_lines(text: str, claims: list[Marked], numbered: dict[int, int]) -> str:
    """Every line of the file with its number; each claim's words wrapped in a <mark> that
    names its findings (data-finding), so their places can be found on the pages."""
    lines = text.split("\n")
    marks: dict[int, dict[int, list[int]]] = {}  # line -> column -> finding numbers
    last_segment: dict[int, tuple[int, int]] = {}
    for claim in claims:
        number = numbered[id(claim)]
        for start_line, start_column, end_line, end_column in claim.pieces:
            if start_line is None or start_column is None:
                continue  # a front-matter field written over several lines
            end_line = end_line or start_line
            for line in range(start_line, min(end_line, len(lines)) + 1):
                first = start_column - 1 if line == start_line else 0
                last = (end_column - 1 if line == end_line and end_column
                        else len(lines[line - 1]))
                for column in range(first, max(last, first + 1)):
                    marks.setdefault(line, {}).setdefault(column, []).append(number)
                last_segment[number] = max(last_segment.get(number, (0, 0)),
                                           (line, max(last, first + 1)))
    tags: dict[tuple[int, int], list[int]] = {}
    for number, place in last_segment.items():
        tags.setdefault(place, []).append(number)
    out = []
    for number, line in enumerate(lines, start=1):
        on_line = marks.get(number, {})
        parts, column = [], 0
        while column < len(line):
            ids = on_line.get(column)
            stop = column + 1
            while stop < len(line) and on_line.get(stop) == ids:
                stop += 1
            chunk = _e(line[column:stop])
            if ids:
                chunk = (f"<mark data-finding=\"{' '.join(map(str, ids))}\">{chunk}</mark>")
            parts.append(chunk)
            for tag_column in range(column + 1, stop + 1):
                for tag in tags.get((number, tag_column), ()):
                    parts.append(f"<sup class='tag'>{tag}</sup>")
            column = stop
        out.append(f"<div class='line'><span class='number'>{number}</span>"
                   f"<span class='text'>{''.join(parts) or '&#160;'}</span></div>")
    return "".join(out)


def _e(value: str) -> str:
    return html.escape(str(value), quote=True)


def _finding_rectangles(rendered) -> dict[int, list[tuple[int, float, float, float, float]]]:
    """Finding number -> (page index, x, y, width, height) in CSS pixels of each piece of
    its highlighted words, as WeasyPrint laid them out. WeasyPrint has no public API for
    where a box landed, so this walks each page's box tree (`_page_box`, stable since 53)."""
    found: dict[int, list[tuple[int, float, float, float, float]]] = {}
    for index, page in enumerate(rendered.pages):
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            stack.extend(getattr(box, "children", ()) or ())
            element = getattr(box, "element", None)
            if (element is None or element.tag != "mark"
                    or type(box).__name__ != "InlineBox"):
                continue
            for number in element.get("data-finding", "").split():
                found.setdefault(int(number), []).append(
                    (index, box.position_x, box.position_y, box.margin_width(),
                     box.margin_height()))
    return found


def _annotate(pdf: Path, claims: list[Marked], rectangles, page_heights) -> None:
    """Add a Highlight annotation over each claim's words, holding the rule, the message
    and the suggested rewording, so a PDF viewer lists them as comments."""
    from pypdf import PdfWriter
    from pypdf.annotations import Highlight
    from pypdf.generic import ArrayObject, FloatObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=str(pdf))
    for number, claim in enumerate(claims, start=1):
        comment = f"[{number}] {claim.comment}"
        by_page: dict[int, list[tuple[float, float, float, float]]] = {}
        for page, x, y, width, height in rectangles.get(number, ()):
            top = (page_heights[page] - y) * PX_TO_PT
            by_page.setdefault(page, []).append(
                (x * PX_TO_PT, top - height * PX_TO_PT, (x + width) * PX_TO_PT, top))
        for page, boxes in by_page.items():
            quads = []
            for left, bottom, right, top in boxes:
                quads += [left, top, right, top, left, bottom, right, bottom]
            rect = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                    max(b[2] for b in boxes), max(b[3] for b in boxes))
            red, green, blue = SEVERITY_COLOURS.get(claim.severity, (1.0, 1.0, 0.0))
            annotation = Highlight(rect=rect,
                                   quad_points=ArrayObject(FloatObject(q) for q in quads),
                                   highlight_color=f"{int(red * 255):02x}"
                                                   f"{int(green * 255):02x}"
                                                   f"{int(blue * 255):02x}")
            annotation[NameObject("/Contents")] = TextStringObject(comment)
            annotation[NameObject("/T")] = TextStringObject(claim.rule)
            annotation[NameObject("/NM")] = TextStringObject(f"pressroom-finding-{number}")
            writer.add_annotation(page_number=page, annotation=annotation)
    with pdf.open("wb") as handle:
        writer.write(handle)


_STYLE = """
@font-face { font-family: Atkinson; src: url(AtkinsonHyperlegibleNext_400Regular.ttf); }
@font-face { font-family: Atkinson; font-weight: bold;
             src: url(AtkinsonHyperlegibleNext_700Bold.ttf); }
@font-face { font-family: AtkinsonMono; src: url(AtkinsonHyperlegibleMono_400Regular.ttf); }
@page { size: letter; margin: 18mm 16mm 18mm 22mm;
        @bottom-right { content: "page " counter(page) " of " counter(pages);
                        font: 9pt Atkinson; } }
body { font: 11pt/1.45 Atkinson, sans-serif; color: #111; }
section.summary { font-size: 9.5pt; line-height: 1.35; }
section.summary p { margin: 0 0 3pt; }
h1 { font-size: 16pt; margin: 0 0 3pt; }
h2 { font-size: 11.5pt; margin: 8pt 0 2pt; }
.meta { color: #444; margin: 0; }
.counts span { font-weight: bold; padding: 1pt 4pt; margin-right: 6pt; }
.error { background: #ffd0d0; } .warning { background: #ffe9a8; } .info { background: #d6e8ff; }
table.findings { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
table.findings th, table.findings td { border-bottom: 0.5pt solid #bbb; padding: 2pt 4pt;
                                       text-align: left; vertical-align: top; }
.diff { font: 8.5pt/1.3 AtkinsonMono, monospace; white-space: pre-wrap;
        border: 0.5pt solid #bbb; padding: 4pt; }
.diff .added { background: #dff5df; } .diff .removed { background: #fbe0e0; }
.diff .hunk { color: #555; }
.signoff { border: 1pt solid #111; padding: 4pt 10pt; margin-top: 4pt;
           page-break-inside: avoid; }
.blank { display: inline-block; width: 70mm; border-bottom: 0.75pt solid #111; }
.blank.short { width: 35mm; }
.how { font-size: 9pt; color: #333; }
section.source { page-break-before: always; }
.line { display: flex; font: 10pt/1.5 AtkinsonMono, monospace; }
.number { flex: 0 0 11mm; text-align: right; padding-right: 3mm; color: #666;
          border-right: 0.5pt solid #bbb; margin-right: 3mm; }
.text { flex: 1; white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: #fff1a8; }
sup.tag { font: bold 7pt Atkinson; background: #111; color: #fff; padding: 0 2pt;
          margin-left: 1pt; }
"""


# --- Approval ----------------------------------------------------------------------------


_FRONT_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):(?P<value>[^#\n]*?)(?P<comment>\s+#.*)?$")


def approve(project: Project, slug: str, reviewer: str, today: dt.date) -> Path:
    """Record `reviewer`'s review of source/<slug>.md dated `today`: edit its front matter
    lines and keep the approved text in reviews/<slug>/. Refuse while claim errors remain."""
    people = load_people(project.source_dir)
    if reviewer not in people:
        known = ", ".join(sorted(people)) or "none"
        raise PressroomError(f"unknown reviewer id '{reviewer}': add them to "
                             f"source/authors.yml (known ids: {known})")
    doc = _document(project, slug)
    rules = project_rules(project.source_dir)
    errors = [c for c in located_claims(doc, rules) if c.claim.rule.severity == "error"]
    if errors:
        listing = "\n".join(f"  line {c.line}: {c.claim.rule.name}: \u201c{c.claim.sentence}\u201d"
                            for c in errors)
        raise PressroomError(f"not approved: source/{slug}.md still makes {len(errors)} "
                             f"unsupported claim(s) of severity error:\n{listing}\n"
                             f"rewrite or support them (invoke review {slug} shows each "
                             "with a suggestion), then approve again")
    path = doc.source_path
    text = path.read_text(encoding="utf-8")
    edited = approved_front_matter(text, reviewer, today)
    _replace_file(path, edited)
    folder = review_folder(project, slug)
    folder.mkdir(parents=True, exist_ok=True)
    _replace_file(folder / REVIEWED_TEXT, edited)
    record = {"reviewer": reviewer, "date": today.isoformat(),
              "sha256": hashlib.sha256(edited.encode("utf-8")).hexdigest(),
              "source": f"source/{path.name}"}
    _replace_file(folder / REVIEW_RECORD, json.dumps(record, indent=2) + "\n")
    return path


def approved_front_matter(text: str, reviewer: str, today: dt.date) -> str:
    """`text` with `reviewer` added to its front matter's `reviewers` and `reviewed` set to
    `today`, changing only those lines (or adding them after `authors`)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise PressroomError("the source has no front matter to record the review in")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise PressroomError("the source's front matter has no closing '---' line")
    keys = {m["key"]: i for i in range(1, end) if (m := _FRONT_KEY.match(lines[i]))}
    if "reviewers" in keys:
        end += _add_reviewer(lines, keys["reviewers"], reviewer)
    else:
        lines.insert(_after_field(lines, keys.get("authors", end - 1), end),
                     f"reviewers: [{reviewer}]")
        end += 1
    keys = {m["key"]: i for i in range(1, end) if (m := _FRONT_KEY.match(lines[i]))}
    date = today.isoformat()
    if "reviewed" in keys:
        match = _FRONT_KEY.match(lines[keys["reviewed"]])
        lines[keys["reviewed"]] = f"reviewed: {date}{match['comment'] or ''}"
    else:
        lines.insert(_after_field(lines, keys["reviewers"], end), f"reviewed: {date}")
    return "\n".join(lines)


def _after_field(lines: list[str], index: int, end: int) -> int:
    """The line after a field and its indented continuation (a block list)."""
    index += 1
    while index < end and lines[index][:1] in (" ", "\t", "-") and lines[index].strip():
        index += 1
    return index


def _add_reviewer(lines: list[str], index: int, reviewer: str) -> int:
    """Add `reviewer` to the `reviewers` field at lines[index]; the lines added."""
    match = _FRONT_KEY.match(lines[index])
    value, comment = match["value"].strip(), match["comment"] or ""
    if value.startswith("[") and value.endswith("]"):
        ids = [i.strip() for i in value[1:-1].split(",") if i.strip()]
        if reviewer not in ids:
            ids.append(reviewer)
        lines[index] = f"reviewers: [{', '.join(ids)}]{comment}"
        return 0
    if value:  # a single id written as text
        ids = [value] if value != reviewer else []
        lines[index] = f"reviewers: [{', '.join([*ids, reviewer])}]{comment}"
        return 0
    items = []
    position = index + 1
    while position < len(lines) and re.match(r"^\s*-\s+", lines[position]):
        items.append(lines[position])
        position += 1
    if any(re.sub(r"#.*", "", item).strip("- \t") == reviewer for item in items):
        return 0
    indent = re.match(r"^(\s*-\s+)", items[-1])[1] if items else "  - "
    lines.insert(position, f"{indent}{reviewer}")
    return 1


def _replace_file(path: Path, text: str) -> None:
    """Write `text` to `path` through a file beside it, so a reader never sees half."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(scratch, mode)
        os.replace(scratch, path)
    finally:
        Path(scratch).unlink(missing_ok=True)
