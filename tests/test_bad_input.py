"""Bad content from the command line: every mistake an editor can make, as the editor sees it.

Each case is a small mutation of a copy of the full fixture site (tests/sites/full, with
this repository's templates), never of the real report's content. The build must fail
with status 1 and print exactly the expected ``file:line: field: message`` lines (each
line number is found by reading the mutated file, not copied from the program), show no
traceback, and leave the previous build byte for byte as it was.

The fixture's figures the cases use: ``sessions`` (the first figure, value 6, source
召开常委会会议6次), ``laws-passed`` (the second, value 3, label 出台地方性法规 / Local
regulations passed), ``visits`` (18000, written 1.8万 in the source) and ``companies``
(qualifier more-than); its pages: overview, highlight-1, highlight-2, goal-1, goal-2.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import copy_site, edit, line, run_cli, tree_hash
from zhoukou_report.build import build_site

FIGURES = "content/figures.yaml"
SITE = "content/site.yaml"
STRINGS = "content/strings.yaml"
VALUE_HINT = "write it in digits, without separators or 万: 18000, 92.1"
TAG_HINT = "write plain text, numbers, lists and name: value pairs"


def figure_index(project: Path, figure_id: str) -> int:
    """The position of a figure in figures.yaml's list, as its field path counts it."""
    ids = re.findall(r"^  - id: (\S+)$", (project / FIGURES).read_text(encoding="utf-8"), re.M)
    return ids.index(figure_id)


def figures_of(project: Path) -> list[str]:
    """The ids of figures.yaml's figures, in order."""
    return re.findall(r"^  - id: (\S+)$", (project / FIGURES).read_text(encoding="utf-8"), re.M)


def index_of(project: Path, text: str) -> int:
    """The position of the one figure whose lines hold ``text``."""
    before, _ = (project / FIGURES).read_text(encoding="utf-8").split(text)
    return len(re.findall(r"^  - id: ", before, re.M)) - 1


def figure_line(project: Path, figure_id: str, field: str) -> int:
    """The line of a field of a figure (``label``), found below the figure's ``- id:`` line."""
    lines = (project / FIGURES).read_text(encoding="utf-8").split("\n")
    start = lines.index(f"  - id: {figure_id}")
    return next(n for n in range(start, len(lines)) if lines[n].startswith(f"    {field}:")) + 1


Case = Callable[[Path], list[str]]  # mutates the project; returns the expected error lines
CASES: dict[str, Case] = {}


def case(function: Case) -> Case:
    """Register a case under its name: ``case_yaml_tab_indent`` runs as ``yaml-tab-indent``."""
    CASES[function.__name__.removeprefix("case_").replace("_", "-")] = function
    return function


# YAML syntax and encoding ------------------------------------------------------------------


@case
def case_yaml_tab_indent(p: Path) -> list[str]:
    """A tab indents a line of site.yaml."""
    edit(p / SITE, "    tag: zh-CN", "\ttag: zh-CN")
    n = line(p / SITE, "\ttag: zh-CN")
    return [f"{SITE}:{n}: a tab character where YAML expects spaces (indent with spaces, not tabs)"]


@case
def case_yaml_unclosed_quote(p: Path) -> list[str]:
    """A quoted label that is not closed, with quote marks further down the file."""
    edit(p / FIGURES, "      en: Local regulations passed", '      en: "Local regulations')
    n = line(p / FIGURES, '"Local regulations')
    # YAML reads on to the next quote mark: the first one of a later line.
    lines = (p / FIGURES).read_text(encoding="utf-8").split("\n")
    runs_to = next(i for i in range(n, len(lines)) if '"' in lines[i]) + 1
    return [
        f"{FIGURES}:{n}: a quoted text is not closed "
        f"(it runs on to line {runs_to}: end it with the quote mark it starts with)"
    ]


