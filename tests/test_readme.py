"""The READMEs: the Chinese one, for editors, is linked from the top of the English one and
gives the same two commands that .ci/run reads from the English one."""

from __future__ import annotations

import re

from helpers import ROOT

ENGLISH = (ROOT / "README.md").read_text(encoding="utf-8")
CHINESE = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")


def _block(text: str, name: str) -> str:
    found = re.findall(rf"<!-- {name} -->\n(.*?)<!-- /{name} -->", text, re.S)
    assert len(found) == 1, name
    return found[0]


def test_both_readmes_give_the_same_two_commands() -> None:
    for name in ("build-command", "test-command"):
        assert "```sh\n" in _block(ENGLISH, name)
        assert _block(CHINESE, name) == _block(ENGLISH, name)


def test_the_english_readme_links_to_the_chinese_one_at_the_top() -> None:
    assert "(README.zh-CN.md)" in ENGLISH.split("\n## ", 1)[0]
    assert "(README.md)" in CHINESE.split("\n## ", 1)[0]


def test_the_chinese_readme_shows_windows_and_the_correction_example() -> None:
    assert "py -m venv .venv; .venv\\Scripts\\Activate.ps1" in CHINESE
    english_example = _block(ENGLISH, "correction-example").split("```yaml\n")[1].split("```")[0]
    keys = re.findall(r"^\s*(?:- )?([a-z_]+):", english_example, re.M)
    assert all(f"{key}:" in CHINESE for key in keys)
