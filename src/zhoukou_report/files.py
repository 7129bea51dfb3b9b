"""Reading files: the project's text, Markdown with YAML front matter, and whether a file of
the previous build holds given bytes.

Nothing here knows what a figure or a page is; ``load`` gives the data its meaning.
YAML, whose every value keeps its line, is read by ``yamldoc``.

Nothing outside the project is read: a file (or a folder on its way) that is a symbolic
link leading out of the project is refused, naming the link and where it leads. So is
a file that is not a regular file (a named pipe, a device), without waiting on it, and
a file larger than ``MAX_FILE_BYTES``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, TypeVar

from .errors import ContentError
from .i18n import _
from .yamldoc import YamlDoc, parse_yaml

T = TypeVar("T")


class KeptFile(NamedTuple):
    """A content file as the previous build read it."""

    signature: tuple[int, ...] | None  # its os.stat before it was read
    text: str
    parsed: object


class Kept:
    """What serve keeps of each content file from one build to the next: each file as
    parsed (reused while its text stays the same), and what was read out of one
    (``derived``). A file the watcher did not report saved (``saved``) and whose
    ``os.stat`` is the same is not even read again: the preview's 1,000-page rows of
    benchmarks/run.py fail reading every file on each save."""

    def __init__(self) -> None:
        self.files: dict[str, KeptFile] = {}
        self.saved: set[str] | None = None  # None: every file is read again
        self.derived: dict[str, tuple[tuple, object]] = {}  # name -> (what it came of, it)

    def derive(self, name: str, source: tuple, make: Callable[[], T]) -> T:
        """``make()``; or what it made the last time, while what it is made of (``source``)
        is the same."""
        found = self.derived.get(name)
        if (
            found is None
            or len(found[0]) != len(source)
            or not all(a is b or a == b for a, b in zip(found[0], source, strict=True))
        ):
            found = self.derived[name] = (source, make())
        return found[1]  # type: ignore[return-value]


class ContentFiles:
    """A project's files, each read and parsed when asked for; or taken from those another
    process parsed ``ahead`` (``load``, for a large project); or, while its text stays the
    same, from those ``kept`` from the previous build (``serve``: its rebuild row of
    benchmarks/run.py fails parsing every file again)."""

    def __init__(
        self, project: Path, ahead: dict[str, object] | None = None, kept: Kept | None = None
    ):
        self.project = project
        self.ahead = {} if ahead is None else ahead  # path -> parsed, or its ContentError
        self.kept = kept

    def check_inside(self, file: Path, rel: str) -> None:
        """ContentError if ``file`` leads out of the project (``check_inside``)."""
        check_inside(file, rel, self.project)

    def parsed(self, rel: str, parse: Callable[[str, str], T]) -> T:
        """The file ``rel`` parsed by ``parse(text, rel)``; ContentError if it is unreadable.
        A file is always parsed by the same function."""
        found = self.ahead.pop(rel, None)
        if isinstance(found, ContentError):
            raise found
        if found is not None:
            return found  # type: ignore[return-value]
        if self.kept is None:
            return parse(read_text(self.project / rel, rel, self.project), rel)
        kept = self.kept.files.get(rel)
        signature = _signature(os.path.join(self.project, rel))
        saved = self.kept.saved
        if (
            kept is not None
            and signature is not None
            and kept.signature == signature
            and saved is not None
            and rel not in saved
        ):
            return kept.parsed  # type: ignore[return-value]
        text = read_text(self.project / rel, rel, self.project)
        if kept is None or kept.text != text:
            kept = KeptFile(signature, text, parse(text, rel))
        self.kept.files[rel] = kept._replace(signature=signature)
        return kept.parsed  # type: ignore[return-value]


def _signature(file: str) -> tuple[int, ...] | None:
    """What changes when a file is saved, replaced, or a link to it leads elsewhere."""
    try:
        info = os.stat(file)
    except OSError:
        return None
    return (info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


# Records are named tuples, not dataclasses: model.py says why.
class MarkdownDoc(NamedTuple):
    """A Markdown file: its front matter (a YamlDoc) and its body, with the body's first line."""

    path: str
    meta: YamlDoc
    body: str
    body_line: int  # the 1-based line of the file where ``body`` starts


MAX_FILE_BYTES = 16 * 1024 * 1024  # a content file, template or asset: far above any real one
# Not waiting for a named pipe's writer (the file is refused once open, as no regular file).
_READ_TEXT = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_text(file: Path, rel: str, root: Path | None = None) -> str:
    """A file's text as UTF-8 (a BOM is dropped, CRLF and CR become LF); read as
    ``read_bytes`` reads it."""
    raw = read_bytes(file, rel, root)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        raise ContentError(
            _("the file is not UTF-8 text"),
            path=rel,
            line=line,
            hint=_("save it as UTF-8 in your editor"),
        ) from e
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ContentError(_("the file holds a NUL byte: is it a text file?"), path=rel, line=line)
    return text


