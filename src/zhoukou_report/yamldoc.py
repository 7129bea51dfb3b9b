"""YAML that keeps the line of every value, for messages that point at it.

``parse_yaml`` reads a document with PyYAML (libyaml's parser when it has it) and converts
it to Python here, so that every value keeps its line, a key given twice is an error
(PyYAML would silently keep the last one), and no tag can construct an object. A syntax
error is explained in plain words, at the line where the mistake most likely is.
``YamlDoc`` is what the rest of the package reads. ``parse_yaml_items`` parses a file that
is one list (figures.yaml) again item by item, reusing the items that did not change.

A number is read as a person reads it (``read_number``): decimal digits as written,
leading zeros ignored (``017`` is 17, ``08`` is 8). The other number forms of YAML 1.1
(``0x1F``, ``0o17``, ``0b101``, base 60 ``12:30``, ``1_000``, ``.inf``) are refused with
an error, not silently read as another number.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import yaml

from .errors import ContentError
from .i18n import N_, _


class YamlDoc:
    """Parsed YAML plus the 1-based line of every field path ("figures[3].value")."""

    def __init__(
        self,
        path: str,
        data: Any,
        lines: Mapping[str, int] | None = None,
        top_line: int | None = None,
    ):
        self.path = path
        self.data = data
        self.lines = {} if lines is None else lines
        # The line given for a top-level field that is not there: none for a YAML file (its
        # first line would point at an unrelated key), line 1 for front matter (its "---").
        self.top_line = top_line
        # A file that is one list, as ``parse_yaml_items`` parsed it, for its next parse.
        self.listed: Listed | None = None

    def line_of(self, field_path: str) -> int | None:
        """The line of a field, or of its nearest parent that has one."""
        while True:
            if field_path in self.lines:
                return self.lines[field_path]
            cut = max(field_path.rfind("."), field_path.rfind("["))
            if cut <= 0:
                return self.lines[""] if field_path == "" and "" in self.lines else self.top_line
            field_path = field_path[:cut]

    def has(self, field_path: str) -> bool:
        """Whether the field is written in the file (perhaps with an empty value)."""
        return field_path in self.lines

    def error(self, field_path: str, message: str, hint: str | None = None) -> ContentError:
        return ContentError(
            message,
            path=self.path,
            line=self.line_of(field_path),
            field=field_path or None,
            hint=hint,
        )


def parse_yaml(text: str, rel: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document, keeping lines, refusing duplicate keys, aliases and object tags.

    ``first_line`` is the line of the file where ``text`` starts (2 for front matter).
    """
    try:
        try:
            return _Reader(text, rel, first_line, _LOADER).read()
        except yaml.YAMLError:
            if _LOADER is yaml.SafeLoader:
                raise
            # What libyaml rejects is read again by PyYAML's own parser, whose errors (and
            # their positions) are the ones ``_syntax_error`` explains.
            return _Reader(text, rel, first_line, yaml.SafeLoader).read()
    except yaml.YAMLError as e:
        raise _syntax_error(e, text, rel, first_line) from e
    except RecursionError as e:
        raise ContentError(_("the values are nested too deeply to read"), path=rel) from e


# Records are named tuples, not dataclasses: model.py says why.
class ListItem(NamedTuple):
    """One item of a file that is one list, as parsed: reused by the next parse of the file
    while its text, first line and place in the list are the same."""

    line: int  # the line of the file where it starts
    data: Any
    lines: dict[str, int]  # the line of each of its fields ("figures[3].value")


class Listed(NamedTuple):
    """A file that is one list, as ``parse_yaml_items`` parsed it: for its next parse."""

    text: str
    starts: list[int]  # where each item starts in the text
    items: tuple[ListItem, ...]


_NOTHING = Listed("", [], ())


