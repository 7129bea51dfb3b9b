"""figures.read_figures with what the previous read kept: only the items that changed are
read again, and the figures, problems (in their order) and the fields kept for validate
are those of a fresh read of the whole file, after any sequence of edits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_yaml_items import EDITS, add_line, insert_item, item, set_value, text_of
from zhoukou_report import figures as figures_module
from zhoukou_report.errors import ContentError
from zhoukou_report.fields import Problems
from zhoukou_report.figures import FigureRead, read_figures
from zhoukou_report.yamldoc import parse_yaml, parse_yaml_items

REL = "content/figures.yaml"


def figure(number: int, section: str = "overview") -> list[str]:
    """A figure that reads without errors."""
    lines = item(number)
    lines.insert(1, f"    section: {section}")
    lines.insert(3, "    unit:")
    lines.insert(4, "      zh: 次")
    return lines


def read(doc, codes, drafts, kept=None) -> tuple:
    problems = Problems()
    problems.drafts = drafts
    figures, checked = read_figures(doc, codes, problems, kept)
    paths = list(checked.lines)
    return (
        figures,
        problems.errors,
        problems.warnings,
        list(problems.fallbacks.items()),
        checked.data,
        dict(checked.lines),
        [(path, checked.line_of(path)) for path in paths + [f"{p}.value" for p in paths]],
        checked.top_line,
    )


# Edits of figures as an editor makes them, right and wrong.
FIGURE_LINES = st.sampled_from(
    [
        "    lead: true",
        "    lead: 1",
        "    qualifier: about",
        "    qualifier: more-than",
        "    note: an unknown field",
        "    id: f1",  # the id of another figure, or the item's own given twice
        "    id: Bad_Id",
        "    section: highlight-1",
        "    cited: {zh: 某局, en: An office}",
        "    correction: {previous: 7, date: 2024-03-01, note: {zh: 更正, en: Corrected}}",
        "    correction: {previous: 7}",
        "    counts: 数据",
    ]
)


def drop_english(items: list[list[str]], k: int) -> None:
    """A label without its English text (a draft language falls back to Chinese)."""
    lines = items[k % len(items)]
    lines[:] = [line for line in lines if not line.startswith("      en:")]


FIGURE_EDITS = st.one_of(
    EDITS,
    st.tuples(st.just(add_line), st.integers(0, 20), FIGURE_LINES),
    st.tuples(st.just(insert_item), st.integers(0, 20), st.integers(0, 9)),  # ids taken twice
    st.tuples(st.just(set_value), st.integers(0, 20), st.sampled_from(["7", "1e20", '"x"'])),
    st.tuples(st.just(drop_english), st.integers(0, 20)),
)
LANGUAGES = st.sampled_from([(("zh", "en"), {}), (("zh", "en"), {"en": "zh"}), (("zh",), {})])


@settings(max_examples=200, deadline=None, database=None)
@given(
    count=st.integers(1, 6),
    languages=LANGUAGES,
    edits=st.lists(FIGURE_EDITS, min_size=1, max_size=8),
)
def test_read_by_item_is_a_fresh_read(count, languages, edits):
    codes, drafts = languages
    items = [figure(number, ("overview", "highlight-1")[number % 2]) for number in range(count)]
    previous = None
    kept: list[FigureRead] = []
    for edit, *args in [(None,), *edits]:
        if edit is not None:
            edit(items, *args)
        text = text_of(items)
        try:
            doc = parse_yaml_items(text, REL, previous)
        except ContentError:
            continue  # not YAML: nothing is read
        previous = doc
        if not isinstance(doc.data, dict):
            continue  # load reports such a file before reading its figures
        fresh = read(parse_yaml(text, REL), codes, drafts)
        assert read(doc, codes, drafts, kept) == fresh, text


def test_only_the_changed_figure_is_read_again(monkeypatch: pytest.MonkeyPatch):
    items = [figure(number) for number in range(5)]
    doc = parse_yaml_items(text_of(items), REL)
    kept: list[FigureRead] = []
    first = read(doc, ("zh", "en"), {}, kept)
    assert len(first[0]) == 5 and first[1] == []
    made: list[str] = []
    read_item = figures_module._read_item
    monkeypatch.setattr(
        figures_module,
        "_read_item",
        lambda doc, path, *a: made.append(path) or read_item(doc, path, *a),
    )
    set_value(items, 3, "9")
    doc = parse_yaml_items(text_of(items), REL, doc)
    second = read(doc, ("zh", "en"), {}, kept)
    assert made == ["figures[3]"]
    assert [f.value for f in second[0]] == [8, 8, 8, 9, 8]
    assert all(a is b for a, b in zip(first[0][:3], second[0][:3], strict=True))


def test_an_id_given_twice_is_found_across_items_kept():
    items = [figure(number) for number in range(3)]
    kept: list[FigureRead] = []
    doc = parse_yaml_items(text_of(items), REL)
    read(doc, ("zh", "en"), {}, kept)
    items[2][0] = "  - id: f0"
    doc = parse_yaml_items(text_of(items), REL, doc)
    figures, errors, *_ = read(doc, ("zh", "en"), {}, kept)
    assert [f.id for f in figures] == ["f0", "f1"]
    assert [e.format() for e in errors] == [
        'content/figures.yaml:20: figures[2].id: the id "f0" is already used by the figure on '
        "line 2 (give each figure its own id)"
    ]
