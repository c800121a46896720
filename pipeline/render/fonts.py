"""Which face draws each character: the theme's own faces first, then fallback faces per
script (Noto, from Debian's fonts-noto-core and fonts-noto-cjk, or files a theme names),
so that no character is drawn as an empty box in any format.

The PDF names the fallback families in the theme's font stacks (WeasyPrint finds the
installed faces through fontconfig and embeds the glyphs it draws); the EPUB carries
HarfBuzz subsets of them; the web page names them, for readers whose device has them.

WeasyPrint's font configurations live here too: one per theme and process. A
FontConfiguration copies every @font-face it loads into a folder it makes in the system's
temporary directory, and removes that folder only when it is garbage-collected, which
never happens to one kept for reuse (nor at interpreter exit, nor in a pool's worker
processes). `release_fonts()` removes the folders and forgets the configurations; the
build calls it when it has rendered, so no publish leaves a temporary folder behind.
"""

from __future__ import annotations

import base64
import re
import shutil
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import lxml.html
import uharfbuzz as harfbuzz
from fontTools.ttLib import TTFont

from ..cache import cache_key, cached, content_hash
from ..diagnostics import Diagnostic
from ..models import Collection, Document, articles_of
from .theme import Theme, theme_file_name

if TYPE_CHECKING:  # WeasyPrint takes a second to import: only when a PDF is made
    from weasyprint.text.fonts import FontConfiguration

NOTO = Path("/usr/share/fonts/truetype/noto")  # Debian's fonts-noto-core
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")  # Debian's fonts-noto-cjk
CJK_REGULAR, CJK_BOLD = NOTO_CJK / "NotoSansCJK-Regular.ttc", NOTO_CJK / "NotoSansCJK-Bold.ttc"
# Faces of the collection NotoSansCJK-*.ttc (index, family), by the Han glyphs readers of a
# language expect: the same code point is drawn differently in China, Taiwan, Hong Kong,
# Japan and Korea.
CJK_FACES = {"SC": (2, "Noto Sans CJK SC"), "TC": (3, "Noto Sans CJK TC"),
             "HK": (4, "Noto Sans CJK HK"), "JP": (0, "Noto Sans CJK JP"),
             "KR": (1, "Noto Sans CJK KR")}
# Single-script Noto families tried in this order after the theme's faces (file stem =
# family without spaces). Noto Sans itself fills in Latin, Greek and Cyrillic letters a
# theme may lack; the symbols and maths faces come last.
SCRIPT_FAMILIES = (
    "Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Devanagari",
    "Noto Sans Bengali", "Noto Sans Gurmukhi", "Noto Sans Gujarati", "Noto Sans Oriya",
    "Noto Sans Tamil", "Noto Sans Telugu", "Noto Sans Kannada", "Noto Sans Malayalam",
    "Noto Sans Sinhala", "Noto Sans Thai", "Noto Sans Lao", "Noto Sans Khmer",
    "Noto Sans Myanmar", "Noto Sans Georgian", "Noto Sans Armenian", "Noto Sans Ethiopic",
    "Noto Sans Thaana", "Noto Sans Syriac",
)
# After the CJK faces: these also carry a few CJK punctuation marks, which must come from
# the CJK face.
LAST_FAMILIES = ("Noto Sans Tibetan", "Noto Sans Mongolian", "Noto Sans Yi",
                 "Noto Sans Cherokee", "Noto Sans Canadian Aboriginal", "Noto Sans Symbols",
                 "Noto Sans Symbols 2", "Noto Sans Math")