@case
def case_yaml_quote_open_at_the_end(p: Path) -> list[str]:
    """A quoted text that is not closed, with no quote mark below it."""
    edit(p / SITE, "  en: Sample Daily", '  en: "Sample Daily')
    n = line(p / SITE, '"Sample Daily')
    assert '"' not in (p / SITE).read_text(encoding="utf-8").split("\n", n)[-1]  # none below
    return [
        f"{SITE}:{n}: a quoted text is not closed (end it with the same quote mark it starts with)"
    ]


@case
def case_yaml_colon_in_front_matter(p: Path) -> list[str]:
    """An unquoted ": " inside a front matter value."""
    page = p / "content/en/goal-2.md"
    edit(page, "title: Effective oversight", "title: Goal: effective oversight")
    return [
        f"content/en/goal-2.md:{line(page, 'title: Goal:')}: "
        'a ": " inside a value (put the whole text in quotes: "…")'
    ]


@case
def case_yaml_unclosed_brace(p: Path) -> list[str]:
    """A { … } mapping of strings.yaml that is not closed: the parser's own message."""
    edit(p / STRINGS, "nav_home: {zh: 首页, en: Home}", "nav_home: {zh: 首页, en: Home")
    opened = line(p / STRINGS, "nav_home:")
    return [
        f"{STRINGS}:{opened + 1}: invalid YAML: expected ',' or '}}', but got ':' "
        f"(while parsing a flow mapping that starts on line {opened})"
    ]


@case
def case_yaml_colon_in_a_flow_value(p: Path) -> list[str]:
    """An unquoted ": " inside one of the values of a {zh: …, en: …}."""
    edit(p / STRINGS, "nav_home: {zh: 首页, en: Home}", "nav_home: {zh: 首页, en: Home: start}")
    return [
        f'{STRINGS}:{line(p / STRINGS, "nav_home:")}: a ":" inside the value of "en" '
        '(put the value in quotes: en: "Home: start")'
    ]


@case
def case_yaml_hash_in_a_flow_value(p: Path) -> list[str]:
    """A " #" inside a flow value starts a comment, which swallows the closing brace."""
    edit(p / STRINGS, "nav_home: {zh: 首页, en: Home}", "nav_home: {zh: 首页, en: Home #1}")
    return [
        f'{STRINGS}:{line(p / STRINGS, "nav_home:")}: a "#" inside the value of "en" '
        'starts a comment (put the value in quotes: en: "Home #1")'
    ]


@case
def case_yaml_quote_inside_a_flow_value(p: Path) -> list[str]:
    """A flow value that starts with a quoted word and goes on after it."""
    edit(p / STRINGS, "nav_home: {zh: 首页, en: Home}", 'nav_home: {zh: 首页, en: "Home" page}')
    return [
        f'{STRINGS}:{line(p / STRINGS, "nav_home:")}: the value of "en" goes on after its '
        "closing quote mark (put the whole value in the other quote marks: "
        "en: '\"Home\" page')"
    ]


@case
def case_yaml_full_width_colon(p: Path) -> list[str]:
    """A full-width colon typed after a field's name, as a Chinese keyboard gives it."""
    edit(p / FIGURES, "    value: 3\n", "    value：3\n")
    return [
        f'{FIGURES}:{line(p / FIGURES, "value：3")}: a full-width colon "：" after "value" '
        "(write a half-width colon and a space: value: …)"
    ]


@case
def case_yaml_full_width_comma(p: Path) -> list[str]:
    """A full-width comma between the fields of a {zh: …, en: …}."""
    edit(p / STRINGS, "nav_home: {zh: 首页, en: Home}", "nav_home: {zh: 首页， en: Home}")
    return [
        f'{STRINGS}:{line(p / STRINGS, "nav_home:")}: a full-width comma "，" between the '
        'fields (separate the fields with a half-width comma: "zh: …, en: …")'
    ]


@case
def case_yaml_dash_without_a_space(p: Path) -> list[str]:
    """A list item started with "-" and no space."""
    edit(p / FIGURES, "  - id: laws-passed", "  -id: laws-passed")
    return [
        f'{FIGURES}:{line(p / FIGURES, "-id: laws-passed")}: a "-" without a space after it '
        '(an item of a list starts with a hyphen and a space: "- ")'
    ]


