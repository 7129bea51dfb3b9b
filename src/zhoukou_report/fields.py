"""Reading typed fields out of parsed YAML, collecting every problem instead of stopping.

The readers of site.yaml, strings.yaml, figures.yaml and front matter share these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from .errors import ContentError
from .yamldoc import YamlDoc

QUOTE_HINT = 'put it in quotes if it is meant as text: "…"'


class Problems:
    """Errors and warnings of one run, in the order found."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []
        self.warnings: list[ContentError] = []

    def attempt(self, step: Callable[[], Any]) -> Any:
        """Run a step; a content error is recorded and None returned."""
        try:
            return step()
        except ContentError as e:
            self.errors.append(e)
            return None


def expected(what: str, got: Any) -> str:
    """ "expected a number, got "abc"": what a field should hold, and what it holds."""
    if got is None:
        return f"expected {what}, got nothing"
    if isinstance(got, str):
        shown = got if len(got) <= 60 else got[:60] + "…"
        return f'expected {what}, got "{shown}"'
    if isinstance(got, dict):
        return f"expected {what}, got name: value pairs"
    if isinstance(got, list):
        return f"expected {what}, got a list"
    if isinstance(got, bool):
        return f"expected {what}, got {'true' if got else 'false'}"
    return f"expected {what}, got {got}"


def wrong(doc: YamlDoc, path: str, value: Any, what: str, hint: str | None = None) -> ContentError:
    """The error for a field that does not hold what it should: missing, empty, or else."""
    name = path.rsplit(".", 1)[-1]
    if value is None and not doc.has(path):
        return doc.error(path, f'"{name}" is missing: it should be {what}', hint=hint)
    if value is None or (isinstance(value, str) and not value.strip()) or value in ([], {}):
        return doc.error(path, f'"{name}" is empty: it should be {what}', hint=hint)
    if isinstance(value, bool) and hint is None:
        hint = QUOTE_HINT
    return doc.error(path, expected(what, value), hint=hint)


def suggestion(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known word, if one is close."""
    import difflib  # here: only a mistake needs it

    close = difflib.get_close_matches(str(word), sorted(choices), n=1)
    return f'did you mean "{close[0]}"?' if close else None


def unknown_keys(
    doc: YamlDoc, path: str, data: dict, known: Iterable[str], problems: Problems
) -> None:
    """An error for every key that is not a known field (a typo would otherwise go unseen)."""
    known = set(known)
    for key in data:
        if key not in known:
            child = f"{path}.{key}" if path else str(key)
            hint = suggestion(key, known) or "known fields: " + ", ".join(sorted(known))
            problems.errors.append(doc.error(child, f'unknown field "{key}"', hint=hint))


def text_field(
    doc: YamlDoc, path: str, value: Any, problems: Problems, what: str = "text"
) -> str | None:
    """A non-empty text; numbers and dates are taken as they are written.

    Spaces inside quotes are kept: YAML already trims plain values, and an editor who
    quotes a space (``en: ": "``) means it.
    """
    if isinstance(value, dt.date):
        return value.isoformat()
    if (
        isinstance(value, bool)
        or not isinstance(value, str | int | float)
        or not str(value).strip()
    ):
        problems.errors.append(wrong(doc, path, value, what))
        return None
    return str(value)


def translated(
    doc: YamlDoc,
    path: str,
    value: Any,
    codes: tuple[str, ...],
    problems: Problems,
    optional: tuple[str, ...] = (),
) -> dict[str, str] | None:
    """A text given in every language, as ``{zh: …, en: …}``; ``optional`` ones may be left out."""
    if not isinstance(value, dict):
        what = f"a text for each language ({', '.join(codes)})"
        hint = f"write it as {path.rsplit('.', 1)[-1]}: {{{', '.join(f'{c}: …' for c in codes)}}}"
        problems.errors.append(wrong(doc, path, value, what, hint=hint))
        return None
    before = len(problems.errors)
    result = {}
    for code in codes:
        text = value.get(code)
        if text is None and code in optional:
            result[code] = ""
            continue
        checked = text_field(doc, f"{path}.{code}", text, problems, f"the {code} text")
        if checked is not None:
            result[code] = checked
    for key in value:
        if key not in codes:
            message = f'"{key}" is not one of the site\'s languages ({", ".join(codes)})'
            problems.errors.append(doc.error(f"{path}.{key}", message))
    return result if len(problems.errors) == before else None
