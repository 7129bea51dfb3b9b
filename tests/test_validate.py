"""validate.py: the checks across files, each problem once, at its own place.

The content comes from the fixture sites (tests/sites/full through the ``project``
fixture, tests/sites/minimal through ``minimal``), read by ``load.load_content`` as a
build reads it, or is written inline. The full fixture's figures that the cases use:
``sessions`` (the first, value 6, used on both overview pages), ``hearings`` (value 2.5,
used on both goal-1 pages), ``code-sample`` (the last, on goal-2); its pages: overview,
highlight-1, highlight-2, goal-1, goal-2 (and each language's goals-intro).
"""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, edit, line
from zhoukou_report.errors import BuildFailed
from zhoukou_report.fields import Problems
from zhoukou_report.figures import read_figures
from zhoukou_report.load import load_content
from zhoukou_report.model import SourceText, Text
from zhoukou_report.render import SiteRenderer
from zhoukou_report.strings import Use
from zhoukou_report.validate import (
    check_references,
    check_source_phrases,
    check_strings,
    validate_content,
)
from zhoukou_report.yamldoc import YamlDoc, parse_yaml

FIGURES = "content/figures.yaml"
STRINGS = "content/strings.yaml"
SOURCE = "content/source/report.zh.txt"
ADD_CODE_STRING = "add it to content/strings.yaml as {name}: {{zh: …, en: …}}"


def figure_index(project: Path, figure_id: str) -> int:
    """The position of a figure in figures.yaml's list, as its field path counts it."""
    ids = re.findall(r"^  - id: (\S+)$", (project / FIGURES).read_text(encoding="utf-8"), re.M)
    return ids.index(figure_id)


@functools.cache
def template_uses() -> dict[str, Use]:
    """The strings the repository's templates use (every fixture site has them): compiled
    once, as compiling takes most of the time of reading a project."""
    problems = Problems()
    uses = SiteRenderer(ROOT).load_templates(problems)
    assert problems.errors == []
    return uses


def validated(project: Path) -> Problems:
    """The problems of a project after stages 1 and 2 of a build: load, then validate."""
    problems = Problems()
    content = load_content(project, problems)
    validate_content(content, template_uses(), problems)
    return problems


def errors(project: Path) -> list[str]:
    return [error.format() for error in validated(project).errors]


def warnings(project: Path) -> list[str]:
    problems = validated(project)
    assert problems.errors == []
    return [warning.format() for warning in problems.warnings]


# The fixtures ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["full", "minimal"], ids=["full", "minimal"])
def test_the_fixture_sites_have_no_problem(name: str, project: Path, minimal: Path):
    problems = validated(project if name == "full" else minimal)
    assert problems.errors == []
    assert problems.warnings == []


# Parts that could not be read: nothing more is said of them ---------------------------------


@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        (STRINGS, f"{STRINGS}: the file is missing"),
        (FIGURES, f"{FIGURES}: the file is missing"),
        (SOURCE, f"{SOURCE}: the source text is missing"),
    ],
    ids=["strings", "figures", "source"],
)
def test_a_missing_file_is_one_error_and_the_checks_that_need_it_are_skipped(
    project: Path, missing: str, expected: str
):
    (project / missing).unlink()
    assert errors(project) == [expected]


def test_without_languages_no_string_is_reported_missing(project: Path):
    """The strings cannot be read without the languages: no use of them is reported."""
    site = project / "content/site.yaml"
    text = site.read_text(encoding="utf-8")
    start, end = text.index("languages:"), text.index("title:")
    site.write_text(text[:start] + "languages: []\n\n" + text[end:], encoding="utf-8")
    assert errors(project) == [
        f"content/site.yaml:{line(site, 'languages: []')}: languages: "
        '"languages" is empty: it should be a list of languages'
    ]


