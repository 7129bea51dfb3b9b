"""YAML is read from libyaml's events when it can be; the result must be the careful reader's."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ROOT
from zhoukou_report import yamldoc, yamlparse


def careful(text: str) -> tuple[object, dict[str, int]]:
    doc = yamldoc.YamlDoc("x.yaml", None)
    node = yamlparse._compose(text)
    if node is None:
        return None, {"": 1}
    doc.data = yamlparse._Converter(doc, yamlparse._Lines(text, 1)).convert(node, "")
    return doc.data, doc.lines


@pytest.mark.parametrize("name", ["site.yaml", "strings.yaml", "figures.yaml", "charts.yaml"])
def test_the_real_files_take_the_fast_path_and_read_the_same(name: str):
    text = (ROOT / "content" / name).read_text(encoding="utf-8")
    fast = yamlparse._read_events(text, "x.yaml", 1)
    assert fast is not None
    assert (fast.data, fast.lines) == careful(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # an alias
        "a: 1\na: 2\n",  # a repeated key
        "a: !!python/object:os.system x\n",  # an object tag
        "<<: {a: 1}\n",  # a merge key
        "a: 1\n---\nb: 2\n",  # two documents
        "a: [1, 2\n",  # a syntax error
        "date: 2024-02-30\n",  # a bad date
    ],
    ids=["alias", "repeated-key", "tag", "merge", "two-documents", "syntax", "bad-date"],
)
def test_anything_unusual_goes_to_the_careful_reader(text: str):
    assert yamlparse._read_events(text, "x.yaml", 1) is None


PIECES = st.sampled_from(
    ["a: 1\n", "b: text\n", "- x\n", "  - y\n", "c:\n", "  d: 2.5\n", "e: 2024-02-04\n",
     "f: 'quoted'\n", 'g: "中文"\n', "h: yes\n", "i: null\n", "# note\n", "j: [1, 2]\n",
     "k: {l: m}\n", "no: 3\n", "'5': x\n", "  \n", "x: |\n  block\n", "&a a: 1\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=8).map("".join))
def test_the_fast_path_never_reads_differently(text: str):
    fast = yamlparse._read_events(text, "x.yaml", 1)
    if fast is None:
        return
    assert (fast.data, fast.lines) == careful(text)


def test_a_large_file_is_read_without_a_node_tree(tmp_path: Path):
    text = "figures:\n" + "".join(
        f"  - id: f{i}\n    value: {i}\n    label:\n      zh: 数据{i}\n      en: Figure {i}\n"
        for i in range(2000)
    )
    doc = yamldoc.parse_yaml(text, "x.yaml")
    assert doc.data["figures"][1999] == {
        "id": "f1999",
        "value": 1999,
        "label": {"zh": "数据1999", "en": "Figure 1999"},
    }
    assert doc.line_of("figures[1999].label.en") == 1 + 1999 * 5 + 5
