"""Several years' reports in one site (years.py), on the two-year site made from the full
fixture (helpers.copy_years: 2025 is the fixture, 2024 the same report with other values),
built and checked by the CLI as an editor runs it."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import copy_years, edit, line, run_cli, tree_hash
from zhoukou_report.build import assemble_site


@pytest.fixture(scope="module")
def years_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-year site, built once by the CLI; do not modify it."""
    project = copy_years(tmp_path_factory.mktemp("years-project"))
    out = tmp_path_factory.mktemp("years") / "site"
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert re.search(r"Built \d+ pages into ", result.stdout), result.stdout
    return out


@pytest.fixture
def years_project(tmp_path: Path) -> Path:
    return copy_years(tmp_path / "project")


def html(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def texts(page: str, css_class: str) -> list[str]:
    """The text of each element of a class, its tags removed."""
    return [
        element.get_text() for element in BeautifulSoup(page, "html.parser").select(f".{css_class}")
    ]


def pieces(page: str, css_class: str) -> list[list[str]]:
    """In each element of a class, the pieces that never break across lines (``.num``)."""
    soup = BeautifulSoup(page, "html.parser")
    return [
        [num.get_text() for num in element.select(".num")]
        for element in soup.select(f".{css_class}")
    ]


def row(page: str, figure_id: str) -> str:
    match = re.search(rf'<tr id="fig-{figure_id}">(.*?)</tr>', page, re.S)
    assert match, figure_id
    return match.group(1)


# Paths and the landing page ----------------------------------------------------------------


def test_every_year_is_under_its_year_and_the_landing_pages_at_the_top(years_built: Path):
    files = {p.relative_to(years_built).as_posix() for p in years_built.rglob("*") if p.is_file()}
    for year in ("2024", "2025"):
        for rel in ("index.html", "en/index.html", "en/figures.html", "highlight-2.html",
                    "data/figures.json", "data/figures.csv", "data/figures.xlsx",
                    "assets/site.css"):  # fmt: skip
            assert f"{year}/{rel}" in files
    top = {rel for rel in files if "/" not in rel or rel.startswith("en/")}
    assert top == {"index.html", "en/index.html", ".zhoukou-report"}


@pytest.mark.parametrize(
    ("landing", "links", "title"),
    [
        ("index.html", ["2025/index.html", "2024/index.html"], "历年工作报告"),
        (
            "en/index.html",
            ["../2025/en/index.html", "../2024/en/index.html"],
            "Work reports by year",
        ),
    ],
    ids=["zh", "en"],
)
def test_the_landing_page_lists_the_years_newest_first(
    years_built: Path, landing: str, links: list[str], title: str
):
    page = html(years_built, landing)
    cards = re.findall(r'<li class="card">\s*<a href="([^"]+)"', page)
    assert cards == links
    assert f"<h1>{title}</h1>" in page
    assert f"<title>{title}</title>" in page
    assert ("2025年1月15日" if landing == "index.html" else "15 January 2025") in page
    other = "en/index.html" if landing == "index.html" else "../index.html"
    assert f'<a href="{other}"' in page  # the language switch


def test_every_page_of_a_year_links_back_to_the_landing_page(years_built: Path):
    assert '<p class="footer-years"><a href="../index.html">历年工作报告</a>' in html(
        years_built, "2024/highlight-1.html"
    )
    assert '<a href="../../en/index.html">Work reports of every year</a>' in html(
        years_built, "2025/en/goal-1.html"
    )


# The previous values, in both languages -----------------------------------------------------

COMPARED = [
    # figure, Chinese, English
    ("sessions", "比2023年的5次增加1次", "up from 5 in 2023"),
    ("visits", "比2023年的1.5万人次增加3000人次", "up from 15,000 visits in 2023"),
    ("stations", "比2023年的130个减少10个", "down from 130 in 2023"),
    ("points", "与2023年持平", "unchanged from 2023"),
    ("satisfaction", "比2023年的90.5%增加2个百分点", "up from 90.5% in 2023"),
    ("companies", "2023年为100多家", "more than 100 in 2023"),
]


@pytest.mark.parametrize(("figure", "zh", "en"), COMPARED, ids=[c[0] for c in COMPARED])
def test_the_figures_page_shows_the_previous_value_and_the_change(
    years_built: Path, figure: str, zh: str, en: str
):
    # Each links to the figure's row in the year before, relative to the page.
    for rel, text, link in (
        ("2025/figures.html", zh, f"../2024/figures.html#fig-{figure}"),
        ("2025/en/figures.html", en, f"../../2024/en/figures.html#fig-{figure}"),
    ):
        cells = BeautifulSoup(row(html(years_built, rel), figure), "html.parser")
        (change,) = cells.select(".figure-change a")
        assert (change["href"], change.get_text()) == (link, text)


def test_a_figure_counted_in_another_unit_is_not_compared(years_built: Path):
    # laws-passed: 部 in 2025, 件 in 2024
    for rel in ("2025/figures.html", "2025/en/figures.html"):
        assert "figure-change" not in row(html(years_built, rel), "laws-passed")


def test_the_first_year_compares_with_nothing(years_built: Path):
    for rel in ("2024/figures.html", "2024/en/highlight-1.html", "2024/index.html"):
        page = html(years_built, rel)
        assert "figure-change" not in page
        assert "tile-change" not in page
        assert "fig-note-previous" not in page


def test_the_lead_figures_say_the_change_in_both_languages(years_built: Path):
    assert texts(html(years_built, "2025/highlight-1.html"), "tile-change") == [
        "比2023年的1.5万人次增加3000人次",
        "与2023年持平",
    ]
    assert texts(html(years_built, "2025/en/highlight-2.html"), "tile-change") == [
        "up from 90.5% in 2023"
    ]
    assert texts(html(years_built, "2025/en/index.html"), "tile-change") == ["up from 5 in 2023"]


def test_each_number_of_a_comparison_is_one_piece_that_never_breaks(years_built: Path):
    """比2023年的1.5万人次增加3000人次: the numbers with their units stay whole, as in prose."""
    page = html(years_built, "2025/highlight-1.html")
    assert pieces(page, "tile-change") == [["1.5万人次", "3000人次"], []]
    assert ["130个", "10个"] in pieces(page, "fig-note-previous")
    page = html(years_built, "2025/en/figures.html")
    assert ["90.5%"] in pieces(page, "figure-change")


def test_a_figure_in_the_prose_says_the_change_in_its_note(years_built: Path):
    notes = texts(html(years_built, "2025/highlight-1.html"), "fig-note-previous")
    assert "比2023年的130个减少10个" in notes
    notes = texts(html(years_built, "2025/en/highlight-1.html"), "fig-note-previous")
    assert "down from 130 in 2023" in notes


# Open data ---------------------------------------------------------------------------------


def test_the_open_data_carries_the_previous_values(years_built: Path):
    data = json.loads(html(years_built, "2025/data/figures.json"))
    figures = {record["id"]: record for record in data["figures"]}
    assert figures["stations"]["previous"] == {
        "year": 2023,
        "value": 130,
        "text": {"zh": "130个", "en": "130"},
        "change": -10,
    }
    assert figures["satisfaction"]["previous"]["change"] == 2
    assert figures["companies"]["previous"]["change"] is None
    assert figures["laws-passed"]["previous"] is None
    schema = json.loads(html(years_built, "2025/data/figures.schema.json"))
    item = schema["properties"]["figures"]["items"]
    assert "previous" in item["required"] and "previous" in item["properties"]
    # Every record has exactly the fields the schema allows and requires.
    assert all(set(record) == set(item["required"]) for record in data["figures"])

    rows = list(
        csv.DictReader(io.StringIO(html(years_built, "2025/data/figures.csv").lstrip("\ufeff")))
    )
    by_id = {r["id"]: r for r in rows}
    assert (by_id["visits"]["previous_year"], by_id["visits"]["previous_value"]) == (
        "2023",
        "15000",
    )
    assert by_id["visits"]["change"] == "3000"
    assert by_id["stations"]["change"] == "-10"
    assert by_id["laws-passed"]["previous_value"] == by_id["laws-passed"]["change"] == ""


def test_the_first_years_open_data_is_a_single_reports(years_built: Path):
    data = json.loads(html(years_built, "2024/data/figures.json"))
    assert all("previous" not in record for record in data["figures"])
    schema = json.loads(html(years_built, "2024/data/figures.schema.json"))
    assert "previous" not in schema["properties"]["figures"]["items"]["properties"]
    assert "previous_year" not in html(years_built, "2024/data/figures.csv")


def test_the_spreadsheet_has_the_previous_columns(years_built: Path):
    import zipfile

    with zipfile.ZipFile(years_built / "2025/data/figures.xlsx") as book:
        shared = book.read("xl/sharedStrings.xml").decode("utf-8")
    assert "previous_value" in shared and "change" in shared
    with zipfile.ZipFile(years_built / "2024/data/figures.xlsx") as book:
        assert "previous_value" not in book.read("xl/sharedStrings.xml").decode("utf-8")


# Links across years ------------------------------------------------------------------------


def test_a_link_typed_to_another_year_is_relative_and_checked(years_project: Path, tmp_path: Path):
    page = years_project / "2025/content/zh/highlight-1.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n见[上一年的报告](../2024/highlight-1.html)。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", "--project", str(years_project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert 'href="../2024/highlight-1.html"' in html(out, "2025/highlight-1.html")

    page.write_text(text + "\n见[上一年的报告](../2024/highlight-9.html)。\n", encoding="utf-8")
    before = tree_hash(out)
    result = run_cli("build", "--project", str(years_project), "--out", str(out))
    assert result.returncode == 1
    assert (
        "build/2025/highlight-1.html:" in result.stderr
        and 'broken link "../2024/highlight-9.html": there is no file 2024/highlight-9.html'
        in result.stderr
    )
    assert tree_hash(out) == before


# Errors ------------------------------------------------------------------------------------


def test_a_folder_that_is_not_a_year_is_an_error(years_project: Path, tmp_path: Path):
    shutil.move(years_project / "2025", years_project / "2025-draft")
    result = run_cli("check", "--project", str(years_project))
    assert result.returncode == 1
    assert (
        '2025-draft/content: "2025-draft" is not a year: name the folder of a year\'s report by '
        "its year, as 2025" in result.stderr
    )
    zh = run_cli("check", "--project", str(years_project), env={"LANG": "zh_CN.UTF-8"})
    assert (
        '2025-draft/content: "2025-draft" 不是年份：每年报告的文件夹应以年份命名，如 2025'
        in zh.stderr
    )


def test_an_error_of_a_year_names_the_file_from_the_project(years_project: Path):
    figures = years_project / "2024/content/figures.yaml"
    edit(figures, "    value: 5\n", "    value: five\n")
    number = line(figures, "value: five")
    result = run_cli("check", "--project", str(years_project))
    assert result.returncode == 1
    assert (
        f'2024/content/figures.yaml:{number}: figures[0].value: expected a number, got "five"'
        in (result.stderr)
    )


def test_a_year_after_the_first_needs_the_comparisons_words(years_project: Path):
    strings = years_project / "2025/content/strings.yaml"
    edit(
        strings,
        'figure_up: {zh: "比{year}年的{previous}增加{change}"',
        'figure_up: {zh: "比{yr}年增加"',
    )
    result = run_cli("check", "--project", str(years_project))
    assert result.returncode == 1
    assert '2025/content/strings.yaml: figure_up.zh: unknown placeholder "{yr}"' in result.stderr
    edit(strings, "years_link:", "years_links:")
    result = run_cli("check", "--project", str(years_project))
    assert (
        '2025/content/strings.yaml: years_link: "years_link" is missing: a site of several years '
        "uses it" in result.stderr
    )


# build, check and serve share the entry point ------------------------------------------------


def test_check_and_the_preview_take_a_project_of_several_years(years_project: Path):
    result = run_cli("check", "--project", str(years_project))
    assert result.returncode == 0, result.stderr
    built = assemble_site(years_project)
    outputs = {page.output for page in built.pages}
    assert {"index.html", "en/index.html", "2024/index.html", "2025/en/goal-2.html"} <= outputs

    from zhoukou_report.serve import PreviewServer

    preview = PreviewServer(years_project, host="127.0.0.1", port=0, on_build=lambda _: None)
    preview.start()
    try:
        files = preview.files
        assert files is not None
        assert {"2025/en/figures.html", "index.html"} <= files.keys()
    finally:
        preview.stop()


def test_the_preview_rebuilds_when_a_years_content_is_saved(years_project: Path):
    import threading

    from zhoukou_report.serve import PreviewServer

    built = threading.Event()
    reports: list[object] = []

    def on_build(report: object) -> None:
        reports.append(report)
        built.set()

    preview = PreviewServer(years_project, host="127.0.0.1", port=0, on_build=on_build)
    preview.start()
    try:
        assert built.wait(60) and preview.files is not None
        built.clear()
        figures = years_project / "2024/content/figures.yaml"
        edit(figures, "source: 城区代表联络站130个", "source: 城区代表联络站125个")
        edit(figures, "value: 130\n", "value: 125\n")
        source = years_project / "2024/content/source/report.zh.txt"
        edit(source, "城区代表联络站 130 个", "城区代表联络站 125 个")

        def page() -> str:
            files = preview.files
            assert files is not None
            return files["2025/figures.html"].decode("utf-8")

        for _ in range(60):  # each rebuild sets ``built``: wait for the one that shows it
            if "125个" in page():
                break
            built.wait(1)
            built.clear()
        assert "比2023年的125个减少5个" in texts(page(), "figure-change"), reports
    finally:
        preview.stop()


def test_a_build_reports_the_figures_changed_in_each_year(years_project: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("build", "--project", str(years_project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Figures: no previous build to compare with." in result.stdout
    figures = years_project / "2025/content/figures.yaml"
    edit(figures, "value: 120\n", "value: 118\n")
    edit(figures, "source: 城区代表联络站120个", "source: 城区代表联络站118个")
    edit(years_project / "2025/content/source/report.zh.txt", "站 120 个", "站 118 个")
    result = run_cli("build", "--project", str(years_project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Figures: 2 changes since the previous build:\n"
        "  changed  2025/stations: 120 → 118\n"
        '  changed  2025/stations: source "城区代表联络站120个" → "城区代表联络站118个"\n'
    )
    assert "比2023年的130个减少12个" in texts(html(out, "2025/figures.html"), "figure-change")


def test_with_the_sites_address_the_top_has_robots_txt_and_the_404_page(
    years_project: Path, tmp_path: Path
):
    out = tmp_path / "out"
    base = "https://www.example.gov.cn/report/"
    result = run_cli(
        "build", "--project", str(years_project), "--out", str(out), "--base-url", base
    )
    assert result.returncode == 0, result.stderr
    assert html(out, "robots.txt") == (
        f"User-agent: *\nAllow: /\n\nSitemap: {base}2025/sitemap.xml\nSitemap: {base}2024/sitemap.xml\n"
    )
    assert not (out / "2025/robots.txt").exists() and (out / "2025/sitemap.xml").is_file()
    assert html(out, "404.html") == html(out, "2025/404.html")
    assert f'href="{base}2025/index.html"' in html(out, "404.html")
    assert f'<link rel="canonical" href="{base}2024/en/goal-1.html">' in html(
        out, "2024/en/goal-1.html"
    )