@case
def case_yaml_colon_without_a_space(p: Path) -> list[str]:
    """A field's colon with no space after it."""
    edit(p / FIGURES, "    value: 3\n", "    value:3\n")
    return [
        f'{FIGURES}:{line(p / FIGURES, "value:3")}: no space after the colon of "value" '
        "(write value: …)"
    ]


@case
def case_not_utf8_markdown(p: Path) -> list[str]:
    """A Markdown page holding GBK bytes, on a line below the front matter."""
    page = p / "content/en/goal-2.md"
    page.write_bytes(page.read_bytes().replace(b"special reviews", "专项审议".encode("gbk")))
    return [
        f"content/en/goal-2.md:{line(page, 'We will carry out')}: "
        "the file is not UTF-8 text (save it as UTF-8 in your editor)"
    ]


@case
def case_not_utf8_yaml(p: Path) -> list[str]:
    """A figure's label saved as GBK in figures.yaml."""
    file = p / FIGURES
    file.write_bytes(
        file.read_bytes().replace("zh: 出台地方性法规".encode(), "zh: 出台地方性法规".encode("gbk"))
    )
    return [
        f"{FIGURES}:{line(file, 'zh: 出台地方性法规'.encode('gbk'))}: "
        "the file is not UTF-8 text (save it as UTF-8 in your editor)"
    ]


# Required fields and types -----------------------------------------------------------------


@case
def case_missing_figure_value(p: Path) -> list[str]:
    """A figure without a value: reported at the figure's first line."""
    edit(p / FIGURES, "    value: 3\n", "")
    i = figure_index(p, "laws-passed")
    n = line(p / FIGURES, "- id: laws-passed")
    return [
        f'{FIGURES}:{n}: figures[{i}].value: "value" is missing: it should be a number ({VALUE_HINT})'
    ]


@case
def case_missing_site_field(p: Path) -> list[str]:
    """site.yaml without its speaker: a file-wide error, without a line."""
    edit(p / SITE, "speaker:\n  zh: 张明\n  en: Zhang Ming\n", "")
    return [
        f'{SITE}: speaker: "speaker" is missing: it should be a text for each language (zh, en) '
        "(write it as speaker: {zh: …, en: …})"
    ]


@case
def case_missing_front_matter_field(p: Path) -> list[str]:
    """A highlight's front matter without its keyword."""
    edit(p / "content/zh/highlight-2.md", "keyword: 优化服务\n", "")
    return ['content/zh/highlight-2.md:1: keyword: "keyword" is missing: it should be text']


@case
def case_missing_translation(p: Path) -> list[str]:
    """A label in Chinese only."""
    edit(p / FIGURES, "      en: Local regulations passed\n", "")
    i = figure_index(p, "laws-passed")
    n = figure_line(p, "laws-passed", "label")  # the language's own line is gone
    return [f'{FIGURES}:{n}: figures[{i}].label.en: "en" is missing: it should be the en text']


@case
def case_value_not_a_number(p: Path) -> list[str]:
    """A value that is a word."""
    edit(p / FIGURES, "    value: 6\n", "    value: abc\n")
    i = figure_index(p, "sessions")
    n = line(p / FIGURES, "value: abc")
    return [f'{FIGURES}:{n}: figures[{i}].value: expected a number, got "abc" ({VALUE_HINT})']


@case
def case_value_written_the_chinese_way(p: Path) -> list[str]:
    """A value written with 万, as the source writes it."""
    edit(p / FIGURES, "    value: 18000\n", "    value: 1.8万\n")
    i = index_of(p, "value: 1.8万")
    n = line(p / FIGURES, "value: 1.8万")
    return [f'{FIGURES}:{n}: figures[{i}].value: expected a number, got "1.8万" ({VALUE_HINT})']


@case
def case_date_not_a_date(p: Path) -> list[str]:
    """The report's date written out in words."""
    edit(p / SITE, "date: 2025-01-15", "date: 15 January 2025")
    n = line(p / SITE, "date: 15 January")
    return [f'{SITE}:{n}: date: expected a date like 2024-02-04, got "15 January 2025"']