def parse_yaml_items(text: str, rel: str, previous: YamlDoc | None = None) -> YamlDoc:
    """``parse_yaml``, with the same result, for a file that is one list laid out as
    figures.yaml is (``figures:``, then its items one after another): the items whose text,
    first line and place are those ``previous`` parsed are taken as it parsed them, and
    only the others are parsed (an editor's save of a 10,000-page figures.yaml changes one
    item: the preview's 10,000-page figure row of benchmarks/run.py fails parsing them all).

    Whatever the split cannot be sure of is parsed whole, by ``parse_yaml``: a file of
    another layout, with a comment, a tab or a line outside the items, an item with an
    anchor or a flow collection (``{…}``, ``[…]``), and any item that is not right YAML
    (so that its error is found as the whole file's parse finds it).

    Only the text between the items found again at the start of the file and those found
    again at its end is split and compared item by item (every item, one by one, took
    most of the time of a 10,000-page figures.yaml's parse on each save).
    """
    head = _LIST_HEAD.match(text)
    if head is None:
        return parse_yaml(text, rel)
    name, dash = head.group(1), head.group(2)
    old = previous.listed if previous is not None else None
    if old is None or not text.startswith(old.text[: head.end()]):  # another name or dash
        old = _NOTHING
    first, after, delta = _kept_around(old, text, len(dash))
    count = len(old.items)
    start = old.starts[first] if count else head.end(1) + 2
    end = old.starts[after] + delta if after < count else len(text)
    middle = _split_items(text, start, end, dash)
    if middle is None:
        return parse_yaml(text, rel)
    items: list[ListItem | None] = list(old.items[:first])
    offsets = old.starts[:first]
    lines: dict[int, int] = {}  # the line of each item between, and of each item moved
    line = old.items[first].line if count else 2
    for index, offset in enumerate(middle, start=first):
        line += text.count("\n", offsets[-1] if index > first else start, offset)
        stop = middle[index - first + 1] if index - first + 1 < len(middle) else end
        items.append(_same_item(old, index, line, text, offset, stop))
        offsets.append(offset)
        lines[index] = line
    if after < count:  # the items found again at the end, in the same lines and places
        moved_to = line + text.count("\n", offsets[-1] if middle else start, end)
        shift = moved_to - old.items[after].line
        if shift == 0 and len(items) == after:
            items += old.items[after:]
        else:  # moved: parsed again, to name their new lines
            for index, item in enumerate(old.items[after:], start=len(items)):
                items.append(None)
                lines[index] = item.line + shift
        offsets += (
            [offset + delta for offset in old.starts[after:]] if delta else old.starts[after:]
        )
    again = [index for index in lines if items[index] is None]
    while again:  # each run of items not kept, parsed as one text
        run = 1
        while run < len(again) and again[run] == again[0] + run:
            run += 1
        first_index, next_index = again[0], again[0] + run
        chunk = text[
            offsets[first_index] : offsets[next_index] if next_index < len(offsets) else len(text)
        ]
        try:
            parsed = _Reader(chunk, rel, lines[first_index], _LOADER).items(name, first_index)
        except (yaml.YAMLError, ContentError, RecursionError):
            parsed = None
        if parsed is None or len(parsed) != run:
            return parse_yaml(text, rel)
        for index, (data, item_lines) in enumerate(parsed, start=first_index):
            items[index] = ListItem(lines[index], data, item_lines)
        del again[:run]
    done: tuple[ListItem, ...] = tuple(items)  # type: ignore[arg-type]  # every one is read
    lines_of = ListLines({"": 1, name: 1}, name, [item.lines for item in done])
    doc = YamlDoc(rel, {name: [item.data for item in done]}, lines_of)
    doc.listed = Listed(text, offsets, done)
    return doc


def _kept_around(old: Listed, text: str, indent: int) -> tuple[int, int, int]:
    """How many items of ``old`` are found again, the same, at the start of ``text``; the
    first of those found again at its end; and how much longer the text is. (Comparing
    the texts in blocks, not item by item.)"""
    delta = len(text) - len(old.text)
    if not old.items:
        return 0, 0, delta
    same = _same_start(old.text, text)
    # Those that end, and whose next item's hyphen and space follow, before the first change.
    first = max(0, bisect.bisect_right(old.starts, same - indent - 2) - 1)
    tail = _same_end(old.text, text, min(len(old.text), len(text)) - same)
    # Those whose line starts (its line break before it too) after the last change.
    after = max(first, bisect.bisect_left(old.starts, len(old.text) - tail + 1))
    return first, after, delta


