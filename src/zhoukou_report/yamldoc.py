"""YAML that keeps the line of every value, for messages that point at it.

``YamlDoc`` is what the rest of the package reads; ``parse_yaml`` makes one, with the
reader in ``yamlparse`` (PyYAML, imported only when a file has to be parsed: a build
whose content files are all kept from the previous run does without it).
"""

from __future__ import annotations

from typing import Any

from .errors import ContentError


class YamlDoc:
    """Parsed YAML plus the 1-based line of every field path ("figures[3].value")."""

    def __init__(
        self,
        path: str,
        data: Any,
        lines: dict[str, int] | None = None,
        top_line: int | None = None,
    ):
        self.path = path
        self.data = data
        self.lines = {} if lines is None else lines
        # The line given for a top-level field that is not there: none for a YAML file (its
        # first line would point at an unrelated key), line 1 for front matter (its "---").
        self.top_line = top_line

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
    from .yamlparse import read_yaml

    return read_yaml(text, rel, first_line)
