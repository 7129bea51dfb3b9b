"""strings.yaml: the words of the site's interface, and which of them the templates use.

A template names a string as ``t.name``; a string missing from strings.yaml, or one
with a placeholder the code does not fill (``{num}`` for ``{number}``), would
otherwise fail while rendering, as an error in a template the editor never touched.
So each template's uses are found as it is compiled (``found_uses``, called by the
renderer), and ``validate`` reports both mistakes at strings.yaml, before anything is
rendered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .fields import Problems, translated
from .yamldoc import YamlDoc

if TYPE_CHECKING:
    from jinja2 import nodes

# One use of a string in a template: its name, line, and for ``.format(...)``, the keywords
# given (None when it is only named) and whether other arguments are given too.
FoundUse = tuple[str, int, tuple[str, ...] | None, bool]

STRINGS_NAME = "t"  # the name the templates know strings.yaml by
_METHODS = {"get", "items", "keys", "values"}  # t.items() is not a string named "items"

# Texts the Python code uses itself (render.py's ``heading``), with the placeholders it fills.
CODE_STRINGS: dict[str, frozenset[str]] = {
    "highlight_label": frozenset({"number"}),
    "goal_label": frozenset({"number"}),
    "figure_corrected": frozenset(),  # markup.py: the mark of a corrected figure in prose
    "closing_title": frozenset(),  # the closing page's title, unless its front matter gives one
    "report_title": frozenset(),  # the whole report's page
    "figure_source": frozenset(),  # in the note a tap on a figure in the prose shows
    "figures_title": frozenset(),
}

# Texts only a site of several years uses (years.py checks them), with the placeholders it
# fills: not asked of a single report, nor offered as what a misspelt name meant.
YEARS_STRINGS: dict[str, frozenset[str]] = {
    "years_title": frozenset(),  # the page that lists the years
    "years_link": frozenset(),  # the link to it, at the foot of every page
    "figure_up": frozenset({"year", "previous", "change"}),  # 比{year}年的{previous}增加{change}
    "figure_down": frozenset({"year", "previous", "change"}),
    "figure_same": frozenset({"year", "previous"}),  # 与{year}年持平
    "figure_before": frozenset({"year", "previous"}),  # with a qualifier: {year}年为{previous}
    "figure_points": frozenset({"number"}),  # a percentage's change: {number}个百分点
}


class Use:
    """Where a string is first used, and the placeholders ``.format(...)`` fills in it."""

    def __init__(self, path: str | None, line: int | None, placeholders: set[str] | None = None):
        self.path = path  # "templates/base.html"; None for a string the code uses
        self.line = line
        self.placeholders = placeholders  # None: not formatted, its braces are plain text
        self.dynamic = False  # formatted with arguments that cannot be read: not checked


# Texts the templates use that a project's strings.yaml may leave out, in Chinese and in
# English (for every other language): those a project made before they were added need not
# add them, nor a small site that never shows them.
DEFAULT_STRINGS: dict[str, dict[str, str]] = {
    # A part of a large site's whole-report or figures page (model.PARTED).
    "part_label": {"zh": "第{number}部分（共{count}部分）", "en": "Part {number} of {count}"},
}


def read_strings(
    doc: YamlDoc, codes: tuple[str, ...], problems: Problems
) -> dict[str, dict[str, str]]:
    """Every string of strings.yaml, in every language; and the ``DEFAULT_STRINGS`` it
    does not give."""
    strings = {}
    for key, value in doc.data.items():
        text = translated(doc, key, value, codes, problems)
        if text is not None:
            strings[key] = text
    for key, texts in DEFAULT_STRINGS.items():
        if not doc.has(key):
            strings[key] = {code: texts.get(code, texts["en"]) for code in codes}
    return strings


def found_uses(tree: nodes.Template) -> tuple[FoundUse, ...]:
    """The strings a template names, as ``t.name`` or ``t["name"]``, in the order written,
    then those it formats, with their keywords."""
    from jinja2 import nodes

    uses: list[FoundUse] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = _string_name(node)
        if name is not None:
            uses.append((name, node.lineno, None, False))
    for call in tree.find_all(nodes.Call):
        target = call.node
        if not (isinstance(target, nodes.Getattr) and target.attr == "format"):
            continue
        formatted = target.node
        # (t.name | e).format(...): escaped first, so that Markup arguments stay markup.
        if isinstance(formatted, nodes.Filter) and formatted.name in ("e", "escape"):
            formatted = formatted.node
        name = _string_name(formatted)
        if name is not None:
            keywords = tuple(sorted(keyword.key for keyword in call.kwargs))
            dynamic = bool(call.args or call.dyn_args or call.dyn_kwargs)
            uses.append((name, call.lineno, keywords, dynamic))
    return tuple(uses)


def string_uses(templates: Iterable[tuple[str, Iterable[FoundUse]]]) -> dict[str, Use]:
    """Every string the code and the templates (their paths, each with its ``found_uses``)
    use, at its first use, with every placeholder any use fills."""
    uses: dict[str, Use] = {
        name: Use(None, None, set(names)) for name, names in CODE_STRINGS.items()
    }
    for where, found in templates:
        for name, line, keywords, dynamic in found:
            use = uses.setdefault(name, Use(where, line))
            if keywords is not None:
                use.placeholders = (use.placeholders or set()) | set(keywords)
                use.dynamic = use.dynamic or dynamic
    return uses


def _string_name(node: nodes.Node) -> str | None:
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