@case
def case_label_not_translated(p: Path) -> list[str]:
    """A label given as one text instead of one per language."""
    edit(p / FIGURES, "    label:\n      zh: 出台地方性法规\n      en: Local regulations passed\n",
         "    label: 出台地方性法规\n")  # fmt: skip
    i = figure_index(p, "laws-passed")
    n = line(p / FIGURES, "label: 出台地方性法规")
    return [
        f"{FIGURES}:{n}: figures[{i}].label: expected a text for each language (zh, en), "
        'got "出台地方性法规" (write it as label: {zh: …, en: …})'
    ]


@case
def case_unknown_field(p: Path) -> list[str]:
    """A misspelt field: the unknown one, and the one that is then missing."""
    edit(p / FIGURES, "    value: 3\n", "    vlaue: 3\n")
    i = figure_index(p, "laws-passed")
    start = line(p / FIGURES, "- id: laws-passed")
    n = line(p / FIGURES, "vlaue: 3")
    return [
        f'{FIGURES}:{start}: figures[{i}].value: "value" is missing: it should be a number '
        f"({VALUE_HINT})",
        f'{FIGURES}:{n}: figures[{i}].vlaue: unknown field "vlaue" (did you mean "value"?)',
    ]


@case
def case_unknown_qualifier(p: Path) -> list[str]:
    """A qualifier other than more-than."""
    edit(p / FIGURES, "    qualifier: more-than\n", "    qualifier: about\n")
    n = line(p / FIGURES, "qualifier: about")
    i = index_of(p, "qualifier: about")
    return [
        f'{FIGURES}:{n}: figures[{i}].qualifier: expected more-than or nearly or over, got "about" '
        "(leave it out if the source gives the exact number)"
    ]


@case
def case_value_too_large(p: Path) -> list[str]:
    """A value too large to be a count: digits typed twice."""
    edit(p / FIGURES, "    value: 6\n", "    value: 60000000000000000\n")
    n = line(p / FIGURES, "value: 60000000000000000")
    i = figure_index(p, "sessions")
    return [
        f"{FIGURES}:{n}: figures[{i}].value: the number is too large for a figure "
        "(is a digit typed twice?)"
    ]


@case
def case_empty_site_file(p: Path) -> list[str]:
    """site.yaml holding only a comment."""
    (p / SITE).write_text("# nothing here yet\n", encoding="utf-8")
    return [f"{SITE}:1: the file is empty"]


@case
def case_no_content_folder(p: Path) -> list[str]:
    """A project without a content folder."""
    shutil.rmtree(p / "content")
    return [
        "content: there is no content folder here "
        "(run the command in the project folder, or give --project)"
    ]


# Duplicates --------------------------------------------------------------------------------


@case
def case_duplicate_key(p: Path) -> list[str]:
    """A field of site.yaml given twice."""
    edit(p / SITE, "date: 2025-01-15\n", "date: 2025-01-15\ndate: 2025-01-16\n")
    first = line(p / SITE, "date: 2025-01-15")
    second = line(p / SITE, "date: 2025-01-16")
    return [
        f'{SITE}:{second}: date: the field "date" is given twice (first on line {first}) '
        "(keep one of them)"
    ]


@case
def case_duplicate_key_in_a_figure(p: Path) -> list[str]:
    """A field of a figure given twice."""
    edit(p / FIGURES, "    value: 3\n", "    value: 3\n    value: 3.5\n")
    i = figure_index(p, "laws-passed")
    return [
        f'{FIGURES}:{line(p / FIGURES, "value: 3.5")}: figures[{i}].value: the field "value" '
        f"is given twice (first on line {figure_line(p, 'laws-passed', 'value')}) "
        "(keep one of them)"
    ]


