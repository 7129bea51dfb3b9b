"""Charts of comparable figures, drawn at build time as inline SVG (no JavaScript, no images).

Which figures form a chart is declared in content/charts.yaml. This module reads
those declarations and lays each chart out: where every label, bar and value goes.
The SVG markup itself is written by the template ``chart.html`` from that layout.

Two kinds of chart:
- ``bars``: one horizontal bar per figure, for counts of the same kind (the same unit and
  the same ``counts:`` in figures.yaml; anything else is an error).
- ``share``: one percentage as a filled bar, with the counts it is based on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from typing import NamedTuple

from .errors import ContentError
from .fields import Problems, expected, suggestion, text_field, translated, unknown_keys
from .i18n import _
from .model import Chart, Figure, Page
from .numbers import SYMBOL_UNITS
from .yamldoc import YamlDoc

CHART_KINDS = ("bars", "share")
CHART_KEYS = ("id", "section", "kind", "title", "figures")

# Geometry, in SVG user units: the drawing is as wide as a phone screen and scales up.
WIDTH = 320
FONT = 13  # label size
VALUE_FONT = 15
LINE = 17  # label line height
BAR = 18  # bar thickness
GAP = 6  # label to bar
ROW_GAP = 14  # between rows
VALUE_ROOM = 76  # space kept right of the longest bar for its value


# Records are named tuples, not dataclasses: model.py says why.
class ChartRead(NamedTuple):
    """What one chart of charts.yaml gave when it was read: kept by the preview, and taken
    again while charts.yaml, the pages, the languages and the figures it names are the
    same."""

    names: frozenset[str]  # the figure ids it names
    chart_id: str | None
    errors: tuple[ContentError, ...]
    chart: Chart | None  # if it had no error
    fallbacks: tuple[tuple[tuple[str, str], int], ...]  # its texts that fell back


def read_charts(
    doc: YamlDoc,
    figures: dict[str, Figure],
    pages: list[Page],
    codes: tuple[str, ...],
    problems: Problems,
    kept: list[ChartRead] | None = None,
    changed: Collection[str] | None = None,
) -> list[Chart]:
    """Every chart of charts.yaml. ``kept`` (with ``changed``): what the previous read of
    the same charts.yaml, against the same pages and languages and figures of the same
    ids, made of each chart, taken again for a chart that names none of the figures
    ``changed``, and replaced by what this read made (the preview's 10,000-page figure
    row of benchmarks/run.py fails reading every chart again on a figure's save)."""
    unknown_keys(doc, "", doc.data, ("charts",), problems)
    items = doc.data.get("charts", [])
    if not isinstance(items, list):
        problems.errors.append(doc.error("charts", expected(_("a list of charts"), items)))
        if kept is not None:
            kept.clear()
        return []
    sections = {page.id for page in pages}
    previous = kept if kept is not None and changed is not None else []
    reads: list[ChartRead] = []
    charts: list[Chart] = []
    ids: set[str | None] = set()
    for i, item in enumerate(items):
        read = previous[i] if i < len(previous) else None
        if read is None or not read.names.isdisjoint(changed or ()):
            read = _read_chart(doc, f"charts[{i}]", item, figures, sections, codes, problems, ids)
        reads.append(read)
        if isinstance(item, dict):
            ids.add(read.chart_id)
        problems.errors += read.errors
        for key, count in read.fallbacks:
            problems.fallbacks[key] = problems.fallbacks.get(key, 0) + count
        if read.chart is not None:
            charts.append(read.chart)
    if kept is not None:
        kept[:] = reads
    return charts


def _read_chart(
    doc: YamlDoc,
    path: str,
    item: object,
    figures: dict[str, Figure],
    sections: set[str],
    codes: tuple[str, ...],
    problems: Problems,
    ids: set[str | None],
) -> ChartRead:
    """What one chart gives, its id checked against those of the charts before it."""
    mine = Problems()
    mine.drafts = problems.drafts
    if not isinstance(item, dict):
        error = doc.error(path, expected(_("a chart (id, section, kind, …)"), item))
        return ChartRead(frozenset(), None, (error,), None, ())
    unknown_keys(doc, path, item, CHART_KEYS, mine)
    chart_id = text_field(doc, f"{path}.id", item.get("id"), mine)
    if chart_id in ids:
        message = _('the id "{id}" is used twice').format(id=chart_id)
        mine.errors.append(doc.error(f"{path}.id", message))
    section = text_field(
        doc, f"{path}.section", item.get("section"), mine, lambda: _("a page name")
    )
    if section is not None and sections and section not in sections:
        hint = suggestion(section, sections)
        mine.errors.append(
            doc.error(
                f"{path}.section",
                _('there is no page "{page}"').format(page=section),
                hint=hint,
            )
        )
    kind = item.get("kind")
    if kind not in CHART_KINDS:
        message = expected(_(" or ").join(CHART_KINDS), kind)
        mine.errors.append(doc.error(f"{path}.kind", message))
    title = translated(doc, f"{path}.title", item.get("title"), codes, mine)
    named = item.get("figures")
    members = _members(doc, path, named, figures, kind, mine)
    chart = None
    if not mine.errors:
        chart = Chart(chart_id, section, kind, title, tuple(members))
    names = frozenset()
    if isinstance(named, list):
        names = frozenset(name for name in named if isinstance(name, str))
    return ChartRead(names, chart_id, tuple(mine.errors), chart, tuple(mine.fallbacks.items()))


def _members(
    doc: YamlDoc,
    path: str,
    value: object,
    figures: dict[str, Figure],
    kind: object,
    problems: Problems,
) -> list[str]:
    path = f"{path}.figures"
    if not isinstance(value, list) or len(value) < 2:
        problems.errors.append(
            doc.error(path, expected(_("a list of at least two figure ids"), value))
        )
        return []
    members = []
    for j, figure_id in enumerate(value):
        figure = figures.get(figure_id) if isinstance(figure_id, str) else None
        if figure is None:
            message = _('unknown figure "{id}"').format(id=figure_id)
            hint = suggestion(str(figure_id), figures)
            problems.errors.append(doc.error(f"{path}[{j}]", message, hint=hint))
            continue
        members.append(figure)
    if len(members) != len(value):
        return []
    first = members[0]
    if kind == "share" and not SYMBOL_UNITS.intersection(first.unit.values()):
        message = _('a share chart starts with a percentage; "{id}" is not one').format(id=first.id)
        problems.errors.append(doc.error(f"{path}[0]", message))
    if kind == "bars":
        _check_alike(doc, path, members, problems)
    return [figure.id for figure in members]


def _check_alike(doc: YamlDoc, path: str, members: list[Figure], problems: Problems) -> None:
    """The bars of a chart compare like things: the same unit, and the same thing counted
    (each figure's ``counts:`` in figures.yaml), so that enterprises are never drawn on
    one scale with projects."""
    units = {tuple(sorted(figure.unit.items())) for figure in members}
    if len(units) > 1:
        message = _(
            "the bars of a chart must count the same thing: these figures have different units"
        )
        problems.errors.append(doc.error(path, message))
        return
    unsaid = [figure.id for figure in members if figure.counts is None]
    if unsaid:
        message = _(
            "the bars of a chart must count the same thing: say what each figure counts "
            "(counts: …) in figures.yaml; {ids} does not"
        ).format(ids=", ".join(unsaid))
        problems.errors.append(doc.error(path, message))
        return
    counted = dict.fromkeys(figure.counts for figure in members)
    if len(counted) > 1:
        counts = _("{id} counts {what}")
        what = ", ".join(counts.format(id=figure.id, what=figure.counts) for figure in members)
        message = _("the bars of a chart must count the same thing: {what}").format(what=what)
        hint = _("draw only figures that count the same thing together, or drop the chart")
        problems.errors.append(doc.error(path, message, hint=hint))


# Layout -----------------------------------------------------------------------------------


# Records are named tuples, not dataclasses: model.py says why.
class Label(NamedTuple):
    """A text of one or more lines, each with its own baseline."""

    lines: tuple[tuple[float, str], ...]  # (y, text)


class Row(NamedTuple):
    """One bar of a bar chart, placed."""

    figure: Figure
    label: Label
    bar_y: float
    bar_width: float
    track_width: float  # the full bar, for shares: the 100 % the fill is part of
    value_x: float
    value_y: float
    value: str  # the value as text, with its unit


class ChartLayout(NamedTuple):
    """A chart with every bar, label and size computed, ready for chart.html to draw."""

    chart: Chart
    figures: tuple[Figure, ...]
    width: int
    height: float
    rows: tuple[Row, ...]
    notes: tuple[Label, ...]  # share charts: the counts the rate is based on
    description: str  # every value in words, for <desc>
    bar_height: int = BAR


def layout_chart(chart: Chart, figures: dict[str, Figure], lang: str, colon: str) -> ChartLayout:
    members = [figures[figure_id] for figure_id in chart.figures]
    if chart.kind == "share":
        return _layout_share(chart, members, lang, colon)
    return _layout_bars(chart, members, lang, colon)


def value_text(figure: Figure, lang: str) -> str:
    unit = figure.unit_text(lang)
    separator = " " if unit and not lang.startswith("zh") else ""
    return f"{figure.text(lang)}{separator}{unit}"


def _layout_bars(chart: Chart, members: list[Figure], lang: str, colon: str) -> ChartLayout:
    largest = max(abs(figure.value) for figure in members) or 1
    room = WIDTH - VALUE_ROOM
    rows = []
    y = 0.0
    for figure in members:
        lines = wrap(figure.label[lang], WIDTH, FONT)
        label = _label(lines, y + FONT)
        bar_y = y + len(lines) * LINE + GAP
        bar_width = max(2.0, round(abs(figure.value) / largest * room, 1))
        rows.append(
            Row(
                figure=figure,
                label=label,
                bar_y=bar_y,
                bar_width=bar_width,
                track_width=bar_width,
                value_x=bar_width + 6,
                value_y=bar_y + BAR - 4,
                value=value_text(figure, lang),
            )
        )
        y = bar_y + BAR + ROW_GAP
    height = y - ROW_GAP + 2
    description = _describe(members, lang, colon)
    return ChartLayout(chart, tuple(members), WIDTH, height, tuple(rows), (), description)


def _layout_share(chart: Chart, members: list[Figure], lang: str, colon: str) -> ChartLayout:
    rate, *counts = members
    lines = wrap(rate.label[lang], WIDTH - VALUE_ROOM, FONT)
    label = _label(lines, FONT)
    bar_y = len(lines) * LINE + GAP
    track = WIDTH - VALUE_ROOM
    filled = round(max(0.0, min(100.0, rate.value)) / 100 * track, 1)
    row = Row(rate, label, bar_y, filled, track, track + 6, bar_y + BAR - 4, value_text(rate, lang))
    y = bar_y + BAR + ROW_GAP + FONT
    notes = []
    for figure in counts:
        note_lines = wrap(f"{figure.label[lang]}{colon}{value_text(figure, lang)}", WIDTH, FONT)
        notes.append(_label(note_lines, y))
        y += len(note_lines) * LINE
    height = y - LINE + 6
    description = _describe(members, lang, colon)
    return ChartLayout(chart, tuple(members), WIDTH, height, (row,), tuple(notes), description)


def _label(lines: list[str], first_baseline: float) -> Label:
    return Label(tuple((first_baseline + i * LINE, line) for i, line in enumerate(lines)))


def _describe(members: list[Figure], lang: str, colon: str) -> str:
    separator = "；" if lang.startswith("zh") else "; "
    end = "。" if lang.startswith("zh") else "."
    return separator.join(f"{f.label[lang]}{colon}{value_text(f, lang)}" for f in members) + end


def text_width(text: str, size: float) -> float:
    """An estimate of how wide a text is drawn: CJK characters are square, Latin narrower."""
    return sum(map(_char_width, text), 0.0) * size


def _char_width(char: str) -> float:
    """A character's width in ems."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char.isupper() or char in "mwMW":
        return 0.68
    if char in " .,:;'’‘“”-il|!()":
        return 0.32
    return 0.56


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break a label into lines that fit: between words in English, characters in Chinese.

    The line being made is measured as it grows, each character once: ``ems`` is the sum
    of its characters' widths, added up from the first, as ``text_width`` adds them."""
    lines: list[str] = []
    current, ems = "", 0.0
    for token in _tokens(text):
        candidate = current + token
        shown = candidate.rstrip()
        if len(shown) >= len(current):
            shown_ems = _add_widths(ems, shown[len(current) :])
        else:  # the token is spaces only, and current ends in spaces too
            shown_ems = _add_widths(0.0, shown)
        if current and shown_ems * size > width:
            lines.append(current.rstrip())
            current = token.lstrip()
            ems = _add_widths(0.0, current)
        else:
            current, ems = candidate, _add_widths(shown_ems, candidate[len(shown) :])
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def _add_widths(ems: float, text: str) -> float:
    for char in text:
        ems += _char_width(char)
    return ems


def _tokens(text: str) -> list[str]:
    """Words with their trailing space; single characters for CJK text."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        elif char == " ":
            tokens.append(word + " ")
            word = ""
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens
