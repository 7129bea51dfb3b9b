"""fields.py: the typed fields the readers of every content file share."""

from __future__ import annotations

import pytest

from zhoukou_report.fields import Problems, text_field, translated
from zhoukou_report.yamldoc import parse_yaml


def read_text_field(source: str, key: str = "keyword") -> tuple[str | None, list[str]]:
    """A front matter field read as text: its value and the errors."""
    doc = parse_yaml(source, "p.md", first_line=2)
    doc.top_line = 1
    problems = Problems()
    value = text_field(doc, key, doc.data.get(key) if doc.data else None, problems)
    return value, [error.format() for error in problems.errors]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("keyword: 依法监督\n", ("依法监督", [])),
        ("keyword: 2024\n", ("2024", [])),
        ("keyword: 2024-02-04\n", ("2024-02-04", [])),
        ('keyword: ": "\n', (": ", [])),
        ("other: x\n", (None, ['p.md:1: keyword: "keyword" is missing: it should be text'])),
        ("keyword:\n", (None, ['p.md:2: keyword: "keyword" is empty: it should be text'])),
        ('keyword: "  "\n', (None, ['p.md:2: keyword: "keyword" is empty: it should be text'])),
        (
            "keyword: No\n",
            (None, ['p.md:2: keyword: expected text, got false (put it in quotes if it is '
                    'meant as text: "…")']),
        ),
        ("keyword: [a, b]\n", (None, ["p.md:2: keyword: expected text, got a list"])),
        ("keyword: {a: b}\n", (None, ["p.md:2: keyword: expected text, got name: value pairs"])),
    ],
    ids=["text", "number", "date", "quoted-space", "missing", "empty", "blank", "bool", "list",
         "mapping"],
)  # fmt: skip
def test_text_fields(source: str, expected: tuple[str | None, list[str]]):
    """Line 1 is front matter's ---: a missing field points there."""
    assert read_text_field(source) == expected


def test_a_translated_text_names_the_language_that_is_missing_or_unknown():
    doc = parse_yaml("label:\n  zh: 次\n  fr: fois\n", "f.yaml")
    problems = Problems()
    assert translated(doc, "label", doc.data["label"], ("zh", "en"), problems) is None
    assert [error.format() for error in problems.errors] == [
        'f.yaml:1: label.en: "en" is missing: it should be the en text',
        'f.yaml:3: label.fr: "fr" is not one of the site\'s languages (zh, en)',
    ]
