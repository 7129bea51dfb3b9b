"""Checking every internal link and anchor of a rendered site, before anything is written.

Each page's own part of the check (``check_page``: does every link lead to a file of the
site, and every #anchor of its own to an id on it?) is done as the page is rendered,
wherever it is rendered; ``check_links`` then confirms the links to other pages' anchors
and reports everything broken.

A broken link that an editor typed into a page's Markdown is reported at that file and
line; one that comes from a template, at the built page (``build/en/goal-1.html:40``).
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from .errors import ContentError
from .i18n import _
from .model import Page, Site, Text

_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_VALUE = rb"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"""
# In a start tag, the first of an attribute is the one a browser keeps. A link: the href of
# an <a>, <link> or <use>, the src of an <img>, <script> or <source>. An id: of any tag.
# Both are looked for in the page with its ASCII letters made lower case (the same length,
# so that a value is then read at the same place in the page itself).
_LINK = re.compile(
    rb"<(?:(?:a|link|use)(?=\s)[^>]*?\shref|(?:img|script|source)(?=\s)[^>]*?\ssrc)" + _VALUE
)
_ID = re.compile(rb"id" + _VALUE)  # then checked to be an attribute of a start tag


# Records are named tuples, not dataclasses: model.py says why.
class PageLinks(NamedTuple):
    """What the link check needs of a page: the ids it defines, the links it holds."""

    ids: set[str]
    links: list[tuple[str, int]]  # (link, line)


def page_links(html: bytes) -> PageLinks:
    """The ids and links of a page (as UTF-8), read from its start tags.

    Regular expressions over start tags rather than a full HTML parser: the pages are
    this tool's own output, always well formed, and a site of thousands of pages is
    read in a fraction of the time. Comments are skipped; lines are kept.
    """
    if b"<!--" in html:
        html = _COMMENT.sub(lambda m: b"\n" * m.group(0).count(b"\n"), html)
    lowered = html.lower()
    ids = set()
    tag = -1  # where the tag of the last id starts
    for found in _ID.finditer(lowered):
        at = found.start()
        if not lowered[at - 1 : at].isspace():
            continue  # the end of another name: data-id=
        start = lowered.rfind(b"<", 0, at)
        if start == tag or start < 0 or lowered.find(b">", start, at) >= 0:
            continue  # the tag's second id, or text outside any tag
        if not lowered[start + 1 : start + 2].isalpha():
            continue  # not a start tag
        tag = start
        ids.add(_attribute_value(html, found))
    links = []
    line, counted = 1, 0
    for found in _LINK.finditer(lowered):
        line += html.count(b"\n", counted, found.start())
        counted = found.start()
        links.append((_attribute_value(html, found), line))
    return PageLinks(ids, links)


def _attribute_value(html: bytes, match: re.Match[bytes]) -> str:
    """The value the match found, read from the page itself (not its lower-case copy)."""
    group = match.lastindex  # the one of the value's three forms that matched
    value = html[match.start(group) : match.end(group)].decode("utf-8")
    if "&" not in value:
        return value
    from html import unescape  # here: html.entities is large, and an & in a link is rare

    return unescape(value)


def page_texts(site: Site, page: Page) -> list[Text]:
    """The Markdown texts a page shows: its body, on a landing page the goals' intro, and
    on the whole report's page every text of its language (on a part of it, those of its
    sections, the first part the overview's, the part of the first goal the goals' intro:
    context.py)."""
    if page.kind == "report" and site.part_count(page) > 1:
        return _part_texts(site, page)
    if page.kind == "report":
        texts = [p.body for p in site.pages_in(page.lang) if p.body is not None]
    else:
        texts = [page.body] if page.body is not None else []
    if page.kind in ("landing", "report") and page.lang in site.goals_intro:
        texts.append(site.goals_intro[page.lang])
    return texts


def _part_texts(site: Site, page: Page) -> list[Text]:
    shown = [site.page(section, page.lang) for section in site.part_sections(page)]
    if page.part == 1:
        shown.insert(0, site.page("overview", page.lang))
    texts = [p.body for p in shown if p.body is not None]
    goals = any((p.id, page.lang) in site.goals_starts for p in shown)
    if goals and page.lang in site.goals_intro:
        texts.append(site.goals_intro[page.lang])
    return texts


class PageCheck(NamedTuple):
    """A page's own part of the link check, and what the rest of the check needs of it:
    held for every page of the site until all are rendered, so in few objects (the
    memory target of the 10,000-page row of benchmarks/run.py fails with a set and a
    record per id and link)."""

    output: str
    ids: str  # the targets of its #anchors, one per line
    broken: list[ContentError]  # links that lead nowhere
    wanted: str  # "page#anchor" of each of its links to another page's anchor, one per line


Resolved = dict[tuple[str, str], tuple[str | None, str, str]]


def check_page(
    path: str,
    html: bytes,
    existing: Collection[str],
    origins: Iterable[Text] = (),
    resolved: Resolved | None = None,
) -> PageCheck:
    """The broken links of one page (checked against the files that will ``exist``), and
    its links to anchors of other pages. ``resolved``: where links lead, as worked out
    for earlier pages (most links of a page are on every page of its folder)."""
    page = page_links(html)
    ids = "\n".join(sorted(page.ids))
    errors: list[ContentError] = []
    wanted: set[str] = set()
    if path == "404.html":  # served at any depth: its links are absolute or relative to the root
        return PageCheck(path, ids, errors, "")
    for link, line, problem, target, anchor in _checked_links(path, page, existing, resolved):
        if problem is not None:
            errors.append(_broken(path, link, line, problem, origins))
        elif anchor and target != path:
            wanted.add(f"{target}#{anchor}")
    return PageCheck(path, ids, errors, "\n".join(sorted(wanted)))


