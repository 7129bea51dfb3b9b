"""Reading typed fields out of parsed YAML, collecting every problem instead of stopping.

The readers of site.yaml, strings.yaml, figures.yaml and front matter share these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from .errors import ContentError
from .i18n import _
from .yamldoc import YamlDoc


def quote_hint() -> str:
    return _('put it in quotes if it is meant as text: "…"')


class Problems:
    """Errors and warnings of one run, in the order found."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []
        self.warnings: list[ContentError] = []
        # Draft languages, each with the default language its missing texts fall back to,
        # and how many texts of each (file, draft language) did.
        self.drafts: dict[str, str] = {}
        self.fallbacks: dict[tuple[str, str], int] = {}

    def add(self, other: Problems) -> None:
        """Record another run's problems after these (what serve kept of a step)."""
        self.errors += other.errors
        self.warnings += other.warnings
        for key, count in other.fallbacks.items():
            self.fallbacks[key] = self.fallbacks.get(key, 0) + count

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
        return _("expected {what}, got nothing").format(what=what)
    if isinstance(got, str):
        shown = got if len(got) <= 60 else got[:60] + "…"
        return _('expected {what}, got "{value}"').format(what=what, value=shown)
    if isinstance(got, dict):
        return _("expected {what}, got name: value pairs").format(what=what)
    if isinstance(got, list):
        return _("expected {what}, got a list").format(what=what)
    if isinstance(got, bool):
        return _("expected {what}, got {value}").format(what=what, value=str(got).lower())
    return _("expected {what}, got {value}").format(what=what, value=got)


def wrong(doc: YamlDoc, path: str, value: Any, what: str, hint: str | None = None) -> ContentError:
    """The error for a field that does not hold what it should: missing, empty, or else."""
    name = path.rsplit(".", 1)[-1]
    if value is None and not doc.has(path):
        message = _('"{name}" is missing: it should be {what}').format(name=name, what=what)
        return doc.error(path, message, hint=hint)
    if value is None or (isinstance(value, str) and not value.strip()) or value in ([], {}):
        message = _('"{name}" is empty: it should be {what}').format(name=name, what=what)
        return doc.error(path, message, hint=hint)
    if isinstance(value, bool) and hint is None:
        hint = quote_hint()
    return doc.error(path, expected(what, value), hint=hint)


def suggestion(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known word, if one is close."""
    import difflib  # here: only a mistake needs it

    close = difflib.get_close_matches(str(word), sorted(choices), n=1)
    return _('did you mean "{word}"?').format(word=close[0]) if close else None


def unknown_keys(
    doc: YamlDoc, path: str, data: dict, known: Iterable[str], problems: Problems
) -> None:
    """An error for every key that is not a known field (a typo would otherwise go unseen)."""
    known = set(known)
    for key in data:
        if key not in known:
            child = f"{path}.{key}" if path else str(key)
            hint = suggestion(key, known) or _("known fields: {fields}").format(
                fields=", ".join(sorted(known))
            )
            message = _('unknown field "{name}"').format(name=key)
            problems.errors.append(doc.error(child, message, hint=hint))


def text_field(
    doc: YamlDoc,
    path: str,
    value: Any,
    problems: Problems,
    what: str | Callable[[], str] | None = None,
) -> str | None:
    """A non-empty text; numbers and dates are taken as they are written. ``what`` it
    should be may be given as a function, called only if it is not (reading a large
    figures.yaml translated thousands of them for nothing: the preview's 1,000-page rows of
    benchmarks/run.py).

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
        shown = what() if callable(what) else what
        problems.errors.append(wrong(doc, path, value, shown or _("text")))
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
        what = _("a text for each language ({codes})").format(codes=", ".join(codes))
        example = f"{path.rsplit('.', 1)[-1]}: {{{', '.join(f'{c}: …' for c in codes)}}}"
        hint = _("write it as {example}").format(example=example)
        problems.errors.append(wrong(doc, path, value, what, hint=hint))
        return None
    before = len(problems.errors)
    result = {}
    for code in codes:
        text = value.get(code)
        if text is None and code in optional:
            result[code] = ""
            continue
        if text is None and code in problems.drafts:
            key = (doc.path, code)
            problems.fallbacks[key] = problems.fallbacks.get(key, 0) + 1
            text = value.get(problems.drafts[code])
            if text is None:  # the default's own text is missing: its error says so
                continue
        checked = text_field(
            doc,
            f"{path}.{code}",
            text,
            problems,
            lambda code=code: _("the {code} text").format(code=code),
        )
        if checked is not None:
            result[code] = checked
    for key in value:
        if key not in codes:
            message = _('"{key}" is not one of the site\'s languages ({codes})').format(
                key=key, codes=", ".join(codes)
            )
            problems.errors.append(doc.error(f"{path}.{key}", message))
    return result if len(problems.errors) == before else None
