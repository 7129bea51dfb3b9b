"""The site as data: languages, figures, pages. Each page's output path is decided here, once.

Records are ``NamedTuple``s rather than frozen dataclasses: a build is a short process, and
on Python 3.11 each dataclass costs about half a millisecond to create at import, as it
compiles its generated methods; a named tuple costs about a third of that.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache, cached_property
from typing import NamedTuple, TypeVar

from .numbers import format_number, plain

T = TypeVar("T")

# Pages every language has, beside the content pages; their text lives in strings.yaml.
GENERATED_PAGES = ("figures", "source", "404")


class Language(NamedTuple):
    """A language of the site, as content/site.yaml lists it."""

    code: str  # "zh", as in content/zh/
    tag: str  # BCP 47, for lang and hreflang: "zh-CN"
    name: str  # the language's own name, for the switcher: "中文"
    locale: str  # for og:locale: "zh_CN"
    prefix: str  # output folder: "" for the default language, "en/" for the others


class Text(NamedTuple):
    """A piece of Markdown and where it came from, for error messages."""

    markdown: str
    path: str
    line: int  # the line of the file where the Markdown starts


class Figure(NamedTuple):
    """A figure of the report, as content/figures.yaml defines it, once for both languages."""

    id: str
    section: str
    value: int | float
    unit: Mapping[str, str]
    label: Mapping[str, str]
    source: str
    qualifier: str | None = None
    path: str = "content/figures.yaml"
    line: int = 0
    field: str = "figures"  # where it is defined: "figures[12]"

    def text(self, lang: str) -> str:
        """The figure as prose writes it: ``110多``, ``more than 110``, ``92.1%``."""
        return format_number(self.value, lang, self.qualifier, self.unit.get(lang, ""))

    @property
    def data_value(self) -> str:
        """The value for machines: ``<data value="18000">``."""
        return plain(self.value)

    def unit_text(self, lang: str) -> str:
        """The unit shown beside the number, unless it is already part of it (``%``)."""
        unit = self.unit.get(lang, "")
        return "" if unit in ("%", "‰") else unit


class Chart(NamedTuple):
    """Figures drawn together, declared in content/charts.yaml."""

    id: str
    section: str  # the page it is shown on
    kind: str  # "bars" or "share"
    title: Mapping[str, str]
    figures: tuple[str, ...]  # figure ids, in the order drawn


class Page(NamedTuple):
    """One page in one language."""

    id: str  # "overview", "highlight-1", "goal-2", "figures", "source", "404"
    lang: str
    kind: str  # "landing", "highlight", "goal", "figures", "source", "404"
    title: str  # the page's own title: a highlight's keyword, a goal's title
    number: int | None = None
    body: Text | None = None
    lang_prefix: str = ""  # the output folder of the page's language: "" or "en/"

    @property
    def output(self) -> str:
        """Where the page is written, relative to the output folder (always forward slashes)."""
        return output_path(self.id, self.lang_prefix)

    @property
    def root(self) -> str:
        """The relative path from this page back to the site's root: "" or "../"."""
        return "../" * self.output.count("/")

    def href(self, target: str) -> str:
        """A relative link from this page to another output path (with an optional #anchor)."""
        path, _, anchor = target.partition("#")
        rel = _relative(path, self.lang_prefix) if path else self.output.rpartition("/")[2]
        return rel + (f"#{anchor}" if anchor else "")


@cache  # every page of a folder links to much the same files
def _relative(path: str, folder: str) -> str:
    """``path`` (relative to the site's root) as seen from ``folder`` ("" or "en/")."""
    if not folder:
        return path
    if path.startswith(folder) and "/" not in path[len(folder) :]:
        return path[len(folder) :]
    return posixpath.relpath(path, folder)


def output_path(page_id: str, prefix: str) -> str:
    name = "index" if page_id == "overview" else page_id
    return f"{prefix}{name}.html"


class SiteMeta(NamedTuple):
    """What the report is: title, meeting, speaker, publication, date; and the site's address."""

    title: Mapping[str, str]
    description: Mapping[str, str]
    meeting: Mapping[str, str]
    speaker: Mapping[str, str]
    speaker_role: Mapping[str, str]
    publication: Mapping[str, str]
    date: date
    base_url: str | None = None


class SourceText(NamedTuple):
    """The original report, cleaned: headings and paragraphs, in order."""

    blocks: tuple[tuple[str, str], ...]  # ("heading" | "keyword" | "paragraph", text)
    path: str

    @property
    def plain(self) -> str:
        return "\n".join(text for _, text in self.blocks)


class Site:
    """The whole site, loaded and checked; not changed once made (``with_base_url`` makes a
    copy). A plain class, not a record, for the indexes it keeps."""

    def __init__(
        self,
        *,
        meta: SiteMeta,
        languages: tuple[Language, ...],
        figures: tuple[Figure, ...],
        pages: tuple[Page, ...],
        goals_intro: Mapping[str, Text],
        strings: Mapping[str, Mapping[str, str]],
        source: SourceText,
        charts: tuple[Chart, ...] = (),
    ):
        self.meta = meta
        self.languages = languages
        self.figures = figures
        self.pages = pages
        self.goals_intro = goals_intro
        self.strings = strings
        self.source = source
        self.charts = charts

    def with_base_url(self, base_url: str | None) -> Site:
        """The same site, published at another address."""
        site = copy.copy(self)
        site.meta = self.meta._replace(base_url=base_url)
        return site

    @property
    def default_language(self) -> Language:
        return self.languages[0]

    def language(self, code: str) -> Language:
        return self._languages[code]

    def pages_in(self, lang: str) -> list[Page]:
        return self._pages_by_language.get(lang, [])

    def page(self, page_id: str, lang: str) -> Page:
        return self._pages[page_id, lang]

    def figures_in(self, section: str) -> list[Figure]:
        return self._figures_by_section.get(section, [])

    def charts_in(self, section: str) -> list[Chart]:
        return self._charts_by_section.get(section, [])

    # Indexes, computed once: a site of thousands of pages is looked up for every page.

    @cached_property
    def figure_index(self) -> dict[str, Figure]:
        return {figure.id: figure for figure in self.figures}

    @cached_property
    def _languages(self) -> dict[str, Language]:
        return {lang.code: lang for lang in self.languages}

    @cached_property
    def _pages(self) -> dict[tuple[str, str], Page]:
        return {(page.id, page.lang): page for page in self.pages}

    @cached_property
    def _pages_by_language(self) -> dict[str, list[Page]]:
        return _group(self.pages, lambda page: page.lang)

    @cached_property
    def _figures_by_section(self) -> dict[str, list[Figure]]:
        return _group(self.figures, lambda figure: figure.section)

    @cached_property
    def _charts_by_section(self) -> dict[str, list[Chart]]:
        return _group(self.charts, lambda chart: chart.section)


def _group(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
