"""The only code that touches the output folder.

A build is written into a new folder beside the output and swapped in only once
every file is there, so a failed or interrupted build leaves the previous site as
it was. A folder is only ever replaced if it is missing, empty, or carries the
marker file this tool writes; anything else is refused before a byte is written.

Beside ``out`` there are, for a moment, ``.out.new-*`` (the build being written)
and ``.out.old-*`` (the previous build, until the new one is in place); a killed
build may leave either behind, and the next build removes them. One build at a time
writes into an output folder: ``output_lock`` holds a lock on ``.out.lock`` beside it,
which the system releases when its holder ends, however it ends (``fcntl.flock``, or
``msvcrt.locking`` on Windows).

The swap has no moment without an output folder where the system allows it: on Linux
the two folders are exchanged in one step (``renameat2`` with ``RENAME_EXCHANGE``);
elsewhere, or on a file system without it, the old folder is renamed away and the new
one into its place. An output folder that is a mount point (a bind-mounted web root)
cannot be renamed: the new build is written into a hidden folder inside it and its
entries are swapped in one by one, each exchanged in one step where the system allows it.

The marker lists every file the build wrote. A file in the output folder that the
previous build did not write (someone added it) is removed with the rest, and
``Staging.foreign`` names it, for the command to say so.

A file that has not changed since the previous build is not written again: the new
folder gets a hard link to the previous one's (as ``rsync --link-dest`` does). Making a
file is what costs on a disk, more than its bytes: after a figure is corrected, most
pages of a large site are the same, and both writing the new folder and removing the
old one get much quicker. Unchanged files also keep their modification time, which
tools that upload a site to a host use to skip them. Files are never changed in place,
so the two names of one file never disagree.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputRefused, WriteFailed
from .files import Same, same_file
from .i18n import _

MARKER = ".zhoukou-report"
MARKER_TEXT = (
    "This folder was written by zhoukou-report.\n"
    "It is replaced as a whole on every build: keep nothing else in it.\n"
)
MANIFEST_HEADING = "Files of this build:\n"
PROJECT_FOLDERS = ("content", "templates", "src", "tests", ".git")
LOCK_WAIT_SECONDS = 20.0  # how long a second build waits for the first to finish


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
        leftover = _leftover_name(target)
        others = sorted(entry.name for entry in target.iterdir() if not leftover(entry.name))
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


@contextmanager
def output_lock(out: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the lock of the output folder ``out`` (on a file ``.out.lock`` beside it, there
    while a build holds it) for one build.

    A second build waits up to ``wait`` seconds (``LOCK_WAIT_SECONDS``), then is refused
    with ``OutputRefused``, naming the process that holds the lock. The system releases
    the lock when the process ends, even if it is killed (its file stays, and is taken
    over by the next build): ``fcntl.flock`` where there is ``fcntl``, else (Windows)
    ``msvcrt.locking`` of a byte past the holder's text, which stays readable. (Windows
    does not remove a file that is open: the lock file stays there between builds.)
    """
    try_lock = _lock_function()
    wait = LOCK_WAIT_SECONDS if wait is None else wait
    target = out.expanduser().resolve()
    lock = target.parent / f".{target.name}.lock"
    deadline = time.monotonic() + wait
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    while True:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, flags, 0o644)
        except OSError as e:
            reason = _("cannot make its lock file {lock}: {reason}")
            raise WriteFailed(str(out), reason.format(lock=lock, reason=e.strerror or e)) from e
        if not try_lock(fd):
            os.lseek(fd, 0, os.SEEK_SET)
            holder = os.read(fd, HOLDER_BYTES).decode("utf-8", "replace").strip()
            os.close(fd)
            if time.monotonic() >= deadline:
                message = _(
                    "another build is writing into {out} ({holder}, holding {lock}); nothing "
                    "was changed. Wait until it has finished, then build again."
                )
                raise OutputRefused(
                    message.format(out=out, holder=_holder(holder), lock=lock)
                ) from None
            time.sleep(0.05)
            continue
        if _same_inode(fd, lock):
            break
        os.close(fd)  # the file was removed by the build that held it: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"process {os.getpid()}, since {time.strftime('%H:%M:%S')}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)  # still holding it: a build waiting on this file tries again
        os.close(fd)  # releases the lock


HOLDER_BYTES = 200  # the holder's text is shorter; Windows locks the byte after it


def _lock_function() -> Callable[[int], bool]:
    """The platform's way to take the lock of an open file without waiting: True if taken,
    False if another process holds it."""
    try:
        import fcntl
    except ImportError:
        import msvcrt  # Windows

        def try_lock(fd: int) -> bool:
            os.lseek(fd, HOLDER_BYTES, os.SEEK_SET)  # past the text: a reader may read it
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:  # "permission denied" or "deadlock avoided"
                return False  # another process holds it
            return True

        return try_lock

    def try_flock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # another process holds it
        return True

    return try_flock


_HOLDER = re.compile(r"process (\d+), since (\d\d:\d\d:\d\d)\Z")


def _holder(text: str) -> str:
    """Who holds the lock, as its file says (``process 12, since 14:03:05``, in English
    whatever the language of the build that wrote it), in the editor's language."""
    found = _HOLDER.match(text)
    if found:
        return _("process {pid}, since {time}").format(pid=found[1], time=found[2])
    return text or _("a process")