def test_an_unreadable_page_is_one_error(project: Path):
    """It is not also reported missing, and validate passes over it (its body is None)."""
    page = project / "content/en/goal-1.md"
    page.write_bytes(page.read_bytes() + "听证".encode("gbk"))
    last = len(page.read_bytes().split(b"\n"))  # the line the GBK bytes are on
    assert errors(project) == [
        f"content/en/goal-1.md:{last}: the file is not UTF-8 text (save it as UTF-8 in your editor)"
    ]


@pytest.mark.parametrize(
    "figure_id", ["sessions", "stations"], ids=["used-in-prose", "used-in-a-chart-too"]
)
def test_a_figure_that_could_not_be_read_is_one_error(project: Path, figure_id: str):
    """sessions is used on both overview pages; stations also in the chart "liaison": its
    own error is enough, neither its references nor the chart are reported."""
    figures = project / FIGURES
    lines = figures.read_text(encoding="utf-8").split("\n")
    n = line(figures, f"- id: {figure_id}") + 2
    assert lines[n - 1].startswith("    value: ")
    lines[n - 1] = "    value: many"
    figures.write_text("\n".join(lines), encoding="utf-8")
    i = figure_index(project, figure_id)
    assert errors(project) == [
        f'{FIGURES}:{n}: figures[{i}].value: expected a number, got "many" '
        "(write it in digits, without separators or 万: 18000, 92.1)"
    ]


def test_a_page_whose_front_matter_fails_is_still_a_section(project: Path):
    """The figures of highlight-1 are not reported as belonging to no page."""
    page = project / "content/zh/highlight-1.md"
    edit(page, "keyword: ", "keywords: ")
    start = page.read_text(encoding="utf-8").split("\n").index("---") + 1  # of front matter
    assert errors(project) == [
        f"content/zh/highlight-1.md:{line(page, 'keywords: ')}: keywords: "
        'unknown field "keywords" (did you mean "keyword"?)',
        f'content/zh/highlight-1.md:{start}: keyword: "keyword" is missing: it should be text',
    ]


def test_every_problem_of_every_file_is_reported_in_one_run(project: Path):
    """Reading goes on after a mistake, in every file; a failure lists them in file and
    line order."""
    edit(project / FIGURES, "    value: 6\n", "    value: six\n")
    edit(project / FIGURES, "    value: 3\n", "    value: three\n")
    edit(project / "content/site.yaml", "date: 2025-01-15", "date: someday")
    edit(project / "content/en/goal-1.md", "[[hearings]]", "[[hearing]]")
    failure = BuildFailed(validated(project).errors)
    page, site = project / "content/en/goal-1.md", project / "content/site.yaml"
    hint = "(write it in digits, without separators or 万: 18000, 92.1)"
    assert [error.format() for error in failure.errors] == [
        f"content/en/goal-1.md:{line(page, '[[hearing]]')}: [[hearing]]: "
        'unknown figure "hearing" (did you mean "hearings"?)',
        f"{FIGURES}:{line(project / FIGURES, 'value: six')}: figures[0].value: "
        f'expected a number, got "six" {hint}',
        f"{FIGURES}:{line(project / FIGURES, 'value: three')}: figures[1].value: "
        f'expected a number, got "three" {hint}',
        f"content/site.yaml:{line(site, 'date: someday')}: date: "
        'expected a date like 2024-02-04, got "someday"',
    ]


def test_an_entry_of_figures_yaml_that_is_not_a_figure_is_one_error(project: Path):
    figures = project / FIGURES
    figures.write_text(figures.read_text(encoding="utf-8") + "\n  - just text\n", "utf-8")
    count = figure_index(project, "code-sample") + 1
    assert errors(project) == [
        f"{FIGURES}:{line(figures, '- just text')}: figures[{count}]: "
        'expected a figure (id, section, value, …), got "just text"'
    ]


# Sections ----------------------------------------------------------------------------------

PAGES_HINT = "the pages are overview, highlight-1, highlight-2, closing, goal-1, goal-2"