# The faces a language's own script wants first (its marks and punctuation drawn by the
# face made for it, not by the first face that happens to have them).
LANGUAGE_FAMILIES = {
    "ar": ("Noto Sans Arabic",), "fa": ("Noto Sans Arabic",), "ps": ("Noto Sans Arabic",),
    "ur": ("Noto Sans Arabic",), "he": ("Noto Sans Hebrew",),
    "yi": ("Noto Sans Hebrew",), "hi": ("Noto Sans Devanagari",),
    "mr": ("Noto Sans Devanagari",), "ne": ("Noto Sans Devanagari",),
    "bn": ("Noto Sans Bengali",), "as": ("Noto Sans Bengali",), "pa": ("Noto Sans Gurmukhi",),
    "gu": ("Noto Sans Gujarati",), "or": ("Noto Sans Oriya",), "ta": ("Noto Sans Tamil",),
    "te": ("Noto Sans Telugu",), "kn": ("Noto Sans Kannada",), "ml": ("Noto Sans Malayalam",),
    "si": ("Noto Sans Sinhala",), "th": ("Noto Sans Thai",), "lo": ("Noto Sans Lao",),
    "km": ("Noto Sans Khmer",), "my": ("Noto Sans Myanmar",), "ka": ("Noto Sans Georgian",),
    "hy": ("Noto Sans Armenian",), "am": ("Noto Sans Ethiopic",), "ti": ("Noto Sans Ethiopic",),
    "dv": ("Noto Sans Thaana",),
}
# Emoji, last of all (a symbol a text face has keeps that face's look): Debian's
# fonts-noto-color-emoji, colour bitmaps (CBDT) that WeasyPrint 70 draws into the PDF and
# reading systems that know colour fonts show from the EPUB's subset. Named in a font
# stack, the face would draw digits and spaces too (Pango picks it for them), so it is
# declared for the emoji's code points only (@font-face unicode-range), under a name of
# its own.
EMOJI = NOTO / "NotoColorEmoji.ttf"
EMOJI_SYSTEM_NAME = "Noto Color Emoji"
EMOJI_FAMILY = "Noto Color Emoji (emoji only)"
EMOJI_RANGES = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x200D, 0x200D), (0x203C, 0x203C),
    (0x2049, 0x2049), (0x20E3, 0x20E3), (0x2122, 0x2122), (0x2139, 0x2139),
    (0x2194, 0x21AA), (0x231A, 0x23FF), (0x24C2, 0x24C2), (0x25AA, 0x25FE),
    (0x2600, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B55), (0x3030, 0x3030),
    (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299), (0xFE0F, 0xFE0F),
    (0x1F000, 0x1FAFF), (0xE0020, 0xE007F),
)
CJK_LANGUAGES = {"zh", "yue", "ja", "ko"}
LATIN_FALLBACK = "Noto Sans"  # Latin, Greek and Cyrillic the theme lacks
LEADING_SHARE = 0.05  # of a text's letters: more, and the Latin fallback sets the text
# Characters that draw nothing (spaces, joiners, direction marks...): no face needs them.
INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn", "Cs"}
# Variation selectors ask for a presentation of the character before them (U+FE0F after
# an emoji); a renderer that lacks the variant shows the character as it is: no box.
VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))


def drawn(ch: str) -> bool:
    """Whether a character needs a glyph of its own."""
    return unicodedata.category(ch) not in INVISIBLE and \
        not any(ord(ch) in selectors for selectors in VARIATION_SELECTORS)
_FONT_FACE = re.compile(r"@font-face\s*{(?P<body>[^}]*)}", re.S)
_FAMILY = re.compile(r"""font-family\s*:\s*["']?(?P<name>[^"';]+)["']?\s*;""")
_WEIGHT = re.compile(r"font-weight\s*:\s*(?P<weight>\w+)")
_STYLE = re.compile(r"font-style\s*:\s*(?P<style>\w+)")
_SRC = re.compile(r"""url\(\s*["']?(?P<url>[^"')]+)["']?\s*\)""")
_STACK = re.compile(r"(?P<name>--font-[\w-]+)\s*:\s*(?P<stack>[^;{}]+);")


