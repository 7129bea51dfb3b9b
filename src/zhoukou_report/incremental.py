"""The preview's rebuilds: the whole site once, then only what a save changed.

``IncrementalSite.update(changed)`` is all ``serve`` calls: it returns every file of the
site, in memory, byte for byte as a full build of the same content makes it
(tests/test_incremental.py holds the two together after random edits), or raises
``BuildFailed`` as ``build`` would, keeping the last good site to build on.

What an update does again:

- a change to anything but figures.yaml and the pages' Markdown (a template, a static
  file, site.yaml, strings.yaml, charts.yaml, the source text), or a change that moves
  what every page shows (a page's title, the pages themselves, the goals' intro),
  rebuilds the whole site, as ``build`` does; so does any change to a site of several
  years (years.py);
- a save that changes only the prose of pages (the same titles, the same figures referred
  to, no number typed in) reads and checks those files alone (``_prose``);
- otherwise the content is read and checked again, but a page folder none of whose files
  the watcher reported saved is taken as kept (its listing, its pages and their checks),
  and any other file is read again only if the watcher reported it saved or its
  ``os.stat`` changed, parsed again only if its text changed (``Kept``);
- and only these pages are rendered again: those whose own record changed (their
  Markdown), those that show a figure that changed (in their text, their tiles, their
  charts: ``_shown``), the part of the whole-report page that shows a page that changed
  (a small site's one part), and the part of the figures page that lists a figure that
  changed or whose place of reference changed; the open data only in that last case, and
  only when it is first asked for (``SiteFileMap``). A change that moves a section from
  one part to another rebuilds everything (``_frame``). The link check runs again for the
  pages rendered and for the pages that link to an anchor of a page whose ids changed.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from .build import assemble_site, read_site
from .context import LanguageContext, contexts_with_pages, language_contexts
from .errors import BuildFailed, ContentError
from .fields import Problems
from .files import ContentFiles, Kept, Same
from .httpd import folders_of
from .layout import CONTENT, FIGURES_FILE, STYLESHEET
from .links import PageCheck, check_links, check_page, page_texts
from .load import titled
from .model import Page, Site, Text, page_place
from .opendata import DATA_FILES, data_files, figure_records
from .pages import keep_pages, page_file
from .render import SiteRenderer
from .typed import typed_in


class _Later:
    """Files made when first asked for, once, by whichever thread asks first."""

    def __init__(self, names: Collection[str], make: Callable[[], dict[str, bytes]]):
        self.names = frozenset(names)
        self._make: Callable[[], dict[str, bytes]] | None = make
        self._made: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, path: str) -> bytes:
        with self._lock:
            if self._make is not None:
                self._made, self._make = self._make(), None
            return self._made[path]


class SiteFileMap(Mapping[str, bytes]):
    """Output path -> bytes, of which the open data may be made only when first asked for:
    a figure edit makes the spreadsheet, CSV and JSON of every figure again, which the
    preview's 1,000-page figure row of benchmarks/run.py has no room for."""

    def __init__(self, made: dict[str, bytes], later: _Later | None = None):
        self._made = made
        self._later = later

    def __getitem__(self, path: str) -> bytes:
        found = self._made.get(path)
        if found is not None:
            return found
        if self._later is not None and path in self._later.names:
            return self._later.get(path)
        raise KeyError(path)

    def __contains__(self, path: object) -> bool:
        return path in self._made or (self._later is not None and path in self._later.names)

    def __iter__(self) -> Iterator[str]:
        yield from self._made
        if self._later is not None:
            yield from self._later.names - self._made.keys()

    def __len__(self) -> int:
        later = self._later.names - self._made.keys() if self._later is not None else ()
        return len(self._made) + len(later)

    def changed(self, files: dict[str, bytes], later: _Later | None = None) -> SiteFileMap:
        """A new map: these ``files`` made, the ``later`` ones made when asked for."""
        made = {**self._made, **files}
        if later is None:
            return SiteFileMap(made, self._later)
        for path in later.names:
            made.pop(path, None)
        return SiteFileMap(made, later)


