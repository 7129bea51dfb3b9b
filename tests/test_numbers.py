"""How figures are written in each language."""

from __future__ import annotations

import pytest

from zhoukou_report.numbers import chinese, format_number, grouped, ordinal_word, plain

CASES = [
    # value, qualifier, unit, Chinese as the source writes it, English
    (8, None, "次", "8", "8"),
    (1975, None, "名", "1975", "1,975"),
    (18000, None, "名", "1.8万", "18,000"),
    (195000, None, "人次", "19.5万", "195,000"),
    (10000, None, "个", "1万", "10,000"),
    (12345, None, "个", "12345", "12,345"),
    (250000000, None, "元", "2.5亿", "250,000,000"),
    (110, "more-than", "家", "110多", "more than 110"),
    (92.1, None, "%", "92.1%", "92.1%"),
    (15000.0, None, "%", "15000%", "15,000%"),
    (18000.0, None, "名", "1.8万", "18,000"),
    (0.5, None, "", "0.5", "0.5"),
]


@pytest.mark.parametrize(
    ("value", "qualifier", "unit", "zh", "en"),
    CASES,
    ids=[f"{c[0]}-{c[2] or 'none'}" for c in CASES],
)
def test_format_number(value, qualifier, unit, zh, en):
    assert format_number(value, "zh", qualifier, unit) == zh
    assert format_number(value, "en", qualifier, unit) == en


@pytest.mark.parametrize(
    ("value", "expected"),
    [(8, "8"), (92.1, "92.1"), (18000.0, "18000"), (0.1 + 0.2, "0.30000000000000004"), (-3, "-3")],
)
def test_plain_never_shows_a_trailing_zero_or_exponent(value, expected):
    assert plain(value) == expected


def test_grouped_and_chinese_agree_on_small_numbers():
    for value in (0, 1, 9, 99, 999, 9999):
        assert chinese(value) == str(value)
        assert grouped(value) == (f"{value:,}")


def test_chinese_keeps_digits_when_wan_would_round():
    # 1.2345万 would hide digits the source gave: keep the plain number.
    assert chinese(12345) == "12345"
    assert chinese(195000) == "19.5万"


@pytest.mark.parametrize(
    ("number", "zh", "en"),
    [
        (1, "一", "1"),
        (4, "四", "4"),
        (6, "六", "6"),
        (10, "十", "10"),
        (12, "十二", "12"),
        (21, "二十一", "21"),
    ],
)
def test_ordinal_word(number, zh, en):
    assert ordinal_word(number, "zh") == zh
    assert ordinal_word(number, "en") == en
