"""The only code that touches the output folder.

A build is written into a new folder beside the output and swapped in only once
every file is there, so a failed or interrupted build leaves the previous site as
it was. A folder is only ever replaced if it is missing, empty, or carries the
marker file this tool writes; anything else is refused before a byte is written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import OutputRefused

MARKER = ".zhoukou-report"
MARKER_TEXT = (
    "This folder was written by zhoukou-report.\n"
    "It is replaced as a whole on every build: keep nothing else in it.\n"
)


def check_output(out: Path, project: Path) -> Path:
    """The output folder, resolved, if this tool may replace it; else ``OutputRefused``."""
    target = out.expanduser().resolve()
    project = project.resolve()
    home = Path.home().resolve()
    reason = None
    if target == Path(target.anchor):
        reason = "it is the root of the file system"
    elif target == home:
        reason = "it is your home folder"
    elif target == project or project.is_relative_to(target):
        reason = "it holds the project itself"
    elif any(
        target.is_relative_to(project / name)
        for name in ("content", "templates", "src", "tests", ".git")
    ):
        reason = "it is inside the project's own files"
    elif target.exists() and not target.is_dir():
        reason = "it is a file, not a folder"
    elif target.is_dir() and not (target / MARKER).is_file() and any(target.iterdir()):
        reason = "it holds files that were not written by zhoukou-report"
    if reason:
        raise OutputRefused(
            f"refusing to write the site into {out}: {reason}; "
            "choose an empty or new folder with --out"
        )
    return target


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


def write_site(files: dict[str, bytes], out: Path, project: Path) -> Path:
    """Write every file into a fresh folder and swap it in place of ``out``."""
    target = check_output(out, project)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for rel, data in files.items():
            file = (staging / rel).resolve()
            if not file.is_relative_to(staging):
                raise OutputRefused(f"refusing to write {rel}: it lies outside the output folder")
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    retired.rmdir()
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)
