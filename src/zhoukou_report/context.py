"""What a template sees: one context per page, with every link already made relative to it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from types import SimpleNamespace
from typing import Any, NamedTuple

from markupsafe import Markup

from .charts import layout_chart
from .identity import POLICE_FILING
from .layout import CSV_FILE, DEFAULT_ICON, JSON_FILE, SCHEMA_FILE, STYLESHEET, XLSX_FILE
from .markup import number_html
from .model import (
    Figure,
    Identity,
    Language,
    Page,
    Site,
    Text,
    figure_anchor,
    starts_goals,
    tile_anchor,
)
from .numbers import ordinal_word

_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

MarkdownToHtml = Callable[[Text | None, Page, set[str]], Markup]


def format_date(day: date, lang: str) -> str:
    if lang.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


# Where a filing number is looked up: the MIIT's ICP filings, the public security filings.
# A large site lists a part of its sections on each page, so that no page grows with the
# site (40 KB a page, at 10,000 pages too): the landing page the first LISTED highlights
# and goals, every page's contents the sections within NEARBY of its own. The report's
# ten sections are listed in full.
LISTED = 24
NEARBY = 12

ICP_FILINGS = "https://beian.miit.gov.cn/"
POLICE_FILINGS = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"


def content_security_policy(inline_style: str | None = None) -> str:
    """No inline script, ever; an inline stylesheet only by its hash (the 404 page's)."""
    style = "'self'"
    if inline_style is not None:
        digest = base64.b64encode(hashlib.sha256(inline_style.encode("utf-8")).digest()).decode()
        style += f" 'sha256-{digest}'"
    return (
        "default-src 'self'; script-src 'self'; "
        f"style-src {style}; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'"
    )


# Records are named tuples, not dataclasses: model.py says why.
class Tile(NamedTuple):
    """A key figure as its tile shows it."""

    anchor: str
    href: str  # to the figure on the figures page
    number: Markup  # the number and its unit, as one piece (markup.number_html)
    label: str
    change: str = ""  # on a site of several years: against the year before (years.py)


class CorrectionRow(NamedTuple):
    """An official correction of a figure, as the figures page tells it."""

    anchor: str  # the figure's row on the figures page
    label: str
    previous: str  # the previous value, with its unit
    current: str  # the value now, with its unit
    date: str  # as the language writes dates
    note: str


class FigureRow(NamedTuple):
    """A figure as the figures page lists it."""

    anchor: str
    label: str
    number: Markup  # the number and its unit, as one piece (markup.number_html)
    source: str  # the phrase of the source text
    location: str  # the page and place where it is shown
    cited: str = ""  # the document or office it comes from, if not the source text
    correction: CorrectionRow | None = None
    change: str = ""  # on a site of several years: against the year before (years.py)
    previous_href: str = ""  # and the figure's row on that year's figures page


class FigureSection(NamedTuple):
    """The figures of one page, as the figures page lists them."""

    id: str
    href: str
    heading: str  # 亮点一：…, or the overview's heading
    rows: list[FigureRow]


class Card(NamedTuple):
    """A link to a highlight, the closing or a goal: on the landing page, in the contents,
    and to the previous and next."""

    href: str
    kicker: str  # 亮点一, Goal 2
    title: str
    name: str  # both, as one line: 亮点一：依法立法; the closing's title alone
    current: bool = False  # the page it is shown on


class ReportSection(NamedTuple):
    """A section of the whole report's page: its heading and its text, figures inline."""

    id: str  # the anchor of its heading: highlight-1
    kicker: str
    title: str
    body: Markup
    # The heading of the sections it starts ("highlights", "goals"; or continues, at the top
    # of a part), or "".
    group: str = ""
    starts_goals: bool = False  # the first goal: the goals' intro comes before it


class Part(NamedTuple):
    """Which part of a large site's whole-report or figures page a page is, and the pager
    between the parts."""

    number: int
    count: int
    previous: str | None  # the link to the part before, if any
    next: str | None


class Switch(NamedTuple):
    """The same page in another language."""

    href: str
    tag: str
    name: str


class LanguageContext(NamedTuple):
    """What every page of one language shares: computed once per build, not once per page."""

    site: Site
    lang: Language
    # The interface strings, read by templates as ``t.key``: an attribute, since Jinja2
    # looks a name up as one first, and on a dict that costs an exception every time.
    words: SimpleNamespace
    pages: dict[str, Page]  # by id
    sections: list[Page]  # highlights, the closing and goals, in reading order
    position: dict[str, int]  # page id -> its index in sections
    locations: Mapping[tuple[str, str], str]
    languages_words: list[tuple[Language, SimpleNamespace]]  # every language's, for 404.html
    date_text: str
    stylesheet: str

    @property
    def strings(self) -> dict[str, str]:
        """The interface strings by key (the same values as ``words``)."""
        return vars(self.words)


def language_contexts(site: Site, stylesheet: str) -> dict[str, LanguageContext]:
    words = {
        lang.code: SimpleNamespace(**{key: value[lang.code] for key, value in site.strings.items()})
        for lang in site.languages
    }
    languages_words = [(lang, words[lang.code]) for lang in site.languages]
    contexts = {}
    for lang in site.languages:
        pages = {p.id: p for p in site.pages_in(lang.code)}
        sections = [p for p in pages.values() if p.kind in ("highlight", "closing", "goal")]
        contexts[lang.code] = LanguageContext(
            site=site,
            lang=lang,
            words=words[lang.code],
            pages=pages,
            sections=sections,
            position={p.id: i for i, p in enumerate(sections)},
            locations=site.figure_locations,
            languages_words=languages_words,
            date_text=format_date(site.meta.date, lang.code),
            stylesheet=stylesheet,
        )
    return contexts


def contexts_with_pages(
    contexts: dict[str, LanguageContext], site: Site, pages: Iterable[Page]
) -> dict[str, LanguageContext]:
    """``language_contexts(site)``, from those of a site with the same facts, strings and
    pages in the same places, but for these ``pages`` (the preview's 10,000-page rows of
    benchmarks/run.py fail making them again on each save)."""
    changed: dict[str, list[Page]] = {}
    for page in pages:
        changed.setdefault(page.lang, []).append(page)
    made = {}
    for code, shared in contexts.items():
        own, sections = shared.pages, shared.sections
        if changed.get(code):
            own, sections = dict(own), list(sections)
            for page in changed[code]:
                own[page.id] = page
                if page.id in shared.position:
                    sections[shared.position[page.id]] = page
        made[code] = shared._replace(
            site=site, pages=own, sections=sections, locations=site.figure_locations
        )
    return made


def _nearby(sections: list[Page], index: int | None) -> list[Page]:
    """The sections a page's contents lists: every one, or on a large site those within
    ``NEARBY`` of the page's own (of the first, on a page that is not a section)."""
    if len(sections) <= 2 * NEARBY + 1:
        return sections
    start = min(max(0, (index or 0) - NEARBY), len(sections) - 2 * NEARBY - 1)
    return sections[start : start + 2 * NEARBY + 1]


def _listed(card: Callable[[Page], Card], sections: list[Page], kind: str) -> list[Card]:
    """The cards of the landing page's list of one kind: the first ``LISTED``."""
    listed = []
    for section in sections:
        if section.kind == kind:
            listed.append(card(section))
            if len(listed) == LISTED:
                break
    return listed


def page_context(shared: LanguageContext, page: Page, markdown: MarkdownToHtml) -> dict[str, Any]:
    """Every variable the templates use for one page."""
    site, strings, pages, sections = shared.site, shared.strings, shared.pages, shared.sections
    index = shared.position.get(page.id)
    base = site.meta.base_url
    not_found = page.kind == "404"

    def href(target: Page | str) -> str:
        """A link to another output file: relative, except from the 404 page when the site's
        address is known (a host serves that page at any depth)."""
        path = target.output if isinstance(target, Page) else target
        if not_found and base:
            return base + path
        return page.href(path)

    def absolute(target: Page) -> str | None:
        return base + target.output if base else None

    def heading(p: Page) -> str:
        """The label a highlight or goal carries in the source: 亮点一, Goal 2."""
        if p.number is None:
            return p.title
        return strings[f"{p.kind}_label"].format(number=ordinal_word(p.number, p.lang))

    def card(p: Page) -> Card:
        kicker = heading(p)
        name = kicker if kicker == p.title else f"{kicker}{strings['colon']}{p.title}"
        return Card(href(p), kicker, p.title, name, p.id == page.id)

    # The 404 page carries its stylesheet inline: it must look right at any depth.
    inline = shared.stylesheet.replace("</", "<\\/") if not_found else None
    # On paper, the report's title in the top margin of every page (the stylesheet is one
    # file for every language: the title comes with the page).
    print_style = None if not_found else _print_style(site.meta.title[page.lang])
    anchored: set[str] = set()  # figures given an anchor in this page's prose
    alternates = (
        [] if not_found else [(other, site.page(page.id, other.code)) for other in site.languages]
    )
    landing = page.kind == "landing"

    def tile(figure: Figure) -> Tile:
        figures_page = site.part_of("figures", figure.section, page.lang).output
        return Tile(
            tile_anchor(figure.id),
            href(f"{figures_page}#{figure_anchor(figure.id)}"),
            number(figure),
            figure.label[page.lang],
            Markup(figure.previous.notes[page.lang]) if figure.previous else "",
        )

    def number(figure: Figure) -> Markup:
        return Markup(number_html(figure, page.lang, mark=strings["figure_corrected"]))

    def page_link(p: Page, name: str) -> Card:
        return Card(href(p), name, name, name, p.id == page.id)

    report_page = page.kind == "report"
    figures_listed = page.kind == "figures"
    parted = report_page or figures_listed
    shown = site.part_sections(page) if parted else ()
    count = site.part_count(page) if parted else 1
    around = index  # the contents list the sections around the page's own, or a part's first
    if count > 1 and shown:
        around = shared.position.get(shown[0])
    report_groups = _report_groups(shared, shown) if report_page else []

    return {
        "site": site,
        "meta": site.meta,
        "page": page,
        "lang": shared.lang,
        "t": shared.words,
        "href": href,
        "heading": heading,
        "page_heading": heading(page),
        "links": SimpleNamespace(
            home=href(pages["overview"]),
            figures=href(pages["figures"]),
            report=href(pages["report"]),
            source=href(pages["source"]),
        ),
        "part": _part(site, page, count, href) if count > 1 else None,
        "contents": [page_link(pages["overview"], strings["nav_home"])]
        + [card(p) for p in _nearby(sections, around)]
        + [page_link(pages[name], pages[name].title) for name in ("report", "figures", "source")],
        "highlights": _listed(card, sections, "highlight") if landing else [],
        "closing": next((card(p) for p in sections if p.kind == "closing"), None),
        "goals": _listed(card, sections, "goal") if landing else [],
        "previous": card(sections[index - 1]) if index else None,
        "next": card(sections[index + 1])
        if index is not None and index + 1 < len(sections)
        else None,
        "alternates": [absolute(p) or href(p) for _, p in alternates],
        "languages": [
            Switch(href(p), other.tag, other.name)
            for other, p in alternates
            if other.code != page.lang
        ],
        "canonical": absolute(page) if not not_found else None,
        "body": markdown(page.body, page, anchored),
        "goals_intro": markdown(site.goals_intro.get(page.lang), page, anchored)
        if landing
        or (report_page and count == 1)
        or any(starts_goals for _, _, starts_goals in report_groups)
        else "",
        "tiles": [tile(figure) for figure in _tiled(site.figures_in(page.id), page)],
        "overview": markdown(pages["overview"].body, page, anchored)
        if report_page and page.part == 1
        else "",
        "report_sections": [
            ReportSection(p.id, heading(p), p.title, markdown(p.body, page, anchored), *group)
            for p, *group in report_groups
        ],
        "charts": [
            layout_chart(chart, site.figure_index, page.lang, strings["colon"])
            for chart in site.charts_in(page.id)
        ],
        "figure_sections": [
            _figure_section(
                pages[section], site.figures_in(section), page.lang, href, heading, shared
            )
            for section in shown
        ]
        if figures_listed
        else [],
        "corrections": [
            _correction_row(figure, page.lang, figure_anchor(figure.id))
            for figure in _listed_figures(site, shown, count)
            if figure.correction is not None
        ]
        if figures_listed
        else [],
        "number": number,
        "data": SimpleNamespace(
            json=href(JSON_FILE), csv=href(CSV_FILE), schema=href(SCHEMA_FILE), xlsx=href(XLSX_FILE)
        ),
        "date_text": shared.date_text,
        "css": href(STYLESHEET),
        "inline_css": Markup(inline) if inline else None,
        "print_style": Markup(print_style) if print_style else None,
        "csp": content_security_policy(inline or print_style),
        "languages_words": shared.languages_words,
        # On a site of several years (years.py): the link to the list of years.
        "edition": SimpleNamespace(
            href=href(site.edition.landing[page.lang]), text=strings["years_link"]
        )
        if site.edition is not None
        else None,
        **_identity(site.meta.identity, page, href, base),
    }


def _report_groups(shared: LanguageContext, shown: tuple[str, ...]) -> list[tuple[Page, str, bool]]:
    """The sections a part of the whole report shows, each with the heading of the sections
    it starts (``ReportSection.group``): the highlights at the first, the goals at the
    first goal; and at the top of a later part, the heading of the sections it continues.
    And whether it is the first goal, which the goals' intro comes before."""
    sections = shared.sections
    groups = []
    for k, section_id in enumerate(shown):
        index = shared.position[section_id]
        p = sections[index]
        goals = starts_goals(sections, index)
        if index == 0:
            group = "highlights"
        elif goals or k == 0:
            group = "goals" if p.id.startswith("goal-") else "highlights"
        else:
            group = ""
        groups.append((p, group, goals))
    return groups


def _part(site: Site, page: Page, count: int, href: Callable[[Page | str], str]) -> Part:
    number = page.part

    def link(other: int) -> str | None:
        return href(site.part_page(page.kind, page.lang, other)) if 1 <= other <= count else None

    return Part(number, count, link(number - 1), link(number + 1))


def _listed_figures(site: Site, shown: tuple[str, ...], count: int) -> list[Figure]:
    """The figures a part of the figures page lists, in the order of figures.yaml."""
    if count == 1:
        return list(site.figures)
    figures = [figure for section in shown for figure in site.figures_in(section)]
    order = site.figure_order
    return sorted(figures, key=lambda figure: order[figure.id])


class ShareImage(NamedTuple):
    """The picture of a link to the page shared on social media (og:image)."""

    url: str
    type: str
    width: int | None
    height: int | None
    alt: str


def _identity(
    identity: Identity,
    page: Page,
    href: Callable[[str], str],
    base: str | None,
) -> dict[str, Any]:
    """What the page shows of the site's identity: the mark and favicon, the share image,
    the footer's organisers and filings, and, once the site's address is known, a QR code
    of the page's."""
    logo, share = identity.logo, identity.share_image
    police = POLICE_FILING.search(identity.police_filing) if identity.police_filing else None
    share_alt = identity.share_image_alt or {}
    return {
        "identity": identity,
        "logo": logo.data_uri if logo else None,
        "icon": SimpleNamespace(
            href=href(logo.output if logo else DEFAULT_ICON),
            type=logo.mime if logo else "image/svg+xml",
        ),
        "share": ShareImage(
            # Social media need the full address; without it, the page's own link.
            url=base + share.output if base else href(share.output),
            type=share.mime,
            width=share.width,
            height=share.height,
            alt=share_alt.get(page.lang, ""),
        )
        if share
        else None,
        "filing_links": SimpleNamespace(
            icp=ICP_FILINGS,
            police=POLICE_FILINGS.format(code=police.group()) if police else None,
        ),
        "qr": _qr_code(base + page.output) if base and page.kind != "404" else None,
    }


def _qr_code(address: str) -> Markup:
    """A QR code of ``address``, as an SVG inside the page. Hidden from screen readers: it is
    for a phone's camera, and its caption says so."""
    import segno  # here: only a site whose address is known shows QR codes

    svg = segno.make(address, error="m", micro=False).svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr-code", lineclass=None, dark="#000"
    )
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" ', 1))


