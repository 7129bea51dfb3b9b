"""The Nu Html Checker (vnu.jar, the W3C validator) finds no error in any page or the stylesheet.

vnu.jar comes from the npm package ``vnu-jar``, pinned in this folder's package.json:
``npm ci --ignore-scripts --prefix tests/browser`` (as ``.ci/run`` does) puts it in
``tests/browser/node_modules``; ``VNU_JAR=/path/to/vnu.jar`` points elsewhere. It needs Java.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from browsing import unavailable

HERE = Path(__file__).resolve().parent
INSTALLED_JAR = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def vnu() -> list[str]:
    """The command that runs the checker."""
    jar = Path(os.environ.get("VNU_JAR", INSTALLED_JAR))
    if not jar.is_file():
        unavailable(f"no vnu.jar at {jar} (npm ci --ignore-scripts --prefix tests/browser)")
    java = shutil.which("java")
    if java is None:
        unavailable("no java to run vnu.jar (apt-get install -y default-jre-headless)")
    return [java, "-jar", str(jar)]


def check(vnu: list[str], files: list[Path]) -> list[str]:
    """Every error the checker reports for ``files``, as ``file:line: message`` lines."""
    result = subprocess.run(
        [*vnu, "--format", "json", "--also-check-css", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        messages = json.loads(result.stderr)["messages"]  # vnu writes its report to stderr
    except (json.JSONDecodeError, KeyError) as error:
        raise AssertionError(f"vnu.jar said: {result.stdout}{result.stderr}") from error
    return [
        f"{message.get('url', '').rsplit('/', 2)[-1]}:{message.get('lastLine', '?')}: "
        f"{message['message']} {message.get('extract', '')!r}"
        for message in messages
        if message["type"] in ("error", "non-document-error")
    ]


def test_every_page_and_the_stylesheet_are_valid(built: Path, vnu: list[str]) -> None:
    pages = sorted(built.rglob("*.html"))
    assert len(pages) > 20
    errors = check(vnu, [*pages, *sorted(built.rglob("*.css"))])
    assert not errors, "\n".join(errors)


def test_the_checker_reports_errors(tmp_path: Path, vnu: list[str]) -> None:
    """The check above can fail: a page with two mistakes is reported twice."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><title>x</title><p id="a">one<p id="a">two</p>'
        "<ul><p>not a list item</p></ul>",
        encoding="utf-8",
    )
    errors = check(vnu, [page])
    assert any("Duplicate ID" in line for line in errors), errors
    assert any("not allowed as child of element “ul”" in line for line in errors), errors
