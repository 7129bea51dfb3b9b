"""What is worth keeping between runs and between the rebuilds of ``serve``.

Between runs, in the user's cache folder (``$XDG_CACHE_HOME/zhoukou-report``, else
``~/.cache/zhoukou-report``): what is derived from the templates alone — Jinja2's
compiled templates and the list of interface strings they use — the HTML of the
Markdown texts that need Python-Markdown (before their figures are placed), and a small
site's content files as parsed (``kept_files``). Each is kept under the text it comes
from (and the code that made it), so an edited template or text is always read afresh;
what was written more than a month ago is removed (and made again if still needed).
Set ``ZHOUKOU_REPORT_NO_CACHE=1`` to keep nothing. A cache that cannot be read or written
is simply not used.

``FileCache`` keeps each content file parsed while its text stays the same: within one
process (``serve``), and from one build of a small site to the next; for one build of a
large site, it holds the files that worker processes parsed ahead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

T = TypeVar("T")


def cache_folder(kind: str) -> Path | None:
    """The folder for one kind of cached data, created if need be; None when caching is off."""
    if os.environ.get("ZHOUKOU_REPORT_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "zhoukou-report" / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


KEEP_DAYS = 30  # entries written longer ago are removed: one still in use is made again
_DAY = 24 * 60 * 60


def prune(folder: Path) -> None:
    """Remove the entries of a cache folder written more than ``KEEP_DAYS`` ago; looked at
    at most once a day (a stamp file says when), so that the folder does not grow with
    every edit ever made."""
    now = time.time()
    stamp = folder / ".pruned"
    try:
        if now - stamp.stat().st_mtime < _DAY:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    with contextlib.suppress(OSError):
        stamp.touch()
        for entry in os.scandir(folder):
            if entry.name.startswith("."):
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime > KEEP_DAYS * _DAY:
                    os.unlink(entry.path)


def digest(*parts: str | bytes) -> str:
    """A hash of the given texts, for cache keys."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


def code_version(modules: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    """A hash of what a cached result depends on besides its input: the source of some of
    this package's ``modules`` ("markup.py"), and the installed ``libraries`` (whose
    files change when they are upgraded)."""
    from importlib.util import find_spec

    here = Path(__file__).parent
    parts: list[str | bytes] = [(here / name).read_bytes() for name in modules]
    for name in libraries:
        spec = find_spec(name)
        origin = spec.origin if spec is not None and spec.origin else ""
        stat = os.stat(origin) if origin else None
        parts.append(f"{name} {origin} {stat and (stat.st_mtime_ns, stat.st_size)}")
    return digest(*parts)


def cached_json(kind: str, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``'s JSON-able result, kept on disk under ``key``; computed when missing."""
    folder = cache_folder(kind)
    file = folder / f"{key}.json" if folder else None
    if file is not None:
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    value = compute()
    if file is not None:
        text = json.dumps(value)
        keep(file, lambda out: out.write(text.encode("utf-8")))
    return value


def keep(file: Path, write: Callable[[BinaryIO], object]) -> None:
    """A cache entry, written by ``write`` into a temporary file that then takes its place:
    no reader sees half of it. One that cannot be written is not kept (it is made again
    next time); the folder is pruned."""
    temporary = file.with_suffix(f".{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as out:
            write(out)
        os.replace(temporary, file)
    except (OSError, pickle.PicklingError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    prune(file.parent)


class FileCache:
    """Parsed content files, each kept while its text stays the same: by a long-running
    process (``serve``), and from one build of a small site to the next (``kept_files``).
    A rebuild after one edit parses one file, not all of them."""

    def __init__(self, entries: dict[tuple[str, str], tuple[str, Any]] | None = None) -> None:
        self.entries = {} if entries is None else entries
        # Files parsed moments ago by other processes (``workers.parse_ahead``), each taken
        # once.
        self.ahead: dict[tuple[str, str], Any] = {}
        self.used: set[tuple[str, str]] = set()  # the files asked for since made
        self.changed = False  # whether any of them was parsed afresh

    def parsed(self, rel: str, kind: str, text: str, parse: Callable[[str], T]) -> T:
        """``parse(text)``, or the result kept from the last time the file had this text.

        A parse that fails is not kept: its error is raised again on the next build.
        """
        self.used.add((rel, kind))
        entry = self.entries.get((rel, kind))
        if entry is not None and entry[0] == text:
            return entry[1]
        value = parse(text)
        self.entries[rel, kind] = (text, value)
        self.changed = True
        return value


# What a parsed file depends on besides its text: the parsers, the types they return, and
# the installed PyYAML.
PARSER_MODULES = ("yamldoc.py", "yamlparse.py", "load.py", "source.py", "model.py")
PARSER_LIBRARIES = ("yaml",)


@contextlib.contextmanager
def kept_files(project: Path) -> Iterator[FileCache | None]:
    """The content files of a project as the previous build parsed them, from the user's
    cache folder (one file per project); on the way out, the files this build asked for
    are kept there in turn if any was parsed afresh. None when caching is off.

    A build whose content did not change parses nothing, and so never imports PyYAML.
    """
    folder = cache_folder("parsed")
    if folder is None:
        yield None
        return
    key = digest(code_version(PARSER_MODULES, PARSER_LIBRARIES), str(project.resolve()))
    file = folder / f"{key}.pickle"
    try:
        entries = _unpickle_own(file)
    except Exception:  # none yet, unreadable, or not this code's: every file is parsed
        entries = None
    cache = FileCache(entries if isinstance(entries, dict) else None)
    try:
        yield cache
    finally:
        if cache.changed:
            kept = {name: cache.entries[name] for name in cache.used if name in cache.entries}
            # Pickled as made, into the file: not held whole in memory first.
            keep(file, lambda out: pickle.dump(kept, out, pickle.HIGHEST_PROTOCOL))


def _unpickle_own(file: Path) -> Any:
    """A pickle from the user's cache folder, trusted as Jinja2's compiled templates there
    are; but not one another user wrote (unpickling runs code), should the folder be shared."""
    with open(file, "rb") as f:
        if hasattr(os, "geteuid") and os.fstat(f.fileno()).st_uid != os.geteuid():
            return None
        return pickle.load(f)
