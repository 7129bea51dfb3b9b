"""The checks that need more than one file, run once every file is read (``load``).

Errors: a figure whose section has no page, a reference in the prose to an id that does
not exist, a string the templates use that strings.yaml lacks or whose placeholders they
do not fill. Warnings: a figure no page uses, a value that no longer appears in its own
source phrase (the number was corrected, the citation was not), a source phrase that is
not in the source text, a label ``import`` left to translate.
"""

from __future__ import annotations

import string
from collections.abc import Collection
from functools import lru_cache

from .errors import ContentError
from .fields import Problems, suggestion
from .files import Kept
from .i18n import _
from .layout import FIGURES_FILE
from .load import Content
from .model import Figure, SourceText
from .numbers import chinese, grouped, plain
from .pages import Bodies, page_order
from .strings import STRINGS_NAME, YEARS_STRINGS, Use
from .typed import check_languages_agree, check_typed_numbers, typed_in
from .yamldoc import YamlDoc


def validate_content(
    content: Content, uses: dict[str, Use], problems: Problems, kept: Kept | None = None
) -> None:
    """Every check across files of the content (and the strings the templates ``use``).
    What serve ``kept`` of the pages' checks is taken while the pages and the figures'
    ids are the same (the preview's 10,000-page figure row of benchmarks/run.py fails
    checking every page again on each figure save); so are each figure's own checks,
    while it is the same."""
    if content.strings_doc and content.languages:
        check_strings(content.strings, content.strings_doc, uses, problems)
    if content.figures_doc:
        figures_doc, figures, bodies = content.figures_doc, content.figures, content.bodies
        check_sections(figures, bodies, figures_doc, problems)
        figure_index = {f.id: f for f in figures}
        known = frozenset(figure_index)
        if problems.errors:  # (without any, every item of figures.yaml is a figure)
            known |= _declared_ids(figures_doc)
        kept = kept or Kept()
        referenced = kept.derive("referenced", (bodies,), lambda: _referenced(bodies))
        if referenced <= known:  # no reference to an unknown figure
            check_unused(figure_index, referenced, figures_doc, problems)
            problems.errors += kept.derive("agree", (bodies,), lambda: _agree(bodies, known))
        else:
            check_references(bodies, figure_index, figures_doc, problems)
            check_languages_agree(bodies, known, problems)
        typed = content.typed_numbers
        if kept.derive("typed", (bodies, typed), lambda: _any_typed(bodies, typed)):
            check_typed_numbers(bodies, figures, typed, problems)
        checked = _figure_checks(figures, figures_doc, content.source, kept)
        for _figure, phrases, _labels in checked:
            problems.warnings += phrases
        for _figure, _phrases, labels in checked:
            problems.warnings += labels


# Strings ----------------------------------------------------------------------------------


def check_strings(
    strings: dict[str, dict[str, str]], doc: YamlDoc, uses: dict[str, Use], problems: Problems
) -> None:
    """Every string that is used is given; every placeholder in it is one that is filled.

    A string a template names but strings.yaml lacks is reported where the template
    names it: either side may hold the typo, and the hint names the closest string.
    """
    unused = set(doc.data) - set(uses) - set(YEARS_STRINGS)
    for name, use in sorted(uses.items()):
        if name not in strings:
            if doc.has(name):
                continue  # given but unreadable: its own error says so
            add = _("add it to {file} as {example}").format(
                file=doc.path, example=f"{name}: {{zh: …, en: …}}"
            )
            if use.path is None:
                message = _('"{name}" is missing: it is used for the headings of the pages').format(
                    name=name
                )
                problems.errors.append(doc.error(name, message, hint=add))
            else:
                message = _('there is no "{name}" in {file}').format(name=name, file=doc.path)
                problems.errors.append(
                    ContentError(
                        message,
                        path=use.path,
                        line=use.line,
                        field=f"{STRINGS_NAME}.{name}",
                        hint=suggestion(name, unused) or add,
                    )
                )
            continue
        if use.placeholders is None or use.dynamic:
            continue
        for code, text in strings[name].items():
            problem = _placeholder_problem(text, use.placeholders)
            if problem:
                message, hint = problem
                problems.errors.append(doc.error(f"{name}.{code}", message, hint=hint))


