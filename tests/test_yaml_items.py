"""yamldoc.parse_yaml_items: figures.yaml parsed again item by item, reusing the items that
did not change, gives exactly what parsing the whole text gives (its data, the line of
every field, its errors), after any sequence of edits, broken ones included."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhoukou_report.errors import ContentError
from zhoukou_report.yamldoc import YamlDoc, parse_yaml, parse_yaml_items


def item(number: int, value: object = 8) -> list[str]:
    """The lines of one figure, as an editor writes them."""
    return [
        f"  - id: f{number}",
        f"    value: {value}",
        "    label:",
        f"      zh: 第{number}项",
        f"      en: Figure {number}",
        f"    source: 开展{number}次",
    ]


def text_of(items: list[list[str]], head: str = "figures:") -> str:
    return "\n".join([head, *(line for lines in items for line in lines)]) + "\n"


def outcome(parse: Any) -> tuple:
    """A parse's data, the line of every field (and of fields not there, which ask their
    parent's), or its error, field by field."""
    try:
        doc: YamlDoc = parse()
    except ContentError as e:
        return ("error", e.path, e.line, e.field, e.message, e.hint)
    paths = list(doc.lines)
    asked = paths + [f"{path}.missing" for path in paths] + ["figures[99]", "other", ""]
    return (
        "parsed",
        doc.data,
        dict(doc.lines),
        [(path, doc.line_of(path), doc.has(path)) for path in asked],
        doc.top_line,
    )


# The edits: each changes the items (a list of each item's lines) in place.


def set_value(items: list[list[str]], k: int, value: str) -> None:
    lines = items[k % len(items)]
    for i, line in enumerate(lines):
        if line.startswith("    value:"):
            lines[i] = f"    value: {value}"


def add_line(items: list[list[str]], k: int, line: str) -> None:
    """A line added to an item (moving every item below it a line down)."""
    items[k % len(items)].insert(2, line)


def remove_line(items: list[list[str]], k: int) -> None:
    lines = items[k % len(items)]
    if len(lines) > 1:
        del lines[-1]


def insert_item(items: list[list[str]], k: int, number: int) -> None:
    items.insert(k % (len(items) + 1), item(number))


def remove_item(items: list[list[str]], k: int) -> None:
    if len(items) > 1:
        del items[k % len(items)]


def swap_items(items: list[list[str]], k: int) -> None:
    a, b = k % len(items), (k + 1) % len(items)
    items[a], items[b] = items[b], items[a]


def replace_line(items: list[list[str]], k: int, j: int, line: str) -> None:
    lines = items[k % len(items)]
    lines[j % len(lines)] = line


def blank_after(items: list[list[str]], k: int) -> None:
    items[k % len(items)].append("")


def join_next(items: list[list[str]], k: int) -> None:
    """An item's last line joined with the line after it (the next item's first)."""
    k %= len(items)
    if k + 1 < len(items) and items[k] and items[k + 1]:
        items[k][-1] += items[k + 1].pop(0)


# What an editor types into an item: right, and wrong in every way the split must not
# take for right (a tab, a comment, a duplicate key, an unclosed quote, a line outside the
# items, an anchor, a flow collection, a second document, a block scalar).
LINES = st.sampled_from(
    [
        "    lead: true",
        "    qualifier: more-than",
        "    counts: 数据",
        "    value: 9",  # a key given twice
        '    label: "unclosed',
        "      still the label",  # a plain scalar going on, or a bad indentation
        "   section: overview",  # three spaces: the indentation does not line up
        "     section: overview",
        " - id: odd",  # one space: a line outside the items
        "- id: flush",
        "other: 1",
        "\tvalue: 3",
        "    value: 3\t",
        "    # a comment",
        "    note: a # comment",
        "    unit: {zh: 个, en: x}",
        "    unit: [a, b]",
        "    unit: {zh: 个,",
        "      en: x}",
        "    value: &a 3",
        "    lead: *a",
        "    cited: &b",
        "  -",
        "  - id: extra",
        "  -id: nospace",
        "    note: |",
        "      kept text",
        "    note: >+",
        "---",
        "...",
        "    value: 0x1F",
        "    value: !!str 3",
        "    date: 2024-13-45",
        "    ： full width",
        '    label: "a',
        '  - b"',
        "    text: 'it''s'",
        "    note: \u2028odd",
        "    date: 2024-02-04",
        "",
    ]
)
VALUES = st.sampled_from(["8", "92.1", "018", '"many"', "", "1_000", "true", "[1, 2]", "'7'"])
EDITS = st.one_of(
    st.tuples(st.just(set_value), st.integers(0, 20), VALUES),
    st.tuples(st.just(add_line), st.integers(0, 20), LINES),
    st.tuples(st.just(remove_line), st.integers(0, 20)),
    st.tuples(st.just(insert_item), st.integers(0, 20), st.integers(1, 9)),
    st.tuples(st.just(remove_item), st.integers(0, 20)),
    st.tuples(st.just(swap_items), st.integers(0, 20)),
    st.tuples(st.just(replace_line), st.integers(0, 20), st.integers(0, 9), LINES),
    st.tuples(st.just(blank_after), st.integers(0, 20)),
    st.tuples(st.just(join_next), st.integers(0, 20)),
)
HEADS = st.sampled_from(
    ["figures:", "figures:", "figures:", "charts:", "figures: ", "# c\nfigures:"]
)


