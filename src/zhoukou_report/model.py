"""The site as data: languages, figures, pages. Each page's output path is decided here, once.

Records here and in the other modules of a build are ``NamedTuple``s, not the frozen
dataclasses STYLE.md prefers: on Python 3.11 a dataclass compiles its generated methods as
its module is imported, and the package's 25 records take about 20 ms to create as
dataclasses against 3 ms as named tuples (measured), which the row "real site, cold
build" of benchmarks/run.py (≤ 1.6× the import baseline) has no room for.
"""

from __future__ import annotations

import copy
import operator
import posixpath
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cached_property
from typing import NamedTuple, TypeVar

from .layout import page_output
from .numbers import counted, format_number, plain

T = TypeVar("T")

# Pages every language has, beside the content pages; their text lives in strings.yaml.
GENERATED_PAGES = ("report", "figures", "source", "404")

# A large site's whole-report and figures pages come in parts, so that no page grows with
# the site. A language is split past PARTED sections: where the contents of every page stop
# listing every section (context.NEARBY, 2 × 12 + 1), a large site; the real report has
# 11 sections, a report of its kind ten to fifteen, and they stay one page each, as before.
PARTED = 25
# Sections in a part of the whole report: eight of the real report's average length (an
# English highlight is 2.8 KB of HTML), with the page around them (12 KB on a large site,
# its contents and pager included) and the stylesheet (15 KB), some 50 KB: within the
# whole report's budget of 52,000 bytes (tests/test_content.py).
REPORT_PART = 8
# Sections whose figures a part of the figures page lists (those that have figures): five
# of the real report's (seven figures, 2.4 KB, each), with the page around them (11 KB)
# and the stylesheet, some 38 KB: within the page budget of 40,000 bytes.
FIGURES_PART = 5
# The kinds of page that are sections of the report: in the contents, the pager, the parts.
SECTION_KINDS = ("highlight", "closing", "goal")


class Language(NamedTuple):
    """A language of the site, as content/site.yaml lists it."""

    code: str  # "zh", as in content/zh/
    tag: str  # BCP 47, for lang and hreflang: "zh-CN"
    name: str  # the language's own name, for the switcher: "中文"
    locale: str  # for og:locale: "zh_CN"
    prefix: str  # output folder: "" for the default language, "en/" for the others
    # Being translated: what it lacks is shown in the default language, with a warning.
    draft: bool = False


class Text(NamedTuple):
    """A piece of Markdown, where it came from (for error messages), and the figures it shows."""

    markdown: str
    path: str
    line: int  # the line of the file where the Markdown starts
    # Each [[id]] that shows as a figure, with its line within the text (from 0): one in code
    # or in a link's address shows as typed (markup.figure_references).
    figures: tuple[tuple[str, int], ...] = ()


class Correction(NamedTuple):
    """An official correction of a figure: the value it replaced, when, and why."""

    previous: int | float
    date: date
    note: Mapping[str, str]  # in each language
    texts: Mapping[str, str]  # the previous value as each language writes it


class Previous(NamedTuple):
    """The same figure (the same id) in the previous year's report of a multi-year site
    (years.py), and how it compares."""

    year: int  # the year it is of: 2023 for the report of 2024 (years.py)
    value: int | float
    texts: Mapping[str, str]  # the previous value with its unit, as each language writes it
    notes: Mapping[str, str]  # the comparison, in each language, as HTML: 比2023年的232家增加8家
    change: int | float | None  # this year's value less the previous one; None: not comparable
    rows: Mapping[str, str]  # its row on that year's figures page, from this year's folder


