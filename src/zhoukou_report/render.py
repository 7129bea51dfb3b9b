"""Rendering: every page to HTML in memory, and the files beside the pages.

One Jinja2 environment and one Markdown converter per project, one context per page
(context.py). A large site's pages are rendered by several processes, each page the same
way wherever it is rendered, so the output is byte for byte the same. Nothing here
writes: the pages go back to ``build`` as bytes, each with its own part of the link
check done (links.py).
"""

from __future__ import annotations

import contextlib
import gc
import os
import zlib
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import NamedTuple

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup, escape

from .context import LanguageContext, language_contexts, page_context
from .errors import BuildFailed, ContentError
from .fields import Problems
from .files import Same, check_inside, read_bytes, read_text, same_file, unreadable_folder
from .i18n import _
from .layout import ASSETS, STATIC, STYLESHEET_SOURCE, TEMPLATES, THEME
from .links import PageCheck, Resolved, check_page, page_texts
from .markup import FigureContext, Renderer
from .model import Figure, Page, Site, Text, figure_anchor
from .processes import CHUNKS_PER_PROCESS, default_jobs, fork_context, pool
from .strings import Use, found_uses, string_uses
from .stylesheet import compact_css

# Which template renders which kind of page.
TEMPLATE_OF = {
    "landing": "landing.html",
    "highlight": "section.html",
    "goal": "section.html",
    "closing": "section.html",
    "report": "report.html",
    "figures": "figures.html",
    "source": "source.html",
    "404": "404.html",
}


# Records are named tuples, not dataclasses: model.py says why.
class RenderedPage(NamedTuple):
    """A page as HTML, and its own part of the link check.

    A page the same as the previous build's is found so as it is rendered (``Same``), and
    not held at all: the write stage links the previous build's file. The others, rendered
    by worker processes (a large site's), come back compressed and are held so until they
    are written; rendered in this process, as they are. Both for the 10,000-page row of
    benchmarks/run.py (its time, its memory), which fails without; serve's rebuild row
    fails compressing the pages it renders itself."""

    output: str
    html: bytes | Same  # as UTF-8, compressed if ``size`` is given
    size: int | None  # its size as it is, once compressed
    links: PageCheck

    @property
    def content(self) -> bytes | Same:
        if self.size is None or isinstance(self.html, Same):
            return self.html
        return zlib.decompress(self.html, bufsize=self.size)


