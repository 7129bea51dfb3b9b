"""figures.yaml: every statistic of the report, defined once.

Each figure is checked as it is read (its id, value, qualifier, texts in every
language); how the pages use the figures is checked by ``validate``.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from .fields import Problems, text_field, translated, unknown_keys, wrong
from .i18n import _
from .model import Figure
from .numbers import QUALIFIERS
from .yamldoc import YamlDoc

FIGURE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIGURE_KEYS = (
    "id", "section", "value", "qualifier", "unit", "label", "source", "cited", "correction",
    "lead", "counts",
)  # fmt: skip
CORRECTION_KEYS = ("previous", "date", "note")
MAX_LEAD = 3  # lead figures a page shows at most
LARGEST = 10**15  # beyond it a float loses whole digits: surely a typing mistake


def read_figures(
    doc: YamlDoc, codes: tuple[str, ...], problems: Problems
) -> tuple[list[Figure], YamlDoc]:
    """Every figure of figures.yaml; and what of the file the checks across files need
    (``validate``): every id given (a figure's that could not be read included), and the
    lines of each figure's id, section and source. The rest of the file as read is let
    go: for 10,000 pages it takes 30 MB (the memory target of benchmarks/run.py's
    10,000-page row fails holding it)."""
    unknown_keys(doc, "", doc.data, ("figures",), problems)
    items = doc.data.get("figures")
    if not isinstance(items, list):
        problems.errors.append(wrong(doc, "figures", items, _("a list of figures")))
        return [], _checked_fields(doc, [])
    figures: list[Figure] = []
    first_use: dict[str, str] = {}
    for i, item in enumerate(items):
        path = f"figures[{i}]"
        if not isinstance(item, dict):
            problems.errors.append(wrong(doc, path, item, _("a figure (id, section, value, …)")))
            continue
        before = len(problems.errors)
        unknown_keys(doc, path, item, FIGURE_KEYS, problems)
        figure_id = _figure_id(doc, path, item.get("id"), first_use, problems)
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
        if len(problems.errors) > before:
            continue
        figures.append(
            Figure.make(
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
        )
    _check_leads(doc, figures, problems)
    return figures, _checked_fields(doc, items)


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


def _checked_fields(doc: YamlDoc, items: list) -> YamlDoc:
    ids = [{"id": item.get("id")} if isinstance(item, dict) else None for item in items]
    paths = ["", "figures"] + [
        f"figures[{i}]{field}"
        for i in range(len(items))
        for field in ("", ".id", ".section", ".source")
    ]
    lines = {path: doc.lines[path] for path in paths if path in doc.lines}
    return YamlDoc(doc.path, {"figures": ids}, lines, doc.top_line)


def _figure_id(
    doc: YamlDoc, path: str, value: object, first_use: dict[str, str], problems: Problems
) -> str | None:
    if not isinstance(value, str) or not FIGURE_ID.match(value):
        what = _("an id of lowercase letters, digits and hyphens")
        problems.errors.append(
            wrong(doc, f"{path}.id", value, what, hint=_("e.g. deputies-visited"))
        )
        return None
    if value in first_use:
        message = _('the id "{id}" is already used by the figure on line {line}').format(
            id=value, line=first_use[value]
        )
        problems.errors.append(
            doc.error(f"{path}.id", message, hint=_("give each figure its own id"))
        )
        return None
    first_use[value] = str(doc.line_of(path))
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
