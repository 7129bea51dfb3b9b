"""A site of 10,000 pages: its landing page and its section pages stay within the page
budget (no list on them grows with the site). Built from the full fixture's texts and
figures by benchmarks/synthetic.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from helpers import ROOT, SITES
from zhoukou_report.build import read_site
from zhoukou_report.context import language_contexts
from zhoukou_report.render import SiteRenderer

sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic

BUDGET_BYTES = 40_000  # a page with its stylesheet, as tests/browser/test_page_weight.py


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic.generate(tmp_path_factory.mktemp("large") / "project", 10_000, SITES / "full")


def test_the_index_pages_of_a_large_site_stay_within_the_budget(large: Path) -> None:
    renderer = SiteRenderer(large)
    site, _ = read_site(large, renderer, jobs=1)
    assert len(site.pages) > 9_900
    stylesheet = renderer.stylesheet()
    shared = language_contexts(site, stylesheet)
    highlights, goals = synthetic.split(10_000)
    ids = ["overview", "highlight-1", "highlight-2000", f"highlight-{highlights}", "goal-1"]
    ids += [f"goal-{goals}", "closing", "source"]
    pages = [site.page(page_id, lang.code) for page_id in ids for lang in site.languages]
    rendered, errors = renderer.render_pages(site, pages, {p.output for p in site.pages}, shared)
    assert errors == []
    sizes = {page.output: len(page.content) + len(stylesheet.encode()) for page in rendered}
    assert len(sizes) == len(pages)
    assert {name: size for name, size in sizes.items() if size > BUDGET_BYTES} == {}
