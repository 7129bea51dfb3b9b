"""Which saved files matter to the site, and a loop that reports them in batches.

``classify`` is pure: it looks only at a path relative to the project, never at the
disk, and says what kind of source changed (or ``None`` for files the site does not
read: editor swap files, backups, hidden files, anything outside the watched folders).
``watch_project`` wraps ``watchfiles``: changes that arrive close together come out as
one batch, so an editor that writes several files leads to one rebuild; files created
and removed again within a batch (the temporary file of a save by rename) are left out.

A watch follows a folder, not its name: when ``content/`` or ``templates/`` is deleted,
restored, or replaced by a rename (a ``git checkout``, a sync tool), the watch would
go on watching a folder that is no longer the project's. So the name is checked at
every step of the watch (a ``stat`` of each folder), and on a change the watch is set
up again on what is there now, and the change is reported as a batch of the folder's
name once the new watch is in place (so that no save made meanwhile goes unseen).
"""

from __future__ import annotations

import logging
import os
import re
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath, PurePosixPath

from .layout import CONTENT, STATIC, TEMPLATES

log = logging.getLogger(__name__)

WATCHED = (CONTENT, TEMPLATES)
# A site of several years (years.py): each year's content folder, 2025/content/, too.
_YEAR = re.compile(r"^[0-9]{4}$")

# What ``classify`` says a changed path is.
KIND_CONTENT = "content"
KIND_TEMPLATE = "template"
KIND_ASSET = "asset"

# watchfiles: wait for ``STEP_MS`` of quiet after the last event, but never group
# events for longer than ``DEBOUNCE_MS``. Editors write a file (or several) within a
# few milliseconds, so a short step keeps a save quick to show and a burst in one batch
# (and changes that still arrive during a build make exactly one more, see serve.py).
STEP_MS = 10
DEBOUNCE_MS = 400
# How soon, once a folder that moved is watched again, it is reported (watchfiles says,
# this long after its watch is in place, that nothing else changed).
REPORT_MOVED_MS = 100

# Files editors write beside the real one while saving: swap, backup, lock and probe files.
_SCRATCH = re.compile(
    r"""
    ^\#.*\#$                      # emacs auto-save: #name#
    | ~$                          # backups: name~
    | \.(sw[a-p]|swx|tmp|temp|bak|orig|part|crdownload)$
    | ___jb_(tmp|old|bak)___$     # JetBrains safe-write
    | ^\d+$                       # vim's write probe: 4913
    """,
    re.VERBOSE | re.IGNORECASE,
)


def classify(path: PurePath | str) -> str | None:
    """The kind of source a project-relative path is, or ``None`` if the site ignores it."""
    parts = PurePosixPath(PurePath(path).as_posix()).parts
    if len(parts) > 2 and _YEAR.match(parts[0]) and parts[1] == CONTENT:
        parts = parts[1:]  # a year's content (years.py)
    if len(parts) < 2 or parts[0] not in WATCHED:
        return None
    if any(part.startswith(".") or part in ("..", "__pycache__") for part in parts):
        return None
    if _SCRATCH.search(parts[-1]):
        return None
    if parts[0] == CONTENT:
        return KIND_CONTENT
    return KIND_ASSET if parts[1] == STATIC else KIND_TEMPLATE


def relative(path: Path | str, project: Path) -> str | None:
    """A changed path relative to the project, with forward slashes, or ``None`` if outside."""
    try:
        return Path(path).relative_to(project).as_posix()
    except ValueError:
        return None


def watched_folders(project: Path) -> list[Path]:
    """The folders of the project that exist and hold what the site is built from (on a
    site of several years, each year's content folder too: those there when the watch
    starts)."""
    folders = [project / name for name in WATCHED if (project / name).is_dir()]
    return folders + sorted(
        folder for folder in project.glob(f"*/{CONTENT}") if _YEAR.match(folder.parent.name)
    )


def folder_identity(project: Path) -> tuple[tuple[int, int] | None, ...]:
    """Which folder each watched name is now (its device and inode), or None if missing."""
    found = []
    for name in WATCHED:
        try:
            info = os.stat(project / name)
            found.append((info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None)
        except OSError:
            found.append(None)
    return tuple(found)


class _StopSignal:
    """``stop`` as watchfiles asks for it, which also stops the watch when a watched folder
    is no longer the one watched (``moved``); the first question also says it is watching.

    watchfiles checks its stop event after each step, once its watches are in place, so
    the first ``is_set`` call means that every save from then on will be seen.
    """

    def __init__(
        self, stop: threading.Event, ready: threading.Event | None, moved: Callable[[], bool]
    ):
        self.stop = stop
        self.ready = ready
        self.moved = moved

    def is_set(self) -> bool:
        if self.ready is not None:
            self.ready.set()
        return self.stop.is_set() or self.moved()


def watch_project(
    project: Path,
    stop: threading.Event,
    ready: threading.Event | None = None,
    step_ms: int = STEP_MS,
    debounce_ms: int = DEBOUNCE_MS,
) -> Iterator[list[str]]:
    """Batches of changed project-relative paths that matter, until ``stop`` is set.

    ``ready`` is set once the watches are in place (at once if there is nothing to watch).
    A watched folder that appears, goes or is replaced is watched again as it is now, and
    reported by its name (``content``).
    """
    from watchfiles import Change, watch

    project = project.resolve()

    def matters(_change: object, path: str) -> bool:
        rel = relative(path, project)
        return rel is not None and classify(rel) is not None

    moved: list[str] = []  # folders that appeared, went or were replaced, to report
    while not stop.is_set():
        armed = folder_identity(project)
        folders = watched_folders(project)
        signal = _StopSignal(stop, ready, lambda armed=armed: folder_identity(project) != armed)
        if not folders:  # nothing to watch: wait for a folder to appear
            log.debug("nothing to watch in %s", project)
            if moved:
                yield moved
                moved = []
            while not signal.is_set():
                stop.wait(step_ms / 1000)
        else:
            for changes in watch(
                *folders,
                watch_filter=matters,
                debounce=debounce_ms,
                step=step_ms,
                stop_event=signal,
                raise_interrupt=False,
                rust_timeout=REPORT_MOVED_MS,
                yield_on_timeout=True,
            ):
                created = {path for change, path in changes if change == Change.added}
                batch = {
                    rel
                    for path in {path for _, path in changes}
                    if not (path in created and not os.path.lexists(path))  # a scratch file
                    and (rel := relative(path, project))
                }
                # Folders that moved are reported once watched again (here, the watch in
                # place): a save made while the build they cause reads them is seen.
                batch.update(moved)
                moved = []
                if batch:
                    yield sorted(batch)
        if stop.is_set():
            return
        now = folder_identity(project)
        pairs = zip(WATCHED, armed, now, strict=True)
        moved = sorted({*moved, *(name for name, before, after in pairs if before != after)})


def run_watcher(
    project: Path,
    stop: threading.Event,
    on_change: Callable[[list[str]], None],
    ready: threading.Event | None = None,
) -> None:
    """Call ``on_change`` with every batch of changes until ``stop`` is set (a thread's target)."""
    for batch in watch_project(project, stop, ready):
        on_change(batch)