@case
def case_duplicate_figure_id(p: Path) -> list[str]:
    """The first figure copied to the end of the list: two figures with one id."""
    text = (p / FIGURES).read_text(encoding="utf-8")
    block = text[text.index("  - id: sessions") : text.index("  - id: laws-passed")]
    (p / FIGURES).write_text(text.rstrip("\n") + "\n\n" + block, encoding="utf-8")
    lines = (p / FIGURES).read_text(encoding="utf-8").split("\n")
    first, second = (n for n, text in enumerate(lines, 1) if text == "  - id: sessions")
    i = len(figures_of(p)) - 1  # the copy is the last figure
    return [
        f'{FIGURES}:{second}: figures[{i}].id: the id "sessions" is already used by the '
        f"figure on line {first} (give each figure its own id)"
    ]


# References, pages, links ------------------------------------------------------------------


@case
def case_unknown_figure_reference(p: Path) -> list[str]:
    """A misspelt [[id]] in a Chinese page: the nearest id is suggested."""
    page = p / "content/zh/highlight-1.md"
    edit(page, "[[suggestions]]", "[[sugestions]]")
    return [
        f"content/zh/highlight-1.md:{line(page, '[[sugestions]]')}: [[sugestions]]: "
        'unknown figure "sugestions" (did you mean "suggestions"?)'
    ]


@case
def case_empty_figure_reference(p: Path) -> list[str]:
    """An empty [[]] in an English page (inside a block quote)."""
    page = p / "content/en/goal-2.md"
    edit(page, "We will carry out", "We will [[]] carry out")
    return [
        f"content/en/goal-2.md:{line(page, '[[]]')}: [[]]: empty figure reference "
        f"(figures are defined in {FIGURES})"
    ]


@case
def case_figure_in_a_section_that_does_not_exist(p: Path) -> list[str]:
    """A figure whose section names no page: the pages there are are listed."""
    edit(p / FIGURES, "    section: overview\n    value: 3\n", "    section: highlight-9\n    value: 3\n")  # fmt: skip
    i = figure_index(p, "laws-passed")
    return [
        f"{FIGURES}:{line(p / FIGURES, 'highlight-9')}: figures[{i}].section: "
        'there is no page "highlight-9" (the pages are overview, highlight-1, highlight-2, '
        "closing, goal-1, goal-2)"
    ]


@case
def case_a_fourth_lead_figure(p: Path) -> list[str]:
    """A page leads with at most three figures: the fourth lead is the error, at its line."""
    for source in ("城区代表联络站120个", "乡镇代表联络站340个"):
        edit(p / FIGURES, f"    source: {source}\n", f"    source: {source}\n    lead: true\n")
    n = figure_line(p, "points", "lead")
    return [
        f"{FIGURES}:{n}: figures[{figure_index(p, 'points')}].lead: highlight-1 already leads "
        "with 3 figures (visits, suggestions, stations): a page leads with at most 3 "
        "(remove lead: true from one of them)"
    ]


@case
def case_lead_is_not_true_or_false(p: Path) -> list[str]:
    """lead: is true or left out."""
    edit(p / FIGURES, "    source: 走访群众1.8万人次\n    lead: true\n", "    source: 走访群众1.8万人次\n    lead: 3\n")  # fmt: skip
    n = figure_line(p, "visits", "lead")
    return [
        f"{FIGURES}:{n}: figures[{figure_index(p, 'visits')}].lead: expected true or false, "
        "got 3 (write lead: true for a figure its page leads with, or leave it out)"
    ]


@case
def case_bars_of_unlike_things(p: Path) -> list[str]:
    """A bar chart of figures that count different things: stations beside points."""
    edit(p / FIGURES, "    source: 乡镇代表联络站340个\n    counts: 代表联络站\n", "    source: 乡镇代表联络站340个\n    counts: 代表联络点\n")  # fmt: skip
    charts = p / "content/charts.yaml"
    return [
        f"content/charts.yaml:{line(charts, '      - stations') - 1}: charts[0].figures: the bars of a "
        "chart must count the same thing: stations counts 代表联络站, points counts 代表联络点 "
        "(draw only figures that count the same thing together, or drop the chart)"
    ]


