"""What readers and analysts see of the figures: tiles, charts, open data, the change report."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from helpers import ROOT, edit, run_cli
from zhoukou_report.validate import load_site


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def build(project: Path, *args: str) -> str:
    result = run_cli("build", "--project", str(project), "--out", str(project / "out"), *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


# Tiles and charts ---------------------------------------------------------------------------


def test_the_landing_page_opens_with_the_nine_overview_tiles(built: Path):
    for prefix in ("", "en/"):
        page = soup(built / f"{prefix}index.html")
        tiles = page.select("main .tiles")[0].select(".tile")
        assert len(tiles) == 9
        first = tiles[0]
        assert first.select_one("data")["value"] == "8"
        assert first.select_one(".tile-label").get_text(strip=True) in (
            "常委会会议",
            "Standing Committee sessions",
        )


def test_the_declared_charts_are_drawn_on_their_pages(built: Path):
    expected = {
        "highlight-2": {"chart-legislative-outreach-offices": ["3", "12"]},
        "highlight-3": {
            "chart-enterprises-and-projects-monitored": ["4", "95", "94"],
            "chart-audit-rectification": ["92.1"],
        },
        "highlight-4": {
            "chart-deputy-liaison-network": ["232", "877"],
            "chart-demonstration-sites": ["12", "52"],
        },
    }
    for prefix, lang in (("", "zh-CN"), ("en/", "en")):
        for name, charts in expected.items():
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
                    assert value.replace("92.1", "92.1%") in desc.get_text().replace(",", "")


def test_bars_are_proportional_to_the_values(built: Path):
    page = soup(built / "en" / "highlight-4.html")
    bars = page.select("#chart-deputy-liaison-network rect.chart-bar")
    widths = [float(bar["width"]) for bar in bars]
    assert widths[0] / widths[1] == pytest.approx(232 / 877, rel=0.01)
    share = soup(built / "highlight-3.html").select_one("#chart-audit-rectification")
    fill = float(share.select_one("rect.chart-bar")["width"])
    track = float(share.select_one("rect.chart-track")["width"])
    assert fill / track == pytest.approx(0.921, rel=0.01)


def test_one_edit_changes_tile_chart_table_json_and_csv(project: Path):
    edit(project / "content" / "figures.yaml", "value: 877", "value: 912")
    build(project)
    out = project / "out"
    for prefix in ("", "en/"):
        page = soup(out / f"{prefix}highlight-4.html")
        tile = page.select_one("#tile-liaison-points data")
        assert tile["value"] == "912" and tile.get_text() == "912"
        chart = page.select_one("#chart-deputy-liaison-network")
        assert [t["data-value"] for t in chart.select("text.chart-value tspan")] == ["232", "912"]
        assert "912" in chart.select_one("desc").get_text()
        assert [d["value"] for d in chart.select("table data")] == ["232", "912"]
        assert "877" not in str(page)
    data = json.loads((out / "data" / "figures.json").read_text(encoding="utf-8"))
    record = next(r for r in data["figures"] if r["id"] == "liaison-points")
    assert record["value"] == 912
    rows = list(csv.DictReader(io.StringIO((out / "data" / "figures.csv").read_text("utf-8-sig"))))
    assert next(r for r in rows if r["id"] == "liaison-points")["value"] == "912"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "      - liaison-points\n",
            "      - liaison-pionts\n",
            'charts[3].figures[1]: unknown figure "liaison-pionts" (did you mean "liaison-points"?)',
        ),
        (
            "    kind: share\n",
            "    kind: pie\n",
            'charts[2].kind: expected bars or share, got "pie"',
        ),
        (
            "    section: highlight-2\n",
            "    section: highlight-9\n",
            'charts[0].section: there is no page "highlight-9"',
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
    assert f"content/charts.yaml:{line}: {expected}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# Open data ----------------------------------------------------------------------------------


def test_the_json_validates_against_its_schema(built: Path):
    data = json.loads((built / "data" / "figures.json").read_text(encoding="utf-8"))
    schema = json.loads((built / "data" / "figures.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    assert len(data["figures"]) == 44
    grouped = next(r for r in data["figures"] if r["id"] == "deputies-grouped")
    assert grouped["value"] == 18000
    assert grouped["text"] == {"zh": "1.8万", "en": "18,000"}
    assert grouped["label"]["zh"] == "编组的五级人大代表"
    assert grouped["source"] == "把1.8万名五级人大代表编组"


def test_every_figure_url_leads_to_an_element_that_shows_it(built: Path):
    data = json.loads((built / "data" / "figures.json").read_text(encoding="utf-8"))
    for record in data["figures"]:
        for url in record["url"].values():
            path, _, anchor = url.partition("#")
            element = soup(built / path).find(id=anchor)
            assert element is not None, url
            assert element.find("data")["value"] == str(record["value"]), url


def test_the_csv_has_a_bom_and_parses_with_both_languages(built: Path):
    raw = (built / "data" / "figures.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 44
    row = next(r for r in rows if r["id"] == "units-visited")
    assert row["value"] == "110" and row["qualifier"] == "more-than"
    assert row["text_zh"] == "110多" and row["text_en"] == "more than 110"
    assert row["label_zh"] == "走访单位" and row["label_en"] == "Units visited"
    assert row["url_en"] == "en/highlight-3.html#ref-units-visited"


def test_the_figures_page_links_the_downloads_and_anchors_every_figure(built: Path):
    for prefix in ("", "en/"):
        page = soup(built / f"{prefix}figures.html")
        links = {a["href"] for a in page.select(".downloads a")}
        assert links == {"data/figures.csv", "data/figures.json", "data/figures.schema.json"} or (
            links == {"../data/figures.csv", "../data/figures.json", "../data/figures.schema.json"}
        )
        assert len(page.select('li.figure-item[id^="fig-"]')) == 44


# What changed ---------------------------------------------------------------------------------


def test_the_first_build_says_there_is_nothing_to_compare(project: Path):
    stdout = build(project)
    assert "Figures: no previous build to compare with." in stdout.splitlines()


def test_a_rebuild_names_exactly_the_figure_that_changed(project: Path):
    build(project)
    assert "Figures: no changes since the previous build." in build(project).splitlines()
    edit(project / "content" / "figures.yaml", "value: 18000", "value: 19000")
    lines = build(project).splitlines()
    start = lines.index("Figures: 1 change since the previous build:")
    assert lines[start + 1].split() == ["changed", "deputies-grouped:", "18,000", "→", "19,000"]
    assert lines[-1].startswith("Built 27 pages")


def test_added_and_removed_figures_are_reported(project: Path):
    build(project)
    figures = project / "content" / "figures.yaml"
    edit(figures, "  - id: office-rules", "  - id: office-rules-adopted")
    for lang in ("zh", "en"):
        edit(
            project / "content" / lang / "highlight-6.md",
            "[[office-rules]]",
            "[[office-rules-adopted]]",
        )
    lines = build(project).splitlines()
    assert "  added    office-rules-adopted: 13" in lines
    assert "  removed  office-rules: 13" in lines


# Publishing metadata ---------------------------------------------------------------------------


def test_without_a_base_url_no_absolute_outputs_and_one_line_says_so(built: Path, project: Path):
    assert not (built / "sitemap.xml").exists() and not (built / "robots.txt").exists()
    page = (built / "index.html").read_text(encoding="utf-8")
    assert 'rel="canonical"' not in page and "og:url" not in page
    stdout = build(project)
    assert sum(line.startswith("No base URL:") for line in stdout.splitlines()) == 1


@pytest.mark.parametrize("how", ["flag", "site.yaml"])
def test_a_base_url_adds_sitemap_robots_canonical_and_open_graph(project: Path, how: str):
    import xml.etree.ElementTree as ET

    base = "https://example.org/zhoukou/report/"
    if how == "flag":
        stdout = build(project, "--base-url", base.rstrip("/"))
    else:
        edit(
            project / "content" / "site.yaml",
            "# base_url: https://www.example.gov.cn/report/",
            f"base_url: {base}",
        )
        stdout = build(project)
    assert "No base URL" not in stdout
    out = project / "out"
    tree = ET.parse(out / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = tree.getroot().findall("s:url", ns)
    locations = {u.find("s:loc", ns).text for u in urls}
    pages = [p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.name != "404.html"]
    assert locations == {base + p for p in pages}
    assert len(pages) == 26
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
    assert "expected an address like https://example.org/report/" in result.stderr


@pytest.mark.parametrize("count", [0, 1, 3])
def test_figures_json_has_one_line_per_figure_and_reads_back_as_written(count):
    from zhoukou_report.opendata import _json_records

    records = [{"id": f"f{i}", "label": {"zh": "代表", "en": 'say "hi"'}} for i in range(count)]
    document = {"title": {"zh": "标题"}, "figures": records}
    text = _json_records(document, "figures").decode("utf-8")
    assert json.loads(text) == document
    assert text.endswith("}\n")
    assert sum(line.startswith('    {"id"') for line in text.splitlines()) == count


def test_where_each_figure_appears_is_worked_out_once_per_build(monkeypatch):
    """The pages and the open data both need each figure's place; the texts are read for it
    once per site, not once for each."""
    from zhoukou_report import opendata
    from zhoukou_report.build import assemble_site

    read: list[str] = []
    scan = opendata.figure_references
    monkeypatch.setattr(opendata, "figure_references", lambda text: read.append(text) or scan(text))
    opendata.figure_locations.cache_clear()
    assemble_site(ROOT, jobs=1)
    texts = [page.body.markdown for page in load_site(ROOT)[0].pages if page.body is not None]
    assert sorted(read) == sorted(texts)