class SiteRenderer:
    """Templates and Markdown for one project; reusable across builds (``serve`` keeps one)."""

    def __init__(self, project: Path, watching: bool = False):
        """``watching``: templates may change between two renders (``serve``), so each
        render checks its template's file; a build reads each template once."""
        self.project = project
        self.templates = project / TEMPLATES
        self.folders = template_folders(project)
        self.env = _Environment(
            loader=_Loader(self.folders, project),
            bytecode_cache=_bytecode_cache(),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=watching,
        )
        self.markdown = Renderer(keeps=watching)
        # Where each link of a page's folder leads, worked out once for every page and
        # build (check_page): the 10,000-page row, and serve's rebuild row, fail without.
        self.resolved: Resolved = {}
        # serve's: each section of the whole report as HTML, with what it was made of
        # (``markdown_html``); the 1,000-page paragraph row of save → served fails making
        # every section of the report again.
        self.sections: dict[tuple[str, str], tuple[tuple, Markup, frozenset[str]]] | None = (
            {} if watching else None
        )

    # Templates ------------------------------------------------------------------------

    def load_templates(self, problems: Problems) -> dict[str, Use]:
        """Compile every template, recording each syntax error with its file and line; and
        the strings of strings.yaml that the templates use, found as they were compiled."""
        if not self.folders:
            problems.errors.append(
                ContentError(_("the templates folder is missing"), path=TEMPLATES)
            )
            return string_uses(())
        try:  # Jinja2 passes over a folder it cannot read, as if it were empty
            if self.templates in self.folders:
                check_inside(self.templates, TEMPLATES, self.project)
                os.listdir(self.templates)
        except ContentError as e:
            problems.errors.append(e)
            return string_uses(())
        except OSError as e:
            problems.errors.append(unreadable_folder(e, f"{TEMPLATES}/"))
            return string_uses(())
        found = []
        names = self.env.list_templates(filter_func=_is_template)
        for name in sorted(names, key=lambda name: name.split("/")):
            where = self._shown(name)
            try:
                template = self.env.get_template(name)
            except jinja2.TemplateSyntaxError as e:
                problems.errors.append(
                    ContentError(_template_error(e.message), path=where, line=e.lineno)
                )
                continue
            except ContentError as e:  # not UTF-8, not a file, outside the project
                problems.errors.append(e)
                continue
            # The module a template compiles to holds its uses (see _CodeGenerator).
            found.append((where, template.root_render_func.__globals__[_USES]))
        for kind, name in TEMPLATE_OF.items():
            if not self._file(name).is_file():
                message = _("the template for {kind} pages is missing").format(kind=kind)
                problems.errors.append(ContentError(message, path=f"{TEMPLATES}/{name}"))
        return string_uses(found)

    def _file(self, name: str) -> Path:
        """The file a template name stands for: the project's own, else the theme's; found
        as the loader finds it (``_found``)."""
        return _found(self.folders, name.split("/")) or self.templates / name

    def _shown(self, name: str) -> str:
        """How errors name a template: templates/x.html, or the theme's file."""
        file = self._file(name)
        return f"{TEMPLATES}/{name}" if file.is_relative_to(self.templates) else str(file)

    def assets(self) -> dict[str, bytes]:
        """The files of templates/static/, by their path in the site (assets/…): the
        theme's, and the project's own in their place or beside them; hidden files left
        out; stylesheets (.css) compact (stylesheet.py). A file or folder of the project's
        that cannot be read, is not a regular file, or leads out of the project is an error
        naming it (files.read_bytes)."""
        found: dict[str, bytes] = {}
        errors: list[ContentError] = []
        for folder in reversed(self.folders):
            static = folder / STATIC
            if not static.is_dir():
                continue
            root = self.project if folder == self.templates else folder
            for rel in _files_under(static, errors, root):
                where = f"{static.relative_to(root).as_posix()}/{rel}"
                try:
                    if rel.endswith(".css"):
                        css = compact_css(read_text(static / rel, where, root))
                        found[f"{ASSETS}/{rel}"] = css.encode("utf-8")
                    else:
                        found[f"{ASSETS}/{rel}"] = read_bytes(static / rel, where, root)
                except ContentError as e:
                    errors.append(e)
        if errors:
            raise BuildFailed(errors)
        return dict(sorted(found.items()))

    def stylesheet(self) -> str:
        """The stylesheet as the site ships it (compact), for the 404 page to carry."""
        file = self._file(STYLESHEET_SOURCE)
        if not os.path.lexists(file):
            return ""
        if file.is_relative_to(self.templates):
            return compact_css(read_text(file, f"{TEMPLATES}/{STYLESHEET_SOURCE}", self.project))
        return compact_css(read_text(file, str(file)))  # the installed theme's

    # Pages ----------------------------------------------------------------------------

    def render_pages(
        self,
        site: Site,
        pages: Iterable[Page],
        existing: Collection[str],
        shared: dict[str, LanguageContext] | None = None,
        previous: Path | None = None,
        compress: bool = False,
    ) -> tuple[list[RenderedPage], list[ContentError]]:
        """Pages as HTML (``compress``ed, see RenderedPage; or ``Same`` as the file of the
        ``previous`` build), each with its own part of the link check done against the
        files that will ``exist``; and the errors met rendering. ``shared`` is what
        ``language_contexts`` computed for this site, if it was."""
        shared = shared or language_contexts(site, self.stylesheet())
        rendered: list[RenderedPage] = []
        errors: list[ContentError] = []
        for page in pages:
            try:
                html = self.render_page(shared[page.lang], page)
            except ContentError as e:
                errors.append(e)
                continue
            data = html.encode("utf-8")
            texts = page_texts(site, page)
            links = check_page(page.output, data, existing, texts, self.resolved)
            same = same_file(os.path.join(previous, page.output), data) if previous else None
            if same is not None:
                rendered.append(RenderedPage(page.output, same, None, links))
            elif compress:
                rendered.append(RenderedPage(page.output, zlib.compress(data, 1), len(data), links))
            else:
                rendered.append(RenderedPage(page.output, data, None, links))
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
                _template_error(e.message), path=f"{TEMPLATES}/{e.name or name}", line=e.lineno
            ) from e
        except jinja2.UndefinedError as e:
            where, line = _template_frame(e, self.templates, self.folders)
            raise ContentError(
                _template_error(e.message), path=where or f"{TEMPLATES}/{name}", line=line
            ) from e
        except ContentError:
            raise
        except Exception as e:
            where, line = _template_frame(e, self.templates, self.folders)
            if where is None:
                raise
            raise ContentError(
                _template_error(f"{type(e).__name__}: {e}"), path=where, line=line
            ) from e

    def markdown_html(
        self, site: Site, text: Text | None, page: Page, anchored: set[str]
    ) -> Markup:
        """A Markdown text of a page as HTML; its figures link to the figures page."""
        if text is None:
            return Markup("")
        strings = site.strings

        def listed(figure: Figure) -> str:
            """The part of the figures page that lists a figure."""
            return site.part_of("figures", figure.section, page.lang).output

        def link(figure: Figure) -> str:
            return page.href(f"{listed(figure)}#{figure_anchor(figure.id)}")

        def note(figure: Figure) -> str:
            """What a tap on a figure shows: its label, its source phrase, and its row on
            the figures page."""
            lang, colon = page.lang, strings["colon"][page.lang]
            source_lang = site.default_language.tag
            return (
                f'<p class="fig-note-label">{escape(figure.label[lang])}</p>'
                f'<p class="fig-note-source">{escape(strings["figure_source"][lang])}'
                f'{escape(colon)}<span lang="{source_lang}">“{escape(figure.source)}”</span></p>'
                + (
                    f'<p class="fig-note-previous">{figure.previous.notes[lang]}</p>'
                    if figure.previous  # on a site of several years: against the year before
                    else ""
                )
                + f'<p><a href="{escape(link(figure))}">'
                f"{escape(strings['figures_title'][lang])}</a></p>"
            )

        # The whole report, a document to read through and print, links its figures to the
        # figures page instead: its seventy notes would weigh a third of it.
        notes = None if page.kind == "report" else note
        corrected = strings["figure_corrected"][page.lang]
        kept = self.sections if page.kind == "report" else None
        if kept is not None:  # a section as made the last time, while all it shows is the same
            refs = sorted({figure_id for figure_id, _ in text.figures})
            given = frozenset(figure_id for figure_id in refs if figure_id in anchored)
            figures = [site.figure_index.get(r) for r in refs]
            made_of = (
                text.markdown, given, figures, corrected,
                [listed(figure) for figure in figures if figure is not None],
            )  # fmt: skip
            found = kept.get((page.output, text.path))
            if found is not None and found[0] == made_of:
                anchored.update(found[2])
                return found[1]
        context = FigureContext(site.figure_index, page.lang, link, anchored, corrected, notes)
        try:
            html = self.markdown.convert(text.markdown, context)
        except ContentError as e:
            raise e.located(text.path, text.line) from e
        if context.notes:
            html += '\n<div class="fig-notes">' + "".join(context.notes) + "</div>"
        if kept is not None:
            added = frozenset(figure_id for figure_id in refs if figure_id in anchored) - given
            kept[page.output, text.path] = (made_of, Markup(html), added)
        return Markup(html)