# Records are named tuples, not dataclasses: model.py says why.
class SiteOutput(NamedTuple):
    """Every file of the site as built: output path -> bytes (never changed afterwards: the
    next update makes a new mapping), and what the preview says of the build."""

    files: Mapping[str, bytes]
    folders: Collection[str]  # every folder of the site but its top
    pages: int  # pages of the site
    rendered: int  # pages rendered by this update
    warnings: list[ContentError]


class _Built:
    """The last good build, and what each of its outputs depends on."""

    def __init__(
        self,
        site: Site,
        files: SiteFileMap,
        checks: dict[str, PageCheck],
        warnings: list[ContentError],
    ):
        self.site = site
        self.warnings = warnings
        self.files = files
        self.folders = folders_of(files)
        self.existing = frozenset(files)
        self.ids = {output: check.ids for output, check in checks.items()}
        self.order = {page.output: i for i, page in enumerate(site.pages)}
        self.readers: dict[str, set[str]] = {}  # figure id -> pages that show it
        self.linking: dict[str, set[str]] = {}  # page -> pages linking to its anchors
        self.shows: dict[str, frozenset[str]] = {}
        self.wants: dict[str, frozenset[str]] = {}
        self.contexts: dict[str, LanguageContext] | None = None  # of the last update's pages
        for page in site.pages:
            self.note(page.output, _shown(site, page), _wanted(checks[page.output]))

    def note(self, output: str, shows: frozenset[str], wants: frozenset[str]) -> None:
        """Record what a page shows and links to, in place of what it did."""
        for figure in self.shows.get(output, frozenset()) - shows:
            self.readers[figure].discard(output)
        for figure in shows:
            self.readers.setdefault(figure, set()).add(output)
        self.shows[output] = shows
        for target in self.wants.get(output, frozenset()) - wants:
            self.linking[target].discard(output)
        for target in wants:
            self.linking.setdefault(target, set()).add(output)
        self.wants[output] = wants


