"""What a rebuild changes in the figures, compared with the previous build's open data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .i18n import _, ngettext

# The fields compared, and how a change to each is named; the value comes first.
COMPARED = ("value", "qualifier", "unit", "label", "section", "source", "cited")


def figure_changes(
    previous: Mapping[str, dict[str, Any]] | None, current: Iterable[dict[str, Any]]
) -> list[str]:
    """Lines for the terminal: every figure added, removed or changed, or why none are
    listed. ``previous``: the previous build's figures by id (``opendata.load_records``);
    ``current``: this build's records (``opendata.figure_records``)."""
    if previous is None:
        return [_("Figures: no previous build to compare with.")]
    lines = []
    now = set()
    for record in current:
        figure_id = record["id"]
        now.add(figure_id)
        if figure_id not in previous:
            lines.append(
                "  " + _("added    {id}: {value}").format(id=figure_id, value=_shown(record))
            )
            continue
        old = previous[figure_id]
        changes = _differences(old, record)
        correction = record.get("correction")
        if correction and correction != old.get("correction"):
            # A correction recorded since the previous build: said as one, with its date.
            changes = [change for change in changes if change != _value_change(old, record)]
            before = _shown({"value": correction["previous"], "text": correction["text"]})
            change = f"{before} → {_shown(record)} ({correction['date']})"
            lines.append("  " + _("corrected {id}: {change}").format(id=figure_id, change=change))
        for change in changes:
            lines.append("  " + _("changed  {id}: {change}").format(id=figure_id, change=change))
    for figure_id, record in previous.items():
        if figure_id not in now:
            lines.append(
                "  " + _("removed  {id}: {value}").format(id=figure_id, value=_shown(record))
            )
    if not lines:
        return [_("Figures: no changes since the previous build.")]
    count = len(lines)
    heading = ngettext(
        "Figures: {count} change since the previous build:",
        "Figures: {count} changes since the previous build:",
        count,
    )
    return [heading.format(count=count), *lines]


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    changes = []
    if old.get("value") != new["value"] or old.get("qualifier") != new["qualifier"]:
        changes.append(_value_change(old, new))
    for field in COMPARED[2:]:
        before, after = old.get(field), new.get(field)
        if before == after:
            continue
        if isinstance(after, dict) or isinstance(before, dict):
            before, after = before or {}, after or {}
            for code in dict.fromkeys([*after, *before]):
                if before.get(code, "") != after.get(code, ""):
                    changes.append(f'{field}.{code} "{before.get(code, "")}" → "{after[code]}"')
        else:
            changes.append(f'{field} "{before}" → "{after}"')
    return changes


def _value_change(old: dict[str, Any], new: dict[str, Any]) -> str:
    return f"{_shown(old)} → {_shown(new)}"


def _shown(record: dict[str, Any]) -> str:
    """The value as the English pages write it (``18,000``, ``more than 110``), or the raw one."""
    text = record.get("text")
    if isinstance(text, dict) and text:
        shown = text.get("en", next(iter(text.values())))
        if isinstance(shown, str):
            return shown
    return str(record.get("value"))
