"""Our own words in the reader's language: every string the templates and the renderers
add ("Published", "Contents", "Page 2 of 5", the default disclaimer...) comes from a
gettext catalogue, `pipeline/locale/<locale>/LC_MESSAGES/pressroom.po`, read with Babel.

The catalogues live with the pipeline, not with a theme: the renderers add words of their
own (format names, the EPUB's navigation, the notes' heading), and every theme shares
them. English is the source language: `en/.../pressroom.po` lists every message and is
what a missing translation falls back to.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from ..models import DEFAULT_DISCLAIMER
from ..read.text import first_sentence

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "pressroom"
SOURCE_LOCALE = "en"


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined; translated where it is shown."""
    return message


def locale_id(lang: str) -> str:
    """A BCP 47 tag ('zh-TW', 'es-MX', 'en-US') as a Babel locale id ('zh_Hant_TW'...),
    the script filled in from the language's likely subtags when the tag has none."""
    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        try:
            locale = Locale.parse(lang.replace("-", "_").split("_")[0])
        except (ValueError, UnknownLocaleError):
            return SOURCE_LOCALE
    parts = [locale.language]
    script = locale.script or _likely_script(locale)
    if script:
        parts.append(script)
    if locale.territory:
        parts.append(locale.territory)
    return "_".join(parts)


def _likely_script(locale: Locale) -> str | None:
    if locale.language != "zh":
        return None
    return "Hant" if locale.territory in ("TW", "HK", "MO") else "Hans"


def available() -> tuple[str, ...]:
    """The locales that have a catalogue."""
    return tuple(sorted(p.parent.parent.name
                        for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


def catalogue_locale(lang: str) -> str | None:
    """The catalogue for `lang`: the most specific one that matches (zh_Hant_TW, then
    zh_Hant, then zh), or None."""
    parts = locale_id(lang).split("_")
    have = set(available())
    for end in range(len(parts), 0, -1):
        candidate = "_".join(parts[:end])
        if candidate in have:
            return candidate
    # 'zh_TW' style without the script, tried last
    if len(parts) == 3 and f"{parts[0]}_{parts[2]}" in have:
        return f"{parts[0]}_{parts[2]}"
    return None


@lru_cache(maxsize=None)
def _catalogue(locale: str):
    with (LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as file:
        return read_po(file, locale=locale, domain=DOMAIN)


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    """The translations for `lang` (English, the messages themselves, when none)."""
    locale = catalogue_locale(lang)
    if locale is None or locale == SOURCE_LOCALE:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, _catalogue(locale))  # untranslated and fuzzy entries are left out
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def ngettext(lang: str, singular: str, plural: str, count: int) -> str:
    return translations(lang).ngettext(singular, plural, count)


def messages() -> tuple[str, ...]:
    """Every message of the program (the English catalogue's ids)."""
    return tuple(message.id if isinstance(message.id, str) else message.id[0]
                 for message in _catalogue(SOURCE_LOCALE) if message.id)


def untranslated(lang: str) -> tuple[str, ...]:
    """The messages that `lang`'s readers would see in English."""
    locale = catalogue_locale(lang)
    if locale == SOURCE_LOCALE or language(lang) == SOURCE_LOCALE:
        return ()
    if locale is None:
        return messages()
    catalogue = _catalogue(locale)
    missing = []
    for message in messages():
        entry = catalogue.get(message)
        strings = (entry.string if isinstance(entry.string, tuple) else (entry.string,)) \
            if entry else ("",)
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(message)
    return tuple(missing)


def language(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def direction(lang: str) -> str:
    """'rtl' for languages written right to left (Arabic, Hebrew, Persian, Urdu...)."""
    try:
        locale = Locale.parse(locale_id(lang))
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if locale.character_order == "right-to-left" else "ltr"


def language_name(lang: str) -> str:
    """The language's name in itself ('Español', '中文 (简体)', 'العربية')."""
    try:
        locale = Locale.parse(locale_id(lang))
    except (ValueError, UnknownLocaleError):
        return lang
    # The language alone ('English', not 'English (United States)'), but with its script
    # where one language has two ('中文 (简体)', '中文 (繁體)').
    name = (locale.get_display_name(locale) if locale.script
            else locale.get_language_name(locale)) or lang
    return name[:1].upper() + name[1:]


def text_direction(text: str) -> str:
    """'rtl' or 'ltr': the direction of the first strong character of `text` (the rule of
    dir="auto", which not every renderer knows), 'ltr' when it has none."""
    for ch in str(text):
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def format_date(value: dt.date, lang: str = "en") -> str:
    """A date as readers of `lang` write it ('November 25, 2026' in en-US, '25 de
    noviembre de 2026' in Spanish, '2026年11月25日' in Chinese); English without a region
    writes the day first."""
    locale = locale_id(lang)
    if locale == "en":
        locale = "en_GB"
    try:
        return babel_format_date(value, format="long", locale=locale)
    except (ValueError, UnknownLocaleError):
        return babel_format_date(value, format="long", locale="en_GB")


# The built-in disclaimer's first sentence, translated on its own: Thai writes no sentence
# end and Khmer's (។) is one the splitter does not know, so no splitter finds it there.
DEFAULT_DISCLAIMER_LINE = N_(
    "This is general information, not medical advice: please consult your physician.")


def _is_default(text: str) -> bool:
    return " ".join(text.split()) == " ".join(DEFAULT_DISCLAIMER.split())


def disclaimer(text: str, lang: str) -> str:
    """The disclaimer in the reader's language: the built-in one is translated; one a
    site or a document wrote itself is shown as written."""
    return gettext(lang, DEFAULT_DISCLAIMER) if _is_default(text) else text


def disclaimer_line(text: str, lang: str) -> str:
    """The first sentence of the disclaimer, for the PDF's footer."""
    if _is_default(text):
        return gettext(lang, DEFAULT_DISCLAIMER_LINE)
    return first_sentence(text, lang)
