"""The whole report printed to PDF by Chromium, in each language: A4 pages, as many as the
text needs, with the report's title and the page number in the margins.

``page.pdf(prefer_css_page_size=True)`` prints as a reader's "Save as PDF" does: with the
page size and margins of the stylesheet's ``@page``. The PDF is read with regular
expressions: Chromium writes each page's /MediaBox and its text uncompressed enough to
count the pages.
"""

from __future__ import annotations

import re

import pytest
from browsing import Site

A4 = (595.0, 842.0)  # points: 210 × 297 mm
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")
PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The size of every page of a PDF, in points."""
    boxes = [(float(w), float(h)) for w, h in MEDIA_BOX.findall(pdf)]
    assert len(boxes) == len(PAGE.findall(pdf)), "a page without a /MediaBox of its own"
    return boxes


@pytest.mark.parametrize("name", ["report.html", "en/report.html"])
def test_the_whole_report_prints_on_a4(file_site: Site, visit, name: str) -> None:
    page, _ = visit(file_site, name)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = pdf_pages(pdf)
    # The fixture's report: a title, an overview, two highlights, a closing, two goals.
    assert 1 <= len(sizes) <= 4, f"{len(sizes)} pages"
    for width, height in sizes:
        assert width == pytest.approx(A4[0], abs=1) and height == pytest.approx(A4[1], abs=1)


def test_the_page_size_is_read_from_the_pdf(tmp_path, visit) -> None:
    """Without an @page of its own, Chromium prints on US Letter (612 × 792 points): the
    check above would see it."""
    text = "<p>A page.</p>" * 200
    (tmp_path / "page.html").write_text(f"<!doctype html><title>x</title>{text}", encoding="utf-8")
    page, _ = visit(Site("letter", tmp_path, tmp_path.as_uri() + "/"), "page.html")
    sizes = pdf_pages(page.pdf(prefer_css_page_size=True))
    assert len(sizes) > 1 and all(size == (612.0, 792.0) for size in sizes)


def test_print_drops_the_controls_and_keeps_headings_with_their_text(
    file_site: Site, visit
) -> None:
    """On paper: no menus, no notes, no downloads; headings not left at a page's foot."""
    page, _ = visit(file_site, "en/report.html")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => [...document.querySelectorAll(
            ".site-nav, details.contents, .report-toc, .fig-notes .fig-note, .languages")]
          .filter((el) => el.checkVisibility()).map((el) => el.className)"""
    )
    after = page.evaluate(
        "() => [...document.querySelectorAll('h1, h2, h3')]"
        ".map((h) => getComputedStyle(h).breakAfter)"
    )
    page.emulate_media(media="null")
    assert hidden == []
    assert after and set(after) == {"avoid"}
