"""``build_site``: load → validate → render → check links → write, in that order.

Everything is gathered and checked before the first byte is written; a failure at
any stage raises ``BuildFailed`` and leaves the previous output as it was.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

from .changes import figure_changes
from .errors import BuildFailed, ContentError
from .links import check_links, markdown_origins
from .model import Site
from .opendata import JSON_FILE, data_files, figure_records, load_records
from .publish import normalise_base_url, publishing_files
from .render import SiteRenderer
from .validate import load_site
from .write import read_previous, write_site

NO_BASE_URL = (
    "No base URL: sitemap.xml, robots.txt and canonical links are left out, and the links of "
    "404.html work from the site's top folder only (set base_url in content/site.yaml or pass "
    "--base-url)."
)


@dataclass
class SiteFiles:
    """The whole site in memory, checked, ready to be written."""

    site: Site
    files: dict[str, bytes]  # output path -> bytes
    pages: int
    warnings: list[ContentError]


@dataclass
class BuildSummary:
    pages: int
    files: int
    seconds: float
    out: Path | None
    warnings: list[ContentError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines to show before the summary


def render_project(
    project: Path,
    strict: bool = False,
    renderer: SiteRenderer | None = None,
    base_url: str | None = None,
) -> SiteFiles:
    """Load, check and render the whole site in memory; ``BuildFailed`` holds every problem."""
    site, warnings = load_site(project, strict=strict)
    base = base_url or site.meta.base_url
    if base:
        site = dataclasses.replace(
            site, meta=dataclasses.replace(site.meta, base_url=normalise_base_url(base))
        )
    renderer = renderer or SiteRenderer(project)
    try:
        rendered = renderer.render_site(site)
    except BuildFailed as failure:  # keep the content's warnings with the template's errors
        raise BuildFailed(failure.errors, warnings) from failure
    files = _combine(rendered.files, data_files(site), publishing_files(site))
    errors = check_links(files, origins=markdown_origins(site))
    if errors:
        raise BuildFailed(errors, warnings)
    return SiteFiles(site, files, rendered.pages, warnings)


def build_site(
    project: Path, out: Path, strict: bool = False, base_url: str | None = None
) -> BuildSummary:
    """Build the project's site into ``out``, replacing what was there only on success."""
    started = time.perf_counter()
    built = render_project(project, strict=strict, base_url=base_url)
    previous = read_previous(out, JSON_FILE)
    notes = figure_changes(
        load_records(previous) if previous is not None else None, figure_records(built.site)
    )
    if not built.site.meta.base_url:
        notes.append(NO_BASE_URL)
    target = write_site(built.files, out, project)
    return BuildSummary(
        pages=built.pages,
        files=len(built.files),
        seconds=time.perf_counter() - started,
        out=target,
        warnings=built.warnings,
        notes=notes,
    )


def check_site(project: Path, strict: bool = False) -> BuildSummary:
    """Every check of a build, without writing anything."""
    started = time.perf_counter()
    built = render_project(project, strict=strict)
    return BuildSummary(
        pages=built.pages,
        files=len(built.files),
        seconds=time.perf_counter() - started,
        out=None,
        warnings=built.warnings,
    )


def _combine(*parts: dict[str, bytes]) -> dict[str, bytes]:
    """All output files; two parts of the pipeline writing the same path is a bug, not a choice."""
    files: dict[str, bytes] = {}
    for part in parts:
        for path, data in part.items():
            if path in files:
                raise BuildFailed([ContentError(f"two outputs want the same file {path}")])
            files[path] = data
    return files
