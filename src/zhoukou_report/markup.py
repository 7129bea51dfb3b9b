"""Markdown to HTML: figure references, Chinese line breaks, and an allowlist for raw HTML.

``[[figure-id]]`` in the Markdown of either language becomes the figure's number,
written the way that language writes it, marked up as ``<data value="18000">`` and
linked to the figure's row on the figures page.

Python-Markdown keeps a line break inside a paragraph as a newline, which the
browser shows as a space. Chinese has no spaces between words, so on Chinese
pages a line break next to a Chinese character is dropped instead.

A text that is nothing but paragraphs of prose is made into HTML here, directly; any
other goes through Python-Markdown (pymarkdown.py) with only the inline patterns its
characters call for, and the sanitiser. Either way the figures are placed afterwards,
so that a text's HTML can be kept while its figures change. A property test holds the
quick ways to the output of the full one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import escape

from .cache import code_version, digest, keep
from .errors import ContentError
from .model import Figure

if TYPE_CHECKING:
    import markdown

# [[id]]: what an editor types. Anything between the brackets is taken, so that a
# misspelt or empty id is reported rather than left on the page as text.
FIGURE_REF = re.compile(r"\[\[([^\[\]\n]*)\]\]")

# Chinese text: CJK radicals, symbols and punctuation, kana, bopomofo, ideographs,
# compatibility ideographs, vertical and fullwidth forms; and the quotation marks, dash,
# ellipsis and middle dot that Chinese prose shares with Latin text.
_CJK_RANGES = (
    (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3040, 0x30FF), (0x3100, 0x312F), (0x3190, 0x31FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
)  # fmt: skip
_CJK_MARKS = "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "data",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "ins",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "title"},
    "a": {"href"},
    "data": {"value"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


class FigureContext:
    """What a figure reference needs to render: the figures, the language, where they link."""

    def __init__(
        self,
        figures: Mapping[str, Figure],
        lang: str,
        link: Callable[[Figure], str],
        anchored: set[str] | None = None,
    ):
        self.figures = figures
        self.lang = lang
        self.link = link
        # Figures already given an anchor on this page: the first reference to each
        # carries id="ref-<figure id>", the place the open data points to.
        self.anchored = set() if anchored is None else anchored


def reference_anchor(figure_id: str) -> str:
    """The id of a figure's first reference in the prose of a page."""
    return f"ref-{figure_id}"


# While Markdown converts a text, each [[id]] stands in it as this token, made of two
# private-use characters that no Markdown syntax gives a meaning to; the figure's markup
# replaces it afterwards. So the HTML of a text does not depend on the figures, and a
# text is converted once however often its figures are corrected.
_TOKEN = re.compile("\ue000([^\ue001]*)\ue001")
# Where a token is not prose: inside a tag (an attribute) or a code span, the reference
# is left as the editor typed it.
_TOKEN_PLACES = re.compile("(<code[\\s>].*?</code>|<[^>]*>)|\ue000([^\ue001]*)\ue001", re.S)

# The characters each of Python-Markdown's inline patterns needs to find anything (the
# hard line break, two spaces before a line break, is looked for apart: a tab, which
# Markdown expands to spaces, may make one). A text is converted with only the patterns
# its characters call for: trying every pattern on every piece of text is most of the
# cost of converting prose, and a text whose only syntax is *emphasis* (or a list) needs
# one pattern of fourteen. A pattern not named here is always kept.
_PATTERN_NEEDS = {
    "backtick": "`",
    "escape": "\\",
    "reference": "[",
    "link": "[",
    "image_link": "[",
    "image_reference": "[",
    "short_reference": "[",
    "short_image_ref": "[",
    "autolink": "<",
    "automail": "<",
    "html": "<",
    "entity": "&",
    "em_strong": "*_",
}

