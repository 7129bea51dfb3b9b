"""Markdown to HTML: figure references, Chinese line breaks, and an allowlist for raw HTML.

``[[figure-id]]`` in the Markdown of either language becomes the figure's number,
written the way that language writes it in running text (``Figure.prose_text``),
marked up as ``<data value="18000">`` and linked to the figure's row on the figures page.

Python-Markdown keeps a line break inside a paragraph as a newline, which the
browser shows as a space. Chinese has no spaces between words, so on Chinese
pages a line break next to a Chinese character is dropped instead.

Raw HTML in the Markdown is cleaned to an allowlist (nh3).

Python-Markdown takes time out of all proportion on some texts (a long line of unclosed
brackets, lists nested thousands deep): ``check_limits`` refuses a Markdown file longer
than ``MAX_CHARS``, a line longer than ``MAX_LINE_CHARS`` and lists or quotes nested more
than ``MAX_DEPTH`` deep, before it is converted, so that no file takes more than a few
seconds. The real report's longest page is some 3,000 characters, its longest line 912.

A text that is nothing but paragraphs of prose is made into HTML directly, as
Python-Markdown and the sanitiser would make it (a property test holds the two to the
same output): the 10,000-page row of benchmarks/run.py fails converting every text with
Python-Markdown.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator, Mapping

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.treeprocessors import Treeprocessor
from markupsafe import escape

from .errors import ContentError
from .i18n import _
from .model import Figure, reference_anchor

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


MAX_CHARS = 20_000  # a Markdown file
MAX_LINE_CHARS = 2_000
MAX_DEPTH = 16  # lists and quotes inside each other (with every 4 columns of indentation)
_CONTAINERS = re.compile(r"[ \t]*(?:>|[-+*](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$))")


def check_limits(text: str, path: str, first_line: int = 1) -> None:
    """ContentError if a Markdown file's ``text`` (whose first line is ``first_line`` of the
    file at ``path``) is too long, has too long a line, or nests too deeply to convert."""
    for number, line in enumerate(text.split("\n"), start=first_line):
        if len(line) > MAX_LINE_CHARS:
            message = _(
                "the line is {length} characters long, more than the {limit} a line may have"
            )
            raise ContentError(
                message.format(length=f"{len(line):,}", limit=f"{MAX_LINE_CHARS:,}"),
                path=path,
                line=number,
                hint=_("break it into paragraphs with an empty line between them"),
            )
        depth = _depth(line)
        if depth > MAX_DEPTH:
            message = _(
                "lists or quotes are nested {depth} deep here, more than the {limit} allowed"
            )
            raise ContentError(
                message.format(depth=depth, limit=MAX_DEPTH),
                path=path,
                line=number,
                hint=_("nest them less deeply"),
            )
    if len(text) > MAX_CHARS:
        message = _("the page is {length} characters long, more than the {limit} a page may have")
        raise ContentError(
            message.format(length=f"{len(text):,}", limit=f"{MAX_CHARS:,}"),
            path=path,
            hint=_("split it into several pages, or shorten it"),
        )


def _depth(line: str) -> int:
    """How deep a line is nested: its list markers and quote marks, and every four columns
    of indentation."""
    stripped = line.lstrip(" \t")
    indent = line[: len(line) - len(stripped)].expandtabs(4)
    markers, at = 0, 0
    while match := _CONTAINERS.match(line, at):
        markers += 1
        at = match.end()
        if markers > MAX_DEPTH:
            break
    return markers + len(indent) // 4


class FigureContext:
    """What a figure reference needs to render: the figures, the language, where they link;
    and, for pages, what a tap on the figure shows (``note``: the HTML inside its popover).
    Without a note, a figure is a link to its row on the figures page. The popovers of a
    text are collected in ``notes``, to be placed after it: outside its paragraphs, whose
    text stays the prose alone (and where a browser without popovers shows them as notes)."""

    def __init__(
        self,
        figures: Mapping[str, Figure],
        lang: str,
        link: Callable[[Figure], str],
        anchored: set[str] | None = None,
        corrected: str = "",
        note: Callable[[Figure], str] | None = None,
    ):
        self.figures = figures
        self.lang = lang
        self.link = link
        self.corrected = corrected  # the mark of a corrected figure: "已更正"
        # Figures already given an anchor on this page: the first reference to each
        # carries id="ref-<figure id>", the place the open data points to. The ids of the
        # page's figure notes are kept here too ("note-…"), each used once.
        self.anchored = set() if anchored is None else anchored
        self.note = note
        self.notes: list[str] = []

    def note_id(self, figure: Figure) -> str:
        """An id for a note of this figure not yet used on the page."""
        base = f"note-{figure.id}"
        note_id, n = base, 1
        while note_id in self.anchored:
            n += 1
            note_id = f"{base}-{n}"
        self.anchored.add(note_id)
        return note_id


def number_html(
    figure: Figure, lang: str, unit: bool = True, prose: bool = False, mark: str = ""
) -> str:
    """The figure's number, with its unit unless ``unit`` is false, as one piece that never
    breaks across lines: ``<span class="num"><data value="18000">1.8万</data><span
    class="unit">人次</span></span>``, or ``<data class="num" value="232">232</data>``
    without a unit. Words before the number (English "more than") stay outside it, free to
    wrap; a hyphenated English unit may wrap at its hyphen. ``prose``: as running text
    writes it (English spells out one to nine). ``mark``: the word that marks a corrected
    figure ("已更正"), shown after it if it was corrected."""
    text = figure.prose_text(lang) if prose else figure.text(lang)
    words, _, number = text.rpartition(" ")
    before = f"{escape(words)} " if words else ""
    value = escape(figure.data_value)
    unit_text = figure.unit_text(lang) if unit else ""
    after = ""
    if mark and figure.correction is not None:
        after = f'<sup class="correction-mark">[{escape(mark)}]</sup>'
    if not unit_text:
        return f'{before}<data class="num" value="{value}">{escape(number)}</data>{after}'
    space = "" if lang.startswith("zh") else " "
    return (
        f'{before}<span class="num"><data value="{value}">{escape(number)}</data>'
        f'{space}<span class="unit">{escape(unit_text)}</span></span>{after}'
    )


# While Markdown converts a text, each [[id]] stands in it as this token, made of two
# private-use characters that no Markdown syntax gives a meaning to; the figure's markup
# replaces it afterwards, where the HTML shows the token as prose (``_TOKEN_PLACES``).
_TOKEN = re.compile("\ue000([^\ue001]*)\ue001")
# Where a token is not prose: inside a tag (an attribute) or a code span, the reference
# is left as the editor typed it.
_TOKEN_PLACES = re.compile("(<code[\\s>].*?</code>|<[^>]*>)|\ue000([^\ue001]*)\ue001", re.S)
# A token in prose, and the text after it, up to the next tag or token: where the figure's
# measure word or unit follows it (``[[stations]]个``), the two are kept together.
_TOKEN_AND_AFTER = re.compile(
    "(<code[\\s>].*?</code>|<[^>]*>)|\ue000([^\ue001]*)\ue001([^<\ue000]{0,40})", re.S
)


# What takes a text out of plain paragraphs: inline syntax; a line that is indented,
# starts a block (heading, quote, list, rule, table, HTML) or ends in a space; a tab,
# which Markdown expands; a control character or line separator; a no-break space,
# which the sanitiser writes as &nbsp;.
_NOT_PLAIN = re.compile(
    r"[\\`*_\[\]!<>&\t\x00-\x08\x0b-\x1f\x7f\x85\xa0\u2028\u2029]"
    r"|^[ #=+|:-]|^\d+[.)]|[ ]$",
    re.M,
)
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


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
    """Markdown converters, made once and reused for every text: one for Chinese text, one
    for any other. Raw HTML is cleaned to an allowlist; figure references are placed after
    the conversion.

    A renderer that ``keeps`` (serve's, from one rebuild to the next) keeps the HTML of each
    text it converted, before its figures are placed, and converts again only the texts an
    edit changed: serve's rebuild row of benchmarks/run.py fails without."""

    KEPT = 4096  # texts kept at most: more than a site of a thousand pages holds

    def __init__(self, keeps: bool = False) -> None:
        self.converters: dict[bool, markdown.Markdown] = {}
        self.converted: dict[tuple[bool, str], str] | None = {} if keeps else None

    def convert(self, text: str, context: FigureContext) -> str:
        """A Markdown text as HTML, its ``[[id]]`` references as the figures of ``context``
        (one to a figure it does not have is an error, unless shown as written)."""
        html = self.html(_tokens(text), context.lang.startswith("zh"))
        return _place_figures(html, context) if "\ue000" in html else html

    def html(self, text: str, chinese: bool) -> str:
        """A text as clean HTML, its figure tokens left in place."""
        if not _NOT_PLAIN.search(text):
            return _plain_paragraphs(text, chinese)
        if self.converted is None:
            return self._converted(text, chinese)
        html = self.converted.get((chinese, text))
        if html is None:
            if len(self.converted) >= self.KEPT:
                self.converted.clear()
            html = self.converted[chinese, text] = self._converted(text, chinese)
        return html

    def _converted(self, text: str, chinese: bool) -> str:
        """A text through Python-Markdown and the sanitiser."""
        md = self.converters.get(chinese)
        if md is None:
            md = self.converters[chinese] = _converter(chinese)
        md.reset()
        try:
            html = md.convert(text)
        except RecursionError as e:
            message = _("the text is nested too deeply to read (lists or quotes inside each other)")
            raise ContentError(message) from e
        return nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=ALLOWED_SCHEMES,
            link_rel=None,
        )


