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
from urllib.parse import unquote, urlsplit

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
    # A short run: the client compiler alone starts Java in half the time and half the CPU
    # (it needs a larger stack than the default for the HTML schema).
    return [java, "-XX:TieredStopAtLevel=1", "-Xss8m", "-jar", str(jar)]


def check(vnu: list[str], files: list[Path]) -> dict[Path, list[str]]:
    """Every error the checker reports for ``files``, as ``file:line: message`` lines, by file
    (an error the checker cannot tie to a file is listed under ``Path()``)."""
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
    errors: dict[Path, list[str]] = {}
    for message in messages:
        if message["type"] not in ("error", "non-document-error"):
            continue
        url = message.get("url", "")
        errors.setdefault(Path(unquote(urlsplit(url).path)), []).append(
            f"{url.rsplit('/', 2)[-1]}:{message.get('lastLine', '?')}: "
            f"{message['message']} {message.get('extract', '')!r}"
        )
    return errors


# A page with two mistakes, checked with the site: one run, for Java takes seconds to start.
INVALID = (
    '<!doctype html><html lang="en"><title>x</title><p id="a">one<p id="a">two</p>'
    "<ul><p>not a list item</p></ul>"
)


@pytest.fixture(scope="module")
def invalid_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("invalid") / "bad.html"
    page.write_text(INVALID, encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def site_files(built: Path, years_built: Path) -> list[Path]:
    """The pages and stylesheets of the full fixture, and of the site of several years."""
    pages = sorted(built.rglob("*.html"))
    names = {page.relative_to(built).as_posix() for page in pages}
    assert {"index.html", "en/index.html", "figures.html", "404.html"} <= names
    years = sorted(years_built.rglob("*.html"))
    names = {page.relative_to(years_built).as_posix() for page in years}
    assert {"index.html", "en/index.html", "2024/index.html", "2025/en/figures.html"} <= names
    return [*pages, *sorted(built.rglob("*.css")), *years, *sorted(years_built.rglob("*.css"))]


@pytest.fixture(scope="module")
def errors(vnu: list[str], site_files: list[Path], invalid_page: Path) -> dict[Path, list[str]]:
    return check(vnu, [*site_files, invalid_page])


def test_every_page_and_the_stylesheet_are_valid(
    errors: dict[Path, list[str]], invalid_page: Path
) -> None:
    found = [line for file, lines in errors.items() if file != invalid_page for line in lines]
    assert not found, "\n".join(found)


def test_the_checker_reports_errors(errors: dict[Path, list[str]], invalid_page: Path) -> None:
    """The check above can fail: a page with two mistakes is reported twice."""
    found = errors.get(invalid_page, [])
    assert any("Duplicate ID" in line for line in found), errors
    assert any("not allowed as child of element “ul”" in line for line in found), errors
