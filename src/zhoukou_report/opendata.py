"""Open data: every figure as JSON (with a JSON Schema beside it), as CSV and as a
spreadsheet (XLSX).

``data/figures.json`` is also what the next build compares against to report what
changed. URLs in the data are relative to the site's root folder, or absolute when the
site's address (its base URL) is known.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from .layout import CSV_FILE, JSON_FILE, SCHEMA_FILE, XLSX_FILE
from .model import Figure, Language, Site
from .numbers import QUALIFIERS, plain

SCHEMA_ID = "figures.schema.json"

# What a spreadsheet takes for a formula when a cell starts with it (OWASP's list for CSV
# injection): such a cell is written with a ' before it, which shows the text as it is.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def figure_records(site: Site) -> Iterator[dict[str, Any]]:
    """One plain record per figure, in the order of figures.yaml."""
    codes = [lang.code for lang in site.languages]
    locations = site.figure_locations
    base = site.meta.base_url or ""
    compared = _compared(site)
    return (
        {
            "id": figure.id,
            "section": figure.section,
            "value": figure.value,
            "qualifier": figure.qualifier,
            "text": {code: figure.text(code) for code in codes},
            "unit": {code: figure.unit.get(code, "") for code in codes},
            "label": {code: figure.label[code] for code in codes},
            "source": figure.source,
            "cited": {code: figure.cited[code] for code in codes} if figure.cited else None,
            "correction": _correction_record(figure, codes),
            "url": {code: _url(base, locations.get((figure.id, code))) for code in codes},
        }
        | ({"previous": _previous_record(figure, codes)} if compared else {})
        for figure in site.figures
    )


def _correction_record(figure: Figure, codes: list[str]) -> dict[str, Any] | None:
    correction = figure.correction
    if correction is None:
        return None
    return {
        "previous": correction.previous,
        "text": {code: correction.texts[code] for code in codes},
        "date": correction.date.isoformat(),
        "note": {code: correction.note[code] for code in codes},
    }


def _compared(site: Site) -> bool:
    """Whether the figures are compared with the year before's: a year of a site of several
    years, after the first (years.py). A single report's data has no such fields."""
    return site.edition is not None and site.edition.earlier is not None


def _previous_record(figure: Figure, codes: list[str]) -> dict[str, Any] | None:
    previous = figure.previous
    if previous is None:
        return None
    return {
        "year": previous.year,
        "value": previous.value,
        "text": {code: previous.texts[code] for code in codes},
        "change": previous.change,
    }


def _url(base: str, location: str | None) -> str | None:
    return base + location if location is not None else None


DATA_FILES = (JSON_FILE, SCHEMA_FILE, CSV_FILE, XLSX_FILE)  # what ``data_files`` makes


def data_files(
    site: Site,
    records: list[dict[str, Any]],
    earlier: Callable[[str], bytes | None] | None = None,
) -> dict[str, bytes]:
    """The open-data files, by output path, of a site's figures (``figure_records``).
    ``earlier``: a file of the previous build, by output path, if there is one."""
    codes = [lang.code for lang in site.languages]
    base = site.meta.base_url
    document = {
        "$schema": base + SCHEMA_FILE if base else SCHEMA_ID,
        "title": dict(site.meta.title),
        "publication": dict(site.meta.publication),
        "date": site.meta.date.isoformat(),
        "languages": codes,
        "figures": records,
    }
    figures_json = _json_records(document, "figures")
    # Every cell of the spreadsheet comes from figures.json's document: while that is the
    # same, so is the spreadsheet, and the previous build's is kept. Importing XlsxWriter
    # alone takes 100 ms, which the row "real site, cold process" of benchmarks/run.py
    # has no room for.
    spreadsheet = None
    if earlier is not None and earlier(JSON_FILE) == figures_json:
        spreadsheet = earlier(XLSX_FILE)
    if spreadsheet is None:
        spreadsheet = _xlsx(document, site.languages)
    return {
        JSON_FILE: figures_json,
        SCHEMA_FILE: _json(schema(codes, _compared(site))),
        CSV_FILE: _csv(records, codes),
        XLSX_FILE: spreadsheet,
    }


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_records(document: dict[str, Any], key: str) -> bytes:
    """A document indented like ``_json``, except that each record of its last field, the
    list ``key``, takes one line: as easy to read, and written by json's C encoder (the
    indenting one is pure Python, seconds for a site of thousands of figures). Each line
    is encoded as it is made, so that the text of the whole file is never held twice."""
    assert list(document)[-1] == key, "the records come last"
    head = json.dumps({**document, key: []}, ensure_ascii=False, indent=2)
    if not document[key]:
        return (head + "\n").encode("utf-8")
    parts = [head.removesuffix("[]\n}").encode("utf-8") + b"[\n    "]
    for record in document[key]:
        parts += [json.dumps(record, ensure_ascii=False).encode("utf-8"), b",\n    "]
    parts[-1] = b"\n  ]\n}\n"
    return b"".join(parts)


