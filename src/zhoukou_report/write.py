"""The only code that touches the output folder.

A build is written into a new folder beside the output and swapped in only once
every file is there, so a failed or interrupted build leaves the previous site as
it was. A folder is only ever replaced if it is missing, empty, or carries the
marker file this tool writes; anything else is refused before a byte is written.

Beside ``out`` there are, for a moment, ``.out.new-*`` (the build being written)
and ``.out.old-*`` (the previous build, until the new one is in place). Both hold
the marker (a new one from its first file on), so one that a killed process left
behind is recognised and removed by the next build.

A file that has not changed since the previous build is not written again: the new
folder gets a hard link to the previous one's (as ``rsync --link-dest`` does). Making a
file is what costs on a disk, more than its bytes: after a figure is corrected, most
pages of a large site are the same, and both writing the new folder and removing the
old one get much quicker. Unchanged files also keep their modification time, which
tools that upload a site to a host use to skip them. Files are never changed in place,
so the two names of one file never disagree.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputRefused, WriteFailed
from .files import Same, same_file
from .i18n import _

MARKER = ".zhoukou-report"
MARKER_TEXT = (
    "This folder was written by zhoukou-report.\n"
    "It is replaced as a whole on every build: keep nothing else in it.\n"
)
PROJECT_FOLDERS = ("content", "templates", "src", "tests", ".git")


def check_output(out: Path, project: Path) -> Path:
    """The output folder, resolved, if this tool may replace it; else ``OutputRefused``."""
    target = out.expanduser().resolve()
    try:
        reason = _refusal(target, project.resolve())
    except OSError as e:
        reason = _("it cannot be read ({reason})").format(reason=e.strerror or e)
    if reason:
        raise OutputRefused(
            _(
                "refusing to write the site into {out}: {reason}; nothing was changed. "
                "Choose a new or empty folder with --out, or one a previous build wrote."
            ).format(out=out, reason=reason)
        )
    return target


def _refusal(target: Path, project: Path) -> str | None:
    if target == Path(target.anchor):
        return _("it is the root of the file system")
    if target == _home():
        return _("it is your home folder")
    if target == project or project.is_relative_to(target):
        return _("it holds the project itself")
    for name in PROJECT_FOLDERS:
        if target.is_relative_to(project / name):
            return _("it is inside the project's {folder} folder").format(folder=name)
    if target.exists() and not target.is_dir():
        return _("it is a file, not a folder")
    if target.is_dir() and not (target / MARKER).is_file():
        others = sorted(entry.name for entry in target.iterdir())
        if others:
            shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
            return _("it holds files that zhoukou-report did not write ({files})").format(
                files=shown
            )
    return None


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, OSError):  # no HOME and no user entry: there is no home to protect
        return None


class Staging:
    """A new output folder being filled beside ``out``, swapped in place of it on success.

        with Staging(out, project) as staging:
            staging.write("index.html", data)

    Leaving the block normally swaps the folder in; leaving it by an exception, Ctrl-C
    included, removes the new folder and leaves ``out`` as it was. An ``OSError`` is
    reported as ``WriteFailed``.
    """

    def __init__(self, out: Path, project: Path, previous: Path | None = None):
        """``previous``: a folder this tool wrote whose unchanged files may be reused;
        by default the output folder itself, if it holds a build."""
        self.out = out
        self.target = check_output(out, project)
        previous = self.target if previous is None else previous
        self.previous = previous if (previous / MARKER).is_file() else None
        self.folder: Path | None = None
        self._written: set[str] = set()
        self._folders: set[str] = set()  # sub-folders made

    def __enter__(self) -> Staging:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            _remove_leftovers(self.target)
            self.folder = _new_folder(self.target)
            (self.folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        except OSError as e:
            if self.folder is not None:
                _remove(self.folder)
            raise WriteFailed(str(self.out), e.strerror or str(e)) from e
        return self

    def write(self, rel: str, data: bytes | Same) -> None:
        """Write one file; ``rel`` may not climb out of the folder.

        The check is on the path's text: the folder is new and only this tool writes in
        it, so no symbolic link can redirect a write. If the folder of the previous build
        has the same file with the same bytes, it is linked instead; ``Same`` says so of a
        file found the same as it was rendered.
        """
        assert self.folder is not None
        parts = rel.split("/")
        if not rel or rel.startswith("/") or "\\" in rel or {"", ".", ".."} & set(parts):
            message = _("refusing to write {file}: it lies outside the output folder")
            raise OutputRefused(message.format(file=rel))
        if rel in self._written:  # two stages writing one file is a bug, not a choice
            raise OutputRefused(_("refusing to write {file} twice").format(file=rel))
        self._written.add(rel)
        parent = rel.rpartition("/")[0]
        # Paths as text, not Path objects: making those took longer than linking the files
        # (the 10,000-page row of benchmarks/run.py).
        file = os.path.join(self.folder, rel)
        try:
            if parent and parent not in self._folders:
                os.makedirs(os.path.join(self.folder, parent), exist_ok=True)
                self._folders.add(parent)
            if isinstance(data, Same):
                self._link_same(rel, file, data)
                return
            if self.previous is not None:
                previous = os.path.join(self.previous, rel)
                if same_file(previous, data) is not None:
                    try:
                        os.link(previous, file, follow_symlinks=False)
                        return
                    except (OSError, NotImplementedError):  # no hard links, or the file went
                        pass
            with open(file, "wb") as out:
                out.write(data)
        except OSError as e:
            raise WriteFailed(str(self.out), e.strerror or str(e)) from e

    def _link_same(self, rel: str, file: str, same: Same) -> None:
        """The previous build's file, found the same as it was rendered: linked, or copied
        where there are no hard links; refused if another file has taken its place since."""
        previous = os.path.join(self.previous, rel) if self.previous is not None else None
        try:
            info = os.stat(previous, follow_symlinks=False) if previous is not None else None
        except FileNotFoundError:
            info = None
        taken = info is None or (info.st_ino, info.st_mtime_ns) != same
        if taken:
            reason = _("{file} of the previous build changed while this build ran; build again")
            reason = reason.format(file=rel)
            raise WriteFailed(str(self.out), reason)
        try:
            os.link(previous, file, follow_symlinks=False)
        except (OSError, NotImplementedError):  # no hard links here
            shutil.copyfile(previous, file)

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        assert self.folder is not None
        if kind is not None:
            _remove(self.folder)
            return
        try:
            _swap(self.folder, self.target)
        except BaseException as e:
            _remove(self.folder)
            if isinstance(e, OSError):
                raise WriteFailed(str(self.out), e.strerror or str(e)) from e
            raise


def write_site(
    files: Iterable[tuple[str, bytes | Same]],
    out: Path,
    project: Path,
    previous: Path | None = None,
) -> Path:
    """Write every file (its path in the site, its bytes) into a fresh folder and swap it in
    place of ``out`` (``previous`` as for ``Staging``); the folder written, resolved."""
    with Staging(out, project, previous) as staging:
        for rel, data in files:
            staging.write(rel, data)
            del data  # before the next file is made: a site's largest files are not held twice
    return staging.target


def previous_build(out: Path) -> Path | None:
    """The folder of the build now in ``out``, if there is one (its files may be reused)."""
    folder = out.expanduser()
    try:
        return folder if (folder / MARKER).is_file() else None
    except OSError:
        return None


def read_previous(out: Path, name: str) -> bytes | None:
    """A file of the build now in ``out``; None if there is none, or the folder is not ours."""
    folder = out.expanduser()
    file = folder / name
    try:
        if not (folder / MARKER).is_file() or not file.resolve().is_relative_to(folder.resolve()):
            return None
        return file.read_bytes()
    except OSError:
        return None


def _new_folder(target: Path) -> Path:
    """A new, empty ``.out.new-*`` folder beside the output.

    ``os.mkdir`` rather than ``tempfile.mkdtemp``: the folder becomes the site, and
    must get the usual permissions (mkdtemp's are owner-only, unreadable to a web server).
    """
    while True:
        folder = target.parent / f".{target.name}.new-{os.urandom(4).hex()}"
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    retired = target.parent / f".{target.name}.old-{os.urandom(4).hex()}"
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    _remove(retired)


def _remove(folder: Path) -> None:
    """Remove a folder of ours, finishing the job even if Ctrl-C comes meanwhile."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
    except KeyboardInterrupt:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _remove_leftovers(target: Path) -> None:
    """Remove ``.out.new-*`` and ``.out.old-*`` folders a killed build left behind."""
    prefixes = (f".{target.name}.new-", f".{target.name}.old-")
    for folder in target.parent.iterdir():
        if folder.name.startswith(prefixes) and folder.is_dir() and not folder.is_symlink():
            if (folder / MARKER).is_file():
                shutil.rmtree(folder, ignore_errors=True)
            elif not any(folder.iterdir()):
                folder.rmdir()