@dataclass(frozen=True)
class Face:
    """A fallback family: its regular face and (when it has one) its bold face."""

    family: str
    regular: Path
    bold: Path | None = None
    index: int = 0  # the face's number in a collection file (.ttc)
    # The code points it may draw (first, last); none: every character it has. A face
    # limited so is declared by an @font-face rule naming its system face (`local`).
    ranges: tuple[tuple[int, int], ...] = ()
    local: str = ""

    @property
    def file_stem(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.family.lower()).strip("-")

    @property
    def unicode_range(self) -> str:
        """The CSS unicode-range of its code points ("" when it is not limited)."""
        return ", ".join(f"U+{first:X}" if first == last else f"U+{first:X}-{last:X}"
                         for first, last in self.ranges)

    def covers(self) -> frozenset[str]:
        """The characters it draws."""
        have = coverage(self.regular, self.index)
        if not self.ranges:
            return have
        return frozenset(ch for ch in have
                         if any(first <= ord(ch) <= last for first, last in self.ranges))


@dataclass(frozen=True)
class FontPlan:
    """The fallback faces a text needs, in order, and the characters no face has."""

    fallbacks: tuple[Face, ...]
    missing: tuple[str, ...]
    # The first fallback draws so many of the letters (Vietnamese in a theme without its
    # stacked accents) that it sets the text, the theme's face filling in: letters of one
    # word from two faces would not match.
    leading: bool = False


def fallback_faces(theme: Theme, lang: str) -> tuple[Face, ...]:
    """Every fallback face available here, in the order they are tried for `lang`: the
    theme's own (theme.yml `fallback_fonts`), then Noto per script, the CJK face
    matching the language's Han glyph forms first."""
    own = [Face(_family_name(path), path, None)
           for path in (theme.resolve(name) for name in theme.options.get("fallback_fonts", ()))]
    faces = [face for family in SCRIPT_FAMILIES if (face := _noto(family))]
    if CJK_REGULAR.is_file():
        first = cjk_variant(lang)
        for key in (first, *(k for k in CJK_FACES if k != first)):
            index, family = CJK_FACES[key]
            faces.append(Face(family, CJK_REGULAR, CJK_BOLD if CJK_BOLD.is_file() else None,
                              index))
    faces += [face for family in LAST_FAMILIES if (face := _noto(family))]
    if EMOJI.is_file():
        faces.append(Face(EMOJI_FAMILY, EMOJI, ranges=EMOJI_RANGES, local=EMOJI_SYSTEM_NAME))
    language = _language(lang)
    wanted = LANGUAGE_FAMILIES.get(language, ())
    first = [f for f in faces if f.family in wanted or
             (language in CJK_LANGUAGES and f.family == CJK_FACES[cjk_variant(lang)][1])]
    extra = [face for family in wanted if (face := _noto(family)) and face not in faces]
    return tuple(dict.fromkeys([*own, *extra, *first, *faces]))


def _noto(family: str) -> Face | None:
    """The Noto family installed by fonts-noto-core (None when it is not there)."""
    stem = family.replace(" ", "")
    regular = NOTO / f"{stem}-Regular.ttf"
    if not regular.is_file():
        return None
    bold = NOTO / f"{stem}-Bold.ttf"
    return Face(family, regular, bold if bold.is_file() else None)


def cjk_variant(lang: str) -> str:
    """Which Han glyph forms readers of `lang` expect: SC, TC, HK, JP or KR."""
    parts = [p.lower() for p in lang.replace("_", "-").split("-")]
    if parts[0] == "ja":
        return "JP"
    if parts[0] == "ko":
        return "KR"
    if parts[0] in ("zh", "yue"):
        if "hk" in parts or "mo" in parts:
            return "HK"
        if "hant" in parts or "tw" in parts or parts[0] == "yue":
            return "TC"
    return "SC"


