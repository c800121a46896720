"""WeasyPrint URL fetcher that reads only files inside source/ and the theme.

`data:` URLs (self-contained) are decoded; `http:` and `https:` are fetched only when
`site.yml` says `allow_network: true`, without following redirects; anything else
(`file:` outside the sandbox, `ftp:` ...) stops the render with a message.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .images import capped_file
from .theme import Theme

mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("font/ttf", ".ttf")
mimetypes.add_type("font/otf", ".otf")
mimetypes.add_type("font/woff2", ".woff2")


class ResourceRefused(FatalURLFetchingError):
    """Raised for any URL outside the sandbox; stops the render with a clear message."""


NETWORK = ("http", "https")


class SandboxedFetcher(URLFetcher):
    """Serve `file:` URLs under `source_dir` or in the theme's folders and `data:` URLs;
    `http(s):` only with `allow_network`; refuse all else."""

    def __init__(self, source_dir: Path, theme: Theme, allow_network: bool = False,
                 image_long_edge: int | None = None):
        super().__init__(allowed_protocols={"data", *NETWORK}, fail_on_errors=True,
                         allow_redirects=False, timeout=10)
        self.source_dir = source_dir.resolve()
        self.theme = theme
        self.allow_network = allow_network
        self.image_long_edge = image_long_edge  # JPEG and PNG under source/ get no larger

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in NETWORK and not self.allow_network:
            raise ResourceRefused(f"refused to fetch {_short(url)}: network access is off "
                                  "(only files inside source/ and the theme are used; "
                                  "'allow_network: true' in site.yml turns it on)")
        if scheme == "data" or scheme in NETWORK:
            try:
                return super().fetch(url, headers)
            except Exception as error:  # WeasyPrint would only say 'Error fetching'
                raise ResourceRefused(f"could not fetch {_short(url)}: {error}") from None
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"refused to fetch {_short(url)}: only files inside source/ "
                                  "and the theme are used")
        path = Path(unquote(parts.path)).resolve()
        if path.is_relative_to(self.source_dir):
            real = path
        elif (relative := self.theme.relative_path(path)) is not None:
            real = self.theme.resolve(relative)
        else:
            raise ResourceRefused(f"refused to read {path}: it is outside source/ and the theme")
        if not real.is_file():
            raise ResourceRefused(f"file not found: {real}")
        content_type = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        if self.image_long_edge and real.is_relative_to(self.source_dir):
            # WeasyPrint reads a file: URL's file again when it embeds a JPEG: the URL
            # given back names the resized copy in the cache.
            real = capped_file(self.source_dir, real, self.image_long_edge)
        return URLFetcherResponse(real.as_uri(), real.read_bytes(),
                                  headers={"Content-Type": content_type})


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."
