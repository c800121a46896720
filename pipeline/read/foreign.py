"""Syntax of other publishing tools that Markdown shows as text: found, so it is not lost
silently.

Pages written for Hexo, Jekyll or Hugo carry their generator's template tags
(`{% youtube ID %}`, `{% blockquote %}`, `{{< figure >}}`). Pressroom cannot run them, so
they stay in the text as written; `template_tags` finds each one in a block of text, so
the reader can warn with its line and column and say what to write instead.
"""

from __future__ import annotations

import re

from .sanitise import Notice

# {% name ... %} (Hexo, Jekyll/Liquid, Nunjucks) and {{< name ... >}} / {{% name %}} (Hugo).
_TAG = re.compile(r"\{%-?\s*(?P<liquid>[A-Za-z_][\w-]*)[^\n]*?-?%\}"
                  r"|\{\{[<%]\s*/?\s*(?P<hugo>[A-Za-z_][\w-]*)[^\n]*?[>%]\}\}")
_INSTEAD = {
    "youtube": "a video link alone on its line, e.g. https://youtu.be/VIDEO-ID",
    "vimeo": "a video link alone on its line, e.g. https://vimeo.com/VIDEO-ID",
    "blockquote": "a Markdown quote: start each line with '> '",
    "quote": "a Markdown quote: start each line with '> '",
    "pullquote": "a Markdown quote: start each line with '> '",
    "codeblock": "a fenced code block: ``` on the lines before and after the code",
    "code": "a fenced code block: ``` on the lines before and after the code",
    "highlight": "a fenced code block: ``` on the lines before and after the code",
    "img": "a Markdown image: ![what it shows](images/name.jpg)",
    "image": "a Markdown image: ![what it shows](images/name.jpg)",
    "figure": "a Markdown image: ![what it shows](images/name.jpg)",
    "link": "a Markdown link: [text](https://...)",
    "post_link": "a link to the other source: [text](other-slug.md)",
    "include": "paste the text it includes",
}


# A video tag alone on its line: {% youtube ID %} (Hexo, Jekyll), {{< youtube ID >}} (Hugo).
_VIDEO_TAG = re.compile(r"^(?P<indent> {0,3})(?:\{%-?\s*(?P<liquid>youtube|vimeo)\s+(?P<lid>[\w-]+)[^\n%]*-?%\}"
                        r"|\{\{<\s*(?P<hugo>youtube|vimeo)\s+(?:id=)?\"?(?P<hid>[\w-]+)\"?\s*>\}\})"
                        r"[ \t]*$", re.IGNORECASE)
_WATCH = {"youtube": "https://www.youtube.com/watch?v={}", "vimeo": "https://vimeo.com/{}"}


def video_tags_as_links(body: str) -> str:
    """`body` with each video tag of another tool alone on its line written as the video's
    link alone on its line, which Pressroom makes a video block: the video is carried,
    not shown as a tag. Lines keep their numbers."""
    lines, fenced = body.split("\n"), False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced  # a tag shown in a code block stays as typed
        elif not fenced and (match := _VIDEO_TAG.match(line)):
            host = (match["liquid"] or match["hugo"]).lower()
            lines[index] = match["indent"] + _WATCH[host].format(match["lid"] or match["hid"])
    return "\n".join(lines)


def template_tags(text: str) -> list[Notice]:
    """Every template tag of another tool in `text` (one block of running text), with its
    offset: it is published as the text it is, with a warning."""
    notices = []
    for match in _TAG.finditer(text):
        name = (match["liquid"] or match["hugo"]).lower()
        if name.startswith("end"):
            continue  # '{% endblockquote %}': reported with its opening tag
        instead = _INSTEAD.get(name, "the same content in Markdown, or delete it")
        notices.append(Notice(match.start(), f"the template tag '{match[0]}' of another "
                              "publishing tool cannot be carried: it is published as text",
                              f"write {instead}", rule="template-tag"))
    return notices
