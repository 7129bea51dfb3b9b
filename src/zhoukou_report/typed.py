"""The prose of every language shows the same figures, and types none.

Two checks of the pages' Markdown, run by ``validate``: each page refers to the same set of
figures in every language (a figure left out of a translation would be corrected in one
language only), and no number is typed where a figure belongs: digits, or Chinese numerals
with a measure word (十二期), that are not a figure reference, a date, an ordinal, inside
quotes or book-title marks (a name: “四个机关”, 《…》), or part of a phrase ``site.yaml``
lists under ``typed_numbers``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from functools import lru_cache

from .errors import ContentError
from .fields import Problems
from .i18n import _
from .model import Figure, Text

# What is not prose: a figure reference, code, a link's address, an HTML tag, and what is
# quoted or a title (the names of campaigns and documents: “两个确立”, 《…》).
_NOT_PROSE = re.compile(
    r"\[\[[^\]\n]*\]\]|`[^`\n]*`|\]\([^)\n]*\)|<[^>\n]*>|“[^”]*”|「[^」]*」|《[^》]*》|\"[^\"\n]*\""
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ZH_NUMERALS = "零〇一二两三四五六七八九十百千万亿"
# Dates and ordinals: 2024年3月1日, 2月4日, 2024年, 70周年, 第五届, 五届, 二次会议, 4 February,
# March 1, 2024, 14th, 2024, Goal 1.
_DATES_AND_ORDINALS = re.compile(
    rf"\d+年\d+月\d+日|\d+月\d+日|\d{{4}}年|\d+周年|第[\d{_ZH_NUMERALS}]+"
    rf"|[{_ZH_NUMERALS}]+届|[{_ZH_NUMERALS}]+次(?=会议|全会|全体会议)"
    rf"|\b\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?\b|\b(?:{_MONTHS})\s+\d{{1,2}}(?:,\s*\d{{4}})?\b"
    r"|\b\d+(?:st|nd|rd|th)\b|\b(?:19|20)\d{2}\b"
    r"|\b(?:Goal|Highlight|Section|Chapter|Article|Part|No\.)\s+\d+\b",
    re.ASCII,  # \b and \w: between a Chinese character and a digit is a boundary
)
_AROUND = 24  # characters: the longest date or ordinal around a number ("September 30, 2024")
# The measure words a count is written with in Chinese (and 余, 多: 十余个).
_MEASURE = "个次项件篇名人家条部场期位所处座份批户起例元倍"
# Digits, and Chinese numerals before a measure word (一 alone is a word: 一起, 一批, 进一步).
# Two patterns, each starting with a character class: scanned fast (10,000-page row).
_DIGITS = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:%|万|亿)?", re.ASCII)
_NUMERALS = re.compile(
    rf"(?:[{_ZH_NUMERALS.replace('一', '')}]|一(?=[{_ZH_NUMERALS}]))[{_ZH_NUMERALS}]*"
    rf"(?=[余多]?[{_MEASURE}])"
)


def check_languages_agree(
    bodies: Mapping[str, Mapping[str, Text | None]], known: Collection[str], problems: Problems
) -> None:
    """Each page refers to the same figures in every language; a figure missing from one is
    reported in that language's file, with the file and line that refer to it. A page with
    a reference to an unknown figure is left to that reference's error (a misspelt id)."""
    page_ids = dict.fromkeys(page_id for by_id in bodies.values() for page_id in by_id)
    for page_id in page_ids:
        texts = [by_id[page_id] for by_id in bodies.values() if by_id.get(page_id) is not None]
        if any(figure_id not in known for text in texts for figure_id, _ in text.figures):
            continue
        for text in texts:
            here = {figure_id for figure_id, _ in text.figures}
            for other in texts:
                for figure_id, offset in other.figures:
                    if figure_id in here:
                        continue
                    here.add(figure_id)  # once per file
                    message = _("the figure is not referred to here, but {place} refers to it")
                    place = f"{other.path}:{other.line + offset}"
                    problems.errors.append(
                        ContentError(
                            message.format(place=place),
                            path=text.path,
                            line=text.line,
                            field=f"[[{figure_id}]]",
                            hint=_("every language shows the same figures"),
                        )
                    )


