"""Every page, from disk and from the preview server: it loads cleanly, and its links lead on.

Each test walks every page of the site and reports every problem it finds at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from browsing import Site, Traffic, keep_on_site, record

if TYPE_CHECKING:
    from playwright.sync_api import Page

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
    blocked = "https://example.org/pixel.png: net::ERR_BLOCKED_BY_CLIENT"  # never sent
    assert any(line.startswith(blocked) for line in traffic.failed)
    assert any("boom" in line for line in traffic.console_errors)
    assert any("missing.css" in line for line in traffic.failed)


# The page's language, and where its language switch leads: [hreflang, address] a link.
LANGUAGES = """() => ({
  lang: document.documentElement.lang,
  switch: [...document.querySelectorAll(".languages a")]
    .map((a) => [a.getAttribute("hreflang"), a.href]),
})"""


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(
    site: Site, visit
) -> None:
    """Each Chinese page is opened and its switch clicked, then the English page's switch:
    every switch is followed by a real click, there and back."""
    problems = []
    followed = []
    for start in site.pages:
        if start.startswith("en/"):
            continue  # reached from its Chinese page
        page, traffic = visit(site, start)
        here = page.evaluate(LANGUAGES)
        if start == "404.html":  # one page in both languages: nothing to switch to
            followed.append(start)
            if here["switch"]:
                problems.append(f"{start}: has a language switch")
            continue
        for name in (start, counterpart(start)):  # there, and back
            if len(here["switch"]) != 1:
                problems.append(f"{name}: {len(here['switch'])} language links, expected 1")
                break
            [(target, _)] = here["switch"]
            expected = EN if here["lang"] == ZH else ZH
            if target != expected:
                problems.append(f"{name}: the switch leads to {target!r}, expected {expected!r}")
            with page.expect_navigation():
                page.locator(".languages a").click()
            followed.append(name)
            here = page.evaluate(LANGUAGES)
            arrived = site.page_of(page.url)
            if arrived != counterpart(name):
                problems.append(
                    f"{name}: the switch led to {arrived}, expected {counterpart(name)}"
                )
                break
            if here["lang"] != expected:
                problems.append(f"{name}: the switch led to a page not in {expected}")
            backs = [site.page_of(href) for _, href in here["switch"]]
            if backs != [name]:
                problems.append(f"{name}: the way back leads to {backs}")
        problems += [f"{start}: {line}" for line in traffic.problems()]
    assert not problems, "\n".join(problems)
    assert sorted(followed) == list(site.pages)  # every page's switch was followed


NAV_LINKS = ".masthead a[href], nav a[href]"  # brand, languages, site nav, breadcrumb, pager
# The contents menu opens as a reader opens it: a tap on its summary (no script of its own).
OPEN_CONTENTS = """() => {
  for (const menu of document.querySelectorAll("details.contents:not([open])")) {
    menu.querySelector("summary").click();
  }
}"""
# Each link's href, its address, and whether a click on it would land on it; and whether the
# page has a heading.
LINKS = """(selector) => ({
  heading: Boolean(document.querySelector("main h1")),
  links: [...document.querySelectorAll(selector)].map((a) => {
    a.scrollIntoView({ block: "center" });
    const [box] = a.getClientRects();
    const hit = box && document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return [a.getAttribute("href"), a.href, Boolean(hit && a.contains(hit))];
  }),
})"""


def test_every_navigation_link_reaches_its_target(site: Site, visit) -> None:
    """Every link of the masthead and of every navigation names a page of the site, is shown
    and is not covered; each address they lead to is then reached by a real click, once.

    One walk through the site: the next click, from the page the browser is on, goes to an
    address not reached yet; the browser opens a page itself only where no link leads on."""
    problems = []
    links_of: dict[str, list[tuple[int, str, str]]] = {}  # page -> (index, href, target)
    reached: set[str] = set()

    def look(page: Page, name: str) -> bool:
        """Check the links of the page the browser is on, and note those that lead to a page;
        whether the page has a heading."""
        page.evaluate(OPEN_CONTENTS)
        found = page.evaluate(LINKS, NAV_LINKS)
        if name in links_of:
            return found["heading"]
        if len(found["links"]) < 4:
            problems.append(f"{name}: only {len(found['links'])} navigation links")
        links_of[name] = []
        for index, (href, url, clickable) in enumerate(found["links"]):
            target = site.page_of(url) if site.owns(url) else url
            if target not in site.pages:
                problems.append(f"{name}: {href!r} names {target}, which is not a page of the site")
            elif not clickable:
                problems.append(f"{name}: {href!r} is hidden or covered by something else")
            else:
                links_of[name].append((index, href, target))
        return found["heading"]

    def onward(name: str | None) -> tuple[int, str, str] | None:
        """A link of the page ``name`` to an address not reached yet."""
        links = links_of.get(name, []) if name else []
        return next((link for link in links if link[2] not in reached), None)

    here = None  # the page a click led to
    while True:
        link = onward(here)
        if link is None:  # open a page with a link onward, else one not looked at yet
            here = next((name for name in links_of if onward(name)), None)
            here = here or next((name for name in site.pages if name not in links_of), None)
            if here is None:
                break  # every page looked at, every address reached
            page, traffic = visit(site, here)
            heard = 0  # traffic lines reported so far
            if here not in links_of:
                look(page, here)
            continue
        index, href, target = link
        page.evaluate(OPEN_CONTENTS)
        with page.expect_navigation():
            page.locator(NAV_LINKS).nth(index).click()
        reached.add(target)
        arrived = site.page_of(page.url)
        if arrived != target:
            problems.append(f"{here}: {href!r} led to {arrived}, expected {target}")
        elif not look(page, arrived):
            problems.append(f"{here}: {href!r} led to {arrived}, which has no heading")
        lines = traffic.problems()
        problems += [f"{here} → {href}: {line}" for line in lines[heard:]]
        heard = len(lines)
        here = arrived if arrived == target else None
    assert not problems, "\n".join(problems)
    # Between them, the navigation, brand, breadcrumbs and pagers reach every page but the 404.
    assert reached == set(site.pages) - {"404.html"}


def test_a_figure_in_the_text_opens_its_note_without_javascript(
    file_site: Site, new_context
) -> None:
    """A tap on a figure of the prose opens its note (label, source, a link to its row of
    the figures page) over the page, with JavaScript off; Escape closes it, and the link
    leads to the row."""
    page = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}).new_page()
    page.goto(file_site.url("en/highlight-1.html"))
    note = page.locator("#note-points")
    assert not note.is_visible()
    page.locator("#ref-points").click()
    assert note.is_visible()
    assert "Deputy liaison stations in townships" in note.inner_text()
    page.keyboard.press("Escape")
    assert not note.is_visible()
    page.locator("#ref-points").click()
    with page.expect_navigation():
        note.locator("a").click()
    assert page.url == file_site.url("en/figures.html#fig-points")


def test_the_contents_open_from_the_keyboard_without_javascript(
    file_site: Site, new_context
) -> None:
    """The contents menu is reached with Tab and opened with Enter, on a phone's width, with
    JavaScript off; its first link is then the next stop."""
    page = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}).new_page()
    page.goto(file_site.url("goal-2.html"))
    summary = page.locator("details.contents summary")
    for _ in range(10):
        page.keyboard.press("Tab")
        if summary.evaluate("(el) => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the contents")
    first = page.locator("details.contents a").first
    assert not first.is_visible()
    page.keyboard.press("Enter")
    assert first.is_visible()
    page.keyboard.press("Tab")
    assert first.evaluate("(el) => el === document.activeElement")
    assert page.locator("details.contents a").count() == 9