def _same_start(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` start with alike."""
    size, same, step = min(len(a), len(b)), 0, 1 << 16
    while step:
        while same + step <= size and a[same : same + step] == b[same : same + step]:
            same += step
        step >>= 1
    return same


def _same_end(a: str, b: str, limit: int) -> int:
    """How many characters ``a`` and ``b`` end with alike, at most ``limit``."""
    same, step = 0, 1 << 16
    while step:
        while (
            same + step <= limit
            and a[len(a) - same - step : len(a) - same] == b[len(b) - same - step : len(b) - same]
        ):
            same += step
        step >>= 1
    return same


def _same_item(
    old: Listed, index: int, line: int, text: str, start: int, end: int
) -> ListItem | None:
    """The item ``old`` parsed at ``index``, if it is the one ``text`` holds from ``start``
    to ``end``, starting on the same ``line``."""
    if index >= len(old.items) or old.items[index].line != line:
        return None
    was = old.starts[index]
    was_end = old.starts[index + 1] if index + 1 < len(old.starts) else len(old.text)
    if was_end - was != end - start or not text.startswith(old.text[was:was_end], start):
        return None
    return old.items[index]


class ListLines(Mapping[str, int]):
    """The lines of the fields of a file that is one list, each item's held apart (put
    together in one dict on each save, a 10,000-page figures.yaml's took a third of the
    time of its parse by item): ``top``'s, then each field of the list ``name`` looked up
    in its item's (``figures[3].value`` in the fourth's)."""

    def __init__(self, top: dict[str, int], name: str, items: Sequence[dict[str, int]]):
        self.top = top
        self.prefix = f"{name}["
        self.kept = items

    def _item(self, path: str) -> dict[str, int]:
        if path.startswith(self.prefix):
            number = path[len(self.prefix) : path.find("]")]
            if number.isdigit() and int(number) < len(self.kept):
                return self.kept[int(number)]  # holds only its own paths
        return self.top

    def __getitem__(self, path: str) -> int:
        return self._item(path)[path]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and path in self._item(path)

    def __iter__(self) -> Iterator[str]:
        yield from self.top
        for lines in self.kept:
            yield from lines

    def __len__(self) -> int:
        return len(self.top) + sum(len(lines) for lines in self.kept)


# The layout ``parse_yaml_items`` splits: a name on the first line, then the items of its
# list, each starting with a hyphen, at the same indentation, the lines of each indented
# further (or empty); no comment, tab, or line break but a newline anywhere.
_LIST_HEAD = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):\n( *)-(?: |\n)")
_UNSURE = ("#", "\t", "\r", "\x85", "\u2028", "\u2029")


def _split_items(text: str, start: int, end: int, dash: str) -> list[int] | None:
    """Where each item between ``start`` (where one starts) and ``end`` starts, or None if
    the text there is not laid out as ``parse_yaml_items`` splits."""
    if any(char in text[start:end] for char in _UNSURE):
        return None
    if start < end and not _item_at(text, start, dash):
        return None
    outside = re.compile(rf"\n(?!{dash} |{dash}-(?: |\n|\Z)|\n|\Z)")
    if outside.search(text, start - 1, end):
        return None
    marker = f"\n{dash}-"
    starts = []
    found = text.find(marker, start - 1, end)
    while found >= 0:
        if _item_at(text, found + 1, dash):
            starts.append(found + 1)
        found = text.find(marker, found + 1, end)
    return starts


def _item_at(text: str, offset: int, dash: str) -> bool:
    """Whether an item starts at ``offset`` (or the text ends there)."""
    if offset == len(text):
        return True
    after = offset + len(dash) + 1
    return text.startswith(f"{dash}-", offset) and (after == len(text) or text[after] in " \n")


# libyaml's parser when PyYAML has it (about ten times faster); PyYAML's own otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Lines:
    """The file's line of a position in the YAML text.

    PyYAML counts U+2028, U+2029 and U+0085 as line breaks too; an editor's file does
    not. A text that holds none of them (read_text has already made every break a
    newline) is counted by PyYAML exactly as by the editor, so ``mark.line`` serves;
    otherwise lines are counted from the position (``mark.index``).
    """

    def __init__(self, text: str, first: int):
        self.text = text
        self.first = first
        self.plain = not any(char in text for char in "\x85\u2028\u2029")
        self._breaks: list[int] | None = None

    def at(self, index: int) -> int:
        if self._breaks is None:
            self._breaks = [match.start() for match in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._breaks, index) + self.first

    def of(self, mark: yaml.Mark) -> int:
        return mark.line + self.first if self.plain else self.at(mark.index)


def _syntax_error(error: yaml.YAMLError, text: str, rel: str, first: int) -> ContentError:
    """A YAML syntax error in plain words, at the line where the mistake most likely is."""
    lines = _Lines(text, first)
    if isinstance(error, yaml.reader.ReaderError):
        line = lines.at(error.position)
        char = f"U+{error.character:04X}" if isinstance(error.character, int) else _("a character")
        return ContentError(
            _("the file holds a control character ({char}) that is not allowed").format(char=char),
            path=rel,
            line=line,
            hint=_("delete it, or retype the text around it"),
        )
    if not isinstance(error, yaml.MarkedYAMLError):
        return ContentError(_("invalid YAML: {problem}").format(problem=error), path=rel)
    problem = error.problem or error.context or "unreadable"
    context = error.context or ""
    mark = error.problem_mark or error.context_mark
    message, hint = _("invalid YAML: {problem}").format(problem=problem), None
    if context and error.context_mark is not None:
        hint = _("{context} that starts on line {line}").format(
            context=context, line=lines.of(error.context_mark)
        )
    runaway = _runaway_quote(text, lines, lines.of(mark)) if mark is not None else None
    if runaway is not None:
        # A missing closing quote makes YAML read on to the next quote mark, lines below,
        # and fail there: point at where the quoted text starts instead.
        start, end = runaway
        return ContentError(
            _("a quoted text is not closed"),
            path=rel,
            line=start,
            hint=_("it runs on to line {line}: end it with the quote mark it starts with").format(
                line=end
            ),
        )
    if "'\\t'" in problem:
        message = _("a tab character where YAML expects spaces")
        hint = _("indent with spaces, not tabs")
    elif "quoted scalar" in context and "end of stream" in problem:
        mark = error.context_mark
        message = _("a quoted text is not closed")
        hint = _("end it with the same quote mark it starts with")
    elif "could not find expected ':'" in problem:
        mark = error.context_mark or mark
        message = _('expected "name: value" on this line')
        hint = _("a colon and a space after the name, or a line that continues the text above")
    elif "mapping values are not allowed" in problem:
        message = _('a ": " inside a value')
        hint = _('put the whole text in quotes: "…"')
    elif "cannot start any token" in problem or "undefined alias" in problem:
        message = _("invalid YAML: {problem}").format(problem=problem)
        hint = _('a value starting with @, ` or * must be put in quotes: "…"')
    elif "expected <block end>" in problem:
        message = _("the indentation does not line up with the lines above")
        hint = _("fields of the same level start with the same number of spaces")
    elif "expected a single document" in context:
        message = _('a second document starts here (a "---" line)')
        hint = _('remove the "---" line; a file holds one document')
    line = lines.of(mark) if mark is not None else None
    if line is not None:
        start = lines.of(error.context_mark) if error.context_mark is not None else line
        found = _common_mistake(text.split("\n"), first, min(start, line), line)
        if found is not None:
            line, message, hint = found
    return ContentError(message, path=rel, line=line, hint=hint)


# The mistakes a hand-typed YAML file most often holds, found on the lines where the parser
# failed (and the two before it, where the mistake often is): full-width punctuation typed
# as YAML's, a "-" or ":" without its space, and in a {zh: …, en: …} a value that needs
# quotes.
_FULL_WIDTH_COLON = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*：")
_DASH_WITHOUT_SPACE = re.compile(r"^\s*-(?![-\s])")
_COLON_WITHOUT_SPACE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*):(?=[^\s/])")
_FLOW_KEY = re.compile(r"(?:\{|,|，)\s*([A-Za-z_][\w-]*)\s*[:：]\s")


