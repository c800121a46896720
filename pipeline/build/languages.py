"""What the build checks about languages: characters no font has (errors: they would be
drawn as empty boxes), our own words missing from a language's catalogue, and
translations whose original changed after they were last updated (warnings)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..diagnostics import Diagnostic, PressroomError
from ..models import Collection, Document
from ..render import fonts, i18n
from ..render.theme import Theme
from .manifest import file_hash


def our_words(lang: str) -> str:
    """Every word the templates and renderers may add in `lang` (the disclaimer too)."""
    words = [i18n.gettext(lang, message) for message in i18n.messages()]
    return " ".join(words)


def glyph_problems(documents: list[Document], themes_dir: Path) -> list[Diagnostic]:
    """An error for each character of a document that no face (theme or fallback) has."""
    themes: dict[str, Theme] = {}
    problems = []
    for doc in documents:
        try:
            if doc.theme not in themes:
                themes[doc.theme] = Theme.load(themes_dir, doc.theme)
            problems += fonts.coverage_problems(doc, themes[doc.theme], our_words(doc.lang))
        except PressroomError:  # a broken theme: the build reports it with the document
            continue
    return problems


def catalogue_findings(documents: list[Document]) -> list[Diagnostic]:
    """A warning per document whose language lacks some of our own words (shown in
    English instead)."""
    findings = []
    for doc in documents:
        missing = i18n.untranslated(doc.lang)
        if not missing:
            continue
        where = i18n.catalogue_locale(doc.lang)
        fix = (f"translate them in pipeline/locale/{where}/LC_MESSAGES/pressroom.po" if where
               else f"add pipeline/locale/{i18n.locale_id(doc.lang)}/LC_MESSAGES/pressroom.po "
                    "(a copy of the English one, translated)")
        shown = ", ".join(f"'{m}'" for m in missing[:3]) + (" ..." if len(missing) > 3 else "")
        findings.append(Diagnostic(
            doc.source_path, doc.front_line("lang"),
            f"{len(missing)} of the words Pressroom adds have no translation into "
            f"'{doc.lang}' and are shown in English: {shown}", fix, severity="warning",
            rule="untranslated"))
    return findings


def stale_translations(documents: list[Document]) -> list[Diagnostic]:
    """A warning per translation whose original changed since the translation recorded
    the original's SHA-256 (`original_sha256` in its front matter), or that records none."""
    originals = {doc.slug: doc for doc in documents if not doc.translation_of}
    findings = []
    for doc in documents:
        original = originals.get(doc.translation_of) if doc.translation_of else None
        if original is None:
            continue
        current = file_hash(original.source_path)
        name = original.source_path.name
        if not doc.original_sha256:
            findings.append(Diagnostic(
                doc.source_path, None, f"the translation does not say which version of "
                f"{name} it translates", f"check it against {name}, then add "
                f"'original_sha256: {current}' to its front matter", severity="warning",
                rule="translation-stale"))
        elif doc.original_sha256 != current:
            findings.append(Diagnostic(
                doc.source_path, doc.front_line("original_sha256"),
                f"{name} changed after this translation was last updated",
                f"bring the translation up to date with {name}, then set "
                f"'original_sha256: {current}'", severity="warning",
                rule="translation-stale"))
    return findings


def link_translations(documents: list[Document]) -> list[Document]:
    """Each document with the other language versions of its article (same slug)."""
    groups = translations_of(documents)
    return [replace(doc, translations=tuple((other.lang, other.folder)
                                            for other in groups[doc.slug] if other is not doc))
            for doc in documents]


def in_language(collection: Collection, documents: list[Document]) -> Collection:
    """The collection with each article in the collection's language where a translation
    into it exists (a collection with `lang: es` binds the Spanish versions); an article
    without one stays in its own language (its chapter says so with its `lang`)."""
    wanted = collection.lang.lower()
    by_key = {(doc.slug, doc.lang.lower()): doc for doc in documents}
    articles = tuple(by_key.get((doc.slug, wanted), doc) for doc in collection.documents)
    return replace(collection, documents=articles)


def translations_of(documents: list[Document]) -> dict[str, tuple[Document, ...]]:
    """The documents that share each slug (an original and its translations), original
    first, then by language."""
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        groups.setdefault(doc.slug, []).append(doc)
    return {slug: tuple(sorted(group, key=lambda d: (bool(d.translation_of), d.lang)))
            for slug, group in groups.items()}
