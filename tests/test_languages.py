"""Every language the clinics' patients read: no missing glyph in the PDF (pdftotext finds
every character, WeasyPrint draws no .notdef), our own words from the catalogues, right to
left, translations linked (hreflang, switcher, JSON-LD), stale translations, readability
per language, `new --translate`; and the Spanish, Chinese, Vietnamese and Arabic documents
through EPUBCheck, Ace, the Nu Html Checker and axe at zero."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from checkers import describe_ace, describe_axe, describe_vnu, run_ace, run_axe, serve, unavailable, vnu_findings
from helpers import REPO, SEED_SLUG, article, make_project, run_epubcheck, run_publish, write_source
from pipeline.build.languages import link_translations, stale_translations
from pipeline.build.publish import Project, gather
from pipeline.checks.readability import readability_findings
from pipeline.read.text import first_sentence
from pipeline.render import i18n, web
from pipeline.render.theme import Theme
from pipeline.scaffold import new_translation

SPANISH = REPO / "tests" / "fixtures" / "languages" / f"{SEED_SLUG}.es.md"
# One sentence per script ("stem cell therapy does not cure multiple sclerosis").
SCRIPTS = {
    "vi": "Liệu pháp tế bào gốc không phải là cách chữa khỏi bệnh đa xơ cứng.",
    "ru": "Терапия стволовыми клетками не излечивает рассеянный склероз.",
    "el": "Η θεραπεία με βλαστοκύτταρα δεν θεραπεύει τη σκλήρυνση κατά πλάκας.",
    "zh-Hans": "干细胞疗法不能治愈多发性硬化症。",
    "zh-Hant": "幹細胞療法不能治癒多發性硬化症。",
    "ja": "幹細胞療法は多発性硬化症を治すものではありません。",
    "ko": "줄기세포 치료는 다발성 경화증을 완치하지 못합니다.",
    "ar": "العلاج بالخلايا الجذعية لا يشفي التصلب المتعدد.",
    "fa": "درمان با سلول‌های بنیادی، ام‌اس را درمان قطعی نمی‌کند.",
    "ur": "اسٹیم سیل تھراپی ملٹیپل سکلیروسس کا علاج نہیں ہے۔",
    "he": "טיפול בתאי גזע אינו מרפא טרשת נפוצה.",
    "hi": "स्टेम सेल थेरेपी मल्टीपल स्क्लेरोसिस का इलाज नहीं है।",
    "bn": "স্টেম সেল থেরাপি মাল্টিপল স্ক্লেরোসিস নিরাময় করে না।",
    "th": "การบำบัดด้วยสเต็มเซลล์ไม่สามารถรักษาโรคปลอกประสาทอักเสบให้หายขาดได้",
    "km": "ការព្យាបាលដោយកោសិកាដើម មិនអាចព្យាបាលជំងឺក្រិនច្រើនកន្លែងឱ្យជាសះស្បើយបានទេ។",
}
# Scripts whose vowel signs are drawn before the consonant they follow, or stacked:
# a PDF's ToUnicode map gives each glyph one text, and WeasyPrint 70 writes no
# ActualText, so such marks can be drawn (no .notdef) yet missing from the extracted text.
REORDERED = {"hi", "bn", "km", "th"}
# Characters the shaper draws as two glyphs (Thai SARA AM: the mark NIKHAHIT and SARA AA):
# the extracted text holds the letter (the mark, as above, may be lost).
DRAWN_AS = {"\u0e33": "\u0e32"}


def slug_of(lang: str) -> str:
    return "script-" + lang.lower()


class NotdefLog(logging.Handler):
    """WeasyPrint's warnings that it drew the empty box for a character."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        if ".notdef" in record.getMessage():
            self.messages.append(record.getMessage())


@pytest.fixture(scope="session")
def script_build(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("scripts") / "project", seed=False)
    for lang, sentence in SCRIPTS.items():
        write_source(root, slug_of(lang), article(f"lang: {lang}", f"{sentence}\n\n**{sentence}**\n",
                                                  title=sentence[:30]))
    log = NotdefLog()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(log)
    try:
        outcome = run_publish(root, ("pdf",))
    finally:
        logger.removeHandler(log)
    assert outcome.ok, "\n".join(str(p) for p in outcome.problems)
    return root, log.messages


@pytest.mark.parametrize("lang", list(SCRIPTS))
def test_every_character_of_the_source_is_in_the_pdf(lang, script_build):
    root, _ = script_build
    pdf = root / "dist" / slug_of(lang) / f"{slug_of(lang)}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    wanted = {ch for ch in SCRIPTS[lang] if unicodedata.category(ch)[0] not in "CZ"}
    missing = wanted - set(text)
    if lang in REORDERED:
        missing = {ch for ch in missing if unicodedata.category(ch) not in ("Mn", "Mc")}
    missing = {ch for ch in missing if not set(DRAWN_AS.get(ch, ch)) <= set(text)}
    assert not missing, [f"U+{ord(ch):04X} {unicodedata.name(ch, '')}" for ch in missing]


