"""Every page loads fast on a poor connection, and shows everything without JavaScript.

Budget, per page as a static host serves it: the HTML and everything it loads at most
40 KB uncompressed (40,000 bytes), in at most 3 requests, no fonts (the site uses the
system's). ``data:`` URLs are part of the page, not requests.
"""

from __future__ import annotations

from typing import Any

from browsing import Site, Tabs

BUDGET_BYTES = 40_000
MAX_REQUESTS = 3


def load(page: Any, url: str) -> tuple[list[Any], list[Any]]:
    """Open ``url``; the requests that finished and those that failed until it loaded and
    the network went quiet (the favicon comes after the load event)."""
    finished: list[Any] = []
    failed: list[Any] = []
    listeners = [
        ("requestfinished", lambda request: finished.append(request)),
        ("requestfailed", lambda request: failed.append(request)),
    ]
    for event, listener in listeners:
        page.on(event, listener)
    try:
        page.goto(url, wait_until="load")
        # The icon of the tab is asked for after the page's load event: counted with its page.
        page.wait_for_load_state("networkidle")
    finally:
        for event, listener in listeners:
            page.remove_listener(event, listener)
    return finished, failed


def test_every_page_is_within_the_weight_budget(static_site: Site, tabs: Tabs) -> None:
    problems = []
    heaviest = (0, "")
    # The site's tab routes requests, which turns the cache off: nothing comes from an
    # earlier page (and Chromium reports a request served from its cache all the same).
    page = tabs.open(static_site)
    for name in static_site.pages:
        finished, failed = load(page, static_site.url(name))
        problems += [f"{name}: {request.url} failed" for request in failed]
        requests = [request for request in finished if not request.url.startswith("data:")]
        sizes = {request.url: len(request.response().body()) for request in requests}
        total = sum(sizes.values())
        heaviest = max(heaviest, (total, name))
        assert sizes[static_site.url(name)] == (static_site.folder / name).stat().st_size
        if total > BUDGET_BYTES:
            problems.append(f"{name}: {total:,} bytes > {BUDGET_BYTES:,}: {sizes}")
        if len(requests) > MAX_REQUESTS:
            problems.append(f"{name}: {len(requests)} requests > {MAX_REQUESTS}: {list(sizes)}")
        fonts = [request.url for request in requests if request.resource_type == "font"]
        if fonts:
            problems.append(f"{name}: loads fonts: {fonts}")
    assert not problems, "\n".join(problems)
    print(f"heaviest page: {heaviest[1]}, {heaviest[0]:,} bytes")


SHOWN = """() => ({
  text: document.body.innerText,
  scripts: document.scripts.length,
  shown: [...document.querySelectorAll(".tile, figure.chart svg, .figure-item, main p")]
    .filter((el) => el.checkVisibility() && el.getBoundingClientRect().height > 0).length,
})"""


def test_every_page_shows_everything_without_javascript(
    static_site: Site, tabs: Tabs, new_context
) -> None:
    """With JavaScript off, each page shows the same text and the same tiles and charts."""
    problems = []
    without = new_context(java_script_enabled=False).new_page()
    with_js = tabs.open(static_site)
    for name in static_site.pages:
        without.goto(static_site.url(name))
        with_js.goto(static_site.url(name))
        off, on = without.evaluate(SHOWN), with_js.evaluate(SHOWN)
        if on["scripts"]:
            problems.append(f"{name}: has {on['scripts']} scripts")
        if not off["text"].strip() or not off["shown"]:
            problems.append(f"{name}: shows nothing without JavaScript")
        elif off != on:
            problems.append(f"{name}: shows something else without JavaScript")
    assert not problems, "\n".join(problems)
