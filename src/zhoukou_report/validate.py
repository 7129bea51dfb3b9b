"""``load_site``: read every content file, run every check, return the site model.

Each reader records its problems and carries on, so that one run reports every
error of the content, not only the first; nothing is built unless there are none.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path

from .cache import FileCache
from .charts import read_charts
from .errors import BuildFailed, ContentError
from .fields import Problems, translated, unknown_keys, wrong
from .figures import check_references, check_sections, check_source_phrases, read_figures
from .load import parse_markdown, read_parsed
from .model import GENERATED_PAGES, Language, Page, Site, SiteMeta, SourceText
from .pages import CONTENT, PAGE_FILE, build_pages, read_markdown_files
from .source import clean_source
from .strings import check_strings, read_strings, template_uses
from .yamldoc import YamlDoc, parse_yaml

SITE_FILE = f"{CONTENT}/site.yaml"
STRINGS_FILE = f"{CONTENT}/strings.yaml"
FIGURES_FILE = f"{CONTENT}/figures.yaml"
CHARTS_FILE = f"{CONTENT}/charts.yaml"
SOURCE_FILE = f"{CONTENT}/source/report.zh.txt"

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
LANGUAGE_KEYS = ("code", "tag", "name", "locale")
TRANSLATED_META = ("title", "description", "meeting", "speaker", "speaker_role", "publication")
SITE_KEYS = ("languages", *TRANSLATED_META, "date", "base_url")
BASE_URL = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$")


def load_site(
    project: Path, strict: bool = False, cache: FileCache | None = None
) -> tuple[Site, list[ContentError]]:
    """Read and check the content of a project: the site, and its warnings."""
    if not (project / CONTENT).is_dir():
        hint = "run the command in the project folder, or give --project"
        raise BuildFailed(
            [ContentError("there is no content folder here", path=CONTENT, hint=hint)]
        )
    problems = Problems()

    site_doc = problems.attempt(lambda: _read_yaml(project, SITE_FILE, cache))
    languages = _languages(site_doc, problems) if site_doc else ()
    codes = tuple(lang.code for lang in languages)
    meta = _site_meta(site_doc, codes, problems) if site_doc and codes else None

    strings_doc = problems.attempt(lambda: _read_yaml(project, STRINGS_FILE, cache))
    strings = read_strings(strings_doc, codes, problems) if strings_doc and codes else {}
    uses = template_uses(project, problems)
    if strings_doc and codes:
        check_strings(strings, strings_doc, uses, problems)

    figures_doc = problems.attempt(lambda: _read_yaml(project, FIGURES_FILE, cache))
    figures = read_figures(figures_doc, codes, problems) if figures_doc and codes else []
    figure_index = {figure.id: figure for figure in figures}

    source = problems.attempt(lambda: _read_source(project, cache))
    docs = read_markdown_files(project, languages, problems, cache)
    pages, intros = build_pages(docs, languages, problems)

    charts = []
    if (project / CHARTS_FILE).exists():
        charts_doc = problems.attempt(lambda: _read_yaml(project, CHARTS_FILE, cache))
        # A chart names figures and pages: while any of them could not be read, its
        # references would be reported as unknown, pointing away from the real mistake.
        if charts_doc and codes and not problems.errors:
            charts = read_charts(charts_doc, figure_index, pages, codes, problems)

    if figures_doc:
        check_sections(figures, docs, figures_doc, problems)
        check_references(docs, figure_index, figures_doc, problems)
        if source is not None:
            check_source_phrases(figures, figures_doc, source, problems)

    if strict:
        problems.errors.extend(problems.warnings)
        problems.warnings = []
    if problems.errors or meta is None or source is None:
        raise BuildFailed(problems.errors, problems.warnings)

    generated = [
        Page(
            page_id,
            lang.code,
            page_id,
            _generated_title(strings, page_id, lang.code),
            lang_prefix=lang.prefix,
        )
        for lang in languages
        for page_id in GENERATED_PAGES
        if page_id != "404" or lang == languages[0]  # one 404 page, in every language
    ]
    site = Site(
        meta=meta,
        languages=languages,
        figures=tuple(figures),
        pages=tuple(pages + generated),
        goals_intro=intros,
        strings=strings,
        source=source,
        charts=tuple(charts),
    )
    return site, problems.warnings


def content_files(project: Path) -> list[tuple[str, Callable[[str, str], object]]]:
    """Every content file ``load_site`` may read, with the parser it reads it with."""
    files: list[tuple[str, Callable[[str, str], object]]] = [
        (rel, parse_yaml) for rel in (SITE_FILE, STRINGS_FILE, FIGURES_FILE, CHARTS_FILE)
    ]
    files.append((SOURCE_FILE, clean_source))
    for folder in sorted((project / CONTENT).iterdir()):
        if folder.is_dir():
            names = sorted(entry.name for entry in os.scandir(folder))
            pages = [f"{CONTENT}/{folder.name}/{name}" for name in names if PAGE_FILE.match(name)]
            files += [(rel, parse_markdown) for rel in pages]
    return files


def _generated_title(strings: dict[str, dict[str, str]], page_id: str, code: str) -> str:
    """A generated page's title, from strings.yaml (``figures_title``, ``notfound_title``)."""
    key = "notfound_title" if page_id == "404" else f"{page_id}_title"
    return strings.get(key, {}).get(code, "")