# What takes a text out of plain paragraphs: inline syntax; a line that is indented,
# starts a block (heading, quote, list, rule, table, HTML) or ends in a space; a tab,
# which Markdown expands; a control character or line separator; a no-break space,
# which the sanitiser writes as &nbsp;.
_NOT_PLAIN = re.compile(
    r"[\\`*_\[\]!<>&\t\x00-\x08\x0b-\x1f\x7f\x85\xa0\u2028\u2029]"
    r"|^[ #=+|:-]|^\d+[.)]|[ ]$",
    re.M,
)


def join_lines(text: str) -> str:
    """A Chinese text's soft line breaks dropped, or made spaces between Latin words."""

    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if not before or not after or _joins(before) or _joins(after):
            return ""
        return " "

    return _LINE_BREAK.sub(replace, text)


def _joins(char: str) -> bool:
    """Whether a line break beside this character is dropped: beside Chinese, and beside a
    figure reference (a figure is written without spaces around it in Chinese:
    ``召开[[sessions]]次会议``). Ranges, not a regular expression: compiling a character
    class this large costs more than converting every text of the site."""
    code = ord(char)
    return (
        any(low <= code <= high for low, high in _CJK_RANGES)
        or char in _CJK_MARKS
        or char in "\ue000\ue001"
    )


class Renderer:
    """Markdown converters made once and reused for every text; raw HTML is cleaned to an
    allowlist; figure references are placed after the conversion.

    A text converted before is not converted again: in this process (``serve`` rebuilds
    after one edit convert only the texts that the edit changed), and, given a ``folder``,
    between runs: a text that needs Python-Markdown is kept there as HTML (its figures
    still to be placed, so that correcting a figure keeps it), under a hash of the text
    and of the code that converts it. Python-Markdown is imported only to convert a
    text that is in neither place.
    """

    MEMORY = 2048  # texts remembered; more than a site of a thousand pages holds

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.converters: dict[tuple[bool, frozenset[str] | None], markdown.Markdown] = {}
        self.converted: dict[tuple[bool, str], str] = {}
        self._code: str | None = None

    def convert(self, text: str, context: FigureContext) -> str:
        """A Markdown text as HTML, its ``[[id]]`` references as the figures of ``context``
        (one to a figure it does not have is an error, unless shown as written)."""
        chinese = context.lang.startswith("zh")
        tokens = _tokens(text)
        html = self.converted.get((chinese, tokens))
        if html is None:
            html = _plain_paragraphs(tokens, chinese)
            if html is None:
                html = self._kept_or_converted(tokens, chinese)
            if len(self.converted) >= self.MEMORY:
                self.converted.clear()
            self.converted[chinese, tokens] = html
        return _place_figures(html, context) if "\ue000" in html else html

    def _kept_or_converted(self, text: str, chinese: bool) -> str:
        if self.folder is None:
            return self._convert(text, chinese)
        file = self.folder / f"{digest(self._code_version(), str(chinese), text)}.html"
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, ValueError):
            pass
        html = self._convert(text, chinese)
        keep(file, lambda out: out.write(html.encode("utf-8")))
        return html

    def _code_version(self) -> str:
        """What the HTML of a text depends on besides the text: the code of this module and
        of pymarkdown.py, and the installed Python-Markdown and nh3."""
        if self._code is None:
            self._code = code_version(("markup.py", "pymarkdown.py"), ("markdown", "nh3"))
        return self._code

    def _convert(self, text: str, chinese: bool) -> str:
        import nh3

        md = self._converter(chinese, _inline_patterns(text))
        md.reset()
        try:
            html = md.convert(text)
        except RecursionError as e:
            message = "the text is nested too deeply to read (lists or quotes inside each other)"
            raise ContentError(message) from e
        return nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=ALLOWED_SCHEMES,
            link_rel=None,
        )

    def _converter(self, chinese: bool, patterns: frozenset[str] | None) -> markdown.Markdown:
        """The converter for Chinese or other text, with only the named inline patterns of
        ``_PATTERN_NEEDS`` (and any other), or with all of them (None)."""
        md = self.converters.get((chinese, patterns))
        if md is None:
            from .pymarkdown import converter

            known = {*_PATTERN_NEEDS, "linebreak"}
            unwanted = known - patterns if patterns is not None else set()
            md = self.converters[chinese, patterns] = converter(chinese, unwanted)
        return md


