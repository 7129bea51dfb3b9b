"""How a figure is written in each language.

Chinese keeps the source's style: plain digits below ten thousand (``1975``), 万 and
亿 above it when that is exact to one or two decimals (``1.8万``, ``19.5万``).
English uses digits with thousands separators (``18,000``). The qualifier
``more-than`` is 多 after the number in Chinese and "more than" before it in English;
``nearly`` is 近 and "nearly", ``over`` 超过 and "over", both before the number.
Symbol units (``%``) are part of the number in both languages.

Where a figure stands decides the rest. In English running text (``prose``), a whole
number from one to nine is a word, by the house style of content/TRANSLATION.md
("adopted seven resolutions"); tiles, tables, charts and the open data keep digits.
An English label or unit may mark its plural ending, ``Local regulation(s) adopted``:
the ending is dropped for exactly one and kept for any other number (``counted``).
"""

from __future__ import annotations

import re
from decimal import Decimal

QUALIFIERS = ("more-than", "nearly", "over")
_BEFORE = {"nearly": ("近", "nearly "), "over": ("超过", "over ")}  # zh, en
SYMBOL_UNITS = frozenset({"%", "‰"})

_ZH_DIGITS = "零一二三四五六七八九"
_EN_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_PLURAL_ENDING = re.compile(r"\((s|es)\)")


def plain(value: int | float) -> str:
    """The number in digits without grouping, without a trailing ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)).normalize(), "f")


def grouped(value: int | float) -> str:
    """Digits with thousands separators: ``18,000``, ``1,975``, ``92.1``."""
    text = plain(value)
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}"
    return sign + whole + (f".{fraction}" if fraction else "")


def chinese(value: int | float) -> str:
    """Digits as the source writes them: ``8``, ``1975``, ``1.8万``, ``19.5万``, ``3亿``."""
    number = Decimal(plain(value))
    for size, word in ((Decimal(100_000_000), "亿"), (Decimal(10_000), "万")):
        if abs(number) >= size:
            scaled = number / size
            if scaled == scaled.quantize(Decimal("0.01")):
                return format(scaled.normalize(), "f") + word
    return plain(value)


def format_number(
    value: int | float,
    lang: str,
    qualifier: str | None = None,
    unit: str = "",
    prose: bool = False,
) -> str:
    """The figure as a language shows it: number, qualifier, and a symbol unit if it has
    one; in running text (``prose``), English words for the whole numbers one to nine."""
    if unit in SYMBOL_UNITS:
        text = (plain(value) if lang.startswith("zh") else grouped(value)) + unit
    elif prose and _is_english(lang) and value in range(1, 10):
        text = _EN_WORDS[int(value) - 1]
    else:
        text = chinese(value) if lang.startswith("zh") else grouped(value)
    if qualifier == "more-than":
        text = f"{text}多" if lang.startswith("zh") else f"more than {text}"
    elif qualifier in _BEFORE:
        zh, en = _BEFORE[qualifier]
        text = (zh if lang.startswith("zh") else en) + text
    return text


def counted(text: str, value: int | float) -> str:
    """A label or unit in the form for its number: a marked plural ending, ``(s)`` or
    ``(es)``, dropped for exactly one and kept for any other number (``Local regulation(s)
    adopted``: "Local regulation adopted" for 1, "Local regulations adopted" for 3)."""
    return _PLURAL_ENDING.sub("" if value == 1 else r"\1", text)


def _is_english(lang: str) -> bool:
    return lang == "en" or lang.startswith("en-")


def ordinal_word(number: int, lang: str) -> str:
    """A highlight's or goal's number as its heading writes it: 一, 二 … in Chinese; 1, 2 … else."""
    if not lang.startswith("zh") or number < 1 or number > 99:
        return str(number)
    tens, ones = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _ZH_DIGITS[tens]) + "十"
    if ones:
        text += _ZH_DIGITS[ones]
    return text
