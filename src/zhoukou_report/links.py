"""Checking every internal link and anchor of a rendered site, before anything is written.

A broken link that an editor typed into a page's Markdown is reported at that file and
line; one that comes from a template, at the built page (``build/en/goal-1.html:40``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from .errors import ContentError
from .model import Page, Site, Text

Origins = Mapping[str, Iterable[Text]]  # output path -> the Markdown texts shown on it

# The attributes that hold links, by tag.
_LINK_ATTRIBUTES = {
    "a": "href",
    "link": "href",
    "img": "src",
    "script": "src",
    "source": "src",
    "use": "href",
}
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\s([^>]*)>")  # a start tag with attributes
_VALUE = r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"""
# The first of an attribute in a tag's attributes (the one a browser keeps).
_ATTRIBUTE = {name: re.compile(rf"(?:^|\s){name}{_VALUE}", re.I) for name in ("id", "href", "src")}
# The same, for HTML whose tag and attribute names are all lower case: each link found with
# its tag in one search, each id by its name, instead of going through every tag.
_LINK = re.compile(
    rf"<(?:(?:a|link|use)(?=\s)[^>]*?\shref|(?:img|script|source)(?=\s)[^>]*?\ssrc){_VALUE}"
)
_ID = re.compile(rf"id{_VALUE}")
# A tag name, or an id, href or src attribute, written with a capital letter.
_CAPITAL_NAMES = re.compile(r"<[a-zA-Z0-9-]*[A-Z]|\s(?!(?:id|href|src)\s*=)(?i:id|href|src)\s*=")


def has_capital_names(html: str) -> bool:
    """Whether HTML (a template's) writes a tag name, or an id, href or src attribute, with
    capitals (Python-Markdown and nh3 never do). Text that only looks like one counts too:
    the careful reading is never wrong, only slower."""
    return _CAPITAL_NAMES.search(html) is not None


class PageLinks(NamedTuple):
    """What the link check needs of a page: the ids it defines, the links it holds."""

    ids: set[str]
    links: list[tuple[str, int]]  # (link, line)


def page_links(html: str, lower_case: bool = False) -> PageLinks:
    """The ids and links of a page, read from its start tags.

    Regular expressions over start tags rather than a full HTML parser: the pages are
    this tool's own output, always well formed, and a site of thousands of pages is
    read in a fraction of the time. Comments are skipped; lines are kept.

    ``lower_case``: the page writes every tag name, and every id, href and src
    attribute, in lower case (``has_capital_names`` of its templates is false), so a
    quicker reading finds the same.
    """
    if "<!--" in html:
        html = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), html)
    if lower_case:
        return _lower_case_links(html)
    page = PageLinks(set(), [])
    line, counted = 1, 0
    for tag in _START_TAG.finditer(html):
        attributes = tag.group(2)
        lowered = attributes.lower()
        if "id" in lowered and (found := _ATTRIBUTE["id"].search(attributes)):
            page.ids.add(_attribute_value(found))
        name = _LINK_ATTRIBUTES.get(tag.group(1).lower())
        if name and name in lowered and (found := _ATTRIBUTE[name].search(attributes)):
            line += html.count("\n", counted, tag.start())
            counted = tag.start()
            page.links.append((_attribute_value(found), line))
    return page


def _lower_case_links(html: str) -> PageLinks:
    page = PageLinks(set(), [])
    tag = -1  # where the tag of the last id starts
    for found in _ID.finditer(html):
        at = found.start()
        if not html[at - 1].isspace():
            continue  # the end of another name: data-id=
        start = html.rfind("<", 0, at)
        if start == tag or start < 0 or html.find(">", start, at) >= 0:
            continue  # a second id in a tag, or text outside any tag
        tag = start
        page.ids.add(_attribute_value(found))
    line, counted = 1, 0
    for found in _LINK.finditer(html):
        line += html.count("\n", counted, found.start())
        counted = found.start()
        page.links.append((_attribute_value(found), line))
    return page


def _attribute_value(match: re.Match[str]) -> str:
    double, single, bare = match.groups()
    value = double if double is not None else single if single is not None else bare or ""
    if "&" not in value:
        return value
    from html import unescape  # here: html.entities is large, and an & in a link is rare

    return unescape(value)