class Figure(NamedTuple):
    """A figure of the report, as content/figures.yaml defines it, once for both languages
    (made by ``Figure.make``)."""

    id: str
    section: str
    value: int | float
    unit: Mapping[str, str]
    label: Mapping[str, str]
    source: str
    qualifier: str | None
    texts: Mapping[str, str]  # the figure as each language writes it in tiles and tables
    prose_texts: Mapping[str, str]  # and in running text: "eight" in English prose
    field: str  # where it is defined: "figures[12]"
    correction: Correction | None = None
    # A figure from elsewhere than the source text: the document or office, in each
    # language (its ``source`` is then empty).
    cited: Mapping[str, str] | None = None
    lead: bool = False  # one of the one to three figures its page leads with
    counts: str | None = None  # what it counts, for bar charts: 代表联络站
    previous: Previous | None = None  # the previous year's, on a multi-year site (years.py)

    @classmethod
    def make(
        cls,
        id: str,
        section: str,
        value: int | float,
        unit: Mapping[str, str],
        label: Mapping[str, str],
        source: str,
        qualifier: str | None = None,
        field: str = "figures",
        correction: tuple[int | float, date, Mapping[str, str]] | None = None,
        cited: Mapping[str, str] | None = None,
        lead: bool = False,
        counts: str | None = None,
    ) -> Figure:
        """A figure, written once for each language of its label: its page, tile, chart,
        row on the figures page and open data all show it. A label or unit that marks its
        plural ending, ``Local regulation(s) adopted``, takes the form for the value.
        ``correction``: the previous value, the date and the note of an official correction."""
        texts, prose_texts, before = {}, {}, {}
        for lang in label:
            written = unit.get(lang, "")
            texts[lang] = format_number(value, lang, qualifier, counted(written, value))
            prose_texts[lang] = format_number(
                value, lang, qualifier, counted(written, value), prose=True
            )
            if correction is not None:
                previous = correction[0]
                before[lang] = format_number(previous, lang, qualifier, counted(written, previous))
        corrected = None if correction is None else Correction(*correction, before)
        unit = {lang: counted(text, value) for lang, text in unit.items()}
        label = {lang: counted(text, value) for lang, text in label.items()}
        return cls(
            id, section, value, unit, label, source, qualifier, texts, prose_texts, field,
            corrected, cited, lead, counts,
        )  # fmt: skip

    def text(self, lang: str) -> str:
        """The figure as tiles and tables write it: ``110多``, ``more than 110``, ``92.1%``."""
        return self.texts[lang]

    def prose_text(self, lang: str) -> str:
        """The figure as running text writes it: ``eight`` in English, ``8`` in Chinese."""
        return self.prose_texts[lang]

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

    id: str  # "overview", "highlight-1", "closing", "goal-2", "report", "figures", "source", "404"
    lang: str
    kind: str  # "landing", "highlight", "closing", "goal", "report", "figures", "source", "404"
    title: str  # the page's own title: a highlight's keyword, a goal's title
    number: int | None = None
    body: Text | None = None
    lang_prefix: str = ""  # the output folder of the page's language: "" or "en/"
    draft: bool = False  # its translation is in progress: the page says so
    part: int = 1  # which part of the whole report or figures page it is (PARTED)

    @property
    def output(self) -> str:
        """Where the page is written, relative to the output folder (always forward slashes)."""
        return page_output(self.id, self.lang_prefix)

    @property
    def root(self) -> str:
        """The relative path from this page back to the site's root: "" or "../"."""
        return "../" * self.output.count("/")

    def href(self, target: str) -> str:
        """A relative link from this page to another output path (with an optional #anchor)."""
        path, _, anchor = target.partition("#")
        rel = _relative(path, self.lang_prefix) if path else self.output.rpartition("/")[2]
        return rel + (f"#{anchor}" if anchor else "")


# All of a page but its body: its place, kind and title, what every page's contents, pager
# and headings show of it.
page_place = operator.itemgetter(0, 1, 2, 3, 4, 6, 7, 8)


def _relative(path: str, folder: str) -> str:
    """``path`` (relative to the site's root) as seen from ``folder`` ("" or "en/")."""
    if not folder:
        return path
    if path.startswith(folder) and "/" not in path[len(folder) :]:
        return path[len(folder) :]
    return posixpath.relpath(path, folder)


def split_parts(pages: Iterable[Page], figures: Iterable[Figure]) -> dict[tuple[str, str], tuple]:
    """(kind, language) -> the sections each part of the language's whole-report
    (``report``) or figures page (``figures``) shows, in order: one part, unless the
    language has more than PARTED sections. The whole report's first part shows the
    overview too; the figures page's parts list the sections that have figures (the
    overview among them)."""
    with_figures = {figure.section for figure in figures}
    by_language: dict[str, list[Page]] = {}
    for page in pages:
        by_language.setdefault(page.lang, []).append(page)
    parts: dict[tuple[str, str], tuple] = {}
    for lang, in_language in by_language.items():
        sections = [p.id for p in in_language if p.kind in SECTION_KINDS]
        listed = [p.id for p in in_language if p.id in with_figures]
        large = len(sections) > PARTED
        parts["report", lang] = _chunked(sections, REPORT_PART if large else 0)
        parts["figures", lang] = _chunked(listed, FIGURES_PART if large else 0)
    return parts


