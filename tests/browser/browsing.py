"""Driving the browser through a built site: where the site is, and what a page did."""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> NoReturn:
    """Skip with a one-line reason; under CI=true fail instead."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"390": PHONE, "1280": DESKTOP}


@dataclass(frozen=True)
class Site:
    """A built site as the browser reaches it: its folder on disk and the address of its top."""

    name: str
    folder: Path
    base: str  # ends with "/"
    pages: tuple[str, ...] = field(default=())  # every HTML page, relative, e.g. "en/goal-1.html"

    def url(self, page: str) -> str:
        return self.base + page

    def owns(self, url: str) -> bool:
        """Whether a request stays inside the site (``data:`` URLs never leave the page)."""
        return url.startswith(self.base) or url.startswith("data:")

    def page_of(self, url: str) -> str:
        """The page an address inside the site names, e.g. ``en/goal-1.html``."""
        assert self.owns(url), url
        return url[len(self.base) :].split("#")[0].split("?")[0]


def html_pages(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.html")))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_folder(folder: Path) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """A plain static HTTP server over ``folder`` on a free loopback port, in a thread."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    thread.start()
    return server, thread


# What a page did -----------------------------------------------------------------------


@dataclass
class Traffic:
    """A page's console errors, failed requests and requests that left the site, as lines."""

    site: Site
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    off_site: list[str] = field(default_factory=list)
    listeners: list[tuple[Page, str, Callable]] = field(default_factory=list, repr=False)

    def problems(self) -> list[str]:
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"failed request: {text}" for text in self.failed),
            *(f"request leaving the site: {url}" for url in self.off_site),
        ]

    def stop(self) -> None:
        """Stop recording."""
        for page, event, listener in self.listeners:
            page.remove_listener(event, listener)
        self.listeners.clear()


def record(page: Page, site: Site) -> Traffic:
    """Start recording what ``page`` does, until ``Traffic.stop()``."""
    traffic = Traffic(site)

    def on_console(message: Any) -> None:
        if message.type == "error":
            traffic.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(error: Any) -> None:
        traffic.console_errors.append(f"uncaught {error}")

    def on_request(request: Any) -> None:
        traffic.requests.append(request.url)
        if not site.owns(request.url):
            traffic.off_site.append(request.url)

    def on_failed(request: Any) -> None:
        if request.resource_type == "eventsource" and request.failure == "net::ERR_ABORTED":
            return  # the preview server's reload stream, ended by leaving the page
        if request.resource_type == "other" and request.failure == "net::ERR_ABORTED":
            return  # the tab's icon, asked for after the page loaded, cancelled by leaving it
        traffic.failed.append(f"{request.url}: {request.failure}")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            traffic.failed.append(f"{response.url}: HTTP {response.status}")

    for event, listener in [
        ("console", on_console),
        ("pageerror", on_page_error),
        ("request", on_request),
        ("requestfailed", on_failed),
        ("response", on_response),
    ]:
        page.on(event, listener)
        traffic.listeners.append((page, event, listener))
    return traffic


def keep_on_site(page: Page, site: Site) -> None:
    """Abort every request of ``page`` that would leave ``site``: nothing leaves the machine.

    A pattern, not a Python function: the browser matches it, so that only the requests that
    leave come to Python (a function sees every request, a round trip each). Routing also
    turns the browser's cache off: every page loads everything it needs."""
    leaving = re.compile(f"^(?!{re.escape(site.base)}|data:)")
    page.route(leaving, lambda route: route.abort("blockedbyclient"))


class Tabs:
    """One browser tab for each site, kept for the whole session: opening a tab costs more
    than loading a page in it. Each ``open`` resets what a test may have changed."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.tabs: dict[str, tuple[Page, Site]] = {}

    def open(self, site: Site, *, viewport: dict = DESKTOP, color_scheme: str = "light") -> Page:
        """The site's tab, at ``viewport``, in ``color_scheme``, on screen (not in print)."""
        page, owner = self.tabs.get(site.name, (None, None))
        if page is None or page.is_closed():
            page = self.context.new_page()
        if owner != site:  # a new tab, or a site of the same name elsewhere (a new server)
            if owner is not None:  # leave the old server's page: its reload stream would
                page.goto("about:blank")  # reconnect there, leaving the new site
            page.unroute_all()
            keep_on_site(page, site)
        self.tabs[site.name] = (page, site)
        if page.viewport_size != viewport:
            page.set_viewport_size(viewport)
        page.emulate_media(media="null", color_scheme=color_scheme)
        return page
