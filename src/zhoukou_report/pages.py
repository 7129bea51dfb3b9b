"""The Markdown pages of each language: which files there are, their front matter, their order.

A page's kind and number come from its file name (``highlight-3.md``), so that an
editor never types them twice; every language must have the same pages.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache

from .errors import ContentError
from .fields import Problems, text_field, unknown_keys, wrong
from .files import ContentFiles, Kept, MarkdownDoc, parse_markdown, unreadable_folder
from .i18n import _
from .layout import PAGE_FILE, language_folder
from .markup import Renderer, figure_references
from .model import Language, Page, Text

REQUIRED_FILES = ("overview",)

# The front matter each kind of Markdown file holds: required keys, then optional ones.
FRONT_MATTER: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "landing": ((), ("title",)),
    "goals-intro": ((), ("title",)),
    "closing": ((), ("title",)),
    "highlight": (("keyword",), ()),
    "goal": (("title",), ()),
}
DRAFT = "draft"  # optional in every page: ``draft: true`` while its translation is in progress

# language code -> page id -> file; None for a file that could not be read (its error is
# recorded), so that it is not reported missing as well.
Docs = dict[str, dict[str, MarkdownDoc | None]]
# The same, with each file's Markdown body: what the checks across files need of it.
Bodies = dict[str, dict[str, Text | None]]


def read_markdown_files(
    files: ContentFiles, languages: tuple[Language, ...], problems: Problems
) -> Docs:
    """Every Markdown file of every language, by language and page id."""
    docs: Docs = {}
    for lang in languages:
        by_id = _folder(files, lang, problems)
        if by_id is not None:
            docs[lang.code] = by_id
    return docs


def _folder(
    files: ContentFiles, lang: Language, problems: Problems
) -> dict[str, MarkdownDoc | None] | None:
    """The Markdown files of a language (None if its folder is missing, and reported);
    what serve ``kept`` while the watcher reported none of them saved (the preview's
    10,000-page figure row of benchmarks/run.py fails listing every page on each save)."""
    kept, folder = files.kept, f"{language_folder(lang.code)}/"
    saved = kept.saved if kept is not None else None
    if kept is not None and saved is not None and not any(p.startswith(folder) for p in saved):
        found = kept.derived.get(folder)
        if found is not None and found[0] == (lang,):
            by_id, errors = found[1]  # type: ignore[misc]
            problems.errors += errors
            return by_id
    mine = Problems()
    by_id = _read_folder(files, lang, mine)
    if kept is not None:
        kept.derived[folder] = ((lang,), (by_id, mine.errors))
    problems.errors += mine.errors
    return by_id


def _read_folder(
    files: ContentFiles, lang: Language, problems: Problems
) -> dict[str, MarkdownDoc | None] | None:
    folder = files.project / language_folder(lang.code)
    if not folder.is_dir() and lang.draft:
        return {}  # every page is the default language's (build_pages)
    if not folder.is_dir():
        message = _("the folder of the {language} pages is missing").format(language=lang.name)
        problems.errors.append(ContentError(message, path=f"{language_folder(lang.code)}/"))
        return None
    by_id: dict[str, MarkdownDoc | None] = {}
    # By name, with os.scandir: sorting Path objects and asking each for is_file costs
    # a tenth of a second in a folder of thousands of pages.
    try:
        files.check_inside(folder, language_folder(lang.code))
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except ContentError as e:
        problems.errors.append(e)
        return by_id
    except OSError as e:
        problems.errors.append(unreadable_folder(e, f"{language_folder(lang.code)}/"))
        return by_id
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith(".md"):
            continue
        if entry.is_dir():  # anything else is read, or refused saying why (files.py)
            continue
        rel = f"{language_folder(lang.code)}/{entry.name}"
        if not PAGE_FILE.match(entry.name):
            hint = _(
                "pages are overview.md, highlight-N.md, closing.md, goals-intro.md and goal-N.md"
            )
            message = _("this file name is not the name of a page")
            problems.errors.append(ContentError(message, path=rel, hint=hint))
            continue
        by_id[entry.name.removesuffix(".md")] = problems.attempt(
            lambda r=rel: files.parsed(r, parse_markdown)
        )
    return by_id


def build_pages(
    docs: Docs, languages: tuple[Language, ...], problems: Problems, kept: Kept | None = None
) -> tuple[list[Page], dict[str, Text], Bodies]:
    """The content pages of every language in reading order, each language's goals intro,
    and the body of every page file, its front matter right or wrong (each taken from what
    serve ``kept`` while its file is the same as parsed; all of them, while every language's
    files are: the preview's 10,000-page figure row of benchmarks/run.py)."""
    if kept is None:
        return _build_pages(docs, languages, problems, kept)
    source = (languages, tuple(docs), tuple(docs.values()))
    found = kept.derived.get("pages")
    if (
        found is None
        or found[0][:2] != source[:2]
        or any(a is not b for a, b in zip(found[0][2], source[2], strict=True))
    ):
        mine = Problems()
        mine.drafts = problems.drafts
        found = kept.derived["pages"] = (source, (_build_pages(docs, languages, mine, kept), mine))
    built, mine = found[1]  # type: ignore[misc]
    problems.add(mine)
    pages, intros, bodies = built
    return list(pages), intros, bodies


def _build_pages(
    docs: Docs, languages: tuple[Language, ...], problems: Problems, kept: Kept | None
) -> tuple[list[Page], dict[str, Text], Bodies]:
    pages: list[Page] = []
    intros: dict[str, Text] = {}
    renderer = Renderer()  # for the texts whose figures Markdown must say (figure_references)
    bodies: Bodies = {
        code: {page_id: doc and _body(doc, renderer, kept) for page_id, doc in by_id.items()}
        for code, by_id in docs.items()
    }
    page_ids = {page_id for by_id in docs.values() for page_id in by_id} | set(REQUIRED_FILES)
    ordered = sorted(page_ids, key=page_order)
    for lang in languages:
        by_id = docs.get(lang.code)
        if by_id is None:
            continue  # the whole folder is missing, and reported
        default = languages[0].code
        for page_id in ordered:
            if page_id not in by_id and lang.draft and docs.get(default, {}).get(page_id):
                # A draft shows the default language's page until it has its own.
                doc, body = docs[default][page_id], bodies[default][page_id]
                key = (f"{language_folder(lang.code)}/", lang.code)
                problems.fallbacks[key] = problems.fallbacks.get(key, 0) + 1
            elif page_id not in by_id:
                _missing(page_id, lang, docs, problems)
                continue
            else:
                doc, body = by_id[page_id], bodies[lang.code][page_id]
            if doc is None or body is None:
                continue
            page = _page(page_id, lang, doc, body, problems, kept)
            if page is None:
                continue
            if page.kind == "goals-intro":
                intros[lang.code] = body
            else:
                pages.append(page)
    if languages:
        _check_numbering(page_ids, languages[0], problems)
    return pages, intros, bodies


def page_file(files: ContentFiles, rel: str, lang: Language, problems: Problems) -> Page | None:
    """The page one Markdown file of a language makes, as ``build_pages`` makes it (None,
    and its problems, if it cannot be read)."""
    doc = problems.attempt(lambda: files.parsed(rel, parse_markdown))
    if doc is None:
        return None
    page_id = rel.rpartition("/")[2].removesuffix(".md")
    return _page(page_id, lang, doc, _body(doc, Renderer(), files.kept), problems, files.kept)


def keep_pages(kept: Kept, pages: Iterable[Page]) -> None:
    """Put these pages, read again from their files (``page_file``), in the place of those
    serve ``kept``: in its listing of their folders, and among the pages and bodies that
    ``build_pages`` made. In place, so that what was worked out from those (the checks
    across files) is taken as it is: for a save of prose alone, which changes none of it
    (``IncrementalSite._prose``; the preview's 10,000-page figure row after a paragraph's)."""
    for page in pages:
        assert page.body is not None  # a page of a Markdown file
        doc = kept.files[page.body.path].parsed
        found = kept.derived.get(f"{language_folder(page.lang)}/")
        if found is not None:
            found[1][0][page.id] = doc  # type: ignore[index]
        found = kept.derived.get("pages")
        if found is not None:
            (listed, _intros, bodies), _problems = found[1]  # type: ignore[misc]
            bodies[page.lang][page.id] = page.body
            for i, before in enumerate(listed):
                if before.id == page.id and before.lang == page.lang:
                    listed[i] = page
                    break


def _page(
    page_id: str,
    lang: Language,
    doc: MarkdownDoc,
    body: Text,
    problems: Problems,
    kept: Kept | None,
) -> Page | None:
    """The page a file makes in a language (None if its front matter is wrong), with the
    problems of its front matter; what serve ``kept`` while the file is the same as parsed
    (the preview's 10,000-page paragraph row of benchmarks/run.py fails reading the front
    matter of every page again on each save)."""
    key = f"{doc.path} {lang.code}"  # a draft language's page may be the default's file
    found = kept.derived.get(key) if kept is not None else None
    if found is not None and found[0][0] is doc and found[0][1:] == (body, lang):
        page, errors, warnings = found[1]  # type: ignore[misc]
    else:
        mine = Problems()
        kind, number = page_kind(page_id)
        meta = _front_matter(doc, kind, mine)
        page = None
        if meta is not None:
            title = meta.get("keyword") or meta.get("title") or ""
            draft = meta.get(DRAFT) is True
            page = Page(page_id, lang.code, kind, title, number, body, lang.prefix, draft)
        errors, warnings = mine.errors, mine.warnings
        if kept is not None:
            kept.derived[key] = ((doc, body, lang), (page, errors, warnings))
    problems.errors += errors
    problems.warnings += warnings
    return page


def _body(doc: MarkdownDoc, renderer: Renderer, kept: Kept | None) -> Text:
    """A page file's body and the figures it refers to; what serve ``kept`` while the
    file is the same as parsed (the preview's 1,000-page paragraph row of benchmarks/run.py
    fails finding the figures of every page again on each save)."""
    found = kept.derived.get(doc.path) if kept is not None else None
    if found is not None and found[0][0] is doc:
        return found[1]  # type: ignore[return-value]
    figures = tuple(figure_references(doc.body, renderer))
    body = Text(doc.body, doc.path, doc.body_line, figures)
    if kept is not None:
        kept.derived[doc.path] = ((doc,), body)
    return body


@lru_cache(maxsize=1 << 16)  # the page ids of a 10,000-page site, ordered on each save
def page_kind(page_id: str) -> tuple[str, int | None]:
    """("landing", None), ("goals-intro", None), ("closing", None), ("highlight", 3),
    ("goal", 1)."""
    if page_id == "overview":
        return "landing", None
    if page_id in ("goals-intro", "closing"):
        return page_id, None
    kind, _, number = page_id.partition("-")
    return kind, int(number)


def page_order(page_id: str) -> tuple[int, int]:
    """The report's order: overview, highlights, the closing paragraph of the year's work,
    the goals' intro, goals."""
    kind, number = page_kind(page_id)
    rank = {"landing": 0, "highlight": 1, "closing": 2, "goals-intro": 3, "goal": 4}[kind]
    return rank, number or 0


def _missing(page_id: str, lang: Language, docs: Docs, problems: Problems) -> None:
    other = next((code for code, by_id in docs.items() if page_id in by_id), None)
    message = _("the page is missing in {language}").format(language=lang.name)
    if other:
        message += _(": {file} has no {language} version").format(
            file=f"{language_folder(other)}/{page_id}.md", language=lang.name
        )
        hint = _("add {file} to {folder}, or remove it from every language").format(
            file=f"{page_id}.md", folder=f"{language_folder(lang.code)}/"
        )
    else:
        hint = _("every language needs its {file}").format(file=f"{page_id}.md")
    path = f"{language_folder(lang.code)}/{page_id}.md"
    problems.errors.append(ContentError(message, path=path, hint=hint))


def _check_numbering(page_ids: set[str], lang: Language, problems: Problems) -> None:
    for kind in ("highlight", "goal"):
        numbers = sorted(
            number
            for page_id in page_ids
            for found, number in [page_kind(page_id)]
            if found == kind and number is not None
        )
        for expected, number in enumerate(numbers, start=1):
            if number != expected:
                message = _("{file} is missing: number the {kind}s 1, 2, 3 … without gaps")
                message = message.format(file=f"{kind}-{expected}.md", kind=kind)
                path = f"{language_folder(lang.code)}/{kind}-{number}.md"
                problems.errors.append(ContentError(message, path=path))
                break


def _front_matter(doc: MarkdownDoc, kind: str, problems: Problems) -> dict[str, str | bool] | None:
    """The page's front matter; a draft is a warning (an error with ``--strict``)."""
    required, optional = FRONT_MATTER[kind]
    optional += (DRAFT,)
    meta = doc.meta
    if not isinstance(meta.data, dict):
        fields = ", ".join(required + optional)
        message = _("the front matter must be name: value lines ({fields})").format(fields=fields)
        problems.errors.append(meta.error("", message))
        return None
    before = len(problems.errors)
    unknown_keys(meta, "", meta.data, required + optional, problems)
    values: dict[str, str | bool] = {}
    draft = meta.data.get(DRAFT)
    if draft is not None and not isinstance(draft, bool):
        problems.errors.append(wrong(meta, DRAFT, draft, _("true or false")))
    elif draft:
        values[DRAFT] = True
        message = _("this page is a draft: its translation is in progress")
        hint = _("remove {field} once the page is translated").format(field="draft: true")
        problems.warnings.append(meta.error(DRAFT, message, hint=hint))
    for key in required + optional:
        value = meta.data.get(key)
        if key == DRAFT or (value is None and key in optional):
            continue
        text = text_field(meta, key, value, problems)
        if text is not None:
            values[key] = text
    return values if len(problems.errors) == before else None
