"""The numbers of a paragraph of a work report: which are statistics, which are not.

A statistic is a number with the measure word that follows it (``232个``, ``19.5万人次``,
``92.1%``, ``一百二十名``), perhaps with 万/亿 and a qualifier (``110多家``, ``300余人``,
``近2万名``, ``超过90%``). Everything else that looks like a number is left as text and
said why: a date or year (``2024年3月1日``), an ordinal (``第一次``), a session
(``五届二次``), a name in 《…》 or “…”, a set phrase (``八项规定``), or an article
(``一批``). A number in digits that is none of these is ``unclassified``: the importer
asks an editor to look at it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from .numbers import SYMBOL_UNITS

# Measure words and units that make a number a statistic. Longer ones first: 人次 before 人.
UNITS = (
    "人次", "平方米", "平方公里", "公里", "万元", "亿元", "元",
    "个", "次", "部", "项", "条", "件", "类", "名", "家", "篇", "人", "位", "场", "期", "批",
    "份", "所", "座", "处", "户", "支", "台", "辆", "本", "册", "套", "组", "轮", "亩", "吨",
    "天", "%", "‰",
)  # fmt: skip
# What a unit is called in English, where English has a word for it (a count has none, nor
# 人次: content/TRANSLATION.md says to name who or what was counted, never "person-times").
ENGLISH_UNITS = {
    "%": "%",
    "‰": "‰",
    "元": "yuan",
    "公里": "km",
    "平方公里": "km²",
    "平方米": "m²",
    "亩": "mu",
    "吨": "tonnes",
    "天": "days",
}
TIME_WORDS = ("周年", "年", "月", "日", "号", "时", "点", "周", "个月")
# Well-known names that contain a numeral and a measure word but count nothing.
SET_PHRASES = ("八项规定", "四个全面", "五位一体", "两个确立", "两个维护", "四个意识", "四个自信")

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_ZH_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_ZH_POWERS = {"十": 10, "百": 100, "千": 1000}
_ZH_NUMBER = "[零〇一二两三四五六七八九十百千]+"
_UNIT = "|".join(re.escape(unit) for unit in UNITS)
# One number: a prefix qualifier, digits or Chinese numerals, 万/亿, a suffix qualifier, unit.
NUMBER = re.compile(
    rf"(?P<prefix>超过|超|近)?"
    rf"(?:(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"|(?P<percent>百分之)?(?P<zh>{_ZH_NUMBER}))"
    rf"(?P<scale>万亿|万|亿)?(?P<suffix>多|余)?(?P<unit>{_UNIT})?"
)
_QUOTED = re.compile(r"“[^”]*”|《[^》]*》|‘[^’]*’|「[^」]*」")
_SESSION = re.compile(rf"(?:\d+|{_ZH_NUMBER})届(?:[^，。、；]{{0,6}}?(?:\d+|{_ZH_NUMBER})次)?")
QUALIFIER_WORDS = {"多": "more-than", "余": "more-than", "近": "nearly"}
QUALIFIER_WORDS |= {"超": "over", "超过": "over"}


class Number(NamedTuple):
    """A number found in a paragraph: where it is, what it is, and (for a statistic) its
    value, unit and qualifier. ``kind`` is ``statistic``, ``unclassified`` or the reason
    it is text: ``date``, ``ordinal``, ``session``, ``name``, ``set-phrase``, ``article``."""

    start: int
    end: int  # the end of the number, qualifier and symbol unit: what [[id]] replaces
    kind: str
    value: int | float | None = None
    unit: str = ""
    qualifier: str | None = None


def find_numbers(text: str) -> list[Number]:
    """Every number of one paragraph, in order."""
    protected = [(m.start(), m.end(), "name") for m in _QUOTED.finditer(text)]
    protected += [(m.start(), m.end(), "session") for m in _SESSION.finditer(text)]
    protected += [
        (m.start(), m.end(), "set-phrase")
        for phrase in SET_PHRASES
        for m in re.finditer(re.escape(phrase), text)
    ]
    found: list[Number] = []
    for match in NUMBER.finditer(text):
        start = match.start("digits") if match.group("digits") else match.start("zh")
        if match.group("percent"):
            start = match.start("percent")
        reason = next((kind for a, b, kind in protected if a <= start < b), None)
        if reason:
            if match.group("digits") or match.group("unit"):
                found.append(Number(start, match.end(), reason))
            continue
        found.append(_classify(text, match, start))
    return [number for number in found if number is not None]


def _classify(text: str, match: re.Match, start: int) -> Number | None:
    digits, zh, unit = match.group("digits"), match.group("zh"), match.group("unit")
    before = text[:start]
    rest = text[max(match.end("zh"), match.end("digits"), match.end("scale")) :]
    if before.endswith("第"):
        return Number(start - 1, match.end(), "ordinal")
    if rest.startswith(TIME_WORDS) and not match.group("suffix"):
        end = start + len(match.group("digits") or zh) + 1
        return Number(start, end, "date")
    if zh is not None and digits is None:
        if not unit and not match.group("percent"):
            return None  # 统一, 一网通办: a word, not a number
        if zh == "一" and not match.group("scale"):
            return Number(start, match.end(), "article")  # 一批, 一个: "a", not "one"
        if zh.startswith(("百", "千")):
            return None  # 千家万户, 百姓: a word
    if match.group("percent"):
        unit = "%"
    if not unit:
        return Number(start, match.end(), "unclassified")
    value = _value(digits, zh, match.group("scale"))
    if value is None:
        return Number(start, match.end(), "unclassified")
    prefix, suffix = match.group("prefix"), match.group("suffix")
    qualifier = QUALIFIER_WORDS.get(suffix or "") or QUALIFIER_WORDS.get(prefix or "")
    begin = match.start() if prefix else start
    end = match.end() if unit in SYMBOL_UNITS or match.group("percent") else match.start("unit")
    return Number(begin, end, "statistic", value, unit, qualifier)


def _value(digits: str | None, zh: str | None, scale: str | None) -> int | float | None:
    number = Decimal(digits.replace(",", "")) if digits else _chinese_value(zh or "")
    if number is None:
        return None
    number *= {"万": 10**4, "亿": 10**8, "万亿": 10**12}.get(scale or "", 1)
    return int(number) if number == number.to_integral_value() else float(number)


def _chinese_value(text: str) -> Decimal | None:
    """一百二十 → 120, 两千零五 → 2005, 十二 → 12; None for what is not a number."""
    total, digit = 0, None
    for char in text:
        if char in _ZH_DIGITS:
            if digit is not None and digit != 0 and _ZH_DIGITS[char] != 0:
                return None  # 二三: not a number
            digit = _ZH_DIGITS[char]
        elif char in _ZH_POWERS:
            total += (1 if digit is None else digit) * _ZH_POWERS[char]
            digit = None
    if digit is not None:
        total += digit
    return Decimal(total)
