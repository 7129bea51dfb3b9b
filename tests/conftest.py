"""Shared fixtures: a private copy of the real project, the CLI as a user runs it, tree hashes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def copy_project(destination: Path) -> Path:
    """A copy of the project's content and templates, safe to edit."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, destination / name)
    return destination


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh, editable copy of the real project."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once for the session by the CLI; do not modify it."""
    base = tmp_path_factory.mktemp("built")
    out = base / "site"
    result = run_cli("build", "--project", str(ROOT), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``zhoukou-report ARGS`` as a real process, the way a user runs it."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "zhoukou_report", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess]:
    return run_cli


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


def edit(file: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a file, failing loudly if the text is not there."""
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    file.write_text(text.replace(old, new, count), encoding="utf-8")
