"""Adding a language: marked as a draft, what it lacks is shown in the default language with
one warning per file; the change report names no empty change. From the CLI, on the full
fixture with a third language."""

from __future__ import annotations

from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from helpers import edit, run_cli
from zhoukou_report.changes import figure_changes

FRENCH = "    locale: en_US\n  - code: fr\n    tag: fr\n    name: Français\n    locale: fr_FR\n"


def _add_french(project: Path, draft: bool) -> None:
    edit(
        project / "content" / "site.yaml",
        "    locale: en_US\n",
        FRENCH + ("    draft: true\n" if draft else ""),
    )


def test_a_new_language_without_draft_is_an_error_for_each_missing_text(project: Path) -> None:
    _add_french(project, draft=False)
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert "content/figures.yaml:8: figures[0].label.fr: " in result.stderr
    assert result.stderr.count("\n") > 50


def test_a_draft_language_falls_back_to_the_default_with_a_warning_per_file(
    project: Path,
) -> None:
    out = project / "out"
    assert run_cli("build", "--project", str(project), "--out", str(out)).returncode == 0
    _add_french(project, draft=True)
    (project / "content" / "fr").mkdir()
    (project / "content" / "fr" / "goals-intro.md").write_text(
        "L'année prochaine, le comité se concentrera sur ces travaux.\n", encoding="utf-8"
    )
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    warnings = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert result.stderr.splitlines()[0] == "5 warnings:"
    # Every page but the one written in French, and every interface string, is shown in Chinese.
    pages = {path.name for path in (project / "content" / "zh").glob("*.md")}
    untranslated = len(pages - {"goals-intro.md"})
    strings = yaml.safe_load((project / "content" / "strings.yaml").read_text(encoding="utf-8"))
    assert all("zh" in text for text in strings.values())
    assert warnings == [
        "warning: content/site.yaml: 10 texts have no Français version: the 中文 ones are "
        "shown (Français is a draft)",
        f"warning: content/strings.yaml: {len(strings)} texts have no Français version: the "
        "中文 ones are shown (Français is a draft)",
        "warning: content/figures.yaml: 11 texts have no Français version: the 中文 ones "
        "are shown (Français is a draft)",
        f"warning: content/fr/: {untranslated} texts have no Français version: the 中文 ones "
        "are shown (Français is a draft)",
        "warning: content/charts.yaml: 2 texts have no Français version: the 中文 ones are "
        "shown (Français is a draft)",
    ]
    page = BeautifulSoup((out / "fr" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.html["lang"] == "fr"
    assert "召开常委会会议" in page.get_text()  # the Chinese page, until it is translated
    assert "L'année prochaine" in page.get_text()  # its own goals intro
    # The change report names what the new language added, and nothing "" → "".
    assert '"" → ""' not in result.stdout
    strict = run_cli("check", "--project", str(project), "--strict")
    assert strict.returncode == 1


def test_the_default_language_cannot_be_a_draft(project: Path) -> None:
    edit(
        project / "content" / "site.yaml",
        "    locale: zh_CN\n",
        "    locale: zh_CN\n    draft: true\n",
    )
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert (
        "content/site.yaml:7: languages[0].draft: the first language is the default one: "
        "it cannot be a draft"
    ) in result.stderr


def test_a_change_report_names_no_empty_change_of_a_new_language() -> None:
    old = {"id": "a", "value": 1, "qualifier": None, "text": {"zh": "1"}, "unit": {"zh": "个"},
           "label": {"zh": "甲"}, "section": "s", "source": "甲1个"}  # fmt: skip
    new = {**old, "unit": {"zh": "个", "fr": ""}, "label": {"zh": "甲", "fr": "A"}, "cited": None}
    assert figure_changes({"a": old}, [new]) == [
        "Figures: 1 change since the previous build:",
        '  changed  a: label.fr "" → "A"',
    ]