@pytest.mark.parametrize(
    "section", ["goal-9", "goals-intro", "Goal-1"], ids=["no-such-page", "intro", "case"]
)
def test_a_figure_whose_section_has_no_page_is_an_error(project: Path, section: str):
    edit(project / FIGURES, "    section: goal-2\n", f"    section: {section}\n")
    n = line(project / FIGURES, f"section: {section}")
    i = figure_index(project, "code-sample")
    assert errors(project) == [
        f'{FIGURES}:{n}: figures[{i}].section: there is no page "{section}" ({PAGES_HINT})'
    ]


def test_a_page_of_one_language_is_a_section_for_the_figures(project: Path):
    """A page missing in English is reported as missing, not its figures' section."""
    (project / "content/en/goal-2.md").unlink()
    assert errors(project) == [
        "content/en/goal-2.md: the page is missing in English: content/zh/goal-2.md has no "
        "English version (add goal-2.md to content/en/, or remove it from every language)"
    ]


# References --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "old", "new", "message"),
    [
        (
            "en/goal-1.md",
            "[[hearings]]",
            "[[hearing]]",
            'unknown figure "hearing" (did you mean "hearings"?)',
        ),
        (
            "zh/overview.md",
            "[[laws-passed]]",
            "[[budget]]",
            f'unknown figure "budget" (figures are defined in {FIGURES})',
        ),
        (
            "zh/overview.md",
            "[[laws-passed]]",
            "[[]]",
            f"empty figure reference (figures are defined in {FIGURES})",
        ),
    ],
    ids=["typo", "unknown", "empty"],
)
def test_a_reference_to_no_figure_is_an_error_at_its_line(
    project: Path, page: str, old: str, new: str, message: str
):
    """The line counts from the top of the file, front matter included (en/goal-1.md has
    some), and within a paragraph (laws-passed is on the second line of one)."""
    file = project / "content" / page
    edit(file, old, new)  # the figure is still used in the other language
    problems = validated(project)
    assert [error.format() for error in problems.errors] == [
        f"content/{page}:{line(file, new)}: {new}: {message}"
    ]
    assert problems.warnings == []


def test_a_reference_shown_as_typed_is_neither_checked_nor_a_use(project: Path):
    """In code, [[id]] is an example of the syntax: hearings is then used nowhere."""
    for lang in ("en", "zh"):
        page = project / "content" / lang / "goal-1.md"
        text = page.read_text(encoding="utf-8")
        page.write_text(
            text.replace("[[hearings]]", "a few") + "\nWritten `[[hearings]]` or `[[nothing]]`.\n",
            encoding="utf-8",
        )
    n = line(project / FIGURES, "- id: hearings")
    i = figure_index(project, "hearings")
    assert warnings(project) == [
        f'{FIGURES}:{n}: figures[{i}].id: the figure "hearings" is not used on any page '
        "(refer to it as [[hearings]] in the text, or remove it)"
    ]


def test_a_figure_used_in_one_language_only_is_used_and_missing_from_the_other(project: Path):
    edit(project / "content/en/goal-1.md", "[[hearings]]", "a few")
    problems = validated(project)
    assert problems.warnings == []  # used: not reported as unused
    body = 4  # the line after goal-1.md's front matter
    zh = line(project / "content/zh/goal-1.md", "[[hearings]]")
    assert [error.format() for error in problems.errors] == [
        f"content/en/goal-1.md:{body}: [[hearings]]: the figure is not referred to here, but "
        f"content/zh/goal-1.md:{zh} refers to it (every language shows the same figures)"
    ]


def test_a_figure_that_could_not_be_read_is_still_checked_for_both_languages(project: Path):
    """Its own error, and the page of one language that lacks it: the figure is declared
    in figures.yaml, so the pages that refer to it are checked as for any figure."""
    figures = project / FIGURES
    n = line(figures, "- id: hearings") + 2
    edit(figures, "    value: 2.5", "    value: many")
    edit(project / "content/en/goal-1.md", "[[hearings]]", "a few")
    zh = line(project / "content/zh/goal-1.md", "[[hearings]]")
    i = figure_index(project, "hearings")
    assert errors(project) == [
        f'{FIGURES}:{n}: figures[{i}].value: expected a number, got "many" '
        "(write it in digits, without separators or 万: 18000, 92.1)",
        f"content/en/goal-1.md:4: [[hearings]]: the figure is not referred to here, but "
        f"content/zh/goal-1.md:{zh} refers to it (every language shows the same figures)",
    ]


