"""strings.yaml: the words of the site's interface, and the check that the templates find them.

A template names a string as ``t.name``; a string missing from strings.yaml, or one
with a placeholder the code does not fill (``{num}`` for ``{number}``), would
otherwise fail while rendering, as an error in a template the editor never touched.
So both are reported here, at strings.yaml, before anything is rendered.
"""

from __future__ import annotations

import string
from pathlib import Path

from .cache import cached_json, digest
from .errors import ContentError
from .fields import Problems, suggestion, translated
from .load import read_text
from .yamldoc import YamlDoc

TEMPLATES = "templates"
STATIC = "static"  # inside templates/: assets, not templates
_CACHE_FORMAT = "1"  # change when _uses_in changes what it returns
STRINGS_NAME = "t"  # the name the templates know strings.yaml by
_METHODS = {"get", "items", "keys", "values"}  # t.items() is not a string named "items"

# Texts the Python code uses itself (render.py's ``heading``), with the placeholders it fills.
CODE_STRINGS: dict[str, frozenset[str]] = {
    "highlight_label": frozenset({"number"}),
    "goal_label": frozenset({"number"}),
}


class Use:
    """Where a string is first used, and the placeholders ``.format(...)`` fills in it."""

    def __init__(self, path: str | None, line: int | None, placeholders: set[str] | None = None):
        self.path = path  # "templates/base.html"; None for a string the code uses
        self.line = line
        self.placeholders = placeholders  # None: not formatted, its braces are plain text
        self.dynamic = False  # formatted with arguments that cannot be read: not checked


def read_strings(
    doc: YamlDoc, codes: tuple[str, ...], problems: Problems
) -> dict[str, dict[str, str]]:
    """Every string of strings.yaml, in every language."""
    strings = {}
    for key, value in doc.data.items():
        text = translated(doc, key, value, codes, problems)
        if text is not None:
            strings[key] = text
    return strings


def template_uses(project: Path, problems: Problems) -> dict[str, Use]:
    """Every string the templates name, as ``t.name`` or ``t["name"]``, at its first use.

    A template that cannot be parsed is skipped: the renderer reports its syntax error
    with the template's own settings. One that is not UTF-8 is reported here.
    """
    import jinja2

    uses: dict[str, Use] = {
        name: Use(None, None, set(names)) for name, names in CODE_STRINGS.items()
    }
    folder = project / TEMPLATES
    if not folder.is_dir():
        return uses
    for file in sorted(folder.rglob("*.html")):
        rel = file.relative_to(folder).as_posix()
        if rel.startswith(f"{STATIC}/") or not file.is_file():
            continue
        source = problems.attempt(lambda f=file, r=rel: read_text(f, f"{TEMPLATES}/{r}"))
        if source is None:
            continue
        # Parsing templates is most of the cost of this check: what a template's text
        # uses is kept in the user's cache, keyed by that text.
        key = digest(_CACHE_FORMAT, jinja2.__version__, rel, source)
        found = cached_json("template-strings", key, lambda s=source: _uses_in(s))
        if found is None:  # a syntax error: the renderer reports it
            continue
        where = f"{TEMPLATES}/{rel}"
        for name, line in found["names"]:
            uses.setdefault(name, Use(where, line))
        for name, line, keywords, dynamic in found["formats"]:
            use = uses.setdefault(name, Use(where, line))
            use.placeholders = (use.placeholders or set()) | set(keywords)
            use.dynamic = use.dynamic or dynamic
    return uses


def _uses_in(source: str) -> dict[str, list] | None:
    """The strings a template's text names, and those it formats with their keywords."""
    import jinja2
    from jinja2 import nodes

    try:
        tree = jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError:
        return None
    names = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = _string_name(node)
        if name is not None:
            names.append((name, node.lineno))
    formats = []
    for call in tree.find_all(nodes.Call):
        target = call.node
        if not (isinstance(target, nodes.Getattr) and target.attr == "format"):
            continue
        name = _string_name(target.node)
        if name is None:
            continue
        dynamic = bool(call.args or call.dyn_args or call.dyn_kwargs)
        formats.append((name, call.lineno, sorted(kw.key for kw in call.kwargs), dynamic))
    return {"names": names, "formats": formats}


def _string_name(node: object) -> str | None:
    """ "name" for ``t.name`` and ``t["name"]``; None for anything else."""
    from jinja2 import nodes

    if isinstance(node, nodes.Getattr):
        owner, name = node.node, node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        owner, name = node.node, node.arg.value
    else:
        return None
    if (
        isinstance(owner, nodes.Name)
        and owner.name == STRINGS_NAME
        and isinstance(name, str)
        and name not in _METHODS
    ):
        return name
    return None


def check_strings(
    strings: dict[str, dict[str, str]], doc: YamlDoc, uses: dict[str, Use], problems: Problems
) -> None:
    """Every string that is used is given; every placeholder in it is one that is filled.

    A string a template names but strings.yaml lacks is reported where the template
    names it: either side may hold the typo, and the hint names the closest string.
    """
    unused = set(doc.data) - set(uses)
    for name, use in sorted(uses.items()):
        if name not in strings:
            if doc.has(name):
                continue  # given but unreadable: its own error says so
            add = f"add it to {doc.path} as {name}: {{zh: …, en: …}}"
            if use.path is None:
                message = f'"{name}" is missing: it is used for the headings of the pages'
                problems.errors.append(doc.error(name, message, hint=add))
            else:
                message = f'there is no "{name}" in {doc.path}'
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
    hint = f"this text can use {known}" if allowed else "this text has no placeholders"
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return 'a "{" or "}" without its pair', hint
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed:
            return f'unknown placeholder "{{{name}}}"', hint
        if spec or conversion:
            return f'write the placeholder as "{{{name}}}", without ":" or "!"', hint
    return None
