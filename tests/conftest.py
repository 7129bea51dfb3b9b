"""Shared fixtures: a private copy of the real project, and the real site built once."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import ROOT, copy_project, run_cli


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
