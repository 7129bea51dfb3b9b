"""The figures as spreadsheets read them: figures.xlsx and figures.csv opened by LibreOffice
(Debian's libreoffice-calc-nogui), formula injection, absolute links.

LibreOffice reads each file as a user opens it and saves it as a flat OpenDocument
spreadsheet (.fods, XML), whose cells say what LibreOffice took them for: a number, a
percentage, a text. Without LibreOffice these tests are skipped with the reason, except
under ``CI=true`` (``.ci/run`` installs it), where they fail.

What LibreOffice does with a CSV (7.4, measured): its default import, without options,
reads any CSV in the legacy code page of its interface language (Latin-1 for English),
with or without a byte-order mark, so no CSV shows Chinese there; a user picks UTF-8 in
its import dialog (``--infilter=CSV:44,34,76``), and then the mark is not part of the
first cell. The XLSX needs no choice.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import jsonschema
import pytest

from helpers import edit, run_cli

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
BASE = "https://example.org/sample/report/"
UTF8_CSV = "CSV:44,34,76,1"  # comma, double quote, UTF-8 (76), from the first line


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        reason = "LibreOffice is not installed (apt-get install -y libreoffice-calc-nogui)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def open_in_libreoffice(file: Path, work: Path, infilter: str | None = None) -> Path:
    """``file`` as LibreOffice reads it, saved as a flat OpenDocument spreadsheet."""
    command = [soffice(), "--headless", f"-env:UserInstallation={(work / 'profile').as_uri()}"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", "fods", "--outdir", str(work), str(file)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    converted = work / (file.stem + ".fods")
    assert result.returncode == 0 and converted.is_file(), result.stderr
    return converted


def sheets(fods: Path) -> dict[str, list[list[tuple[str, str | None, str]]]]:
    """Every sheet's rows; a cell as (what LibreOffice took it for, its value, its text)."""
    tables = {}
    for table in ET.parse(fods).getroot().iter(f"{{{TABLE}}}table"):
        rows = []
        for row in table.iter(f"{{{TABLE}}}table-row"):
            cells = []
            for cell in row.iter(f"{{{TABLE}}}table-cell"):
                kind = cell.get(f"{{{OFFICE}}}value-type", "empty")
                value = cell.get(f"{{{OFFICE}}}value")
                text = "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{TEXT}}}p"))
                repeat = int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1"))
                cells += [(kind, value, text)] * min(repeat, 20)
            while cells and cells[-1][0] == "empty":
                cells.pop()
            if cells:
                rows.append(cells)
        tables[table.get(f"{{{TABLE}}}name")] = rows
    return tables


def by_id(rows: list[list[tuple[str, str | None, str]]]) -> dict[str, dict[str, tuple]]:
    """The rows of a sheet by the figure's id, each a dict by column name."""
    header = [text for _, _, text in rows[0]]
    return {row[0][2]: dict(zip(header, row, strict=False)) for row in rows[1:]}


def build(project: Path, *args: str) -> Path:
    out = project / "out"
    result = run_cli("build", "--project", str(project), "--out", str(out), *args)
    assert result.returncode == 0, result.stderr
    return out


# The spreadsheet ------------------------------------------------------------------------------


def test_libreoffice_opens_the_xlsx_with_a_sheet_per_language_numbers_and_chinese_intact(
    built: Path, tmp_path: Path
):
    tables = sheets(open_in_libreoffice(built / "data" / "figures.xlsx", tmp_path))
    assert list(tables) == ["中文", "English"]
    zh, en = by_id(tables["中文"]), by_id(tables["English"])
    assert len(zh) == len(en) == 11
    assert [text for _, _, text in tables["中文"][0]] == [
        "id", "section", "label", "value", "unit", "text", "qualifier", "source", "url",
    ]  # fmt: skip
    # Numbers as numbers, shown grouped; a percentage as a percentage.
    assert zh["visits"]["value"] == ("float", "18000", "18,000")
    assert zh["satisfaction"]["value"] == ("percentage", "0.925", "92.5%")
    assert en["satisfaction"]["value"] == ("percentage", "0.925", "92.5%")
    # Texts as texts, in each language, Chinese intact: never taken for numbers.
    assert zh["visits"]["label"] == ("string", None, "代表走访群众")
    assert zh["visits"]["text"] == ("string", None, "1.8万")
    assert en["visits"]["text"] == ("string", None, "18,000")
    assert en["satisfaction"]["text"] == ("string", None, "92.5%")
    assert en["companies"]["text"] == ("string", None, "more than 110")
    assert en["companies"]["qualifier"] == ("string", None, "more-than")
    assert en["visits"]["label"][2] == "Visits by deputies to residents"
    assert en["visits"]["source"][2] == "走访群众1.8万人次"
    assert en["visits"]["url"][2] == "en/highlight-1.html#ref-visits"


def test_libreoffice_opens_the_csv_as_utf8_with_its_values_as_numbers(built: Path, tmp_path: Path):
    tables = sheets(open_in_libreoffice(built / "data" / "figures.csv", tmp_path, UTF8_CSV))
    (rows,) = tables.values()
    assert rows[0][0] == ("string", None, "id")  # the byte-order mark is not part of it
    figures = by_id(rows)
    assert figures["visits"]["label_zh"] == ("string", None, "代表走访群众")
    assert figures["visits"]["value"] == ("float", "18000", "18000")
    assert figures["satisfaction"]["value"] == ("float", "92.5", "92.5")
    assert figures["satisfaction"]["unit_zh"] == ("string", None, "%")


