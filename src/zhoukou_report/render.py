"""Pages to HTML: one Jinja2 environment, one Markdown converter, one context per page.

``render_site`` returns every output file as bytes, keyed by its path relative to the
output folder; nothing here touches the disk except reading templates and assets.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .charts import layout_chart
from .errors import BuildFailed, ContentError
from .markup import FigureContext, Renderer
from .model import Figure, Page, Site, Text
from .numbers import ordinal_word

TEMPLATES = "templates"
STATIC = "static"  # inside templates/: copied to assets/ as they are
ASSETS = "assets"

# Which template renders which kind of page.
TEMPLATE_OF = {
    "landing": "landing.html",
    "highlight": "section.html",
    "goal": "section.html",
    "figures": "figures.html",
    "source": "source.html",
    "404": "404.html",
}

_EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_date(day: date, lang: str) -> str:
    if lang.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


@dataclass
class RenderedSite:
    files: dict[str, bytes]  # output path -> content
    pages: int


class SiteRenderer:
    """Templates and Markdown for one project; reusable across builds (``serve`` keeps one)."""

    def __init__(self, project: Path):
        self.project = project
        self.templates = project / TEMPLATES
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=True,
        )
        self.markdown = Renderer()

    # Templates ------------------------------------------------------------------------

    def check_templates(self) -> None:
        """Compile every template, reporting each syntax error with its file and line."""
        errors = []
        if not self.templates.is_dir():
            raise BuildFailed([ContentError("the templates folder is missing", path=TEMPLATES)])
        for name in sorted(self.env.list_templates(filter_func=_is_template)):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as e:
                errors.append(
                    ContentError(
                        f"template error: {e.message}",
                        path=f"{TEMPLATES}/{name}",
                        line=e.lineno,
                    )
                )
        for kind, name in TEMPLATE_OF.items():
            if not (self.templates / name).is_file():
                errors.append(
                    ContentError(
                        f"the template for {kind} pages is missing", path=f"{TEMPLATES}/{name}"
                    )
                )
        if errors:
            raise BuildFailed(errors)

    def assets(self) -> Iterator[tuple[str, bytes]]:
        folder = self.templates / STATIC
        if not folder.is_dir():
            return
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.name.startswith("."):
                yield f"{ASSETS}/{file.relative_to(folder).as_posix()}", file.read_bytes()

    # Pages ----------------------------------------------------------------------------

    def render_site(self, site: Site) -> RenderedSite:
        self.check_templates()
        files: dict[str, bytes] = {}
        errors: list[ContentError] = []
        for page in site.pages:
            try:
                html = self.render_page(site, page)
            except ContentError as e:
                errors.append(e)
                continue
            files[page.output] = html.encode("utf-8")
        if errors:
            raise BuildFailed(errors)
        files.update(self.assets())
        return RenderedSite(files, len(site.pages))

    def render_page(self, site: Site, page: Page) -> str:
        name = TEMPLATE_OF[page.kind]
        context = self.context(site, page)
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as e:
            raise ContentError(
                f"template error: {e.message}", path=f"{TEMPLATES}/{e.name or name}", line=e.lineno
            ) from e
        except jinja2.UndefinedError as e:
            where, line = _template_frame(e, self.templates)
            raise ContentError(
                f"template error: {e.message}", path=where or f"{TEMPLATES}/{name}", line=line
            ) from e
        except ContentError:
            raise
        except Exception as e:
            where, line = _template_frame(e, self.templates)
            if where is None:
                raise
            raise ContentError(
                f"template error: {type(e).__name__}: {e}", path=where, line=line
            ) from e

    def markdown_html(self, site: Site, page: Page, text: Text | None) -> Markup:
        if text is None:
            return Markup("")
        figures_page = site.page("figures", page.lang)
        context = FigureContext(
            site.figure_index,
            page.lang,
            lambda figure: page.href(f"{figures_page.output}#{figure_anchor(figure)}"),
        )
        try:
            return Markup(self.markdown.convert(text.markdown, context))
        except ContentError as e:
            raise e.located(text.path, text.line) from e

    def context(self, site: Site, page: Page) -> dict[str, Any]:
        lang = site.language(page.lang)
        strings = {key: value[page.lang] for key, value in site.strings.items()}
        pages = {p.id: p for p in site.pages_in(page.lang)}
        sections = [p for p in pages.values() if p.kind in ("highlight", "goal")]
        index = sections.index(page) if page in sections else None

        def href(target: Page | str) -> str:
            return page.href(target.output if isinstance(target, Page) else target)

        def heading(p: Page) -> str:
            """The label a highlight or goal carries in the source: 亮点一, Goal 2."""
            if p.number is None:
                return p.title
            return strings[f"{p.kind}_label"].format(number=ordinal_word(p.number, p.lang))

        return {
            "site": site,
            "meta": site.meta,
            "page": page,
            "lang": lang,
            "t": strings,
            "root": page.root,
            "href": href,
            "heading": heading,
            "pages": pages,
            "highlights": [p for p in sections if p.kind == "highlight"],
            "goals": [p for p in sections if p.kind == "goal"],
            "previous": sections[index - 1] if index else None,
            "next": sections[index + 1]
            if index is not None and index + 1 < len(sections)
            else None,
            "alternates": [(other, site.page(page.id, other.code)) for other in site.languages],
            "body": self.markdown_html(site, page, page.body),
            "goals_intro": self.markdown_html(site, page, site.goals_intro.get(page.lang)),
            "figures": site.figures_in(page.id),
            "charts": [
                layout_chart(chart, site.figure_index, page.lang, strings["colon"])
                for chart in site.charts_in(page.id)
            ],
            "figure_sections": [
                (p, site.figures_in(p.id)) for p in pages.values() if site.figures_in(p.id)
            ],
            "figure_anchor": figure_anchor,
            "figure_href": lambda figure: href(
                f"{pages['figures'].output}#{figure_anchor(figure)}"
            ),
            "date_text": format_date(site.meta.date, page.lang),
            "css": href(f"{ASSETS}/site.css"),
        }


def figure_anchor(figure: Figure) -> str:
    return f"fig-{figure.id}"


def _is_template(name: str) -> bool:
    return name.endswith(".html") and not name.startswith(f"{STATIC}/")


def _template_frame(error: BaseException, templates: Path) -> tuple[str | None, int | None]:
    """The innermost template file and line in an error's traceback (Jinja rewrites its frames)."""
    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = Path(frame.f_code.co_filename)
        try:
            rel = filename.resolve().relative_to(templates.resolve())
        except (ValueError, OSError):
            continue
        found = (f"{TEMPLATES}/{rel.as_posix()}", line)
    return found
