"""pipeline.render.fetcher: WeasyPrint may read files in source/ and the theme, nothing else."""

from __future__ import annotations

import pytest
from weasyprint.urls import FatalURLFetchingError

from helpers import make_png
from pipeline.render.fetcher import ResourceRefused, SandboxedFetcher
from pipeline.render.theme import Theme


@pytest.fixture
def fetcher(project_root):
    source = project_root / "source"
    make_png(source / "images" / "photo.png")
    theme = Theme.load(project_root / "themes", "classic")
    return SandboxedFetcher(source, theme)


def test_serves_a_file_inside_source(fetcher, project_root):
    path = project_root / "source" / "images" / "photo.png"
    response = fetcher.fetch(path.as_uri())
    assert response.read() == path.read_bytes()
    assert response.headers["Content-Type"] == "image/png"


def test_serves_svg_with_its_media_type(fetcher, project_root):
    path = project_root / "source" / "images" / "stemedix-logo.svg"
    assert fetcher.fetch(path.as_uri()).headers["Content-Type"] == "image/svg+xml"


def test_serves_theme_fonts_with_a_font_media_type(fetcher, project_root):
    path = project_root / "themes" / "classic" / "fonts" / "Literata_400Regular.ttf"
    response = fetcher.fetch(path.as_uri())
    assert response.read() == path.read_bytes()
    assert response.headers["Content-Type"] == "font/ttf"


def test_a_url_in_the_child_theme_finds_the_parent_file(fetcher, project_root):
    # The print page uses the child theme's folder as its base URL; files it only
    # inherits (the mono font, the fallback logo) must still load.
    url = (project_root / "themes" / "classic" / "images" / "logo.svg").as_uri()
    response = fetcher.fetch(url)
    assert response.read() == (project_root / "themes" / "default" / "images" / "logo.svg").read_bytes()


@pytest.mark.parametrize("url", [
    "https://example.org/tracker.png",
    "http://localhost/x.css",
    "ftp://example.org/x.png",
    "file://attacker.example/share/x.png",
])
def test_refuses_anything_but_local_files(fetcher, url):
    with pytest.raises(ResourceRefused, match="refused to fetch"):
        fetcher.fetch(url)


def test_network_urls_are_refused_unless_site_yml_allows_them(fetcher):
    with pytest.raises(ResourceRefused, match="network access is off.*allow_network: true"):
        fetcher.fetch("https://example.org/font.woff2")


def test_data_urls_are_self_contained_and_served(fetcher):
    # An SVG may carry its raster pictures as data: URLs; they reach nothing outside.
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


@pytest.fixture
def web_server(tmp_path):
    """A local HTTP server for the allowed-network tests: /font.txt, and /moved redirects."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()
                return
            self.send_response(200 if self.path == "/font.txt" else 404)
            self.end_headers()
            self.wfile.write(b"served")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_allowed_network_fetches_http_but_still_no_other_files(project_root, web_server):
    source = project_root / "source"
    fetcher = SandboxedFetcher(source, Theme.load(project_root / "themes", "default"),
                               allow_network=True)
    assert fetcher.fetch(f"{web_server}/font.txt").read() == b"served"
    with pytest.raises(ResourceRefused, match="could not fetch"):
        fetcher.fetch(f"{web_server}/missing")
    with pytest.raises(ResourceRefused, match="could not fetch"):
        fetcher.fetch(f"{web_server}/moved")  # redirects are not followed
    with pytest.raises(ResourceRefused, match="outside source/ and the theme"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ResourceRefused, match="refused to fetch"):
        fetcher.fetch("ftp://example.org/x.png")


def test_refuses_local_files_outside_source_and_theme(fetcher, project_root, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    with pytest.raises(ResourceRefused, match="outside source/ and the theme"):
        fetcher.fetch(secret.as_uri())
    with pytest.raises(ResourceRefused):
        fetcher.fetch("file:///etc/passwd")


def test_refuses_dot_dot_escapes_from_source(fetcher, project_root):
    (project_root / "secret.txt").write_text("secret")
    url = (project_root / "source").as_uri() + "/images/../../secret.txt"
    with pytest.raises(ResourceRefused):
        fetcher.fetch(url)


def test_missing_file_inside_source(fetcher, project_root):
    url = (project_root / "source" / "images" / "nothing.png").as_uri()
    with pytest.raises(ResourceRefused, match="file not found"):
        fetcher.fetch(url)


def test_refusal_stops_the_render():
    # WeasyPrint only stops on fatal fetch errors; any other error becomes a warning
    # and the PDF would silently miss the resource.
    assert issubclass(ResourceRefused, FatalURLFetchingError)
