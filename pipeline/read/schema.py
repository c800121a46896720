"""Read YAML with line numbers and check mappings against a list of expected fields."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostic
from .images import image_problem
from .resources import IMAGE_TYPES, UnsafeReference, resolve_inside


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so a bad date gets our message and line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class YamlText:
    """Parsed YAML plus the 1-based line of every mapping key, keyed by its path."""

    file: Path
    data: Any
    lines: dict[tuple, int]

    def line(self, *path: Any) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def load_yaml(file: Path, text: str, first_line: int = 1) -> tuple[YamlText | None, list[Diagnostic]]:
    """Parse `text` (which starts at `first_line` of `file`); a syntax error becomes a Diagnostic."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        # Where the broken construct started (an unclosed quote, a bracket) beats where
        # the parser noticed, often at the end of the text.
        mark = error.context_mark or error.problem_mark
        line = mark.line + first_line if mark else first_line
        reason = error.problem or "the YAML could not be read"
        return None, [
            Diagnostic(file, line, f"malformed YAML: {reason}",
                    "check the indentation, colons and quotes on this line and the one above")
        ]
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {(): first_line}
    if node is not None:
        _collect_lines(node, (), lines, first_line)
    return YamlText(file, data, lines), []


def _collect_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], first_line: int) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_path = (*path, key_node.value)
            lines[key_path] = key_node.start_mark.line + first_line
            _collect_lines(value_node, key_path, lines, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + first_line
            _collect_lines(item, (*path, index), lines, first_line)


# Field kinds: each checker takes the raw value and returns (value, error message or "").
_LANG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


def _text(value: Any) -> tuple[Any, str]:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value).strip()
        return (text, "") if text else (None, "is empty")
    return None, f"must be text, not {_describe(value)}"


def _date(value: Any) -> tuple[Any, str]:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()), ""
        except ValueError:
            pass
    return None, f"must be a date written YYYY-MM-DD, not {value!r}"


def _text_list(value: Any) -> tuple[Any, str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None, f"must be a list, not {_describe(value)}"
    items = []
    for item in value:
        text, error = _text(item)
        if error:
            return None, f"must be a list of text; one item {error}"
        items.append(text)
    return tuple(items), ""


def _lang(value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):  # YAML reads a bare no (Norwegian) as false, yes as true
        return None, ("must be a language tag in quotes when YAML would read it as yes or "
                      f"no: write \"{'yes' if value else 'no'}\" (Norwegian is \"no\" or \"nb\")")
    text, error = _text(value)
    if error or not _LANG.match(text):
        return None, f"must be a language tag such as en-US or fr, not {value!r}"
    return text, ""


def _url(value: Any) -> tuple[Any, str]:
    text, error = _text(value)
    if error or not _URL.match(text):
        return None, f"must be a web address starting with https://, not {value!r}"
    return text, ""


def _bool(value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return value, ""
    return None, f"must be true or false, not {_describe(value)}"


def _count(value: Any) -> tuple[Any, str]:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value, ""
    return None, f"must be a whole number above 0, not {_describe(value)}"


def _number(value: Any) -> tuple[Any, str]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value), ""
    return None, f"must be a number above 0, not {_describe(value)}"


def _mapping(value: Any) -> tuple[Any, str]:
    if isinstance(value, dict):
        return value, ""
    return None, f"must be a group of fields (key: value lines indented below it), not {_describe(value)}"


# How to write a value of each kind, for the fix of a wrong value.
EXAMPLES = {
    "text": "write it as plain text",
    "date": "write the date as YYYY-MM-DD, e.g. 2026-03-31",
    "list": "write a list, e.g. [first, second]",
    "lang": "write a language tag, e.g. en-US",
    "url": "write the full address, e.g. https://example.org/",
    "image": "give the image path relative to this file",
    "mapping": "indent the fields below this key",
    "bool": "write true or false",
    "count": "write a whole number, e.g. 12",
    "number": "write a number, e.g. 8 or 8.5",
}

KINDS = {"text": _text, "date": _date, "list": _text_list, "lang": _lang, "url": _url,
         "image": _text, "mapping": _mapping, "bool": _bool, "count": _count,
         "number": _number}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"yes/no ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return repr(value)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"
    required: bool = False
    hint: str = ""


def check_fields(
    source: YamlText,
    data: Any,
    path: tuple,
    fields: list[Field],
    where: str,
    image_base: Path,
    image_root: Path,
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Check `data` (found at `path` in `source`) against `fields`.

    Returns the converted values of the valid fields and one Diagnostic per fault, so
    that every fault in a file is reported at once. Image fields become absolute
    paths, checked to exist inside `image_root`.
    """
    file = source.file
    if not isinstance(data, dict):
        return {}, [Diagnostic(file, source.line(*path),
                            f"{where} must be a group of 'key: value' lines, not {_describe(data)}",
                            "write one 'key: value' per line")]
    problems: list[Diagnostic] = []
    values: dict[str, Any] = {}
    known = {f.name: f for f in fields}
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            fix = (f"did you mean '{close[0]}'?" if close
                   else f"known fields: {', '.join(sorted(known))}")
            problems.append(Diagnostic(file, source.line(*path, key),
                                    f"unknown field '{key}' in {where}", fix))
    for field in fields:
        line = source.line(*path, field.name)
        raw = data.get(field.name)
        if raw is None or raw == "" or raw == [] or raw == {}:
            if field.required:
                problems.append(Diagnostic(file, source.line(*path),
                                        f"{where} is missing the required field '{field.name}'",
                                        field.hint or f"add a line '{field.name}: ...'"))
            continue
        value, error = KINDS[field.kind](raw)
        if error:
            problems.append(Diagnostic(file, line, f"'{field.name}' {error}", EXAMPLES[field.kind]))
            continue
        if field.kind == "image":
            value, error = check_image(value, image_base, image_root)
            if error:
                problems.append(Diagnostic(file, line, f"'{field.name}': {error}",
                                        getattr(error, "fix", "") or
                                        "put the image under source/ and give its path "
                                        "relative to this file"))
                continue
        values[field.name] = value
    return values, problems


def check_image(reference: str, base_dir: Path, root: Path) -> tuple[Path | None, str]:
    """Resolve an image reference safely; return (path, "") or (None, reason)."""
    if _WEB_ADDRESS.match(reference):
        return None, ImageRefusal(
            f"image '{reference}' is a URL: a publication carries its own copy of every "
            "image; run 'invoke fetch-images' to download it",
            "run 'invoke fetch-images' (it downloads the web images into source/images/ and "
            "points the sources at them), or put the image under source/ yourself")
    try:
        path = resolve_inside(reference, base_dir, root)
    except UnsafeReference as error:
        return None, str(error)
    if path.suffix.lower() not in IMAGE_TYPES:
        return None, (f"'{reference}' is not an image type we can publish "
                      f"({', '.join(sorted(IMAGE_TYPES))})")
    if not path.is_file():
        return None, f"image '{reference}' does not exist"
    error = image_problem(path, reference, root)
    if error:
        return None, ImageRefusal(error, IMAGE_FILE_FIX)
    return path, ""


_WEB_ADDRESS = re.compile(r"^\s*https?://", re.I)
IMAGE_FILE_FIX = ("export the image again from an image editor: PNG, JPEG or SVG (with any "
                  "pictures it shows embedded), within the limits, under the same name")


class ImageRefusal(str):
    """Why an image file cannot be used (a str), with the fix that suits it."""

    def __new__(cls, reason: str, fix: str):
        refusal = super().__new__(cls, reason)
        refusal.fix = fix
        return refusal