def _csv(records: list[dict[str, Any]], codes: list[str]) -> bytes:
    """UTF-8 with a BOM, so that Excel on a Chinese Windows machine shows the characters.

    The value is given once, as a plain number (``92.1`` with the unit ``%``, ``18000``):
    the figure as the pages write it (``92.1%``, ``18,000``) is left to the JSON and the
    spreadsheet, since a spreadsheet opening a CSV would turn it into another number. No
    cell is ever read as a formula (``_text``)."""
    columns = ["id", "section", "value", "qualifier"]
    for field in ("unit", "label"):
        columns += [f"{field}_{code}" for code in codes]
    columns += ["source"] + [f"cited_{code}" for code in codes]
    columns += ["corrected_from", "corrected_on"] + [f"correction_note_{code}" for code in codes]
    columns += [f"url_{code}" for code in codes]
    compared = bool(records) and "previous" in records[0]
    if compared:  # a year of a site of several years, after the first
        columns += ["previous_year", "previous_value", "change"]
    buffer = io.BytesIO()
    with io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="", write_through=True) as text:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(columns)
        for record in records:
            row = [_text(record["id"]), _text(record["section"]), plain(record["value"])]
            row.append(_text(record["qualifier"] or ""))
            for field in ("unit", "label"):
                row += [_text(record[field][code]) for code in codes]
            cited, correction = record["cited"] or {}, record["correction"] or {}
            row += [_text(record["source"])] + [_text(cited.get(code, "")) for code in codes]
            previous = correction.get("previous")
            row += ["" if previous is None else plain(previous), correction.get("date", "")]
            row += [_text(correction.get("note", {}).get(code, "")) for code in codes]
            row += [_text(record["url"][code] or "") for code in codes]
            if compared:
                previous = record["previous"] or {}
                row.append(str(previous.get("year", "")))
                row.append(plain(previous["value"]) if previous else "")
                change = previous.get("change")
                row.append("" if change is None else plain(change))
            writer.writerow(row)
        text.flush()
        return buffer.getvalue()


def _text(cell: str) -> str:
    """A text as a spreadsheet shows it, never as a formula: ``'=1+1``."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


# The spreadsheet: one sheet per language, the columns of the CSV (in that language).
SHEET_COLUMNS = (
    ("id", 22), ("section", 12), ("label", 36), ("value", 12), ("unit", 8),
    ("text", 16), ("qualifier", 10), ("source", 40), ("url", 50),
)  # fmt: skip
# A year of a site of several years, after the first, adds the year before's figures.
PREVIOUS_COLUMNS = (("previous_year", 12), ("previous_value", 14), ("change", 12))


def _xlsx(document: dict[str, Any], languages: tuple[Language, ...]) -> bytes:
    """The figures as a workbook: a sheet per language; numbers as numbers, percentages as
    percentages (0.921 shown as 92.1%), texts always as texts (``write_string``: never a
    formula, never taken for a number or a date)."""
    from xlsxwriter.workbook import Workbook  # here: 100 ms to import, for one file

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    workbook = Workbook(buffer, {**options, "strings_to_urls": False})
    date = dt.date.fromisoformat(document["date"])
    first = languages[0].code
    workbook.set_properties(
        {"title": document["title"][first], "created": dt.datetime(date.year, date.month, date.day)}
    )
    bold = workbook.add_format({"bold": True})
    formats: dict[str, Any] = {}

    def number_format(text: str) -> Any:
        if text not in formats:
            formats[text] = workbook.add_format({"num_format": text})
        return formats[text]

    columns = SHEET_COLUMNS
    if document["figures"] and "previous" in document["figures"][0]:
        columns += PREVIOUS_COLUMNS
    names: set[str] = set()
    for lang in languages:
        code = lang.code
        sheet = workbook.add_worksheet(_sheet_name(lang, names))
        for column, (name, width) in enumerate(columns):
            sheet.write_string(0, column, name, bold)
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)
        for row, record in enumerate(document["figures"], start=1):
            unit = record["unit"][code]
            texts = {
                "id": record["id"],
                "section": record["section"],
                "label": record["label"][code],
                "unit": unit,
                "text": record["text"][code],
                "qualifier": record["qualifier"] or "",
                "source": record["source"],
            }
            previous = record.get("previous") or {}
            for column, (name, _) in enumerate(columns):
                if name == "value":
                    value, shown = _cell_number(record["value"], unit)
                    sheet.write_number(row, column, value, number_format(shown))
                elif name in ("previous_value", "change"):
                    number = previous.get("value" if name == "previous_value" else "change")
                    if number is not None:
                        value, shown = _cell_number(number, unit)
                        sheet.write_number(row, column, value, number_format(shown))
                elif name == "previous_year":
                    if previous:
                        sheet.write_number(row, column, previous["year"])
                elif name == "url":
                    url = record["url"][code] or ""
                    if url.startswith(("https://", "http://")):
                        sheet.write_url(row, column, url, string=url)
                    else:
                        sheet.write_string(row, column, url)
                else:
                    sheet.write_string(row, column, texts[name])
        sheet.autofilter(0, 0, len(document["figures"]), len(columns) - 1)
    workbook.close()
    return buffer.getvalue()


def _cell_number(value: int | float, unit: str) -> tuple[float, str]:
    """The number a cell holds and its format: 92.1 with the unit % is 0.921 shown as
    ``0.0%``; 18000 is 18000 shown as ``#,##0``; 3.25 as ``#,##0.00``."""
    decimals = len(plain(value).partition(".")[2])
    fraction = "." + "0" * decimals if decimals else ""
    if unit == "%":
        from decimal import Decimal  # exact: 92.1 / 100 is 0.921, not 0.9209999…

        return float(Decimal(plain(value)) / 100), f"0{fraction}%"
    return value, f"#,##0{fraction}"


