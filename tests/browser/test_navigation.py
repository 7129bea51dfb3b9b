"""Every page, from disk and from the preview server: it loads cleanly, and its links lead on.

Each test walks every page of the site and reports every problem it finds at once.
"""

from __future__ import annotations

from pathlib import Path

from browsing import Site, Traffic, keep_on_site, record

ZH, EN = "zh-CN", "en"


def counterpart(page: str) -> str:
    """The same page in the other language: ``goal-1.html`` ↔ ``en/goal-1.html``."""
    return page.removeprefix("en/") if page.startswith("en/") else f"en/{page}"


def test_the_site_has_every_page_in_both_languages(site: Site, file_site: Site) -> None:
    zh = {page for page in site.pages if not page.startswith("en/")} - {"404.html"}
    en = {page.removeprefix("en/") for page in site.pages if page.startswith("en/")}
    assert zh == en
    assert {"index.html", "figures.html", "source.html", "highlight-1.html", "goal-1.html"} <= zh
    assert "404.html" in site.pages
    assert site.pages == file_site.pages


def test_pages_load_without_errors_failures_or_requests_elsewhere(site: Site, visit) -> None:
    problems = []
    for name in site.pages:
        page, traffic = visit(site, name)
        styled = page.evaluate("getComputedStyle(document.body).backgroundColor")
        lines = traffic.problems()
        if styled in ("rgba(0, 0, 0, 0)", "transparent"):
            lines.append("the stylesheet was not applied")
        if not any(url.endswith(".css") for url in traffic.requests) and name != "404.html":
            lines.append(f"no stylesheet requested: {traffic.requests}")
        problems += [f"{name}: {line}" for line in lines]
    assert not problems, "\n".join(problems)


def test_the_recorder_sees_errors_failures_and_requests_elsewhere(
    tmp_path: Path, browser, new_context
) -> None:
    """The checks above can fail: a broken page trips each of them."""
    (tmp_path / "broken.html").write_text(
        '<!doctype html><html lang="en"><title>x</title>'
        '<link rel="stylesheet" href="missing.css">'
        '<img alt="" src="https://example.org/pixel.png">'
        "<script>console.error('boom')</script>",
        encoding="utf-8",
    )
    site = Site("broken", tmp_path, tmp_path.as_uri() + "/", ("broken.html",))
    page = new_context().new_page()
    keep_on_site(page, site)
    traffic: Traffic = record(page, site)
    page.goto(site.url("broken.html"))
    assert traffic.off_site == ["https://example.org/pixel.png"]
    assert any("boom" in line for line in traffic.console_errors)
    assert any("missing.css" in line for line in traffic.failed)


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(
    site: Site, visit
) -> None:
    problems = []
    for name in site.pages:
        page, traffic = visit(site, name)
        switch = page.locator(".languages a")
        if name == "404.html":  # one page in both languages: nothing to switch to
            if switch.count():
                problems.append(f"{name}: has a language switch")
            continue
        if switch.count() != 1:
            problems.append(f"{name}: {switch.count()} language links, expected 1")
            continue
        language = page.evaluate("document.documentElement.lang")
        target = switch.get_attribute("hreflang")
        expected = EN if language == ZH else ZH
        if target != expected:
            problems.append(f"{name}: the switch leads to {target!r}, expected {expected!r}")
        with page.expect_navigation():
            switch.click()
        arrived = site.page_of(page.url)
        if arrived != counterpart(name):
            problems.append(f"{name}: the switch led to {arrived}, expected {counterpart(name)}")
        if page.evaluate("document.documentElement.lang") != expected:
            problems.append(f"{name}: the switch led to a page not in {expected}")
        back = page.locator(".languages a").evaluate("(a) => a.href")
        if site.page_of(back) != name:
            problems.append(f"{name}: the way back leads to {site.page_of(back)}")
        problems += [f"{name}: {line}" for line in traffic.problems()]
    assert not problems, "\n".join(problems)


NAV_LINKS = ".masthead a[href], nav a[href]"  # brand, languages, site nav, breadcrumb, pager
# Each link's href, its address, and whether a click on it would land on it.
CLICKABLE = """(links) => links.map((a) => {
  a.scrollIntoView({ block: "center" });
  const [box] = a.getClientRects();
  const hit = box && document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return [a.getAttribute("href"), a.href, Boolean(hit && a.contains(hit))];
})"""


def test_every_navigation_link_reaches_its_target(site: Site, visit) -> None:
    """Every link of the masthead and of every navigation names a page of the site, is shown
    and is not covered; each address they lead to is then reached by a real click, once."""
    problems = []
    first_seen: dict[str, tuple[str, int, str]] = {}  # target -> (page, link index, href)
    for name in site.pages:
        page, _ = visit(site, name)
        links = page.locator(NAV_LINKS).evaluate_all(CLICKABLE)
        if len(links) < 4:
            problems.append(f"{name}: only {len(links)} navigation links")
        for index, (href, url, clickable) in enumerate(links):
            target = site.page_of(url) if site.owns(url) else url
            if target not in site.pages:
                problems.append(f"{name}: {href!r} names {target}, which is not a page of the site")
            elif not clickable:
                problems.append(f"{name}: {href!r} is hidden or covered by something else")
            else:
                first_seen.setdefault(target, (name, index, href))
    for target, (name, index, href) in sorted(first_seen.items()):
        page, traffic = visit(site, name)
        with page.expect_navigation():
            page.locator(NAV_LINKS).nth(index).click()
        arrived = site.page_of(page.url)
        if arrived != target:
            problems.append(f"{name}: {href!r} led to {arrived}, expected {target}")
        elif not page.locator("main h1").count():
            problems.append(f"{name}: {href!r} led to {arrived}, which has no heading")
        problems += [f"{name} → {href}: {line}" for line in traffic.problems()]
    assert not problems, "\n".join(problems)
    # Between them, the navigation, brand, breadcrumbs and pagers reach every page but the 404.
    assert set(first_seen) == set(site.pages) - {"404.html"}
