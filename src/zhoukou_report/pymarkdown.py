"""The Python-Markdown converters: imported only when a text needs one (see markup.py)."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Collection, Iterator

import markdown
from markdown.extensions import Extension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.treeprocessors import Treeprocessor

from .markup import join_lines

# The elements whose text runs on as prose, where a line break is a soft one.
_INLINE_PARENTS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd"}


def converter(chinese: bool, unwanted: Collection[str] = ()) -> markdown.Markdown:
    """A converter for Chinese or other text, without the ``unwanted`` inline patterns (and
    without inline processing at all when no pattern is left)."""
    # Extension instances, not names: a name is looked up among the entry points of
    # every installed package, which costs more than the whole conversion of a page.
    extensions: list[Extension] = [SaneListExtension()]
    if chinese:
        extensions.append(_ChineseExtension())
    md = markdown.Markdown(extensions=extensions, output_format="html")
    for name in unwanted:
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)
    if not len(md.inlinePatterns):
        md.treeprocessors.deregister("inline")
    return md


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