def _placeholder_problem(text: str, allowed: set[str]) -> tuple[str, str] | None:
    known = ", ".join(f"{{{name}}}" for name in sorted(allowed))
    if allowed:
        hint = _("this text can use {placeholders}").format(placeholders=known)
    else:
        hint = _("this text has no placeholders")
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return _('a "{" or "}" without its pair'), hint
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed:
            return _('unknown placeholder "{placeholder}"').format(placeholder=f"{{{name}}}"), hint
        if spec or conversion:
            message = _('write the placeholder as "{placeholder}", without ":" or "!"')
            return message.format(placeholder=f"{{{name}}}"), hint
    return None


# Figures ---------------------------------------------------------------------------------


def check_sections(figures: list[Figure], bodies: Bodies, doc: YamlDoc, problems: Problems) -> None:
    """Every figure belongs to a page that exists (in some language: a missing one is
    reported by the pages' own checks)."""
    sections = {page_id for by_id in bodies.values() for page_id in by_id} - {"goals-intro"}
    for figure in figures:
        if figure.section not in sections:
            message = _('there is no page "{page}"').format(page=figure.section)
            hint = _("the pages are {pages}").format(
                pages=", ".join(sorted(sections, key=page_order))
            )
            problems.errors.append(doc.error(f"{figure.field}.section", message, hint=hint))


def check_references(
    bodies: Bodies, figures: dict[str, Figure], doc: YamlDoc, problems: Problems
) -> None:
    """Every [[id]] names a figure; every figure is used somewhere (else a warning).

    A reference to a figure that is in figures.yaml but could not be read is not
    reported again: the figure's own error says what to fix.
    """
    referenced: set[str] = set()
    declared = _declared_ids(doc)
    for by_id in bodies.values():
        for page in by_id.values():
            if page is None:
                continue
            for figure_id, offset in page.figures:
                referenced.add(figure_id)
                if figure_id in figures or figure_id in declared:
                    continue
                if figure_id:
                    message = _('unknown figure "{id}"').format(id=figure_id)
                else:
                    message = _("empty figure reference")
                hint = suggestion(figure_id, figures) or _("figures are defined in {file}").format(
                    file=FIGURES_FILE
                )
                problems.errors.append(
                    ContentError(
                        message,
                        path=page.path,
                        line=page.line + offset,
                        field=f"[[{figure_id}]]",
                        hint=hint,
                    )
                )
    check_unused(figures, referenced, doc, problems)


def _referenced(bodies: Bodies) -> frozenset[str]:
    """The figures the pages refer to."""
    return frozenset(
        figure_id
        for by_id in bodies.values()
        for text in by_id.values()
        if text is not None
        for figure_id, _ in text.figures
    )


def _agree(bodies: Bodies, known: Collection[str]) -> list[ContentError]:
    agree = Problems()
    check_languages_agree(bodies, known, agree)
    return agree.errors


def _any_typed(bodies: Bodies, typed: tuple[str, ...]) -> bool:
    """Whether a number is typed into the prose of any page."""
    return any(
        typed_in(text.markdown, typed)
        for by_id in bodies.values()
        for text in by_id.values()
        if text is not None
    )


def check_unused(
    figures: dict[str, Figure], referenced: Collection[str], doc: YamlDoc, problems: Problems
) -> None:
    """A figure no page uses is a warning."""
    for figure in figures.values():
        if figure.id not in referenced:
            message = _('the figure "{id}" is not used on any page').format(id=figure.id)
            hint = _("refer to it as {reference} in the text, or remove it").format(
                reference=f"[[{figure.id}]]"
            )
            problems.warnings.append(doc.error(f"{figure.field}.id", message, hint=hint))


