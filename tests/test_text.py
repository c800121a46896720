"""The one sentence splitter (pipeline/read/text.py) and the stages that use it."""

from __future__ import annotations

import re
import textwrap

import pytest

from helpers import article, write_source
from pipeline.build.publish import Project, gather
from pipeline.read.text import Span, first_sentence, sentences, splitter_language


def split(text: str, lang: str = "en") -> list[str]:
    return [text[span.start:span.end] for span in sentences(text, lang)]


@pytest.mark.parametrize("text, expected", [
    ("Ask Dr. Smith about the trial. Then decide.",
     ["Ask Dr. Smith about the trial.", "Then decide."]),
    ("Some people, e.g. those with relapsing MS, respond. Others do not.",
     ["Some people, e.g. those with relapsing MS, respond.", "Others do not."]),
    ("The dose was 2.5 mg. It rose to 3.75 mg in 2020. Results vary.",
     ["The dose was 2.5 mg.", "It rose to 3.75 mg in 2020.", "Results vary."]),
    ('He said "Stop." Then he left. "Why?" she asked.',
     ['He said "Stop."', "Then he left.", '"Why?" she asked.']),
    ("See the U.S. guidance. It is clear.", ["See the U.S. guidance.", "It is clear."]),
    ("Is it safe? Ask your doctor! Then wait...",
     ["Is it safe?", "Ask your doctor!", "Then wait..."]),
    ("A text without an end", ["A text without an end"]),
    # pySBD reads "MS." as the title "Ms.": a word in capitals before a capital ends here
    ("Stem cells are studied in people with MS. It is not a cure.",
     ["Stem cells are studied in people with MS.", "It is not a cure."]),
    ("Ms. Jones and Dr. Smith treat MS. They say so.",
     ["Ms. Jones and Dr. Smith treat MS.", "They say so."]),
    ("Living with ALS.  (A guide.)", ["Living with ALS.", "(A guide.)"]),
    ("About MS. not a sentence end", ["About MS. not a sentence end"]),
])
def test_english_sentences(text, expected):
    assert split(text) == expected


@pytest.mark.parametrize("lang, text, expected", [
    ("fr-FR", "M. Dupont est là. Il parle.", ["M. Dupont est là.", "Il parle."]),
    ("de", "Das ist z. B. gut. Es geht.", ["Das ist z. B. gut.", "Es geht."]),
    ("es", "¿Qué es la EM? Es una enfermedad.", ["¿Qué es la EM?", "Es una enfermedad."]),
    ("es", "Vive con EM. ¿Es una cura?", ["Vive con EM.", "¿Es una cura?"]),
    # a title after a capitalised word: pySBD alone ends a sentence at "Dra." and "Sr."
    ("es", "La Dra. Ruiz lo explica. El Sr. López y la Sra. Gómez llegaron. Bien.",
     ["La Dra. Ruiz lo explica.", "El Sr. López y la Sra. Gómez llegaron.", "Bien."]),
    ("es", "Vive con EM. Dra. Ruiz al habla.", ["Vive con EM.", "Dra. Ruiz al habla."]),
    ("ja", "これはペンです。あれは本です。", ["これはペンです。", "あれは本です。"]),
    ("zh-Hant", "這是一支筆。那是一本書！", ["這是一支筆。", "那是一本書！"]),
    # Languages pySBD has no rules for are split with the English ones.
    ("sl", "Ko oddate PR, bo pregled zagnan. Če se prikaže zeleni gumb, je vse pripravljeno.",
     ["Ko oddate PR, bo pregled zagnan.", "Če se prikaže zeleni gumb, je vse pripravljeno."]),
])
def test_sentences_in_several_languages(lang, text, expected):
    assert split(text, lang) == expected


def test_spans_are_offsets_into_the_text_without_surrounding_spaces():
    text = "  First one.   Second one.\n\n\tThird"
    assert sentences(text) == [Span(2, 12), Span(15, 26), Span(29, 34)]


def test_a_line_break_is_a_space_and_a_blank_line_ends_a_sentence():
    text = "A sentence that\nwraps over lines. Next\n\nA new paragraph"
    assert split(text) == ["A sentence that\nwraps over lines.", "Next", "A new paragraph"]


def test_a_blank_text_has_no_sentence():
    assert sentences("") == [] and sentences(" \n\n ") == []
    assert first_sentence("   ") == ""


def test_no_text_is_lost():
    text = "One. Two? Three!\n\nFour... five. Dr. Who, i.e. nobody. 6.5 units."
    kept = "".join(text[span.start:span.end] for span in sentences(text))
    assert "".join(kept.split()) == "".join(text.split())


def test_first_sentence_collapses_spaces_and_keeps_abbreviations():
    assert first_sentence("Ask Dr. Smith\n  before you start. It matters.") == \
        "Ask Dr. Smith before you start."
    assert first_sentence("No sentence end here") == "No sentence end here"


def test_splitter_language():
    assert splitter_language("en-US") == "en"
    assert splitter_language("fr_CA") == "fr"
    assert splitter_language("sl") == "en"
    assert splitter_language("") == "en"


def test_the_pdf_footer_line_keeps_an_abbreviation_in_its_sentence(empty_project):
    """The disclaimer's first sentence is found once, at read time, by the same splitter,
    for the site's disclaimer and for a document's own."""
    site_yml = empty_project / "source" / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    text = re.sub(r"^disclaimer: >-\n(  .*\n)+", textwrap.dedent("""\
        disclaimer: >-
          Ask Dr. Smith, e.g. at your next visit, before you change a treatment. This page
          is general information.
        """), text, flags=re.M)
    site_yml.write_text(text, encoding="utf-8")
    write_source(empty_project, "site-wide", article())
    write_source(empty_project, "own", article("disclaimer: Talk to Prof. Jones first. Then read."))
    documents, problems = gather(Project(empty_project))
    assert not problems
    lines = {doc.slug: doc.disclaimer_line for doc in documents}
    assert lines == {
        "site-wide": "Ask Dr. Smith, e.g. at your next visit, before you change a treatment.",
        "own": "Talk to Prof. Jones first.",
    }


@pytest.mark.parametrize("lang, text, first", [
    # pySBD's Arabic and Persian rules end a sentence at a colon, and Arabic's at a comma
    ("ar", "هذه معلومات عامة وليست نصيحة طبية: يُرجى استشارة طبيبك. وهي لا تُغني عن زيارة طبيب.",
     "هذه معلومات عامة وليست نصيحة طبية: يُرجى استشارة طبيبك."),
    ("ar", "قال الطبيب، بعد الفحص، إن الحالة مستقرة. ثم غادر.",
     "قال الطبيب، بعد الفحص، إن الحالة مستقرة."),
    ("fa", "این اطلاعات عمومی است، نه توصیهٔ پزشکی: لطفاً با پزشک خود مشورت کنید. جای ویزیت را نمی‌گیرد.",
     "این اطلاعات عمومی است، نه توصیهٔ پزشکی: لطفاً با پزشک خود مشورت کنید."),
    ("en", "Ask Dr. Smith: it helps. Then go.", "Ask Dr. Smith: it helps."),
])
def test_a_colon_or_a_comma_ends_no_sentence(lang, text, first):
    assert first_sentence(text, lang) == first
    assert "".join(text[s.start:s.end] for s in sentences(text, lang)).replace(" ", "") == \
        text.replace(" ", "")


def test_a_paragraph_ending_in_a_colon_is_one_sentence():
    text = "ثم قال: "
    assert [text[s.start:s.end] for s in sentences(text, "ar")] == ["ثم قال:"]
