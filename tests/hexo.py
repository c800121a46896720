"""Import Hexo posts into a Pressroom project: what a user moving from Hexo would do.

Hexo's front matter is mapped to ours (title, or one made from the file name; the date;
tags and categories as keywords; the photos of a gallery appended as images; a
description and an author, which Hexo does not ask for), and Hexo's site-root asset
paths (`/assets/x.jpg`) become paths under source/images/. The bodies are otherwise
left as written: whatever Pressroom cannot carry must be reported when published.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import yaml
from PIL import Image

HEXO_CORPUS = Path(__file__).resolve().parent / "fixtures" / "hexo-theme-unit-test"
AUTHOR = "becky-palmer"
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_KANA = re.compile("[\u3040-\u30ff]")
_HAN = re.compile("[\u4e00-\u9fff]")


def hexo_posts() -> list[Path]:
    source = HEXO_CORPUS / "source"
    return sorted([*source.glob("_posts/*.md"), *source.glob("page/*.md")])


def hexo_slug(path: Path) -> str:
    """The post's file name, or its folder's for a page (page/index.md is 'page')."""
    return path.parent.name if path.stem == "index" else path.stem


def import_post(path: Path, source_dir: Path) -> Path:
    """Write `path` as source/<slug>.md with Pressroom's front matter; returns the file."""
    text = path.read_text(encoding="utf-8")
    text = text[4:] if text.startswith("---\n") else text  # Hexo allows either
    front_text, _, body = text.partition("\n---\n")
    front = yaml.safe_load(front_text) or {}
    slug = hexo_slug(path)
    title = str(front.get("title") or slug.replace("-", " ").capitalize()).strip()
    date = _date(front.get("date"))
    keywords = [str(k) for key in ("tags", "categories") for k in (front.get(key) or [])]
    photos = [_local(str(photo)) for photo in front.get("photos") or []]
    body = _local(body)
    if photos:
        body += "\n\n" + "\n\n".join(f"![Gallery photo {n}]({photo})"
                                     for n, photo in enumerate(photos, start=1))
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}",
             f"description: {json.dumps(f'{title}: a post of the Hexo theme unit test.', ensure_ascii=False)}",
             f"date: {date.isoformat()}", f"authors: [{AUTHOR}]"]
    if keywords:
        lines.append(f"keywords: {json.dumps(keywords, ensure_ascii=False)}")
    lang = "ja" if _KANA.search(title + body) else "zh" if _HAN.search(title) else None
    if lang:
        lines.append(f"lang: {lang}")
    target = source_dir / f"{slug}.md"
    target.write_text("\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    return target


def import_corpus(source_dir: Path) -> dict[str, Path]:
    """Every post of the corpus as a source of `source_dir`, and the gallery's images
    (drawn small: the wallpapers are not kept in the repository). {slug: Hexo file}"""
    images = source_dir / "images"
    images.mkdir(parents=True, exist_ok=True)
    for name, size in (("wallpaper-2572384.jpg", (96, 54)), ("wallpaper-2311325.jpg", (54, 96)),
                       ("wallpaper-878514.jpg", (128, 36))):
        Image.new("RGB", size, (30, 90, 120)).save(images / name, "JPEG")
    posts = {}
    for path in hexo_posts():
        import_post(path, source_dir)
        posts[hexo_slug(path)] = path
    return posts


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.search(str(value or ""))
    return dt.date(*map(int, match.groups())) if match else dt.date(2013, 12, 24)


def _local(text: str) -> str:
    """Hexo's site-root asset paths as paths under source/images/."""
    return re.sub(r"(?<![\w/.])/assets/", "images/", text)