def test_check_references_reads_the_ids_of_any_figures_document():
    """A document without a list of figures declares no id: every reference is unknown."""
    markdown = "Held [[sessions]] sessions.\n\nAnd [[visits]]."
    text = Text(markdown, "content/en/overview.md", 3, (("sessions", 0), ("visits", 2)))
    for doc in (YamlDoc(FIGURES, {}), YamlDoc(FIGURES, {"figures": 5}), YamlDoc(FIGURES, None)):
        problems = Problems()
        check_references({"en": {"overview": text, "goal-1": None}}, {}, doc, problems)
        assert [error.format() for error in problems.errors] == [
            f'content/en/overview.md:3: [[sessions]]: unknown figure "sessions" '
            f"(figures are defined in {FIGURES})",
            f'content/en/overview.md:5: [[visits]]: unknown figure "visits" '
            f"(figures are defined in {FIGURES})",
        ]
        assert problems.warnings == []


def test_only_figures_with_a_text_id_are_declared():
    doc = YamlDoc(FIGURES, {"figures": [{"id": 5}, None, {"id": "sessions"}]})
    text = Text("[[sessions]] [[5]]", "content/en/overview.md", 1, (("sessions", 0), ("5", 0)))
    problems = Problems()
    check_references({"en": {"overview": text}}, {}, doc, problems)
    assert [error.format() for error in problems.errors] == [
        f'content/en/overview.md:1: [[5]]: unknown figure "5" (figures are defined in {FIGURES})'
    ]


# Source phrases ----------------------------------------------------------------------------

ONE_FIGURE = """\
figures:
  - id: visits
    section: overview
    value: {value}
    unit: {{zh: 人次}}
    label: {{zh: 走访, en: Visits}}
    source: "{source}"
"""
THE_SOURCE = SourceText(
    (("paragraph", "代表走访群众1.8万人次，另有走访18000人次。"), ("paragraph", "18,000 visits")),
    SOURCE,
)
SOURCE_LINE = ONE_FIGURE.split("\n").index('    source: "{source}"') + 1
VALUE_HINT = (
    "if the number was officially corrected, keep the phrase as printed and add "
    '"correction:" with the previous value, the date and a note'
)
PHRASE_HINT = "copy the phrase from the source text exactly"


def value_warning(value: str, source: str) -> str:
    return (
        f"{FIGURES}:{SOURCE_LINE}: figures[0].source: the value {value} does not appear in its source "
        f'phrase "{source}" ({VALUE_HINT})'
    )


def phrase_warning(source: str) -> str:
    return (
        f'{FIGURES}:{SOURCE_LINE}: figures[0].source: the phrase "{source}" is not in the source text '
        f"{SOURCE} ({PHRASE_HINT})"
    )


@pytest.mark.parametrize(
    ("value", "source", "expected"),
    [
        ("18000", "走访群众1.8万人次", []),
        ("18000", "走访18000人次", []),
        ("18000", "18,000 visits", []),
        ("19000", "走访群众1.8万人次", [value_warning("19000", "走访群众1.8万人次")]),
        ("18000", "走访群众1.8万次", [phrase_warning("走访群众1.8万次")]),
        (
            "2.5",
            "走访群众1.8万次",
            [value_warning("2.5", "走访群众1.8万次"), phrase_warning("走访群众1.8万次")],
        ),
    ],
    ids=["wan", "plain", "grouped", "corrected-value", "phrase-not-in-source", "both"],
)  # fmt: skip
def test_a_value_must_appear_in_its_source_phrase_and_the_phrase_in_the_source(
    value: str, source: str, expected: list[str]
):
    problems = Problems()
    doc = parse_yaml(ONE_FIGURE.format(value=value, source=source), FIGURES)
    figures, doc = read_figures(doc, ("zh", "en"), problems)
    check_source_phrases(figures, doc, THE_SOURCE, problems)
    assert problems.errors == []
    assert [warning.format() for warning in problems.warnings] == expected


