"""numbers.py: how a figure is written in each language."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import edit, run_cli
from zhoukou_report.model import Figure
from zhoukou_report.numbers import (
    QUALIFIERS,
    SYMBOL_UNITS,
    chinese,
    counted,
    format_number,
    grouped,
    ordinal_word,
    plain,
)

FORMATS = [
    # value, qualifier, unit, Chinese as the source writes it, English
    (8, None, "次", "8", "8"),
    (1975, None, "名", "1975", "1,975"),
    (9999, None, "名", "9999", "9,999"),
    (10000, None, "个", "1万", "10,000"),
    (12345, None, "个", "12345", "12,345"),
    (12300, None, "个", "1.23万", "12,300"),
    (18000, None, "名", "1.8万", "18,000"),
    (18000.0, None, "名", "1.8万", "18,000"),
    (195000, None, "人次", "19.5万", "195,000"),
    (99_999_999, None, "元", "99999999", "99,999,999"),
    (100_000_000, None, "元", "1亿", "100,000,000"),
    (250_000_000, None, "元", "2.5亿", "250,000,000"),
    (110, "more-than", "家", "110多", "more than 110"),
    (18000, "more-than", "人", "1.8万多", "more than 18,000"),
    (92.1, None, "%", "92.1%", "92.1%"),
    (15000.0, None, "%", "15000%", "15,000%"),
    (1.5, None, "‰", "1.5‰", "1.5‰"),
    (0.5, None, "", "0.5", "0.5"),
    (-18000, None, "元", "-1.8万", "-18,000"),
]


@pytest.mark.parametrize(
    ("value", "qualifier", "unit", "zh", "en"),
    FORMATS,
    ids=[f"{c[0]}-{c[1] or 'exact'}-{c[2] or 'none'}" for c in FORMATS],
)
def test_a_figure_is_written_as_each_language_writes_it(value, qualifier, unit, zh, en):
    assert format_number(value, "zh", qualifier, unit) == zh
    assert format_number(value, "en", qualifier, unit) == en


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh", "1.8万"), ("zh-Hant", "1.8万"), ("en", "18,000"), ("fr", "18,000")],
    ids=["zh", "zh-variant", "en", "other"],
)
def test_every_chinese_language_code_writes_wan_and_every_other_groups(lang, expected):
    assert format_number(18000, lang) == expected


def test_the_unit_and_qualifier_are_optional():
    assert format_number(18000, "zh") == "1.8万"
    assert format_number(18000, "en") == "18,000"


def test_every_qualifier_figures_yaml_accepts_is_written():
    """figures.py accepts the qualifiers of QUALIFIERS: each must change the text."""
    written = {
        "more-than": ("110多", "more than 110"),  # 110多家, 300余人
        "nearly": ("近110", "nearly 110"),  # 近2万名
        "over": ("超过110", "over 110"),  # 超过90%
    }
    assert set(QUALIFIERS) == set(written)
    for qualifier in QUALIFIERS:
        assert format_number(110, "zh", qualifier) == written[qualifier][0]
        assert format_number(110, "en", qualifier) == written[qualifier][1]
    assert format_number(92.5, "zh", "over", "%") == "超过92.5%"


def test_symbol_units_are_percent_and_per_mille():
    assert frozenset({"%", "‰"}) == SYMBOL_UNITS
    for unit in SYMBOL_UNITS:
        # Part of the number, in digits in both languages: never 1.5万%.
        assert format_number(15000, "zh", unit=unit) == f"15000{unit}"
        assert format_number(15000, "en", unit=unit) == f"15,000{unit}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (8, "8"),
        (-3, "-3"),
        (92.1, "92.1"),
        (18000.0, "18000"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-7, "0.0000001"),
        (1.5e15, "1500000000000000"),
    ],
    ids=["int", "negative", "decimal", "whole-float", "negative-zero", "float-noise",
         "tiny", "huge"],
)  # fmt: skip
def test_plain_never_shows_a_trailing_zero_or_an_exponent(value, expected):
    assert plain(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1,000"),
        (1975, "1,975"),
        (1234567.25, "1,234,567.25"),
        (-1234, "-1,234"),
        (-0.5, "-0.5"),
        (92.1, "92.1"),
    ],
    ids=["zero", "three-digits", "thousand", "year", "decimals", "negative",
         "negative-fraction", "fraction"],
)  # fmt: skip
def test_grouped_separates_thousands_and_keeps_the_sign_and_the_decimals(value, expected):
    assert grouped(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (9999, "9999"),
        (10000, "1万"),
        (10001, "10001"),  # 1.0001万 would need four decimals: digits
        (12300, "1.23万"),
        (12345, "12345"),  # 1.2345万 would hide digits the source gave
        (195000, "19.5万"),
        (99_990_000, "9999万"),
        (100_000_000, "1亿"),
        (123_000_000, "1.23亿"),
        (123_400_000, "12340万"),  # not exact in 亿 to two decimals: 万
        (-195000, "-19.5万"),
        (18000.0, "1.8万"),
        (1975.5, "1975.5"),
    ],
    ids=["zero", "below-wan", "wan", "wan-inexact", "wan-two-decimals", "wan-rounds",
         "wan-one-decimal", "most-wan", "yi", "yi-two-decimals", "yi-rounds", "negative",
         "whole-float", "decimal"],
)  # fmt: skip
def test_chinese_uses_wan_and_yi_only_when_exact_to_two_decimals(value, expected):
    assert chinese(value) == expected


@pytest.mark.parametrize(
    ("number", "zh"),
    [
        (1, "一"),
        (4, "四"),
        (9, "九"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
    ],
    ids=["1", "4", "9", "10", "12", "20", "21", "99"],
)
def test_a_chinese_heading_writes_its_number_in_chinese(number: int, zh: str):
    assert ordinal_word(number, "zh") == zh
    assert ordinal_word(number, "zh-TW") == zh
    assert ordinal_word(number, "en") == str(number)


@pytest.mark.parametrize("number", [0, -1, 100, 123], ids=["0", "negative", "100", "123"])
def test_a_number_chinese_words_are_not_made_for_is_written_in_digits(number: int):
    assert ordinal_word(number, "zh") == str(number)


PROSE = [
    # value, qualifier, unit, language, as English running text writes it
    (1, None, "", "en", "one"),
    (7, None, "", "en", "seven"),
    (9, None, "", "en", "nine"),
    (9.0, None, "", "en", "nine"),
    (5, "more-than", "", "en", "more than five"),
    (6, None, "people", "en-GB", "six"),
    (10, None, "", "en", "10"),
    (0, None, "", "en", "0"),
    (-3, None, "", "en", "-3"),
    (2.5, None, "", "en", "2.5"),
    (8, None, "%", "en", "8%"),
    (8, None, "次", "zh", "8"),
    (8, None, "", "zh-Hant", "8"),
    (8, None, "", "fr", "8"),
]


@pytest.mark.parametrize(
    ("value", "qualifier", "unit", "lang", "expected"),
    PROSE,
    ids=[f"{c[0]}-{c[1] or 'exact'}-{c[2] or 'none'}-{c[3]}" for c in PROSE],
)
def test_english_running_text_spells_out_one_to_nine(value, qualifier, unit, lang, expected):
    """House style: words for the whole numbers one to nine in English prose; digits for
    the rest, for percentages and in every other language."""
    assert format_number(value, lang, qualifier, unit, prose=True) == expected


def test_each_of_one_to_nine_has_its_word():
    words = [format_number(n, "en", prose=True) for n in range(1, 10)]
    assert words == ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@pytest.mark.parametrize("value", [1, 4, 9], ids=["1", "4", "9"])
def test_tiles_and_tables_keep_digits_for_small_numbers(value: int):
    assert format_number(value, "en") == str(value)
    assert format_number(value, "en", prose=False) == str(value)


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("Local regulation(s) adopted", 1, "Local regulation adopted"),
        ("Local regulation(s) adopted", 1.0, "Local regulation adopted"),
        ("Local regulation(s) adopted", 3, "Local regulations adopted"),
        ("Local regulation(s) adopted", 0, "Local regulations adopted"),
        ("Local regulation(s) adopted", 1.5, "Local regulations adopted"),
        ("Box(es) and file(s)", 1, "Box and file"),
        ("Box(es) and file(s)", 2, "Boxes and files"),
        ("Deputies (at all levels)", 1, "Deputies (at all levels)"),
        ("会议", 1, "会议"),
    ],
    ids=["one", "one-float", "three", "zero", "fraction", "es-one", "es-two",
         "other-brackets", "chinese"],
)  # fmt: skip
def test_a_marked_plural_ending_is_dropped_for_exactly_one(text: str, value, expected: str):
    assert counted(text, value) == expected


def test_a_figure_takes_the_forms_for_its_value():
    def make(value: int) -> Figure:
        unit = {"zh": "部", "en": "regulation(s)"}
        label = {"zh": "出台地方性法规", "en": "Local regulation(s) adopted"}
        return Figure.make("laws", "overview", value, unit, label, "出台地方性法规1部")

    one, three = make(1), make(3)
    assert one.label["en"] == "Local regulation adopted" and one.unit["en"] == "regulation"
    assert three.label["en"] == "Local regulations adopted" and three.unit["en"] == "regulations"
    assert (one.text("en"), one.prose_text("en"), one.text("zh"), one.prose_text("zh")) == (
        "1", "one", "1", "1"
    )  # fmt: skip


def _page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_built_site_spells_small_numbers_in_english_prose_only(built: Path):
    """The full fixture's six sessions: a word in English prose; digits in its tile, on the
    figures page, in Chinese and in the data."""
    english = _page(built / "en" / "index.html")
    prose = {d["value"]: d.get_text() for d in english.select(".prose .fig data")}
    assert prose["6"] == "six" and prose["3"] == "three"
    tiles = {d["value"]: d.get_text() for d in english.select(".tiles data")}
    assert tiles["6"] == "6" and tiles["3"] == "3"
    figures = _page(built / "en" / "figures.html")
    assert figures.select_one("#fig-sessions td data").get_text() == "6"
    chinese_prose = _page(built / "index.html").select(".prose .fig data")
    assert {d["value"]: d.get_text() for d in chinese_prose}["6"] == "6"
    # Larger numbers and percentages keep their digits in English prose too.
    highlight = _page(built / "en" / "highlight-2.html")
    assert [d.get_text() for d in highlight.select(".prose .fig")] == [
        "more than 110", "1,500", "92.5%"
    ]  # fmt: skip


def test_a_figure_of_one_reads_in_the_singular_on_every_page(project: Path, tmp_path: Path):
    """An editor corrects a figure to 1: the label, which marks its plural ending, takes its
    singular on the tiles and the figures page; the prose says "one"."""
    figures = project / "content" / "figures.yaml"
    edit(figures, "en: Local regulations passed", "en: Local regulation(s) passed")
    edit(figures, "value: 3\n", "value: 1\n")
    edit(figures, "source: 出台地方性法规3部", "source: 出台地方性法规1部")
    edit(project / "content" / "source" / "report.zh.txt", "3 部", "1 部")
    out = tmp_path / "out"
    result = run_cli("build", "--project", str(project), "--out", str(out), "--strict")
    assert result.returncode == 0, result.stderr
    english = _page(out / "en" / "index.html")
    tile = english.select_one("#tile-laws-passed")
    assert tile.select_one(".tile-label").get_text() == "Local regulation passed"
    assert tile.select_one("data").get_text() == "1"
    assert "one" in [d.get_text() for d in english.select(".prose .fig data")]
    row = _page(out / "en" / "figures.html").select_one("#fig-laws-passed th")
    assert row.get_text() == "Local regulation passed"
