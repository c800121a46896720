"""`invoke review`: the reviewer's packet (reviews/<slug>/<slug>-review.pdf) with a comment on
each claim where it stands, and `--approve`, which records the review in the front matter and
keeps the approved text so the next packet shows what changed."""

from __future__ import annotations

import datetime as dt
import json
import re

import pypdfium2
import pytest
from pypdf import PdfReader

from helpers import article, write_source
from pipeline.build.publish import Project
from pipeline.diagnostics import PressroomError
from pipeline.review_packet import approve, approved_front_matter, write_packet

TODAY = dt.date(2026, 12, 5)
CLAIMING = """\
Our infusions rebuild the protective coating around your nerves.

Research into stem cells for MS is at an early stage.[^trial] The treatment is
completely safe.

[^trial]: Uccelli A et al. Lancet Neurol. 2021. <https://example.org/mesems>
"""
CAREFUL = """\
Stem cells are being studied for MS.[^trial] They are not a cure.

[^trial]: Uccelli A et al. Lancet Neurol. 2021. <https://example.org/mesems>
"""


@pytest.fixture
def project(empty_project):
    with (empty_project / "source" / "authors.yml").open("a", encoding="utf-8") as authors:
        authors.write("ana-reyes:\n  name: Ana Reyes\n  credentials: [MD]\n"
                      "  role: Neurologist\n")
    return empty_project


def highlights(pdf):
    reader = PdfReader(pdf)
    found = []
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation["/Subtype"] == "/Highlight":
                found.append((index, annotation))
    return found


def text_under(pdf, page_index, rect) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        left, bottom, right, top = (float(v) for v in rect)
        return document[page_index].get_textpage().get_text_bounded(left, bottom, right, top)
    finally:
        document.close()


def test_the_packet_comments_each_claim_where_it_stands(project):
    write_source(project, "claims", article(body=CLAIMING))
    pdf = write_packet(Project(project), "claims", TODAY)
    assert pdf == project / "reviews" / "claims" / "claims-review.pdf"
    assert not (project / "dist").exists()  # internal material never goes to dist/
    assert [p.name for p in pdf.parent.iterdir()] == ["claims-review.pdf"]  # no scratch left
    found = highlights(pdf)
    comments = [str(a["/Contents"]) for _, a in found]
    assert [str(a["/T"]) for _, a in found] == ["claim-cure", "claim-absolute-safety"]
    assert comments[0].startswith("[1] claim-cure (error): promises a cure")
    assert "Our infusions rebuild the protective coating" in comments[0]
    assert "Suggested: say what the treatment may do" in comments[0]
    for page, annotation in found:
        assert page >= 1  # on the text, after the summary page
        assert len(annotation["/QuadPoints"]) % 8 == 0
    words = [" ".join(text_under(pdf, page, a["/Rect"]).split()) for page, a in found]
    assert "rebuild the protective coating" in words[0]
    assert "completely safe" in words[1]


def test_a_likely_claim_is_highlighted_with_the_words_that_made_it(project):
    sentence = "This approach works with your body rather than against it."
    write_source(project, "claims", article(body=f"MS is a long illness.\n\n{sentence}\n"))
    pdf = write_packet(Project(project), "claims", TODAY)
    found = highlights(pdf)
    assert [str(a["/T"]) for _, a in found] == ["likely-claim"]
    page, annotation = found[0]
    comment = str(annotation["/Contents"])
    assert comment.startswith("[1] likely-claim (warning): reads like an unsupported claim")
    assert sentence in comment
    named = re.findall(r"'([^']+)'", comment.split(" (the claims model")[0])
    assert named and all(word in sentence for word in named)  # the words that made it one
    assert "Suggested: cite a source" in comment
    assert page >= 1
    assert " ".join(text_under(pdf, page, annotation["/Rect"]).split()) == sentence
    first = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "1 warnings" in first and first.count("reads like an unsupported claim") == 1


def test_the_first_page_summarises_for_the_reviewer(project):
    write_source(project, "claims", article(body=CLAIMING))
    pdf = write_packet(Project(project), "claims", TODAY)
    first = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "2 errors" in first
    assert "Flesch-Kincaid grade" in first
    assert "Uccelli A et al. Lancet Neurol. 2021" in first  # the source cited
    assert "never reviewed" in first
    assert "Sign-off" in first and "--approve" in first
    source = " ".join(PdfReader(pdf).pages[1].extract_text().split())
    assert "1 ---" in source and "Our infusions rebuild" in source  # numbered lines


def test_approval_is_refused_while_claim_errors_remain(project):
    path = write_source(project, "claims", article(body=CLAIMING))
    before = path.read_bytes()
    with pytest.raises(PressroomError, match=r"still makes 2 unsupported claim\(s\)") as raised:
        approve(Project(project), "claims", "ana-reyes", TODAY)
    assert "claim-cure" in str(raised.value)
    assert path.read_bytes() == before
    assert not (project / "reviews").exists()
    with pytest.raises(PressroomError, match="unknown reviewer id 'nobody'"):
        approve(Project(project), "claims", "nobody", TODAY)


def test_approval_records_the_review_and_the_next_packet_shows_the_changes(project):
    path = write_source(project, "careful", article(
        front="keywords: [ms]   # shown as subjects\n", body=CAREFUL))
    approve(Project(project), "careful", "ana-reyes", TODAY)
    text = path.read_text(encoding="utf-8")
    assert "authors: [becky-palmer]\nreviewers: [ana-reyes]\nreviewed: 2026-12-05\n" in text
    assert "keywords: [ms]   # shown as subjects" in text  # the rest kept as written
    folder = project / "reviews" / "careful"
    assert (folder / "reviewed.md").read_text(encoding="utf-8") == text
    record = json.loads((folder / "review.json").read_text(encoding="utf-8"))
    assert record["reviewer"] == "ana-reyes" and record["date"] == "2026-12-05"
    assert len(record["sha256"]) == 64

    path.write_text(text.replace("They are not a cure.",
                                 "They are not a cure, and trials are small."), encoding="utf-8")
    pdf = write_packet(Project(project), "careful", TODAY)
    first = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "2026-12-05 by Ana Reyes, MD" in first
    assert "-Stem cells are being studied for MS.[^trial] They are not a cure." in first
    assert "+Stem cells are being studied for MS.[^trial] They are not a cure, and trials" in first
    assert highlights(pdf) == []


@pytest.mark.parametrize("front, expected", [
    ("authors: [a]\nreviewers: [b]  # the panel\nreviewed: 2025-01-02  # last year",
     "authors: [a]\nreviewers: [b, ana-reyes]  # the panel\nreviewed: 2026-12-05  # last year"),
    ("authors:\n  - a\nreviewers:\n  - b\n# a comment\nreviewed: 2025-01-02",
     "authors:\n  - a\nreviewers:\n  - b\n  - ana-reyes\n# a comment\nreviewed: 2026-12-05"),
    ("authors:\n  - a\ntitle: T",
     "authors:\n  - a\nreviewers: [ana-reyes]\nreviewed: 2026-12-05\ntitle: T"),
    ("reviewers: [ana-reyes]\nreviewed: 2025-01-02",
     "reviewers: [ana-reyes]\nreviewed: 2026-12-05"),
])
def test_the_front_matter_is_edited_line_by_line(front, expected):
    text = f"---\n{front}\n---\n\nBody.\n"
    assert approved_front_matter(text, "ana-reyes", TODAY) == f"---\n{expected}\n---\n\nBody.\n"
