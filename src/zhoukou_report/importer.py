"""``import``: a new report's newspaper text made into a project's content layer.

The text is cleaned as the source page cleans it (``source.source_blocks``), split into the
report's pages (``split_sections``: the lead, the highlights, the closing paragraph before
the goals, the goals), and every statistic of the Chinese prose is defined in figures.yaml
and replaced by its ``[[id]]`` (``statistics.find_numbers``). The English pages are drafts
that carry the Chinese to translate. ``import_report`` returns the files to write and a
report of what was found and what an editor should look at; ``newproject.write_project``
writes them.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from .errors import ContentError
from .i18n import N_, _
from .layout import CONTENT, FIGURES_FILE, SITE_FILE, SOURCE_FILE, STRINGS_FILE
from .newproject import skeleton_file
from .numbers import SYMBOL_UNITS, plain
from .source import source_blocks
from .statistics import ENGLISH_UNITS, SET_PHRASES, Number, find_numbers
from .validate import UNTRANSLATED

_ORDINALS = "一二三四五六七八九十"
_NUMERAL = f"[{_ORDINALS}]+"
_HIGHLIGHT = re.compile(rf"^亮点(?P<n>{_NUMERAL})(?:：(?P<title>.+))?$")
_GOAL = re.compile(rf"^目标(?P<n>{_NUMERAL})：(?P<title>.+)$")
_NUMBERED = re.compile(rf"^(?P<n>{_NUMERAL})、(?P<title>.+)$")
# A paragraph that opens a section: 一是坚持党的领导。 / 第一，坚持党的领导。
_OPENER = re.compile(rf"^(?:(?P<n>{_NUMERAL})是|第(?P<m>{_NUMERAL})[，、：])(?P<rest>.+)$")
_CLAUSE_END = "，。；：！？"
# Text YAML reads as it is: no sign YAML gives a meaning, not a number, true or null.
_PLAIN_YAML = re.compile(r"^[^\x00-\x7f][^:#'\"{}\[\],&*!|>%@`\\]*$")
DRAFT_KEYWORD = "待填写"  # what a page the text gives no name gets, for an editor to replace
UTF8_BOM = N_("UTF-8 with BOM")  # the encodings' names are shown translated (UTF-8, GBK alike)


class Section(NamedTuple):
    """One page of the report as found in the text."""

    page_id: str  # overview, highlight-1, closing (the paragraph before the goals), goal-1
    title: str  # a highlight's keyword, a goal's title; "" where the text gives none
    line: int  # the line of the text it starts on
    paragraphs: list[tuple[str, int]]  # (text, line)


class Found(NamedTuple):
    """A figure found in the text, as figures.yaml will hold it."""

    id: str
    section: str  # the page it belongs to: the overview's for one in the closing paragraph
    page: str  # the page whose text holds it
    number: Number
    source: str
    label: str
    line: int


class Imported(NamedTuple):
    """What ``import_report`` made: the files (path in the project -> text), the report of
    what was found, and the lines an editor should look at (``file:line: message``)."""

    files: dict[str, str]
    encoding: str
    found: list[str]
    attention: list[str]
    figures: list[Found]


# Reading the text -------------------------------------------------------------------------


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """The text and the name of its encoding: UTF-8 (with or without a byte-order mark),
    else GBK; a ``ContentError`` at the first line that is neither."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data[3:], "utf-8", path), UTF8_BOM
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gbk"), "GBK"
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            message = _("the text is neither UTF-8 nor GBK: it could not be read")
            hint = _("save it as UTF-8 (in Notepad: Save as, Encoding: UTF-8)")
            raise ContentError(message, path=path, line=line, hint=hint) from None