def test_a_corrected_figure_is_a_warning_in_the_fixture(project: Path):
    edit(project / FIGURES, "    value: 6\n", "    value: 7\n")
    n = line(project / FIGURES, "source: 召开常委会会议6次")
    assert warnings(project) == [
        f"{FIGURES}:{n}: figures[0].source: the value 7 does not appear in its source phrase "
        f'"召开常委会会议6次" ({VALUE_HINT})'
    ]


# Strings -----------------------------------------------------------------------------------


def check(strings_yaml: str, uses: dict[str, Use], codes: tuple[str, ...] = ("zh", "en")):
    """The errors of check_strings, for a strings.yaml and the uses of the templates."""
    doc = parse_yaml(strings_yaml, STRINGS)
    problems = Problems()
    strings = {
        key: value
        for key, value in doc.data.items()
        if isinstance(value, dict) and set(value) == set(codes)
    }
    check_strings(strings, doc, uses, problems)
    assert problems.warnings == []
    return [error.format() for error in problems.errors]


@pytest.mark.parametrize(
    ("text", "placeholders", "expected"),
    [
        ("《{name}》", {"name"}, None),
        ("{{literal braces}} {name}", {"name"}, None),
        ("no placeholder", {"name"}, None),
        ("{b} {a}", {"a", "b"}, None),
        ("《{nam}》", {"name"}, 'unknown placeholder "{nam}" (this text can use {name})'),
        ("《{}》", {"name"}, 'unknown placeholder "{}" (this text can use {name})'),
        ("{c}", {"b", "a"}, 'unknown placeholder "{c}" (this text can use {a}, {b})'),
        ("《{x}》", set(), 'unknown placeholder "{x}" (this text has no placeholders)'),
        ("《{name", {"name"}, 'a "{" or "}" without its pair (this text can use {name})'),
        ("《name}", {"name"}, 'a "{" or "}" without its pair (this text can use {name})'),
        ("《{name!r}》", {"name"}, 'write the placeholder as "{name}", without ":" or "!" (this text can use {name})'),
        ("《{name:>9}》", {"name"}, 'write the placeholder as "{name}", without ":" or "!" (this text can use {name})'),
    ],
    ids=["ok", "literal-braces", "none", "two", "typo", "positional", "two-allowed",
         "none-allowed", "unclosed", "unopened", "conversion", "format-spec"],
)  # fmt: skip
def test_the_placeholders_of_a_formatted_string(
    text: str, placeholders: set[str], expected: str | None
):
    uses = {"cite": Use("templates/base.html", 4, placeholders)}
    errors = check(f"cite:\n  zh: 引文\n  en: '{text}'\n", uses)
    assert errors == ([] if expected is None else [f"{STRINGS}:3: cite.en: {expected}"])


def test_each_language_of_a_string_is_checked():
    uses = {"cite": Use("templates/base.html", 4, {"name"})}
    assert check("cite:\n  zh: '{nme}'\n  en: '{nam}'\n", uses) == [
        f'{STRINGS}:2: cite.zh: unknown placeholder "{{nme}}" (this text can use {{name}})',
        f'{STRINGS}:3: cite.en: unknown placeholder "{{nam}}" (this text can use {{name}})',
    ]


def test_braces_in_a_string_that_is_not_formatted_are_plain_text():
    assert check("brand: {zh: '{周口}', en: '{x'}\n", {"brand": Use("t.html", 1)}) == []


