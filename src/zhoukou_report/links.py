"""Checking every internal link and anchor of a rendered site, before anything is written."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from .errors import ContentError

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


def check_links(files: Mapping[str, bytes], label: str = "build") -> list[ContentError]:
    """Every relative link of every HTML file must reach a file of the site, and its #anchor an id.

    Links that leave the site (``https:``, ``mailto:``) are not followed; links that are
    root-relative (``/x``) or that climb above the site are errors, since the site must
    work under any sub-path and from disk.
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
            if problem:
                errors.append(
                    ContentError(
                        f'broken link "{link}": {problem}', path=f"{label}/{path}", line=line
                    )
                )
    return errors


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