def _common_mistake(
    text: list[str], first: int, start: int, end: int
) -> tuple[int, str, str] | None:
    """The line, message and hint of a common mistake on lines ``start - 2`` to ``end``."""
    for number in range(max(first, start - 2), end + 1):
        source = text[number - first] if 0 <= number - first < len(text) else ""
        if "｛" in source or "｝" in source:
            return number, _('full-width braces "｛｝"'), _('write the half-width "{" and "}"')
        match = _FULL_WIDTH_COLON.match(source)
        if match:
            key = match.group(1)
            return (
                number,
                _('a full-width colon "：" after "{key}"').format(key=key),
                _("write a half-width colon and a space: {example}").format(example=f"{key}: …"),
            )
        if _DASH_WITHOUT_SPACE.match(source):
            return (
                number,
                _('a "-" without a space after it'),
                _('an item of a list starts with a hyphen and a space: "- "'),
            )
        match = _COLON_WITHOUT_SPACE.match(source)
        if match and "{" not in source:
            key = match.group(1)
            return (
                number,
                _('no space after the colon of "{key}"').format(key=key),
                _("write {example}").format(example=f"{key}: …"),
            )
        if "{" in source:
            found = _flow_mistake(source)
            if found is not None:
                return number, *found
    return None


def _flow_mistake(source: str) -> tuple[str, str] | None:
    """A value of ``{zh: …, en: …}`` that needs quotes, or a full-width comma between them."""
    keys = list(_FLOW_KEY.finditer(source))
    for i, match in enumerate(keys):
        key = match.group(1)
        end = keys[i + 1].start() if i + 1 < len(keys) else len(source)
        value = source[match.end() : end].strip().removesuffix("}").rstrip()
        if i + 1 < len(keys) and source[keys[i + 1].start()] == "，":
            return (
                _('a full-width comma "，" between the fields'),
                _('separate the fields with a half-width comma: "{example}"').format(
                    example=f"{key}: …, {keys[i + 1].group(1)}: …"
                ),
            )
        if match.group(0).rstrip().endswith("："):
            return (
                _('a full-width colon "：" after "{key}"').format(key=key),
                _("write a half-width colon and a space: {example}").format(example=f"{key}: …"),
            )
        if ":" in value:
            what = _('a ":" inside the value of "{key}"')
        elif "#" in value:
            what = _('a "#" inside the value of "{key}" starts a comment')
        elif value.startswith(('"', "'")) and value[1:].find(value[0]) not in (-1, len(value) - 2):
            quote = "'" if value[0] == '"' else '"'
            return (
                _('the value of "{key}" goes on after its closing quote mark').format(key=key),
                _("put the whole value in the other quote marks: {example}").format(
                    example=f"{key}: {quote}{value}{quote}"
                ),
            )
        else:
            continue
        return (
            what.format(key=key),
            _("put the value in quotes: {example}").format(example=f'{key}: "{value}"'),
        )
    return None


