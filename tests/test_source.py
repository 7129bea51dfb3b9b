"""Cleaning the OCR'd newspaper text."""

from __future__ import annotations

from helpers import ROOT
from zhoukou_report.source import clean_source

RAW = ROOT / "content" / "source" / "report.zh.txt"


def test_garbage_page_marker_and_spaces_are_removed():
    raw = "\ufffd\ufffd2 月 4 日上午， 在周口\n市开会。\n\n亮点一\n关键词：坚持\n党的领导\n把思想和\n\n精神作为第一议题。 ②22\n"
    blocks = clean_source(raw, "x").blocks
    assert blocks == (
        ("paragraph", "2月4日上午，在周口市开会。"),
        ("heading", "亮点一"),
        ("keyword", "关键词：坚持"),
        ("paragraph", "党的领导把思想和精神作为第一议题。"),
    )


def test_the_real_source_cleans_into_the_report_structure():
    source = clean_source(RAW.read_text(encoding="utf-8"), "content/source/report.zh.txt")
    kinds = [kind for kind, _ in source.blocks]
    headings = [text for kind, text in source.blocks if kind == "heading"]
    assert headings == [
        "亮点一", "亮点二", "亮点三", "亮点四", "亮点五", "亮点六",
        "目标一：提高政治站位", "目标二：提高履职效能", "目标三：丰富民主形式", "目标四：提高能力素质",
    ]  # fmt: skip
    assert kinds.count("keyword") == 6
    text = source.plain
    assert "\ufffd" not in text and "②" not in text
    assert " " not in text and "\u3000" not in text
    assert text.startswith("2月4日上午，在周口市五届人大二次会议第二次全体会议上")
    assert text.endswith("共同推动新时代我市地方人大工作迈上新台阶。")
    # A paragraph the OCR split with a blank line is whole again.
    assert "把习近平新时代中国特色社会主义思想和习近平总书记重要讲话" in text
    # Numbers lose their OCR spaces.
    assert "定于2024年3月1日施行" in text and "整改率92.1%" in text
    assert all(text.endswith("。") for kind, text in source.blocks if kind == "paragraph")