def plan(text: str, theme: Theme, lang: str) -> FontPlan:
    """The fallback faces `text` needs beyond the theme's faces, and what none has."""
    needed = {ch for ch in set(text) if drawn(ch)}
    needed -= theme_coverage(theme)
    chosen: list[Face] = []
    for face in fallback_faces(theme, lang):
        if not needed:
            break
        found = needed & face.covers()
        if found:
            chosen.append(face)
            needed -= found
    letters = [ch for ch in text if unicodedata.category(ch).startswith("L")]
    lacking = theme_coverage(theme)
    leading = bool(chosen and letters and chosen[0].family == LATIN_FALLBACK and
                   sum(ch not in lacking for ch in letters) >= LEADING_SHARE * len(letters))
    return FontPlan(tuple(chosen), tuple(sorted(needed)), leading)


def publication_plan(pub: Document | Collection, theme: Theme, extra_text: str = "") -> FontPlan:
    return plan(publication_text(pub) + extra_text, theme, pub.lang)


def publication_text(pub: Document | Collection) -> str:
    """Every character the publication shows of its own: titles, descriptions, bodies,
    bylines and disclaimers (our own words come from the catalogue of its language)."""
    parts = [pub.title, pub.subtitle, pub.description, pub.disclaimer,
             pub.byline.publisher.name, pub.byline.publisher.blurb,
             pub.byline.publisher.logo_alt]
    for doc in articles_of(pub):
        parts += [doc.title, doc.subtitle, doc.description, doc.disclaimer,
                  _text(str(doc.body_html)), " ".join(doc.keywords)]
        for person in (*doc.byline.authors, *doc.byline.reviewers):
            parts += [person.name_with_credentials, person.role, person.organisation,
                      person.bio, person.photo_alt]
    return "".join(parts)


def coverage_problems(doc: Document, theme: Theme, our_words: str = "") -> list[Diagnostic]:
    """An error for each character no face has (theme or fallback), with its line."""
    missing = publication_plan(doc, theme, our_words).missing
    problems = []
    for ch in missing:
        line, column = character_position(doc, ch)
        name = unicodedata.name(ch, "unnamed character")
        problems.append(Diagnostic(
            doc.source_path, line,
            f"no font has the character '{ch}' (U+{ord(ch):04X} {name}): it would be drawn "
            "as an empty box", "replace it, or add a font that has it to the theme "
            "(theme.yml 'fallback_fonts: [fonts/face.ttf]') or install the Noto fonts "
            "(bash .ci/install)", column=column, rule="missing-glyph"))
    return problems


def character_position(doc: Document, ch: str) -> tuple[int | None, int | None]:
    """The first line and column where the document's source holds `ch`."""
    for block in doc.blocks:
        for offset, text in enumerate(block.source.split("\n")):
            if ch in text:
                return block.line + offset, text.index(ch) + 1
    for field in ("title", "subtitle", "description", "disclaimer", "keywords"):
        value = getattr(doc, field)
        if ch in (" ".join(value) if isinstance(value, tuple) else value):
            return doc.front_line(field), None
    return None, None


def theme_faces(css: str) -> list[tuple[str, str, str, str]]:
    """The @font-face rules of a bundled stylesheet: (family, weight, style, url)."""
    faces = []
    for rule in _FONT_FACE.finditer(css):
        body = rule["body"]
        family, src = _FAMILY.search(body), _SRC.search(body)
        if family and src:
            weight = _WEIGHT.search(body)
            style = _STYLE.search(body)
            faces.append((family["name"].strip(), weight["weight"] if weight else "400",
                          style["style"] if style else "normal", src["url"]))
    return faces


def theme_coverage(theme: Theme) -> frozenset[str]:
    """The characters the theme's body face has (its first font stack's first family)."""
    return _theme_coverage(theme.dirs)