def _declared_ids(doc: YamlDoc) -> set[str]:
    items = doc.data.get("figures") if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        return set()
    return {
        item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


UNTRANSLATED = "translate: "  # how ``import`` begins a label for a translator to write


def check_labels(figures: list[Figure], doc: YamlDoc, problems: Problems) -> None:
    """A label that ``import`` left for a translator is a warning until it is written."""
    for figure in figures:
        for code, label in figure.label.items():
            if label.startswith(UNTRANSLATED):
                path = f"{figure.field}.label.{code}"
                message = _("the label is not translated yet")
                hint = _('write it in place of "{label}"').format(label=label)
                problems.warnings.append(doc.error(path, message, hint=hint))


# The preview's 1,000-page paragraph row of benchmarks/run.py: a save looks again only at
# the figures whose value or phrase changed. (typed: 1 and 1.0 are written differently)
@lru_cache(maxsize=1 << 16, typed=True)
def _in_phrase(value: int | float, phrase: str) -> bool:
    """The value is in the phrase, in digits or in Chinese numerals."""
    written = {plain(value), chinese(value), grouped(value)}
    return any(form in phrase for form in written) or _in_words(phrase, value)


def _in_words(phrase: str, value: int | float) -> bool:
    """The value is in a figure's phrase in Chinese numerals: 六次, 一百二十人次, 百分之九十八."""
    from .statistics import find_numbers  # its patterns are compiled only when needed

    return any(number.value == value for number in find_numbers(phrase))


def check_source_phrases(
    figures: list[Figure], doc: YamlDoc, source: SourceText, problems: Problems
) -> None:
    """Each value still appears in its own source phrase (a corrected figure's previous
    value: the source text keeps what was printed), and each phrase in the source text. A
    figure that cites another document or office has no phrase to check."""
    text = source.plain
    for figure in figures:
        _check_phrase(figure, doc, source, text, problems)


def _check_phrase(
    figure: Figure, doc: YamlDoc, source: SourceText, text: str, problems: Problems
) -> None:
    if figure.cited is None:
        path = f"{figure.field}.source"
        cited = figure.correction.previous if figure.correction else figure.value
        if not _in_phrase(cited, figure.source):
            value = plain(cited)
            message = _('the value {value} does not appear in its source phrase "{phrase}"').format(
                value=value, phrase=figure.source
            )
            hint = _(
                "if the number was officially corrected, keep the phrase as printed and add "
                '"correction:" with the previous value, the date and a note'
            )
            problems.warnings.append(doc.error(path, message, hint=hint))
        if figure.source not in text:
            message = _('the phrase "{phrase}" is not in the source text {file}').format(
                phrase=figure.source, file=source.path
            )
            hint = _("copy the phrase from the source text exactly")
            problems.warnings.append(doc.error(path, message, hint=hint))


def _figure_checks(
    figures: list[Figure], doc: YamlDoc, source: SourceText | None, kept: Kept
) -> list[tuple[Figure, list[ContentError], list[ContentError]]]:
    """Each figure with the warnings of its source phrase and of its labels; as serve
    ``kept`` them for the same figure, while the source text is the same."""
    found = kept.derived.get("figure checks")
    last: dict = found[1] if found is not None and found[0][0] is source else {}  # type: ignore[assignment]
    text = None
    made, checked = {}, []
    for figure in figures:
        hit = last.get(id(figure))  # (each kept with its figure: no other has its id)
        if hit is None:
            phrases, labels = Problems(), Problems()
            if source is not None:
                text = source.plain if text is None else text
                _check_phrase(figure, doc, source, text, phrases)
            check_labels([figure], doc, labels)
            hit = (figure, phrases.warnings, labels.warnings)
        made[id(figure)] = hit
        checked.append(hit)
    kept.derived["figure checks"] = ((source,), made)
    return checked
