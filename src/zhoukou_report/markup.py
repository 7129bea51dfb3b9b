"""Markdown to HTML: figure references, Chinese line breaks, and an allowlist for raw HTML.

``[[figure-id]]`` in the Markdown of either language becomes the figure's number,
written the way that language writes it, marked up as ``<data value="18000">`` and
linked to the figure's row on the figures page.

Python-Markdown keeps a line break inside a paragraph as a newline, which the
browser shows as a space. Chinese has no spaces between words, so on Chinese
pages a line break next to a Chinese character is dropped instead.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import markdown
from markdown.extensions import Extension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .errors import ContentError
from .model import Figure

# [[id]]: what an editor types. Anything between the brackets is taken, so that a
# misspelt or empty id is reported rather than left on the page as text.
FIGURE_REF = re.compile(r"\[\[([^\[\]\n]*)\]\]")

_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    r"\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
)
_CJK_CHAR = re.compile(f"[{_CJK}]")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_INLINE_PARENTS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd"}

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


@dataclass
class FigureContext:
    """What a figure reference needs to render: the figures, the language, where they link."""

    figures: Mapping[str, Figure]
    lang: str
    link: Callable[[Figure], str]
    # Figures already given an anchor on this page: the first reference to each
    # carries id="ref-<figure id>", the place the open data points to.
    anchored: set[str] = field(default_factory=set)


def reference_anchor(figure_id: str) -> str:
    """The id of a figure's first reference in the prose of a page."""
    return f"ref-{figure_id}"


class _FigureReference(InlineProcessor):
    def __init__(self, extension: MarkupExtension, md: markdown.Markdown):
        super().__init__(FIGURE_REF.pattern, md)
        self.extension = extension

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:
        context = self.extension.context
        figure_id = m.group(1).strip()
        figure = context.figures.get(figure_id)
        if figure is None:
            raise ContentError(f'unknown figure "{figure_id}"', field="[[…]]")
        link = etree.Element("a", {"class": "fig", "href": context.link(figure)})
        if figure.id not in context.anchored:
            context.anchored.add(figure.id)
            link.set("id", reference_anchor(figure.id))
        number = etree.SubElement(link, "data", {"value": figure.data_value})
        number.text = figure.text(context.lang)
        return link, m.start(0), m.end(0)


class _JoinChineseLines(Treeprocessor):
    """Drop the soft line breaks of Chinese text instead of turning them into spaces."""

    def __init__(self, extension: MarkupExtension, md: markdown.Markdown):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        if not self.extension.context.lang.startswith("zh"):
            return
        for element in root.iter():
            if element.tag in _INLINE_PARENTS:
                for holder, attribute in _inline_texts(element):
                    text = getattr(holder, attribute)
                    if text and "\n" in text:
                        setattr(holder, attribute, _join_lines(text))


def _inline_texts(element: etree.Element) -> Iterator[tuple[etree.Element, str]]:
    yield element, "text"
    for child in element:
        yield from _inline_texts(child)
        yield child, "tail"


def _join_lines(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if not before or not after or _CJK_CHAR.match(before) or _CJK_CHAR.match(after):
            return ""
        return " "

    return _LINE_BREAK.sub(replace, text)


class MarkupExtension(Extension):
    def __init__(self) -> None:
        super().__init__()
        self.context = FigureContext({}, "en", lambda figure: "")

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Above links (160) and references (170), so that [[id]] is never read as a link.
        md.inlinePatterns.register(_FigureReference(self, md), "figure", 175)
        # After the inline patterns (20), before the output is prettified (10).
        md.treeprocessors.register(_JoinChineseLines(self, md), "join_chinese_lines", 15)


class Renderer:
    """One Markdown converter, reused for every text; raw HTML is cleaned to an allowlist.

    A text converted before, with the same figures shown the same way and linked to the
    same place, is not converted again: ``serve`` rebuilds after one edit convert only
    the texts that the edit changed.
    """

    MEMORY = 2048  # texts remembered; more than a site of a thousand pages holds

    def __init__(self) -> None:
        self.extension = MarkupExtension()
        # An extension instance, not its name: a name is looked up among the entry points of
        # every installed package, which costs more than the whole conversion of a page.
        self.md = markdown.Markdown(
            extensions=[self.extension, SaneListExtension()], output_format="html"
        )
        self.converted: dict[tuple, tuple[str, frozenset[str]]] = {}

    def convert(self, text: str, context: FigureContext) -> str:
        key = self._key(text, context)
        if key is not None and key in self.converted:
            html, anchored = self.converted[key]
            context.anchored |= anchored
            return html
        before = set(context.anchored)
        html = self._convert(text, context)
        if key is not None:
            if len(self.converted) >= self.MEMORY:
                self.converted.clear()
            self.converted[key] = (html, frozenset(context.anchored - before))
        return html

    def _key(self, text: str, context: FigureContext) -> tuple | None:
        """Everything the HTML of a text depends on; None if it names an unknown figure."""
        shown = []
        for match in FIGURE_REF.finditer(text):
            figure = context.figures.get(match.group(1).strip())
            if figure is None:
                return None
            shown.append(
                (figure.id, figure.text(context.lang), figure.data_value, context.link(figure),
                 figure.id in context.anchored)
            )  # fmt: skip
        return (text, context.lang, tuple(shown))

    def _convert(self, text: str, context: FigureContext) -> str:
        import nh3

        self.extension.context = context
        self.md.reset()
        try:
            html = self.md.convert(text)
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


def figure_references(text: str) -> Iterator[tuple[str, int]]:
    """Every ``[[id]]`` of a Markdown text, with its 0-based line within the text."""
    for match in FIGURE_REF.finditer(text):
        yield match.group(1).strip(), text.count("\n", 0, match.start())
