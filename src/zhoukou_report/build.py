"""``build_site``: load → validate → render → check links → write, in that order.

Everything is gathered and checked before the first byte is written; a failure at
any stage raises ``BuildFailed`` and leaves the previous output as it was.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import NamedTuple

from .cache import FileCache, kept_files
from .changes import figure_changes
from .errors import BuildFailed, ContentError
from .links import check_anchors, markdown_origins
from .model import Site
from .opendata import (
    CSV_FILE,
    JSON_FILE,
    SCHEMA_FILE,
    data_files,
    figure_records,
    load_records,
)
from .publish import normalise_base_url, publishing_files, publishing_names
from .render import RenderedPage, SiteRenderer
from .validate import load_site
from .workers import parse_ahead, render_all
from .write import Staging, read_previous

NO_BASE_URL = (
    "No base URL: sitemap.xml, robots.txt and canonical links are left out, and the links of "
    "404.html work from the site's top folder only (set base_url in content/site.yaml or pass "
    "--base-url)."
)


class SiteFiles(NamedTuple):
    """The whole site in memory, checked, ready to be written (its pages left out when not
    kept, for ``check``)."""

    files: dict[str, bytes]  # output path -> bytes
    pages: int
    total: int  # files the site has
    warnings: list[ContentError]


class BuildSummary(NamedTuple):
    """What a build or check did, for the CLI to report."""

    pages: int
    files: int
    seconds: float
    out: Path | None
    warnings: list[ContentError]
    notes: Sequence[str] = ()  # lines to show before the summary


def prepare(
    project: Path,
    strict: bool = False,
    base_url: str | None = None,
    cache: FileCache | None = None,
    jobs: int | None = None,
) -> tuple[Site, list[ContentError]]:
    """Load and check the content; the base URL given on the command line wins.

    Without a cache of its own (one build, not ``serve``), a large project's files are
    parsed ahead by worker processes; a small one's are kept from its previous build."""
    cache = cache or parse_ahead(project, jobs)
    if cache is not None:
        site, warnings = load_site(project, strict=strict, cache=cache)
    else:
        with kept_files(project) as kept:
            site, warnings = load_site(project, strict=strict, cache=kept)
    base = base_url or site.meta.base_url
    if base:
        site = site.with_base_url(normalise_base_url(base))
    return site, warnings


def render_project(
    project: Path,
    strict: bool = False,
    renderer: SiteRenderer | None = None,
    base_url: str | None = None,
    cache: FileCache | None = None,
    jobs: int | None = 1,
    keep: bool = True,
) -> SiteFiles:
    """Load, check and render the whole site in memory (``check`` and ``serve`` use it);
    ``BuildFailed`` holds every problem. A long-running caller keeps its ``renderer`` and
    ``cache`` from one build to the next. ``jobs`` as for ``build_site``; without ``keep``,
    the pages are checked and let go."""
    site, warnings = prepare(project, strict, base_url, cache)
    renderer = renderer or SiteRenderer(project)
    with _keeping(warnings):
        renderer.check_templates()
        others = _other_files(site, renderer)
        existing = _existing(site, others)
        pages = render_all(site, renderer, existing, jobs=jobs, keep=keep)
        kept = {page.output: page.data for page in pages if page.data is not None}
        files = _combine(kept, others)
        _check_links(site, pages, others, existing)
    return SiteFiles(files, len(pages), len(pages) + len(others), warnings)


def build_site(
    project: Path,
    out: Path,
    strict: bool = False,
    base_url: str | None = None,
    jobs: int | None = None,
) -> BuildSummary:
    """Build the project's site into ``out``, replacing what was there only on success.

    Pages are written into a new folder beside ``out`` as they are rendered (by several
    processes for a large site); the link check runs on that folder's pages, and only
    then is it swapped in. On any failure the new folder is removed, ``out`` untouched.
    """
    started = time.perf_counter()
    site, warnings = prepare(project, strict, base_url, jobs=jobs)
    renderer = SiteRenderer(project)
    with _keeping(warnings):
        renderer.check_templates()
        others = _Others(_other_names(site, renderer), read_previous(out, JSON_FILE))
        with Staging(out, project) as staging:
            # Assets, open data and publishing files are made and written while the
            # pages are rendered (by the workers, for a large site).
            meanwhile = partial(_write_others, site, renderer, staging, others)
            with staging.writing():
                existing = _existing(site, others.names)
                pages = render_all(site, renderer, existing, staging.destination, jobs, meanwhile)
            _check_links(site, pages, others.html, existing)
    notes = others.changes
    if not site.meta.base_url:
        notes.append(NO_BASE_URL)
    return BuildSummary(
        pages=len(pages),
        files=len(pages) + len(others.names),
        seconds=time.perf_counter() - started,
        out=staging.target,
        warnings=warnings,
        notes=notes,
    )


