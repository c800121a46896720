"""pipeline.render.theme: layered theme folders, stylesheets per medium, one Jinja environment."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from helpers import REPO
from pipeline.diagnostics import PressroomError
from pipeline.render.theme import Theme, format_date, theme_names


@pytest.fixture
def themes(tmp_path):
    folder = tmp_path / "themes"
    shutil.copytree(REPO / "themes", folder)
    return folder


def child_theme(themes, name, files: dict[str, str], extends: str | None = "default"):
    """A theme folder `name` with `files` (relative path -> text)."""
    folder = themes / name
    folder.mkdir()
    (folder / "theme.yml").write_text(f"extends: {extends}\n" if extends else "name: x\n")
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_theme_names(themes):
    assert {"default", "classic"} <= theme_names(themes)
    (themes / "not-a-theme").mkdir()
    assert "not-a-theme" not in theme_names(themes)


def test_classic_is_layered_over_default(themes):
    theme = Theme.load(themes, "classic")
    assert theme.name == "classic"
    assert theme.dirs == (themes / "classic", themes / "default")


def test_resolve_prefers_the_child_and_falls_back_to_the_parent(themes):
    theme = Theme.load(themes, "classic")
    # Only in default:
    assert theme.resolve("templates/_byline.html") == \
        (themes / "default" / "templates" / "_byline.html").resolve()
    # In both: the child's wins.
    assert theme.resolve("css/tokens.css") == (themes / "classic" / "css" / "tokens.css").resolve()


@pytest.mark.parametrize("relative", ["css/nope.css", "../default/../../etc/passwd",
                                      "../../outside.txt"])
def test_resolve_refuses_missing_files_and_escapes(themes, relative):
    (themes.parent / "outside.txt").write_text("secret")
    theme = Theme.load(themes, "classic")
    with pytest.raises(PressroomError, match="has no file"):
        theme.resolve(relative)


def test_relative_path_maps_files_of_any_layer(themes):
    theme = Theme.load(themes, "classic")
    assert theme.relative_path(themes / "default" / "fonts" / "x.ttf") == "fonts/x.ttf"
    assert theme.relative_path(themes.parent / "elsewhere.ttf") is None


def test_options_of_the_child_override_the_parent(themes):
    child_theme(themes, "wide", {})
    (themes / "wide" / "theme.yml").write_text("extends: default\noptions:\n  toc_min_sections: 9\n")
    assert Theme.load(themes, "wide").options["toc_min_sections"] == 9
    assert Theme.load(themes, "default").options["toc_min_sections"] == 4


@pytest.mark.parametrize("medium", ["screen", "print", "epub"])
def test_stylesheets_inline_their_partials(themes, medium):
    css = Theme.load(themes, "default").stylesheet(medium)
    assert "@import" not in css
    assert "--font-body" in css          # from tokens.css
    assert "@font-face" in css           # from fonts.css
    assert ".byline" in css              # from byline.css


def test_classic_print_stylesheet_uses_its_own_tokens_and_fonts(themes):
    css = Theme.load(themes, "classic").stylesheet("print")
    assert "@import" not in css
    assert "Literata" in css
    assert '--font-body: "Literata"' in css
    assert "Atkinson Hyperlegible Next" not in css  # default's tokens.css was overridden
    assert "@bottom-right" in css                   # print.css itself comes from default


def test_unknown_medium_is_refused(themes):
    with pytest.raises(ValueError):
        Theme.load(themes, "default").stylesheet("tv")


def test_stylesheet_files_lists_the_fonts_relative_to_the_theme(themes):
    theme = Theme.load(themes, "classic")
    files = theme.stylesheet_files(theme.stylesheet("epub"))
    assert "fonts/Literata_400Regular.ttf" in files
    assert "fonts/AtkinsonHyperlegibleMono_400Regular.ttf" in files
    assert len(files) == len(set(files))
    for name in files:
        theme.resolve(name)  # every one exists in some layer


def test_a_partial_imported_twice_is_not_a_cycle(themes):
    """Two partials may both import tokens.css; that is not a file importing itself."""
    child_theme(themes, "diamond", {
        "css/print.css": '@import "tokens.css";\n@import "extra.css";\nbody { margin: 0; }\n',
        "css/extra.css": '@import "tokens.css";\n.extra { color: var(--color-text); }\n',
    })
    css = Theme.load(themes, "diamond").stylesheet("print")
    assert ".extra" in css and "--color-text" in css and "@import" not in css


def test_an_import_cycle_is_an_error_not_a_recursion(themes):
    child_theme(themes, "loop", {
        "css/print.css": '@import "a.css";\n',
        "css/a.css": '@import "print.css";\n',
    })
    with pytest.raises(PressroomError, match="imports itself"):
        Theme.load(themes, "loop").stylesheet("print")


def test_unknown_theme_names_the_available_ones(themes):
    with pytest.raises(PressroomError) as caught:
        Theme.load(themes, "modern")
    message = str(caught.value)
    assert "theme 'modern' not found" in message
    assert "classic" in message and "default" in message


def test_unknown_parent_theme(themes):
    child_theme(themes, "orphan", {}, extends="missing-parent")
    with pytest.raises(PressroomError, match="theme 'missing-parent' not found"):
        Theme.load(themes, "orphan")


def test_a_theme_that_extends_itself(themes):
    child_theme(themes, "ouroboros", {}, extends="ouroboros")
    with pytest.raises(PressroomError, match="extends itself"):
        Theme.load(themes, "ouroboros")


def test_themes_that_extend_each_other(themes):
    child_theme(themes, "ping", {}, extends="pong")
    child_theme(themes, "pong", {}, extends="ping")
    with pytest.raises(PressroomError):
        Theme.load(themes, "ping")


def test_malformed_theme_yml(themes):
    child_theme(themes, "broken", {})
    (themes / "broken" / "theme.yml").write_text("extends: [default\n")
    with pytest.raises(PressroomError, match="broken.theme.yml: malformed YAML"):
        Theme.load(themes, "broken")


def test_environment_autoescapes_values(themes):
    env = Theme.load(themes, "default").env
    out = env.from_string("<p>{{ value }}</p>").render(value='<script>alert("x")</script>')
    assert "<script>" not in out
    assert "&lt;script&gt;" in out


def test_environment_fails_on_undefined_variables(themes):
    theme = Theme.load(themes, "default")
    with pytest.raises(PressroomError, match="byline|doc"):
        theme.render_template("_byline.html")  # no `doc` in the context


def test_missing_template(themes):
    with pytest.raises(PressroomError, match="no template 'nothing.html'"):
        Theme.load(themes, "default").render_template("nothing.html")


@pytest.mark.parametrize("entry", ["_byline.html", "wrap.html"])
def test_template_syntax_error_names_the_file_and_line(themes, entry):
    child_theme(themes, "broken", {
        "templates/_byline.html": '<div class="byline">\n<p>{{ who }}</p>\n{% endfor %}\n</div>\n',
        "templates/wrap.html": '<main>\n{% include "_byline.html" %}\n</main>\n',
    })
    theme = Theme.load(themes, "broken")
    with pytest.raises(PressroomError) as caught:
        theme.render_template(entry, who="x")
    message = str(caught.value)
    assert "theme 'broken'" in message
    assert str(themes / "broken" / "templates" / "_byline.html") in message
    assert "line 3" in message
    assert "endfor" in message


def test_template_in_child_overrides_parent(themes):
    child_theme(themes, "custom", {"templates/_byline.html": "<p class='custom'>{{ who }}</p>"})
    out = Theme.load(themes, "custom").render_template("_byline.html", who="<Jane>")
    assert out == "<p class='custom'>&lt;Jane&gt;</p>"


@pytest.mark.parametrize("lang, expected", [
    ("en-US", "March 4, 2026"),
    ("EN-us", "March 4, 2026"),
    ("en-GB", "4 March 2026"),
    ("en", "4 March 2026"),
])
def test_format_date(lang, expected):
    assert format_date(dt.date(2026, 3, 4), lang) == expected


def test_longdate_filter_is_registered(themes):
    env = Theme.load(themes, "default").env
    assert env.from_string("{{ d | longdate('en-US') }}").render(d=dt.date(2026, 11, 25)) == \
        "November 25, 2026"
