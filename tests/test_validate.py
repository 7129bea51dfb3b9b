"""validate.py and the readers it runs: every problem once, at its own place, none in cascade."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpers import edit
from zhoukou_report.errors import BuildFailed, ContentError
from zhoukou_report.fields import Problems, text_field, translated
from zhoukou_report.strings import Use, check_strings, template_uses
from zhoukou_report.validate import load_site
from zhoukou_report.yamldoc import parse_yaml

FIGURES = "content/figures.yaml"


def errors_of(project: Path, strict: bool = False) -> list[str]:
    with pytest.raises(BuildFailed) as caught:
        load_site(project, strict=strict)
    return [error.format() for error in caught.value.errors]


def line_of(file: Path, text: str) -> int:
    lines = file.read_text(encoding="utf-8").split("\n")
    found = [n for n, line in enumerate(lines, 1) if text in line]
    assert len(found) == 1, found
    return found[0]


def test_the_real_content_loads_without_errors_or_warnings(project: Path):
    site, warnings = load_site(project)
    assert warnings == []
    assert len(site.figures) == 44
    assert [lang.code for lang in site.languages] == ["zh", "en"]


def test_every_error_of_every_file_is_reported_in_file_and_line_order(project: Path):
    edit(project / FIGURES, "    value: 8\n", "    value: eight\n")
    edit(project / FIGURES, "    value: 17\n", "    value: seventeen\n")
    edit(project / "content/site.yaml", "date: 2024-02-04", "date: someday")
    edit(project / "content/zh/goal-1.md", "title: ", "tittle: ")
    errors = errors_of(project)
    assert [error.split(": ")[0] for error in errors] == [
        f"{FIGURES}:{line_of(project / FIGURES, 'value: eight')}",
        f"{FIGURES}:{line_of(project / FIGURES, 'value: seventeen')}",
        f"content/site.yaml:{line_of(project / 'content/site.yaml', 'date: someday')}",
        "content/zh/goal-1.md:1",
        "content/zh/goal-1.md:2",
    ]


def test_a_broken_figure_is_not_also_an_unknown_reference_or_a_broken_chart(project: Path):
    """sc-sessions is used in both overviews, and specialized-smes in a chart."""
    edit(project / FIGURES, "    value: 8\n", "    value: x\n")
    text = (project / FIGURES).read_text()
    smes = text.index("  - id: specialized-smes")
    value = text.index("    value:", smes)
    end = text.index("\n", value)
    (project / FIGURES).write_text(text[:value] + "    value: y" + text[end:], encoding="utf-8")
    errors = errors_of(project)
    assert len(errors) == 2, errors
    assert 'figures[0].value: expected a number, got "x"' in errors[0]
    assert '.value: expected a number, got "y"' in errors[1]


def test_an_unreadable_page_is_not_also_missing(project: Path):
    page = project / "content/en/goal-3.md"
    page.write_bytes(page.read_bytes() + "贾鲁河".encode("gbk"))
    errors = errors_of(project)
    assert len(errors) == 1
    assert errors[0].startswith("content/en/goal-3.md:")
    assert "is not UTF-8" in errors[0]


def test_a_missing_language_folder_is_one_error(project: Path):
    import shutil

    shutil.rmtree(project / "content/en")
    assert errors_of(project) == ["content/en/: the folder of the English pages is missing"]


def test_a_page_whose_front_matter_fails_still_counts_as_a_page(project: Path):
    """Its figures are not reported as belonging to a page that does not exist."""
    edit(project / "content/zh/highlight-4.md", "keyword: ", "keywords: ")
    errors = errors_of(project)
    assert [error.split(": ")[1] for error in errors] == ["keyword", "keywords"]


def test_warnings_are_returned_and_strict_makes_them_errors(project: Path):
    edit(project / FIGURES, "    value: 8\n", "    value: 9\n")
    _, warnings = load_site(project)
    assert [w.field for w in warnings] == ["figures[0].source"]
    assert errors_of(project, strict=True) == [warnings[0].format()]


def test_a_template_that_is_not_utf8_is_reported_before_rendering(project: Path):
    template = project / "templates/section.html"
    template.write_bytes(template.read_bytes().replace("›".encode(), "›".encode("cp1252")))
    errors = errors_of(project)
    assert len(errors) == 1
    assert errors[0].startswith("templates/section.html:")
    assert errors[0].endswith("the file is not UTF-8 text (save it as UTF-8 in your editor)")


def test_a_title_written_as_a_date_is_taken_as_written(project: Path):
    edit(project / "content/en/goal-1.md", "title: Raising political standing", "title: 2024-02-04")
    site, _ = load_site(project)
    assert site.page("goal-1", "en").title == "2024-02-04"


# fields ------------------------------------------------------------------------------------


def read_text_field(source: str, key: str = "keyword") -> tuple[str | None, list[str]]:
    doc = parse_yaml(source, "p.md", first_line=2)
    doc.top_line = 1
    problems = Problems()
    value = text_field(doc, key, doc.data.get(key) if doc.data else None, problems)
    return value, [error.format() for error in problems.errors]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("keyword: 依法监督\n", ("依法监督", [])),
        ("keyword: 2024\n", ("2024", [])),
        ('keyword: ": "\n', (": ", [])),
        ("other: x\n", (None, ['p.md:1: keyword: "keyword" is missing: it should be text'])),
        ("keyword:\n", (None, ['p.md:2: keyword: "keyword" is empty: it should be text'])),
        ('keyword: "  "\n', (None, ['p.md:2: keyword: "keyword" is empty: it should be text'])),
        (
            "keyword: No\n",
            (None, ['p.md:2: keyword: expected text, got false (put it in quotes if it is '
                    'meant as text: "…")']),
        ),
        ("keyword: [a, b]\n", (None, ["p.md:2: keyword: expected text, got a list"])),
        ("keyword: {a: b}\n", (None, ["p.md:2: keyword: expected text, got name: value pairs"])),
    ],
    ids=["text", "number", "quoted-space", "missing", "empty", "blank", "bool", "list", "mapping"],
)  # fmt: skip
def test_text_fields(source: str, expected: tuple[str | None, list[str]]):
    assert read_text_field(source) == expected


def test_a_translated_text_names_the_language_that_is_missing_or_unknown():
    doc = parse_yaml("label:\n  zh: 次\n  fr: fois\n", "f.yaml")
    problems = Problems()
    assert translated(doc, "label", doc.data["label"], ("zh", "en"), problems) is None
    assert [error.format() for error in problems.errors] == [
        'f.yaml:1: label.en: "en" is missing: it should be the en text',
        'f.yaml:3: label.fr: "fr" is not one of the site\'s languages (zh, en)',
    ]


# strings -----------------------------------------------------------------------------------


def check(strings_yaml: str, uses: dict[str, Use]) -> list[str]:
    doc = parse_yaml(strings_yaml, "content/strings.yaml")
    problems = Problems()
    strings = {key: value for key, value in doc.data.items()}
    check_strings(strings, doc, uses, problems)
    return [error.format() for error in problems.errors]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("《{name}》", []),
        ("{{literal braces}} {name}", []),
        ("no placeholder", []),
        ("《{nam}》", ['unknown placeholder "{nam}" (this text can use {name})']),
        ("《{}》", ['unknown placeholder "{}" (this text can use {name})']),
        ("《{name", ['a "{" or "}" without its pair (this text can use {name})']),
        ("《{name!r}》", ['write the placeholder as "{name}", without ":" or "!" (this text can use {name})']),
        ("《{name:>9}》", ['write the placeholder as "{name}", without ":" or "!" (this text can use {name})']),
    ],
    ids=["ok", "literal-braces", "none", "typo", "positional", "unclosed", "conversion", "format-spec"],
)  # fmt: skip
def test_placeholders_of_a_formatted_string(text: str, expected: list[str]):
    uses = {"cite": Use("templates/base.html", 4, {"name"})}
    errors = check(f"cite:\n  zh: x\n  en: '{text}'\n", uses)
    assert errors == [f"content/strings.yaml:3: cite.en: {message}" for message in expected]


def test_braces_in_a_string_that_is_not_formatted_are_plain_text():
    assert check("brand: {zh: '{周口}', en: '{x'}\n", {"brand": Use("t.html", 1)}) == []


def test_the_strings_the_templates_use_are_found_with_their_placeholders(tmp_path: Path):
    templates = tmp_path / "templates"
    (templates / "static").mkdir(parents=True)
    (templates / "a.html").write_text(
        "{{ t.one }}\n{{ t['two'] }}\n{{ t.cite.format(name=x) }}\n{{ t.items() }}\n"
        "{{ t.dyn.format(**kw) }}\n{{ other.three }}\n",
        encoding="utf-8",
    )
    (templates / "broken.html").write_text("{{ t.four ", encoding="utf-8")
    (templates / "static" / "x.html").write_text("{{ t.five }}", encoding="utf-8")
    problems = Problems()
    uses = template_uses(tmp_path, problems)
    assert problems.errors == []
    assert set(uses) == {"highlight_label", "goal_label", "one", "two", "cite", "dyn"}
    assert (uses["one"].path, uses["one"].line) == ("templates/a.html", 1)
    assert (uses["two"].path, uses["two"].line) == ("templates/a.html", 2)
    assert uses["cite"].placeholders == {"name"}
    assert uses["one"].placeholders is None
    assert uses["dyn"].dynamic
    assert uses["highlight_label"].placeholders == {"number"}


def test_a_string_the_code_needs_is_reported_at_strings_yaml(project: Path):
    edit(
        project / "content/strings.yaml",
        'goal_label: {zh: "目标{number}", en: "Goal {number}"}\n',
        "",
    )
    assert errors_of(project) == [
        'content/strings.yaml: goal_label: "goal_label" is missing: it is used for the headings '
        "of the pages (add it to content/strings.yaml as goal_label: {zh: …, en: …})"
    ]


# errors ------------------------------------------------------------------------------------


def test_build_failed_reports_each_error_once_in_order():
    a = ContentError("m", path="b.yaml", line=3)
    b = ContentError("m", path="a.yaml", line=9, field="x")
    c = ContentError("n", path="a.yaml", line=2)
    failure = BuildFailed([a, b, a, c, b], [a, a])
    assert failure.errors == [c, b, a]
    assert failure.warnings == [a]
    assert str(failure) == "3 error(s)"


def test_a_content_error_formats_only_the_parts_it_knows():
    assert ContentError("m").format() == "<unknown file>: m"
    assert ContentError("m", path="p", hint="h").format() == "p: m (h)"
    assert ContentError("m", path="p", line=2, field="f").format() == "p:2: f: m"
    located = ContentError("m", line=5).located("p.md", 1)
    assert (located.path, located.line) == ("p.md", 5)


def test_dates_stay_dates_in_site_yaml(project: Path):
    site, _ = load_site(project)
    assert site.meta.date == dt.date(2024, 2, 4)


def test_a_content_error_can_pass_through_a_with_block():
    """contextlib sets ``__traceback__`` on the way out: the error must allow it."""
    import contextlib

    @contextlib.contextmanager
    def nothing():
        yield

    error = ContentError("m", path="p")
    with pytest.raises(ContentError) as caught, nothing():
        raise error
    assert caught.value is error
    assert error.with_traceback(None) is error


def test_a_reference_shown_as_typed_is_not_checked_nor_counted_as_a_use(project: Path):
    page = project / "content" / "en" / "goal-1.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + "\nA figure is written like `[[no-such-figure]]` or `[[liaison-stations]]`.\n",
        encoding="utf-8",
    )
    site, warnings = load_site(project)  # no error for the example
    assert not any("no-such-figure" in w.message for w in warnings)
    body = next(p for p in site.pages if p.id == "goal-1" and p.lang == "en").body
    assert "`[[no-such-figure]]`" in body.markdown
