"""The full fixture site builds exactly to its golden output (tests/sites/full.golden/).

A change meant to change the site is reviewed as the diff of the golden tree: rewrite it
with ``python tests/update_golden.py`` and read ``git diff tests/sites/full.golden``.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from helpers import SITES

GOLDEN = SITES / "full.golden"


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != ".zhoukou-report"
    }


def test_the_full_site_builds_to_its_golden_output(built: Path):
    expected, actual = files_of(GOLDEN), files_of(built)
    assert sorted(actual) == sorted(expected), "files added or missing: update the golden tree"
    for name, data in expected.items():
        if actual[name] != data:
            diff = difflib.unified_diff(
                data.decode("utf-8", "replace").splitlines(),
                actual[name].decode("utf-8", "replace").splitlines(),
                f"golden/{name}",
                f"built/{name}",
                lineterm="",
            )
            shown = "\n".join(list(diff)[:40])
            raise AssertionError(
                f"{name} differs from its golden copy "
                f"(python tests/update_golden.py, then review the diff):\n{shown}"
            )