@case
def case_bars_without_saying_what_they_count(p: Path) -> list[str]:
    """A bar chart's figures say what they count."""
    edit(p / FIGURES, "    source: 城区代表联络站120个\n    counts: 代表联络站\n", "    source: 城区代表联络站120个\n")  # fmt: skip
    charts = p / "content/charts.yaml"
    return [
        f"content/charts.yaml:{line(charts, '      - stations') - 1}: charts[0].figures: the bars of a "
        "chart must count the same thing: say what each figure counts (counts: …) in "
        "figures.yaml; stations does not"
    ]


@case
def case_page_missing_in_one_language(p: Path) -> list[str]:
    """A page deleted from English only."""
    (p / "content/en/goal-2.md").unlink()
    return [
        "content/en/goal-2.md: the page is missing in English: content/zh/goal-2.md has no "
        "English version (add goal-2.md to content/en/, or remove it from every language)"
    ]


@case
def case_page_with_a_wrong_name(p: Path) -> list[str]:
    """A Markdown file whose name is not a page's."""
    shutil.copy(p / "content/en/goal-2.md", p / "content/en/goal-three.md")
    return [
        "content/en/goal-three.md: this file name is not the name of a page "
        "(pages are overview.md, highlight-N.md, closing.md, goals-intro.md and goal-N.md)"
    ]


@case
def case_gap_in_numbering(p: Path) -> list[str]:
    """The last goal renumbered in both languages (its figure with it): goal-2 is missing."""
    for lang in ("zh", "en"):
        (p / f"content/{lang}/goal-2.md").rename(p / f"content/{lang}/goal-3.md")
    # The fixture's goal-2 has a figure: it moves with its page, so that the gap is the
    # only mistake.
    edit(p / FIGURES, "    section: goal-2\n", "    section: goal-3\n")
    return ["content/zh/goal-3.md: goal-2.md is missing: number the goals 1, 2, 3 … without gaps"]


@case
def case_front_matter_not_closed(p: Path) -> list[str]:
    """Front matter without its closing ---."""
    edit(p / "content/zh/goal-2.md", "title: 有效监督\n---\n", "title: 有效监督\n")
    return [
        'content/zh/goal-2.md:1: the front matter is not closed (end it with a line holding only "---")'
    ]


@case
def case_broken_link_in_markdown(p: Path) -> list[str]:
    """A Markdown link to an anchor that no element of the page has."""
    page = p / "content/en/goal-2.md"
    edit(
        page,
        "We will carry out",
        "As [Highlight 2](highlight-2.html#nowhere) shows, we will carry out",
    )
    return [
        f"content/en/goal-2.md:{line(page, '#nowhere')}: broken link "
        '"highlight-2.html#nowhere": en/highlight-2.html has no element with id "nowhere"'
    ]


# Templates and strings ---------------------------------------------------------------------


@case
def case_template_syntax_error(p: Path) -> list[str]:
    """A misspelt Jinja tag."""
    template = p / "templates/section.html"
    edit(template, "{% if tiles %}", "{% iff tiles %}")
    return [
        f"templates/section.html:{line(template, '{% iff tiles %}')}: template error: "
        "Encountered unknown tag 'iff'. Jinja was looking for the following tags: 'endblock'. "
        "The innermost block that needs to be closed is 'block'."
    ]


@case
def case_template_unknown_filter(p: Path) -> list[str]:
    """A filter that Jinja does not have."""
    template = p / "templates/base.html"
    edit(template, "{{ t.footer_note }}", "{{ t.footer_note | shout }}")
    n = line(template, "| shout")
    return [f"templates/base.html:{n}: template error: No filter named 'shout'."]


@case
def case_template_undefined_name(p: Path) -> list[str]:
    """A name that no template context has."""
    template = p / "templates/base.html"
    edit(template, "{{ t.footer_note }}", "{{ footer_note }}")
    return [
        f"templates/base.html:{line(template, '{{ footer_note }}')}: template error: "
        "'footer_note' is undefined"
    ]


@case
def case_template_names_a_missing_string(p: Path) -> list[str]:
    """A template using a string that strings.yaml does not define."""
    template = p / "templates/base.html"
    edit(template, "{{ t.footer_note }}", "{{ t.footer_notes }}")
    return [
        f"templates/base.html:{line(template, 't.footer_notes')}: t.footer_notes: "
        f'there is no "footer_notes" in {STRINGS} (did you mean "footer_note"?)'
    ]


