"""``build_site``: load → validate → render → check links → write, in that order.

Everything is gathered and checked before the first byte is written; a failure at
any stage raises ``BuildFailed`` and leaves the previous output as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildFailed, ContentError
from .links import check_links
from .render import RenderedSite, SiteRenderer
from .validate import load_site
from .write import write_site


@dataclass
class BuildSummary:
    pages: int
    files: int
    seconds: float
    out: Path | None
    warnings: list[ContentError] = field(default_factory=list)


def render_project(
    project: Path, strict: bool = False, renderer: SiteRenderer | None = None
) -> tuple[RenderedSite, list[ContentError]]:
    """The whole site in memory, checked; raises ``BuildFailed`` with every problem found."""
    site, warnings = load_site(project, strict=strict)
    renderer = renderer or SiteRenderer(project)
    rendered = renderer.render_site(site)
    errors = check_links(rendered.files)
    if errors:
        raise BuildFailed(errors, warnings)
    return rendered, warnings


def build_site(project: Path, out: Path, strict: bool = False) -> BuildSummary:
    """Build the project's site into ``out``, replacing what was there only on success."""
    started = time.perf_counter()
    rendered, warnings = render_project(project, strict=strict)
    target = write_site(rendered.files, out, project)
    return BuildSummary(
        pages=rendered.pages,
        files=len(rendered.files),
        seconds=time.perf_counter() - started,
        out=target,
        warnings=warnings,
    )


def check_site(project: Path, strict: bool = False) -> BuildSummary:
    """Every check of a build, without writing anything."""
    started = time.perf_counter()
    rendered, warnings = render_project(project, strict=strict)
    return BuildSummary(
        pages=rendered.pages,
        files=len(rendered.files),
        seconds=time.perf_counter() - started,
        out=None,
        warnings=warnings,
    )
