"""Pages to HTML: one Jinja2 environment, one Markdown converter, one context per page.

``render_pages`` returns each page's HTML, or writes it straight into the new output
folder it is given; besides that, nothing here touches the disk but to read templates
and assets.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import jinja2
from markupsafe import Markup

from .cache import cache_folder
from .context import (
    ASSETS,
    LanguageContext,
    figure_anchor,
    language_contexts,
    page_context,
)
from .errors import BuildFailed, ContentError
from .links import Anchor, check_page, has_capital_names, page_links, page_texts
from .markup import FigureContext, Renderer
from .model import Page, Site, Text
from .write import Destination

TEMPLATES = "templates"
STATIC = "static"  # inside templates/: copied to assets/ as they are

# Which template renders which kind of page.
TEMPLATE_OF = {
    "landing": "landing.html",
    "highlight": "section.html",
    "goal": "section.html",
    "figures": "figures.html",
    "source": "source.html",
    "404": "404.html",
}


class RenderedPage(NamedTuple):
    """A page rendered, with what the site-wide link check still needs of it."""

    output: str
    ids: str  # the targets of its #anchors, one per line
    broken: list[ContentError]  # links that lead nowhere
    anchors: list[Anchor]  # links to other pages' anchors, to confirm against their ids
    data: bytes | None  # None once written to the output folder

    @classmethod
    def checked(
        cls,
        output: str,
        html: str,
        existing: Collection[str],
        origins: Iterable[Text] = (),
        data: bytes | None = None,
        lower_case: bool = False,
    ) -> RenderedPage:
        """A page's own part of the link check, done against the files that will exist
        (``lower_case`` as for ``page_links``)."""
        links = page_links(html, lower_case)
        broken, anchors = check_page(output, links, existing, origins)
        return cls(output, "\n".join(sorted(links.ids)), broken, anchors, data)


class SiteRenderer:
    """Templates and Markdown for one project; reusable across builds (``serve`` keeps one)."""

    def __init__(self, project: Path, watching: bool = False):
        """``watching``: templates may change between two renders (``serve``), so each
        render checks its template's file; a build reads each template once."""
        self.project = project
        self.templates = project / TEMPLATES
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            bytecode_cache=_bytecode_cache(),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=watching,
        )
        self.markdown = Renderer(cache_folder("markdown"))
        # Whether the templates write every tag name and link attribute in lower case, as
        # Markdown's HTML does: the link check then reads pages the quicker way.
        self.lower_case = False  # known once check_templates has read them

    # Templates ------------------------------------------------------------------------

    def check_templates(self) -> None:
        """Compile every template, reporting each syntax error with its file and line; and
        see whether they write every tag and link name in lower case (``lower_case``)."""
        errors = []
        if not self.templates.is_dir():
            raise BuildFailed([ContentError("the templates folder is missing", path=TEMPLATES)])
        names = sorted(self.env.list_templates(filter_func=_is_template))
        self.lower_case = not any(
            has_capital_names((self.templates / name).read_text(encoding="utf-8", errors="replace"))
            for name in names
        )
        for name in names:
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

    def asset_files(self) -> list[tuple[str, Path]]:
        """The files of templates/static/, each with its path in the output (assets/…)."""
        folder = self.templates / STATIC
        if not folder.is_dir():
            return []
        return [
            (f"{ASSETS}/{file.relative_to(folder).as_posix()}", file)
            for file in sorted(folder.rglob("*"))
            if file.is_file() and not file.name.startswith(".")
        ]

    def assets(self) -> Iterator[tuple[str, bytes]]:
        for rel, file in self.asset_files():
            yield rel, file.read_bytes()

    # Pages ----------------------------------------------------------------------------

    def stylesheet(self) -> str:
        file = self.templates / STATIC / "site.css"
        return file.read_text(encoding="utf-8") if file.is_file() else ""

    def render_pages(
        self,
        site: Site,
        pages: Iterable[Page],
        existing: Collection[str],
        into: Destination | None = None,
        shared: dict[str, LanguageContext] | None = None,
        keep: bool = True,
    ) -> tuple[list[RenderedPage], list[ContentError]]:
        """Pages as HTML, each with its own part of the link check done against the files
        that will ``exist``; and the errors met rendering.

        With ``into``, each page is written there at once instead of being kept; without
        ``keep``, it is only checked (``check``). ``shared`` is what ``language_contexts``
        computed for this site, if it was.
        """
        shared = shared or language_contexts(site, self.stylesheet())
        made: set[str] = set()
        rendered: list[RenderedPage] = []
        errors: list[ContentError] = []
        for page in pages:
            try:
                html = self.render_page(shared[page.lang], page)
            except ContentError as e:
                errors.append(e)
                continue
            data = html.encode("utf-8")
            if into is not None:
                into.write(page.output, data, made)
            texts = page_texts(site, page)
            kept = data if keep and into is None else None
            rendered.append(
                RenderedPage.checked(page.output, html, existing, texts, kept, self.lower_case)
            )
        return rendered, errors

    def render_page(self, shared: LanguageContext, page: Page) -> str:
        name = TEMPLATE_OF[page.kind]
        site = shared.site

        def markdown(text: Text | None, page: Page, anchored: set[str]) -> Markup:
            return self.markdown_html(site, text, page, anchored)

        context = page_context(shared, page, markdown)
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

    def markdown_html(
        self, site: Site, text: Text | None, page: Page, anchored: set[str]
    ) -> Markup:
        """A Markdown text of a page as HTML; its figures link to the figures page."""
        if text is None:
            return Markup("")
        figures_page = site.page("figures", page.lang)
        context = FigureContext(
            site.figure_index,
            page.lang,
            lambda figure: page.href(f"{figures_page.output}#{figure_anchor(figure)}"),
            anchored,
        )
        try:
            return Markup(self.markdown.convert(text.markdown, context))
        except ContentError as e:
            raise e.located(text.path, text.line) from e


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs; a cache that cannot be read or written is skipped.

    Jinja checks each entry against the template's source, so an edited template is
    always compiled afresh.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # not kept: compiled again next time
            super().dump_bytecode(bucket)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates, kept in the user's cache folder (see cache.py)."""
    folder = cache_folder("templates")
    return _QuietBytecodeCache(str(folder), "%s.cache") if folder else None


def _is_template(name: str) -> bool:
    return name.endswith(".html") and not name.startswith(f"{STATIC}/")


def _template_frame(error: BaseException, templates: Path) -> tuple[str | None, int | None]:
    """The innermost template file and line in an error's traceback (Jinja rewrites its frames)."""
    import traceback  # here: only a failed build needs it

    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = Path(frame.f_code.co_filename)
        try:
            rel = filename.resolve().relative_to(templates.resolve())
        except (ValueError, OSError):
            continue
        found = (f"{TEMPLATES}/{rel.as_posix()}", line)
    return found
