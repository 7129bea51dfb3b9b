"""Shared fixtures: a private copy of the real project, and the real site built once."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import ROOT, copy_project, run_cli


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache folder of the session's own (for the CLIs it runs too), not the user's."""
    folder = tmp_path_factory.mktemp("cache-home")
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if saved is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh, editable copy of the real project."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once for the session by the CLI; do not modify it."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = run_cli("build", "--project", str(ROOT), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess]:
    return run_cli
