"""Open data: every figure as JSON (with a JSON Schema beside it) and as CSV.

``data/figures.json`` is also what the next build compares against to report what
changed. URLs in the data are relative to the site's root folder.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from .layout import CSV_FILE, JSON_FILE, SCHEMA_FILE
from .model import Figure, Site
from .numbers import QUALIFIERS

SCHEMA_ID = "figures.schema.json"


def figure_records(site: Site) -> Iterator[dict[str, Any]]:
    """One plain record per figure, in the order of figures.yaml."""
    codes = [lang.code for lang in site.languages]
    locations = site.figure_locations
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
            "url": {code: locations.get((figure.id, code)) for code in codes},
        }
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


def data_files(site: Site, records: list[dict[str, Any]]) -> dict[str, bytes]:
    """The open-data files, by output path, of a site's figures (``figure_records``)."""
    codes = [lang.code for lang in site.languages]
    document = {
        "$schema": SCHEMA_ID,
        "title": dict(site.meta.title),
        "publication": dict(site.meta.publication),
        "date": site.meta.date.isoformat(),
        "languages": codes,
        "figures": records,
    }
    return {
        JSON_FILE: _json_records(document, "figures"),
        SCHEMA_FILE: _json(schema(codes)),
        CSV_FILE: _csv(records, codes),
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
    """UTF-8 with a BOM, so that Excel on a Chinese Windows machine shows the characters."""
    columns = ["id", "section", "value", "qualifier"]
    for field in ("text", "unit", "label"):
        columns += [f"{field}_{code}" for code in codes]
    columns += ["source"] + [f"cited_{code}" for code in codes]
    columns += ["corrected_from", "corrected_on"] + [f"correction_note_{code}" for code in codes]
    columns += [f"url_{code}" for code in codes]
    buffer = io.BytesIO()
    with io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="", write_through=True) as text:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(columns)
        for record in records:
            row = [record["id"], record["section"], record["value"], record["qualifier"] or ""]
            for field in ("text", "unit", "label"):
                row += [record[field][code] for code in codes]
            cited, correction = record["cited"] or {}, record["correction"] or {}
            row += [record["source"]] + [cited.get(code, "") for code in codes]
            row += [correction.get("previous", ""), correction.get("date", "")]
            row += [correction.get("note", {}).get(code, "") for code in codes]
            row += [record["url"][code] or "" for code in codes]
            writer.writerow(row)
        text.flush()
        return buffer.getvalue()


def schema(codes: list[str]) -> dict[str, Any]:
    """The JSON Schema of figures.json."""
    per_language = {
        "type": "object",
        "properties": {code: {"type": "string"} for code in codes},
        "required": codes,
        "additionalProperties": False,
    }
    nullable_url = {"type": ["string", "null"], "description": "relative to the site's root"}
    return {
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


def load_records(data: bytes) -> dict[str, dict[str, Any]] | None:
    """The figures of a previous build's figures.json, by id; None if it cannot be read."""
    try:
        document = json.loads(data.decode("utf-8"))
        return {record["id"]: record for record in document["figures"]}
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        return None