def _same_inode(fd: int, path: Path) -> bool:
    try:
        return os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
    except OSError:
        return False  # removed since it was opened


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
        # A mount point cannot be renamed: the build is written inside it, swapped in by entry.
        self.inside = self.target.is_dir() and os.path.ismount(self.target)
        self.folder: Path | None = None
        self.foreign: list[str] = []  # files of the previous build it did not write, removed
        self._written: set[str] = set()
        self._folders: set[str] = set()  # sub-folders made

    def __enter__(self) -> Staging:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            _remove_leftovers(self.target)
            self.folder = _new_folder(self.target, self.inside)
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
            manifest = "".join(f"{rel}\n" for rel in sorted(self._written))
            marker = self.folder / MARKER
            marker.write_text(MARKER_TEXT + MANIFEST_HEADING + manifest, encoding="utf-8")
            self.foreign = _foreign(self.target, self._written)
            if self.inside:
                _swap_contents(self.folder, self.target)
            else:
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
    return write_staged(files, out, project, previous).target


def write_staged(
    files: Iterable[tuple[str, bytes | Same]],
    out: Path,
    project: Path,
    previous: Path | None = None,
) -> Staging:
    """``write_site``, giving the ``Staging`` done (its target, the foreign files removed)."""
    with Staging(out, project, previous) as staging:
        for rel, data in files:
            staging.write(rel, data)
            del data  # before the next file is made: a site's largest files are not held twice
    return staging


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
        # Not waiting on a named pipe left in its place: only a regular file is read.
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(os.dup(fd), "rb") as stream:
            return stream.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def _new_folder(target: Path, inside: bool = False) -> Path:
    """A new, empty ``.out.new-*`` folder beside the output (``inside`` it, for a mount point).

    ``os.mkdir`` rather than ``tempfile.mkdtemp``: the folder becomes the site, and
    must get the usual permissions (mkdtemp's are owner-only, unreadable to a web server).
    """
    parent = target if inside else target.parent
    while True:
        folder = parent / f".{target.name}.new-{os.urandom(4).hex()}"
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):  # the staging folder now holds the previous build
        _remove(staging)
        return
    retired = target.parent / f".{target.name}.old-{os.urandom(4).hex()}"
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    _remove(retired)


def _swap_contents(staging: Path, target: Path) -> None:
    """Swap the entries of ``staging`` (a folder inside ``target``) into ``target``, one by
    one, each in one step where the system allows it; what only the old build had is
    moved aside and removed."""
    retired = target / f".{target.name}.old-{os.urandom(4).hex()}"
    retired.mkdir()
    (retired / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    new = set(os.listdir(staging))
    ours = _leftover_name(target)
    for name in sorted(os.listdir(target)):  # first what the new build no longer has
        if name not in new and not ours(name) and name != MARKER:
            os.rename(target / name, retired / name)
    for name in sorted(new, key=lambda name: name == MARKER):  # the marker last
        if not os.path.lexists(target / name):
            os.rename(staging / name, target / name)
        elif not _exchange(staging / name, target / name):
            os.rename(target / name, retired / f"{name}.{os.urandom(4).hex()}")
            os.rename(staging / name, target / name)
    _remove(staging)
    _remove(retired)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False
    where the system or the file system cannot, for the caller to rename twice instead."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    import ctypes

    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE):
        code = ctypes.get_errno()
        if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
            return False
        raise OSError(code, os.strerror(code), str(second))
    return True


def _renameat2():  # a ctypes function, or None
    """libc's ``renameat2``, where there is one (Linux with glibc 2.28 or later, musl 1.2)."""
    if not hasattr(os, "sched_getaffinity"):  # not Linux
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    text, number = ctypes.c_char_p, ctypes.c_int
    function.argtypes = [number, text, number, text, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _foreign(target: Path, written: set[str]) -> list[str]:
    """Files of the build in ``target`` that its marker does not list: someone added them.
    None are known of a folder whose marker lists no files (written before markers did)."""
    try:
        marker = (target / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if MANIFEST_HEADING not in marker:
        return []
    listed = set(marker.partition(MANIFEST_HEADING)[2].splitlines())
    ours = _leftover_name(target)
    found = []
    for folder, folders, files in os.walk(target):
        rel = os.path.relpath(folder, target).replace(os.sep, "/")
        if rel == ".":
            folders[:] = [name for name in folders if not ours(name)]
            files = [name for name in files if name != MARKER]
        prefix = "" if rel == "." else rel + "/"
        found += [prefix + name for name in files if prefix + name not in listed]
        found += [prefix + name for name in folders if os.path.islink(os.path.join(folder, name))]
    return sorted(found)


def _remove(folder: Path) -> None:
    """Remove a folder of ours, finishing the job even if Ctrl-C comes meanwhile."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
    except KeyboardInterrupt:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _leftover_name(target: Path) -> Callable[[str], object]:
    """Whether a name is that of a ``.out.new-*`` or ``.out.old-*`` folder of ``target``."""
    return re.compile(rf"\.{re.escape(target.name)}\.(new|old)-[0-9a-f]{{8}}\Z").match


def _remove_leftovers(target: Path) -> None:
    """Remove the ``.out.new-*`` and ``.out.old-*`` folders a killed build left behind,
    beside the output (and inside it, for a mount point). Only called holding the output's
    lock, so no other build is using them; a folder half removed (its marker gone first)
    is recognised by its name."""
    leftover = _leftover_name(target)
    places = [target.parent]
    if target.is_dir() and os.path.ismount(target):
        places.append(target)
    for place in places:
        for folder in place.iterdir():
            if leftover(folder.name) and folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)