def _runaway_quote(text: str, lines: _Lines, error_line: int) -> tuple[int, int] | None:
    """The first and last lines of a quoted text spanning lines up to ``error_line``."""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            start, end = lines.of(token.start_mark), lines.of(token.end_mark)
            if start > error_line:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and start < end == error_line
            ):
                return start, end
    except yaml.YAMLError:
        pass  # the scan fails where the parse failed: no quoted text ran up to there
    return None


_DEEPEST = 100  # lists and mappings inside each other: content files nest four or five
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_WHOLE = re.compile(r"[-+]?[0-9]+\Z")
# Plain text that YAML 1.1 leaves as text but a person would read as a number.
_NUMBER_LIKE = re.compile(r"[-+]?(?:0[0-9]+|0[oO][0-7_]+)\Z")
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str": N_("text"),
    "tag:yaml.org,2002:int": N_("a whole number"),
    "tag:yaml.org,2002:float": N_("a number"),
    "tag:yaml.org,2002:bool": N_("true or false"),
    "tag:yaml.org,2002:null": N_("nothing"),
    "tag:yaml.org,2002:timestamp": N_("a date"),
}


class _Reader:
    """A document's parsing events to dicts, lists and plain values, recording the line of
    every field (the events, not a tree of nodes: a file of thousands of figures costs its
    data and nothing more).

    What PyYAML's composer refuses is refused here with its own errors (a second document,
    an alias to no anchor, an anchor given twice), and before any mistake of content found
    earlier in the document, as when the whole document is composed first.
    """

    def __init__(self, doc_text: str, rel: str, first_line: int, loader: type):
        self.fields: dict[str, int] = {}  # the doc's lines, as they are found
        self.doc = YamlDoc(rel, None, self.fields)
        self.lines = _Lines(doc_text, first_line)
        self.events = yaml.parse(doc_text, Loader=loader)
        self.resolver = yaml.SafeLoader("")  # PyYAML's resolver and safe constructors
        self.anchors: dict[str, yaml.Mark] = {}
        self.flow = False  # whether a list or mapping is written in flow style, [a, b]

    def read(self) -> YamlDoc:
        next(self.events)  # the stream's start
        event = next(self.events)
        if isinstance(event, yaml.StreamEndEvent):
            self.fields[""] = self.lines.first
            return self.doc
        root = next(self.events)
        try:
            self.doc.data = self.value(root, "")
        except ContentError:
            self.finish(root)  # an error of YAML itself, anywhere, is reported first
            raise
        self.finish(root)
        return self.doc

    def items(self, path: str, offset: int) -> list[tuple[Any, dict[str, int]]] | None:
        """The items of a document that is one block list (of ``parse_yaml_items``), as
        the items ``offset``, ``offset + 1``… of the list ``path`` of a file, each with the
        lines of its own fields; None if one holds an anchor or a flow collection, which
        only the file's whole parse reads as it is meant."""
        next(self.events)  # the stream's start
        next(self.events)  # the document's
        root = next(self.events)
        if not isinstance(root, yaml.SequenceStartEvent) or root.flow_style or root.anchor:
            return None
        found = []
        while not isinstance(event := next(self.events), yaml.SequenceEndEvent):
            self.fields = self.doc.lines = {}
            # At the depth of an item of a list in the file's top mapping.
            found.append((self.value(event, f"{path}[{offset + len(found)}]", 2), self.fields))
        self.finish(root)
        return None if self.anchors or self.flow else found

    def finish(self, root: yaml.Event) -> None:
        """Read the rest of the stream as PyYAML's composer would, for its errors."""
        for event in self.events:
            if isinstance(event, yaml.AliasEvent):
                self.alias(event)
            elif getattr(event, "anchor", None) is not None:
                self.anchor(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream",
                    root.start_mark,
                    "but found another document",
                    event.start_mark,
                )

    def anchor(self, event: yaml.NodeEvent) -> None:
        first = self.anchors.setdefault(event.anchor, event.start_mark)
        if first is not event.start_mark:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {event.anchor!r}; first occurrence",
                first,
                "second occurrence",
                event.start_mark,
            )

    def alias(self, event: yaml.AliasEvent) -> None:
        if event.anchor not in self.anchors:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", event.start_mark
            )

    def line(self, event: yaml.Event) -> int:
        return self.lines.of(event.start_mark)

    def error(
        self, event: yaml.Event, path: str, message: str, hint: str | None = None
    ) -> ContentError:
        return ContentError(
            message, path=self.doc.path, line=self.line(event), field=path or None, hint=hint
        )

    def refuse_alias(self, event: yaml.AliasEvent, path: str, line: int | None) -> ContentError:
        self.alias(event)
        return ContentError(
            _("repeating a value with & and * (YAML anchors and aliases) is not supported"),
            path=self.doc.path,
            line=line,
            field=path or None,
            hint=_("write the value out in full"),
        )

    def value(self, event: yaml.Event, path: str, depth: int = 0) -> Any:
        if depth > _DEEPEST:
            raise RecursionError  # parse_yaml says so, at once: no file of ours nests so
        if isinstance(event, yaml.AliasEvent):
            raise self.refuse_alias(event, path, self.doc.line_of(path))  # its field's line
        if event.anchor is not None:
            self.anchor(event)
        self.fields.setdefault(path, self.line(event))
        if isinstance(event, yaml.MappingStartEvent):
            return self.mapping(event, path, depth)
        if isinstance(event, yaml.SequenceStartEvent):
            self.flow = self.flow or bool(event.flow_style)
            if _tag(event, _SEQ_TAG) != _SEQ_TAG:
                raise self.tag_error(event, _tag(event, _SEQ_TAG), path)
            items: list[Any] = []
            while not isinstance(item := next(self.events), yaml.SequenceEndEvent):
                items.append(self.value(item, f"{path}[{len(items)}]", depth + 1))
            return items
        return self.scalar(event, path)

    def mapping(self, event: yaml.MappingStartEvent, path: str, depth: int) -> dict[str, Any]:
        if _tag(event, _MAP_TAG) != _MAP_TAG:
            raise self.tag_error(event, _tag(event, _MAP_TAG), path)
        self.flow = self.flow or bool(event.flow_style)
        result: dict[str, Any] = {}
        while not isinstance(key := next(self.events), yaml.MappingEndEvent):
            tag = self.scalar_tag(key) if isinstance(key, yaml.ScalarEvent) else None
            if tag not in _PLAIN_TAGS:
                if tag == "tag:yaml.org,2002:merge":
                    raise self.error(key, path, _('the merge key "<<" is not supported'))
                if tag is not None:
                    raise self.tag_error(key, tag, path)
                if isinstance(key, yaml.AliasEvent):
                    raise self.refuse_alias(key, path, self.line(key))
                raise self.error(key, path, _("a field name must be a plain word"))
            if key.anchor is not None:
                self.anchor(key)
            # The key as written: "no" stays "no", where YAML 1.1 would read it as false.
            name = key.value
            child = f"{path}.{name}" if path else name
            if name in result:
                raise self.error(
                    key,
                    child,
                    _('the field "{name}" is given twice (first on line {line})').format(
                        name=name, line=self.fields[child]
                    ),
                    hint=_("keep one of them"),
                )
            self.fields[child] = self.line(key)
            result[name] = self.value(next(self.events), child, depth + 1)
        return result

    def scalar_tag(self, event: yaml.ScalarEvent) -> str:
        if event.tag is None or event.tag == "!":
            return self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        return event.tag

    def scalar(self, event: yaml.ScalarEvent, path: str) -> Any:
        tag = self.scalar_tag(event)
        what = _PLAIN_TAGS.get(tag)
        if what is None:
            raise self.tag_error(event, tag, path)
        if tag in _NUMBER_TAGS or (
            event.tag is None and not event.style and _NUMBER_LIKE.match(event.value)
        ):
            return self.read_number(event, path)
        if tag == _STR_TAG:
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.resolver.yaml_constructors[tag](self.resolver, node)
        except Exception as e:  # any failure to construct a plain value is a bad value
            shown = event.value if len(event.value) <= 40 else event.value[:40] + "…"
            hint = None if event.style else _('put it in quotes if it is meant as text: "…"')
            message = _('"{value}" is not {what}').format(value=shown, what=_(what))
            raise self.error(event, path, message, hint=hint) from e

    def read_number(self, event: yaml.ScalarEvent, path: str) -> int | float:
        """A number as a person reads it: decimal digits as written, leading zeros
        ignored; YAML 1.1's other forms of a number (octal, hexadecimal, binary, base 60,
        underscores, infinity) are refused rather than read as another number."""
        written = event.value
        if _WHOLE.match(written):
            return int(written, 10)
        if _DECIMAL.match(written):
            return float(written)
        shown = written if len(written) <= 40 else written[:40] + "…"
        message = _('"{value}" is not a number written in decimal digits').format(value=shown)
        hint = _(
            'write it in digits, e.g. 31 or 12.5; put it in quotes if it is meant as text: "…"'
        )
        raise self.error(event, path, message, hint=hint)

    def tag_error(self, event: yaml.Event, tag: str, path: str) -> ContentError:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        return self.error(
            event,
            path,
            _('the YAML tag "{tag}" is not allowed').format(tag=shown),
            hint=_("write plain text, numbers, lists and name: value pairs"),
        )


def _tag(event: yaml.CollectionStartEvent, implicit: str) -> str:
    """A list's or mapping's tag: its own, or the ``implicit`` one."""
    return implicit if event.tag is None or event.tag == "!" else event.tag
