"""A site of 10,000 pages: its landing page, its section pages and each part of its
whole-report and figures pages stay within the page budget (no list on them grows with
the site). Built from the full fixture's texts and figures by benchmarks/synthetic.py;
and a site of 100 pages, large enough to have its whole report and figures page in parts,
built as a user builds it."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

from helpers import ROOT, SITES, run_cli
from zhoukou_report.build import read_site
from zhoukou_report.context import language_contexts
from zhoukou_report.model import FIGURES_PART, PARTED, REPORT_PART
from zhoukou_report.render import SiteRenderer

sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic

BUDGET_BYTES = 40_000  # a page with its stylesheet, as tests/browser/test_page_weight.py
REPORT_BUDGET_BYTES = 52_000  # the whole report's, as tests/test_content.py


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


def test_each_part_of_a_large_site_s_report_and_figures_pages_stays_within_the_budget(
    large: Path,
) -> None:
    renderer = SiteRenderer(large)
    site, _ = read_site(large, renderer, jobs=1)
    stylesheet = len(renderer.stylesheet().encode())
    highlights, goals = synthetic.split(10_000)
    sections = highlights + 1 + goals  # and the closing
    assert sections > PARTED
    # One figures part for every FIGURES_PART highlights (the goals, the closing and the
    # overview have no figures), one report part for every REPORT_PART sections.
    counts = {"report": math.ceil(sections / REPORT_PART)}
    counts["figures"] = math.ceil(highlights / FIGURES_PART)
    budgets = {"report": REPORT_BUDGET_BYTES, "figures": BUDGET_BYTES}
    for lang in site.languages:
        for kind, count in counts.items():
            parts = [page for page in site.pages_in(lang.code) if page.kind == kind]
            assert [page.part for page in parts] == list(range(1, count + 1))
    parts = [page for page in site.pages if page.kind in budgets]
    rendered, errors = renderer.render_pages(site, parts, {p.output for p in site.pages})
    assert errors == []
    over = {
        page.output: len(made.content) + stylesheet
        for page, made in zip(parts, rendered, strict=True)
        if len(made.content) + stylesheet > budgets[page.kind]
    }
    assert over == {}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of 100 pages (44 sections a language), built by the command."""
    project = synthetic.generate(tmp_path_factory.mktemp("parts") / "project", 100, SITES / "full")
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 0, result.stderr  # its links checked, every anchor found
    return project / "build"


@pytest.mark.parametrize("prefix", ["", "en/"], ids=["zh", "en"])
def test_a_large_site_s_parts_link_to_each_other_and_are_linked_to(
    built: Path, prefix: str
) -> None:
    highlights, goals = synthetic.split(100)
    sections = highlights + 1 + goals
    reports = math.ceil(sections / REPORT_PART)
    figures = math.ceil(highlights / FIGURES_PART)
    names = {p.name for p in (built / prefix).glob("*.html")}
    assert {name for name in names if re.match(r"(report|figures)-", name)} == {
        f"report-{k}.html" for k in range(2, reports + 1)
    } | {f"figures-{k}.html" for k in range(2, figures + 1)}
    second = (built / prefix / "report-2.html").read_text(encoding="utf-8")
    # the pager, both ways; its sections, and no other
    assert 'href="report.html" rel="prev"' in second and 'href="report-3.html" rel="next"' in second
    ids = re.findall(r'<h3 id="([a-z0-9-]+)"', second)
    assert ids == [f"highlight-{k}" for k in range(REPORT_PART + 1, 2 * REPORT_PART + 1)]
    last = (built / prefix / f"report-{reports}.html").read_text(encoding="utf-8")
    assert 'rel="next"' not in last and f'id="goal-{goals}"' in last
    # its contents: the sections around its own (the first 25 sections', on the first part)
    assert f'href="goal-{goals}.html"' in last and f'href="goal-{goals}.html"' not in second
    # A figure of highlight 12 is listed on the third part of the figures page, and every
    # link to it leads there: from its tile, its section of the whole report, its note.
    number = 2 * FIGURES_PART + 2
    listed = (built / prefix / "figures-3.html").read_text(encoding="utf-8")
    assert f'id="fig-h{number}-f1"' in listed
    assert f'id="fig-h{number}-f1"' not in (built / prefix / "figures.html").read_text("utf-8")
    target = f'href="figures-3.html#fig-h{number}-f1"'
    assert target in (built / prefix / f"highlight-{number}.html").read_text(encoding="utf-8")
    holding = f"report-{math.ceil(number / REPORT_PART)}.html"
    assert target in (built / prefix / holding).read_text(encoding="utf-8")
    # The whole report's first part holds the overview; the goals' heading comes once more
    # at the top of a part that continues them.
    first = (built / prefix / "report.html").read_text(encoding="utf-8")
    assert 'id="overview"' in first and 'id="overview"' not in second
    assert last.count('class="report-part"') == 1


def test_a_part_is_named_by_strings_yaml_or_else_by_default(built: Path, tmp_path: Path) -> None:
    """The full fixture's strings.yaml names a part its own way; one without part_label (a
    project made before parts were) names it as the templates do by default."""
    assert "Part 2 (of " in (built / "en" / "report-2.html").read_text(encoding="utf-8")
    project = synthetic.generate(tmp_path / "project", 100, SITES / "full")
    strings = project / "content" / "strings.yaml"
    text = strings.read_text(encoding="utf-8")
    strings.write_text(re.sub(r"(?m)^part_label: .*\n", "", text), encoding="utf-8")
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 0, result.stderr
    count = len(list((project / "build").glob("report*.html")))
    part = (project / "build" / "en" / "report-2.html").read_text(encoding="utf-8")
    assert f"<title>The full report · Part 2 of {count} · " in part
    part = (project / "build" / "figures-2.html").read_text(encoding="utf-8")
    assert (
        f'<p class="eyebrow">第2部分（共{len(list((project / "build").glob("figures*.html")))}部分）</p>'
        in part
    )
