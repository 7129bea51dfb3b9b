"""Several years' reports in one site: a layer over the single report's pipeline (build.py).

A project holds several years when it has no ``content/`` folder of its own, but folders
named by their year that each hold one (``2023/content/``, ``2024/content/``): each a
complete content folder, as ``import`` and ``new`` make one, so that next February
``zhoukou-report import report.txt --project 2025`` adds 2025 beside 2024. A
``templates/`` folder beside the years serves all of them (without one, the theme).

Each year is loaded, validated and rendered as a single report is (``assemble_site``),
oldest first; before it is rendered, each of its figures whose id the year before also
has is given that year's value and the change (``Figure.previous``), as its strings.yaml
words it. Its files are then put under ``<year>/``: every link inside a year is relative,
so it still leads where it did. A landing page in each language lists the years, newest
first; the links of the whole output, those across years included, are then checked
together, and the site is written in one piece as a single report's is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import partial
from pathlib import Path
from types import SimpleNamespace

from markupsafe import Markup, escape

from .build import SiteFiles, _combine, assemble_site
from .changes import figure_changes
from .context import content_security_policy, format_date
from .errors import BuildFailed, ContentError
from .i18n import _
from .layout import (
    CONTENT,
    DEFAULT_ICON,
    JSON_FILE,
    ROBOTS,
    SITEMAP,
    STRINGS_FILE,
    STYLESHEET,
)
from .links import check_links, check_page
from .model import Edition, Figure, Previous, Site, figure_anchor
from .numbers import format_number, plain
from .opendata import figure_records, load_records
from .publish import normalise_base_url
from .render import RenderedPage, SiteRenderer
from .strings import YEARS_STRINGS
from .validate import _placeholder_problem
from .write import previous_build, read_previous

YEAR = re.compile(r"^[0-9]{4}$")
LANDING_TEMPLATE = "years.html"
NOT_FOUND = "404.html"

# The texts of strings.yaml (strings.YEARS_STRINGS) every year needs, and those each year
# but the first needs to compare its figures with the year before's.
EVERY_YEAR = {name: YEARS_STRINGS[name] for name in ("years_title", "years_link")}
COMPARING = {name: allowed for name, allowed in YEARS_STRINGS.items() if name not in EVERY_YEAR}


def year_folders(project: Path) -> list[str] | None:
    """The folders of a project of several years that hold a year's content, by name, in
    order; None for a project of one report (it has a content/ folder of its own, or no
    folder holds one)."""
    if (project / CONTENT).exists():
        return None
    try:
        names = [entry.name for entry in os.scandir(project) if not entry.name.startswith(".")]
    except OSError:
        return None
    return sorted(name for name in names if (project / name / CONTENT).is_dir()) or None


def assemble_years(
    project: Path,
    years: list[str],
    strict: bool = False,
    base_url: str | None = None,
    jobs: int | None = None,
    renderer: SiteRenderer | None = None,
    previous: Path | None = None,
) -> SiteFiles:
    """Stages 1 to 4 for every year of the project (``year_folders``), and the landing
    pages; ``BuildFailed`` holds every problem of every year. ``previous``: an output
    folder, whose figures to compare with (each named with its year: 2025/stations)."""
    errors = [
        ContentError(
            _(
                '"{name}" is not a year: name the folder of a year\'s report by its year, as 2025'
            ).format(name=name),
            path=f"{name}/{CONTENT}",
        )
        for name in years
        if not YEAR.match(name)
    ]
    if errors:
        raise BuildFailed(errors)
    renderer = renderer or SiteRenderer(project)
    base = normalise_base_url(base_url) if base_url else None
    warnings: list[ContentError] = []
    built: list[tuple[str, SiteFiles]] = []
    earlier: tuple[str, Site] | None = None
    for year in years:
        attach = partial(attach_year, year=year, earlier=earlier)
        try:
            files = assemble_site(
                project / year,
                strict,
                f"{base}{year}/" if base else None,
                jobs,
                renderer,
                adjust=attach,
                check=False,
            )
        except BuildFailed as failure:
            errors += [_in_year(error, year) for error in failure.errors]
            warnings += [_in_year(warning, year) for warning in failure.warnings]
            earlier = None
            continue
        warnings += [_in_year(warning, year) for warning in files.warnings]
        built.append((year, files))
        earlier = year, files.site
    if errors:
        # Each year compiles the same templates: an error of theirs is told once.
        raise BuildFailed(list(dict.fromkeys(errors)), list(dict.fromkeys(warnings)))

    pages: list[RenderedPage] = []
    others: dict[str, bytes] = {}
    for year, files in built:
        pages += [page._replace(output=f"{year}/{page.output}") for page in files.pages]
        # The stylesheet and images, the same for every year, go in every year's folder:
        # a year's folder is a site of its own, which may be published alone.
        others.update({f"{year}/{rel}": data for rel, data in files.others.items()})
    latest = built[-1][1].site
    landing = landing_pages(latest, built, renderer)
    others = _combine(others, landing)
    if base:
        # What a host and crawlers look for at the top: the latest year's page for
        # addresses that do not exist (its links are full addresses), and robots.txt
        # naming every year's sitemap (one in a year's folder is not read).
        page = next(page for page in pages if page.output == f"{built[-1][0]}/{NOT_FOUND}")
        others[NOT_FOUND] = page.content  # type: ignore[assignment]  # bytes: no previous build
        for year, _files in built:
            del others[f"{year}/{ROBOTS}"]
        sitemaps = "".join(f"Sitemap: {base}{year}/{SITEMAP}\n" for year, _ in reversed(built))
        others[ROBOTS] = f"User-agent: *\nAllow: /\n\n{sitemaps}".encode()

    # 4. Check links, across the years: every page again, at its place in the whole site.
    html = {page.output: page.content for page in pages}
    html.update({rel: data for rel, data in others.items() if rel.endswith(".html")})
    existing = html.keys() | others.keys()
    checks = [check_page(rel, data, existing) for rel, data in html.items()]  # type: ignore[arg-type]
    broken = check_links(checks, latest, existing, html.__getitem__)  # type: ignore[arg-type]
    if broken:
        raise BuildFailed(broken, warnings)
    by_output = {check.output: check for check in checks}
    pages += [RenderedPage(rel, landing[rel], None, by_output[rel]) for rel in landing]
    for rel in landing:
        del others[rel]
    changes = [] if previous is None else _figure_changes(built, previous)
    return SiteFiles(latest, pages, others, warnings, changes)


def _figure_changes(built: list[tuple[str, SiteFiles]], previous: Path) -> list[str]:
    """What changed in the figures of every year since the build in ``previous``, each
    figure named with its year (``changed  2025/stations: 130 → 125``)."""
    earlier = None
    if previous_build(previous) is not None:
        earlier = {}
        for year, _files in built:
            data = read_previous(previous, f"{year}/{JSON_FILE}")
            records = load_records(data) if data is not None else None
            earlier.update({f"{year}/{key}": record for key, record in (records or {}).items()})
    current = [
        {**record, "id": f"{year}/{record['id']}"}
        for year, files in built
        for record in figure_records(files.site)
    ]
    return figure_changes(earlier, current)


def _in_year(error: ContentError, year: str) -> ContentError:
    """An error of a year's content, named from the project's folder: 2024/content/…"""
    if error.path is None or not error.path.startswith(f"{CONTENT}/"):
        return error  # the templates', or the built site's
    return ContentError(error.message, f"{year}/{error.path}", error.line, error.field, error.hint)


# Comparing a year with the year before ---------------------------------------------------


def attach_year(site: Site, year: str, earlier: tuple[str, Site] | None) -> Site:
    """The year's site as a part of the whole: the links to the list of years, and each
    figure the year before also had given its value then and the change."""
    needed = EVERY_YEAR if earlier is None else {**EVERY_YEAR, **COMPARING}
    errors = _string_problems(site.strings, needed)
    if errors:
        raise BuildFailed(errors)
    figures = site.figures
    if earlier is not None:
        before_year, before = earlier
        figures = tuple(
            _compared(figure, before.figure_index.get(figure.id), before_year, before, site)
            for figure in site.figures
        )
    landing = {lang.code: f"../{lang.prefix}index.html" for lang in site.languages}
    edition = Edition(year, earlier[0] if earlier else None, landing)
    return Site(
        meta=site.meta,
        languages=site.languages,
        figures=figures,
        pages=site.pages,
        goals_intro=site.goals_intro,
        strings=site.strings,
        source=site.source,
        charts=site.charts,
        edition=edition,
        typed_numbers=site.typed_numbers,
    )


def _string_problems(
    strings: Mapping[str, Mapping[str, str]], needed: Mapping[str, frozenset[str]]
) -> list[ContentError]:
    """Each text of strings.yaml the years need that is missing, or holds a placeholder
    the code does not fill."""
    problems = []
    for name, placeholders in needed.items():
        if name not in strings:
            message = _('"{name}" is missing: a site of several years uses it').format(name=name)
            hint = _("add it to {file} as {example}").format(
                file=STRINGS_FILE, example=f"{name}: {{zh: …, en: …}}"
            )
            problems.append(ContentError(message, path=STRINGS_FILE, field=name, hint=hint))
            continue
        for code, text in strings[name].items():
            problem = _placeholder_problem(text, set(placeholders))
            if problem:
                message, hint = problem
                problems.append(
                    ContentError(message, path=STRINGS_FILE, field=f"{name}.{code}", hint=hint)
                )
    return problems


def _compared(
    figure: Figure, before: Figure | None, year: str, earlier: Site, site: Site
) -> Figure:
    """The figure with the year before's value of the same id, and the change, in each
    language. A figure whose unit changed (个 then 家) counts something else: it is not
    compared. One with a qualifier (近, 多) this year or the year before is shown beside
    the value before, with no change worked out."""
    default = site.default_language.code
    if before is None or before.unit.get(default, "") != figure.unit.get(default, ""):
        return figure
    qualified = figure.qualifier is not None or before.qualifier is not None
    change = None
    if not qualified:
        change = _number(Decimal(plain(figure.value)) - Decimal(plain(before.value)))
    strings = site.strings
    # A report looks back on the year before the one it is delivered in, and is named by
    # the latter: 2024's report gives the figures of 2023, as the comparison says.
    of = int(year) - 1
    texts, notes = {}, {}
    for lang in figure.label:
        unit = figure.unit.get(lang, "")
        number = format_number(before.value, lang, before.qualifier, unit)
        texts[lang] = _with_unit(number, figure, lang)
        if change is None:
            template = strings["figure_before"][lang]
        else:
            template = strings[
                "figure_up" if change > 0 else "figure_down" if change < 0 else "figure_same"
            ][lang]
        change_text = ""
        if change:
            if unit == "%":
                number = format_number(abs(change), lang)
                change_text = strings["figure_points"][lang].format(number=number)
            else:
                change_text = _with_unit(format_number(abs(change), lang, None, unit), figure, lang)
        notes[lang] = _note(template, of, texts[lang], change_text)
    rows = {}
    for lang in figure.label:
        code = lang if lang in earlier._languages else earlier.default_language.code
        page = earlier.part_of("figures", before.section, code)  # the part that lists it
        rows[lang] = f"../{year}/{page.output}#{figure_anchor(figure.id)}"
    return figure._replace(previous=Previous(of, before.value, texts, notes, change, rows))


def _note(template: str, year: int, previous: str, change: str) -> str:
    """The comparison as HTML: ``比2023年的<span class="num">232家</span>增加…``, each
    number with its unit one piece that never breaks across lines, as in the prose."""

    def whole(text: str) -> Markup | str:
        return Markup('<span class="num">{}</span>').format(text) if text else ""

    return str(escape(template).format(year=year, previous=whole(previous), change=whole(change)))


def _with_unit(number: str, figure: Figure, lang: str) -> str:
    """``232家``, ``232 yuan``, ``92.1%``: a number with the figure's unit."""
    unit = figure.unit_text(lang)
    if not unit:
        return number
    return f"{number}{'' if lang.startswith('zh') else ' '}{unit}"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# The landing page --------------------------------------------------------------------------