@case
def case_string_removed(p: Path) -> list[str]:
    """A string a template uses, removed from strings.yaml."""
    edit(p / STRINGS, "skip_link: {zh: 跳到正文, en: Skip to main content}\n", "")
    n = line(p / "templates/base.html", "t.skip_link")
    return [
        f'templates/base.html:{n}: t.skip_link: there is no "skip_link" in {STRINGS} '
        f"(add it to {STRINGS} as skip_link: {{zh: …, en: …}})"
    ]


@case
def case_string_with_an_unknown_placeholder(p: Path) -> list[str]:
    """A placeholder that the string's text cannot use."""
    edit(p / STRINGS, 'en: "Highlight {number}"', 'en: "Highlight {num}"')
    return [
        f"{STRINGS}:{line(p / STRINGS, '{num}')}: highlight_label.en: "
        'unknown placeholder "{num}" (this text can use {number})'
    ]


# YAML that would construct objects ----------------------------------------------------------


@case
def case_yaml_python_object_tag(p: Path) -> list[str]:
    """A YAML tag that would run a command (test_the_python_tag_ran_nothing checks it does not)."""
    (p / "pwned").mkdir()
    edit(p / STRINGS, "keyword: {zh: 关键词, en: Keyword}",
         f"keyword: !!python/object/apply:os.system ['rm -r {p / 'pwned'}']")  # fmt: skip
    return [
        f"{STRINGS}:{line(p / STRINGS, '!!python')}: keyword: the YAML tag "
        f'"!!python/object/apply:os.system" is not allowed ({TAG_HINT})'
    ]


@case
def case_yaml_python_name_tag(p: Path) -> list[str]:
    """A YAML tag naming a Python function, as a figure's value."""
    edit(p / FIGURES, "    value: 6\n", "    value: !!python/name:os.system\n")
    i = figure_index(p, "sessions")
    return [
        f"{FIGURES}:{line(p / FIGURES, '!!python')}: figures[{i}].value: the YAML tag "
        f'"!!python/name:os.system" is not allowed ({TAG_HINT})'
    ]


@case
def case_yaml_alias(p: Path) -> list[str]:
    """A value repeated with a YAML anchor and alias."""
    edit(p / SITE, "title:\n", "title: &title\n")
    edit(p / SITE, "description:\n  zh:", "description: *title\nx:\n  zh:")
    n = line(p / SITE, "*title")
    return [
        f"{SITE}:{n}: description: repeating a value with & and * (YAML anchors and aliases) "
        "is not supported (write the value out in full)"
    ]


# Many at once ------------------------------------------------------------------------------


@case
def case_every_error_of_a_run_is_reported(p: Path) -> list[str]:
    """Four mistakes in four files: all reported in one run."""
    # In the order printed: by file, then line (a file-wide error first).
    return (
        case_page_missing_in_one_language(p)  # content/en/goal-2.md
        + case_value_not_a_number(p)  # content/figures.yaml
        + case_string_with_an_unknown_placeholder(p)  # content/strings.yaml
        + case_missing_front_matter_field(p)  # content/zh/highlight-2.md
    )


# The test ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A successful build of the full fixture: the site a failed build must not touch."""
    base = tmp_path_factory.mktemp("previous")
    out = base / "out"
    build_site(copy_site("full", base / "project"), out)
    return out


def numbered_lines(stderr: str) -> list[str]:
    """The errors the CLI printed, one numbered line each, without their numbers."""
    return re.findall(r"^ *\d+\. (.*)$", stderr, re.M)


