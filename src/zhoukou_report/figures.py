"""figures.yaml: every statistic of the report, defined once, and the checks on how it is used.

Errors: a malformed figure, a duplicate id, a section with no page, a reference in
the prose to an id that does not exist. Warnings: a figure no page uses, a value
that no longer appears in its own source phrase (the number was corrected, the
citation was not), a source phrase that is not in the source text.
"""

from __future__ import annotations

import math
import re

from .errors import ContentError
from .fields import Problems, suggestion, text_field, translated, unknown_keys, wrong
from .markup import figure_references
from .model import Figure, SourceText
from .numbers import QUALIFIERS, chinese, grouped, plain
from .pages import Docs, page_order
from .yamldoc import YamlDoc

FIGURES_FILE = "content/figures.yaml"
FIGURE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIGURE_KEYS = ("id", "section", "value", "qualifier", "unit", "label", "source")
LARGEST = 10**15  # beyond it a float loses whole digits: surely a typing mistake


def read_figures(doc: YamlDoc, codes: tuple[str, ...], problems: Problems) -> list[Figure]:
    unknown_keys(doc, "", doc.data, ("figures",), problems)
    items = doc.data.get("figures")
    if not isinstance(items, list):
        problems.errors.append(wrong(doc, "figures", items, "a list of figures"))
        return []
    figures: list[Figure] = []
    first_use: dict[str, str] = {}
    for i, item in enumerate(items):
        path = f"figures[{i}]"
        if not isinstance(item, dict):
            problems.errors.append(wrong(doc, path, item, "a figure (id, section, value, …)"))
            continue
        before = len(problems.errors)
        unknown_keys(doc, path, item, FIGURE_KEYS, problems)
        figure_id = _figure_id(doc, path, item.get("id"), first_use, problems)
        section = text_field(doc, f"{path}.section", item.get("section"), problems, "a page name")
        value = _value(doc, f"{path}.value", item.get("value"), problems)
        qualifier = item.get("qualifier")
        if qualifier is not None and qualifier not in QUALIFIERS:
            what = " or ".join(QUALIFIERS)
            hint = "leave it out if the source gives the exact number"
            problems.errors.append(wrong(doc, f"{path}.qualifier", qualifier, what, hint=hint))
        # English has no measure words: only the first language's unit is required.
        unit = translated(doc, f"{path}.unit", item.get("unit"), codes, problems, codes[1:])
        label = translated(doc, f"{path}.label", item.get("label"), codes, problems)
        source = text_field(
            doc, f"{path}.source", item.get("source"), problems, "the phrase of the source"
        )
        if len(problems.errors) > before:
            continue
        figures.append(
            Figure(
                id=figure_id,
                section=section,
                value=value,
                unit=unit,
                label=label,
                source=source,
                qualifier=qualifier,
                path=doc.path,
                line=doc.line_of(path) or 0,
                field=path,
            )
        )
    return figures


def _figure_id(
    doc: YamlDoc, path: str, value: object, first_use: dict[str, str], problems: Problems
) -> str | None:
    if not isinstance(value, str) or not FIGURE_ID.match(value):
        what = "an id of lowercase letters, digits and hyphens"
        problems.errors.append(wrong(doc, f"{path}.id", value, what, hint="e.g. deputies-visited"))
        return None
    if value in first_use:
        message = f'the id "{value}" is already used by {first_use[value]}'
        problems.errors.append(doc.error(f"{path}.id", message, hint="give each figure its own id"))
        return None
    first_use[value] = f"the figure on line {doc.line_of(path)}"
    return value


def _value(doc: YamlDoc, path: str, value: object, problems: Problems) -> int | float | None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        hint = "write it in digits, without separators or 万: 18000, 92.1"
        problems.errors.append(wrong(doc, path, value, "a number", hint=hint))
        return None
    if abs(value) >= LARGEST:
        message = "the number is too large for a figure"
        problems.errors.append(doc.error(path, message, hint="is a digit typed twice?"))
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def check_sections(figures: list[Figure], docs: Docs, doc: YamlDoc, problems: Problems) -> None:
    """Every figure belongs to a page that exists (in some language: a missing one is
    reported by the pages' own checks)."""
    sections = {page_id for by_id in docs.values() for page_id in by_id} - {"goals-intro"}
    for figure in figures:
        if figure.section not in sections:
            message = f'there is no page "{figure.section}"'
            hint = "the pages are " + ", ".join(sorted(sections, key=page_order))
            problems.errors.append(doc.error(f"{figure.field}.section", message, hint=hint))


def check_references(
    docs: Docs, figures: dict[str, Figure], doc: YamlDoc, problems: Problems
) -> None:
    """Every [[id]] names a figure; every figure is used somewhere (else a warning).

    A reference to a figure that is in figures.yaml but could not be read is not
    reported again: the figure's own error says what to fix.
    """
    referenced: set[str] = set()
    declared = _declared_ids(doc)
    for by_id in docs.values():
        for page in by_id.values():
            if page is None:
                continue
            for figure_id, offset in figure_references(page.body):
                referenced.add(figure_id)
                if figure_id in figures or figure_id in declared:
                    continue
                message = f'unknown figure "{figure_id}"' if figure_id else "empty figure reference"
                hint = suggestion(figure_id, figures) or f"figures are defined in {FIGURES_FILE}"
                problems.errors.append(
                    ContentError(
                        message,
                        path=page.path,
                        line=page.body_line + offset,
                        field=f"[[{figure_id}]]",
                        hint=hint,
                    )
                )
    for figure in figures.values():
        if figure.id not in referenced:
            message = f'the figure "{figure.id}" is not used on any page'
            hint = f"refer to it as [[{figure.id}]] in the text, or remove it"
            problems.warnings.append(doc.error(f"{figure.field}.id", message, hint=hint))


def _declared_ids(doc: YamlDoc) -> set[str]:
    items = doc.data.get("figures") if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        return set()
    return {
        item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def check_source_phrases(
    figures: list[Figure], doc: YamlDoc, source: SourceText, problems: Problems
) -> None:
    """Each value still appears in its own source phrase, and each phrase in the source text."""
    text = source.plain
    for figure in figures:
        path = f"{figure.field}.source"
        written = {plain(figure.value), chinese(figure.value), grouped(figure.value)}
        if not any(form in figure.source for form in written):
            value = plain(figure.value)
            message = f'the value {value} does not appear in its source phrase "{figure.source}"'
            hint = "if the number was corrected, update the citation too"
            problems.warnings.append(doc.error(path, message, hint=hint))
        if figure.source not in text:
            message = f'the phrase "{figure.source}" is not in the source text {source.path}'
            hint = "copy the phrase from the source text exactly"
            problems.warnings.append(doc.error(path, message, hint=hint))