# Formulas -------------------------------------------------------------------------------------

# A label starting with each character a spreadsheet takes for the start of a formula (OWASP),
# as YAML writes it, and the text the CSV cell holds.
INJECTED = {
    "sessions": ('"=1+2"', "'=1+2"),
    "laws-passed": ('"+1+2"', "'+1+2"),
    "visits": ('"-1+2"', "'-1+2"),
    "suggestions": ('"@SUM(1,2)"', "'@SUM(1,2)"),
    "stations": ('"\\t=1+2"', "'\t=1+2"),
    "points": ('"\\r=1+2"', "'\r=1+2"),
}


def inject(project: Path) -> None:
    """Give six figures of the fixture an English label that starts a formula."""
    figures = project / "content" / "figures.yaml"
    text = figures.read_text(encoding="utf-8")
    for figure_id, (label, _) in INJECTED.items():
        start = text.index(f"  - id: {figure_id}\n")
        at = text.index("      en: ", text.index("    label:", start)) + len("      en: ")
        end = text.index("\n", at)
        text = text[:at] + label + text[end:]
    figures.write_text(text, encoding="utf-8")


def test_a_label_that_starts_a_formula_is_neutralised_in_the_csv_and_text_in_the_xlsx(
    project: Path, tmp_path: Path
):
    inject(project)
    out = build(project)
    text = (out / "data" / "figures.csv").read_bytes().decode("utf-8-sig")  # CR kept
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    labels = {row["id"]: row["label_en"] for row in rows}
    for figure_id, (_, neutralised) in INJECTED.items():
        assert labels[figure_id] == neutralised, figure_id
    assert labels["stations"] != "'stations"  # the others are as they were
    assert labels["satisfaction"] == "Residents satisfied"
    # A number is a number, a negative one too: only texts are neutralised.
    assert {row["id"]: row["value"] for row in rows}["visits"] == "18000"
    # LibreOffice reads each as text, not as a formula, and shows what was written.
    csv_cells = by_id(next(iter(sheets(
        open_in_libreoffice(out / "data" / "figures.csv", tmp_path / "csv", UTF8_CSV)
    ).values())))  # fmt: skip
    assert csv_cells["sessions"]["label_en"][0] == "string"
    assert "=1+2" in csv_cells["sessions"]["label_en"][2]
    english = by_id(
        sheets(open_in_libreoffice(out / "data" / "figures.xlsx", tmp_path / "x"))["English"]
    )
    for figure_id, (label, _) in INJECTED.items():
        written = json.loads(label)  # the label as YAML reads it, without a '
        if figure_id in ("stations", "points"):
            continue  # LibreOffice shows a tab or CR in a cell as a space or line break
        assert english[figure_id]["label"] == ("string", None, written), figure_id
    with zipfile.ZipFile(out / "data" / "figures.xlsx") as book:
        sheet = "".join(book.read(name).decode() for name in book.namelist() if "sheet" in name)
    assert "<f>" not in sheet  # no formula anywhere


# Links ----------------------------------------------------------------------------------------


def test_with_a_base_url_every_link_of_the_data_is_absolute(project: Path, tmp_path: Path):
    out = build(project, "--base-url", BASE)
    data = json.loads((out / "data" / "figures.json").read_text(encoding="utf-8"))
    assert data["$schema"] == BASE + "data/figures.schema.json"
    schema = json.loads((out / "data" / "figures.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    urls = [url for record in data["figures"] for url in record["url"].values()]
    assert len(urls) == 22 and all(url.startswith(BASE) for url in urls)
    assert {record["id"]: record for record in data["figures"]}["visits"]["url"] == {
        "zh": BASE + "highlight-1.html#ref-visits",
        "en": BASE + "en/highlight-1.html#ref-visits",
    }
    rows = list(csv.DictReader(io.StringIO((out / "data" / "figures.csv").read_text("utf-8-sig"))))
    assert all(row[f"url_{code}"].startswith(BASE) for row in rows for code in ("zh", "en"))
    tables = sheets(open_in_libreoffice(out / "data" / "figures.xlsx", tmp_path))
    for name in ("中文", "English"):
        for figure_id, row in by_id(tables[name]).items():
            assert row["url"][2].startswith(BASE), (name, figure_id)
    with zipfile.ZipFile(out / "data" / "figures.xlsx") as book:
        links = book.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
    assert f'Target="{BASE}en/highlight-1.html"' in links  # a link one can follow


def test_a_corrected_figure_is_corrected_in_the_xlsx_and_an_unchanged_one_kept(
    project: Path, tmp_path: Path
):
    out = build(project)
    first = (out / "data" / "figures.xlsx").stat()
    again = build(project)
    assert (again / "data" / "figures.xlsx").stat().st_ino == first.st_ino  # the same file
    edit(project / "content" / "figures.yaml", "value: 18000", "value: 19000")
    build(project)
    tables = sheets(open_in_libreoffice(out / "data" / "figures.xlsx", tmp_path))
    assert by_id(tables["English"])["visits"]["value"] == ("float", "19000", "19,000")
    assert by_id(tables["中文"])["visits"]["text"] == ("string", None, "1.9万")