def _print_style(title: str) -> str:
    """A style for the page's title in the top margin of a printed page."""
    text = "".join(c if c.isalnum() or c in " ·-" else f"\\{ord(c):x} " for c in title)
    return f'@page{{@top-center{{content:"{text}";font-size:9pt;color:#555}}}}'


def _tiled(figures: list[Figure], page: Page) -> list[Figure]:
    """The figures a page shows as tiles: on the landing page, all of its figures; on a
    section's page, those it leads with (``lead: true``), and any its text does not
    mention, so that every figure is shown on its page."""
    if page.kind == "landing" or page.body is None:
        return figures
    mentioned = {figure_id for figure_id, _ in page.body.figures}
    return [figure for figure in figures if figure.lead or figure.id not in mentioned]


def _figure_section(
    section: Page,
    figures: list[Figure],
    lang: str,
    href: Callable[[Page | str], str],
    heading: Callable[[Page], str],
    shared: LanguageContext,
) -> FigureSection:
    strings = shared.strings
    place = heading(section) if section.number else strings["overview_heading"]
    title = f"{place}{strings['colon']}{section.title}" if section.number else place
    rows = [
        FigureRow(
            figure_anchor(figure.id),
            figure.label[lang],
            Markup(number_html(figure, lang, mark=strings["figure_corrected"])),
            figure.source,
            href(shared.locations[figure.id, lang]),
            figure.cited[lang] if figure.cited else "",
            _correction_row(figure, lang, figure_anchor(figure.id)) if figure.correction else None,
            Markup(figure.previous.notes[lang]) if figure.previous else "",
            href(figure.previous.rows[lang]) if figure.previous else "",
        )
        for figure in figures
    ]
    return FigureSection(section.id, href(section), title, rows)


def _correction_row(figure: Figure, lang: str, anchor: str) -> CorrectionRow:
    correction = figure.correction
    assert correction is not None
    unit = figure.unit_text(lang)
    separator = " " if unit and not lang.startswith("zh") else ""
    return CorrectionRow(
        f"#{anchor}",
        figure.label[lang],
        f"{correction.texts[lang]}{separator}{unit}",
        f"{figure.text(lang)}{separator}{unit}",
        format_date(correction.date, lang),
        correction.note[lang],
    )
