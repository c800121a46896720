"""Themes: templates, stylesheets per medium, fonts and images, with one Jinja environment."""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from ..diagnostics import PressroomError
from . import i18n

MEDIA = ("screen", "print", "press", "epub", "cover")
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']([^"']+)["']\s*\)?\s*;""")
_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


def theme_names(themes_dir: Path) -> set[str]:
    return {p.parent.name for p in themes_dir.glob("*/theme.yml")}


def format_date(value: dt.date, lang: str = "en") -> str:
    """A date as readers of `lang` write it (Babel's long format)."""
    return i18n.format_date(value, lang)


def css_counters(text: str) -> Markup:
    """A message with %(page)s and %(pages)s as CSS content: strings and page counters."""
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", str(text)):
        if piece in ("%(page)s", "%(pages)s"):
            parts.append(f"counter({piece[2:-2]})")
        elif piece:
            parts.append(str(css_string(piece)))
    return Markup(" ".join(parts))


@jinja2.pass_context
def _gettext(context, message: str) -> str:
    return i18n.gettext(context.get("lang", "en"), message)


@jinja2.pass_context
def _ngettext(context, singular: str, plural: str, count: int) -> str:
    return i18n.ngettext(context.get("lang", "en"), singular, plural, count)


def css_string(value: str) -> Markup:
    """`value` as a quoted CSS string, safe inside a <style> element."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;!?'()-_/&" else f"\\{ord(ch):x} "
                      for ch in str(value))
    return Markup(f'"{escaped}"')


@dataclass
class Theme:
    """A theme folder, layered over the theme it `extends` (files found first in the child)."""

    name: str
    dirs: tuple[Path, ...]  # the theme's folder first, then its ancestors'
    options: dict = field(default_factory=dict)

    @classmethod
    def load(cls, themes_dir: Path, name: str) -> Theme:
        dirs: list[Path] = []
        options: list[dict] = []
        current: str | None = name
        while current:
            folder = themes_dir / current
            config_path = folder / "theme.yml"
            if not config_path.is_file():
                available = ", ".join(sorted(theme_names(themes_dir))) or "none"
                raise PressroomError(f"theme '{current}' not found: no {config_path} "
                                     f"(available themes: {available})")
            if folder in dirs:
                raise PressroomError(f"{config_path}: theme '{current}' extends itself")
            try:
                config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as error:
                raise PressroomError(f"{config_path}: malformed YAML: {error}") from None
            dirs.append(folder)
            options.insert(0, config.get("options") or {})
            current = config.get("extends")
        merged: dict = {}
        for layer in options:
            merged.update(layer)
        return cls(name=name, dirs=tuple(dirs), options=merged)

    def resolve(self, relative: str) -> Path:
        """The file at `relative` (e.g. 'fonts/x.ttf') in this theme or the one it extends."""
        for folder in self.dirs:
            candidate = (folder / relative).resolve()
            if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
                return candidate
        raise PressroomError(f"theme '{self.name}' has no file '{relative}'")

    def relative_path(self, path: Path) -> str | None:
        """The theme-relative name of `path` if it lies in one of the theme's folders."""
        path = path.resolve()
        for folder in self.dirs:
            if path.is_relative_to(folder.resolve()):
                return path.relative_to(folder.resolve()).as_posix()
        return None

    @cached_property
    def env(self) -> jinja2.Environment:
        """The single Jinja environment every renderer uses; it escapes everything by default."""
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([d / "templates" for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
        )
        # Our own words in the language of the page (`lang` in the template's context).
        env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
        env.filters["longdate"] = format_date
        env.filters["css_string"] = css_string
        env.filters["css_counters"] = css_counters
        env.filters["text_direction"] = i18n.text_direction
        env.filters["language_name"] = i18n.language_name
        env.filters["disclaimer"] = i18n.disclaimer
        env.filters["disclaimer_line"] = i18n.disclaimer_line
        env.globals["theme"] = self
        return env

    def render_template(self, name: str, **context) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as error:
            raise PressroomError(f"theme '{self.name}': template {error.filename or error.name}, "
                                 f"line {error.lineno}: {error.message}") from None
        except jinja2.TemplateNotFound as error:
            raise PressroomError(f"theme '{self.name}' has no template '{error.name}'") from None
        except jinja2.UndefinedError as error:
            raise PressroomError(f"theme '{self.name}': template '{name}': {error}") from None

    def stylesheet(self, medium: str) -> str:
        """The entry stylesheet `css/<medium>.css` with its @import partials inlined."""
        if medium not in MEDIA:
            raise ValueError(f"unknown medium {medium!r}")
        return self._inline_imports(f"css/{medium}.css", chain=())

    def _inline_imports(self, relative: str, chain: tuple[str, ...]) -> str:
        if relative in chain:
            raise PressroomError(f"theme '{self.name}': {relative} imports itself "
                                 f"(via {' -> '.join(chain)})")
        text = self.resolve(relative).read_text(encoding="utf-8")
        folder = relative.rsplit("/", 1)[0]
        return _IMPORT.sub(
            lambda m: self._inline_imports(f"{folder}/{m[1]}", (*chain, relative)), text)

    def stylesheet_files(self, css: str) -> list[str]:
        """Theme-relative names of the files a bundled stylesheet refers to (fonts, images)."""
        files = []
        for reference in _URL.findall(css):
            if reference.startswith(("data:", "#")):
                continue
            name = theme_file_name(reference)
            if name not in files:
                files.append(name)
        return files

    def embed_files(self, css: str) -> str:
        """A bundled stylesheet with every file it refers to inlined as a data: URL."""
        def data_url(match: re.Match) -> str:
            reference = match[1]
            if reference.startswith(("data:", "#")):
                return match[0]
            name = theme_file_name(reference)
            media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            encoded = base64.b64encode(self.resolve(name).read_bytes()).decode("ascii")
            return f'url("data:{media_type};base64,{encoded}")'
        return _URL.sub(data_url, css)


def theme_file_name(reference: str) -> str:
    """A url() of a stylesheet in css/ as a theme-relative name ('../fonts/x.ttf' -> 'fonts/x.ttf')."""
    parts: list[str] = []
    for part in Path("css", reference).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)