class IncrementalSite:
    """One project's site, kept in memory from one update to the next."""

    def __init__(self, project: Path, renderer: SiteRenderer | None = None):
        self.project = project
        self.renderer = renderer or SiteRenderer(project, watching=True)
        self.kept = Kept()  # each content file as parsed, while its text stays the same
        self._built: _Built | None = None
        self._changed: set[str] = set()  # since the last good build

    def update(self, changed: Iterable[str]) -> SiteOutput:
        """The site after the files ``changed`` (paths relative to the project) were saved;
        ``BuildFailed`` holds every problem, as a full build would."""
        self._changed.update(changed)
        built = self._built
        if built is None or not all(_partial(path) for path in self._changed):
            self.kept.saved = None  # every file read again
            output = self._full()
        else:
            self.kept.saved = set(self._changed)  # the others, only if os.stat changed
            output = self._partial(built)
        self._changed.clear()
        return output

    def _full(self) -> SiteOutput:
        gc.unfreeze()  # the last full build's objects: collected again when garbage
        assembled = assemble_site(self.project, jobs=1, renderer=self.renderer, kept=self.kept)
        # What a build keeps lives until the next full build: not looked through by every
        # collection of the saves in between (the preview's 10,000-page figure row of
        # benchmarks/run.py misses by the 60 ms such a collection takes).
        gc.collect()
        gc.freeze()
        files: dict[str, bytes] = {}
        for path, content in assembled.files():
            assert not isinstance(content, Same)  # no previous build was given
            files[path] = content
        pages = len(assembled.pages)
        if not (self.project / CONTENT).exists():  # several years (years.py): each save
            self._built = None  # builds them all again
            return SiteOutput(files, folders_of(files), pages, pages, assembled.warnings)
        checks = {page.output: page.links for page in assembled.pages}
        for rel, data in assembled.others.items():  # as assemble_site checks them
            if rel.endswith(".html"):
                checks[rel] = check_page(rel, data, files.keys())
        self._built = _Built(assembled.site, SiteFileMap(files), checks, assembled.warnings)
        return SiteOutput(files, self._built.folders, pages, pages, assembled.warnings)

    def _partial(self, built: _Built) -> SiteOutput:
        site = self._prose(built)
        if site is not None:
            warnings = list(built.warnings)
        else:
            site, warnings = read_site(self.project, self.renderer, jobs=1, kept=self.kept)
            same = site.keep_indexes(built.site)
            if _frame(site) != _frame(built.site) or not (same or _same_places(site, built.site)):
                return self._full()
        try:
            return self._render_changes(built, site, warnings)
        except BuildFailed as failure:  # as build's: with the content's warnings
            raise BuildFailed(failure.errors, warnings + failure.warnings) from failure

    def _prose(self, built: _Built) -> Site | None:
        """The site, if only the prose of pages changed: the same pages, titles and figures
        referred to, no number typed into the prose, no problem in the files saved; else
        None, for the whole content to be read and checked again. Only the files saved are
        read (the preview's 10,000-page paragraph row of benchmarks/run.py fails reading
        and checking every page on each save)."""
        old = built.site
        if FIGURES_FILE in self._changed or any(lang.draft for lang in old.languages):
            return None  # (a draft language shows the default's pages)
        files = ContentFiles(self.project, kept=self.kept)
        pages, read = list(old.pages), []
        for rel in self._changed:
            _, code, name = rel.split("/")
            try:
                before = old.page(name.removesuffix(".md"), code)  # not the goals' intro
            except KeyError:
                return None
            problems = Problems()
            page = page_file(files, rel, old.language(code), problems)
            if page is None or page.body is None or problems.errors or problems.warnings:
                return None
            read.append(page)
            page = titled(page, old.strings)
            assert before.body is not None  # a page of a Markdown file
            if (
                page._replace(body=before.body) != before
                or _referred(page.body) != _referred(before.body)
                or typed_in(page.body.markdown, old.typed_numbers)
            ):
                return None
            pages[built.order[before.output]] = page
        keep_pages(self.kept, read)
        return old.with_pages(tuple(pages))

    def _render_changes(
        self, built: _Built, site: Site, warnings: list[ContentError]
    ) -> SiteOutput:
        old = built.site
        wanted: set[str] = set()  # the outputs to render again
        others = []  # the pages that are other objects: in the pages' shared contexts
        unlike = old.pages != site.pages  # compared in C: mostly the same objects
        for before, page in zip(old.pages, site.pages, strict=True) if unlike else ():
            if before is page:
                continue
            others.append(page)
            if before != page:
                wanted.add(page.output)  # and the part of the whole report that shows it
                wanted.add(site.part_of("report", page.id, page.lang).output)
        figures_again = old.figures != site.figures
        listed: set[str] = set()  # the sections of the figures whose row changed
        if figures_again:
            before, now = old.figure_index, site.figure_index
            for figure_id in before.keys() | now.keys():
                if before.get(figure_id) != now.get(figure_id):
                    wanted.update(built.readers.get(figure_id, ()))
                    for figure in (before.get(figure_id), now.get(figure_id)):
                        if figure is not None:  # its tile, on its page in every language
                            wanted.update(_outputs(site, figure.section))
                            listed.add(figure.section)
        if old.figure_locations != site.figure_locations:
            figures_again = True
            was, located = old.figure_locations, site.figure_locations
            for figure_id, lang in was.keys() | located.keys():
                if was.get((figure_id, lang)) != located.get((figure_id, lang)):
                    figure = site.figure_index.get(figure_id) or old.figure_index[figure_id]
                    listed.add(figure.section)
        for section in listed:  # the part of the figures page that lists them, in each language
            for lang in site.languages:
                wanted.add(site.part_of("figures", section, lang.code).output)

        pages = [site.pages[built.order[output]] for output in wanted]
        pages.sort(key=lambda page: built.order[page.output])
        # The stylesheet as the last full build shipped it (a change to it builds all again),
        # not read and compacted again on each save.
        stylesheet = built.files.get(STYLESHEET, b"").decode("utf-8")
        if built.contexts is None:
            shared = language_contexts(site, stylesheet)
        else:
            shared = contexts_with_pages(built.contexts, site, others)
        rendered, errors = self.renderer.render_pages(site, pages, built.existing, shared)
        if errors:
            raise BuildFailed(errors)
        made: dict[str, bytes] = {}
        checks = {page.output: page.links for page in rendered}
        for page in rendered:
            assert isinstance(page.content, bytes)
            made[page.output] = page.content
        later = None
        if figures_again:
            later = _Later(DATA_FILES, lambda: data_files(site, list(figure_records(site)), None))
        files = built.files.changed(made, later)

        # The link check, again for the pages rendered, and for those linking to an anchor
        # of a page whose ids changed.
        ids = dict(built.ids)
        again = set(checks)
        for output, check in checks.items():
            if check.ids != ids[output]:
                ids[output] = check.ids
                again.update(built.linking.get(output, ()))
        for output in again - checks.keys():
            checks[output] = check_page(
                output, files[output], built.existing, (), self.renderer.resolved
            )
        ordered = sorted(again, key=built.order.__getitem__)
        errors = check_links(
            [checks[o] for o in ordered], site, built.existing, files.__getitem__, ids
        )
        if errors:
            raise BuildFailed(errors)

        built.site, built.files, built.ids, built.warnings = site, files, ids, warnings
        built.contexts = shared
        for page in pages:
            built.note(page.output, _shown(site, page), _wanted(checks[page.output]))
        return SiteOutput(files, built.folders, len(site.pages), len(pages), warnings)