def _sheet_name(lang: Language, taken: set[str]) -> str:
    """The language's own name (中文, English), as a sheet may be named; else its code."""
    name = re.sub(r"[\[\]:*?/\\']", "", lang.name)[:31].strip() or lang.code
    if name.lower() in taken:
        name = lang.code
    taken.add(name.lower())
    return name


def schema(codes: list[str], compared: bool = False) -> dict[str, Any]:
    """The JSON Schema of figures.json; ``compared``: with each figure's value the year
    before (a year of a site of several years, after the first)."""
    per_language = {
        "type": "object",
        "properties": {code: {"type": "string"} for code in codes},
        "required": codes,
        "additionalProperties": False,
    }
    nullable_url = {
        "type": ["string", "null"],
        "description": "absolute when the site's address is known, else relative to its root",
    }
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Figures of the Zhoukou People's Congress Standing Committee work report",
        "type": "object",
        "required": ["title", "publication", "date", "languages", "figures"],
        "properties": {
            "$schema": {"type": "string"},
            "title": per_language,
            "publication": per_language,
            "date": {"type": "string", "format": "date"},
            "languages": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "figures": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "id",
                        "section",
                        "value",
                        "qualifier",
                        "text",
                        "unit",
                        "label",
                        "source",
                        "cited",
                        "correction",
                        "url",
                    ],
                    "properties": {
                        "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                        "section": {"type": "string", "description": "the page it belongs to"},
                        "value": {"type": "number"},
                        "qualifier": {"enum": [None, *QUALIFIERS]},
                        "text": {
                            **per_language,
                            "description": "the value as each language writes it",
                        },
                        "unit": per_language,
                        "label": per_language,
                        "source": {
                            "type": "string",
                            "description": "the phrase of the original text that gives the "
                            "figure (empty when it is cited from elsewhere)",
                        },
                        "cited": {
                            "oneOf": [{"type": "null"}, per_language],
                            "description": "the document or office the figure comes from, when "
                            "not the original text",
                        },
                        "correction": {
                            "oneOf": [
                                {"type": "null"},
                                {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["previous", "text", "date", "note"],
                                    "properties": {
                                        "previous": {"type": "number"},
                                        "text": per_language,
                                        "date": {"type": "string", "format": "date"},
                                        "note": per_language,
                                    },
                                },
                            ],
                            "description": "an official correction: the value it replaced "
                            "(as each language writes it), its date and note",
                        },
                        "url": {
                            "type": "object",
                            "properties": {code: nullable_url for code in codes},
                            "required": codes,
                            "description": "the page and anchor where it appears, per language",
                        },
                    },
                },
            },
        },
    }
    if compared:
        figure = document["properties"]["figures"]["items"]  # type: ignore[index]
        figure["required"].append("previous")
        figure["properties"]["previous"] = {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["year", "value", "text", "change"],
                    "properties": {
                        "year": {"type": "integer", "description": "the year it is of"},
                        "value": {"type": "number"},
                        "text": per_language,
                        "change": {
                            "type": ["number", "null"],
                            "description": "this year's value less that year's (percentage "
                            "points for a percentage); null when either has a qualifier",
                        },
                    },
                },
            ],
            "description": "the same figure (the same id) in the year before's report, on a "
            "site of several years; null when that report has no such figure or counted it "
            "in another unit",
        }
    return document


def load_records(data: bytes) -> dict[str, dict[str, Any]] | None:
    """The figures of a previous build's figures.json, by id; None if it cannot be read."""
    try:
        document = json.loads(data.decode("utf-8"))
        return {record["id"]: record for record in document["figures"]}
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        return None
