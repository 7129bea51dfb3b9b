"""The preview's rebuilds: the whole site once, then only what a save changed.

``IncrementalSite.update(changed)`` is all ``serve`` calls: it returns every file of the
site, in memory, byte for byte as a full build of the same content makes it
(tests/test_incremental.py holds the two together), or raises ``BuildFailed`` as
``build`` would, keeping the last good site to build on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import NamedTuple

from .build import assemble_site
from .errors import ContentError
from .files import Kept, Same
from .httpd import folders_of
from .render import SiteRenderer


# Records are named tuples, not dataclasses: model.py says why.
class SiteOutput(NamedTuple):
    """Every file of the site as built: output path -> bytes (never changed afterwards: the
    next update makes a new mapping), and what the preview says of the build."""

    files: Mapping[str, bytes]
    folders: Collection[str]  # every folder of the site but its top
    pages: int  # pages of the site
    rendered: int  # pages rendered by this update
    warnings: list[ContentError]


class IncrementalSite:
    """One project's site, kept in memory from one update to the next."""

    def __init__(self, project: Path, renderer: SiteRenderer | None = None):
        self.project = project
        self.renderer = renderer or SiteRenderer(project, watching=True)
        self.kept: Kept = {}  # each content file as parsed, while its text stays the same

    def update(self, changed: Collection[str]) -> SiteOutput:
        """The site after the files ``changed`` (paths relative to the project) were saved;
        ``BuildFailed`` holds every problem, as a full build would."""
        built = assemble_site(self.project, jobs=1, renderer=self.renderer, kept=self.kept)
        files: dict[str, bytes] = {}
        for path, content in built.files():
            assert not isinstance(content, Same)  # no previous build was given
            files[path] = content
        return SiteOutput(
            files, folders_of(files), len(built.pages), len(built.pages), built.warnings
        )
