"""Chart layout and the change report, as pure functions."""

from __future__ import annotations

from zhoukou_report.changes import figure_changes
from zhoukou_report.charts import WIDTH, layout_chart, text_width, wrap
from zhoukou_report.model import Chart, Figure


def figure(figure_id: str, value, unit="个", en_unit="", label="Label") -> Figure:
    return Figure.make(figure_id, "highlight-1", value, {"zh": unit, "en": en_unit},
                       {"zh": "标签", "en": label}, "x")  # fmt: skip


def test_wrap_breaks_english_between_words_and_chinese_between_characters():
    english = wrap(
        "Provincial-level specialized, sophisticated, distinctive and innovative SMEs", 200, 13
    )
    assert len(english) > 1
    assert (
        " ".join(english)
        == "Provincial-level specialized, sophisticated, distinctive and innovative SMEs"
    )
    assert all(text_width(line, 13) <= 200 for line in english)
    chinese = wrap("省级全过程人民民主基层示范点省级全过程人民民主基层示范点", 130, 13)
    assert "".join(chinese) == "省级全过程人民民主基层示范点省级全过程人民民主基层示范点"
    assert all(len(line) <= 10 for line in chinese)


def test_bars_scale_to_the_largest_value_and_keep_room_for_labels():
    chart = Chart("c", "highlight-1", "bars", {"zh": "图", "en": "Chart"}, ("a", "b"))
    figures = {
        "a": figure("a", 25),
        "b": figure("b", 100, label=("A much longer label " * 4).strip()),
    }
    layout = layout_chart(chart, figures, "en", ": ")
    small, large = layout.rows
    assert large.bar_width == 4 * small.bar_width
    assert large.value_x + text_width(large.value, 15) <= WIDTH + 1
    assert len(large.label.lines) > 1
    assert large.label.lines[0][0] > small.bar_y  # rows do not overlap
    assert (
        layout.description
        == "Label: 25; A much longer label A much longer label A much longer label A much longer label: 100."
    )
    assert layout_chart(chart, figures, "zh", "：").description == "标签：25个；标签：100个。"


def test_a_share_fills_its_track_in_proportion_and_notes_its_counts():
    chart = Chart("c", "highlight-1", "share", {"zh": "图", "en": "Chart"}, ("rate", "count"))
    figures = {
        "rate": figure("rate", 92.1, "%", "%", "Rate"),
        "count": figure("count", 478, label="Done"),
    }
    layout = layout_chart(chart, figures, "en", ": ")
    (row,) = layout.rows
    assert (
        row.bar_width / row.track_width == 0.921
        or abs(row.bar_width / row.track_width - 0.921) < 0.002
    )
    assert row.value == "92.1%"
    assert [line for _, line in layout.notes[0].lines] == ["Done: 478"]


def record(figure_id: str, value, text=None) -> dict:
    return {"id": figure_id, "value": value, "qualifier": None, "text": {"en": text or str(value)},
            "unit": {"en": ""}, "label": {"en": "L"}, "section": "s", "source": "x"}  # fmt: skip


def test_figure_changes_lists_only_what_changed():
    previous = {"a": record("a", 1), "b": record("b", 2), "c": record("c", 3)}
    current = [record("a", 1), record("b", 20), record("d", 4)]
    # The current records are any iterable, read once: here a generator.
    assert figure_changes(previous, (r for r in current)) == [
        "Figures: 3 changes since the previous build:",
        "  changed  b: 2 → 20",
        "  added    d: 4",
        "  removed  c: 3",
    ]
    assert figure_changes(previous, previous.values()) == [
        "Figures: no changes since the previous build."
    ]
    assert figure_changes(None, iter(current)) == ["Figures: no previous build to compare with."]


def test_figure_changes_names_a_changed_label():
    old = record("a", 1)
    new = {**record("a", 1), "label": {"en": "New"}}
    assert figure_changes({"a": old}, iter([new])) == [
        "Figures: 1 change since the previous build:",
        '  changed  a: label.en "L" → "New"',
    ]
