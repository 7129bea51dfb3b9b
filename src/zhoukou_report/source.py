"""The source report as OCR gave it, cleaned into headings and paragraphs.

The newspaper's OCR breaks lines in the middle of words, scatters spaces between
Chinese characters and digits, puts unreadable characters before the first
words and a page marker (``②22``) after the last. Chinese prose has no spaces
between words, so every run of whitespace inside a paragraph is dropped; a
paragraph ends with 。 (a blank line alone does not end one: the OCR also
leaves blank lines inside paragraphs); the section headings stand alone.
"""

from __future__ import annotations

import re

from .model import SourceText

_GARBAGE = re.compile(r"^[\ufffd\ufeff\s]+")
_PAGE_MARKER = re.compile(r"\s*[①-⑳]\d+\s*\Z")
_HEADING = re.compile(r"^(?:亮点[一二三四五六七八九十]+|目标[一二三四五六七八九十]+：.+)$")
_KEYWORD = re.compile(r"^关键词：.+$")
_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH_END = ("。", "！", "？")


def clean_source(raw: str, path: str) -> SourceText:
    """The OCR text as a sequence of ("heading" | "keyword" | "paragraph", text) blocks."""
    text = _PAGE_MARKER.sub("", _GARBAGE.sub("", raw))
    blocks: list[tuple[str, str]] = []
    current = ""
    for raw_line in text.split("\n"):
        line = _WHITESPACE.sub("", raw_line)
        if not line:
            continue
        if not current and _HEADING.match(line):
            blocks.append(("heading", line))
            continue
        if not current and _KEYWORD.match(line):
            blocks.append(("keyword", line))
            continue
        current += line
        if current.endswith(_PARAGRAPH_END):
            blocks.append(("paragraph", current))
            current = ""
    if current:
        blocks.append(("paragraph", current))
    return SourceText(tuple(blocks), path)