def starts_goals(sections: list[Page], index: int) -> bool:
    """Whether the section at ``index`` of a language's sections starts its goals: the
    whole report puts its goals' heading and intro before it."""
    return (
        index > 0
        and sections[index].id.startswith("goal-")
        and not sections[index - 1].id.startswith("goal-")
    )


def _chunked(ids: list[str], size: int) -> tuple[tuple[str, ...], ...]:
    """``ids`` in groups of ``size`` (all in one if ``size`` is 0), at least one group."""
    if not size or len(ids) <= size:
        return (tuple(ids),)
    return tuple(tuple(ids[i : i + size]) for i in range(0, len(ids), size))


def part_pages(pages: Iterable[Page], figures: Iterable[Figure]) -> list[Page]:
    """The parts after the first of each whole-report and figures page (``report-2``,
    ``figures-2``, …), titled as their first part is."""
    pages = list(pages)
    parts = split_parts(pages, figures)
    return [
        page._replace(id=f"{page.id}-{number}", part=number)
        for page in pages
        if page.kind in ("report", "figures")
        for number in range(2, len(parts[page.kind, page.lang]) + 1)
    ]


# Where on a page a figure is: the ids that links to it name.


def figure_anchor(figure_id: str) -> str:
    """The id of a figure's entry on the figures page."""
    return f"fig-{figure_id}"


def tile_anchor(figure_id: str) -> str:
    """The id of a figure's tile on the page of its section."""
    return f"tile-{figure_id}"


def reference_anchor(figure_id: str) -> str:
    """The id of a figure's first reference in the prose of a page."""
    return f"ref-{figure_id}"


class Image(NamedTuple):
    """An image of the site's identity: a logo (SVG or PNG) or a share image (PNG)."""

    output: str  # where it is written in the site: "assets/site-logo.svg"
    data: bytes
    kind: str  # "svg" or "png"
    width: int | None = None  # in pixels, for a PNG
    height: int | None = None

    @property
    def mime(self) -> str:
        return "image/svg+xml" if self.kind == "svg" else "image/png"

    @property
    def data_uri(self) -> str:
        """The image inside the page that shows it (no request of its own)."""
        import base64  # here: only a site with a logo of its own needs it

        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


class Identity(NamedTuple):
    """Who publishes the site and its filings, as Chinese government sites show them in their
    footer; its logo and share image. Every field is optional (content/site.yaml)."""

    organiser: Mapping[str, str] | None = None  # 主办单位
    operator: Mapping[str, str] | None = None  # 承办单位
    icp_filing: str | None = None  # ICP 备案号: 豫ICP备12345678号
    police_filing: str | None = None  # 公安备案号: 豫公网安备41160202000001号
    website_code: str | None = None  # 网站标识码: 4116000001
    logo: Image | None = None  # the editor's; None: the templates' mark
    share_image: Image | None = None  # the editor's, or else the templates' (if they ship one)
    share_image_alt: Mapping[str, str] | None = None  # None: the site's title


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
    identity: Identity = Identity()
    short_title: Mapping[str, str] | None = None  # the masthead's; None: the title


