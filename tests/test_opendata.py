"""What readers and analysts see of the figures: tiles, charts, open data, the change report,
on the full fixture site (tests/sites/full)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from helpers import edit, run_cli
from zhoukou_report.build import assemble_site
from zhoukou_report.opendata import _json_records, figure_records

# The full fixture's figures, its pages in each language, and its charts by page.
FIGURE_COUNT = 11
PAGES = [
    "index", "highlight-1", "highlight-2", "closing", "goal-1", "goal-2", "report", "figures",
    "source",
]  # fmt: skip
CHARTS = {
    "highlight-1": {"chart-liaison": ["120", "340"]},
    "highlight-2": {"chart-satisfaction": ["92.5"]},
}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def build(project: Path, *args: str) -> str:
    result = run_cli("build", "--project", str(project), "--out", str(project / "out"), *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def built_before(project: Path, built: Path) -> None:
    """The session's build of the unchanged fixture, as the previous build of ``project``."""
    shutil.copytree(built, project / "out")


# Tiles and charts ---------------------------------------------------------------------------


def test_the_landing_page_opens_with_the_two_overview_tiles(built: Path):
    for prefix, label in (("", "常委会会议"), ("en/", "Standing Committee sessions")):
        page = soup(built / f"{prefix}index.html")
        tiles = page.select("main .tiles")[0].select(".tile")
        assert [tile["id"] for tile in tiles] == ["tile-sessions", "tile-laws-passed"]
        first = tiles[0]
        assert first.select_one("data")["value"] == "6"
        assert first.select_one(".tile-label").get_text(strip=True) == label


def test_the_declared_charts_are_drawn_on_their_pages_and_nowhere_else(built: Path):
    for prefix, lang in (("", "zh-CN"), ("en/", "en")):
        for name in PAGES:
            charts = CHARTS.get(name, {})
            page = soup(built / f"{prefix}{name}.html")
            assert page.html["lang"] == lang
            found = {figure["id"]: figure for figure in page.select("figure.chart")}
            assert set(found) == set(charts), name
            for chart_id, values in charts.items():
                svg = found[chart_id].select_one("svg")
                assert svg["role"] == "img"
                title, desc = svg.select_one("title"), svg.select_one("desc")
                assert title.get_text() and desc.get_text()
                assert svg["aria-labelledby"] == f"{title['id']} {desc['id']}"
                drawn = [t["data-value"] for t in svg.select("text.chart-value tspan")]
                assert drawn == values
                table = [d["value"] for d in found[chart_id].select("details table data")]
                assert table[: len(values)] == values
                for value in values:  # the description reads the values out
                    assert value.replace("92.5", "92.5%") in desc.get_text().replace(",", "")
    # The share chart's description and table also give the count it rests on.
    share = soup(built / "en" / "highlight-2.html").select_one("#chart-satisfaction")
    assert share.select_one("desc").get_text() == (
        "Residents satisfied: 92.5%; Residents surveyed: 1,500 people."
    )
    assert [d["value"] for d in share.select("details table data")] == ["92.5", "1500"]


def test_bars_are_proportional_to_the_values(built: Path):
    page = soup(built / "en" / "highlight-1.html")
    bars = page.select("#chart-liaison rect.chart-bar")
    widths = [float(bar["width"]) for bar in bars]
    assert len(widths) == 2
    assert widths[0] / widths[1] == pytest.approx(120 / 340, rel=0.01)
    share = soup(built / "highlight-2.html").select_one("#chart-satisfaction")
    fill = float(share.select_one("rect.chart-bar")["width"])
    track = float(share.select_one("rect.chart-track")["width"])
    assert fill / track == pytest.approx(0.925, rel=0.01)


def test_one_edit_changes_tile_chart_table_json_and_csv(project: Path):
    edit(project / "content" / "figures.yaml", "value: 340", "value: 352")
    build(project)
    out = project / "out"
    for prefix in ("", "en/"):
        page = soup(out / f"{prefix}highlight-1.html")
        tile = page.select_one("#ref-points data")  # not a lead figure: in the text
        assert tile["value"] == "352" and tile.get_text() == "352"
        chart = page.select_one("#chart-liaison")
        assert [t["data-value"] for t in chart.select("text.chart-value tspan")] == ["120", "352"]
        assert "352" in chart.select_one("desc").get_text()
        assert [d["value"] for d in chart.select("table data")] == ["120", "352"]
        for quote in page.select(".fig-note-source [lang]"):  # the source's phrase, as cited
            quote.decompose()
        assert "340" not in str(page)
    data = json.loads((out / "data" / "figures.json").read_text(encoding="utf-8"))
    record = next(r for r in data["figures"] if r["id"] == "points")
    assert record["value"] == 352
    rows = list(csv.DictReader(io.StringIO((out / "data" / "figures.csv").read_text("utf-8-sig"))))
    assert next(r for r in rows if r["id"] == "points")["value"] == "352"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "      - points\n",
            "      - pionts\n",
            'charts[0].figures[1]: unknown figure "pionts" (did you mean "points"?)',
        ),
        (
            "    kind: share\n",
            "    kind: pie\n",
            'charts[1].kind: expected bars or share, got "pie"',
        ),
        (
            "    section: highlight-2\n",
            "    section: highlight-9\n",
            'charts[1].section: there is no page "highlight-9" (did you mean "highlight-2"?)',
        ),
    ],
    ids=["unknown-figure", "unknown-kind", "unknown-section"],
)
def test_a_bad_chart_declaration_is_a_located_error(project: Path, old, new, expected):
    charts = project / "content" / "charts.yaml"
    edit(charts, old, new)
    text = charts.read_text(encoding="utf-8")
    line = text[: text.index(new)].count("\n") + 1
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert result.stderr == (
        f"Found 1 error; nothing was written:\n1. content/charts.yaml:{line}: {expected}\n"
    )