@settings(max_examples=200, deadline=None, database=None)
@given(
    count=st.integers(1, 6),
    head=HEADS,
    edits=st.lists(EDITS, min_size=1, max_size=8),
    final_newline=st.booleans(),
)
def test_parsed_by_item_is_parsed_whole(count, head, edits, final_newline):
    items = [item(number) for number in range(count)]
    previous = None
    for edit, *args in [(None,), *edits]:
        if edit is not None:
            edit(items, *args)
        text = text_of(items, head)
        if not final_newline:
            text = text.rstrip("\n")
        whole = outcome(lambda: parse_yaml(text, "content/figures.yaml"))  # noqa: B023
        by_item = outcome(
            lambda: parse_yaml_items(text, "content/figures.yaml", previous)  # noqa: B023
        )
        assert by_item == whole, text
        if by_item[0] == "parsed":
            previous = parse_yaml_items(text, "content/figures.yaml", previous)


def test_only_the_changed_item_is_parsed_again():
    items = [item(number) for number in range(4)]
    before = parse_yaml_items(text_of(items), "f.yaml")
    set_value(items, 2, "9")
    after = parse_yaml_items(text_of(items), "f.yaml", before)
    assert len(after.listed.items) == 4
    assert [a is b for a, b in zip(before.listed.items, after.listed.items, strict=True)] == [
        True,
        True,
        False,
        True,
    ]
    assert after.data["figures"][2]["value"] == 9
    assert after.lines["figures[2].value"] == 15
    assert after.data == parse_yaml(text_of(items), "f.yaml").data


def test_an_item_moved_down_is_parsed_again_at_its_new_line():
    items = [item(number) for number in range(3)]
    before = parse_yaml_items(text_of(items), "f.yaml")
    add_line(items, 0, "    lead: true")
    after = parse_yaml_items(text_of(items), "f.yaml", before)
    assert not any(a is b for a, b in zip(before.listed.items, after.listed.items, strict=True))
    assert after.line_of("figures[2].value") == before.line_of("figures[2].value") + 1
    assert dict(after.lines) == parse_yaml(text_of(items), "f.yaml").lines


def test_an_unchanged_file_is_taken_whole_as_parsed():
    text = text_of([item(number) for number in range(3)])
    before = parse_yaml_items(text, "f.yaml")
    after = parse_yaml_items(text, "f.yaml", before)
    assert all(a is b for a, b in zip(before.listed.items, after.listed.items, strict=True))


@pytest.mark.parametrize(
    "line",
    [
        "    # a comment",
        "    unit: {zh: 个}",
        "    unit: [a, b]",
        "    lead: &a true",
        "\tlead: true",
        "other: 1",
    ],
    ids=["comment", "flow-mapping", "flow-list", "anchor", "tab", "outside"],
)
def test_what_the_split_is_not_sure_of_is_parsed_whole(line):
    items = [item(number) for number in range(3)]
    items[1].insert(2, line)
    text = text_of(items)
    by_item = outcome(lambda: parse_yaml_items(text, "f.yaml"))
    assert by_item == outcome(lambda: parse_yaml(text, "f.yaml"))
    if by_item[0] == "parsed":
        assert parse_yaml_items(text, "f.yaml").listed is None  # parsed whole


def test_a_broken_item_is_reported_as_the_whole_parse_reports_it():
    items = [item(number) for number in range(3)]
    before = parse_yaml_items(text_of(items), "f.yaml")
    items[1].insert(2, "    value: 9")
    with pytest.raises(ContentError) as caught:
        parse_yaml_items(text_of(items), "f.yaml", before)
    assert caught.value.format() == (
        'f.yaml:10: figures[1].value: the field "value" is given twice (first on line 9) '
        "(keep one of them)"
    )


def test_an_anchor_given_twice_in_two_items_is_found():
    items = [item(number) for number in range(3)]
    items[0].insert(2, "    lead: &a true")
    before = parse_yaml_items(text_of(items), "f.yaml")
    items[2].insert(2, "    lead: &a true")
    with pytest.raises(ContentError) as caught:
        parse_yaml_items(text_of(items), "f.yaml", before)
    assert caught.value == outcome_error(text_of(items))


def outcome_error(text: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse_yaml(text, "f.yaml")
    return caught.value


def test_an_item_whose_text_is_found_again_inside_a_line_is_not_taken_as_kept():
    """The next item's first line joined to the line above it, and a line added above so
    that no line moves: the item's old text is found at the end, not at a line's start."""
    items = [item(number) for number in range(3)]
    before = parse_yaml_items(text_of(items), "f.yaml")
    items[1][-1] = '    source: "开展1次'
    items[2][0] = '"' + items[2][0]
    join_next(items, 1)
    add_line(items, 1, "    lead: true")
    text = text_of(items)
    assert outcome(lambda: parse_yaml_items(text, "f.yaml", before)) == outcome(
        lambda: parse_yaml(text, "f.yaml")
    )