def page_texts(site: Site, page: Page) -> list[Text]:
    """The Markdown texts a page shows: its body, and on a landing page the goals' intro."""
    texts = [page.body] if page.body is not None else []
    if page.kind == "landing" and page.lang in site.goals_intro:
        texts.append(site.goals_intro[page.lang])
    return texts


def markdown_origins(site: Site) -> dict[str, list[Text]]:
    """The Markdown texts each page shows, by output path."""
    return {page.output: page_texts(site, page) for page in site.pages}


class Anchor(NamedTuple):
    """A link to an #anchor of another page, which only that page can confirm."""

    target: str
    anchor: str
    link: str
    page: str  # where the link is, to report it
    line: int


def check_page(
    path: str,
    page: PageLinks,
    existing: Collection[str],
    origins: Iterable[Text] = (),
    label: str = "build",
) -> tuple[list[ContentError], list[Anchor]]:
    """The broken links of one page, and its links to anchors of other pages.

    The part of the check a page can do alone, so that worker processes can do it for
    the pages they render.
    """
    if path == "404.html":
        return [], []  # served at any depth: its links are absolute or relative to the root
    errors, anchors = [], []
    folder = posixpath.dirname(path)
    for link, line in page.links:
        problem, target, anchor = _link_problem(path, folder, link, existing)
        if problem is None and anchor and target == path and anchor not in page.ids:
            problem = f'{target} has no element with id "{anchor}"'
        if problem is None and not (anchor and target != path):
            continue
        if problem is not None:
            errors.append(_broken(path, link, line, problem, origins, label))
        else:
            anchors.append(Anchor(target, anchor, link, path, line))
    return errors, anchors


def check_anchors(
    anchors: Iterable[Anchor],
    ids: Mapping[str, Collection[str] | str],
    origins: Origins | None = None,
    label: str = "build",
) -> list[ContentError]:
    """The links to other pages' anchors whose page has no such id.

    A page's ids may come as one text, one id per line (compact, for a site of thousands
    of pages whose ids are mostly never linked to); they are read only for linked pages.
    """
    read: dict[str, Collection[str]] = {}
    errors = []
    for wanted in anchors:
        known = read.get(wanted.target)
        if known is None:
            given = ids.get(wanted.target, ())
            known = read[wanted.target] = (
                set(given.split("\n")) if isinstance(given, str) else given
            )
        if wanted.anchor not in known:
            problem = f'{wanted.target} has no element with id "{wanted.anchor}"'
            texts = (origins or {}).get(wanted.page, ())
            errors.append(_broken(wanted.page, wanted.link, wanted.line, problem, texts, label))
    return errors


def _broken(
    path: str, link: str, line: int, problem: str, origins: Iterable[Text], label: str
) -> ContentError:
    message = f'broken link "{link}": {problem}'
    typed = _typed_at(link, origins)
    if typed is not None:
        return ContentError(message, path=typed[0], line=typed[1])
    hint = f"{label}/{path} is the page as built: the link comes from a template"
    return ContentError(message, path=f"{label}/{path}", line=line, hint=hint)


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
    page: str, folder: str, link: str, existing: Collection[str]
) -> tuple[str | None, str, str]:
    """What is wrong with a link of a page in ``folder``, if anything; and the page and
    anchor it leads to."""
    if link.startswith("#"):
        return None, page, unquote(link[1:])
    problem, target, anchor = _resolve(folder, link)
    if problem is None and target and target not in existing:
        return f"there is no file {target}", target, ""
    return problem, target or page, anchor


@lru_cache(maxsize=4096)
def _resolve(folder: str, link: str) -> tuple[str | None, str, str]:
    """A link's problem that does not depend on which files exist, and the file (empty for
    the page itself) and anchor it leads to. Kept: most links of a page are on every
    page of its folder (the navigation, the stylesheet)."""
    parts = urlsplit(link)
    anchor = unquote(parts.fragment)
    if parts.scheme in ("http", "https", "mailto", "tel", "data"):
        return None, "", ""
    if parts.scheme or parts.netloc:
        return "links must be relative to the page", "", ""
    if parts.path.startswith("/"):
        return "links must be relative to the page, not to the root of a host", "", ""
    if not parts.path:
        return None, "", anchor
    target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
    if target.startswith("../") or target == "..":
        return "it leads outside the site", "", ""
    return None, target, anchor