def landing_pages(
    latest: Site, built: list[tuple[str, SiteFiles]], renderer: SiteRenderer
) -> dict[str, bytes]:
    """The page that lists the years, newest first, in each language of the latest year
    (``index.html``, ``en/index.html``): each year's home page in that language, or in the
    year's default language if it had no other."""
    template = renderer.env.get_template(LANDING_TEMPLATE)
    pages = {}
    for lang in latest.languages:
        output = f"{lang.prefix}index.html"
        root = "../" * output.count("/")
        words = SimpleNamespace(
            **{key: value.get(lang.code, "") for key, value in latest.strings.items()}
        )
        items = []
        for year, files in reversed(built):
            site = files.site
            code = lang.code if lang.code in site._languages else site.default_language.code
            home = site.page("overview", code)
            items.append(
                SimpleNamespace(
                    year=year,
                    href=f"{root}{year}/{home.output}",
                    title=site.meta.title[code],
                    meeting=site.meta.meeting[code],
                    date=format_date(site.meta.date, code),
                    lang=site.language(code).tag,
                )
            )
        switch = [
            SimpleNamespace(href=f"{root}{other.prefix}index.html", tag=other.tag, name=other.name)
            for other in latest.languages
            if other.code != lang.code
        ]
        html = template.render(
            lang=lang,
            words=words,  # not t: the templates' uses of t are required of every site
            years=items,
            languages=switch,
            css=f"{root}{built[-1][0]}/{STYLESHEET}",
            icon=f"{root}{built[-1][0]}/{DEFAULT_ICON}",
            csp=content_security_policy(),
        )
        pages[output] = html.encode("utf-8")
    return pages