def _files_under(folder: Path, errors: list[ContentError], project: Path) -> list[str]:
    """Every file under ``folder`` but hidden ones, relative to it, following links to
    folders inside the project (once each); a folder that cannot be read, or leads out of
    the project, is an error in ``errors``."""
    found: list[str] = []
    seen: set[str] = set()
    pending = [""]
    while pending:
        rel = pending.pop()
        path = os.path.join(folder, rel) if rel else str(folder)
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        where = Path(folder.relative_to(project), rel).as_posix()
        try:
            check_inside(Path(path), where, project)
            entries = sorted(os.scandir(path), key=lambda entry: entry.name)
        except ContentError as e:
            errors.append(e)
            continue
        except OSError as e:
            errors.append(unreadable_folder(e, f"{where}/"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir():  # following a link: check_inside says where it leads
                pending.append(child)
            else:
                found.append(child)
    return found


def _found(folders: list[Path], pieces: list[str]) -> Path | None:
    """The first of ``folders`` that has the file: whatever stands there (a link, a named
    pipe), so that reading it refuses what must be refused rather than passing over it to
    the theme's file of the same name."""
    for folder in folders:
        file = folder.joinpath(*pieces)
        if os.path.lexists(file):
            return file
    return None


class _Loader(jinja2.FileSystemLoader):
    """Jinja2's, looking in the project's templates/, then the theme's; reading each
    template as files.py reads a file: refused, and not opened, if it is not a regular
    file or leads out of the project; a mistake of its text (not UTF-8) an error at its
    line."""

    def __init__(self, folders: list[Path], project: Path):
        super().__init__(folders)
        self.project = project

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        found = _found([Path(folder) for folder in self.searchpath], pieces)
        if found is None:
            raise jinja2.TemplateNotFound(template)
        file = str(found)
        if found.is_relative_to(self.project / TEMPLATES):
            text = read_text(found, f"{TEMPLATES}/{'/'.join(pieces)}", self.project)
        else:  # the installed theme's
            text = read_text(found, file)
        modified = os.path.getmtime(file)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(file) == modified
            except OSError:
                return False

        return text, os.path.normpath(file), uptodate


_USES = "string_uses"  # the name of a compiled template's list of the strings it uses
_USES_FORMAT = "1"  # in the bytecode cache's file names: to change with what found_uses gives


class _CodeGenerator(CodeGenerator):
    """Jinja2's, writing into each compiled template the strings of strings.yaml it uses
    (``strings.found_uses``): they are found on the template as it is compiled, and kept
    with it in the bytecode cache."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        super().visit_Template(node, frame)
        self.writeline(f"{_USES} = {found_uses(node)!r}")


class _Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs, in the user's cache folder
    (``$XDG_CACHE_HOME/zhoukou-report/templates``, else ``~/.cache/…``); one that cannot be
    read or written is skipped. Jinja checks each entry against the template's source, so
    an edited template is always compiled afresh. ``ZHOUKOU_REPORT_NO_CACHE=1`` keeps none.
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
    if os.environ.get("ZHOUKOU_REPORT_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "zhoukou-report" / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(folder), f"%s.{_USES_FORMAT}.cache")


def _is_template(name: str) -> bool:
    return name.endswith(".html") and not name.startswith(f"{STATIC}/")


def template_folders(project: Path) -> list[Path]:
    """Where templates and static files are looked for: the project's own, then the theme."""
    templates = project / TEMPLATES
    folders = [templates] if templates.is_dir() else []
    theme = default_theme()
    if theme and not (folders and theme.samefile(templates)):
        folders.append(theme)
    return folders


def template_file(project: Path, name: str) -> Path | None:
    """The file a template or static file's name (static/share.png) stands for, found as
    the renderer finds it: the project's own, else the theme's; None if neither has it."""
    return _found(template_folders(project), name.split("/"))


def default_theme() -> Path | None:
    """The packaged theme (theme/ beside this module, in an installed package), or in a
    checkout of the repository (an editable install), its templates/."""
    here = Path(__file__).resolve().parent
    for folder in (here / THEME, here.parents[1] / TEMPLATES):
        if (folder / TEMPLATE_OF["landing"]).is_file():
            return folder
    return None


def _template_frame(
    error: BaseException, templates: Path, folders: list[Path]
) -> tuple[str | None, int | None]:
    """The innermost template file and line in an error's traceback (Jinja rewrites its
    frames): templates/x.html for the project's own, the file's path for the theme's."""
    import traceback  # here: only a failed build needs it

    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = Path(frame.f_code.co_filename).resolve()
        for folder in folders:
            if filename.is_relative_to(folder.resolve()):
                rel = filename.relative_to(folder.resolve()).as_posix()
                own = folder == templates
                found = (f"{TEMPLATES}/{rel}" if own else str(filename), line)
                break
    return found


# Several processes ------------------------------------------------------------------------


def render_site(
    site: Site,
    renderer: SiteRenderer,
    existing: Collection[str],
    jobs: int | None = None,
    previous: Path | None = None,
) -> list[RenderedPage]:
    """Every page of the site, in this process or in ``jobs`` (by default: as many as
    ``default_jobs`` says); ``BuildFailed`` on errors. ``existing`` is every file the site
    will have, for each page's own part of the link check; ``previous``, the folder of the
    previous build, if there is one."""
    jobs = default_jobs(len(site.pages)) if jobs is None else jobs
    if jobs <= 1 or len(site.pages) < 2:
        rendered, errors = renderer.render_pages(site, site.pages, existing, previous=previous)
    else:
        rendered, errors = _render_in_workers(site, renderer, existing, jobs, previous)
    if errors:
        raise BuildFailed(errors)
    return rendered


def _render_in_workers(
    site: Site,
    renderer: SiteRenderer,
    existing: Collection[str],
    jobs: int,
    previous: Path | None,
) -> tuple[list[RenderedPage], list[ContentError]]:
    """Each worker holds a renderer and the site, handed over once as it starts (inherited,
    where processes are forked), renders its share of the pages and sends them back."""
    context = fork_context()
    # Forked workers start with this process's renderer, its templates compiled, and the
    # contexts of the languages made once; others (spawned) make their own.
    start: tuple = (renderer.project, site, existing, previous, None)
    if context is not None:
        shared = language_contexts(site, renderer.stylesheet())
        start = (renderer, site, existing, previous, shared)
    rendered: list[RenderedPage] = []
    errors: list[ContentError] = []
    # Python's way to fork without copying the site: the workers' garbage collections leave
    # it alone (the 10,000-page row of benchmarks/run.py fails without).
    gc.freeze()
    try:
        with pool(jobs, _start_worker, start) as workers:
            for pages, problems in workers.map(
                _render_chunk, _chunks(site.pages, jobs * CHUNKS_PER_PROCESS)
            ):
                rendered += pages
                errors += problems
    finally:
        gc.unfreeze()
    return rendered, errors


def _chunks(pages: tuple[Page, ...], count: int) -> list[list[int]]:
    """Page indexes in ``count`` groups of about equal work: the largest pages (the landing
    and figures pages, which list everything) go first, each to a group of its own."""
    order = sorted(range(len(pages)), key=lambda i: pages[i].kind not in ("landing", "figures"))
    groups: list[list[int]] = [[] for _ in range(min(count, len(pages)))]
    for position, index in enumerate(order):
        groups[position % len(groups)].append(index)
    return [group for group in groups if group]


class _WorkerState(NamedTuple):
    renderer: SiteRenderer
    site: Site
    existing: Collection[str]
    previous: Path | None
    shared: dict[str, LanguageContext]


# The worker's own state, set once by ``_start_worker`` in each worker process (the one
# way to hand a process pool's workers what all their tasks share).
_worker: _WorkerState | None = None


def _start_worker(
    renderer: SiteRenderer | Path,
    site: Site,
    existing: Collection[str],
    previous: Path | None,
    shared: dict[str, LanguageContext] | None,
) -> None:
    global _worker
    if not isinstance(renderer, SiteRenderer):
        renderer = SiteRenderer(renderer)
    shared = shared or language_contexts(site, renderer.stylesheet())
    _worker = _WorkerState(renderer, site, existing, previous, shared)


def _render_chunk(indexes: list[int]) -> tuple[list[RenderedPage], list[ContentError]]:
    assert _worker is not None, "the worker was not started"
    pages = [_worker.site.pages[i] for i in indexes]
    worker = _worker
    return worker.renderer.render_pages(
        worker.site, pages, worker.existing, worker.shared, worker.previous, compress=True
    )


def _template_error(problem: object) -> str:
    return _("template error: {problem}").format(problem=problem)
