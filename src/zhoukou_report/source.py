"""The source report as OCR gave it, cleaned into headings and paragraphs.

The newspaper's OCR breaks lines in the middle of words, scatters spaces between
Chinese characters and digits, puts unreadable characters before the first
words and a page marker (``②22``) after the last. Chinese prose has no spaces
between words, so every run of whitespace inside a paragraph is dropped; a
paragraph ends with 。 (a blank line alone does not end one: the OCR also
leaves blank lines inside paragraphs); the section headings stand alone.

``source_blocks`` is the cleaning itself, with the line each block starts on: the
source page shows its blocks, and ``importer`` splits a new report's text by them.
"""

from __future__ import annotations

import re

from .model import SourceText

_GARBAGE = re.compile(r"^[\ufffd\ufeff\s]+")
_PAGE_MARKER = re.compile(r"\s*[①-⑳]\d+\s*\Z")
_NUMERAL = "[一二三四五六七八九十]+"
# 亮点一, 目标一：…, and a short numbered heading without a full stop: 一、坚持党的领导.
_HEADING = re.compile(
    rf"^(?:亮点{_NUMERAL}(?:：.+)?|目标{_NUMERAL}：.+|{_NUMERAL}、[^，。；！？]{{1,24}})$"
)
_KEYWORD = re.compile(r"^关键词：.+$")
_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH_END = ("。", "！", "？")


def clean_source(raw: str, path: str) -> SourceText:
    """The OCR text as a sequence of ("heading" | "keyword" | "paragraph", text) blocks."""
    return SourceText(tuple((kind, text) for kind, text, _ in source_blocks(raw)), path)


def source_blocks(raw: str) -> list[tuple[str, str, int]]:
    """The blocks of ``clean_source``, each with the 1-based line of the text it starts on."""
    garbage = _GARBAGE.match(raw)
    skipped = garbage.group().count("\n") if garbage else 0
    text = _PAGE_MARKER.sub("", raw[garbage.end() if garbage else 0 :])
    blocks: list[tuple[str, str, int]] = []
    current, start = "", 0
    for number, raw_line in enumerate(text.split("\n"), start=skipped + 1):
        line = _WHITESPACE.sub("", raw_line)
        if not line:
            continue
        if not current and _HEADING.match(line):
            blocks.append(("heading", line, number))
            continue
        if not current and _KEYWORD.match(line):
            blocks.append(("keyword", line, number))
            continue
        if not current:
            start = number
        current += line
        if current.endswith(_PARAGRAPH_END):
            blocks.append(("paragraph", current, start))
            current = ""
    if current:
        blocks.append(("paragraph", current, start))
    return blocks
