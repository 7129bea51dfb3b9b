"""Accessibility of every page in both languages, in light and dark colour schemes.

- axe-core (bundled by the ``axe-playwright-python`` package) finds no violation of
  WCAG 2.1 A and AA, and where it cannot decide a contrast (text on a gradient, SVG
  text) the contrast is computed here against every colour behind the text;
- headings form an outline without skipped levels; a skip link and landmarks everywhere;
- every element the keyboard reaches shows a visible focus indicator.

The pages are served over HTTP (``static_site``): axe reads the stylesheets, which
Chromium does not let a script fetch from ``file://``. A page is loaded once for axe and
then resized and switched between colour schemes (the pages run no script of their own).
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from browsing import PHONE, VIEWPORTS, Site, unavailable

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Best-practice rules of axe's, run as well: all content in landmarks, headings, skip link.
STRUCTURE_RULES = [
    "region",
    "landmark-one-main",
    "landmark-unique",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-banner-is-top-level",
    "landmark-contentinfo-is-top-level",
    "landmark-main-is-top-level",
    "page-has-heading-one",
    "heading-order",
    "empty-heading",
    "skip-link",
]
SCHEMES = ["light", "dark"]


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's script, as the ``axe-playwright-python`` package bundles it."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is not installed (pip install -e '.[test]')")
    return Axe().axe_script


# axe-core on the page as it is now, if the page has it. Only the result types asked for come
# back: the rules that passed or did not apply are 35 KB a run, left in the page.
RUN_AXE = """async (options) => {
  if (typeof window.axe?.run !== "function") return null;
  const results = await axe.run(document, options);
  return Object.fromEntries(options.resultTypes.map((type) => [type, results[type]]));
}"""


def run_axe(axe: str, page: Any, rules: list[str] = (), types: tuple = ("violations",)) -> dict:
    """axe-core's WCAG 2.1 A and AA rules, and ``rules`` besides, on the page as it is now.

    axe is injected once per document (the package's ``Axe.run`` sends its 570 KB again on
    every run): a page is checked in both colour schemes and at both widths in one load."""
    options = {
        "runOnly": {"type": "tag", "values": WCAG_21_AA},
        "rules": {rule: {"enabled": True} for rule in rules},
        "resultTypes": list(types),
    }
    results = page.evaluate(RUN_AXE, options)
    if results is None:  # the first run in this document
        page.evaluate(axe)
        results = page.evaluate(RUN_AXE, options)
    return results


def describe(name: str, result: dict) -> list[str]:
    return [
        f"{name}: {result['id']} ({result.get('impact')}): {node['target']}: "
        + " ".join(node.get("failureSummary", "").split())
        for node in result["nodes"]
    ]


# Colours, for what axe leaves undecided and for the focus indicator ---------------------

COLOUR_JS = r"""
const parseColours = (text) =>
  [...text.matchAll(/rgba?\(([^)]+)\)/g)].map((m) => {
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  });
const luminance = ({ r, g, b }) => {
  const [R, G, B] = [r, g, b].map((v) => {
    v /= 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * R + 0.7152 * G + 0.0722 * B;
};
const ratio = (a, b) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
const over = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
// Every colour that can be behind an element: the stops of any gradient on the way up,
// and the first solid background colour (translucent layers blended onto it).
const coloursBehind = (el) => {
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const s = getComputedStyle(node);
    const gradient = s.backgroundImage.includes("gradient") ? parseColours(s.backgroundImage) : [];
    const [colour] = parseColours(s.backgroundColor);
    if (gradient.length) return gradient.map((stop) => layers.reduceRight((c, l) => over(l, c), over(stop, colour || { r: 255, g: 255, b: 255, a: 1 })));
    if (colour && colour.a === 1) return [layers.reduceRight((c, l) => over(l, c), colour)];
    if (colour && colour.a > 0) layers.push(colour);
  }
  return [layers.reduceRight((c, l) => over(l, c), { r: 255, g: 255, b: 255, a: 1 })];
};
"""

# The contrast of each element axe left undecided, against every colour behind it.
CONTRAST_OF = (
    "(selectors) => {"
    + COLOUR_JS
    + r"""
  return selectors.map((selector) => {
    const el = document.querySelector(selector);
    const s = getComputedStyle(el);
    const inSvg = el instanceof SVGElement;
    const [fg] = parseColours(inSvg ? s.fill : s.color);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    const lowest = Math.min(...coloursBehind(el).map((bg) => ratio(over(fg, bg), bg)));
    return { selector, text: el.textContent.trim().slice(0, 40), ratio: lowest, needed: large ? 3 : 4.5 };
  });
}"""
)


def axe_problems(axe: str, page: Any, scheme: str, width: str, name: str) -> tuple[list, int]:
    """The page as it is, in ``scheme`` at ``width``: what axe finds, and where it leaves a
    contrast undecided, what the contrast check finds; and how many contrasts were undecided."""
    if page.viewport_size != VIEWPORTS[width]:
        page.set_viewport_size(VIEWPORTS[width])
    page.emulate_media(color_scheme=scheme)
    where = f"{name} ({scheme}, {width}px)"
    results = run_axe(axe, page, STRUCTURE_RULES, ("violations", "incomplete"))
    problems = []
    for violation in results["violations"]:
        problems += describe(where, violation)
    targets = []
    for result in results["incomplete"]:
        if result["id"] != "color-contrast":
            problems += [f"needs review: {line}" for line in describe(where, result)]
            continue
        targets += [node["target"][0] for node in result["nodes"]]
    for check in page.evaluate(CONTRAST_OF, targets):
        if check["ratio"] < check["needed"]:
            problems.append(
                f"{where}: contrast {check['ratio']:.2f}:1 < {check['needed']}:1 for "
                f"{check['selector']} {json.dumps(check['text'], ensure_ascii=False)}"
            )
    return problems, len(targets)


@pytest.mark.parametrize("site", ["static", "years"], indirect=True)
def test_axe_finds_no_violation(site: Site, visit, axe: str) -> None:
    """Every page at both widths, in both colour schemes: one load, four runs of axe; on the
    full fixture and on the site of several years."""
    problems = []
    undecided = {(scheme, width): 0 for width in VIEWPORTS for scheme in SCHEMES}
    for name in site.pages:
        page, _ = visit(site, name, viewport=PHONE)
        for scheme, width in undecided:
            found, count = axe_problems(axe, page, scheme, width, name)
            problems += found
            undecided[scheme, width] += count
    assert not problems, "\n".join(problems)
    decided = [f"{scheme}, {width}px" for (scheme, width), count in undecided.items() if not count]
    assert not decided, (
        f"axe decided every contrast ({'; '.join(decided)}): "
        "is the site's SVG and gradient still there?"
    )


def test_axe_and_the_contrast_check_find_defects(tmp_path: Path, visit, axe: str) -> None:
    """The checks above can fail: a page with known defects is reported, and so are those
    that show only in the dark scheme or only at a phone's width, on the page as loaded."""
    (tmp_path / "bad.html").write_text(
        "<!doctype html><html><title>x</title>"
        '<p style="color: #aaa; background: #fff">faint text</p>'
        '<div id="g" style="background: linear-gradient(#fff, #6f6f6f)"><p id="on">on a gradient</p></div>'
        '<img src="data:,">'
        "<style>@media (prefers-color-scheme: dark) { #dark { color: #444; background: #000 } }"
        "@media (max-width: 500px) { #narrow { color: #bbb } }</style>"
        '<p id="dark">faint in the dark</p><p id="narrow">faint on a phone</p>',
        encoding="utf-8",
    )
    site = Site("bad", tmp_path, tmp_path.as_uri() + "/", ("bad.html",))
    page, _ = visit(site, "bad.html")
    results = run_axe(axe, page, STRUCTURE_RULES)
    found = {violation["id"] for violation in results["violations"]}
    assert {
        "color-contrast",
        "image-alt",
        "html-has-lang",
        "region",
        "page-has-heading-one",
    } <= found
    [check] = page.evaluate(CONTRAST_OF, ["#on"])
    assert 4.0 < check["ratio"] < 4.5  # black on the gradient's grey end

    def faint(scheme: str, width: str) -> set[str]:
        problems, _ = axe_problems(axe, page, scheme, width, "bad.html")
        contrast = [line for line in problems if "contrast" in line]
        return {el for el in ("#dark", "#narrow") if any(el in line for line in contrast)}

    assert faint("light", "1280") == set()
    assert faint("dark", "1280") == {"#dark"}
    assert faint("dark", "390") == {"#dark", "#narrow"}
    assert faint("light", "390") == {"#narrow"}


HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
  .map((h) => [Number(h.tagName[1]), h.textContent.trim()])"""


def outline_problems(headings: list[list]) -> list[str]:
    """What is wrong with a page's outline: [[level, text], ...] in document order."""
    problems = []
    levels = [level for level, _ in headings]
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 headings, expected 1")
    if levels and levels[0] != 1:
        problems.append(f"the first heading is h{levels[0]}, not h1")
    for (before, _), (level, text) in pairwise(headings):
        if level > before + 1:
            problems.append(f"h{before} is followed by h{level} {text!r}: a level is skipped")
    problems += [f"an empty h{level}" for level, text in headings if not text]
    return problems


@pytest.mark.parametrize(
    ("headings", "expected"),
    [
        ([[1, "a"], [2, "b"], [3, "c"], [2, "d"]], []),
        ([[1, "a"], [3, "b"]], ["h1 is followed by h3 'b': a level is skipped"]),
        ([[2, "a"], [1, "b"]], ["the first heading is h2, not h1"]),
        ([[1, "a"], [1, "b"]], ["2 h1 headings, expected 1"]),
    ],
    ids=["good", "skipped", "h2-first", "two-h1"],
)
def test_outline_problems(headings: list[list], expected: list[str]) -> None:
    assert outline_problems(headings) == expected


