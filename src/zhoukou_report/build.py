"""The pipeline: load → validate → render → check links → write, in that order.

1. **load** (load.py): every content file is read into the site's records, each field
   checked as it is read; every template is compiled (render.py);
2. **validate** (validate.py): the checks across files: every ``[[id]]`` names a figure,
   every figure has a page, every string the templates use is in strings.yaml, …;
3. **render** (render.py): every page to HTML, in memory (by several processes for a
   large site), and the files beside the pages: assets, open data, sitemap;
4. **check links** (links.py): every internal link and #anchor leads somewhere;
5. **write** (write.py): the files go into a new folder, which takes the place of the
   output only once every file is there.

Nothing is written before every check has passed: a failure at any stage raises
``BuildFailed`` (or, writing, ``WriteFailed``) and leaves the previous output as it was.
``build`` runs the five stages, ``check`` the first four; ``serve`` runs all five into a
folder of its own, with a renderer it keeps from one build to the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from .changes import figure_changes
from .errors import BuildFailed, ContentError
from .fields import Problems
from .files import Kept, Same
from .i18n import N_, _, ngettext
from .layout import CONTENT, JSON_FILE, SITEMAP
from .links import check_links, check_page
from .load import load_content, make_site
from .model import Site
from .opendata import data_files, figure_records, load_records
from .publish import normalise_base_url, publishing_files
from .render import RenderedPage, SiteRenderer, render_site
from .validate import validate_content
from .write import check_output, output_lock, previous_build, read_previous, write_staged

NO_BASE_URL = N_(
    "No base URL: sitemap.xml, robots.txt and canonical links are left out, and the links of "
    "404.html work from the site's top folder only (set base_url in content/site.yaml or pass "
    "--base-url)."
)


# Records are named tuples, not dataclasses: model.py says why.
class SiteFiles(NamedTuple):
    """The whole site in memory, checked, ready to be written."""

    site: Site
    pages: list[RenderedPage]
    others: dict[str, bytes]  # output path -> bytes: assets, open data, sitemap
    warnings: list[ContentError]
    changes: list[str]  # what changed in the figures since the previous build, if asked

    def files(self) -> Iterator[tuple[str, bytes | Same]]:
        """Every file of the site: its output path and its bytes (or ``Same``)."""
        for page in self.pages:
            yield page.output, page.content
        yield from self.others.items()

    @property
    def count(self) -> int:
        return len(self.pages) + len(self.others)


class BuildSummary(NamedTuple):
    """What a build or check did, for the CLI to report."""

    pages: int
    files: int
    seconds: float
    out: Path | None
    warnings: list[ContentError]
    notes: Sequence[str] = ()  # lines to show before the summary


def assemble_site(
    project: Path,
    strict: bool = False,
    base_url: str | None = None,
    jobs: int | None = None,
    renderer: SiteRenderer | None = None,
    previous: Path | None = None,
    kept: Kept | None = None,
    adjust: Callable[[Site], Site] | None = None,
    check: bool = True,
) -> SiteFiles:
    """Stages 1 to 4: load, validate, render and check the whole site, in memory;
    ``BuildFailed`` holds every problem. The base URL given on the command line wins over
    site.yaml's. ``jobs``: the processes that read and render (by default, one for a small
    site, every core for a large one). A long-running caller (``serve``) keeps its
    ``renderer``, and each content file as parsed (``kept``). ``previous``: an output
    folder, whose pages and figures to compare with.

    A project of several years (years.py) is each of its years so assembled, with
    ``adjust`` (what the year before's figures add to a year's site) and without ``check``
    (its links are checked across the years)."""
    if not (project / CONTENT).exists():
        from .years import assemble_years, year_folders  # here: only a site of several years

        years = year_folders(project)
        if years is not None:
            return assemble_years(project, years, strict, base_url, jobs, renderer, previous)
    renderer = renderer or SiteRenderer(project)
    site, warnings = read_site(project, renderer, strict, base_url, jobs, kept)

    with _keeping(warnings):
        if adjust is not None:
            site = adjust(site)

        # 3. Render (and compare the figures with the previous build's).
        records = list(figure_records(site))
        changes = [] if previous is None else _figure_changes(records, previous)
        earlier = None if previous is None else lambda rel: read_previous(previous, rel)
        data = data_files(site, records, earlier)
        others = _combine(renderer.assets(), data, publishing_files(site))
        del records
        existing = _combine({page.output: b"" for page in site.pages}, others).keys()
        before = previous_build(previous) if previous is not None else None
        pages = render_site(site, renderer, existing, jobs, before)

        if not check:
            return SiteFiles(site, pages, others, warnings, changes)

        # 4. Check links: each page has done its own part as it was rendered; an HTML
        # file among the others (an asset) does its part now.
        checks = [page.links for page in pages] + [
            check_page(rel, data, existing) for rel, data in others.items() if rel.endswith(".html")
        ]
        by_output = {page.output: page for page in pages}

        def html_of(output: str) -> bytes:
            if output not in by_output:
                return others[output]
            content = by_output[output].content
            return (before / output).read_bytes() if isinstance(content, Same) else content

        errors = check_links(checks, site, existing, html_of)
        if errors:
            raise BuildFailed(errors)

    return SiteFiles(site, pages, others, warnings, changes)


def read_site(
    project: Path,
    renderer: SiteRenderer,
    strict: bool = False,
    base_url: str | None = None,
    jobs: int | None = None,
    kept: Kept | None = None,
) -> tuple[Site, list[ContentError]]:
    """Stages 1 and 2: the site loaded and validated, and its warnings; ``BuildFailed``
    holds every problem. (``assemble_site`` says what the arguments are.)"""
    # 1. Load: the content, and the templates.
    problems = Problems()
    content = load_content(project, problems, jobs, kept)
    uses = renderer.load_templates(problems)  # the strings the templates use

    # 2. Validate.
    validate_content(content, uses, problems, kept)
    if strict:
        problems.errors += problems.warnings
        problems.warnings = []
    if problems.errors or content.meta is None or content.source is None:
        raise BuildFailed(problems.errors, problems.warnings)
    warnings = problems.warnings
    site = make_site(content, kept)
    del content  # each file as parsed: only reading needed it
    base = base_url or site.meta.base_url
    if base:
        site = site.with_base_url(normalise_base_url(base))
    return site, warnings


def build_site(
    project: Path,
    out: Path,
    strict: bool = False,
    base_url: str | None = None,
    jobs: int | None = None,
    verbose: bool = False,
) -> BuildSummary:
    """Build the project's site into ``out``, replacing what was there only on success;
    the notes say what changed in the figures since the build there, and which files of
    it the previous build had not written (removed with it). A note the build there was
    given too (no base URL) is left out, unless ``verbose``. One build at a time: a
    second one into the same folder waits for the first (``output_lock``)."""
    started = time.perf_counter()
    check_output(out, project)  # before the lock's file is made beside it
    with output_lock(out):
        built = assemble_site(project, strict, base_url, jobs, previous=out)
        before = previous_build(out)
        noted = before is not None and not (before / SITEMAP).exists()  # it had no base URL

        # 5. Write.
        written = write_staged(built.files(), out, project)

    notes = list(built.changes)
    if written.foreign:
        notes.append(_removed_note(out, written.foreign))
    if not built.site.meta.base_url and (verbose or not noted):
        notes.append(_(NO_BASE_URL))
    return BuildSummary(
        pages=len(built.pages),
        files=built.count,
        seconds=time.perf_counter() - started,
        out=written.target,
        warnings=built.warnings,
        notes=notes,
    )


def _removed_note(out: Path, foreign: list[str]) -> str:
    """``Removed 1 file the previous build did not write: build/notes.txt``."""
    count = len(foreign)
    shown = ", ".join(f"{out.as_posix().rstrip('/')}/{rel}" for rel in foreign[:5])
    if count > 5:
        shown += _(" and {count} more").format(count=count - 5)
    message = ngettext(
        "Removed {count} file the previous build did not write: {files}",
        "Removed {count} files the previous build did not write: {files}",
        count,
    )
    return message.format(count=count, files=shown)


def check_site(project: Path, strict: bool = False, jobs: int | None = None) -> BuildSummary:
    """Every check of a build, without writing anything."""
    started = time.perf_counter()
    built = assemble_site(project, strict=strict, jobs=jobs)
    return BuildSummary(
        pages=len(built.pages),
        files=built.count,
        seconds=time.perf_counter() - started,
        out=None,
        warnings=built.warnings,
    )


@contextmanager
def _keeping(warnings: list[ContentError]) -> Iterator[None]:
    """A failure after the content was read still shows the content's warnings."""
    try:
        yield
    except BuildFailed as failure:
        raise BuildFailed(failure.errors, warnings + failure.warnings) from failure


def _figure_changes(records: list[dict], previous: Path) -> list[str]:
    """What changed in the figures (their ``records``) since the build in the ``previous``
    output folder."""
    data = read_previous(previous, JSON_FILE)
    return figure_changes(load_records(data) if data is not None else None, records)


def _combine(*parts: dict[str, bytes]) -> dict[str, bytes]:
    """All output files; two parts of the pipeline writing the same path is a bug, not a choice."""
    files: dict[str, bytes] = {}
    for part in parts:
        for path, data in part.items():
            if path in files:
                message = _("two outputs want the same file {file}").format(file=path)
                raise BuildFailed([ContentError(message)])
            files[path] = data
    return files
