"""``serve`` in a real browser: an open tab reloads itself after a save, and after a mistake.

Uses the session's Chromium (the ``browser`` fixture of this folder's conftest); the
server runs in-process on a free port and watches a private copy of the project.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from helpers import edit
from zhoukou_report.serve import PreviewServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 30_000  # generous: only reached when something is wrong
FIGURES = Path("content") / "figures.yaml"
OLD, NEW = "    value: 120\n", "    value: 121\n"  # the stations figure, on highlight-1


@pytest.fixture
def preview(project: Path) -> Iterator[PreviewServer]:
    with PreviewServer(project, port=0, on_build=lambda report: None) as server:
        yield server


@pytest.fixture
def tab(browser: Browser, preview: PreviewServer) -> Iterator[tuple[Page, list[str]]]:
    """An open tab on highlight-1, and every console error or page error it reports."""
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(preview.url + "highlight-1.html", wait_until="load")
    page.wait_for_selector('data[value="120"]', state="attached", timeout=TIMEOUT_MS)
    yield page, problems
    context.close()


def mark(page: Page) -> None:
    """Leave a mark on the document: it is gone once the tab has reloaded."""
    page.evaluate("window.__beforeTheSave = true")


def reloaded(page: Page) -> bool:
    return page.evaluate("window.__beforeTheSave === undefined")


def test_an_open_tab_reloads_after_a_save(tab: tuple[Page, list[str]], project: Path) -> None:
    page, problems = tab
    mark(page)
    edit(project / FIGURES, OLD, NEW)
    page.wait_for_selector('data[value="121"]', state="attached", timeout=TIMEOUT_MS)
    assert reloaded(page)
    assert page.locator('data[value="120"]').count() == 0
    assert problems == []  # the script ran under the page's Content-Security-Policy


def test_a_mistake_shows_the_error_page_then_the_site(
    tab: tuple[Page, list[str]], project: Path
) -> None:
    page, problems = tab
    broken = project / "templates" / "broken.html"
    broken.write_text("<p>{{ <b>broken }}</p>\n", encoding="utf-8")
    page.get_by_text("The site could not be built").wait_for(timeout=TIMEOUT_MS)
    assert "templates/broken.html:1:" in page.locator("ol.errors").inner_text()
    assert page.locator("ol.errors b").count() == 0  # the error text is escaped, not markup

    mark(page)
    broken.unlink()
    page.wait_for_selector('data[value="120"]', state="attached", timeout=TIMEOUT_MS)
    assert reloaded(page)
    # The error page is answered with status 500, which Chromium reports; nothing else.
    assert [p for p in problems if "status of 500" not in p] == []