def check_typed_numbers(
    bodies: Mapping[str, Mapping[str, Text | None]],
    figures: Iterable[Figure],
    allowed: Iterable[str],
    problems: Problems,
) -> None:
    """A number typed into the prose of any page is an error, with the figure of that value
    (one the page refers to, if any) as the reference to write instead."""
    by_value: dict[float, list[Figure]] = {}
    for figure in figures:
        by_value.setdefault(float(figure.value), []).append(figure)
    allowed = tuple(allowed)
    for by_id in bodies.values():
        for page_id, text in by_id.items():
            if text is None:
                continue
            for token, offset in typed_in(text.markdown, allowed):
                referred = {figure_id for other in bodies.values() if other.get(page_id)
                            for figure_id, _ in other[page_id].figures}  # fmt: skip
                problems.errors.append(_typed_error(text, token, offset, by_value, referred))


# The preview's 1,000-page paragraph row of benchmarks/run.py: a save looks again only at
# the texts that changed (a kept file's text is the same string, its hash kept with it).
@lru_cache(maxsize=1 << 16)
def typed_in(markdown: str, allowed: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """``typed_numbers``, remembered for each text and phrases."""
    return tuple(typed_numbers(markdown, allowed))


def typed_numbers(markdown: str, allowed: Iterable[str] = ()) -> Iterator[tuple[str, int]]:
    """Each number typed into a Markdown text, with its 0-based line within the text.

    The numbers are looked for first, and the parts of the text that may hold one (what
    is not prose, dates and ordinals, ``allowed`` phrases) only in a text that has any:
    most have none (the 10,000-page row of benchmarks/run.py)."""
    found = [m for m in _DIGITS.finditer(markdown) if not _in_word(markdown, m.start())]
    # A numeral after digits is their 万 or 亿, already found with them.
    found += (
        m for m in _NUMERALS.finditer(markdown) if not markdown[m.start() - 1 : m.start()].isdigit()
    )
    if not found:
        return
    spans = [m.span() for m in _NOT_PROSE.finditer(markdown)]
    for phrase in allowed:
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), markdown)]
    for match in sorted(found, key=lambda match: match.start()):
        start, end = match.span()
        if any(first < end and start < last for first, last in spans):
            continue
        # A date or an ordinal is a few characters around the number: looked for there.
        left = max(0, start - _AROUND)
        near = _DATES_AND_ORDINALS.finditer(markdown, left, end + _AROUND)
        if not any(m.start() < end and start < m.end() for m in near):
            yield match.group(), markdown.count("\n", 0, start)


def _in_word(text: str, start: int) -> bool:
    """Whether digits at ``start`` are part of a word or a number: G20, v1.2."""
    before = text[start - 1] if start else " "
    return before.isascii() and (before.isalnum() or before in "_.")


def number_value(token: str) -> float | None:
    """The value of a typed number: ``1,975`` → 1975, ``1.8万`` → 18000, ``十二`` → 12."""
    scale = 1
    if token[-1] in "万亿":
        scale = 10_000 if token[-1] == "万" else 100_000_000
        token = token[:-1]
    token = token.rstrip("%").replace(",", "")
    try:
        return float(token) * scale
    except ValueError:
        pass
    return _chinese_value(token)


def _chinese_value(text: str) -> float | None:
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
    units = {"十": 10, "百": 100, "千": 1000}
    total, section, digit = 0, 0, None
    for char in text:
        if char in digits:
            digit = digits[char] if digit is None else digit * 10 + digits[char]
        elif char in units:
            section += (1 if digit is None else digit) * units[char]
            digit = None
        elif char in "万亿":
            total += (section + (digit or 0)) * (10_000 if char == "万" else 100_000_000)
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def _typed_error(
    text: Text, token: str, offset: int, by_value: dict[float, list[Figure]], referred: set[str]
) -> ContentError:
    value = number_value(token)
    candidates = by_value.get(value, []) if value is not None else []
    candidates = sorted(candidates, key=lambda figure: figure.id not in referred)
    if candidates:
        message = _('"{number}" is typed; write {reference}').format(
            number=token, reference=f"[[{candidates[0].id}]]"
        )
    else:
        message = _('"{number}" is typed: a figure is written as [[id]]').format(number=token)
    hint = _(
        "figures are defined in content/figures.yaml; a number that is part of a name "
        "goes under typed_numbers in content/site.yaml"
    )
    return ContentError(message, path=text.path, line=text.line + offset, hint=hint)
