"""Reading content files: text, YAML that keeps the line of every value, Markdown with front matter.

Nothing here knows what a figure or a page is; ``validate`` gives the data its meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError


@dataclass
class YamlDoc:
    """Parsed YAML plus the 1-based line of every field path ("figures[3].value")."""

    path: str
    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, field_path: str) -> int | None:
        """The line of a field, or of its nearest parent that has one."""
        while True:
            if field_path in self.lines:
                return self.lines[field_path]
            cut = max(field_path.rfind("."), field_path.rfind("["))
            if cut <= 0:
                return self.lines.get("")
            field_path = field_path[:cut]

    def error(self, field_path: str, message: str, hint: str | None = None) -> ContentError:
        return ContentError(
            message, path=self.path, line=self.line_of(field_path), field=field_path, hint=hint
        )


@dataclass
class MarkdownDoc:
    """A Markdown file: its front matter (a YamlDoc) and its body, with the body's first line."""

    path: str
    meta: YamlDoc
    body: str
    body_line: int  # the 1-based line of the file where ``body`` starts


def read_text(file: Path, rel: str) -> str:
    """A file's text as UTF-8 (a BOM is dropped, CRLF and CR become LF)."""
    try:
        raw = file.read_bytes()
    except OSError as e:
        raise ContentError(f"cannot read the file: {e.strerror}", path=rel) from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ContentError(
            "the file is not UTF-8 text",
            path=rel,
            line=line,
            hint="save it as UTF-8 in your editor",
        ) from e
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ContentError("the file holds a NUL byte: is it a text file?", path=rel, line=line)
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Composer(yaml.SafeLoader):
    """Safe loading, without implicit timestamps being surprising: dates stay dates."""


def parse_yaml(text: str, rel: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document, keeping lines, refusing duplicate keys and object tags."""
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + first_line if mark else None
        problem = e.problem or e.context or "invalid YAML"
        raise ContentError(f"invalid YAML: {problem}", path=rel, line=line) from e
    except yaml.YAMLError as e:
        raise ContentError(f"invalid YAML: {e}", path=rel) from e
    doc = YamlDoc(rel, None)
    if node is None:
        doc.lines[""] = first_line
        return doc
    constructor = _Composer("")
    doc.data = _to_python(node, "", doc, constructor, first_line)
    return doc


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


def _to_python(node: yaml.Node, path: str, doc: YamlDoc, constructor: Any, first: int) -> Any:
    line = node.start_mark.line + first
    doc.lines.setdefault(path, line)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            raise _tag_error(node, path, doc, first)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise doc_error(doc, path, "a key must be a plain word", key_node, first)
            key = _scalar(key_node, path, doc, constructor, first)
            if not isinstance(key, str):
                key = str(key)
            child = f"{path}.{key}" if path else key
            if key in result:
                raise ContentError(
                    f'duplicate key "{key}" (first given on line {doc.lines[child]})',
                    path=doc.path,
                    line=key_node.start_mark.line + first,
                    field=child,
                )
            doc.lines[child] = key_node.start_mark.line + first
            result[key] = _to_python(value_node, child, doc, constructor, first)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            raise _tag_error(node, path, doc, first)
        return [
            _to_python(item, f"{path}[{i}]", doc, constructor, first)
            for i, item in enumerate(node.value)
        ]
    return _scalar(node, path, doc, constructor, first)


def _scalar(node: yaml.ScalarNode, path: str, doc: YamlDoc, constructor: Any, first: int) -> Any:
    try:
        return constructor.construct_object(node)
    except yaml.constructor.ConstructorError as e:
        if node.tag.startswith("tag:yaml.org,2002:") and node.tag.split(":")[-1] in _PLAIN_TAGS:
            raise doc_error(doc, path, f"invalid value: {e.problem}", node, first) from e
        raise _tag_error(node, path, doc, first) from e


_PLAIN_TAGS = {"str", "int", "float", "bool", "null", "timestamp", "binary"}


def _tag_error(node: yaml.Node, path: str, doc: YamlDoc, first: int) -> ContentError:
    return doc_error(
        doc,
        path,
        f'the YAML tag "{node.tag}" is not allowed here',
        node,
        first,
        hint="write plain text, numbers, lists and key: value pairs",
    )


def doc_error(
    doc: YamlDoc, path: str, message: str, node: yaml.Node, first: int, hint: str | None = None
) -> ContentError:
    return ContentError(
        message, path=doc.path, line=node.start_mark.line + first, field=path or None, hint=hint
    )


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S | re.M)


def parse_markdown(text: str, rel: str) -> MarkdownDoc:
    """Split optional YAML front matter (between ``---`` lines) from the Markdown body."""
    match = _FRONT.match(text)
    if not match:
        if text.startswith("---\n"):
            raise ContentError(
                "the front matter is not closed",
                path=rel,
                line=1,
                hint='end it with a line holding only "---"',
            )
        meta = YamlDoc(rel, {}, {"": 1})
        return MarkdownDoc(rel, meta, text, 1)
    meta = parse_yaml(match.group(1), rel, first_line=2)
    if meta.data is None:
        meta.data = {}
    body_line = text[: match.end()].count("\n") + 1
    return MarkdownDoc(rel, meta, text[match.end() :], body_line)
