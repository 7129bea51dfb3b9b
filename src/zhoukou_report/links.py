"""Checking every internal link and anchor of a rendered site, before anything is written.

A broken link that an editor typed into a page's Markdown is reported at that file and
line; one that comes from a template, at the built page (``build/en/goal-1.html:40``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from .errors import ContentError
from .model import Site, Text

Origins = Mapping[str, Iterable[Text]]  # output path -> the Markdown texts shown on it

_LINK_ATTRIBUTES = {
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
    ("use", "href"),
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif (tag, name) in _LINK_ATTRIBUTES:
                self.links.append((value, self.getpos()[0]))


def page_links(html: str) -> tuple[set[str], list[tuple[str, int]]]:
    """The ids a page defines and the links it holds, with their lines."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.ids, collector.links


def markdown_origins(site: Site) -> dict[str, list[Text]]:
    """The Markdown texts each page shows: its body, and on a landing page the goals' intro."""
    origins: dict[str, list[Text]] = {}
    for page in site.pages:
        texts = origins.setdefault(page.output, [])
        if page.body is not None:
            texts.append(page.body)
        if page.kind == "landing" and page.lang in site.goals_intro:
            texts.append(site.goals_intro[page.lang])
    return origins


def check_links(
    files: Mapping[str, bytes], label: str = "build", origins: Origins | None = None
) -> list[ContentError]:
    """Every relative link of every HTML file must reach a file of the site, and its #anchor an id.

    Links that leave the site (``https:``, ``mailto:``) are not followed; links that are
    root-relative (``/x``) or that climb above the site are errors, since the site must
    work under any sub-path and from disk. ``origins`` (see ``markdown_origins``) lets a
    link typed in Markdown be reported at its own file and line.
    """
    parsed = {
        path: page_links(data.decode("utf-8"))
        for path, data in files.items()
        if path.endswith(".html")
    }
    errors = []
    for path, (_, links) in sorted(parsed.items()):
        if path == "404.html":
            continue  # served at any depth: checked by its own rules
        for link, line in links:
            problem = _link_problem(path, link, files, parsed)
            if not problem:
                continue
            message = f'broken link "{link}": {problem}'
            typed = _typed_at(link, (origins or {}).get(path, ()))
            if typed is not None:
                errors.append(ContentError(message, path=typed[0], line=typed[1]))
            else:
                hint = f"{label}/{path} is the page as built: the link comes from a template"
                errors.append(ContentError(message, path=f"{label}/{path}", line=line, hint=hint))
    return errors


def _typed_at(link: str, texts: Iterable[Text]) -> tuple[str, int] | None:
    """The file and line where a link is written in Markdown: ``](link``, ``href="link"``, …"""
    pattern = re.compile(
        r"(?:\]\(\s*<?|\]:[ \t]*<?|href\s*=\s*[\"']?|<)" + re.escape(link) + r"(?=[\s)>\"']|$)",
        re.M,
    )
    for text in texts:
        match = pattern.search(text.markdown)
        if match:
            return text.path, text.line + text.markdown.count("\n", 0, match.start())
    return None


def _link_problem(
    page: str, link: str, files: Mapping[str, bytes], parsed: Mapping[str, tuple[set[str], list]]
) -> str | None:
    parts = urlsplit(link)
    if parts.scheme in ("http", "https", "mailto", "tel", "data"):
        return None
    if parts.scheme or parts.netloc:
        return "links must be relative to the page"
    if parts.path.startswith("/"):
        return "links must be relative to the page, not to the root of a host"
    target = page
    if parts.path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
        if target.startswith("../") or target == "..":
            return "it leads outside the site"
    if target not in files:
        return f"there is no file {target}"
    anchor = unquote(parts.fragment)
    if anchor and target in parsed and anchor not in parsed[target][0]:
        return f'{target} has no element with id "{anchor}"'
    return None