# What the keyboard has done so far: where focus is, and where the skip link is.
KEYBOARD = """() => {
  const links = document.querySelectorAll(".skip-link");
  const skip = links[0];
  const r = skip ? skip.getBoundingClientRect() : null;
  const active = document.activeElement;
  return {
    skipLinks: links.length,
    skipFocused: Boolean(skip) && skip === active,
    skipOnScreen: Boolean(r) && r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0
      && r.bottom <= innerHeight && r.right <= innerWidth,
    focusedId: active.id,
    inMasthead: document.querySelector("body > header").contains(active),
    navLabels: [...document.querySelectorAll("nav")].map((n) => n.ariaLabel),
  };
}"""


@pytest.mark.parametrize("width", VIEWPORTS)
def test_landmarks_headings_and_a_skip_link_to_the_main_content(
    static_site: Site, visit, width: str
) -> None:
    """Every page has one banner, main and contentinfo landmark, navigation landmarks with
    distinct labels, headings that form an outline without skipped levels, and a skip link
    that the first Tab shows and that moves focus to the main content."""
    problems = []
    for name in static_site.pages:
        page, _ = visit(static_site, name, viewport=VIEWPORTS[width])
        problems += [f"{name}: {line}" for line in outline_problems(page.evaluate(HEADINGS))]
        for role in ("banner", "main", "contentinfo"):
            if (count := page.get_by_role(role).count()) != 1:
                problems.append(f"{name}: {count} {role} landmarks")
        before = page.evaluate(KEYBOARD)
        labels = before["navLabels"]
        if not labels or not all(labels) or len(set(labels)) != len(labels):
            problems.append(f"{name}: navigation landmarks need distinct labels: {labels}")
        if before["skipLinks"] != 1:
            problems.append(f"{name}: {before['skipLinks']} skip links, expected 1")
            continue
        if before["skipOnScreen"]:
            problems.append(f"{name}: the skip link shows before it is focused")
        page.keyboard.press("Tab")
        first = page.evaluate(KEYBOARD)
        if not first["skipFocused"]:
            problems.append(f"{name}: the first Tab does not reach the skip link")
        elif not first["skipOnScreen"]:
            problems.append(f"{name}: the focused skip link is not on screen")
        page.keyboard.press("Enter")
        if page.evaluate(KEYBOARD)["focusedId"] != "main":
            problems.append(f"{name}: the skip link does not move focus to the main content")
        page.keyboard.press("Tab")
        if page.evaluate(KEYBOARD)["inMasthead"]:
            problems.append(f"{name}: after the skip link, Tab goes back to the masthead")
    assert not problems, "\n".join(problems)


# The element that has focus: is its indicator there, and does it stand out?
FOCUS = (
    "() => {"
    + COLOUR_JS
    + r"""
  const el = document.activeElement;
  if (!el || el === document.body || el.dataset.focusSeen) return null;  // left, or wrapped
  el.dataset.focusSeen = "yes";
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  let label = el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
  label += " " + JSON.stringify((el.textContent || "").trim().slice(0, 30));
  const auto = s.outlineStyle === "auto";
  const outline = auto || (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2);
  const [colour] = parseColours(s.outlineColor);
  // What is on screen under the middle of each side of the outline, the element excepted.
  const band = parseFloat(s.outlineOffset) + parseFloat(s.outlineWidth) / 2;
  const sides = [
    [r.left - band, r.top + r.height / 2], [r.right + band, r.top + r.height / 2],
    [r.left + r.width / 2, r.top - band], [r.left + r.width / 2, r.bottom + band],
  ].filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
  const behind = sides.flatMap(([x, y]) => {
    const under = document.elementsFromPoint(x, y).find((e) => e !== el && !el.contains(e));
    return under ? coloursBehind(under) : [];
  });
  const contrast = outline && !auto && behind.length
    ? Math.min(...behind.map((bg) => ratio(colour, bg))) : null;
  const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight
    && r.right > 0 && r.left < innerWidth;
  return { label, outline, contrast, onScreen };
}"""
)

MAX_TAB_STOPS = 400  # far more than any page has: only reached if focus never leaves


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_focusable_element_shows_its_focus(static_site: Site, visit, scheme: str) -> None:
    """Tab through each page: every stop has an outline of 2px or more (or the browser's own
    ring) that contrasts 3:1 with what is behind it, and is scrolled into view."""
    problems = []
    for name in static_site.pages:
        page, _ = visit(static_site, name, color_scheme=scheme)
        stops = 0
        for _ in range(MAX_TAB_STOPS):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS)
            if focus is None:
                break
            stops += 1
            if not focus["outline"]:
                problems.append(f"{name}: no visible focus on {focus['label']}")
            elif focus["contrast"] is not None and focus["contrast"] < 3:
                problems.append(
                    f"{name}: the focus outline of {focus['label']} contrasts "
                    f"{focus['contrast']:.2f}:1 with its background"
                )
            if not focus["onScreen"]:
                problems.append(f"{name}: {focus['label']} is focused off screen")
        else:
            problems.append(f"{name}: focus never left the page after {MAX_TAB_STOPS} Tabs")
        if stops < 5:
            problems.append(f"{name}: only {stops} elements take focus")
    assert not problems, "\n".join(dict.fromkeys(problems))