def check_links(
    pages: list[PageCheck],
    site: Site,
    existing: Collection[str],
    html_of: Callable[[str], bytes],
    ids: Mapping[str, str] | None = None,
) -> list[ContentError]:
    """Every broken link of the site: those each page found, and the links to other pages'
    anchors whose page has no such id (found again, with their lines, in the HTML of
    the page that holds them: ``html_of(output)``). ``ids``: the ids of every page of the
    site (``PageCheck.ids``), where only some of its ``pages`` are checked (``serve``)."""
    ids = {page.output: page.ids for page in pages} if ids is None else ids
    known: dict[str, set[str]] = {}  # the ids of each page linked to, read when first asked
    errors = [error for page in pages for error in page.broken]
    for page in pages:
        missing = set()
        for wanted in page.wanted.split("\n") if page.wanted else ():
            target, _, anchor = wanted.partition("#")
            if target not in known:
                known[target] = set(ids.get(target, "").split("\n"))
            if anchor not in known[target]:
                missing.add(wanted)
        if missing:
            shown = next((p for p in site.pages if p.output == page.output), None)
            texts = page_texts(site, shown) if shown is not None else []
            links = page_links(html_of(page.output))
            for link, line, _problem, target, anchor in _checked_links(
                page.output, links, existing
            ):
                if f"{target}#{anchor}" in missing:
                    problem = _no_anchor(target, anchor)
                    errors.append(_broken(page.output, link, line, problem, texts))
    return errors


def _checked_links(
    path: str, page: PageLinks, existing: Collection[str], resolved: Resolved | None = None
) -> Iterator[tuple[str, int, str | None, str, str]]:
    """Each link of a page, with its line, what is wrong with it if anything, and the page
    and anchor it leads to."""
    resolved = {} if resolved is None else resolved
    folder = posixpath.dirname(path)
    for link, line in page.links:
        problem, target, anchor = _link_problem(path, folder, link, existing, resolved)
        if problem is None and anchor and target == path and anchor not in page.ids:
            problem = _no_anchor(target, anchor)
        yield link, line, problem, target, anchor


def _no_anchor(target: str, anchor: str) -> str:
    return _('{page} has no element with id "{anchor}"').format(page=target, anchor=anchor)


def _broken(path: str, link: str, line: int, problem: str, origins: Iterable[Text]) -> ContentError:
    message = _('broken link "{link}": {problem}').format(link=link, problem=problem)
    typed = _typed_at(link, origins)
    if typed is not None:
        return ContentError(message, path=typed[0], line=typed[1])
    hint = _("{file} is the page as built: the link comes from a template").format(
        file=f"build/{path}"
    )
    return ContentError(message, path=f"build/{path}", line=line, hint=hint)


def _typed_at(link: str, texts: Iterable[Text]) -> tuple[str, int] | None:
    """The file and line where a link is written in Markdown: ``](link``, ``href="link"``, …"""
    pattern = re.compile(
        r"(?:\]\(\s*<?|\]:[ \t]*<?|href\s*=\s*[\"']?|<)" + re.escape(link) + r"(?=[\s)>\"']|$)",
        re.M,
    )
    texts = list(texts)
    for text in texts:
        match = pattern.search(text.markdown)
        if match:
            return text.path, text.line + text.markdown.count("\n", 0, match.start())
    # Written otherwise than the page has it: with a backslash escape or an HTML entity.
    for text in texts:
        for match in _DESTINATION.finditer(text.markdown):
            if html.unescape(_ESCAPED.sub(r"\1", match.group(1))) == link:
                return text.path, text.line + text.markdown.count("\n", 0, match.start())
    return None


# A link's destination in Markdown or HTML, as typed; and Markdown's backslash escapes.
_DESTINATION = re.compile(r"(?:\]\(\s*<?|\]:[ \t]*<?|href\s*=\s*[\"']?)([^\s)>\"']+)")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def _link_problem(
    page: str, folder: str, link: str, existing: Collection[str], resolved: Resolved
) -> tuple[str | None, str, str]:
    """What is wrong with a link of a page in ``folder``, if anything; and the page and
    anchor it leads to."""
    if link.startswith("#"):
        return None, page, unquote(link[1:])
    found = resolved.get((folder, link))
    if found is None:
        found = resolved[folder, link] = _resolve(folder, link)
    problem, target, anchor = found
    if problem is None and target and target not in existing:
        return _("there is no file {file}").format(file=target), target, ""
    return problem, target or page, anchor


def _resolve(folder: str, link: str) -> tuple[str | None, str, str]:
    """A link's problem that does not depend on which files exist, and the file (empty for
    the page itself) and anchor it leads to."""
    parts = urlsplit(link)
    anchor = unquote(parts.fragment)
    if parts.scheme in ("http", "https", "mailto", "tel", "data"):
        return None, "", ""
    if parts.scheme or parts.netloc:
        return _("links must be relative to the page"), "", ""
    if parts.path.startswith("/"):
        return _("links must be relative to the page, not to the root of a host"), "", ""
    if not parts.path:
        return None, "", anchor
    target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
    if target.startswith("../") or target == "..":
        return _("it leads outside the site"), "", ""
    return None, target, anchor