def _decode(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        message = _("the text starts as {encoding} but is not {encoding} throughout")
        message = message.format(encoding=encoding)
        raise ContentError(message, path=path, line=line) from None


# The structure ----------------------------------------------------------------------------


def split_sections(
    blocks: list[tuple[str, str, int]], path: str
) -> tuple[list[Section], list[str]]:
    """The report's pages in order, and the lines an editor should look at.

    Highlights are opened by 亮点一 (then 关键词：…), 一、…, 一是… or 第一，…; goals by
    目标一：…, or by a second run of numbered sections that starts again at 一. The
    paragraph just before the first goal is the closing paragraph."""
    sections: list[Section] = [Section("overview", "", 1, [])]
    attention: list[str] = []
    counts = {"highlight": 0, "goal": 0}
    styles: dict[str, str] = {}  # how the highlights and the goals are numbered
    current = sections[0]
    for kind, text, line in blocks:
        if kind == "keyword":
            keyword = text.partition("：")[2]
            if current.page_id.startswith("highlight") and not current.title:
                sections[-1] = current = current._replace(title=keyword)
            else:
                current.paragraphs.append((text, line))
            continue
        opened = _section_opened(kind, text, counts, styles)
        if opened is None:
            current.paragraphs.append((text, line))
            continue
        page_kind, title, rest = opened
        counts[page_kind] += 1
        current = Section(f"{page_kind}-{counts[page_kind]}", title, line, [])
        sections.append(current)
        if rest:
            current.paragraphs.append((rest, line))
    sections = _with_closing(sections)
    for section in sections:
        if section.page_id.startswith(("highlight", "goal-")) and not section.title:
            if section.page_id.startswith("highlight"):
                message = _(
                    "the text gives this section no keyword: write one in {file} (it says {draft})"
                )
            else:
                message = _(
                    "the text gives this section no title: write one in {file} (it says {draft})"
                )
            message = message.format(file=f"{CONTENT}/zh/{section.page_id}.md", draft=DRAFT_KEYWORD)
            attention.append(f"{path}:{section.line}: {section.page_id}: {message}")
    if not sections[0].paragraphs:
        message = _("no lead paragraph was found before the first section")
        attention.append(f"{path}:1: overview: {message}")
    if counts["highlight"] == 0:
        message = _("no highlights were found (亮点一, 一、, 一是 or 第一，)")
        attention.append(f"{path}:1: {message}")
    if counts["goal"] == 0:
        message = _("no goals were found (目标一：…): {file} is empty")
        attention.append(f"{path}:1: {message.format(file='closing.md')}")
    return sections, attention


def _section_opened(
    kind: str, text: str, counts: dict[str, int], styles: dict[str, str]
) -> tuple[str, str, str] | None:
    """(page kind, title, the rest of the paragraph) if the block opens a section.

    Sections numbered the way the highlights are (一、 headings, 一是 or 第一 paragraphs)
    are the next highlight; numbering that starts again at 一 opens the goals; a paragraph
    numbered otherwise (一是 inside a 亮点, 三是 out of turn) is a list within its section."""
    if kind == "heading":
        if match := _HIGHLIGHT.match(text):
            styles.setdefault("highlight", "亮点")
            return "highlight", match.group("title") or "", ""
        if match := _GOAL.match(text):
            styles.setdefault("goal", "目标")
            return "goal", match.group("title"), ""
        if match := _NUMBERED.match(text):
            page_kind = _numbered_kind("、", match.group("n"), counts, styles)
            return (page_kind, match.group("title"), "") if page_kind else None
        return None
    match = _OPENER.match(text)
    if match is None:
        return None
    style = "是" if match.group("n") else "第"
    page_kind = _numbered_kind(style, match.group("n") or match.group("m"), counts, styles)
    if page_kind is None:
        return None
    rest = match.group("rest")
    end = next((i for i, char in enumerate(rest) if char in _CLAUSE_END), len(rest))
    return page_kind, rest[:end], rest[end + 1 :]


def _numbered_kind(
    style: str, numeral: str, counts: dict[str, int], styles: dict[str, str]
) -> str | None:
    """ "highlight", "goal", or None for a number that opens no section."""
    number = _ORDINALS.index(numeral[-1]) + 1 if len(numeral) == 1 else 0
    if "highlight" not in styles:
        if number != 1:
            return None
        styles["highlight"] = style
        return "highlight"
    if "goal" not in styles:
        if style == styles["highlight"] and number == counts["highlight"] + 1:
            return "highlight"
        # Numbering that starts again opens the goals; but within a 亮点, 一是 and 第一 are
        # a list of its own.
        if number == 1 and (style == "、" or styles["highlight"] != "亮点"):
            styles["goal"] = style
            return "goal"
        return None
    if style == styles["goal"] and number == counts["goal"] + 1:
        return "goal"
    return None


def _with_closing(sections: list[Section]) -> list[Section]:
    first_goal = next((i for i, s in enumerate(sections) if s.page_id == "goal-1"), None)
    if first_goal is None:
        return [*sections, Section("closing", "", 0, [])]
    before = sections[first_goal - 1]
    intro: list[tuple[str, int]] = []
    if len(before.paragraphs) > 1 or (before.page_id == "overview" and before.paragraphs):
        intro = [before.paragraphs.pop()]
    line = intro[0][1] if intro else sections[first_goal].line
    return [*sections[:first_goal], Section("closing", "", line, intro), *sections[first_goal:]]


# The statistics ---------------------------------------------------------------------------


def take_figures(
    sections: list[Section], path: str
) -> tuple[dict[str, list[str]], list[Found], list[str]]:
    """Each page's paragraphs with ``[[id]]`` for its statistics, the figures, and the
    numbers an editor should look at."""
    bodies: dict[str, list[str]] = {}
    figures: list[Found] = []
    attention: list[str] = []
    for section in sections:
        # The closing paragraph's figures are the overview's (it was shown on the landing page).
        owner = "overview" if section.page_id == "closing" else section.page_id
        paragraphs = []
        for text, line in section.paragraphs:
            numbers = find_numbers(text)
            statistics = [n for n in numbers if n.kind == "statistic"]
            pieces, cursor = [], 0
            for number in statistics:
                figure_id = f"{owner}-{len([f for f in figures if f.section == owner]) + 1}"
                source = source_phrase(text, number, statistics)
                figures.append(
                    Found(
                        figure_id,
                        owner,
                        section.page_id,
                        number,
                        source,
                        _label(source, text, number),
                        line,
                    )
                )
                pieces += [text[cursor : number.start], f"[[{figure_id}]]"]
                cursor = number.end
            paragraphs.append("".join(pieces) + text[cursor:])
            for number in numbers:
                if number.kind == "unclassified":
                    shown = text[number.start : number.end]
                    message = _(
                        "a number with no measure word after it, left as text in {file}: check it"
                    ).format(file=f"{CONTENT}/zh/{section.page_id}.md")
                    attention.append(f"{path}:{line}: {shown}: {message}")
        bodies[section.page_id] = paragraphs
    return bodies, figures, attention


def source_phrase(text: str, number: Number, statistics: list[Number]) -> str:
    """The phrase of the text that gives a statistic: its whole clause (up to ，。；：！？),
    never a fragment such as 发挥3个省级 (content/TRANSLATION.md). A list whose items each
    end with their count is split at its 、: 组织集中学习读书班3次 | 集中研讨交流5次."""
    start = max((text.rfind(c, 0, number.start) for c in _CLAUSE_END), default=-1) + 1
    ends = [i for c in _CLAUSE_END if (i := text.find(c, number.end)) != -1]
    end = min(ends, default=len(text))
    for other in statistics:
        after = other.end + _unit_after(other)  # where its measure word ends
        if start <= after < end and text[after] == "、":
            if after < number.start:
                start = after + 1
            elif after >= number.end:
                end = after
    return text[start:end]


def _label(source: str, text: str, number: Number) -> str:
    """A first label for an editor to improve: the phrase without its number and unit."""
    shown = text[number.start : number.end + _unit_after(number)]
    return source.replace(shown, "", 1).strip("的、") or source


def _unit_after(number: Number) -> int:
    """The length of the measure word after the part [[id]] replaces (a symbol is in it)."""
    return 0 if number.unit in SYMBOL_UNITS else len(number.unit)


# The files --------------------------------------------------------------------------------


def import_report(data: bytes, path: str) -> Imported:
    """The content layer of a new project, made from a report's text (``path`` names it
    in the report's lines)."""
    raw, encoding = decode_text(data, path)
    blocks = source_blocks(raw)
    sections, attention = split_sections(blocks, path)
    bodies, figures, unclassified = take_figures(sections, path)
    attention += unclassified
    files = {SOURCE_FILE: raw.replace("\r\n", "\n")}
    for section in sections:
        paragraphs = bodies[section.page_id]
        files[f"{CONTENT}/zh/{section.page_id}.md"] = _page(section, paragraphs, draft=False)
        files[f"{CONTENT}/en/{section.page_id}.md"] = _page(section, paragraphs, draft=True)
    files[FIGURES_FILE] = _figures_yaml(figures)
    for name in (SITE_FILE, STRINGS_FILE):
        files[name] = skeleton_file(name)
    # The set phrases left as text are the site's listed exceptions to the typed-number check.
    text = "".join(p for paragraphs in bodies.values() for p in paragraphs)
    if named := [phrase for phrase in SET_PHRASES if phrase in text]:
        files[SITE_FILE] += "\ntyped_numbers:\n" + "".join(f"  - {p}\n" for p in named)
    message = _(
        "the title, meeting, date, speaker and publication are examples: "
        "fill them in from the report"
    )
    attention.append(f"{SITE_FILE}:1: {message}")
    found = [f"{path}: " + _("read as {encoding}").format(encoding=_(encoding))]
    for section in sections:
        named = f" “{section.title}”" if section.title else ""
        paragraphs = len(bodies[section.page_id])
        count = sum(1 for f in figures if f.page == section.page_id)
        counted = _("paragraphs: {paragraphs}, figures: {figures}").format(
            paragraphs=paragraphs, figures=count
        )
        found.append(f"{path}:{section.line}: {section.page_id}{named}: {counted}")
    return Imported(files, encoding, found, attention, figures)


def _page(section: Section, paragraphs: list[str], draft: bool) -> str:
    meta = []
    if draft:
        meta.append("draft: true")
    if section.page_id.startswith(("highlight", "goal-")):
        key = "keyword" if section.page_id.startswith("highlight") else "title"
        meta.append(f"{key}: {_yaml_text(section.title or DRAFT_KEYWORD)}")
    front = "---\n" + "\n".join(meta) + "\n---\n\n" if meta else ""
    return front + "\n\n".join(paragraphs) + "\n"


def _figures_yaml(figures: list[Found]) -> str:
    lines = [
        "# Every statistic in the report, defined once: see the README's “The content”.",
        "# Found by zhoukou-report import: check each value and source, and write the",
        "# English labels (each says “translate:” until it is written).",
        "",
        "figures:" if figures else "figures: []",
    ]
    for figure in figures:
        number = figure.number
        lines.append(f"  - id: {figure.id}")
        lines.append(f"    section: {figure.section}")
        lines.append(f"    value: {plain(number.value)}")
        if number.qualifier:
            lines.append(f"    qualifier: {number.qualifier}")
        lines.append("    unit:")
        lines.append(f"      zh: {_yaml_text(number.unit)}")
        if number.unit in ENGLISH_UNITS:
            lines.append(f"      en: {_yaml_text(ENGLISH_UNITS[number.unit])}")
        lines.append("    label:")
        lines.append(f"      zh: {_yaml_text(figure.label)}")
        lines.append(f"      en: {_yaml_text(UNTRANSLATED + figure.label)}")
        lines.append(f"    source: {_yaml_text(figure.source)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _yaml_text(text: str) -> str:
    """A YAML string that reads back as ``text``: as it is where that is safe, else in
    JSON's quotes (which are YAML's)."""
    if _PLAIN_YAML.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)
