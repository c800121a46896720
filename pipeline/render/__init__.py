"""One renderer per format, render(doc, theme, out_dir) -> Path, sharing one Jinja environment per theme."""
