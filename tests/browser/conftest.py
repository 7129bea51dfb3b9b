"""Browser fixtures: one Chromium for the session, the built site by file:// and over HTTP.

Chromium comes from the distribution (``apt-get install -y chromium fonts-noto-cjk``) and is
launched by path; Playwright never downloads a browser here. Without Chromium or Playwright
these tests are skipped with a one-line reason, except under ``CI=true``, where they fail:
CI must not pass by running nothing.

The site is reached three ways, each a ``Site``:

- ``file_site``: the session's build (the ``built`` fixture) opened straight from disk;
- ``static_site``: the same folder behind a plain HTTP server, as a static host serves it;
- ``preview_site``: ``zhoukou-report serve``'s ``PreviewServer`` on a free port, building a
  private copy of the project (it injects its reload script into every page it serves).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browsing import (
    DESKTOP,
    Site,
    Traffic,
    html_pages,
    keep_on_site,
    record,
    serve_folder,
    unavailable,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

CHROMIUM = Path(os.environ.get("ZHOUKOU_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]
ROOT = Path(__file__).resolve().parents[2]


# The browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """The distribution's Chromium, launched once for the whole session."""
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)")
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context(**options)``: a fresh browser context, closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """``new_page(**context_options)``: a page in its own fresh context."""

    def make(**options: Any) -> Page:
        return new_context(**options).new_page()

    return make


# The site, three ways ------------------------------------------------------------------


@pytest.fixture(scope="session")
def file_site(built: Path) -> Site:
    return Site("file", built, built.as_uri() + "/", html_pages(built))


@pytest.fixture(scope="session")
def static_site(built: Path) -> Iterator[Site]:
    """The session's build behind a plain HTTP server, the way a static host serves it."""
    server, thread = serve_folder(built)
    yield Site("static", built, f"http://127.0.0.1:{server.server_address[1]}/", html_pages(built))
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")  # stopped after each module: no server outlives its tests
def preview_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``PreviewServer`` on a free port, building a private copy of the project."""
    from zhoukou_report.serve import PreviewServer

    project = tmp_path_factory.mktemp("preview")
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, project / name)
    reports: list[Any] = []
    preview = PreviewServer(project, host="127.0.0.1", port=0, on_build=reports.append)
    preview.start()
    try:
        assert preview.root is not None, f"the preview server's first build failed: {reports}"
        yield Site("preview", preview.root, preview.url, html_pages(preview.root))
    finally:
        preview.stop()


@pytest.fixture(params=["file", "preview"])
def site(request: pytest.FixtureRequest) -> Site:
    """The site from disk and from the preview server: every test using it runs for both."""
    return request.getfixturevalue(f"{request.param}_site")


@pytest.fixture
def visit(new_context: Callable[..., BrowserContext]) -> Callable[..., tuple[Page, Traffic]]:
    """``visit(site, "en/goal-1.html", **context_options) -> (page, traffic)``: the page opened
    and recorded until the next visit. One browser tab is kept for each site and set of
    options, and reused: opening a tab costs more than the page itself."""
    tabs: dict[tuple, tuple[Page, list[Traffic]]] = {}

    def open_page(site: Site, name: str, **options: Any) -> tuple[Page, Traffic]:
        key = (site.name, *sorted((option, repr(value)) for option, value in options.items()))
        if key not in tabs or tabs[key][0].is_closed():
            page = new_context(**options).new_page()
            keep_on_site(page, site)
            tabs[key] = (page, [])
        page, recordings = tabs[key]
        for traffic in recordings:
            traffic.stop()
        recordings[:] = [record(page, site)]
        page.goto(site.url(name), wait_until="load")
        return page, recordings[0]

    return open_page
