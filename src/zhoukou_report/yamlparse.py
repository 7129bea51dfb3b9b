"""Reading YAML for ``yamldoc.parse_yaml``: the only module that imports PyYAML.

YAML is read with PyYAML (libyaml's parser when it has it) and converted to Python here,
so that every value keeps its line, a key given twice is an error (PyYAML would silently
keep the last one), and no tag can construct an object. A syntax error is explained in
plain words, at the line where the mistake most likely is.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any

import yaml

from .errors import ContentError
from .yamldoc import YamlDoc


def read_yaml(text: str, rel: str, first_line: int = 1) -> YamlDoc:
    """``parse_yaml``'s work: see there."""
    doc = YamlDoc(rel, None)
    fast = _read_events(text, rel, first_line)
    if fast is not None:
        return fast
    try:
        node = _compose(text)
        if node is None:
            doc.lines[""] = first_line
            return doc
        doc.data = _Converter(doc, _Lines(text, first_line)).convert(node, "")
    except yaml.YAMLError as e:
        raise _syntax_error(e, text, rel, first_line) from e
    except RecursionError as e:
        raise ContentError("the values are nested too deeply to read", path=rel) from e
    return doc


class _Unusual(Exception):
    """The document needs the careful reader (an error, an alias, a tag, a repeated key)."""


def _read_events(text: str, rel: str, first_line: int) -> YamlDoc | None:
    """The common case, read straight from libyaml's events: no node tree is built, so a
    file of thousands of figures costs its data and nothing more. Anything out of the
    ordinary returns None, and the careful reader (``_Converter``) reads the file again,
    with its checks and its messages."""
    if _FAST_LOADER is yaml.SafeLoader:
        return None
    doc = YamlDoc(rel, None)
    lines = _Lines(text, first_line)
    constructor = _EventConstructor()
    try:
        events = yaml.parse(text, Loader=_FAST_LOADER)
        if not isinstance(next(events), yaml.StreamStartEvent):
            return None
        event = next(events)
        if isinstance(event, yaml.StreamEndEvent):
            doc.lines[""] = first_line
            return doc
        if not isinstance(event, yaml.DocumentStartEvent):
            return None
        doc.data = _event_value(next(events), events, "", doc, lines, constructor)
        if not isinstance(next(events), yaml.DocumentEndEvent) or not isinstance(
            next(events), yaml.StreamEndEvent
        ):
            return None
    except (_Unusual, yaml.YAMLError, StopIteration, RecursionError):
        return None
    return doc


class _EventConstructor(yaml.SafeLoader):
    """PyYAML's resolver and safe constructor, for single scalars."""

    def __init__(self) -> None:
        super().__init__("")

    def value(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag not in _PLAIN_TAGS or event.anchor is not None:
            raise _Unusual
        if tag == _STR_TAG:
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.construct_object(node)
        except Exception as e:
            raise _Unusual from e


def _event_value(
    event: yaml.Event,
    events: Iterator[yaml.Event],
    path: str,
    doc: YamlDoc,
    lines: _Lines,
    constructor: _EventConstructor,
) -> Any:
    doc.lines.setdefault(path, lines.of(event.start_mark))
    if isinstance(event, yaml.ScalarEvent):
        return constructor.value(event)
    if getattr(event, "anchor", None) is not None or event.tag not in (None, "!"):
        raise _Unusual
    if isinstance(event, yaml.SequenceStartEvent):
        items: list[Any] = []
        while not isinstance(item := next(events), yaml.SequenceEndEvent):
            child = f"{path}[{len(items)}]"
            items.append(_event_value(item, events, child, doc, lines, constructor))
        return items
    if isinstance(event, yaml.MappingStartEvent):
        result: dict[str, Any] = {}
        while not isinstance(key := next(events), yaml.MappingEndEvent):
            if not isinstance(key, yaml.ScalarEvent) or key.tag is not None or key.anchor:
                raise _Unusual
            name = key.value
            tag = constructor.resolve(yaml.ScalarNode, name, key.implicit)
            if name in result or tag not in _PLAIN_TAGS:
                raise _Unusual
            child = f"{path}.{name}" if path else name
            doc.lines[child] = lines.of(key.start_mark)
            result[name] = _event_value(next(events), events, child, doc, lines, constructor)
        return result
    raise _Unusual  # an alias, or an event out of place


# libyaml's parser when PyYAML has it (about ten times faster); PyYAML's own otherwise.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> yaml.Node | None:
    """The node tree of a document. A document libyaml rejects is read again by PyYAML's own
    parser, whose errors (and their positions) are the ones this module explains."""
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        if _FAST_LOADER is yaml.SafeLoader:
            raise
        return yaml.compose(text, Loader=yaml.SafeLoader)


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
        char = f"U+{error.character:04X}" if isinstance(error.character, int) else "a character"
        return ContentError(
            f"the file holds a control character ({char}) that is not allowed",
            path=rel,
            line=line,
            hint="delete it, or retype the text around it",
        )
    if not isinstance(error, yaml.MarkedYAMLError):
        return ContentError(f"invalid YAML: {error}", path=rel)
    problem = error.problem or error.context or "unreadable"
    context = error.context or ""
    mark = error.problem_mark or error.context_mark
    message, hint = f"invalid YAML: {problem}", None
    if context and error.context_mark is not None:
        hint = f"{context} that starts on line {lines.of(error.context_mark)}"
    runaway = _runaway_quote(text, lines, lines.of(mark)) if mark is not None else None
    if runaway is not None:
        # A missing closing quote makes YAML read on to the next quote mark, lines below,
        # and fail there: point at where the quoted text starts instead.
        start, end = runaway
        return ContentError(
            "a quoted text is not closed",
            path=rel,
            line=start,
            hint=f"it runs on to line {end}: end it with the quote mark it starts with",
        )
    if "'\\t'" in problem:
        message, hint = "a tab character where YAML expects spaces", "indent with spaces, not tabs"
    elif "quoted scalar" in context and "end of stream" in problem:
        mark = error.context_mark
        message = "a quoted text is not closed"
        hint = "end it with the same quote mark it starts with"
    elif "could not find expected ':'" in problem:
        mark = error.context_mark or mark
        message = 'expected "name: value" on this line'
        hint = "a colon and a space after the name, or a line that continues the text above"
    elif "mapping values are not allowed" in problem:
        message = 'a ": " inside a value'
        hint = 'put the whole text in quotes: "…"'
    elif "cannot start any token" in problem or "undefined alias" in problem:
        message = f"invalid YAML: {problem}"
        hint = 'a value starting with @, ` or * must be put in quotes: "…"'
    elif "expected <block end>" in problem:
        message = "the indentation does not line up with the lines above"
        hint = "fields of the same level start with the same number of spaces"
    elif "expected a single document" in context:
        message = 'a second document starts here (a "---" line)'
        hint = 'remove the "---" line; a file holds one document'
    line = lines.of(mark) if mark is not None else None
    return ContentError(message, path=rel, line=line, hint=hint)


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


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:null": "nothing",
    "tag:yaml.org,2002:timestamp": "a date",
}


