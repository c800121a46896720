"""`invoke fetch-images`: download the web images the sources show, keep them under
source/images/, and point the sources at the copies. Sources here are the Markdown (its
body's images and its front matter's cover), the collections' covers, the publisher's
logo in site.yml and the photos in authors.yml.

This is the only part of Pressroom that uses the network, and only when asked. A page
written by someone else decides which addresses are fetched, so every download is fenced:
http(s) only; the host is resolved and every address it has must be on the public internet
(not loopback, private, link-local - where cloud metadata services live - or reserved)
unless `allow_private`, and the connection goes to the address that was checked; at most
MAX_REDIRECTS redirects, each checked again; a time limit per read and per download; at
most MAX_IMAGE_BYTES; and what arrives must be an image of a type Pressroom publishes,
by its content, not only by what the server says.

Each source is edited in place at the exact spans of the addresses (alt text, titles and
every other byte stay as they were), through a temporary file and a rename. Where each
image came from is recorded in source/images/CREDITS.yml (address, date, content type,
size, the sources that show it), for credits and licences.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import ipaddress
import os
import re
import socket
import ssl
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from .diagnostics import Diagnostic
from .read.images import MAX_IMAGE_BYTES, image_problem
from .read.resources import IMAGE_TYPES

IMAGES_FOLDER = "images"
CREDITS_FILE = "CREDITS.yml"
MAX_REDIRECTS = 3
READ_TIMEOUT = 10.0  # seconds a server may stay silent
DOWNLOAD_TIMEOUT = 60.0  # seconds for a whole download
USER_AGENT = "Pressroom fetch-images (https://www.gnu.org/licenses/agpl-3.0.html)"
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
            "image/svg+xml": ".svg", "image/webp": ".webp"}
FIX_PRIVATE = ("download the image yourself, or run 'invoke fetch-images --allow-private' if "
               "you trust this address")
FIX_SOURCE = "download the image by hand into source/images/ and refer to it from the source"


class Refused(Exception):
    """Why an address was not downloaded (the message), and what to do about it."""

    def __init__(self, message: str, fix: str = FIX_SOURCE):
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class RemoteImage:
    """One web address of an image in a source, where it is written."""

    url: str
    start: int  # offsets of the address in the source text
    end: int
    line: int
    column: int  # 1-based


@dataclass(frozen=True)
class Download:
    body: bytes
    content_type: str
    final_url: str


@dataclass
class Report:
    fetched: list[str] = field(default_factory=list)  # "url -> source/images/name" lines
    rewritten: list[Path] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


# --- Finding the web images of a source -----------------------------------------------------


_INLINE_IMAGE = re.compile(r"!\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\(\s*<?(https?://[^\s<>()]+"
                           r"(?:\([^\s<>()]*\)[^\s<>()]*)*)>?", re.I)
_DEFINITION = re.compile(r"^[ \t]{0,3}\[((?:[^\[\]\\]|\\.)+)\]:[ \t]*\n?[ \t]*<?(https?://[^\s<>]+)",
                         re.I | re.M)
_REFERENCE_USE = re.compile(r"!\[((?:[^\[\]\\]|\\.)*)\](?:\[((?:[^\[\]\\]|\\.)*)\])?")
_HTML_IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*([\"']?)(https?://[^\s\"'<>]+)\1", re.I)


def remote_images(text: str) -> list[RemoteImage]:
    """The http(s) addresses of the images `text` (a Markdown source) shows, in order:
    `![alt](url)`, `![alt][label]` with `[label]: url`, and `<img src="url">`. Code
    blocks and code spans are left alone: an example is not an image."""
    parser = MarkdownIt("commonmark").use(front_matter_plugin).enable("table")
    tokens = parser.parse(text)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    code = _code_ranges(tokens, line_starts, len(text))
    shown = set()  # image addresses as markdown-it resolved them
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                shown.add(child.attrGet("src"))
    found: dict[int, RemoteImage] = {}

    def add(url: str, start: int) -> None:
        if not any(a <= start < b for a, b in code):
            line = max(i for i, s in enumerate(line_starts) if s <= start)  # 0-based
            found[start] = RemoteImage(url, start, start + len(url), line + 1,
                                       start - line_starts[line] + 1)

    normalize = parser.normalizeLink
    for match in _INLINE_IMAGE.finditer(text):
        if normalize(match[1]) in shown:
            add(match[1], match.start(1))
    used_labels = {_label(m[2] or m[1]) for m in _REFERENCE_USE.finditer(text)}
    for match in _DEFINITION.finditer(text):
        if _label(match[1]) in used_labels and normalize(match[2]) in shown:
            add(match[2], match.start(2))
    for match in _HTML_IMG_SRC.finditer(text):
        add(match[2], match.start(2))
    return [found[start] for start in sorted(found)]


# Image fields of the YAML files and of the front matter, as a line `name: URL` (quoted or
# not): the publisher's logo (site.yml), a person's photo (authors.yml), a cover (a source's
# front matter, a collection).
_YAML_IMAGE_FIELD = r"^[ \t]*({names}):[ \t]*([\"']?)(https?://[^\s\"']+)\2[ \t]*(?:#.*)?$"
YAML_IMAGE_FIELDS = {"site.yml": ("logo",), "authors.yml": ("photo",), "collection": ("cover",),
                     "front matter": ("cover",)}


def remote_yaml_images(text: str, names: tuple[str, ...], end: int | None = None) -> list[RemoteImage]:
    """The http(s) addresses given to the image fields `names` in the YAML `text` (up to
    offset `end`: a source's front matter)."""
    pattern = re.compile(_YAML_IMAGE_FIELD.format(names="|".join(names)), re.M)
    found = []
    for match in pattern.finditer(text, 0, len(text) if end is None else end):
        start = match.start(3)
        line = text.count("\n", 0, start)
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        found.append(RemoteImage(match[3], start, match.end(3), line + 1, column))
    return found


def front_matter_end(text: str) -> int:
    """Where a source's front matter ends (0 when it has none)."""
    match = re.match(r"\ufeff?---[ \t]*\r?\n.*?^---[ \t]*$", text, re.S | re.M)
    return match.end() if match else 0


def _label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _code_ranges(tokens, line_starts: list[int], length: int) -> list[tuple[int, int]]:
    """Offsets of the code blocks and the front matter. (An image in a code span is no
    image for markdown-it, so its address is not among those it shows.)"""
    ranges = []
    for token in tokens:
        if token.map and token.type in ("fence", "code_block", "front_matter"):
            first, last = token.map
            ranges.append((line_starts[first],
                           line_starts[last] if last < len(line_starts) else length))
    return ranges


# --- Downloading, fenced ----------------------------------------------------------------


def check_address(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to for `host`, after checking every address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"cannot resolve the host '{host}': {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if ip.version == 6 and ip.ipv4_mapped:
                ip = ip.ipv4_mapped
            if not ip.is_global or ip.is_multicast:
                kind = ("loopback" if ip.is_loopback else "link-local" if ip.is_link_local
                        else "private" if ip.is_private else "reserved")
                raise Refused(f"'{host}' is {address}, an address on a {kind} network: "
                              "images are fetched only from the public internet", FIX_PRIVATE)
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the host resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def download(url: str, allow_private: bool = False, max_bytes: int = MAX_IMAGE_BYTES,
             read_timeout: float = READ_TIMEOUT,
             download_timeout: float = DOWNLOAD_TIMEOUT) -> Download:
    """GET `url` within the fences (see the module's docstring); raise Refused."""
    deadline = time.monotonic() + download_timeout
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused(f"'{url}' is not an http(s) address")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = check_address(parts.hostname, port, allow_private)
        kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = kind(parts.hostname, port, address, read_timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT,
                                                     "Accept": ", ".join(SUFFIXES)})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise Refused(f"'{url}' redirects nowhere (HTTP {response.status})")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise Refused(f"'{url}' answered HTTP {response.status} {response.reason}")
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in SUFFIXES:
                raise Refused(f"'{url}' is not an image Pressroom publishes: its content type "
                              f"is '{content_type or 'none'}' (PNG, JPEG, GIF, WebP or SVG "
                              "are)")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise Refused(_too_big(url, int(length), max_bytes))
            body = _read_body(response, url, max_bytes, deadline)
            return Download(body, content_type, url)
        except (OSError, http.client.HTTPException) as error:
            if isinstance(error, TimeoutError) or "timed out" in str(error):
                raise Refused(f"'{url}' is too slow: no answer within {read_timeout:g} s",
                              "try again later, or download the image by hand") from None
            raise Refused(f"cannot download '{url}': {error}") from None
        finally:
            connection.close()
    raise Refused(f"'{url}' redirects more than {MAX_REDIRECTS} times")


def _read_body(response, url: str, max_bytes: int, deadline: float) -> bytes:
    chunks, size = [], 0
    while chunk := response.read(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise Refused(_too_big(url, size, max_bytes, at_least=True))
        if time.monotonic() > deadline:
            raise Refused(f"'{url}' is too slow: the download took longer than "
                          f"{DOWNLOAD_TIMEOUT:g} s", "try again later, or download the image "
                          "by hand")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(url: str, size: int, limit: int, at_least: bool = False) -> str:
    return (f"'{url}' is {'more than ' if at_least else ''}{size / 1024 / 1024:.1f} MB; the "
            f"limit is {limit / 1024 / 1024:g} MB per image")


# --- Storing and rewriting --------------------------------------------------------------


def safe_name(url: str, content_type: str) -> str:
    """A file name for the image at `url`: its last path segment in lower-case letters,
    digits and hyphens, a short hash of the address (two addresses never share a file),
    and the suffix its content type calls for."""
    stem = Path(unquote(urlsplit(url).path)).stem
    stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:60] or "image"
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    return f"{stem}-{digest}{SUFFIXES[content_type]}"


def load_credits(images_dir: Path) -> dict[str, dict]:
    path = images_dir / CREDITS_FILE
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


CREDITS_HEADER = ("# Where each image fetched by 'invoke fetch-images' came from: check its "
                  "licence and\n# credit its author where the licence asks for it.\n")


def fetch_images(source_dir: Path, only: str | None = None, allow_private: bool = False,
                 today: dt.date | None = None, progress=lambda line: None) -> Report:
    """Download the web images of every source (or of source/<only>.md), store them in
    source/images/, rewrite the sources to show the copies, record their origin."""
    today = today or dt.date.today()
    report = Report()
    images_dir = source_dir / IMAGES_FOLDER
    credits = load_credits(images_dir)
    by_url = {entry.get("url"): name for name, entry in credits.items()
              if isinstance(entry, dict) and (images_dir / name).is_file()}
    for path, images_of in _files(source_dir, only):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # publishing reports it with its line; nothing to fetch from it
        edits = []
        for image in images_of(text):
            name = by_url.get(image.url)
            if name is None:
                progress(f"fetching {image.url}")
                try:
                    name = _store(image.url, images_dir, allow_private)
                except Refused as refusal:
                    report.problems.append(Diagnostic(path, image.line, str(refusal),
                                                      fix=refusal.fix, severity="error",
                                                      rule="fetch-images", column=image.column))
                    continue
                by_url[image.url] = name
                credits[name] = {"url": image.url, "retrieved": today.isoformat(),
                                 "content_type": IMAGE_TYPES[Path(name).suffix],
                                 "bytes": (images_dir / name).stat().st_size, "used_by": []}
                report.fetched.append(f"{image.url} -> {source_dir.name}/{IMAGES_FOLDER}/{name}")
            used_by = credits[name].setdefault("used_by", [])
            user = path.relative_to(source_dir).as_posix()
            if user not in used_by:
                used_by.append(user)
            # Relative to the file, as every image reference is (site.yml and authors.yml:
            # relative to source/, where they are).
            relative = Path(os.path.relpath(images_dir / name, path.parent)).as_posix()
            edits.append((image.start, image.end, relative))
        if edits:
            for start, end, relative in reversed(edits):
                text = text[:start] + relative + text[end:]
            _write_atomically(path, text.encode("utf-8"))
            report.rewritten.append(path)
    if report.fetched or report.rewritten:
        _write_atomically(images_dir / CREDITS_FILE, (CREDITS_HEADER + yaml.safe_dump(
            credits, sort_keys=True, allow_unicode=True)).encode("utf-8"))
    return report


def _files(source_dir: Path, only: str | None):
    """(file, the function that finds its web images) for every file that may name one: the
    sources (body and front matter), the collections, site.yml and authors.yml. With
    `only`, that source (and its translations) or that collection."""
    def source_images(text: str) -> list[RemoteImage]:
        found = remote_images(text) + remote_yaml_images(
            text, YAML_IMAGE_FIELDS["front matter"], front_matter_end(text))
        return sorted(found, key=lambda image: image.start)

    def yaml_images(names):
        return lambda text: remote_yaml_images(text, names)

    files = []
    for path in sorted(source_dir.glob("*.md")):
        if only is None or path.stem == only or path.stem.startswith(f"{only}."):
            files.append((path, source_images))
    for path in sorted((source_dir / "collections").glob("*.yml")):
        if only is None or path.stem == only:
            files.append((path, yaml_images(YAML_IMAGE_FIELDS["collection"])))
    if only is None:
        for name in ("site.yml", "authors.yml"):
            if (source_dir / name).is_file():
                files.append((source_dir / name, yaml_images(YAML_IMAGE_FIELDS[name])))
    return files


def _store(url: str, images_dir: Path, allow_private: bool) -> str:
    """Download one image into images_dir; its file name. The file is checked as any image
    of a source is (a real image of its type, within the size limits) before it is kept."""
    fetched = download(url, allow_private=allow_private)
    name = safe_name(url, fetched.content_type)
    images_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".fetch-", suffix=Path(name).suffix,
                                         dir=images_dir)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(fetched.body)
        problem = image_problem(Path(temporary), url, images_dir.parent)
        if problem:
            raise Refused(f"{problem} (the server called it {fetched.content_type})")
        os.replace(temporary, images_dir / name)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return name