@lru_cache(maxsize=None)
def _theme_coverage(dirs: tuple[Path, ...]) -> frozenset[str]:
    theme = Theme(name="", dirs=dirs)
    css = theme.stylesheet("print")
    faces = theme_faces(css)
    stacks = dict((m["name"], m["stack"]) for m in _STACK.finditer(css))
    body = stacks.get("--font-body", "")
    first = body.split(",")[0].strip().strip("'\"") if body else ""
    chosen = [url for family, weight, style, url in faces
              if family == first and style == "normal" and weight in ("400", "normal")]
    chosen = chosen or [url for *_, url in faces[:1]]
    covered: frozenset[str] = frozenset()
    for url in chosen:
        covered |= coverage(theme.resolve(theme_file_name(url)))
    return covered


@lru_cache(maxsize=None)
def coverage(path: Path, index: int = 0) -> frozenset[str]:
    """The characters a font file (the face `index` of a collection) has glyphs for.

    HarfBuzz reads them from the font's character map in a millisecond; fontTools named
    every glyph on the way (0.07 s per face of the CJK collection, 0.4 s to look through
    every fallback face for one arrow, in each process of a build)."""
    face = harfbuzz.Face(harfbuzz.Blob.from_file_path(str(path)), index)
    return frozenset(map(chr, face.unicodes))


@lru_cache(maxsize=None)
def _family_name(path: Path) -> str:
    font = TTFont(path, lazy=True)
    try:
        return font["name"].getBestFamilyName()
    finally:
        font.close()


def with_fallbacks(css: str, plan: FontPlan, declared: bool = False) -> str:
    """The bundled stylesheet with the fallback families inserted into every font stack
    (the theme's `--font-*` tokens) right after the theme's own face (before it, for the
    text faces, when the plan's first fallback leads), and the @font-face rules of the
    faces limited to some code points (emoji), naming the installed face, unless the
    caller `declared` them (the EPUB carries its own files)."""
    if not plan.fallbacks:
        return css
    if not declared:
        css += "".join(f'\n@font-face {{ font-family: "{face.family}"; '
                       f'src: local("{face.local}"); unicode-range: {face.unicode_range}; }}'
                       for face in plan.fallbacks if face.ranges) + "\n"
    names = ", ".join(f'"{face.family}"' for face in plan.fallbacks)
    rules = []
    for match in _STACK.finditer(css):
        first, _, rest = match["stack"].partition(",")
        if plan.leading and "mono" not in match["name"]:
            lead, others = plan.fallbacks[0], ", ".join(f'"{f.family}"'
                                                       for f in plan.fallbacks[1:])
            stack = ", ".join(filter(None, (f'"{lead.family}"', first.strip(), others)))
        else:
            stack = f"{first.strip()}, {names}"
        stack += f", {rest.strip()}" if rest.strip() else ""
        rules.append(f"  {match['name']}: {stack};")
    if not rules:
        return css
    deduplicated = list(dict.fromkeys(rules))
    return css + ("\n/* Fallback faces for the scripts the theme's faces lack "
                  "(pipeline/render/fonts.py). */\n:root {\n" + "\n".join(deduplicated) + "\n}\n")


def print_stylesheet(css: str, plan: FontPlan, text: str, source_dir: Path) -> str:
    """The stylesheet WeasyPrint lays a page out with (PDF, cover): the fallback families
    in its font stacks, found installed, and the faces limited to some code points (emoji)
    as subsets in data: URLs (the URL fetcher reads no file outside the project)."""
    limited = tuple(face for face in plan.fallbacks if face.ranges)
    rules, _ = embedded_faces(limited, text, source_dir, url=lambda name, data: (
        f"data:font/ttf;base64,{base64.b64encode(data).decode('ascii')}"))
    return rules + with_fallbacks(css, plan, declared=True)


