"""Large text on a small phone (WCAG 1.4.4 and 1.4.10): at 320 and 390 pixels wide, with text
at 100, 150 and 200 %, every page of both languages keeps each number whole on one line with
its unit, never breaks a word inside, and never scrolls sideways.

How the text is enlarged: the root font size is set to 150 % or 200 % of the browser's. A
phone's large-text setting (Android's font size, which WeChat and Chrome follow, or a
browser's default font size) does the same: it changes the size text is set in, not the
width of the screen (media queries still see 320 pixels, unlike zooming the page, which
would only stand for a narrower screen). Every size in site.css is in rem or em, so all the
site's text grows with it; the charts' labels are drawn in the SVG's own units and keep their
size, with the chart's table beside them for who needs them larger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from browsing import Site
from test_layout import LAYOUT_PROBLEMS, OPEN_DETAILS

if TYPE_CHECKING:
    from playwright.sync_api import Page

WIDTHS = {320: 640, 390: 844}
TEXT_SIZES = (100, 150, 200)

# Returns one line per problem: a number split from itself or from its unit; a word broken
# inside (a break after a hyphen is a break between words; code may break anywhere); an element wider
# than the window.
TEXT_PROBLEMS = r"""
() => {
  const problems = [];
  const snippet = (text) => JSON.stringify(text.trim().slice(0, 40));
  const shown = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  // The lines a range of text is drawn on: two boxes are on one line when they share most
  // of the smaller one's height (a unit set smaller stands inside its number's line).
  const lines = (range) => {
    const found = [];
    for (const box of range.getClientRects()) {
      if (!box.width || !box.height) continue;
      const same = (line) =>
        Math.min(line.bottom, box.bottom) - Math.max(line.top, box.top) >
        Math.min(line.height, box.height) / 2;
      if (!found.some(same)) found.push(box);
    }
    return found.length;
  };

  // A number, with its unit up to the unit's first hyphen: one line.
  for (const number of document.querySelectorAll(".num")) {
    if (!shown(number)) continue;
    const range = document.createRange();
    range.setStart(number, 0);
    const unit = number.querySelector(".unit");
    if (unit && unit.firstChild) {
      const hyphen = unit.textContent.indexOf("-");
      range.setEnd(unit.firstChild, hyphen < 0 ? unit.textContent.length : hyphen + 1);
    } else {
      range.setEnd(number, number.childNodes.length);
    }
    if (lines(range) !== 1) problems.push(`the number ${snippet(number.textContent)} is split across lines`);
  }

  // Every word of Latin letters and digits: one line.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    const parent = node.parentElement;
    if (parent.closest("svg, script, style, code, pre") || !shown(parent)) continue;
    for (const word of node.textContent.matchAll(/[A-Za-z0-9\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F’'.,%]*/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].replace(/[.,’']+$/, "").length);
      if (lines(range) > 1) problems.push(`the word ${snippet(word[0])} is broken inside (${snippet(node.textContent)})`);
    }
  }
  return problems;
}
"""

SET_TEXT_SIZE = "(size) => { document.documentElement.style.fontSize = size; }"


def text_problems(page: Page, name: str) -> list[str]:
    """The page at each width and text size, then again with its details open."""
    problems = []
    for state in ("", ", details open"):
        if state:
            page.evaluate(OPEN_DETAILS)
        for width, height in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            for size in TEXT_SIZES:
                page.evaluate(SET_TEXT_SIZE, f"{size}%")
                where = f"{name} ({width}px, text {size} %{state})"
                found = page.evaluate(TEXT_PROBLEMS) + page.evaluate(LAYOUT_PROBLEMS)
                problems += [f"{where}: {line}" for line in found]
    page.evaluate(SET_TEXT_SIZE, "")
    return problems


@pytest.mark.parametrize("site", ["file", "years"], indirect=True)
def test_large_text_keeps_numbers_and_words_whole_on_a_small_screen(site: Site, visit) -> None:
    problems = []
    for name in site.pages:
        page, _ = visit(site, name, viewport={"width": 320, "height": 640})
        problems += text_problems(page, name)
    assert not problems, "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            '<p style="width: 3em"><span class="num"><data value="195000">195,000</data>'
            '<span class="unit">条</span></span></p>',
            'the number "195,000条" is split across lines',
        ),
        (
            '<p style="width: 4em"><span class="num"><data value="18000">18,000</data> '
            '<span class="unit">visits</span></span></p>'
            "<style>.num { white-space: normal }</style>",
            'the number "18,000 visits" is split across lines',
        ),
        (
            '<p lang="en" style="width: 3em; overflow-wrap: anywhere">Municipal</p>',
            'the word "Municipal" is broken inside',
        ),
        ('<div style="width: 500px">wide</div>', "(320px, text 100 %): scrolls sideways"),
        (
            '<p style="width: 150px; border: 1px solid"><span style="white-space: nowrap">'
            "it fits at first only</span></p>",
            '(320px, text 200 %): text "it fits at first only" overflows p',
        ),
    ],
    ids=["number", "number-and-unit", "word", "sideways", "grows-out-of-its-box"],
)
def test_the_large_text_check_finds_defects(tmp_path, visit, snippet: str, expected: str) -> None:
    """The check above can fail: a split number, a number parted from its unit, a broken
    word, a page too wide, a box its enlarged text no longer fits."""
    file = tmp_path / "page.html"
    file.write_text(f'<!doctype html><html lang="en"><title>x</title>{snippet}', encoding="utf-8")
    site = Site("defects", tmp_path, tmp_path.as_uri() + "/")
    page, _ = visit(site, "page.html", viewport={"width": 320, "height": 640})
    problems = text_problems(page, "page.html")
    assert any(expected in line for line in problems), problems
    if "it fits at first" in snippet:  # only once the text is enlarged
        assert not any("text 100 %" in line for line in problems), problems


def test_a_number_that_fits_is_not_reported(tmp_path, visit) -> None:
    """A number and its hyphenated English unit may part at the unit's hyphen, and nowhere else."""
    file = tmp_path / "page.html"
    file.write_text(
        '<!doctype html><html lang="en"><title>x</title><p style="width: 7em">'
        '<span class="num" style="white-space: nowrap"><data value="195000">195,000</data> '
        '<span class="unit" style="white-space: normal">person-times</span></span></p>',
        encoding="utf-8",
    )
    site = Site("fits", tmp_path, tmp_path.as_uri() + "/")
    page, _ = visit(site, "page.html", viewport={"width": 320, "height": 640})
    assert text_problems(page, "page.html") == []
