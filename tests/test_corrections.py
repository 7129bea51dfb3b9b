"""Official corrections and figures cited from elsewhere than the source text, as an editor
writes them in figures.yaml and runs the CLI (on the full fixture site)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
from bs4 import BeautifulSoup

from helpers import edit, line, run_cli

FIGURES = "content/figures.yaml"
STATIONS = """\
    value: 120
    unit:
      zh: 个
    label:
      zh: 城区代表联络站
      en: Deputy liaison stations in towns
    source: 城区代表联络站120个
"""
CORRECTED = (
    STATIONS.replace("value: 120", "value: 126")
    + """\
    correction:
      previous: 120
      date: 2024-03-01
      note:
        zh: 据办公室通报更正。
        en: Corrected as the office announced.
"""
)
# Every page and file that shows the figure "stations": its page (prose, tile and chart
# table) and the figures page, in both languages.
SHOWN_ON = ["highlight-1.html", "en/highlight-1.html", "figures.html", "en/figures.html"]


def _build(project: Path, *args: str):
    return run_cli("build", "--project", str(project), "--out", str(project / "out"), *args)


def _page(project: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((project / "out" / name).read_text(encoding="utf-8"), "html.parser")


def test_a_corrected_value_without_its_correction_fails_strict(project: Path) -> None:
    edit(project / FIGURES, STATIONS, STATIONS.replace("value: 120", "value: 126"))
    result = _build(project, "--strict")
    assert result.returncode == 1
    number = line(project / FIGURES, "source: 城区代表联络站120个")
    assert f"{FIGURES}:{number}: figures[4].source: the value 126 does not appear" in result.stderr


def test_a_correction_builds_strict_and_shows_everywhere(project: Path) -> None:
    assert _build(project).returncode == 0  # the previous build, to compare with
    edit(project / FIGURES, STATIONS, CORRECTED)
    result = _build(project, "--strict")
    assert result.returncode == 0, result.stderr
    assert "  corrected stations: 120 → 126 (2024-03-01)" in result.stdout.splitlines()
    assert "changed  stations" not in result.stdout
    for name in SHOWN_ON:
        page = _page(project, name)
        word = "已更正" if not name.startswith("en/") else "corrected"
        values = page.find_all("data", attrs={"value": "126"})
        assert values, name
        for value in values:  # each place the number is shown carries the mark beside it
            number = value.find_parent(class_="num") or value  # with its unit, if any
            mark = number.find_next_sibling("sup", class_="correction-mark")
            assert mark is not None and mark.get_text() == f"[{word}]", (name, value.parent)
        assert not page.find_all("data", attrs={"value": "120"}), name
    page = _page(project, "en/highlight-1.html")
    prose = page.find("button", class_="fig", id="ref-stations")
    assert prose.get_text() == "126[corrected]"
    note = page.find(id=prose["popovertarget"])  # what a tap shows: the figure's row
    assert note.find("a")["href"] == "figures.html#fig-stations"  # en/figures.html


def test_the_figures_page_tells_and_lists_each_correction(project: Path) -> None:
    edit(project / FIGURES, STATIONS, CORRECTED)
    assert _build(project, "--strict").returncode == 0
    zh = _page(project, "figures.html")
    row = zh.find(id="fig-stations")
    assert row.find(class_="figure-correction").get_text() == (
        "2024年3月1日更正，原为120个。据办公室通报更正。"
    )
    listed = [item.get_text() for item in zh.select(".corrections li")]
    assert listed == ["城区代表联络站：120个 → 126个 · 2024年3月1日 · 据办公室通报更正。"]
    en = _page(project, "en/figures.html")
    assert en.find(id="fig-stations").find(class_="figure-correction").get_text() == (
        "Corrected on 1 March 2024; previously 120. Corrected as the office announced."
    )
    assert [item.get_text() for item in en.select(".corrections li")] == [
        "Deputy liaison stations in towns: 120 → 126 · 1 March 2024 · Corrected as the office announced."
    ]
    assert zh.select(".corrections a")[0]["href"] == "#fig-stations"


def test_without_corrections_the_figures_page_lists_none(project: Path) -> None:
    assert _build(project).returncode == 0
    assert not _page(project, "figures.html").select(".corrections")
    assert not _page(project, "figures.html").select(".correction-mark")


def test_the_open_data_carry_the_correction_and_validate(project: Path) -> None:
    edit(project / FIGURES, STATIONS, CORRECTED)
    assert _build(project, "--strict").returncode == 0
    data = project / "out" / "data"
    document = json.loads((data / "figures.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads((data / "figures.schema.json").read_text()))
    record = next(r for r in document["figures"] if r["id"] == "stations")
    assert record["value"] == 126
    assert record["correction"] == {
        "previous": 120,
        "text": {"zh": "120", "en": "120"},
        "date": "2024-03-01",
        "note": {"zh": "据办公室通报更正。", "en": "Corrected as the office announced."},
    }
    assert record["cited"] is None
    others = [r for r in document["figures"] if r["id"] != "stations"]
    assert all(r["correction"] is None for r in others)
    rows = list(csv.DictReader(io.StringIO((data / "figures.csv").read_text("utf-8-sig"))))
    row = next(r for r in rows if r["id"] == "stations")
    assert (row["value"], row["corrected_from"], row["corrected_on"]) == (
        "126",
        "120",
        "2024-03-01",
    )
    assert row["correction_note_en"] == "Corrected as the office announced."
    broken = dict(record, correction={"previous": "120"})
    try:
        jsonschema.validate(
            {**document, "figures": [broken]},
            json.loads((data / "figures.schema.json").read_text()),
        )
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepts a correction without its date and note")


CITED = STATIONS.replace(
    "    source: 城区代表联络站120个\n",
    "    cited:\n      zh: 市人大常委会办公室\n      en: The Standing Committee's office\n",
)


def test_a_figure_cited_from_an_office_needs_no_phrase(project: Path) -> None:
    edit(project / FIGURES, STATIONS, CITED.replace("value: 120", "value: 131"))
    result = _build(project, "--strict")
    assert result.returncode == 0, result.stderr
    zh = _page(project, "figures.html").find(id="fig-stations")
    source = 1  # the figures table's columns: value, source, page
    assert zh.find_all("td")[source].get_text() == "市人大常委会办公室"
    assert not zh.find_all("td")[source].has_attr("lang")  # no phrase quoted
    en = _page(project, "en/figures.html").find(id="fig-stations")
    assert en.find_all("td")[source].get_text() == "The Standing Committee's office"
    document = json.loads((project / "out" / "data" / "figures.json").read_text("utf-8"))
    record = next(r for r in document["figures"] if r["id"] == "stations")
    assert record["cited"] == {"zh": "市人大常委会办公室", "en": "The Standing Committee's office"}
    assert record["source"] == ""


def test_source_and_cited_together_is_an_error(project: Path) -> None:
    both = STATIONS + "    cited: {zh: 办公室, en: Office}\n"
    edit(project / FIGURES, STATIONS, both)
    result = _build(project)
    assert result.returncode == 1
    number = line(project / FIGURES, "cited: {zh: 办公室")
    assert result.stderr.splitlines()[1] == (
        f'1. {FIGURES}:{number}: figures[4].cited: give either "source" (a phrase of the '
        'source text) or "cited", not both'
    )


def test_a_correction_missing_its_date_and_with_a_word_for_a_number(project: Path) -> None:
    bad = STATIONS + "    correction:\n      previous: abc\n      note: {zh: 更正, en: Corrected}\n"
    edit(project / FIGURES, STATIONS, bad)
    result = _build(project)
    assert result.returncode == 1
    figures = project / FIGURES
    assert result.stderr.splitlines()[1:] == [
        f"1. {FIGURES}:{line(figures, '    correction:')}: figures[4].correction.date: "
        '"date" is missing: it should be a date like 2024-02-04',
        f"2. {FIGURES}:{line(figures, 'previous: abc')}: figures[4].correction.previous: "
        'expected a number, got "abc" (write it in digits, without separators or 万: 18000, 92.1)',
    ]
