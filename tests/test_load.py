"""load.py: reading text, YAML that keeps its lines, Markdown with front matter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zhoukou_report.errors import ContentError
from zhoukou_report.files import parse_markdown, read_text
from zhoukou_report.yamldoc import parse_yaml

# read_text -------------------------------------------------------------------------------


def test_a_bom_and_crlf_line_endings_are_accepted(tmp_path: Path):
    file = tmp_path / "a.yaml"
    file.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: \xe5\x91\xa8\xe5\x8f\xa3\r\nc: 3\rd: 4\r\n")
    assert read_text(file, "a.yaml") == "a: 1\nb: 周口\nc: 3\nd: 4\n"


def test_text_that_is_not_utf8_is_an_error_at_its_line(tmp_path: Path):
    file = tmp_path / "a.md"
    file.write_bytes("第一行\r\n第二行\r\n".encode() + "周口".encode("gbk") + b"\r\n")
    with pytest.raises(ContentError) as caught:
        read_text(file, "content/zh/a.md")
    assert caught.value.format() == (
        "content/zh/a.md:3: the file is not UTF-8 text (save it as UTF-8 in your editor)"
    )


def test_a_nul_byte_is_an_error_at_its_line(tmp_path: Path):
    file = tmp_path / "a.md"
    file.write_bytes(b"one\ntwo\x00\n")
    with pytest.raises(ContentError) as caught:
        read_text(file, "a.md")
    assert caught.value.format() == "a.md:2: the file holds a NUL byte: is it a text file?"


def test_a_file_that_cannot_be_read_is_an_error(tmp_path: Path):
    with pytest.raises(ContentError) as caught:
        read_text(tmp_path, "content/site.yaml")  # a folder, not a file
    assert caught.value.format().startswith("content/site.yaml: cannot read the file: ")


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


def test_front_matter_lines_count_from_the_line_after_the_dashes():
    doc = parse_markdown("---\ntitle: A\nkeyword: B\n---\n\nBody [[x]]\n", "p.md")
    assert doc.meta.data == {"title": "A", "keyword": "B"}
    assert doc.meta.lines["keyword"] == 3
    assert doc.body == "\nBody [[x]]\n"
    assert doc.body_line == 5
    assert doc.meta.line_of("missing") == 1


def test_a_page_without_front_matter_is_all_body():
    doc = parse_markdown("Just text\n---\nmore\n", "p.md")
    assert doc.meta.data == {}
    assert doc.body == "Just text\n---\nmore\n"
    assert doc.body_line == 1


def test_front_matter_that_is_not_closed_is_an_error():
    with pytest.raises(ContentError) as caught:
        parse_markdown("---\ntitle: A\n\nBody\n", "p.md")
    assert caught.value.format() == (
        'p.md:1: the front matter is not closed (end it with a line holding only "---")'
    )


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
            'f.yaml:1: n: "twelve" is not a whole number (put it in quotes if it is meant as text: "…")',
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


def test_errors_in_front_matter_count_lines_of_the_whole_file():
    with pytest.raises(ContentError) as caught:
        parse_markdown("---\ntitle: A\ntitle: B\n---\nBody\n", "p.md")
    assert caught.value.format() == (
        'p.md:3: title: the field "title" is given twice (first on line 2) (keep one of them)'
    )
    with pytest.raises(ContentError) as caught:
        parse_markdown("---\ntitle: A\nkeyword: x: y\n---\nBody\n", "p.md")
    assert caught.value.line == 3


def test_lines_are_counted_as_an_editor_counts_them():
    """YAML takes U+2028 and U+0085 for line breaks; editors and this tool do not."""
    doc = parse_yaml('a: "x\u2028y\u0085z"\nb: 1\n', "f.yaml")
    assert doc.lines["b"] == 2
    assert yaml_error('a: "x\u2028y"\nb: !!python/name:os.system\n').startswith("f.yaml:2: b:")
    assert yaml_error('a: "x\u2028y"\nb:\n\tc: 1\n').startswith("f.yaml:3: a tab")
    # Unquoted, YAML itself breaks the value there: the mistake is on the editor's line 1.
    assert yaml_error("a: x\u2028y\nb: 1\n").startswith("f.yaml:1: ")