class Edition(NamedTuple):
    """A year's report in a site of several years (years.py): the links from its pages to
    the other years, as seen from the year's own folder."""

    year: str  # "2024": the folder it is written to
    earlier: str | None  # the year before it in the site, if any: its figures compare with it
    landing: Mapping[str, str]  # language code -> the page that lists the years: ../en/index.html


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
        edition: Edition | None = None,
        typed_numbers: tuple[str, ...] = (),
    ):
        self.meta = meta
        self.languages = languages
        self.figures = figures
        self.pages = pages
        self.goals_intro = goals_intro
        self.strings = strings
        self.source = source
        self.charts = charts
        self.edition = edition  # on a site of several years, which year this is
        self.typed_numbers = typed_numbers  # site.yaml's phrases whose numbers are names

    def with_base_url(self, base_url: str | None) -> Site:
        """The same site, published at another address."""
        site = copy.copy(self)
        site.meta = self.meta._replace(base_url=base_url)
        return site

    def with_pages(self, pages: tuple[Page, ...]) -> Site:
        """The same site with other versions of its pages: in the same places, with the
        same titles and the same figures referred to (the preview's prose edits), so that
        where each figure appears is the same too."""
        site = copy.copy(self)
        site.pages = pages
        site.__dict__.pop("_pages", None)  # the indexes that hold the pages themselves
        site.__dict__.pop("_pages_by_language", None)
        return site

    def keep_indexes(self, old: Site) -> bool:
        """Take the indexes of ``old`` that hold for this site too, and say whether its pages
        are the same: those of the pages, while they are; where each figure appears, while
        its section is the same too (the preview's 10,000-page figure row of
        benchmarks/run.py fails finding where every figure is on each save)."""
        if self.pages != old.pages:
            return False
        kept = ["_pages", "_pages_by_language", "goals_starts"]
        if self.charts == old.charts:
            kept.append("_charts_by_section")
        if list(map(_placed, self.figures)) == list(map(_placed, old.figures)):
            kept += ["figure_locations", "parts", "_part_numbers"]
        for name in kept:
            if name in old.__dict__:
                self.__dict__[name] = old.__dict__[name]
        return True

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

    # The parts of a large site's whole-report and figures pages (PARTED).

    @cached_property
    def parts(self) -> dict[tuple[str, str], tuple]:
        """(kind, language) -> the sections of each part (``split_parts``)."""
        return split_parts(self.pages, self.figures)

    def part_sections(self, page: Page) -> tuple[str, ...]:
        """The sections a part of the whole-report or figures page shows."""
        return self.parts[page.kind, page.lang][page.part - 1]

    def part_count(self, page: Page) -> int:
        """How many parts the whole-report or figures page of a page's language has."""
        return len(self.parts[page.kind, page.lang])

    def part_page(self, kind: str, lang: str, number: int) -> Page:
        """Part ``number`` (from 1) of a language's ``report`` or ``figures`` page."""
        return self.page(kind if number == 1 else f"{kind}-{number}", lang)

    def part_of(self, kind: str, section: str, lang: str) -> Page:
        """The part of a language's ``report`` or ``figures`` page that shows a section (the
        first, for a section it does not show: the overview in the whole report)."""
        return self.part_page(kind, lang, self._part_numbers.get((kind, section, lang), 1))

    @cached_property
    def goals_starts(self) -> frozenset[tuple[str, str]]:
        """(section id, language) of each section that starts its language's goals
        (``starts_goals``)."""
        starts = set()
        for lang in self.languages:
            sections = [p for p in self.pages_in(lang.code) if p.kind in SECTION_KINDS]
            starts.update(
                (p.id, lang.code) for i, p in enumerate(sections) if starts_goals(sections, i)
            )
        return frozenset(starts)

    @cached_property
    def _part_numbers(self) -> dict[tuple[str, str, str], int]:
        return {
            (kind, section, lang): number
            for (kind, lang), parts in self.parts.items()
            for number, sections in enumerate(parts, start=1)
            for section in sections
        }

    @cached_property
    def figure_locations(self) -> Mapping[tuple[str, str], str]:
        """(figure id, language) -> the page and anchor where the figure appears: its first
        reference in the prose of its own page, or its tile when the prose does not
        mention it. Asked by the pages and by the open data."""
        locations = {}
        for page in self.pages:
            if page.body is None:
                continue
            mentioned = {figure_id for figure_id, _ in page.body.figures}
            for figure in self.figures_in(page.id):
                anchor = (
                    reference_anchor(figure.id)
                    if figure.id in mentioned
                    else tile_anchor(figure.id)
                )
                locations[figure.id, page.lang] = f"{page.output}#{anchor}"
        return locations

    # Indexes, computed once: a site of thousands of pages is looked up for every page.

    @cached_property
    def figure_index(self) -> dict[str, Figure]:
        return {figure.id: figure for figure in self.figures}

    @cached_property
    def figure_order(self) -> dict[str, int]:
        """Figure id -> its place in figures.yaml."""
        return {figure.id: i for i, figure in enumerate(self.figures)}

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


_placed = operator.itemgetter(0, 1)  # a figure's id and section


def _group(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