def check_site(project: Path, strict: bool = False) -> BuildSummary:
    """Every check of a build, without writing anything (nor keeping the pages: a large
    site is checked by several processes, as it is built)."""
    started = time.perf_counter()
    built = render_project(project, strict=strict, jobs=None, keep=False)
    return BuildSummary(
        pages=built.pages,
        files=built.total,
        seconds=time.perf_counter() - started,
        out=None,
        warnings=built.warnings,
    )


def _other_files(
    site: Site, renderer: SiteRenderer, records: list[dict] | None = None
) -> dict[str, bytes]:
    """Everything beside the pages: assets, open data, publishing metadata."""
    files = _combine(dict(renderer.assets()), data_files(site, records), publishing_files(site))
    _combine({page.output: b"" for page in site.pages}, files)  # no file is also a page
    return files


class _Others:
    """The files beside the pages: foreseen by name, then made and written."""

    def __init__(self, names: list[str], previous: bytes | None):
        self.names = names
        self.previous = previous  # the previous build's figures.json
        self.changes: list[str] = []  # what changed in the figures
        self.html: dict[str, bytes] = {}  # any HTML among them, to link-check


def _write_others(site: Site, renderer: SiteRenderer, staging: Staging, others: _Others) -> None:
    """Make and write the files beside the pages, and compare the figures with the previous
    build's; nothing of them is kept but what the link check and the summary need."""
    records = figure_records(site)
    others.changes = _changes(others, records)
    files = _other_files(site, renderer, records)
    if set(files) != set(others.names):  # the link check was told of other files
        unforeseen = sorted(set(files) ^ set(others.names))
        raise BuildFailed([ContentError(f"files not foreseen: {unforeseen}")])
    for rel, data in files.items():
        staging.write(rel, data)
        if rel.endswith(".html"):
            others.html[rel] = data


def _changes(others: _Others, records: list[dict]) -> list[str]:
    """What changed in the figures since the previous build; its data is let go at once."""
    previous = load_records(others.previous) if others.previous is not None else None
    others.previous = None
    return figure_changes(previous, records)


def _other_names(site: Site, renderer: SiteRenderer) -> list[str]:
    """The files beside the pages, known before they are made (the link check needs them)."""
    names = [rel for rel, _ in renderer.asset_files()] + [JSON_FILE, SCHEMA_FILE, CSV_FILE]
    return names + list(publishing_names(site))


def _existing(site: Site, others: Iterable[str]) -> frozenset[str]:
    return frozenset(page.output for page in site.pages) | frozenset(others)


def _check_links(
    site: Site, pages: list[RenderedPage], others: dict[str, bytes], existing: Collection[str]
) -> None:
    """The site-wide part of the link check; each page has done its own part. An HTML file
    among the other files (an asset) is checked the same way, and can be linked to."""
    pages = pages + [
        RenderedPage.checked(rel, data.decode("utf-8"), existing)
        for rel, data in others.items()
        if rel.endswith(".html")
    ]
    errors = [error for page in pages for error in page.broken]
    anchors = [anchor for page in pages for anchor in page.anchors]
    ids = {page.output: page.ids for page in pages}
    errors += check_anchors(anchors, ids, markdown_origins(site))
    if errors:
        raise BuildFailed(errors)


@contextmanager
def _keeping(warnings: list[ContentError]) -> Iterator[None]:
    """A failure after the content was read still shows the content's warnings."""
    try:
        yield
    except BuildFailed as failure:
        raise BuildFailed(failure.errors, warnings + failure.warnings) from failure


def _combine(*parts: dict[str, bytes]) -> dict[str, bytes]:
    """All output files; two parts of the pipeline writing the same path is a bug, not a choice."""
    files: dict[str, bytes] = {}
    for part in parts:
        for path, data in part.items():
            if path in files:
                raise BuildFailed([ContentError(f"two outputs want the same file {path}")])
            files[path] = data
    return files
