"""Cleaning the OCR'd newspaper text."""

from __future__ import annotations

from zhoukou_report.source import clean_source


def test_garbage_page_marker_and_spaces_are_removed():
    raw = "\ufffd\ufffd2 月 4 日上午， 在周口\n市开会。\n\n亮点一\n关键词：坚持\n党的领导\n把思想和\n\n精神作为第一议题。 ②22\n"
    blocks = clean_source(raw, "x").blocks
    assert blocks == (
        ("paragraph", "2月4日上午，在周口市开会。"),
        ("heading", "亮点一"),
        ("keyword", "关键词：坚持"),
        ("paragraph", "党的领导把思想和精神作为第一议题。"),
    )
