"""The one error type for content problems, the failure that carries all of them, and the
two ways the output folder can fail (refused before writing, or failing while written).

Inner code raises ``ContentError`` with what it knows (a field and a message);
the stage that knows the file fills in the path and line with ``located``. The
message is only formatted when shown, by ``format``.
"""

from __future__ import annotations

import unicodedata

from .i18n import _

_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}  # control, format, line and paragraph separators


class ContentError(Exception):
    """A problem in the content or templates, pointing at a place an editor can open.

    Treat it as immutable (``located`` returns a copy); it is equal and hashed by its
    fields, so that one mistake reported by every page is shown once.
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,  # relative to the project, with forward slashes
        line: int | None = None,  # 1-based
        field: str | None = None,  # e.g. "figures[12].value"
        hint: str | None = None,
    ):
        # The fields are the exception's args: it pickles as them (worker processes send
        # their errors back this way).
        super().__init__(message, path, line, field, hint)
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        self.hint = hint

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.args == self.args

    def __hash__(self) -> int:
        return hash(self.args)

    def __repr__(self) -> str:
        return f"ContentError({self.format()!r})"

    def __str__(self) -> str:
        return self.format()

    def located(self, path: str | None = None, line: int | None = None) -> ContentError:
        """The same error, with the path and line filled in where they were unknown."""
        return ContentError(
            self.message,
            self.path if self.path is not None else path,
            self.line if self.line is not None else line,
            self.field,
            self.hint,
        )

    def format(self) -> str:
        """``file:line: field: message (hint)``, leaving out the parts that are not known."""
        where = self.path or _("<unknown file>")
        if self.line is not None:
            where = f"{where}:{self.line}"
        parts = [where]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        text = ": ".join(parts)
        if self.hint:
            text = _("{message} ({hint})").format(message=text, hint=self.hint)
        return _visible(text)

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path or "", self.line or 0, self.field or "", self.message)


def _visible(text: str) -> str:
    """One line, whatever the content quoted: line breaks and control characters escaped."""
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _INVISIBLE
        else char
        for char in text
    )


class BuildFailed(Exception):
    """Every content error of a run, each once, in file and line order; nothing was written."""

    def __init__(self, errors: list[ContentError], warnings: list[ContentError] | None = None):
        # A template mistake fails every page that uses the template: report it once.
        self.errors = sorted(dict.fromkeys(errors), key=ContentError.sort_key)
        self.warnings = list(dict.fromkeys(warnings or []))
        super().__init__(f"{len(self.errors)} error(s)")


class OutputRefused(Exception):
    """The output folder is not one this tool may replace; nothing was written."""


class WriteFailed(Exception):
    """Writing the output failed part way (disk full, no permission); the previous output is kept.

    ``reason`` is in plain words; the ``OSError`` it came from is its ``__cause__``.
    """

    def __init__(self, out: str, reason: str):
        super().__init__(
            _("could not write the site into {out}: {reason}").format(out=out, reason=reason)
        )
        self.out = out
        self.reason = reason
