"""Reading the inputs into frozen models: site, people, front matter, Markdown, raw HTML, images (writes nothing)."""
