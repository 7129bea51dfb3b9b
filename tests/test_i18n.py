"""The tool's own words in Chinese and English: the catalog is complete and up to date with
the source, and the CLI speaks the language of the environment, or the one it is told."""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from helpers import edit, line, run_cli
from zhoukou_report import i18n
from zhoukou_report.cli import main

PACKAGE = Path(i18n.__file__).parent
PO = Path(i18n.LOCALE_DIR) / "zh_CN" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None, "N_plural": (1, 2)}


def _catalog():
    with PO.open("rb") as file:
        return read_po(file)


def _key(message_id: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    return message_id if isinstance(message_id, str) else tuple(message_id)


def _fields(text: str) -> set[str]:
    parts = string.Formatter().parse(text)
    brace = {name for _, name, _, _ in parts if name and re.fullmatch(r"\w+", name)}
    return brace | set(re.findall(r"%\((\w+)\)s|%s", text))


def test_every_message_is_translated() -> None:
    catalog = _catalog()
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (message.string if isinstance(message.string, str) else all(message.string))
        )
    ]
    assert untranslated == []
    assert not catalog.obsolete


def test_the_catalog_holds_every_message_of_the_source_and_no_other() -> None:
    """Fails when a message is added or changed without ``python scripts/messages.py``."""
    extracted = {
        _key(message[2])
        for message in extract_from_dir(str(PACKAGE), keywords=KEYWORDS)
        if message[2]
    }
    in_catalog = {_key(message.id) for message in _catalog() if message.id}
    assert sorted(map(str, extracted - in_catalog)) == []  # run scripts/messages.py
    assert sorted(map(str, in_catalog - extracted)) == []


def test_the_compiled_catalog_is_the_po_file() -> None:
    with MO.open("rb") as file:
        compiled = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    expected = {}
    for message in _catalog():
        if not message.id:
            continue
        if isinstance(message.id, str):
            expected[message.id] = message.string
        else:
            for index, text in enumerate(message.string):
                expected[(message.id[0], index)] = text
    compiled = {key: value for key, value in compiled.items() if key != ""}
    assert compiled == expected  # run scripts/messages.py


def test_every_translation_fills_the_same_placeholders() -> None:
    for message in _catalog():
        if not message.id or (not message.python_brace_format and not message.python_format):
            continue  # a message that is shown as it is, "{" and all
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set().union(*map(_fields, ids))
        for text in strings:
            assert _fields(text) <= wanted, message.id
            if isinstance(message.id, str):
                assert _fields(text) == wanted, message.id


def test_click_still_uses_each_of_its_messages_in_the_catalog() -> None:
    source = "".join(
        file.read_text(encoding="utf-8") for file in Path(click.__file__).parent.glob("*.py")
    )
    for message in i18n.CLICK_MESSAGES:
        for text in (message,) if isinstance(message, str) else message:
            assert repr(text) in source or f'"{text}"' in source, text


# The CLI --------------------------------------------------------------------------------------


@pytest.fixture
def broken(project: Path) -> tuple[Path, int]:
    """The full fixture with a figure whose value is a word."""
    figures = project / "content" / "figures.yaml"
    number = line(figures, "value: 18000")
    edit(figures, "value: 18000", "value: abc")
    return project, number


ENGLISH = 'figures[{index}].value: expected a number, got "abc"'
CHINESE = 'figures[{index}].value: 应为数字，而不是 "abc"（请用阿拉伯数字填写'


def _prefix(number: int) -> str:
    return f"1. content/figures.yaml:{number}: "


def _index(project: Path) -> int:
    """The index in figures.yaml of the figure made broken."""
    lines = (project / "content" / "figures.yaml").read_text(encoding="utf-8").splitlines()
    at = next(i for i, text in enumerate(lines) if "value: abc" in text)
    return sum(1 for text in lines[:at] if text.strip().startswith("- id:")) - 1


@pytest.mark.parametrize(
    ("env", "chinese"),
    [
        ({"LANG": "zh_CN.UTF-8"}, True),
        ({"LANG": "C"}, False),
        ({"LANG": "C.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, True),
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "en_US"}, False),
        ({"LANG": "C", "ZHOUKOU_REPORT_LANG": "zh"}, True),
        ({"LANG": "zh_CN.UTF-8", "ZHOUKOU_REPORT_LANG": "en"}, False),
    ],
    ids=["LANG-zh", "LANG-C", "LC_ALL-zh", "LANGUAGE-en", "variable-zh", "variable-en"],
)
def test_a_broken_figure_is_reported_in_the_environments_language(
    broken: tuple[Path, int], env: dict[str, str], chinese: bool
) -> None:
    project, number = broken
    result = run_cli("build", "--project", str(project), env=env)
    assert result.returncode == 1
    expected = (CHINESE if chinese else ENGLISH).format(index=_index(project))
    first = "发现 1处错误，未写入任何文件：" if chinese else "Found 1 error; nothing was written:"
    assert result.stderr.splitlines()[0] == first
    assert result.stderr.splitlines()[1].startswith(_prefix(number) + expected)


