"""The stylesheet as the site ships it: without comments and layout.

templates/static/site.css is written to be read (comments, one declaration a line); every
page loads it, and the 404 page carries it inline, so the site ships it compact: its
comments and the white space that only lays it out removed, nothing else changed. This
keeps the real report's figures pages within the 40 KB a page may weigh
(tests/test_content.py). Quoted strings are kept as written.
"""

from __future__ import annotations

import re

# A quoted string (kept as written), or a comment (read as white space).
_QUOTED_OR_COMMENT = re.compile(r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')|/\*.*?(?:\*/|\Z)""", re.S)
# White space that separates nothing: around braces, semicolons and commas, after a colon.
_LOOSE = re.compile(r" ?([{};,]) ?|(:) ")


def compact_css(text: str) -> str:
    """``text`` without comments, its white space one space where it separates two words
    (``1rem 2rem``, a descendant selector) and none elsewhere, no ``;`` before a ``}``."""
    pieces: list[str] = []
    bare: list[str] = []  # what stands between two quoted strings

    def flush() -> None:
        spaced = re.sub(r"\s+", " ", "".join(bare))
        pieces.append(_LOOSE.sub(lambda m: m.group(1) or m.group(2), spaced))
        bare.clear()

    end = 0
    for match in _QUOTED_OR_COMMENT.finditer(text):
        bare.append(text[end : match.start()])
        end = match.end()
        if match.group(1) is None:
            bare.append(" ")
            continue
        flush()
        pieces.append(match.group(1))
    bare.append(text[end:])
    flush()
    return "".join(pieces).replace(";}", "}").strip()
