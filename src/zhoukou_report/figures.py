"""figures.yaml: every statistic of the report, defined once.

Each figure is checked as it is read (its id, value, qualifier, texts in every
language); how the pages use the figures is checked by ``validate``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import NamedTuple

from .errors import ContentError
from .fields import Problems, text_field, translated, unknown_keys, wrong
from .i18n import _
from .model import Figure
from .numbers import QUALIFIERS
from .yamldoc import ListLines, YamlDoc

FIGURE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIGURE_KEYS = (
    "id", "section", "value", "qualifier", "unit", "label", "source", "cited", "correction",
    "lead", "counts",
)  # fmt: skip
CORRECTION_KEYS = ("previous", "date", "note")
MAX_LEAD = 3  # lead figures a page shows at most
LARGEST = 10**15  # beyond it a float loses whole digits: surely a typing mistake


# Records are named tuples, not dataclasses: model.py says why.
class FigureRead(NamedTuple):
    """What one item of figures.yaml gave when it was read: kept by the preview, and taken
    again while the item is the same as parsed (``parse_yaml_items`` keeps an unchanged
    item's parsed object)."""

    item: object  # the item as parsed (held: while it is, ``is`` tells it is the same)
    before_id: tuple[ContentError, ...]  # its errors, up to its id's
    figure_id: str | None  # its id, if well written (whether it is used twice is not known)
    after_id: tuple[ContentError, ...]  # its errors after its id's
    figure: Figure | None  # the figure, if the item had no error
    line: str  # the line where it starts, as a message names it
    fallbacks: tuple[tuple[tuple[str, str], int], ...]  # its texts that fell back
    declared: dict | None  # its id, for ``validate``
    checked: dict[str, int]  # the lines of its id, section and source, for ``validate``


def read_figures(
    doc: YamlDoc,
    codes: tuple[str, ...],
    problems: Problems,
    kept: list[FigureRead] | None = None,
) -> tuple[list[Figure], YamlDoc]:
    """Every figure of figures.yaml; and what of the file the checks across files need
    (``validate``): every id given (a figure's that could not be read included), and the
    lines of each figure's id, section and source. The rest of the file as read is let
    go: for 10,000 pages it takes 30 MB (the memory target of benchmarks/run.py's
    10,000-page row fails holding it).

    ``kept``: what the previous read of the file (in the same languages) made of each
    item, taken again for an item that is the same as parsed, and replaced by what this
    read made (the preview's 10,000-page figure row of benchmarks/run.py fails reading
    every figure again on each save). What concerns several figures (an id used twice,
    too many lead figures) is checked across the file each time.
    """
    unknown_keys(doc, "", doc.data, ("figures",), problems)
    items = doc.data.get("figures")
    if not isinstance(items, list):
        problems.errors.append(wrong(doc, "figures", items, _("a list of figures")))
        if kept is not None:
            kept.clear()
        return [], _checked_fields(doc, [])
    previous = kept or []
    reads: list[FigureRead] = []
    figures: list[Figure] = []
    first_use: dict[str, str] = {}
    errors, fallbacks = problems.errors, problems.fallbacks
    for i, item in enumerate(items):
        read = previous[i] if i < len(previous) else None
        if read is None or read.item is not item or not isinstance(item, dict):
            read = _read_item(doc, f"figures[{i}]", item, codes, problems.drafts)
        reads.append(read)
        if read.before_id:
            errors += read.before_id
        duplicate = read.figure_id in first_use
        if duplicate:
            message = _('the id "{id}" is already used by the figure on line {line}').format(
                id=read.figure_id, line=first_use[read.figure_id]
            )
            path = f"figures[{i}].id"
            errors.append(doc.error(path, message, hint=_("give each figure its own id")))
        elif read.figure_id is not None:
            first_use[read.figure_id] = read.line
        if read.after_id:
            errors += read.after_id
        for key, count in read.fallbacks:
            fallbacks[key] = fallbacks.get(key, 0) + count
        if read.figure is not None and not duplicate:
            figures.append(read.figure)
    _check_leads(doc, figures, problems)
    if kept is not None:
        kept[:] = reads
    return figures, _checked_fields(doc, reads)


def _read_item(
    doc: YamlDoc, path: str, item: object, codes: tuple[str, ...], drafts: dict[str, str]
) -> FigureRead:
    """What one item of figures.yaml gives on its own."""
    problems = Problems()
    problems.drafts = drafts
    line = str(doc.line_of(path))
    paths = (path, f"{path}.id", f"{path}.section", f"{path}.source")
    checked = {field: doc.lines[field] for field in paths if field in doc.lines}
    if not isinstance(item, dict):
        error = wrong(doc, path, item, _("a figure (id, section, value, …)"))
        return FigureRead(item, (error,), None, (), None, line, (), None, checked)
    unknown_keys(doc, path, item, FIGURE_KEYS, problems)
    figure_id = _figure_id(doc, path, item.get("id"), problems)
    before_id = tuple(problems.errors)
    problems.errors.clear()
    section = text_field(
        doc, f"{path}.section", item.get("section"), problems, lambda: _("a page name")
    )
    value = _value(doc, f"{path}.value", item.get("value"), problems)
    qualifier = item.get("qualifier")
    if qualifier is not None and qualifier not in QUALIFIERS:
        what = _(" or ").join(QUALIFIERS)
        hint = _("leave it out if the source gives the exact number")
        problems.errors.append(wrong(doc, f"{path}.qualifier", qualifier, what, hint=hint))
    # English has no measure words: only the first language's unit is required.
    unit = translated(doc, f"{path}.unit", item.get("unit"), codes, problems, codes[1:])
    label = translated(doc, f"{path}.label", item.get("label"), codes, problems)
    source, cited = _provenance(doc, path, item, codes, problems)
    correction = None
    if "correction" in item:
        correction = _correction(doc, f"{path}.correction", item["correction"], codes, problems)
    lead = item.get("lead", False)
    if not isinstance(lead, bool):
        hint = _("write lead: true for a figure its page leads with, or leave it out")
        what = _("true or false")
        problems.errors.append(wrong(doc, f"{path}.lead", lead, what, hint=hint))
    counts = item.get("counts")
    if counts is not None:
        counts = text_field(
            doc, f"{path}.counts", counts, problems, lambda: _("what the figure counts")
        )
    figure = None
    if not before_id and not problems.errors:
        figure = Figure.make(
            figure_id,
            section,
            value,
            unit,
            label,
            source,
            qualifier,
            field=path,
            correction=correction,
            cited=cited,
            lead=lead,
            counts=counts,
        )
    return FigureRead(
        item,
        before_id,
        figure_id,
        tuple(problems.errors),
        figure,
        line,
        tuple(problems.fallbacks.items()),
        {"id": item.get("id")},
        checked,
    )


def _provenance(
    doc: YamlDoc, path: str, item: dict, codes: tuple[str, ...], problems: Problems
) -> tuple[str | None, dict[str, str] | None]:
    """The phrase of the source text that gives a figure, or (``cited``) the document or
    office it comes from instead, in each language."""
    if "cited" not in item:
        source = item.get("source")
        what = _phrase_of_source
        return text_field(doc, f"{path}.source", source, problems, what), None
    if "source" in item:
        message = _('give either "source" (a phrase of the source text) or "cited", not both')
        problems.errors.append(doc.error(f"{path}.cited", message))
        return None, None
    return "", translated(doc, f"{path}.cited", item["cited"], codes, problems)


def _phrase_of_source() -> str:
    return _("the phrase of the source")


def _correction(
    doc: YamlDoc, path: str, value: object, codes: tuple[str, ...], problems: Problems
) -> tuple[int | float, dt.date, dict[str, str]] | None:
    """An official correction: ``{previous: 232, date: 2024-03-01, note: {zh: …, en: …}}``."""
    if not isinstance(value, dict):
        what = _("the previous value, date and note of the correction")
        hint = _("write it as {example}").format(
            example="correction: {previous: 232, date: 2024-03-01, note: {zh: …, en: …}}"
        )
        problems.errors.append(wrong(doc, path, value, what, hint=hint))
        return None
    before = len(problems.errors)
    unknown_keys(doc, path, value, CORRECTION_KEYS, problems)
    previous = _value(doc, f"{path}.previous", value.get("previous"), problems)
    day = value.get("date")
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        problems.errors.append(wrong(doc, f"{path}.date", day, _("a date like 2024-02-04")))
    note = translated(doc, f"{path}.note", value.get("note"), codes, problems)
    if len(problems.errors) > before or previous is None or note is None:
        return None
    return previous, day, note


def _check_leads(doc: YamlDoc, figures: list[Figure], problems: Problems) -> None:
    """A page leads with one to three figures: a fourth is an error, at its own line."""
    leads: dict[str, list[str]] = {}
    for figure in figures:
        if not figure.lead:
            continue
        chosen = leads.setdefault(figure.section, [])
        if len(chosen) == MAX_LEAD:
            message = _(
                "{section} already leads with {count} figures ({ids}): a page leads with at "
                "most {count}"
            ).format(section=figure.section, count=MAX_LEAD, ids=", ".join(chosen))
            hint = _("remove lead: true from one of them")
            problems.errors.append(doc.error(f"{figure.field}.lead", message, hint=hint))
        chosen.append(figure.id)


def _checked_fields(doc: YamlDoc, reads: list[FigureRead]) -> YamlDoc:
    top = {path: doc.lines[path] for path in ("", "figures") if path in doc.lines}
    lines = ListLines(top, "figures", [read.checked for read in reads])
    return YamlDoc(doc.path, {"figures": [read.declared for read in reads]}, lines, doc.top_line)


def _figure_id(doc: YamlDoc, path: str, value: object, problems: Problems) -> str | None:
    """A well-written id (whether another figure has it is checked across the file)."""
    if not isinstance(value, str) or not FIGURE_ID.match(value):
        what = _("an id of lowercase letters, digits and hyphens")
        problems.errors.append(
            wrong(doc, f"{path}.id", value, what, hint=_("e.g. deputies-visited"))
        )
        return None
    return value


def _value(doc: YamlDoc, path: str, value: object, problems: Problems) -> int | float | None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        hint = _("write it in digits, without separators or 万: 18000, 92.1")
        problems.errors.append(wrong(doc, path, value, _("a number"), hint=hint))
        return None
    if abs(value) >= LARGEST:
        message = _("the number is too large for a figure")
        problems.errors.append(doc.error(path, message, hint=_("is a digit typed twice?")))
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