def embedded_faces(faces: tuple[Face, ...], text: str, source_dir: Path,
                   url: Callable[[str, bytes], str] = lambda name, data: f"../fonts/{name}",
                   ) -> tuple[str, list[tuple[str, bytes]]]:
    """@font-face rules and subset files (name under fonts/, content) that carry the
    fallback faces' glyphs for `text` inside a publication (the EPUB); `url` gives the
    address a rule names for a file. Each subset is made once per face and set of
    characters, and kept in the project's cache (a CJK face's subset costs seconds)."""
    rules, files = [], []
    characters = "".join(sorted(set(text + string.printable)))
    for face in faces:
        for weight, path in ((400, face.regular), (700, face.bold)):
            if path is None:
                continue
            key = cache_key(_file_hash(path), str(face.index), characters, SUBSETTER_VERSION)
            data = cached(source_dir, "font-subsets", key,
                          partial(subset_face, path, face.index, characters))
            suffix = ".otf" if path.suffix == ".ttc" or data[:4] == b"OTTO" else ".ttf"
            name = f"fallback-{face.file_stem}-{weight}{suffix}"
            files.append((name, data))
            fmt = "opentype" if suffix == ".otf" else "truetype"
            limited = f" unicode-range: {face.unicode_range};" if face.ranges else ""
            rules.append(f'@font-face {{ font-family: "{face.family}"; font-style: normal; '
                         f'font-weight: {weight}; src: url("{url(name, data)}") format("{fmt}");'
                         f'{limited} }}')
    return "\n".join(rules) + ("\n" if rules else ""), files


@lru_cache(maxsize=None)
def _file_hash(path: Path) -> str:
    """A font file's content hash (read once per process: a CJK collection is 20 MB)."""
    return content_hash(path)


def subset_face(path: Path, index: int, text: str) -> bytes:
    """Only the glyphs `text` needs of the face `index` of a font file."""
    return subset_font(harfbuzz.Face(harfbuzz.Blob.from_file_path(str(path)), index), text)


def subset_font(face: harfbuzz.Face, text: str) -> bytes:
    """Only the glyphs `text` needs (plus ASCII), with every layout feature (shaping of
    Arabic, Indic and Southeast Asian scripts needs them), every name (licence, designer,
    URLs) and the hinting. HarfBuzz's subsetter takes a millisecond a face where
    fontTools' took 0.03-0.25 s, for the same glyphs and tables."""
    wanted = harfbuzz.SubsetInput()
    wanted.unicode_set.update(ord(ch) for ch in set(text + string.printable))
    for everything in (wanted.layout_feature_tag_set, wanted.layout_script_tag_set,
                       wanted.name_id_set, wanted.name_lang_id_set):
        everything.clear()  # HarfBuzz's defaults are some of each; inverted, none is all
        everything.invert()
    wanted.flags = harfbuzz.SubsetFlags.NOTDEF_OUTLINE
    subset = harfbuzz.subset(face, wanted)
    if subset is None:
        raise ValueError("HarfBuzz could not subset the font")
    return subset.blob.data


SUBSETTER_VERSION = f"harfbuzz {harfbuzz.__version__}"  # in the cache keys of subsets


def _language(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def _text(html: str) -> str:
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content()


_font_configs: dict[tuple[Path, ...], FontConfiguration] = {}


def font_config(theme: Theme) -> FontConfiguration:
    """One font configuration per theme and process.

    Reusing it saves decoding the faces on every render; keeping one per theme stops a
    theme's faces from leaking into another theme's PDFs.
    """
    if theme.dirs not in _font_configs:
        from weasyprint.text.fonts import FontConfiguration
        _font_configs[theme.dirs] = FontConfiguration()
    return _font_configs[theme.dirs]


def release_fonts() -> None:
    """Remove the temporary font folders of this process's configurations, and the
    configurations with them (their fonts live in those folders)."""
    while _font_configs:
        _, config = _font_configs.popitem()
        folder = getattr(config, "_folder", None)  # WeasyPrint 70's temporary font folder
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            config._folder = None


def page_text(page: str) -> str:
    """Every character a rendered page shows (and its style sheet's strings)."""
    return lxml.html.document_fromstring(page.encode("utf-8")).text_content()
