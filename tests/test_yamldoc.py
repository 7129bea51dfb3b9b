"""yamldoc.py: YAML that keeps the line of every value, and refuses what it should."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from zhoukou_report.errors import ContentError
from zhoukou_report.yamldoc import parse_yaml

# parse_yaml ------------------------------------------------------------------------------

FIGURES = """\
# a comment
figures:
  - id: a
    value: 8
    label:
      zh: 次
      en: sessions
  - id: b
    value: 92.1
"""


def test_every_field_keeps_its_line():
    doc = parse_yaml(FIGURES, "f.yaml")
    assert doc.data == {
        "figures": [
            {"id": "a", "value": 8, "label": {"zh": "次", "en": "sessions"}},
            {"id": "b", "value": 92.1},
        ]
    }
    assert doc.lines["figures"] == 2
    assert doc.lines["figures[0]"] == 3
    assert doc.lines["figures[0].value"] == 4
    assert doc.lines["figures[0].label.en"] == 7
    assert doc.lines["figures[1].value"] == 9


def test_a_missing_field_points_at_its_parent_and_a_missing_top_field_at_nothing():
    doc = parse_yaml(FIGURES, "f.yaml")
    assert doc.line_of("figures[1].label.en") == 8  # the figure's "- id: b" line
    assert doc.line_of("speaker") is None
    assert doc.error("speaker", "missing").format() == "f.yaml: speaker: missing"
    assert doc.has("figures[0].value") and not doc.has("figures[1].label")


def test_yaml_keys_are_kept_as_written():
    doc = parse_yaml("no: {zh: 否, en: No}\n1: x\n", "s.yaml")
    assert doc.data == {"no": {"zh": "否", "en": False}, "1": "x"}


def test_dates_stay_dates():
    assert parse_yaml("date: 2024-02-04\n", "s.yaml").data == {"date": dt.date(2024, 2, 4)}


def test_an_empty_document_is_none_with_a_line():
    doc = parse_yaml("# only a comment\n", "s.yaml")
    assert doc.data is None
    assert doc.line_of("") == 1


def yaml_error(text: str, first_line: int = 1) -> str:
    with pytest.raises(ContentError) as caught:
        parse_yaml(text, "f.yaml", first_line=first_line)
    assert caught.value.path == "f.yaml"
    return caught.value.format()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: 1\nb: 2\na: 3\n",
            'f.yaml:3: a: the field "a" is given twice (first on line 1) (keep one of them)',
        ),
        (
            "x:\n  - {zh: a, en: b}\n  - zh: c\n    en: d\n    zh: e\n",
            'f.yaml:5: x[1].zh: the field "zh" is given twice (first on line 3) (keep one of them)',
        ),
        (
            "a: 1\nb: !!python/object/apply:os.system [echo hi]\n",
            'f.yaml:2: b: the YAML tag "!!python/object/apply:os.system" is not allowed '
            "(write plain text, numbers, lists and name: value pairs)",
        ),
        (
            "a: !!python/name:os.system\n",
            'f.yaml:1: a: the YAML tag "!!python/name:os.system" is not allowed '
            "(write plain text, numbers, lists and name: value pairs)",
        ),
        (
            "a: !!set {x, y}\n",
            'f.yaml:1: a: the YAML tag "!!set" is not allowed '
            "(write plain text, numbers, lists and name: value pairs)",
        ),
        (
            "a: !custom x\n",
            'f.yaml:1: a: the YAML tag "!custom" is not allowed '
            "(write plain text, numbers, lists and name: value pairs)",
        ),
        (
            "? !!python/object:os.system x\n: 1\n",
            'f.yaml:1: the YAML tag "!!python/object:os.system" is not allowed '
            "(write plain text, numbers, lists and name: value pairs)",
        ),
        (
            "a: &x [1, 2]\nb: *x\n",
            "f.yaml:2: b: repeating a value with & and * (YAML anchors and aliases) "
            "is not supported (write the value out in full)",
        ),
        (
            "a: &x {p: 1}\nb:\n  <<: *x\n",
            'f.yaml:3: b: the merge key "<<" is not supported',
        ),
        (
            "a: 1\nb:\n\tc: 2\n",
            "f.yaml:3: a tab character where YAML expects spaces (indent with spaces, not tabs)",
        ),
        (
            'a: 1\nb: "open\nc: 3\n',
            "f.yaml:2: a quoted text is not closed (end it with the same quote mark it starts with)",
        ),
        (
            "a: 1\nb 2\nc: 3\n",
            'f.yaml:2: expected "name: value" on this line '
            "(a colon and a space after the name, or a line that continues the text above)",
        ),
        (
            "a: 1\nb: Note: this\n",
            'f.yaml:2: a ": " inside a value (put the whole text in quotes: "…")',
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            "f.yaml:3: the indentation does not line up with the lines above "
            "(fields of the same level start with the same number of spaces)",
        ),
        (
            "a: 1\n---\nb: 2\n",
            'f.yaml:2: a second document starts here (a "---" line) '
            '(remove the "---" line; a file holds one document)',
        ),
        (
            "a: [1, 2\nb: 3\n",
            "f.yaml:2: invalid YAML: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence that starts on line 1)",
        ),
        (
            "a: @home\n",
            "f.yaml:1: invalid YAML: found character '@' that cannot start any token "
            '(a value starting with @, ` or * must be put in quotes: "…")',
        ),
        (
            "a: 1\nb: x\x07y\n",
            "f.yaml:2: the file holds a control character (U+0007) that is not allowed "
            "(delete it, or retype the text around it)",
        ),
        (
            "date: 2024-13-45\n",
            'f.yaml:1: date: "2024-13-45" is not a date '
            '(put it in quotes if it is meant as text: "…")',
        ),
        (
            "n: !!int twelve\n",
            'f.yaml:1: n: "twelve" is not a number written in decimal digits (write it in digits, e.g. 31 or 12.5; put it in quotes if it is meant as text: "…")',
        ),
        (
            "a: " + "[" * 3000 + "]" * 3000 + "\n",
            "f.yaml: the values are nested too deeply to read",
        ),
    ],
    ids=[
        "duplicate-key",
        "duplicate-nested-key",
        "python-object-apply",
        "python-name",
        "set-tag",
        "local-tag",
        "tagged-key",
        "alias",
        "merge-key",
        "tab",
        "unclosed-quote",
        "missing-colon",
        "colon-in-value",
        "bad-indent",
        "second-document",
        "unclosed-bracket",
        "reserved-character",
        "control-character",
        "impossible-date",
        "bad-explicit-int",
        "deep-nesting",
    ],
)
def test_yaml_problems_are_content_errors_at_their_line(text: str, expected: str):
    assert yaml_error(text) == expected


def test_a_self_referencing_alias_is_refused_not_followed():
    assert yaml_error("a: &x [1, *x]\n") == (
        "f.yaml:1: a[1]: repeating a value with & and * (YAML anchors and aliases) "
        "is not supported (write the value out in full)"
    )


def test_an_alias_bomb_is_refused_at_once():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for name, previous in zip("bcdefghij", "abcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    assert yaml_error("\n".join(lines) + "\n").startswith("f.yaml:2: b[0]: repeating a value")


def test_lines_are_counted_as_an_editor_counts_them():
    """YAML takes U+2028 and U+0085 for line breaks; editors and this tool do not."""
    doc = parse_yaml('a: "x\u2028y\u0085z"\nb: 1\n', "f.yaml")
    assert doc.lines["b"] == 2
    assert yaml_error('a: "x\u2028y"\nb: !!python/name:os.system\n').startswith("f.yaml:2: b:")
    assert yaml_error('a: "x\u2028y"\nb:\n\tc: 1\n').startswith("f.yaml:3: a tab")
    # Unquoted, YAML itself breaks the value there: the mistake is on the editor's line 1.
    assert yaml_error("a: x\u2028y\nb: 1\n").startswith("f.yaml:1: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: 1\na: 2\nb: [\n",  # a repeated key, then a syntax error below it
            "f.yaml:4: invalid YAML: expected the node content, but found '<stream end>' "
            "(while parsing a flow node that starts on line 4)",
        ),
        (
            "a: !!set {x}\nb: *u\n",
            "f.yaml:2: invalid YAML: found undefined alias 'u' "
            '(a value starting with @, ` or * must be put in quotes: "…")',
        ),
        (
            "a: &x 1\nb: &x 2\n",
            "f.yaml:2: invalid YAML: second occurrence "
            "(found duplicate anchor 'x'; first occurrence that starts on line 1)",
        ),
        (
            "a: 1\nb: !!int x\n---\nc: [\n",
            'f.yaml:3: a second document starts here (a "---" line) '
            '(remove the "---" line; a file holds one document)',
        ),
        (
            "a: &x 1\n? *x\n: 2\n",
            "f.yaml:2: repeating a value with & and * (YAML anchors and aliases) is not "
            "supported (write the value out in full)",
        ),
        ("? [a]\n: 1\n", "f.yaml:1: a field name must be a plain word"),
    ],
    ids=[
        "syntax-error-comes-first",
        "undefined-alias",
        "duplicate-anchor",
        "second-document-first",
        "alias-as-key",
        "list-as-key",
    ],
)
def test_what_pyyaml_would_refuse_composing_is_refused_first(text: str, expected: str):
    """The reader reads PyYAML's events, not its node tree: what the composer refuses is
    refused as the composer would, before any mistake of content earlier in the file."""
    assert yaml_error(text) == expected


def test_an_anchor_never_repeated_is_no_mistake():
    assert parse_yaml("&a a: &b 1\nc: [&d x]\n", "f.yaml").data == {"a": 1, "c": ["x"]}


_KEYS = st.sampled_from(["id", "value", "label", "zh", "en", "source", "名称"])
_SCALARS = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
    st.dates(),
    st.text(alphabet="ab 周口:#-\"'\n", max_size=8),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=4), st.booleans())
def test_the_reader_reads_what_pyyaml_reads(data, flow):
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False)
    assert parse_yaml(text, "f.yaml").data == yaml.safe_load(text)


def test_values_nested_a_hundred_deep_are_read_and_deeper_are_refused_at_once():
    deep = parse_yaml("a: " + "[" * 100 + "]" * 100 + "\n", "f.yaml").data["a"]
    depth = 0
    while isinstance(deep, list) and deep:
        deep, depth = deep[0], depth + 1
    assert depth == 99  # the hundredth list is empty
    assert yaml_error("a: " + "[" * 101 + "]" * 101 + "\n") == (
        "f.yaml: the values are nested too deeply to read"
    )


def test_a_flow_mapping_with_empty_values_gets_no_quote_hint():
    """An empty value is not a quoted one (found by test_properties: it raised IndexError)."""
    from zhoukou_report.yamldoc import _flow_mistake

    assert _flow_mistake("{zh: , en: }") is None