@pytest.mark.parametrize(
    ("option", "env", "chinese"),
    [("zh", {"LANG": "C"}, True), ("en", {"LANG": "zh_CN.UTF-8"}, False)],
    ids=["zh", "en"],
)
def test_the_lang_option_overrides_the_environment(
    broken: tuple[Path, int], option: str, env: dict[str, str], chinese: bool
) -> None:
    project, number = broken
    result = CliRunner().invoke(
        main, ["--lang", option, "check", "--project", str(project)], env=env
    )
    assert result.exit_code == 1
    expected = (CHINESE if chinese else ENGLISH).format(index=_index(project))
    assert _prefix(number) + expected in result.output


def test_help_and_clicks_own_messages_in_chinese() -> None:
    runner = CliRunner()
    env = {"LANG": "zh_CN.UTF-8"}
    help_text = runner.invoke(main, ["build", "--help"], env=env).output
    assert help_text.startswith("用法: main build [OPTIONS]")
    assert "把网站生成到输出文件夹；只有成功时才替换上一次生成的网站。" in help_text
    assert "把警告当作错误处理。" in help_text
    assert "显示本帮助后退出。" in help_text
    wrong = runner.invoke(main, ["build", "--strictt"], env=env)
    assert wrong.exit_code == 2
    assert "错误：没有 '--strictt' 这个选项。" in wrong.output
    english = runner.invoke(main, ["build", "--help"], env={"LANG": "C"}).output
    assert english.startswith("Usage: main build [OPTIONS]")
    assert "Treat warnings as errors." in english


def test_the_language_is_left_as_it_was_after_a_run() -> None:
    import os

    CliRunner().invoke(main, ["--lang", "zh", "--help"])
    assert "LANGUAGE" not in os.environ


def test_the_previews_error_page_speaks_the_editors_language(monkeypatch) -> None:
    from zhoukou_report.errors import ContentError
    from zhoukou_report.httpd import error_page

    error = ContentError("x", path="content/figures.yaml", line=3)
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    page = error_page([error], "v1").decode()
    assert '<html lang="zh-CN">' in page
    assert "<h1>网站未能生成</h1>" in page and "<p>发现 1处错误：</p>" in page
    monkeypatch.setenv("LANGUAGE", "en")
    page = error_page([error, error], "v1").decode()
    assert '<html lang="en">' in page
    assert "<h1>The site could not be built</h1>" in page and "<p>Found 2 errors:</p>" in page


def test_on_windows_the_display_language_is_the_default(monkeypatch) -> None:
    import os

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(i18n.sys, "platform", "win32")
    monkeypatch.setattr(i18n, "_windows_language", lambda: "zh_CN")
    previous = i18n.use_catalog()
    try:
        assert os.environ["LANGUAGE"] == "zh_CN"
        assert i18n._("Usage:") == "用法:"
    finally:
        i18n.restore(previous)
    assert "LANGUAGE" not in os.environ
    monkeypatch.setenv("LANG", "C")  # a variable that is set wins, on Windows too
    previous = i18n.use_catalog()
    assert "LANGUAGE" not in os.environ
    i18n.restore(previous)


# Reliability refusals (issue 14) in the editor's language -----------------------------------


def test_a_number_not_in_decimal_digits_is_refused_in_chinese_at_its_field(minimal: Path) -> None:
    figures = minimal / "content" / "figures.yaml"
    edit(figures, "value: 4\n", "value: 0x1F\n")
    number = line(figures, "value: 0x1F")
    result = run_cli("build", "--project", str(minimal), env={"LANG": "zh_CN.UTF-8"})
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "发现 1处错误，未写入任何文件：",
        f'1. content/figures.yaml:{number}: figures[0].value: "0x1F" 不是用十进制数字写的数'
        '（请用十进制数字填写，如 31 或 12.5；如果要作为文字，请加上引号："…"）',
    ]
    assert not (minimal / "build").exists()


def test_a_file_linked_from_outside_the_project_is_refused_in_chinese(
    minimal: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret\n", encoding="utf-8")
    page = minimal / "content" / "zh" / "overview.md"
    page.unlink()
    page.symlink_to(secret)
    result = run_cli("build", "--project", str(minimal), env={"LANG": "zh_CN.UTF-8"})
    assert result.returncode == 1
    assert (
        f"content/zh/overview.md: content/zh/overview.md 是指向 {secret} 的链接，在项目以外：不会读取"
        "（请把文件复制到项目中，不要用链接）\n"
    ) in result.stderr


def test_a_second_build_is_told_in_chinese_who_holds_the_output(minimal: Path, monkeypatch):
    import os

    from zhoukou_report import write

    out = minimal / "build"
    monkeypatch.setattr(write, "LOCK_WAIT_SECONDS", 0.2)
    with write.output_lock(out):  # another build, holding the lock (its file in English)
        result = CliRunner().invoke(
            main, ["build", "--project", str(minimal)], env={"LANG": "zh_CN.UTF-8"}
        )
    assert result.exit_code == 1
    lock = minimal / ".build.lock"
    assert re.fullmatch(
        rf"错误：另一次生成正在写入 {re.escape(str(out))}（进程 {os.getpid()}，自 \d\d:\d\d:\d\d 起，"
        rf"占用着 {re.escape(str(lock))}），本次未做任何改动。请等它完成后再生成一次。\n",
        result.output,
    )
