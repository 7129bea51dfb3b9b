"""Layout on a phone (390×844) and a desktop (1280×800), and on paper.

Every page, from disk and from the preview server: no sideways scrolling, no text outside
the box it is drawn in, tiles and charts whole and inside the window; in print the site's
controls are gone and the figures and charts stay.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browsing import PHONE, VIEWPORTS, Site

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Returns one line per problem. A "box" is anything the reader sees as a box (a background,
# a border) or anything that clips (overflow other than visible): text must stay inside
# every box around it, and everything must stay inside the window's width.
LAYOUT_PROBLEMS = r"""
() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  const slack = 1;
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.classList.length) text += "." + [...el.classList].join(".");
    return text;
  };
  const snippet = (text) => JSON.stringify(text.trim().slice(0, 40));
  const inside = (inner, outer) =>
    inner.left >= outer.left - slack && inner.right <= outer.right + slack &&
    inner.top >= outer.top - slack && inner.bottom <= outer.bottom + slack;
  // A line of text reaches above and below its line box by the font's ascent and descent
  // (CJK fonts most), so lines are held to their box sideways; height is checked per box.
  const across = (inner, outer) =>
    inner.left >= outer.left - slack && inner.right <= outer.right + slack;
  const isBox = (el) => {
    const s = getComputedStyle(el);
    const border = ["Top", "Right", "Bottom", "Left"]
      .some((side) => parseFloat(s[`border${side}Width`]) > 0 && s[`border${side}Style`] !== "none");
    const background = s.backgroundImage !== "none" ||
      !/^rgba\(.*,\s*0\)$|^transparent$/.test(s.backgroundColor);
    const clips = s.overflowX !== "visible" || s.overflowY !== "visible";
    return border || background || clips;
  };
  const hidden = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const s = getComputedStyle(node);
      if (s.clipPath !== "none" || (s.clip && s.clip !== "auto")) return true;
    }
    return !el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  };

  const root = document.scrollingElement;
  if (root.scrollWidth > width) {
    problems.push(`scrolls sideways: ${root.scrollWidth}px of page in a ${width}px window`);
  }
  for (const el of [document.documentElement, document.body]) {
    if (getComputedStyle(el).overflowX !== "visible") {
      problems.push(`${describe(el)} hides what overflows sideways instead of fitting it`);
    }
  }

  // Every element inside the window's width.
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || hidden(el)) continue;
    if (r.left < -slack || r.right > width + slack) {
      problems.push(`${describe(el)} sticks out of the window: ${Math.round(r.left)}..${Math.round(r.right)} of ${width}px`);
    }
  }

  // Every box holds what it contains.
  for (const el of document.body.querySelectorAll("*")) {
    if (!isBox(el) || hidden(el) || el.closest("svg")) continue;
    if (el.scrollWidth > el.clientWidth + slack || el.scrollHeight > el.clientHeight + slack) {
      problems.push(`${describe(el)} ${snippet(el.textContent)} overflows: its content is ${el.scrollWidth}×${el.scrollHeight}px in ${el.clientWidth}×${el.clientHeight}px`);
    }
  }

  // Every line of text inside every box around it (SVG text is checked with the charts).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || parent.closest("svg, script, style") || hidden(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const lines = [...range.getClientRects()].filter((r) => r.width && r.height);
    for (let box = parent; box && box !== document.body; box = box.parentElement) {
      if (!isBox(box)) continue;
      const outer = box.getBoundingClientRect();
      if (lines.some((line) => !across(line, outer))) {
        problems.push(`text ${snippet(node.textContent)} overflows ${describe(box)}`);
        break;
      }
    }
  }

  // Tiles and charts: drawn, whole, inside the window; a chart's marks inside its SVG,
  // its texts clear of each other and of the bars.
  for (const tile of document.querySelectorAll(".tile")) {
    const r = tile.getBoundingClientRect();
    if (!r.width || !r.height || hidden(tile)) problems.push(`a tile is not shown: ${snippet(tile.textContent)}`);
    else if (r.left < -slack || r.right > width + slack) problems.push(`a tile is cut off: ${snippet(tile.textContent)}`);
  }
  for (const chart of document.querySelectorAll("figure.chart")) {
    const name = `chart ${chart.id}`;
    const svg = chart.querySelector("svg");
    const box = svg.getBoundingClientRect();
    if (!box.width || !box.height || hidden(svg)) {
      problems.push(`${name} is not drawn`);
      continue;
    }
    if (!inside(box, chart.getBoundingClientRect())) problems.push(`${name}: the drawing overflows its frame`);
    const texts = [...svg.querySelectorAll("text")].map((el) => [el, el.getBoundingClientRect()]);
    const bars = [...svg.querySelectorAll("rect")].map((el) => el.getBoundingClientRect());
    for (const [el, r] of texts) {
      if (!inside(r, box)) problems.push(`${name}: ${snippet(el.textContent)} is outside the drawing`);
    }
    const overlap = (a, b) =>
      Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;
    texts.forEach(([el, r], i) => {
      texts.slice(i + 1).forEach(([other, q]) => {
        if (overlap(r, q)) problems.push(`${name}: ${snippet(el.textContent)} overlaps ${snippet(other.textContent)}`);
      });
      if (bars.some((bar) => overlap(r, bar))) problems.push(`${name}: ${snippet(el.textContent)} overlaps a bar`);
    });
  }
  return problems;
}
"""

OPEN_DETAILS = "document.querySelectorAll('details').forEach((d) => { d.open = true; })"

# In print: no site controls; every figure and chart still there. Also how many of each
# there were, printed or not.
PRINT_PROBLEMS = r"""
() => {
  const problems = [];
  const shown = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: true })
    && el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0;
  const controls = document.querySelectorAll("nav, .languages, .skip-link");
  for (const el of controls) {
    if (shown(el)) problems.push(`${el.tagName.toLowerCase()}.${el.className} is printed`);
  }
  const kept = document.querySelectorAll(".tile, .figure-table tbody tr, figure.chart, figure.chart svg, .prose .fig, main h1");
  for (const el of kept) {
    if (!shown(el)) problems.push(`${el.tagName.toLowerCase()}.${el.className} ${JSON.stringify(el.textContent.trim().slice(0, 30))} is not printed`);
  }
  return {
    problems,
    controls: document.querySelectorAll("nav, .languages").length,
    kept: document.querySelectorAll(".tile, .figure-table tbody tr, figure.chart").length,
  };
}
"""


def layout_problems(page: Page, name: str, counts: Counter) -> list[str]:
    """The page as loaded at both widths, on paper, then at both widths with every collapsed
    data table opened: one load, the window resized and the media switched between checks
    (the pages run no script of their own). ``counts`` adds up the controls and the figures
    there were to hide and to keep in print."""
    problems = []

    def on_screen(widths: list[str], state: str = "") -> None:
        for width in widths:
            if page.viewport_size != VIEWPORTS[width]:
                page.set_viewport_size(VIEWPORTS[width])
            lines = page.evaluate(LAYOUT_PROBLEMS)
            problems.extend(f"{name} ({width}px{state}): {line}" for line in lines)

    on_screen(["390", "1280"])
    page.emulate_media(media="print")
    printed = page.evaluate(PRINT_PROBLEMS)
    page.emulate_media(media="null")
    problems.extend(f"{name} (print): {line}" for line in printed["problems"])
    counts.update(controls=printed["controls"], kept=printed["kept"])
    page.evaluate(OPEN_DETAILS)
    on_screen(["1280", "390"], ", tables open")
    return problems


@pytest.mark.parametrize("site", ["file", "preview", "years"], indirect=True)
def test_pages_fit_the_screen_and_print_keeps_figures_and_charts(site: Site, visit) -> None:
    problems = []
    counts: Counter = Counter()
    for name in site.pages:
        page, _ = visit(site, name, viewport=PHONE)
        problems += layout_problems(page, name, counts)
    assert not problems, "\n".join(dict.fromkeys(problems))
    assert counts["controls"] and counts["kept"]  # there was something to hide and to keep


@pytest.mark.parametrize(
    ("snippet", "expected", "unexpected"),
    [
        ('<div style="width: 2000px">wide</div>', "(390px): scrolls sideways", None),
        (
            '<p style="width: 4em; border: 1px solid; white-space: nowrap">'
            "far too long for its box</p>",
            'text "far too long for its box" overflows p',
            None,
        ),
        (
            '<figure class="chart" id="c" style="width: 200px; border: 1px solid"><svg width="100" '
            'height="40"><text x="0" y="15">one</text><text x="5" y="18">two</text></svg></figure>',
            'chart c: "one" overlaps "two"',
            None,
        ),
        (
            "<style>@media (min-width: 1000px) { div { width: 2000px } }</style><div>wide</div>",
            "(1280px): scrolls sideways",
            "(390px): scrolls sideways",
        ),
        (
            '<details><summary>table</summary><div style="width: 2000px">wide</div></details>',
            "(390px, tables open): scrolls sideways",
            "(390px): scrolls sideways",
        ),
        ('<nav class="site">menu</nav>', "(print): nav.site is printed", None),
        (
            "<main><h1>x</h1></main><style>@media print { h1 { display: none } }</style>",
            '(print): h1. "x" is not printed',
            None,
        ),
        (
            "<style>@media screen { div { width: 2000px } }</style><div>wide</div>",
            "(390px, tables open): scrolls sideways",
            "(print)",
        ),
    ],
    ids=[
        "sideways",
        "text-out-of-box",
        "chart-texts-overlap",
        "desktop-only",
        "table-open",
        "printed-controls",
        "unprinted-heading",
        "screen-after-paper",
    ],
)
def test_the_layout_check_finds_defects(
    tmp_path: Path, visit, snippet: str, expected: str, unexpected: str | None
) -> None:
    """The check above can fail: each defect of a small page is reported, where it shows
    (at one width only, once the tables are open, on paper)."""
    file = tmp_path / "page.html"
    file.write_text(f'<!doctype html><html lang="en"><title>x</title>{snippet}', encoding="utf-8")
    page, _ = visit(Site("defects", tmp_path, tmp_path.as_uri() + "/"), "page.html", viewport=PHONE)
    problems = layout_problems(page, "page.html", Counter())
    assert any(expected in line for line in problems), problems
    assert not any(unexpected and unexpected in line for line in problems), problems