def _plain_paragraphs(text: str, chinese: bool) -> str:
    """The HTML of a text that is nothing but paragraphs of plain prose."""
    blocks = _PARAGRAPH_BREAK.split(text.strip("\n")) if text.strip("\n") else []
    if chinese:
        blocks = [join_lines(block) for block in blocks]
    return "\n".join(f"<p>{block}</p>" for block in blocks)


def _place_figures(html: str, context: FigureContext) -> str:
    """Each figure token of converted HTML as the figure, linked to its row on the figures
    page; the first reference to a figure on a page carries its anchor."""

    lang = context.lang

    def place(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return _TOKEN.sub(lambda token: f"[[{token.group(1)}]]", match.group(1))
        figure = context.figures.get(match.group(2))
        if figure is None:
            raise ContentError(_('unknown figure "{id}"').format(id=match.group(2)), field="[[…]]")
        unit, after = _unit_after(figure, lang, match.group(3) or "")
        anchor = ""
        if figure.id not in context.anchored:
            context.anchored.add(figure.id)
            anchor = f' id="{reference_anchor(figure.id)}"'
        number = number_html(figure, lang, unit, prose=True, mark=context.corrected)
        if context.note is None:
            href = escape(context.link(figure))
            return f'<a class="fig" href="{href}"{anchor}>{number}</a>{after}'
        note_id = context.note_id(figure)
        context.notes.append(
            f'<div class="fig-note" id="{note_id}" popover>{context.note(figure)}</div>'
        )
        button = (
            f'<button type="button" class="fig" popovertarget="{note_id}"{anchor}>{number}</button>'
        )
        if after[:1] in _CLOSING:  # a button lets the line break after it, even before "，"
            return f'<span class="keep">{button}{after[0]}</span>{after[1:]}'
        return button + after

    return _TOKEN_AND_AFTER.sub(place, html)


# Punctuation no line may start with (a closing mark of Chinese or English), kept on the
# line of the figure before it.
_CLOSING = frozenset("，。、；：？！）》」』】”’…,.;:!?)")


def _unit_after(figure: Figure, lang: str, after: str) -> tuple[bool, str]:
    """Whether the prose goes on with the figure's measure word or unit, and the rest of
    it: ``(True, "、联络点")`` for ``[[stations]]个、联络点``; ``(True, " to …")`` for
    ``[[visits]] visits to …``."""
    unit = figure.unit_text(lang)
    if not unit:
        return False, after
    if lang.startswith("zh"):
        return (True, after[len(unit) :]) if after.startswith(unit) else (False, after)
    spaced = f" {unit}"
    rest = after[len(spaced) :]
    if after.startswith(spaced) and not (rest[:1].isalnum() or rest[:1] == "-"):
        return True, rest
    return False, after


def figure_references(text: str, renderer: Renderer | None = None) -> Iterator[tuple[str, int]]:
    """Every ``[[id]]`` of a Markdown text that shows as a figure, with its 0-based line
    within the text.

    One in a code span or block, a link's address or raw HTML shows as it is written,
    and is none. Which those are, Markdown itself says, for the few texts that have such
    syntax: the text is converted (by ``renderer``, kept for many texts) and its figure
    tokens looked for, as when it is shown.
    """
    shown = None
    if "[[" in text and _LITERAL_SYNTAX.search(text):
        html = (renderer or Renderer()).html(_tokens(text), chinese=False)
        shown = {m.group(2) for m in _TOKEN_PLACES.finditer(html) if m.group(2) is not None}
    for match in FIGURE_REF.finditer(text):
        figure_id = match.group(1).strip()
        if shown is None or figure_id in shown:
            yield figure_id, text.count("\n", 0, match.start())


# Markdown that may show a [[id]] as it is written: code (a span, or a block: indented by
# four columns, after a tab or four spaces, at the start of a line or inside a quote or a
# list), raw HTML or an autolink, a link's address, a link definition.
_LITERAL_SYNTAX = re.compile(r"[`<\t]|    |\]\s*[(:]")


def _tokens(text: str) -> str:
    """The text with each ``[[id]]`` as a token (see ``_TOKEN``)."""
    return FIGURE_REF.sub(lambda m: f"\ue000{m.group(1).strip()}\ue001", text)


# Python-Markdown -------------------------------------------------------------------------

# The elements whose text runs on as prose, where a line break is a soft one.
_INLINE_PARENTS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd"}


def _converter(chinese: bool) -> markdown.Markdown:
    """Python-Markdown for Chinese or other text."""
    # Extension instances, not names: a name is looked up among the entry points of
    # every installed package, which costs more than the whole conversion of a page.
    extensions: list[Extension] = [SaneListExtension()]
    if chinese:
        extensions.append(_ChineseExtension())
    return markdown.Markdown(extensions=extensions, output_format="html")


class _JoinChineseLines(Treeprocessor):
    """Drop the soft line breaks of Chinese text instead of turning them into spaces."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in _INLINE_PARENTS:
                for holder, attribute in _inline_texts(element):
                    text = getattr(holder, attribute)
                    if text and "\n" in text:
                        setattr(holder, attribute, join_lines(text))


def _inline_texts(element: etree.Element) -> Iterator[tuple[etree.Element, str]]:
    yield element, "text"
    for child in element:
        yield from _inline_texts(child)
        yield child, "tail"


class _ChineseExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After the inline patterns (20), before the output is prettified (10).
        md.treeprocessors.register(_JoinChineseLines(md), "join_chinese_lines", 15)