class _Converter:
    """YAML nodes to dicts, lists and plain values, recording the line of every field."""

    def __init__(self, doc: YamlDoc, lines: _Lines):
        self.doc = doc
        self.lines = lines
        self.constructor = yaml.SafeLoader("")
        self.seen: set[int] = set()

    def line(self, node: yaml.Node) -> int:
        return self.lines.of(node.start_mark)

    def error(
        self, node: yaml.Node, path: str, message: str, hint: str | None = None
    ) -> ContentError:
        return ContentError(
            message, path=self.doc.path, line=self.line(node), field=path or None, hint=hint
        )

    def convert(self, node: yaml.Node, path: str) -> Any:
        if id(node) in self.seen:
            # The composer hands back the anchored node itself for every *alias, so the
            # node's own line is the anchor's: the alias is on the line of its field.
            return self.refuse_alias(path)
        self.seen.add(id(node))
        self.doc.lines.setdefault(path, self.line(node))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                raise self.tag_error(node, path)
            return [self.convert(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def refuse_alias(self, path: str) -> Any:
        raise ContentError(
            "repeating a value with & and * (YAML anchors and aliases) is not supported",
            path=self.doc.path,
            line=self.doc.line_of(path),
            field=path or None,
            hint="write the value out in full",
        )

    def mapping(self, node: yaml.MappingNode, path: str) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            raise self.tag_error(node, path)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.error(key_node, path, 'the merge key "<<" is not supported')
                if isinstance(key_node, yaml.ScalarNode):
                    raise self.tag_error(key_node, path)
                raise self.error(key_node, path, "a field name must be a plain word")
            # The key as written: "no" stays "no", where YAML 1.1 would read it as false.
            key = key_node.value
            child = f"{path}.{key}" if path else key
            if key in result:
                raise self.error(
                    key_node,
                    child,
                    f'the field "{key}" is given twice (first on line {self.doc.lines[child]})',
                    hint="keep one of them",
                )
            self.doc.lines[child] = self.line(key_node)
            result[key] = self.convert(value_node, child)
        return result

    def scalar(self, node: yaml.ScalarNode, path: str) -> Any:
        what = _PLAIN_TAGS.get(node.tag)
        if what is None:
            raise self.tag_error(node, path)
        try:
            return self.constructor.construct_object(node)
        except Exception as e:  # any failure to construct a plain value is a bad value
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
            hint = None if node.style else 'put it in quotes if it is meant as text: "…"'
            raise self.error(node, path, f'"{shown}" is not {what}', hint=hint) from e

    def tag_error(self, node: yaml.Node, path: str) -> ContentError:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        return self.error(
            node,
            path,
            f'the YAML tag "{tag}" is not allowed',
            hint="write plain text, numbers, lists and name: value pairs",
        )