def _read_yaml(project: Path, rel: str, cache: FileCache | None) -> YamlDoc:
    file = project / rel
    if not file.is_file():
        raise ContentError("the file is missing", path=rel)
    doc = read_parsed(file, rel, parse_yaml, cache)
    if doc.data is None:
        raise ContentError("the file is empty", path=rel, line=1)
    if not isinstance(doc.data, dict):
        message = "expected name: value lines at the top of the file"
        raise ContentError(message, path=rel, line=doc.line_of(""))
    return doc


def _read_source(project: Path, cache: FileCache | None) -> SourceText:
    file = project / SOURCE_FILE
    if not file.is_file():
        raise ContentError("the source text is missing", path=SOURCE_FILE)
    return read_parsed(file, SOURCE_FILE, clean_source, cache)


def _languages(doc: YamlDoc, problems: Problems) -> tuple[Language, ...]:
    items = doc.data.get("languages")
    if not isinstance(items, list) or not items:
        problems.errors.append(wrong(doc, "languages", items, "a list of languages"))
        return ()
    languages: list[Language] = []
    for i, item in enumerate(items):
        path = f"languages[{i}]"
        if not isinstance(item, dict):
            problems.errors.append(wrong(doc, path, item, "a language: code, tag, name and locale"))
            continue
        before = len(problems.errors)
        unknown_keys(doc, path, item, LANGUAGE_KEYS, problems)
        values = {}
        for key in LANGUAGE_KEYS:
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.errors.append(wrong(doc, f"{path}.{key}", value, "text"))
            else:
                values[key] = value.strip()
        code = values.get("code", "")
        if code and not LANGUAGE_CODE.match(code):
            message = f'"{code}" is not a language code like zh or en'
            problems.errors.append(doc.error(f"{path}.code", message))
        elif any(lang.code == code for lang in languages):
            message = f'the language "{code}" is listed twice'
            problems.errors.append(doc.error(f"{path}.code", message))
        if len(problems.errors) == before:
            prefix = f"{code}/" if languages else ""  # the first language is the default
            languages.append(Language(prefix=prefix, **values))
    return tuple(languages) if len(languages) == len(items) else ()


def _site_meta(doc: YamlDoc, codes: tuple[str, ...], problems: Problems) -> SiteMeta | None:
    unknown_keys(doc, "", doc.data, SITE_KEYS, problems)
    texts = {
        key: translated(doc, key, doc.data.get(key), codes, problems) for key in TRANSLATED_META
    }
    date = doc.data.get("date")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        problems.errors.append(wrong(doc, "date", date, "a date like 2024-02-04"))
        date = None
    base_url = doc.data.get("base_url")
    if base_url is not None and not (isinstance(base_url, str) and BASE_URL.match(base_url)):
        what = "an address like https://example.org/report/"
        problems.errors.append(wrong(doc, "base_url", base_url, what))
        base_url = None
    if date is None or any(value is None for value in texts.values()):
        return None
    return SiteMeta(date=date, base_url=base_url, **texts)
