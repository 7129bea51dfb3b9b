"""Helpers the tests import: the fixture sites, editable copies of them, the CLI as a user
runs it, tree hashes, edits that fail loudly.

A module of its own, not conftest.py: tests/browser has a conftest.py too, and two
modules named ``conftest`` cannot both be imported by name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "tests" / "sites"  # the fixture sites: minimal, full


def copy_site(name: str, destination: Path) -> Path:
    """A project made of a fixture site's content (tests/sites/NAME/content) and this
    repository's templates, safe to edit."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SITES / name / "content", destination / "content")
    shutil.copytree(ROOT / "templates", destination / "templates")
    return destination


def copy_report(destination: Path) -> Path:
    """A copy of the real report's content and templates (for the content's own tests)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, destination / name)
    return destination


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``zhoukou-report ARGS`` as a real process, the way a user runs it (``env``: variables
    to set besides this process's)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "zhoukou_report", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def tree_hash(folder: Path) -> str:
    """One hash of every file's path and bytes under a folder (hidden files included)."""
    digest = hashlib.sha256()
    if not folder.exists():
        return "missing"
    for file in sorted(folder.rglob("*")):
        if file.is_file():
            digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def line(file: Path, text: str | bytes) -> int:
    """The 1-based number of the one line of ``file`` that contains ``text``."""
    needle = text.encode() if isinstance(text, str) else text
    lines = file.read_bytes().split(b"\n")
    found = [number for number, data in enumerate(lines, 1) if needle in data]
    assert len(found) == 1, f"{text!r} is on lines {found} of {file}"
    return found[0]


def edit(file: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a file, failing loudly if the text is not there."""
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    file.write_text(text.replace(old, new, count), encoding="utf-8")