def test_no_glyph_is_drawn_as_an_empty_box(script_build):
    _, notdef = script_build
    assert notdef == []


def test_our_own_words_are_in_the_documents_language(script_build):
    root, _ = script_build
    text = subprocess.run(["pdftotext", str(root / "dist" / "script-zh-hans" /
                                            "script-zh-hans.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "作者：" in text and "发布于" in text and "免责声明" in text
    assert "第 1 页，共 1 页" not in text  # page 1 has no page number
    assert "By " not in text and "Published" not in text and "Disclaimer" not in text
    assert "本文为一般性信息，并非医疗建议" in text  # the built-in disclaimer, translated


def test_a_character_no_font_has_is_an_error_with_its_line_and_column(empty_project):
    write_source(empty_project, "tangut", article("", "First line.\n\nSecond line with 𗀀 in it.\n"))
    outcome = run_publish(empty_project, ("pdf",))
    [problem] = [p for p in outcome.problems if p.rule == "missing-glyph"]
    assert "U+17000" in problem.message and "𗀀" in problem.message
    assert (problem.line, problem.column) == (10, 18)
    assert "fallback_fonts" in problem.fix
    assert not (empty_project / "dist" / "tangut").exists()


@pytest.mark.parametrize("lang, expected", [
    ("es", "Página %(page)s de %(pages)s"), ("zh-CN", "第 %(page)s 页，共 %(pages)s 页"),
    ("zh-TW", "第 %(page)s 頁，共 %(pages)s 頁"), ("vi", "Trang %(page)s / %(pages)s"),
    ("ko", "%(pages)s쪽 중 %(page)s쪽"), ("ru", "Страница %(page)s из %(pages)s"),
    ("ar", "الصفحة %(page)s من %(pages)s"), ("fr", "Page %(page)s sur %(pages)s"),
    ("he", "עמוד %(page)s מתוך %(pages)s"), ("it", "Page %(page)s of %(pages)s"),
])
def test_messages_come_from_the_catalogue_of_the_language(lang, expected):
    assert i18n.gettext(lang, "Page %(page)s of %(pages)s") == expected


SHIPPED = ["en", "es", "zh_Hans", "zh_Hant", "vi", "ko", "ru", "ar",
           "he", "fa", "ur", "ja", "hi", "th", "km", "fr", "de", "pt", "uk"]


def test_the_catalogues_we_ship():
    assert sorted(i18n.available()) == sorted(SHIPPED)


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_catalogue_translates_every_message(lang):
    assert i18n.untranslated(lang.replace("_", "-")) == ()
    # the disclaimer's first sentence is the PDF footer: 100 characters at most, and the
    # footer line says what the disclaimer starts with
    line = i18n.disclaimer_line(i18n.DEFAULT_DISCLAIMER, lang)
    assert 0 < len(line) <= 100
    assert i18n.disclaimer(i18n.DEFAULT_DISCLAIMER, lang).startswith(line)
    # Thai ends no sentence with a mark and the splitter does not know Khmer's (។): for
    # them the line is what the catalogue says it is
    if lang not in ("th", "km"):
        assert " ".join(line.split()) == first_sentence(
            i18n.disclaimer(i18n.DEFAULT_DISCLAIMER, lang), lang)


def test_every_message_the_program_uses_is_in_the_english_catalogue():
    from babel.messages.extract import extract_from_dir

    used = set()
    for root, method, keywords in (
            (REPO / "pipeline", "python", {"gettext": (2,), "ngettext": (2, 3), "N_": None}),
            (REPO / "themes", "jinja2.ext:babel_extract", {"_": None, "ngettext": (1, 2)})):
        for _, _, message, _, _ in extract_from_dir(
                root, method_map=[("**.py", "python"), ("**.html", method), ("**.xhtml", method)],
                keywords=keywords, options_map={"**.html": {"extensions": "jinja2.ext.i18n"},
                                                "**.xhtml": {"extensions": "jinja2.ext.i18n"}}):
            used.add(message if isinstance(message, str) else message[0])
    assert used, "nothing extracted"
    assert used - set(i18n.messages()) == set()


def test_a_language_without_catalogue_is_reported_by_check(empty_project):
    from pipeline.build.check import collect_findings

    write_source(empty_project, "italian", article("lang: it", "Buongiorno.\n"))
    findings, _ = collect_findings(Project(empty_project), fast=True)
    [untranslated] = [f for f in findings if f.rule == "untranslated"]
    assert untranslated.severity == "warning" and "'it'" in untranslated.message
    assert "pipeline/locale/it" in untranslated.fix


def test_direction_and_dates_by_language():
    import datetime as dt

    assert [i18n.direction(lang) for lang in ("ar", "he", "fa", "ur", "es", "zh-Hans")] == \
        ["rtl", "rtl", "rtl", "rtl", "ltr", "ltr"]
    day = dt.date(2026, 11, 25)
    assert i18n.format_date(day, "es") == "25 de noviembre de 2026"
    assert i18n.format_date(day, "zh-Hans") == "2026年11月25日"
    assert i18n.format_date(day, "en-US") == "November 25, 2026"


# ---------------------------------------------------------------------------
# Translations


@pytest.fixture
def translated(empty_project):
    """The seed article and its Spanish translation (source/<slug>.es.md), as read."""
    shutil.copy(REPO / "source" / f"{SEED_SLUG}.md", empty_project / "source")
    shutil.copy(SPANISH, empty_project / "source" / SPANISH.name)
    documents, problems = gather(Project(empty_project))
    assert not problems, problems
    original, spanish = sorted(documents, key=lambda doc: bool(doc.translation_of))
    assert spanish.translation_of == SEED_SLUG and spanish.folder == f"es/{SEED_SLUG}"
    return empty_project, [original, spanish]


def test_each_language_links_the_others(translated, tmp_path):
    root, (original, spanish) = translated
    theme = Theme.load(root / "themes", "default")
    for doc in (original, spanish):
        page = lxml.html.parse(str(web.render(doc, theme, tmp_path / doc.folder))).getroot()
        alternates = {link.get("hreflang"): link.get("href")
                      for link in page.xpath('//link[@rel="alternate"][@hreflang]')}
        assert alternates == {
            "en-US": f"https://www.stemedix.com/articles/{SEED_SLUG}/",
            "es": f"https://www.stemedix.com/articles/es/{SEED_SLUG}/",
            "x-default": f"https://www.stemedix.com/articles/{SEED_SLUG}/"}
        switcher = page.xpath('//nav[@class="languages"]')[0]
        current = switcher.xpath('.//*[@aria-current="page"]')[0]
        assert current.get("lang") == doc.lang
        [other] = switcher.xpath(".//a")
        assert other.text == ("Español" if doc is original else "English")
        target = (tmp_path / doc.folder / other.get("href")).resolve()
        assert target == (tmp_path / (spanish if doc is original else original).folder).resolve()
        data = json.loads(page.xpath('//script[@type="application/ld+json"]')[0].text)
        assert data["inLanguage"] == doc.lang
        if doc is spanish:
            assert data["translationOfWork"] == {
                "@id": f"https://www.stemedix.com/articles/{SEED_SLUG}/"}
            assert page.xpath('//p[@class="byline-dates"]')[0].text_content() == \
                "Publicado el 25 de noviembre de 2026"
        else:
            assert data["workTranslation"][0]["inLanguage"] == "es"


def test_only_takes_a_slug_for_every_language_or_a_file_name_for_one(translated):
    """`--only` names "its file name without .md": `slug.es` is the Spanish translation
    alone (the error listed it as available and then refused it), the slug every language."""
    root, _ = translated
    assert list(run_publish(root, ("html",), only=f"{SEED_SLUG}.es").written) == \
        [f"es/{SEED_SLUG}"]
    assert sorted(run_publish(root, ("html",), only=SEED_SLUG, force=True).written) == \
        sorted([SEED_SLUG, f"es/{SEED_SLUG}"])


def test_the_listing_groups_an_articles_languages(translated):
    root, _ = translated
    outcome = run_publish(root, ("html",))
    assert outcome.ok, outcome.problems
    listing = lxml.html.parse(str(root / "dist" / "index.html")).getroot()
    [entry] = listing.xpath('//li[@class="publication"]')
    [spanish] = entry.xpath('.//div[@class="publication-translations"]//li')
    assert spanish.get("lang") == "es"
    assert spanish.xpath(".//a/@href")[0] == f"es/{SEED_SLUG}/"
    assert spanish.text_content().startswith("Español: ¿Puede la terapia")


def test_a_collection_in_a_language_binds_the_translations(translated):
    root, _ = translated
    (root / "source" / "collections").mkdir()
    (root / "source" / "collections" / "guia.yml").write_text(
        f"title: Guía\ndescription: Para pacientes.\nlang: es\narticles: [{SEED_SLUG}]\n",
        encoding="utf-8")
    outcome = run_publish(root, ("html",))
    assert outcome.ok, outcome.problems
    page = lxml.html.parse(str(root / "dist" / "collections" / "guia" / "index.html")).getroot()
    assert page.xpath('//h3[@class="publication-title"]/a/@href') == [f"../../es/{SEED_SLUG}/"]
    assert page.get("lang") == "es"


def test_quotation_marks_follow_the_language(empty_project):
    write_source(empty_project, "citas", article("lang: es", 'Dijo "no" y \'sí\'.\n'))
    write_source(empty_project, "zitate", article("lang: de", 'Er sagte "nein".\n'))
    write_source(empty_project, "quotes", article("lang: en-US", 'She said "no".\n'))
    documents, problems = gather(Project(empty_project))
    assert not problems
    bodies = {doc.slug: str(doc.body_html) for doc in documents}
    assert "«no»" in bodies["citas"] and "“sí”" in bodies["citas"]
    assert "„nein“" in bodies["zitate"]
    assert "“no”" in bodies["quotes"]


def test_adding_or_deleting_a_translation_updates_the_other_languages(translated):
    root, _ = translated
    original = root / "dist" / SEED_SLUG / "index.html"

    def switcher() -> list[str]:
        page = lxml.html.parse(str(original)).getroot()
        return [a.get("hreflang") for a in page.xpath('//nav[@class="languages"]//a')]

    assert run_publish(root, ("html",)).ok and switcher() == ["es"]
    french = root / "source" / f"{SEED_SLUG}.fr.md"
    french.write_text(SPANISH.read_text(encoding="utf-8").replace("lang: es", "lang: fr"),
                      encoding="utf-8")
    outcome = run_publish(root, ("html",))
    assert outcome.ok and switcher() == ["es", "fr"]
    french.unlink()
    outcome = run_publish(root, ("html",))  # no --force
    assert outcome.ok and switcher() == ["es"]
    spanish = lxml.html.parse(str(root / "dist" / "es" / SEED_SLUG / "index.html")).getroot()
    assert [link.get("hreflang") for link in spanish.xpath('//link[@hreflang]')] == \
        ["en-US", "es", "x-default"]
    # nothing changed: nothing is rendered again
    assert {r.status for r in run_publish(root, ("html",)).results} == {"up to date"}


def test_a_changed_original_makes_its_translation_stale(translated):
    root, (original, spanish) = translated
    assert stale_translations([original, spanish]) == []
    with original.source_path.open("a", encoding="utf-8") as file:
        file.write("\nA new paragraph.\n")
    [warning] = stale_translations([original, spanish])
    assert warning.severity == "warning" and warning.rule == "translation-stale"
    assert f"{SEED_SLUG}.md changed" in warning.message
    assert "original_sha256:" in warning.fix


def test_new_translate_fills_in_the_front_matter(empty_project):
    shutil.copy(REPO / "source" / f"{SEED_SLUG}.md", empty_project / "source")
    path = new_translation(empty_project / "source", SEED_SLUG, "es")
    assert path.name == f"{SEED_SLUG}.es.md"
    text = path.read_text(encoding="utf-8")
    assert "\nlang: es\n" in text and "authors: [becky-palmer]" in text
    import hashlib
    digest = hashlib.sha256((empty_project / "source" / f"{SEED_SLUG}.md").read_bytes())
    assert f"original_sha256: {digest.hexdigest()}" in text
    with pytest.raises(Exception, match="already exists"):
        new_translation(empty_project / "source", SEED_SLUG, "es")
    with pytest.raises(Exception, match="no source named 'nope.md'"):
        new_translation(empty_project / "source", "nope", "es")


def test_readability_per_language(translated):
    _, (original, spanish) = translated
    [finding] = readability_findings(spanish)
    assert "Fernández Huerta" in finding.message
    chinese = dataclasses.replace(original, lang="zh-Hans")
    [finding] = readability_findings(chinese)
    assert "not available" in finding.message and "Flesch" not in finding.message


# ---------------------------------------------------------------------------
# The checkers on the Spanish, Chinese, Vietnamese and Arabic documents


CHECKED = {
    "zh": ("zh-Hans", "干细胞疗法不能治愈多发性硬化症。简而言之：**不能**。\n\n## 什么是多发性硬化症？\n\n它是一种慢性自身免疫性疾病。"),
    "vi": ("vi", "Liệu pháp tế bào gốc không phải là cách chữa khỏi bệnh đa xơ cứng.\n\n## Bệnh đa xơ cứng là gì?\n\nĐây là một bệnh tự miễn mạn tính."),
    "ar": ("ar", "العلاج بالخلايا الجذعية لا يشفي التصلب المتعدد (MS).\n\n## ما هو التصلب المتعدد؟\n\nيصيب المرض نحو 2.8 مليون شخص في العالم."),
    "he": ("he", "טיפול בתאי גזע אינו מרפא טרשת נפוצה (MS).\n\n## מהי טרשת נפוצה?\n\nזוהי מחלה אוטואימונית כרונית, שפוגעת בכ-2.8 מיליון אנשים בעולם."),
}


@pytest.fixture(scope="session")
def checked_build(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("languages") / "project", seed=False)
    shutil.copy(SPANISH, root / "source" / f"{SEED_SLUG}-es.md")
    for name, (lang, body) in CHECKED.items():
        write_source(root, f"language-{name}", article(f"lang: {lang}", body + "\n"))
    outcome = run_publish(root)
    assert outcome.ok, "\n".join(str(p) for p in outcome.problems)
    documents, _ = gather(Project(root))
    return root, {doc.lang: doc for doc in documents}


def _output(checked_build, lang: str, name: str) -> Path:
    root, documents = checked_build
    doc = documents[lang]
    return root / "dist" / doc.folder / name.format(slug=doc.slug)


LANGS = ["es", "zh-Hans", "vi", "ar", "he"]


def test_right_to_left_in_all_three_formats(checked_build):
    page = lxml.html.parse(str(_output(checked_build, "ar", "index.html"))).getroot()
    assert page.get("dir") == "rtl" and page.get("lang") == "ar"
    with zipfile.ZipFile(_output(checked_build, "ar", "{slug}.epub")) as book:
        opf = book.read("EPUB/content.opf").decode()
        chapter = book.read(next(n for n in book.namelist() if n.endswith("language-ar.xhtml")))
    assert 'page-progression-direction="rtl"' in opf
    assert b'dir="rtl"' in chapter
    text = subprocess.run(["pdftotext", str(_output(checked_build, "ar", "{slug}.pdf")),
                           "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub("[\u202a-\u202e]", "", text)  # pdftotext marks the right-to-left runs
    assert "بقلم" in text and "المسؤولية" in text  # (lam-alef ligatures extract reversed)


@pytest.mark.parametrize("lang", LANGS)
def test_nu_html_checker_finds_nothing(lang, checked_build):
    page = _output(checked_build, lang, "index.html")
    found = vnu_findings([page])[page.resolve()]
    assert found == [], describe_vnu(found)


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_violation(lang, checked_build):
    root, documents = checked_build
    with serve(root / "dist") as url:
        for width in (375, 1280):
            violations = run_axe(f"{url}{documents[lang].folder}/index.html", width, "light")
            assert violations == [], describe_axe(violations)


@pytest.mark.parametrize("lang", LANGS)
def test_epubcheck_and_ace_find_nothing(lang, checked_build, tmp_path):
    book = _output(checked_build, lang, "{slug}.epub")
    (tmp_path / "epubcheck").mkdir()
    report = run_epubcheck([book], tmp_path / "epubcheck")[book]
    assert report.messages == [], report.describe()
    violations = run_ace(book, tmp_path / "ace")
    assert violations == [], describe_ace(violations)


def test_new_translate_task_via_cli(project_root):
    import sys

    shutil.copy2(REPO / "tasks.py", project_root / "tasks.py")
    (project_root / "pipeline").symlink_to(REPO / "pipeline", target_is_directory=True)
    run = subprocess.run([sys.executable, "-m", "invoke", "new", "--translate", SEED_SLUG,
                          "--lang", "es"], cwd=project_root, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (project_root / "source" / f"{SEED_SLUG}.es.md").is_file()
    run = subprocess.run([sys.executable, "-m", "invoke", "new", "--translate", SEED_SLUG],
                         cwd=project_root, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "--lang" in run.stdout + run.stderr


def test_fallback_faces_by_language_and_share():
    from pipeline.render import fonts

    theme = Theme.load(REPO / "themes", "default")
    vietnamese = fonts.plan(SCRIPTS["vi"], theme, "vi")
    assert [f.family for f in vietnamese.fallbacks] == ["Noto Sans"] and vietnamese.leading
    css = fonts.with_fallbacks(theme.stylesheet("screen"), vietnamese)
    assert '--font-body: "Noto Sans", "Atkinson Hyperlegible Next"' in css
    english = fonts.plan("Interferon β is one of the older treatments for relapsing MS.", theme, "en")
    assert english.fallbacks and not english.leading
    # The same Han characters, in the forms readers of each language expect.
    han = "多发性硬化症"
    assert fonts.plan(han, theme, "zh-Hans").fallbacks[0].family == "Noto Sans CJK SC"
    assert fonts.plan(han, theme, "zh-TW").fallbacks[0].family == "Noto Sans CJK TC"
    assert fonts.plan(han, theme, "ja").fallbacks[0].family == "Noto Sans CJK JP"
    # CJK punctuation from the CJK face, not from a face that happens to have it
    assert [f.family for f in fonts.plan("症。", theme, "zh-Hans").fallbacks] == \
        ["Noto Sans CJK SC"]


def test_the_epub_carries_the_fallback_faces_it_needs(checked_build):
    import io

    from fontTools.ttLib import TTFont

    with zipfile.ZipFile(_output(checked_build, "zh-Hans", "{slug}.epub")) as book:
        css = book.read("EPUB/theme/css/epub.css").decode()
        face = book.read("EPUB/theme/fonts/fallback-noto-sans-cjk-sc-400.otf")
        chapter = book.read("EPUB/language-zh.xhtml").decode()
    assert 'font-family: "Noto Sans CJK SC"' in css
    assert '--font-body: "Atkinson Hyperlegible Next", "Noto Sans CJK SC"' in css
    cmap = TTFont(io.BytesIO(face)).getBestCmap()
    han = {ch for ch in chapter if "\u4e00" <= ch <= "\u9fff"}
    assert han and all(ord(ch) in cmap for ch in han)
    assert len(cmap) < 1000  # a subset, not the 65,000 glyphs of the face


def test_a_variation_selector_needs_no_glyph_of_its_own():
    """U+FE0F after an emoji (as real pages write ✔️) asks for a presentation; it is never
    reported as a missing character, while a character no face has still is."""
    from pipeline.render.fonts import drawn

    assert not drawn("\ufe0f") and not drawn("\U000e0100")
    assert drawn("\u2714") and drawn("a")


# ---------------------------------------------------------------------------
# Our own words: none of them left in English in a Russian publication

RUSSIAN_SITE = """\
publisher:
  name: Клиника «Здоровье»
  url: https://example.org/
  blurb: Клиника помогает людям с рассеянным склерозом.
base_url: https://example.org/ru/
defaults:
  lang: ru
  single_file: true
"""
RUSSIAN_PEOPLE = """\
irina-petrova:
  name: Ирина Петрова
  credentials: [к. м. н.]
  role: Невролог
  organisation: Клиника «Здоровье»
  bio: Ирина Петрова двадцать лет лечит людей с рассеянным склерозом.
"""
RUSSIAN_BODY = """\
Рассеянный склероз[^1] поражает нервную систему[^2].

## Что это такое

Это хроническое заболевание.

<details><p>Скрытый текст.</p></details>

## Видео

<iframe src="https://www.youtube.com/embed/TIbZDRXM-Tg" title="Жизнь с рассеянным склерозом"></iframe>

https://vimeo.com/82090131

## Лечение

Лечение подбирает врач.

## Вопросы

Задайте их своему врачу.

[^1]: Хроническое заболевание.
[^2]: Подробнее: https://example.org/ms
"""


@pytest.fixture(scope="session")
def russian_build(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("russian") / "project", seed=False)
    (root / "source" / "site.yml").write_text(RUSSIAN_SITE, encoding="utf-8")
    (root / "source" / "authors.yml").write_text(RUSSIAN_PEOPLE, encoding="utf-8")
    write_source(root, "rs", article(
        "updated: 2026-04-01\nreviewers: [irina-petrova]\nreviewed: 2026-04-02",
        RUSSIAN_BODY, title="Рассеянный склероз", description="Что нужно знать.",
        authors="[irina-petrova]"))
    (root / "source" / "collections").mkdir()
    (root / "source" / "collections" / "sbornik.yml").write_text(
        "title: Сборник\ndescription: Для пациентов.\narticles: [rs]\n", encoding="utf-8")
    outcome = run_publish(root)
    assert outcome.ok, "\n".join(str(p) for p in outcome.problems)
    return root


def _english_words() -> set[str]:
    """The words of our own messages (the English catalogue's ids) that Russian writes
    otherwise: a message's words that its Russian translation keeps (PDF, EPUB) are not."""
    words = set()
    for message in i18n.messages() + ("%(num)d articles",):
        kept = set(re.findall(r"[A-Za-z]{3,}", i18n.gettext("ru", message)))
        words |= set(re.findall(r"[A-Za-z]{3,}", re.sub(r"%\(\w+\)\w", " ", message))) - kept
    return {word.lower() for word in words}


def _shown_text(path: Path) -> str:
    """What a reader of an HTML or XHTML file sees or hears: its text and the attributes
    read aloud or shown as tips."""
    tree = lxml.html.fromstring(path.read_bytes()) if path.suffix != ".ncx" \
        else lxml.etree.fromstring(path.read_bytes())
    for hidden in tree.xpath("//*[local-name()='script' or local-name()='style']"):
        hidden.getparent().remove(hidden)  # JSON-LD and styles are for machines
    spoken = [value for element in tree.iter() if isinstance(element.tag, str)
              for name, value in element.attrib.items()
              if name in ("title", "aria-label", "alt", "data-title")]
    return " ".join([tree.text_content() if hasattr(tree, "text_content")
                     else "".join(tree.itertext()), *spoken])


HOST = r"\b[\w.-]+\.(?:com|org|be)\b\S*"  # youtube-nocookie.com, player.vimeo.com, youtu.be/...


def test_no_english_word_of_ours_in_a_russian_publication(russian_build, tmp_path):
    english = _english_words()
    assert {"contents", "published", "reviewed", "back", "reference", "details", "watch",
            "video", "play", "page"} <= english  # the catalogue's words, not a hand-list
    dist = russian_build / "dist"
    texts = {path.relative_to(dist).as_posix(): _shown_text(path)
             for path in [dist / "index.html", *dist.glob("rs/*.html"),
                          *dist.glob("collections/sbornik/*.html")]}
    for book in (dist / "rs" / "rs.epub", dist / "collections" / "sbornik" / "sbornik.epub"):
        with zipfile.ZipFile(book) as archive:
            archive.extractall(tmp_path / book.stem)
        for path in (tmp_path / book.stem).rglob("*"):
            if path.suffix in (".xhtml", ".ncx"):
                texts[f"{book.name}/{path.name}"] = _shown_text(path)
        opf = lxml.etree.parse(str(tmp_path / book.stem / "EPUB" / "content.opf"))
        [summary] = opf.xpath('//*[@property="schema:accessibilitySummary"]')
        texts[f"{book.name}/content.opf"] = summary.text  # shown by reading systems
    for pdf in (dist / "rs" / "rs.pdf", dist / "collections" / "sbornik" / "sbornik.pdf"):
        texts[pdf.name] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                         text=True, check=True).stdout
    assert "Подробности" in texts["rs/index.html"] and "Смотреть видео на Vimeo" in \
        texts["rs/index.html"]  # the page shows what the test looks for
    found = {name: sorted({w for w in re.findall(r"[A-Za-z]{3,}", re.sub(HOST, "", text))
                           if w.lower() in english})
             for name, text in texts.items()}
    assert {name: words for name, words in found.items() if words} == {}


# ---------------------------------------------------------------------------
# Emoji, and the fallback subsets kept in the cache

EMOJI_TEXT = "Smile 😀, a heart ❤️, thumbs up 👍🏽, a family 👨‍👩‍👧, Spain 🇪🇸 and a pill 💊 on 4 March."


@pytest.fixture(scope="module")
def emoji_build(tmp_path_factory):
    from pipeline.render import fonts

    if not fonts.EMOJI.is_file():
        unavailable("Noto Color Emoji", ["fonts-noto-color-emoji is not installed"])
    root = make_project(tmp_path_factory.mktemp("emoji") / "project", seed=False)
    write_source(root, "emoji", article("", f"{EMOJI_TEXT}\n\n**{EMOJI_TEXT}**\n"))
    log = NotdefLog()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(log)
    try:
        outcome = run_publish(root)
    finally:
        logger.removeHandler(log)
    assert outcome.ok, "\n".join(str(p) for p in outcome.problems)
    return root / "dist" / "emoji", log.messages


def test_emoji_are_drawn_in_the_pdf_by_the_emoji_face_alone(emoji_build):
    from pypdf import PdfReader

    from pipeline.render.fonts import EMOJI_RANGES

    folder, notdef = emoji_build
    assert notdef == []
    text = subprocess.run(["pdftotext", str(folder / "emoji.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert all(ch in text for ch in "😀❤👍🏽👨👩👧🇪🇸💊")
    # What the emoji face draws in the PDF (its ToUnicode map): emoji only, never the
    # digits, spaces or commas around them (Pango would take them from a colour face
    # named in a font stack).
    drawn = set()
    for page in PdfReader(folder / "emoji.pdf").pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "Noto-Color-Emoji" in font["/BaseFont"]:
                cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
                for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                    for hexes in re.findall(r"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", block):
                        drawn |= set(bytes.fromhex(hexes).decode("utf-16-be"))
    assert drawn and "😀" in drawn
    outside = {ch for ch in drawn
               if not any(first <= ord(ch) <= last for first, last in EMOJI_RANGES)}
    assert outside == set(), outside


def test_the_epub_carries_an_emoji_subset_for_emoji_only(emoji_build):
    import io

    from fontTools.ttLib import TTFont

    folder, _ = emoji_build
    with zipfile.ZipFile(folder / "emoji.epub") as book:
        css = book.read("EPUB/theme/css/epub.css").decode()
        face = TTFont(io.BytesIO(book.read(
            "EPUB/theme/fonts/fallback-noto-color-emoji-emoji-only-400.ttf")))
    assert "CBDT" in face and ord("😀") in face.getBestCmap()
    assert len(face.getGlyphOrder()) < 300  # a subset, not the 3,000 emoji of the face
    [rule] = [r for r in css.split("\n") if "fallback-noto-color-emoji" in r]
    assert "unicode-range: U+A9, U+AE, U+200D" in rule
    [href] = lxml.html.parse(str(folder / "index.html")).getroot().xpath(
        "//link[@rel='stylesheet']/@href")  # in the theme's folder the pages share
    page = (folder / href).read_text(encoding="utf-8")
    assert 'src: local("Noto Color Emoji"); unicode-range: U+A9' in page


def test_a_warm_cjk_epub_takes_its_fallback_subsets_from_the_cache(tmp_path, monkeypatch):
    from pipeline.render import fonts

    root = make_project(tmp_path / "project", seed=False)
    write_source(root, "zh", article("lang: zh-Hans", CHECKED["zh"][1] + "\n"))
    assert run_publish(root, ("epub",)).ok
    book = root / "dist" / "zh" / "zh.epub"
    first = book.read_bytes()
    made = [p for p in (root / ".cache" / "font-subsets").rglob("*") if p.is_file()]
    assert len(made) >= 4  # the theme's faces and Noto Sans CJK SC, regular and bold

    def refuse(*args):
        raise AssertionError("subset made again instead of taken from the cache")

    monkeypatch.setattr(fonts, "subset_face", refuse)
    assert run_publish(root, ("epub",), force=True).ok
    assert book.read_bytes() == first


def test_the_checkers_accept_our_words_in_russian(russian_build, tmp_path):
    """The Russian publication holds every kind of word we add (notes, details, videos,
    QR codes, collection): vnu, EPUBCheck and Ace find nothing."""
    dist = russian_build / "dist"
    pages = [dist / "rs" / "index.html", dist / "collections" / "sbornik" / "index.html",
             dist / "index.html"]
    found = vnu_findings(pages)
    assert {page: f for page, f in found.items() if f} == {}, \
        [describe_vnu(f) for f in found.values() if f]
    books = [dist / "rs" / "rs.epub", dist / "collections" / "sbornik" / "sbornik.epub"]
    (tmp_path / "epubcheck").mkdir()
    reports = run_epubcheck(books, tmp_path / "epubcheck")
    for book in books:
        assert reports[book].messages == [], reports[book].describe()
        violations = run_ace(book, tmp_path / f"ace-{book.stem}")
        assert violations == [], describe_ace(violations)


def test_the_accessibility_summary_says_which_language_it_is_in(empty_project, tmp_path):
    write_source(empty_project, "conforme", article("lang: es", "Texto.\n\n## Uno\n\nMás.\n"))
    write_source(empty_project, "saltos", article("lang: es", "Texto.\n\n## Uno\n\n#### Tres\n"))
    assert run_publish(empty_project, ("epub",)).ok
    summaries = {}
    for slug in ("conforme", "saltos"):
        with zipfile.ZipFile(empty_project / "dist" / slug / f"{slug}.epub") as book:
            opf = lxml.etree.fromstring(book.read("EPUB/content.opf"))
        [summaries[slug]] = opf.xpath('//*[@property="schema:accessibilitySummary"]')
    assert summaries["conforme"].text.startswith("Esta publicación cumple EPUB Accessibility")
    assert summaries["conforme"].get("{http://www.w3.org/XML/1998/namespace}lang") is None
    # a book that does not yet conform lists our findings, which are in English: it says so
    assert "skips from level 2 to 4" in summaries["saltos"].text
    assert summaries["saltos"].get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    book = empty_project / "dist" / "saltos" / "saltos.epub"
    (tmp_path / "epubcheck").mkdir()
    report = run_epubcheck([book], tmp_path / "epubcheck")[book]
    assert report.messages == [], report.describe()


def test_a_pdf_with_emoji_is_the_same_bytes_whatever_the_clock(emoji_build, monkeypatch):
    """WeasyPrint re-saves the colour-emoji face through fontTools, which would stamp the
    time of the render into it: two renders at different times must still be identical."""
    import time

    from pipeline.render import pdf

    folder, _ = emoji_build
    root = folder.parents[1]
    from pipeline.read.config import load_people, load_site
    from pipeline.read.document import read_document
    from pipeline.render.theme import Theme

    source = root / "source"
    doc = read_document(source / "emoji.md", load_site(source), load_people(source), {"default"})
    theme = Theme.load(root / "themes", "default")
    made = []
    for clock in (1_700_000_000.0, 1_800_000_000.0):
        monkeypatch.setattr(time, "time", lambda clock=clock: clock)
        out = root / f"render-{int(clock)}"
        out.mkdir()
        made.append(pdf.render(doc, theme, out).read_bytes())
    assert made[0] == made[1]
