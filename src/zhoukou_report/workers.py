"""Reading and rendering a site, in this process or, for a large site, in several.

For a large site, worker processes parse the content files ahead of ``load_site``
(which then checks them in this process as usual), and render the pages.

Each render worker holds a renderer (Jinja2 environment and Markdown converter) and
the site, handed over once when it starts (inherited, where processes are forked);
it renders its share of the pages, writes them into the new output folder, and sends
back only what the link check needs. Every page is rendered the same way wherever it
is rendered, so the output is byte for byte the same as a one-process build.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .cache import FileCache
from .context import LanguageContext, language_contexts
from .errors import BuildFailed, ContentError
from .load import parse_markdown, read_parsed
from .model import Page, Site
from .render import RenderedPage, SiteRenderer
from .write import Destination

if TYPE_CHECKING:
    import multiprocessing.context

# Below this many pages, starting processes costs more than it saves.
PARALLEL_FROM_PAGES = 400
CHUNKS_PER_WORKER = 16  # small enough chunks that workers finish together

# The worker's own state, set once by ``_start_worker`` in each worker process (the
# one way to hand a process pool's workers what all their tasks share).
_worker: _WorkerState | None = None


def default_jobs(pages: int) -> int:
    """One process for a small site; every core for a large one."""
    if pages < PARALLEL_FROM_PAGES:
        return 1
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def parse_ahead(project: Path, jobs: int | None = None) -> FileCache | None:
    """For a large project, its content files parsed by worker processes, ready for
    ``load_site``; None for a small one. A file that fails to parse is left for
    ``load_site``, which reports it as it would any other."""
    from .validate import content_files  # here: validate imports what renders pages

    try:
        files = content_files(project)
    except OSError:
        return None  # load_site explains what is missing
    jobs = default_jobs(len(files)) if jobs is None else jobs
    if jobs <= 1 or len(files) < PARALLEL_FROM_PAGES:
        return None
    from concurrent.futures import ProcessPoolExecutor

    # The few YAML files are the slowest to parse, byte for byte: each is a task of its
    # own, handed out first; the many Markdown files follow in even chunks.
    single = [[file] for file in files if file[1] is not parse_markdown]
    pages = [file for file in files if file[1] is parse_markdown]
    count = jobs * CHUNKS_PER_WORKER
    tasks = single + [pages[i::count] for i in range(count) if pages[i::count]]
    cache = FileCache()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_fork_context()) as pool:
        for parsed in pool.map(_parse_files, [(project, task) for task in tasks]):
            cache.ahead.update(parsed)
    return cache


def _parse_files(
    task: tuple[Path, list[tuple[str, Callable[[str, str], object]]]],
) -> dict[tuple[str, str], object]:
    project, files = task
    parsed = {}
    for rel, parse in files:
        file = project / rel
        try:
            if file.is_file():
                parsed[rel, parse.__name__] = read_parsed(file, rel, parse)
        except ContentError:
            pass  # read again by load_site, which reports it
    return parsed


def render_all(
    site: Site,
    renderer: SiteRenderer,
    existing: Collection[str],
    into: Destination | None = None,
    jobs: int | None = None,
    meanwhile: Callable[[], None] = lambda: None,
    keep: bool = True,
) -> list[RenderedPage]:
    """Every page of the site, written ``into`` a new output folder if given, else kept in
    memory unless not to ``keep``; ``BuildFailed`` on errors.

    ``existing`` is every file the site will have, for each page's part of the link check.

    ``meanwhile`` is work of the main process that does not need the pages: it runs
    while the workers render (before the pages, in a one-process build).
    """
    jobs = default_jobs(len(site.pages)) if jobs is None else jobs
    if jobs <= 1 or len(site.pages) < 2:
        meanwhile()
        rendered, errors = renderer.render_pages(site, site.pages, existing, into, keep=keep)
    else:
        rendered, errors = _render_in_workers(site, renderer, existing, into, jobs, meanwhile, keep)
    if errors:
        raise BuildFailed(errors)
    return rendered


def _render_in_workers(
    site: Site,
    renderer: SiteRenderer,
    existing: Collection[str],
    into: Destination | None,
    jobs: int,
    meanwhile: Callable[[], None],
    keep: bool,
) -> tuple[list[RenderedPage], list[ContentError]]:
    from concurrent.futures import ProcessPoolExecutor  # here: a small site never needs it

    chunks = _chunks(site.pages, jobs * CHUNKS_PER_WORKER)
    context = _fork_context()
    # Forked workers start with this process's renderer, its templates compiled, and the
    # contexts of the languages made once; others (spawned) make their own.
    start: tuple = (renderer.project, site, existing, into, keep, None)
    if context is not None:
        shared = language_contexts(site, renderer.stylesheet())
        start = (renderer, site, existing, into, keep, shared)
    rendered: list[RenderedPage] = []
    errors: list[ContentError] = []
    # The site, made once, is left out of the workers' garbage collections: they would
    # walk all of it again and again, and copy every page of memory they touch.
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=start
        ) as pool:
            results = pool.map(_render_chunk, chunks)  # every chunk is handed out now
            meanwhile()
            for pages, problems in results:
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


def _fork_context() -> multiprocessing.context.BaseContext | None:
    """Fork where the platform has it: workers start at once, sharing the parent's memory."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


class _WorkerState(NamedTuple):
    renderer: SiteRenderer
    site: Site
    existing: Collection[str]
    into: Destination | None
    keep: bool
    shared: dict[str, LanguageContext]


def _start_worker(
    renderer: SiteRenderer | Path,
    site: Site,
    existing: Collection[str],
    into: Destination | None,
    keep: bool,
    shared: dict[str, LanguageContext] | None,
) -> None:
    global _worker
    if not isinstance(renderer, SiteRenderer):
        renderer = SiteRenderer(renderer)
        renderer.check_templates()  # checked by the parent already: read for lower_case
    shared = shared or language_contexts(site, renderer.stylesheet())
    _worker = _WorkerState(renderer, site, existing, into, keep, shared)


def _render_chunk(indexes: list[int]) -> tuple[list[RenderedPage], list[ContentError]]:
    assert _worker is not None, "the worker was not started"
    pages = [_worker.site.pages[i] for i in indexes]
    return _worker.renderer.render_pages(
        _worker.site, pages, _worker.existing, _worker.into, _worker.shared, _worker.keep
    )
