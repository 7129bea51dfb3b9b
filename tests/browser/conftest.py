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

All of them are the full fixture site (tests/sites/full), never the real report's content.
``visit`` opens a page in the site's own tab, one for the whole session (``tabs``): a new tab
costs more than a page. A test that needs a browser context of its own (JavaScript off, a
broken page) takes ``new_context``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browsing import (
    DESKTOP,
    Site,
    Tabs,
    Traffic,
    html_pages,
    record,
    serve_folder,
    unavailable,
)

from helpers import copy_site, copy_years, run_cli

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


@pytest.fixture(scope="session")
def years_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of several years (years.py) made from the full fixture (helpers.copy_years),
    built once for the session by the CLI."""
    project = copy_years(tmp_path_factory.mktemp("years-project"))
    out = tmp_path_factory.mktemp("years-built") / "site"
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def years_site(years_built: Path) -> Iterator[Site]:
    """The site of several years behind a plain HTTP server: the checks of every page (axe,
    layout, large text) run on it too, as ``site`` parametrized with "years"."""
    server, thread = serve_folder(years_built)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    yield Site("years", years_built, url, html_pages(years_built))
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")  # stopped after each module: no server outlives its tests
def preview_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``PreviewServer`` on a free port, building a private copy of the project."""
    from zhoukou_report.serve import PreviewServer

    project = copy_site("full", tmp_path_factory.mktemp("preview"))
    reports: list[Any] = []
    preview = PreviewServer(project, host="127.0.0.1", port=0, on_build=reports.append)
    preview.start()
    try:
        assert preview.files is not None, f"the preview server's first build failed: {reports}"
        pages = tuple(sorted(path for path in preview.files if path.endswith(".html")))
        yield Site("preview", project, preview.url, pages)  # served from memory
    finally:
        preview.stop()


@pytest.fixture(params=["file", "preview"])
def site(request: pytest.FixtureRequest) -> Site:
    """The site from disk and from the preview server: every test using it runs for both (a
    test may name others: ``parametrize("site", ["static", "years"], indirect=True)``)."""
    return request.getfixturevalue(f"{request.param}_site")


@pytest.fixture(scope="session")
def tabs(browser: Browser) -> Iterator[Tabs]:
    """One tab for each site, in one browser context, for the whole session."""
    context = browser.new_context(viewport=DESKTOP)
    yield Tabs(context)
    context.close()


@pytest.fixture
def visit(tabs: Tabs) -> Iterator[Callable[..., tuple[Page, Traffic]]]:
    """``visit(site, "en/goal-1.html", viewport=DESKTOP, color_scheme="light") -> (page,
    traffic)``: the page opened in the site's tab and recorded until the next visit."""
    recordings: list[Traffic] = []

    def open_page(site: Site, name: str, **options: Any) -> tuple[Page, Traffic]:
        for traffic in recordings:
            traffic.stop()
        page = tabs.open(site, **options)
        recordings[:] = [record(page, site)]
        page.goto(site.url(name), wait_until="load")
        return page, recordings[0]

    yield open_page
    for traffic in recordings:
        traffic.stop()