def read_bytes(file: Path, rel: str, root: Path | None = None) -> bytes:
    """A file's bytes; ContentError if it cannot be read, is not a regular file (it is not
    opened then, so a named pipe cannot hold the build up), is larger than
    ``MAX_FILE_BYTES``, or (given the project's ``root``) lies outside the project."""
    if root is not None:
        check_inside(file, rel, root)
    try:
        fd = os.open(file, _READ_TEXT)
    except OSError as e:
        raise _unreadable(e, rel) from e
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = _("a folder") if stat.S_ISDIR(info.st_mode) else _special(info.st_mode)
            raise ContentError(
                _("this is {what}, not a file: it is not read").format(what=what),
                path=rel,
                hint=_("replace it with a regular file"),
            )
        if info.st_size > MAX_FILE_BYTES:
            message = _("the file is {size} MB, more than the {limit} MB a file may have")
            raise ContentError(
                message.format(
                    size=f"{info.st_size / 1024 / 1024:.0f}",
                    limit=MAX_FILE_BYTES // 1024 // 1024,
                ),
                path=rel,
                hint=_("split it, or make it smaller"),
            )
        chunks = [os.read(fd, info.st_size + 1)]  # the whole file, in one read as a rule
        while chunks[-1]:
            chunks.append(os.read(fd, _CHUNK))
        return b"".join(chunks)
    except OSError as e:
        raise _unreadable(e, rel) from e
    finally:
        os.close(fd)


def check_inside(file: Path, rel: str, root: Path) -> None:
    """ContentError if ``file`` (``rel`` in the project ``root``) is, or lies in a folder
    that is, a symbolic link leading out of the project.

    One ``lstat`` for each part of ``rel``, and a look at where a link leads only where
    there is one: thousands of files are read (the 10,000-page row of benchmarks/run.py).
    """
    path = os.fspath(root)
    base = None
    for part in rel.split("/"):
        if not part:
            continue
        path = os.path.join(path, part)
        try:
            info = os.lstat(path)
        except OSError:
            return  # missing or unreadable: reading it says so
        if not stat.S_ISLNK(info.st_mode):
            continue
        base = base or os.path.realpath(root)
        if not _inside(os.path.realpath(path), base):
            link = os.path.relpath(path, root).replace(os.sep, "/")
            message = _("{link} is a link to {target}, outside the project: it is not read")
            raise ContentError(
                message.format(link=link, target=os.readlink(path)),
                path=rel,
                hint=_("copy the file into the project instead of linking to it"),
            )


def _inside(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("a special file")


def _unreadable(error: OSError, rel: str) -> ContentError:
    """A file that cannot be read, the cause in plain words."""
    if isinstance(error, PermissionError):
        hint = _("let the account that runs zhoukou-report read it")
        return ContentError(_("cannot read the file: permission denied"), path=rel, hint=hint)
    message = _("cannot read the file: {reason}").format(reason=error.strerror or error)
    return ContentError(message, path=rel)


def unreadable_folder(error: OSError, rel: str) -> ContentError:
    """A folder whose files cannot be listed, the cause in plain words."""
    if isinstance(error, PermissionError):
        hint = _("let the account that runs zhoukou-report read and open it")
        return ContentError(_("cannot read the folder: permission denied"), path=rel, hint=hint)
    message = _("cannot read the folder: {reason}").format(reason=error.strerror or error)
    return ContentError(message, path=rel)


# Markdown --------------------------------------------------------------------------------

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S | re.M)


def parse_markdown(text: str, rel: str) -> MarkdownDoc:
    """Split optional YAML front matter (between ``---`` lines) from the Markdown body;
    a text that is too long or nests too deeply to convert is refused first
    (``markup.check_limits``)."""
    from .markup import check_limits  # here: reading YAML alone needs no Markdown

    check_limits(text, rel)
    match = _FRONT.match(text)
    if not match:
        if re.match(r"---[ \t]*(?:\n|\Z)", text):
            raise ContentError(
                _("the front matter is not closed"),
                path=rel,
                line=1,
                hint=_('end it with a line holding only "---"'),
            )
        meta = YamlDoc(rel, {}, {"": 1}, top_line=1)
        return MarkdownDoc(rel, meta, text, 1)
    meta = parse_yaml(match.group(1), rel, first_line=2)
    meta.top_line = 1
    if meta.data is None:
        meta.data = {}
    body_line = text.count("\n", 0, match.end()) + 1
    return MarkdownDoc(rel, meta, text[match.end() :], body_line)


# The previous build -----------------------------------------------------------------------

_CHUNK = 1 << 20
# Not following a link, not waiting for a named pipe's writer.
_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_READ |= getattr(os, "O_BINARY", 0)


class Same(NamedTuple):
    """A file of the site found to be the same as the previous build's: that file, as the
    system knows it (a build never changes a file in place, so while the same file is
    there, so are the same bytes)."""

    inode: int
    modified: int  # in nanoseconds: a file put in its place later has another


def same_file(file: str, data: bytes) -> Same | None:
    """Whether ``file`` (of a previous build) is a regular file, not a link to one, holding
    exactly ``data``. Opened without waiting, so that a named pipe left in its place cannot
    hold up a build."""
    try:
        fd = os.open(file, _READ)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return None
        view = memoryview(data)
        for start in range(0, len(data), _CHUNK):  # a large file is not read whole
            if os.read(fd, _CHUNK) != view[start : start + _CHUNK]:
                return None
        return None if os.read(fd, 1) else Same(info.st_ino, info.st_mtime_ns)
    except OSError:
        return None
    finally:
        os.close(fd)
