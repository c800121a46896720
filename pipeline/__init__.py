"""Pressroom: one Markdown source, three formats (web page, PDF, EPUB)."""

__version__ = "0.1.0"
