"""Both languages show the same figures, and no number is typed into the prose: the
checks of typed.py, and the build that runs them as an editor does (the full fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import edit, line, run_cli
from zhoukou_report.typed import number_value, typed_numbers

HINT = (
    "(figures are defined in content/figures.yaml; a number that is part of a name goes "
    "under typed_numbers in content/site.yaml)"
)


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("We held 12 training courses.", ["12"]),
        ("with 1,975 cases and 92.1% satisfied", ["1,975", "92.1%"]),
        ("走访群众1.8万人次", ["1.8万"]),
        ("举办培训班十二期，共三百人次", ["十二", "三百"]),
        ("完成十余项任务", ["十"]),
        ("On the morning of 4 February, on 1 March 2024 and on March 1, 2024", []),
        ("the 70th anniversary, the 20th Congress, the 14th Five-Year Plan, in 2024", []),
        ("See [Goal 1](goal-1.html) and Highlight 3.", []),
        ("2月4日上午，2024年3月1日施行，成立70周年，2023年", []),
        ("市五届人大二次会议第二次全体会议，第一议题，五届五次全会", []),
        ("坚定“四个自信”，《2024年工作要点》，「两个维护」", []),
        ("进一步，一批，一起，一对一", []),
        ('联络站[[stations]]个，代码`12`，[链接](page-3.html)，<abbr title="3">x</abbr>', []),
        ("G20 and COVID-19", ["19"]),
    ],
    ids=[
        "digits",
        "separators-percent",
        "wan",
        "chinese-numerals",
        "more-than",
        "dates-en",
        "ordinals-en",
        "page-names",
        "dates-zh",
        "ordinals-zh",
        "quoted-names",
        "yi-words",
        "not-prose",
        "in-words",
    ],
)
def test_typed_numbers(text: str, typed: list[str]) -> None:
    assert [token for token, _ in typed_numbers(text)] == typed


def test_a_listed_phrase_may_hold_a_number() -> None:
    text = "严格落实中央八项规定，完成八项任务"
    assert [token for token, _ in typed_numbers(text)] == ["八", "八"]
    assert [token for token, _ in typed_numbers(text, ["中央八项规定"])] == ["八"]


def test_the_line_of_each_typed_number() -> None:
    text = "First line.\n\nWe held 12 courses\nand 5 more `7`\n"
    assert list(typed_numbers(text)) == [("12", 2), ("5", 3)]


@pytest.mark.parametrize(
    ("token", "value"),
    [("12", 12), ("1,975", 1975), ("92.1%", 92.1), ("1.8万", 18000), ("十二", 12),
     ("三百四十", 340), ("两千零五", 2005), ("十", 10), ("一万二千", 12000)],
)  # fmt: skip
def test_number_value(token: str, value: float) -> None:
    assert number_value(token) == value


# The build --------------------------------------------------------------------------------

EN = "content/en/highlight-1.md"
ZH = "content/zh/highlight-1.md"


def _check(project: Path):
    return run_cli("check", "--project", str(project))


def test_a_typed_number_fails_the_build_with_the_figure_to_write(project: Path) -> None:
    edit(project / EN, "- The [[stations]] stations", "- The 340 stations")
    result = _check(project)
    assert result.returncode == 1
    number = line(project / EN, "The 340 stations")
    assert result.stderr.splitlines()[1:] == [
        f'1. {EN}:{number}: "340" is typed; write [[points]] {HINT}',
    ]


def test_chinese_numerals_with_a_measure_word_are_typed_too(project: Path) -> None:
    edit(project / ZH, "- 联络站[[stations]]个", "- 联络站[[stations]]个，联络点三百四十个")
    result = _check(project)
    assert result.returncode == 1
    number = line(project / ZH, "联络点三百四十个")
    assert f'1. {ZH}:{number}: "三百四十" is typed; write [[points]] {HINT}' in result.stderr


def test_a_typed_number_of_no_figure_says_how_figures_are_written(project: Path) -> None:
    edit(project / EN, "- The [[stations]] stations", "- The [[stations]] stations and 999 vans")
    result = _check(project)
    number = line(project / EN, "999 vans")
    assert result.stderr.splitlines()[1] == (
        f'1. {EN}:{number}: "999" is typed: a figure is written as [[id]] {HINT}'
    )


def test_a_phrase_listed_in_site_yaml_may_hold_a_number(project: Path) -> None:
    edit(project / ZH, "覆盖全部乡镇", "覆盖全部乡镇，落实中央八项规定")
    assert _check(project).returncode == 1
    site = project / "content" / "site.yaml"
    site.write_text(
        site.read_text(encoding="utf-8") + "\ntyped_numbers:\n  - 中央八项规定\n", encoding="utf-8"
    )
    result = _check(project)
    assert result.returncode == 0, result.stderr


def test_a_figure_referenced_in_one_language_only_fails_with_file_and_line(
    project: Path,
) -> None:
    edit(project / EN, "- The [[stations]] stations", "- The stations")
    edit(project / EN, "we set up [[stations]] deputy", "we set up deputy")
    result = _check(project)
    assert result.returncode == 1
    lines = (project / EN).read_text(encoding="utf-8").splitlines()
    body = lines.index("---", 1) + 2  # the line after the front matter: where the text starts
    zh_line = line(project / ZH, "建成城区代表联络站[[stations]]个")
    assert result.stderr.splitlines()[1:] == [
        f"1. {EN}:{body}: [[stations]]: the figure is not referred to here, but "
        f"{ZH}:{zh_line} refers to it (every language shows the same figures)",
    ]


def test_the_languages_agree_in_the_fixture_and_in_chinese_the_error_is_chinese(
    project: Path,
) -> None:
    assert _check(project).returncode == 0
    edit(project / EN, "- The [[stations]] stations", "- The 340 stations")
    result = run_cli("check", "--project", str(project), env={"LANG": "zh_CN.UTF-8"})
    number = line(project / EN, "The 340 stations")
    assert result.stderr.splitlines()[1].startswith(
        f'1. {EN}:{number}: "340" 是直接输入的数字；请写成 [[points]]'
    )


def test_of_two_figures_of_that_value_the_one_the_page_shows_is_suggested(
    project: Path,
) -> None:
    edit(project / "content" / "figures.yaml", "    value: 6\n", "    value: 340\n")  # sessions
    edit(project / EN, "- The [[stations]] stations", "- The 340 stations")
    result = _check(project)
    assert '"340" is typed; write [[points]]' in result.stderr