def _inline_patterns(text: str) -> frozenset[str]:
    """The inline patterns of ``_PATTERN_NEEDS`` that could find something in a text, once
    Markdown has normalised it as it does (removing STX and ETX, making CR a line break)."""
    prose = text.replace("\x02", "").replace("\x03", "").replace("\r", "\n")
    needed = {name for name, chars in _PATTERN_NEEDS.items() if any(c in prose for c in chars)}
    if "  \n" in prose or "\t" in prose:
        needed.add("linebreak")
    return frozenset(needed)


def _plain_paragraphs(text: str, chinese: bool) -> str | None:
    """The HTML of a text that is nothing but paragraphs of plain prose, made as
    Python-Markdown and the sanitiser make it, in a fraction of the time (a property test
    holds the two to the same output); None for any other text."""
    if _NOT_PLAIN.search(text):
        return None
    blocks = _PARAGRAPH_BREAK.split(text.strip("\n")) if text.strip("\n") else []
    if chinese:
        blocks = [join_lines(block) for block in blocks]
    return "\n".join(f"<p>{block}</p>" for block in blocks)


_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def _place_figures(html: str, context: FigureContext) -> str:
    """Each figure token of converted HTML as the figure, linked to its row on the figures
    page; the first reference to a figure on a page carries its anchor."""

    def place(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return _TOKEN.sub(lambda token: f"[[{token.group(1)}]]", match.group(1))
        figure = context.figures.get(match.group(2))
        if figure is None:
            raise ContentError(f'unknown figure "{match.group(2)}"', field="[[…]]")
        anchor = ""
        if figure.id not in context.anchored:
            context.anchored.add(figure.id)
            anchor = f' id="{reference_anchor(figure.id)}"'
        return (
            f'<a class="fig" href="{escape(context.link(figure))}"{anchor}>'
            f'<data value="{escape(figure.data_value)}">{escape(figure.text(context.lang))}'
            "</data></a>"
        )

    return _TOKEN_PLACES.sub(place, html)


def figure_references(text: str) -> Iterator[tuple[str, int]]:
    """Every ``[[id]]`` of a Markdown text that shows as a figure, with its 0-based line
    within the text.

    One in a code span or block, a link's address or raw HTML shows as it is written,
    and is none. Which those are, Markdown itself says, for the few texts that have such
    syntax: the text is converted and its figure tokens looked for, as when it is shown.
    """
    shown = None
    if "[[" in text and _LITERAL_SYNTAX.search(text):
        shown = _shown_ids(_tokens(text))
    for match in FIGURE_REF.finditer(text):
        figure_id = match.group(1).strip()
        if shown is None or figure_id in shown:
            yield figure_id, text.count("\n", 0, match.start())


# Markdown that may show a [[id]] as it is written: code (a span, or a block: indented by
# four columns, after a tab or four spaces, at the start of a line or inside a quote or a
# list), raw HTML or an autolink, a link's address, a link definition.
_LITERAL_SYNTAX = re.compile(r"[`<\t]|    |\]\s*[(:]")


@lru_cache(maxsize=256)
def _shown_ids(tokens: str) -> frozenset[str]:
    """The ids of a tokenised text's figures that its HTML shows as figures. Kept: the
    checks, the open data and serve's rebuilds ask again about the same texts."""
    html = Renderer()._convert(tokens, chinese=False)
    return frozenset(m.group(2) for m in _TOKEN_PLACES.finditer(html) if m.group(2) is not None)


def _tokens(text: str) -> str:
    """The text with each ``[[id]]`` as a token (see ``_TOKEN``)."""
    return FIGURE_REF.sub(lambda m: f"\ue000{m.group(1).strip()}\ue001", text)
