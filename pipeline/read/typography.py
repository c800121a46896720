"""Typesetting that depends on the document's language and happens while reading: which
quotation marks the Markdown typographer makes of straight quotes ("..." and '...')."""

from __future__ import annotations

ENGLISH_QUOTES = ("\u201c", "\u201d", "\u2018", "\u2019")  # “ ” ‘ ’
NNBSP = "\u202f"  # narrow no-break space, inside French guillemets
# Primary and secondary quotation marks (open, close, open, close) by language, from CLDR's
# delimiters (Babel does not carry them). Languages not listed use the English ones.
QUOTES = {
    "es": ("\u00ab", "\u00bb", "\u201c", "\u201d"),  # « » “ ”
    "pt": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "fr": ("\u00ab" + NNBSP, NNBSP + "\u00bb", "\u201c", "\u201d"),
    "it": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "de": ("\u201e", "\u201c", "\u201a", "\u2018"),  # „ “ ‚ ‘
    "nl": ("\u2018", "\u2019", "\u201c", "\u201d"),
    "pl": ("\u201e", "\u201d", "\u00ab", "\u00bb"),
    "ru": ("\u00ab", "\u00bb", "\u201e", "\u201c"),  # « » „ “
    "uk": ("\u00ab", "\u00bb", "\u201e", "\u201c"),
    "el": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "ja": ("\u300c", "\u300d", "\u300e", "\u300f"),  # 「 」 『 』
    "zh-Hant": ("\u300c", "\u300d", "\u300e", "\u300f"),
    "zh": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "ko": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "vi": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "tl": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "ar": ("\u201d", "\u201c", "\u2019", "\u2018"),  # ” “ ’ ‘ (as CLDR: mirrored in RTL)
    "fa": ("\u00ab", "\u00bb", "\u2039", "\u203a"),
    "ur": ("\u201d", "\u201c", "\u2019", "\u2018"),
    "he": ("\u201d", "\u201d", "\u2019", "\u2019"),
    "hi": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "th": ("\u201c", "\u201d", "\u2018", "\u2019"),
}


def quotes_for(lang: str) -> tuple[str, str, str, str]:
    """The quotation marks for `lang` (a BCP 47 tag): « » “ ” in Spanish, „ “ ‚ ‘ in
    German, 「 」『 』 in Japanese and Traditional Chinese, “ ” ‘ ’ in English. In the order
    markdown-it's `quotes` option and python-markdown's smarty substitutions take them."""
    parts = (lang or "en").replace("_", "-").split("-")
    language = parts[0].lower()
    if language == "zh" and any(p.lower() in ("hant", "tw", "hk", "mo") for p in parts[1:]):
        return QUOTES["zh-Hant"]
    return QUOTES.get(language, ENGLISH_QUOTES)
