"""Shared fixtures: editable copies of the fixture sites, and the full fixture built once.

The tests of the tool use the fixture sites under tests/sites/ (``minimal``: one
language, two pages, one figure; ``full``: every feature), never the real report's
content, so that correcting a figure in content/ breaks no unrelated test. The real
content has its own tests (test_content.py).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import copy_site, run_cli

# The tool speaks the language of the environment: the tests expect its English unless they
# ask for another, whatever the machine that runs them is set to.
for _name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "ZHOUKOU_REPORT_LANG"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"


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
    """A fresh, editable copy of the full fixture site (tests/sites/full)."""
    return copy_site("full", tmp_path / "project")


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A fresh, editable copy of the minimal fixture site (tests/sites/minimal)."""
    return copy_site("minimal", tmp_path / "minimal")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full fixture site, built once for the session by the CLI; do not modify it."""
    project = copy_site("full", tmp_path_factory.mktemp("built-project"))
    out = tmp_path_factory.mktemp("built") / "site"
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess]:
    return run_cli