def test_a_string_formatted_with_arguments_that_cannot_be_read_is_not_checked():
    use = Use("templates/base.html", 4, {"name"})
    use.dynamic = True
    assert check("cite: {zh: '{other}', en: '{'}\n", {"cite": use}) == []


def test_a_string_that_no_template_uses_is_not_an_error():
    assert check("unused: {zh: '{x', en: '{x}'}\n", {}) == []


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("skip_lnk", 'did you mean "skip_lnk"?'),
        ("other", "add it to content/strings.yaml as skip_link: {zh: …, en: …}"),
    ],
    ids=["typo", "absent"],
)
def test_a_string_a_template_uses_but_strings_yaml_lacks_is_reported_in_the_template(
    given: str, hint: str
):
    uses = {"skip_link": Use("templates/base.html", 44), "other": Use("templates/x.html", 2)}
    text = f"{given}: {{zh: 跳到正文, en: Skip}}\n"
    if given != "other":
        text += "other: {zh: 别的, en: Other}\n"
    assert check(text, uses) == [
        f'templates/base.html:44: t.skip_link: there is no "skip_link" in {STRINGS} ({hint})'
    ]


def test_a_string_used_by_a_template_is_not_suggested_for_another():
    """The hint names only strings no template uses: skip_links is used, not misspelt."""
    uses = {"skip_link": Use("templates/base.html", 44), "skip_links": Use("t.html", 1)}
    assert check("skip_links: {zh: a, en: b}\n", uses) == [
        f'templates/base.html:44: t.skip_link: there is no "skip_link" in {STRINGS} '
        "(add it to content/strings.yaml as skip_link: {zh: …, en: …})"
    ]


def test_a_string_given_but_unreadable_is_not_also_missing():
    """Its own error (from the reader of strings.yaml) says what is wrong with it."""
    uses = {"skip_link": Use("templates/base.html", 44), "goal_label": Use(None, None, set())}
    assert check("skip_link: {zh: 跳到正文}\ngoal_label: 目标\n", uses) == []


def test_a_string_the_code_uses_is_reported_at_strings_yaml(project: Path):
    edit(project / STRINGS, 'goal_label: {zh: "目标{number}", en: "Goal {number}"}\n', "")
    assert errors(project) == [
        f'{STRINGS}: goal_label: "goal_label" is missing: it is used for the headings of the '
        f"pages ({ADD_CODE_STRING.format(name='goal_label')})"
    ]


def test_a_string_a_template_uses_is_reported_at_the_template(project: Path):
    edit(project / STRINGS, "skip_link: {zh: 跳到正文", "skip_lnk: {zh: 跳到正文")
    n = line(project / "templates/base.html", "{{ t.skip_link }}")
    assert errors(project) == [
        f'templates/base.html:{n}: t.skip_link: there is no "skip_link" in {STRINGS} '
        '(did you mean "skip_lnk"?)'
    ]


def test_a_placeholder_the_code_does_not_fill_is_reported_at_strings_yaml(project: Path):
    edit(project / STRINGS, 'en: "Goal {number}"', 'en: "Goal {num}"')
    n = line(project / STRINGS, '"Goal {num}"')
    assert errors(project) == [
        f'{STRINGS}:{n}: goal_label.en: unknown placeholder "{{num}}" '
        "(this text can use {number})"
    ]


def test_the_placeholders_every_template_fills_are_allowed(project: Path):
    """cite is formatted with name= in two templates: {name} is allowed, {title} is not."""
    edit(
        project / STRINGS,
        'cite: {zh: "《{name}》", en: "{name}"}',
        'cite: {zh: "《{name}》", en: "{title}"}',
    )
    n = line(project / STRINGS, '"{title}"')
    assert errors(project) == [
        f'{STRINGS}:{n}: cite.en: unknown placeholder "{{title}}" (this text can use {{name}})'
    ]


def test_a_language_without_its_folder_reports_no_figure(project: Path):
    shutil.rmtree(project / "content/en")
    assert errors(project) == ["content/en/: the folder of the English pages is missing"]