# Open data ----------------------------------------------------------------------------------


def test_the_json_validates_against_its_schema(built: Path):
    data = json.loads((built / "data" / "figures.json").read_text(encoding="utf-8"))
    schema = json.loads((built / "data" / "figures.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    assert len(data["figures"]) == FIGURE_COUNT
    visits = next(r for r in data["figures"] if r["id"] == "visits")
    assert visits["value"] == 18000
    assert visits["text"] == {"zh": "1.8万", "en": "18,000"}
    assert visits["label"]["zh"] == "代表走访群众"
    assert visits["source"] == "走访群众1.8万人次"


def test_every_figure_url_leads_to_an_element_that_shows_it(built: Path):
    data = json.loads((built / "data" / "figures.json").read_text(encoding="utf-8"))
    checked = 0
    for record in data["figures"]:
        for url in record["url"].values():
            path, _, anchor = url.partition("#")
            element = soup(built / path).find(id=anchor)
            assert element is not None, url
            assert element.find("data")["value"] == str(record["value"]), url
            checked += 1
    assert checked == 2 * FIGURE_COUNT


def test_the_csv_has_a_bom_and_parses_with_both_languages(built: Path):
    raw = (built / "data" / "figures.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == FIGURE_COUNT
    row = next(r for r in rows if r["id"] == "companies")
    assert row["value"] == "110" and row["qualifier"] == "more-than"
    # The value once, as a plain number: not as the pages write it, which a spreadsheet
    # would take for another number ("92.5%" for 0.925, "18,000" for 18000).
    assert not any(column.startswith("text") for column in row)
    values = {r["id"]: r["value"] for r in rows}
    assert (values["satisfaction"], values["visits"]) == ("92.5", "18000")
    assert row["label_zh"] == "走访企业" and row["label_en"] == "Companies visited"
    assert row["url_en"] == "en/highlight-2.html#ref-companies"


def test_the_figures_page_links_the_downloads_and_anchors_every_figure(built: Path):
    for prefix, up in (("", ""), ("en/", "../")):
        page = soup(built / f"{prefix}figures.html")
        links = {a["href"] for a in page.select(".downloads a")}
        names = ("figures.xlsx", "figures.csv", "figures.json", "figures.schema.json")
        assert links == {f"{up}data/{name}" for name in names}
        assert len(page.select('tr[id^="fig-"]')) == FIGURE_COUNT


def test_each_figure_is_located_at_its_first_reference_or_else_its_tile(project: Path):
    """Site.figure_locations, worked out once per site: the pages link to it and the open
    data gives it. A figure the prose no longer mentions is found at its tile."""
    edit(project / "content" / "en" / "highlight-2.md", "[[surveyed]] residents", "many residents")
    edit(project / "content" / "zh" / "highlight-2.md", "[[surveyed]]名群众", "许多群众")
    files = assemble_site(project, jobs=1)
    site = files.site
    assert "figure_locations" in vars(site)  # computed by the build, kept on the site
    locations = site.figure_locations
    assert locations is site.figure_locations
    assert len(locations) == 2 * FIGURE_COUNT
    assert locations["surveyed", "zh"] == "highlight-2.html#tile-surveyed"
    assert locations["surveyed", "en"] == "en/highlight-2.html#tile-surveyed"
    assert locations["visits", "en"] == "en/highlight-1.html#ref-visits"
    assert locations["sessions", "zh"] == "index.html#ref-sessions"
    assert locations["code-sample", "en"] == "en/goal-2.html#ref-code-sample"
    records = {record["id"]: record for record in figure_records(site)}
    assert records["surveyed"]["url"] == {
        "zh": "highlight-2.html#tile-surveyed",
        "en": "en/highlight-2.html#tile-surveyed",
    }
    html = {
        page.output: BeautifulSoup(page.content.decode("utf-8"), "html.parser")
        for page in files.pages
    }
    # The figures page links to the same place, which exists and shows the figure.
    where = html["en/figures.html"].select_one("#fig-surveyed th a")
    assert where["href"] == "highlight-2.html#tile-surveyed"
    assert html["en/highlight-2.html"].find(id="ref-surveyed") is None
    assert html["en/highlight-2.html"].find(id="tile-surveyed").find("data")["value"] == "1500"


# What changed ---------------------------------------------------------------------------------


def test_the_first_build_says_there_is_nothing_to_compare_and_that_it_has_no_base_url(
    project: Path,
):
    lines = build(project).splitlines()
    assert "Figures: no previous build to compare with." in lines
    assert sum(line.startswith("No base URL:") for line in lines) == 1


def test_a_rebuild_names_exactly_the_figure_that_changed(project: Path, built: Path):
    built_before(project, built)
    assert "Figures: no changes since the previous build." in build(project).splitlines()
    edit(project / "content" / "figures.yaml", "value: 18000", "value: 19000")
    lines = build(project).splitlines()
    start = lines.index("Figures: 1 change since the previous build:")
    assert lines[start + 1].split() == ["changed", "visits:", "18,000", "→", "19,000"]
    assert lines[-1].startswith("Built 19 pages")


def test_added_and_removed_figures_are_reported(project: Path, built: Path):
    built_before(project, built)
    edit(project / "content" / "figures.yaml", "  - id: companies", "  - id: companies-visited")
    for lang in ("zh", "en"):
        edit(
            project / "content" / lang / "highlight-2.md",
            "[[companies]]",
            "[[companies-visited]]",
        )
    lines = build(project).splitlines()
    start = lines.index("Figures: 2 changes since the previous build:")
    assert lines[start + 1 : start + 3] == [
        "  added    companies-visited: more than 110",
        "  removed  companies: more than 110",
    ]


# Publishing metadata ---------------------------------------------------------------------------


def test_without_a_base_url_no_absolute_outputs(built: Path):
    assert not (built / "sitemap.xml").exists() and not (built / "robots.txt").exists()
    for file in built.rglob("*.html"):
        page = file.read_text(encoding="utf-8")
        assert 'rel="canonical"' not in page and "og:url" not in page, file


@pytest.mark.parametrize("how", ["flag", "site.yaml"])
def test_a_base_url_adds_sitemap_robots_canonical_and_open_graph(project: Path, how: str):
    base = "https://example.org/sample/report/"
    if how == "flag":
        stdout = build(project, "--base-url", base.rstrip("/"))
    else:
        edit(project / "content" / "site.yaml", "date: 2025-01-15\n",
             f"date: 2025-01-15\nbase_url: {base}\n")  # fmt: skip
        stdout = build(project)
    assert "No base URL" not in stdout
    out = project / "out"
    tree = ET.parse(out / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = tree.getroot().findall("s:url", ns)
    locations = {u.find("s:loc", ns).text for u in urls}
    pages = [p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.name != "404.html"]
    assert locations == {base + p for p in pages}
    assert len(pages) == 2 * len(PAGES) == len(urls)
    for url in urls:
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
        assert set(alternates) == {"zh-CN", "en", "x-default"}
        assert alternates["en"].startswith(base + "en/")
    assert (out / "robots.txt").read_text().splitlines()[-1] == f"Sitemap: {base}sitemap.xml"
    page = soup(out / "en" / "highlight-2.html")
    assert page.select_one('link[rel="canonical"]')["href"] == base + "en/highlight-2.html"
    meta = {m.get("property") or m.get("name"): m["content"] for m in page.select("meta[content]")}
    assert meta["og:url"] == base + "en/highlight-2.html"
    assert meta["og:locale"] == "en_US" and meta["og:locale:alternate"] == "zh_CN"
    assert meta["og:title"].startswith("Highlight 2") and meta["twitter:card"] == "summary"
    # The 404 page works at any depth: absolute links and its stylesheet inline.
    not_found = soup(out / "404.html")
    assert not not_found.select('link[rel="stylesheet"]') and not_found.style
    hrefs = [a["href"] for a in not_found.select("main a")]
    assert hrefs == [base + "index.html", base + "en/index.html"]


def test_a_bad_base_url_is_refused(project: Path):
    result = run_cli("build", "--project", str(project), "--base-url", "example.org")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value: expected an address like https://example.org/report/"
    )
    assert sorted(p.name for p in project.iterdir()) == ["content", "templates"]


@pytest.mark.parametrize("count", [0, 1, 3])
def test_figures_json_has_one_line_per_figure_and_reads_back_as_written(count):
    records = [{"id": f"f{i}", "label": {"zh": "代表", "en": 'say "hi"'}} for i in range(count)]
    document = {"title": {"zh": "标题"}, "figures": records}
    text = _json_records(document, "figures").decode("utf-8")
    assert json.loads(text) == document
    assert text.endswith("}\n")
    assert sum(line.startswith('    {"id"') for line in text.splitlines()) == count