def _partial(path: str) -> bool:
    """Whether a change to the file at ``path`` may leave some pages as they were: the
    figures, and the Markdown of the pages."""
    if path == FIGURES_FILE:
        return True
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == CONTENT and parts[2].endswith(".md")


def _referred(text: Text) -> set[str]:
    return {figure_id for figure_id, _ in text.figures}


def _outputs(site: Site, page_id: str) -> list[str]:
    """The outputs of a page in every language."""
    outputs = []
    for lang in site.languages:
        with contextlib.suppress(KeyError):  # a language may lack the page
            outputs.append(site.page(page_id, lang.code).output)
    return outputs


def _frame(site: Site) -> tuple:
    """What every page shows, or the site's other files do: the site's facts, interface
    strings, languages, charts, source and the goals' intro (and ``_same_places``)."""
    return (
        site.meta,
        site.languages,
        site.strings,
        site.goals_intro,
        site.source,
        site.charts,
        site.parts,  # which sections each part of the whole-report and figures pages shows
    )


def _same_places(site: Site, old: Site) -> bool:
    """Whether every page's place, kind and title is the same (in the contents, pager and
    headings of every page)."""
    return len(site.pages) == len(old.pages) and all(
        a is b or page_place(a) == page_place(b) for a, b in zip(site.pages, old.pages, strict=True)
    )


def _shown(site: Site, page: Page) -> frozenset[str]:
    """The figures a page shows: in its texts, as tiles, in its charts."""
    shown = {figure_id for text in page_texts(site, page) for figure_id, _ in text.figures}
    shown.update(figure.id for figure in site.figures_in(page.id))
    for chart in site.charts_in(page.id):
        shown.update(chart.figures)
    return frozenset(shown)


def _wanted(check: PageCheck) -> frozenset[str]:
    """The pages whose anchors a page links to."""
    return frozenset(line.partition("#")[0] for line in check.wanted.split("\n") if line)
