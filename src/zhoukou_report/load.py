"""``load_content``: read every file of a project's content into the records of the site.

Each reader checks the fields it reads, records its problems and carries on, so that
one run reports every mistake of the content, not only the first. What needs more than
one file to check (does every ``[[id]]`` name a figure?) is ``validate``'s; ``make_site``
then puts the records together, once there are no errors.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from .charts import read_charts
from .errors import BuildFailed, ContentError
from .fields import Problems, text_field, translated, unknown_keys, wrong
from .figures import read_figures
from .files import (
    ContentFiles,
    Kept,
    check_inside,
    parse_markdown,
    read_text,
    unreadable_folder,
)
from .i18n import _, ngettext
from .identity import IDENTITY_KEYS, read_identity
from .layout import (
    CHARTS_FILE,
    CONTENT,
    FIGURES_FILE,
    PAGE_FILE,
    SITE_FILE,
    SOURCE_FILE,
    STRINGS_FILE,
)
from .model import (
    GENERATED_PAGES,
    Chart,
    Figure,
    Language,
    Page,
    Site,
    SiteMeta,
    SourceText,
    Text,
    page_place,
    part_pages,
)
from .pages import Bodies, build_pages, read_markdown_files
from .processes import CHUNKS_PER_PROCESS, default_jobs, pool
from .source import clean_source
from .strings import read_strings
from .yamldoc import YamlDoc, parse_yaml, parse_yaml_items

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
LANGUAGE_KEYS = ("code", "tag", "name", "locale")
TRANSLATED_META = ("title", "description", "meeting", "speaker", "speaker_role", "publication")
SITE_KEYS = (
    "languages", *TRANSLATED_META, "short_title", "date", "base_url", "typed_numbers",
    *IDENTITY_KEYS,
)  # fmt: skip
BASE_URL = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$")


# Records are named tuples, not dataclasses: model.py says why.
class Content(NamedTuple):
    """Everything read from the content folder. A part that could not be read is None (or
    empty), and its errors are among the problems."""

    languages: tuple[Language, ...]
    meta: SiteMeta | None
    strings_doc: YamlDoc | None
    strings: dict[str, dict[str, str]]
    figures_doc: YamlDoc | None
    figures: list[Figure]
    source: SourceText | None
    bodies: Bodies  # of the Markdown files, their front matter right or wrong
    pages: list[Page]
    intros: dict[str, Text]  # each language's goals intro
    charts: list[Chart]
    typed_numbers: tuple[str, ...] = ()  # phrases of site.yaml whose numbers are names


def load_content(
    project: Path, problems: Problems, jobs: int | None = None, kept: Kept | None = None
) -> Content:
    """Read and check, field by field, every content file of a project (parsed by ``jobs``
    processes: by default one for a small project, every core for a large one; or taken
    from what a previous build ``kept``, where a file's text is the same)."""
    if not (project / CONTENT).is_dir():
        hint = _("run the command in the project folder, or give --project")
        raise BuildFailed(
            [ContentError(_("there is no content folder here"), path=CONTENT, hint=hint)]
        )
    try:
        check_inside(project / CONTENT, CONTENT, project)
        os.listdir(project / CONTENT)
    except ContentError as e:
        raise BuildFailed([e]) from e
    except OSError as e:
        raise BuildFailed([unreadable_folder(e, f"{CONTENT}/")]) from e
    files = ContentFiles(project, _parse_ahead(project, jobs), kept)
    site_doc = problems.attempt(lambda: _read_yaml(files, SITE_FILE))
    if site_doc:
        unknown_keys(site_doc, "", site_doc.data, SITE_KEYS, problems)
    languages = _languages(site_doc, problems) if site_doc else ()
    codes = tuple(lang.code for lang in languages)
    problems.drafts = {lang.code: codes[0] for lang in languages if lang.draft}
    meta = _site_meta(site_doc, codes, problems) if site_doc and codes else None
    identity = read_identity(site_doc, codes, project, problems) if site_doc and codes else None
    if meta is not None:  # the identity's errors are among the problems
        meta = meta._replace(identity=identity) if identity is not None else None

    strings_doc = problems.attempt(lambda: _read_yaml(files, STRINGS_FILE))
    strings = read_strings(strings_doc, codes, problems) if strings_doc and codes else {}

    figures_doc = problems.attempt(lambda: _read_yaml(files, FIGURES_FILE, _figures_parse(files)))
    figures = []
    if figures_doc and codes:
        figures, figures_doc = _read_figures(files, figures_doc, codes, problems)

    source = problems.attempt(lambda: _read_source(files))
    docs = read_markdown_files(files, languages, problems)
    pages, intros, bodies = build_pages(docs, languages, problems, kept)
    del docs  # their front matter is read

    charts = []
    if (project / CHARTS_FILE).exists():
        charts_doc = problems.attempt(lambda: _read_yaml(files, CHARTS_FILE))
        # A chart names figures and pages: while any of them could not be read, its
        # references would be reported as unknown, pointing away from the real mistake.
        if charts_doc and codes and not problems.errors:
            charts = _read_charts(files, charts_doc, figures, pages, codes, problems)

    typed = _typed_numbers(site_doc, problems) if site_doc else ()
    _fallback_warnings(languages, problems)
    return Content(
        languages, meta, strings_doc, strings, figures_doc, figures, source, bodies, pages, intros,
        charts, typed,
    )  # fmt: skip


def _fallback_warnings(languages: tuple[Language, ...], problems: Problems) -> None:
    """One warning for each file where a draft language's texts are the default one's."""
    names = {lang.code: lang.name for lang in languages}
    for (path, code), count in problems.fallbacks.items():
        message = ngettext(
            "{count} text has no {language} version: the {default} one is shown ({language} "
            "is a draft)",
            "{count} texts have no {language} version: the {default} ones are shown "
            "({language} is a draft)",
            count,
        )
        default = names[languages[0].code]
        problems.warnings.append(
            ContentError(
                message.format(count=count, language=names[code], default=default), path=path
            )
        )


def _typed_numbers(doc: YamlDoc, problems: Problems) -> tuple[str, ...]:
    """site.yaml's ``typed_numbers``: phrases in which a number is part of a name."""
    items = doc.data.get("typed_numbers")
    if items is None:
        return ()
    if not isinstance(items, list):
        problems.errors.append(wrong(doc, "typed_numbers", items, _("a list of phrases")))
        return ()
    phrases = []
    for i, item in enumerate(items):
        phrase = text_field(doc, f"typed_numbers[{i}]", item, problems)
        if phrase is not None:
            phrases.append(phrase)
    return tuple(phrases)


def make_site(content: Content, kept: Kept | None = None) -> Site:
    """The site, from content read without errors: its pages and the pages made for it
    (the figures, the source text, one 404 page in every language)."""
    assert content.meta is not None and content.source is not None, "the content has errors"
    languages = content.languages
    generated = [
        Page(
            page_id,
            lang.code,
            page_id,
            _generated_title(content.strings, page_id, lang.code),
            lang_prefix=lang.prefix,
        )
        for lang in languages
        for page_id in GENERATED_PAGES
        if page_id != "404" or lang == languages[0]  # one 404 page, in every language
    ]
    pages = [titled(page, content.strings) for page in content.pages] + generated
    # The parts as serve kept them, while the pages and the figures' sections are the same
    # (the preview's 10,000-page figure row of benchmarks/run.py).
    places = tuple(map(page_place, pages))
    sections = tuple(figure.section for figure in content.figures)
    parts = (kept or Kept()).derive(
        "parts", (places, sections), lambda: part_pages(pages, content.figures)
    )
    return Site(
        meta=content.meta,
        languages=languages,
        figures=tuple(content.figures),
        pages=tuple(pages + parts),
        goals_intro=content.intros,
        strings=content.strings,
        source=content.source,
        charts=tuple(content.charts),
        typed_numbers=content.typed_numbers,
    )


def titled(page: Page, strings: dict[str, dict[str, str]]) -> Page:
    """The page with its title: the closing page is titled by its front matter, else by
    strings.yaml's closing_title."""
    if page.kind == "closing" and not page.title:
        return page._replace(title=_generated_title(strings, page.id, page.lang))
    return page


def _generated_title(strings: dict[str, dict[str, str]], page_id: str, code: str) -> str:
    """A generated page's title, from strings.yaml (``figures_title``, ``notfound_title``)."""
    key = "notfound_title" if page_id == "404" else f"{page_id}_title"
    return strings.get(key, {}).get(code, "")


def _figures_parse(files: ContentFiles) -> Callable[[str, str], YamlDoc]:
    """How figures.yaml is parsed: whole for a build; by item for the preview, the items
    of the file as kept taken as they were parsed while their text is the same
    (``parse_yaml_items``: the preview's 10,000-page figure row of benchmarks/run.py)."""
    if files.kept is None:
        return parse_yaml
    derived = files.kept.derived
    # The last parse that found the items: not an empty file an editor's save left for an
    # instant (the watcher may report the file emptied, then written), whose next save would
    # be parsed whole (3 s at 10,000 pages).
    found = derived.get(_ITEMS)
    previous = found[1] if found is not None else None

    def parse(text: str, rel: str) -> YamlDoc:
        doc = parse_yaml_items(text, rel, previous)  # type: ignore[arg-type]
        if doc.listed is not None:
            derived[_ITEMS] = ((), doc)
        return doc

    return parse


_ITEMS = f"{FIGURES_FILE} items"


def _read_figures(
    files: ContentFiles, doc: YamlDoc, codes: tuple[str, ...], problems: Problems
) -> tuple[list[Figure], YamlDoc]:
    """``read_figures``; or, while figures.yaml is kept as parsed and the languages are the
    same, what it read the last time, with its problems (the preview's 1,000-page paragraph
    row of benchmarks/run.py fails reading every figure again on each save); or, while the
    languages are the same, read again taking each figure whose item is the same as parsed
    as read the last time (its 10,000-page figure row)."""
    kept = files.kept
    if kept is None:
        return read_figures(doc, codes, problems)
    source = (doc, codes, tuple(sorted(problems.drafts.items())))
    found = kept.derived.get(FIGURES_FILE)
    if found is None or found[0][0] is not doc or found[0][1:] != source[1:]:
        same_languages = found is not None and found[0][1:] == source[1:]
        reads = found[1][3] if same_languages else []  # type: ignore[index]
        mine = Problems()
        mine.drafts = problems.drafts
        figures, checked = read_figures(doc, codes, mine, reads)
        found = kept.derived[FIGURES_FILE] = (source, (figures, checked, mine, reads))
    figures, checked, mine, _reads = found[1]  # type: ignore[misc]
    problems.add(mine)
    return list(figures), checked


def _read_charts(
    files: ContentFiles,
    doc: YamlDoc,
    figures: list[Figure],
    pages: list[Page],
    codes: tuple[str, ...],
    problems: Problems,
) -> list[Chart]:
    """``read_charts``; or, while charts.yaml is kept as parsed and the figures, the pages'
    ids and the languages are the same, what it read the last time, with its problems (the
    preview's 1,000-page paragraph row of benchmarks/run.py fails reading every chart again
    on each save); or, while only figures changed (not which ids there are), read again
    only for the charts that name one of them (its 10,000-page figure row)."""
    kept = files.kept
    if kept is None:
        return read_charts(doc, {f.id: f for f in figures}, pages, codes, problems)
    source = (
        doc,
        figures,
        frozenset(page.id for page in pages),
        codes,
        tuple(sorted(problems.drafts.items())),
    )
    found = kept.derived.get(CHARTS_FILE)
    same = found is not None and found[0][0] is doc and found[0][2:] == source[2:]
    changed = _changed_figures(found[0][1], figures) if same else None  # type: ignore[index]
    if changed is None or changed:
        reads = found[1][2] if same and changed is not None else []  # type: ignore[index]
        mine = Problems()
        mine.drafts = problems.drafts
        index = {figure.id: figure for figure in figures}
        charts = read_charts(doc, index, pages, codes, mine, reads, changed)
        found = kept.derived[CHARTS_FILE] = (source, (charts, mine, reads))
    charts, mine, _reads = found[1]  # type: ignore[misc]
    problems.add(mine)
    return list(charts)


def _changed_figures(before: list[Figure], figures: list[Figure]) -> set[str] | None:
    """The ids of the figures that are not the same as ``before``; None if the figures
    are not of the same ids, in the same order."""
    if len(before) != len(figures):
        return None
    changed = set()
    for old, new in zip(before, figures, strict=True):
        if old is not new:
            if old.id != new.id:
                return None
            changed.add(new.id)
    return changed


def _read_yaml(
    files: ContentFiles, rel: str, parse: Callable[[str, str], YamlDoc] = parse_yaml
) -> YamlDoc:
    if not (files.project / rel).is_file():
        raise ContentError(_("the file is missing"), path=rel)
    doc = files.parsed(rel, parse)
    if doc.data is None:
        raise ContentError(_("the file is empty"), path=rel, line=1)
    if not isinstance(doc.data, dict):
        message = _("expected name: value lines at the top of the file")
        raise ContentError(message, path=rel, line=doc.line_of(""))
    return doc


def _read_source(files: ContentFiles) -> SourceText:
    if not (files.project / SOURCE_FILE).is_file():
        raise ContentError(_("the source text is missing"), path=SOURCE_FILE)
    return files.parsed(SOURCE_FILE, clean_source)


# Several processes ------------------------------------------------------------------------


def _parse_ahead(project: Path, jobs: int | None) -> dict[str, object]:
    """For a large project, every content file parsed by several processes (the
    10,000-page row of benchmarks/run.py fails reading them in one); nothing for a small
    one. A file that cannot be read is there as its ContentError, for the reader to raise."""
    if jobs == 1:
        return {}  # not even listed (the preview's 10,000-page rows of benchmarks/run.py)
    files = [(rel, parse_yaml) for rel in (SITE_FILE, STRINGS_FILE, FIGURES_FILE, CHARTS_FILE)]
    files.append((SOURCE_FILE, clean_source))
    try:
        for folder in sorted(os.scandir(project / CONTENT), key=lambda entry: entry.name):
            if folder.is_dir():
                names = sorted(entry.name for entry in os.scandir(folder.path))
                files += [
                    (f"{CONTENT}/{folder.name}/{name}", parse_markdown)
                    for name in names
                    if PAGE_FILE.match(name)
                ]
    except OSError:  # a folder that cannot be read: the readers say which
        return {}
    jobs = default_jobs(len(files)) if jobs is None else jobs
    if jobs <= 1:
        return {}
    # The few YAML files take longest to parse, byte for byte: each is a task of its own,
    # handed out first; the many Markdown files follow in even chunks.
    single = [[file] for file in files if file[1] is not parse_markdown]
    pages = [file for file in files if file[1] is parse_markdown]
    count = jobs * CHUNKS_PER_PROCESS
    tasks = single + [pages[i::count] for i in range(count) if pages[i::count]]
    ahead: dict[str, object] = {}
    with pool(jobs) as workers:
        for parsed in workers.map(_parse_files, [(project, task) for task in tasks]):
            ahead.update(parsed)
    return ahead


def _parse_files(task: tuple[Path, list[tuple[str, Callable[[str, str], object]]]]) -> dict:
    project, files = task
    parsed: dict[str, object] = {}
    for rel, parse in files:
        if (project / rel).is_file():
            try:
                parsed[rel] = parse(read_text(project / rel, rel, project), rel)
            except ContentError as e:
                parsed[rel] = e
    return parsed


def _languages(doc: YamlDoc, problems: Problems) -> tuple[Language, ...]:
    items = doc.data.get("languages")
    if not isinstance(items, list) or not items:
        problems.errors.append(wrong(doc, "languages", items, _("a list of languages")))
        return ()
    languages: list[Language] = []
    for i, item in enumerate(items):
        path = f"languages[{i}]"
        if not isinstance(item, dict):
            problems.errors.append(
                wrong(doc, path, item, _("a language: code, tag, name and locale"))
            )
            continue
        before = len(problems.errors)
        unknown_keys(doc, path, item, (*LANGUAGE_KEYS, "draft"), problems)
        values: dict = {}
        for key in LANGUAGE_KEYS:
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.errors.append(wrong(doc, f"{path}.{key}", value, _("text")))
            else:
                values[key] = value.strip()
        code = values.get("code", "")
        if code and not LANGUAGE_CODE.match(code):
            message = _('"{code}" is not a language code like zh or en').format(code=code)
            problems.errors.append(doc.error(f"{path}.code", message))
        elif any(lang.code == code for lang in languages):
            message = _('the language "{code}" is listed twice').format(code=code)
            problems.errors.append(doc.error(f"{path}.code", message))
        draft = item.get("draft", False)
        if not isinstance(draft, bool):
            problems.errors.append(wrong(doc, f"{path}.draft", draft, _("true or false")))
        elif draft and not languages:
            message = _("the first language is the default one: it cannot be a draft")
            problems.errors.append(doc.error(f"{path}.draft", message))
        if len(problems.errors) == before:
            prefix = f"{code}/" if languages else ""  # the first language is the default
            languages.append(Language(prefix=prefix, draft=draft is True, **values))
    return tuple(languages) if len(languages) == len(items) else ()


def _site_meta(doc: YamlDoc, codes: tuple[str, ...], problems: Problems) -> SiteMeta | None:
    texts = {
        key: translated(doc, key, doc.data.get(key), codes, problems) for key in TRANSLATED_META
    }
    date = doc.data.get("date")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        problems.errors.append(wrong(doc, "date", date, _("a date like 2024-02-04")))
        date = None
    base_url = doc.data.get("base_url")
    if base_url is not None and not (isinstance(base_url, str) and BASE_URL.match(base_url)):
        what = _("an address like https://example.org/report/")
        problems.errors.append(wrong(doc, "base_url", base_url, what))
        base_url = None
    short_title = None  # optional: the masthead's, where the title is too long for a phone
    if doc.data.get("short_title") is not None or doc.has("short_title"):
        short_title = translated(doc, "short_title", doc.data.get("short_title"), codes, problems)
        if short_title is None:
            return None
    if date is None or any(value is None for value in texts.values()):
        return None
    return SiteMeta(date=date, base_url=base_url, short_title=short_title, **texts)
