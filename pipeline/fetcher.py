"""WeasyPrint URL fetcher that reads only files inside source/ and the theme."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .theme import Theme

mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("font/ttf", ".ttf")
mimetypes.add_type("font/otf", ".otf")
mimetypes.add_type("font/woff2", ".woff2")


class ResourceRefused(FatalURLFetchingError):
    """Raised for any URL outside the sandbox; stops the render with a clear message."""


class SandboxedFetcher(URLFetcher):
    """Serve `file:` URLs under `source_dir` or in the theme's folders, refuse all else."""

    def __init__(self, source_dir: Path, theme: Theme):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
        self.source_dir = source_dir.resolve()
        self.theme = theme

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"refused to fetch {url}: only files inside source/ and the "
                                  "theme are used")
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
        return URLFetcherResponse(real.as_uri(), real.read_bytes(),
                                  headers={"Content-Type": content_type})