def leftovers(out: Path) -> list[str]:
    """Temporary folders a build left beside the output (``.out.…``): there must be none."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_a_mistake_fails_the_build_at_its_line_and_keeps_the_previous_site(
    name: str, project: Path, previous: Path, tmp_path: Path
):
    """Status 1, exactly the expected lines, no traceback, the previous site untouched."""
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = tree_hash(out)
    expected = CASES[name](project)

    result = run_cli("build", "--project", str(project), "--out", str(out))

    assert result.returncode == 1, result.stdout + result.stderr
    assert numbered_lines(result.stderr) == expected
    count = len(expected)
    assert f"Found {count} error{'s' if count > 1 else ''}; nothing was written:" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert tree_hash(out) == before
    assert leftovers(out) == []
    assert not (project / "build").exists()


def test_the_python_tag_ran_nothing(project: Path, tmp_path: Path):
    """The object tag is refused, not constructed: the command in it never runs."""
    case_yaml_python_object_tag(project)
    run_cli("check", "--project", str(project))
    assert (project / "pwned").is_dir()


# Warnings ----------------------------------------------------------------------------------


def warn_unused_figure(p: Path) -> list[str]:
    """A figure that no page refers to any more, in either language."""
    edit(p / "content/zh/overview.md", "会议[[sessions]]次", "会议多次")
    edit(p / "content/en/overview.md", "held [[sessions]] sessions", "held several sessions")
    i = figure_index(p, "sessions")
    return [
        f"{FIGURES}:{line(p / FIGURES, '- id: sessions')}: figures[{i}].id: the figure "
        '"sessions" is not used on any page (refer to it as [[sessions]] in the text, '
        "or remove it)"
    ]


def warn_value_not_in_its_phrase(p: Path) -> list[str]:
    """A value corrected without its source phrase."""
    edit(p / FIGURES, "    value: 6\n", "    value: 9\n")
    i = figure_index(p, "sessions")
    return [
        f"{FIGURES}:{line(p / FIGURES, 'source: 召开常委会会议6次')}: figures[{i}].source: "
        'the value 9 does not appear in its source phrase "召开常委会会议6次" '
        '(if the number was officially corrected, keep the phrase as printed and add "correction:" with the previous value, the date and a note)'
    ]


def warn_phrase_not_in_the_source(p: Path) -> list[str]:
    """A source phrase that the original text does not hold."""
    edit(p / FIGURES, "source: 召开常委会会议6次", "source: 召开了常委会会议6次")
    i = figure_index(p, "sessions")
    return [
        f"{FIGURES}:{line(p / FIGURES, '召开了常委会会议6次')}: figures[{i}].source: "
        'the phrase "召开了常委会会议6次" is not in the source text '
        "content/source/report.zh.txt (copy the phrase from the source text exactly)"
    ]


WARNINGS = {
    "unused-figure": warn_unused_figure,
    "value-not-in-its-source-phrase": warn_value_not_in_its_phrase,
    "phrase-not-in-the-source-text": warn_phrase_not_in_the_source,
}


@pytest.mark.parametrize("name", WARNINGS, ids=list(WARNINGS))
def test_a_warning_is_printed_and_strict_makes_it_an_error(
    name: str, project: Path, previous: Path, tmp_path: Path
):
    """With --strict the warning fails the build; without, it is printed and the site built."""
    expected = WARNINGS[name](project)
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = tree_hash(out)

    strict = run_cli("build", "--project", str(project), "--out", str(out), "--strict")
    assert strict.returncode == 1
    assert numbered_lines(strict.stderr) == expected
    assert "warning:" not in strict.stderr
    assert tree_hash(out) == before

    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert re.findall(r"^  warning: (.*)$", result.stderr, re.M) == expected
    assert "1 warning:" in result.stderr
    assert "Built " in result.stdout
    assert tree_hash(out) != before
    assert "Traceback" not in result.stdout + result.stderr


# Accepted: what looks odd but is fine ---------------------------------------------------------


def test_a_bom_and_crlf_line_endings_change_nothing(project: Path, previous: Path, tmp_path: Path):
    """Files saved with a byte-order mark and Windows line ends build the same site."""
    for rel in (SITE, FIGURES, STRINGS, "content/zh/goal-1.md", "content/en/highlight-2.md"):
        file = project / rel
        file.write_bytes(b"\xef\xbb\xbf" + file.read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "out"
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert tree_hash(out) == tree_hash(previous)
