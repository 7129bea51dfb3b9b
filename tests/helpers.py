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


# A site of several years, made from the full fixture: its report as 2025's, and an earlier
# one, 2024's, with other values. Each edit: (figures.yaml's text, the source text's).
EARLIER_YEAR_EDITS = (
    ("source: 召开常委会会议6次", "source: 召开常委会会议5次"),  # 6 次 from 5: up
    ("会议 6\n次", "会议 5\n次"),
    ("source: 城区代表联络站120个", "source: 城区代表联络站130个"),  # 120 from 130: down
    ("城区代表联络站 120 个", "城区代表联络站 130 个"),
    ("source: 满意率达92.5%", "source: 满意率达90.5%"),  # a percentage: 2 points up
    ("意率达 92.5%", "意率达 90.5%"),
    ("source: 走访群众1.8万人次", "source: 走访群众1.5万人次"),  # 1.8万 from 1.5万
    ("走访群众 1.8 万人次", "走访群众 1.5 万人次"),
    ("source: 走访企业110多家", "source: 走访企业100多家"),  # qualified: no change worked out
    ("走访企业 110 多家", "走访企业 100 多家"),
    ("source: 出台地方性法规3部", "source: 出台地方性法规3件"),  # another unit: not compared
    ("法规 3 部", "法规 3 件"),
)  # points (340 both years): unchanged


def copy_years(destination: Path) -> Path:
    """A project of two years (years.py): 2025/ is the full fixture as it is, 2024/ the
    same report a year earlier with the values of ``EARLIER_YEAR_EDITS``; the templates
    beside them."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SITES / "full" / "content", destination / "2025" / "content")
    earlier = destination / "2024" / "content"
    shutil.copytree(SITES / "full" / "content", earlier)
    figures, source = earlier / "figures.yaml", earlier / "source" / "report.zh.txt"
    values = {
        "value: 6\n": "value: 5\n",
        "value: 120\n": "value: 130\n",
        "value: 92.5\n": "value: 90.5\n",
        "value: 18000\n": "value: 15000\n",
        "value: 110\n": "value: 100\n",
        "zh: 部\n": "zh: 件\n",
    }
    for old, new in values.items():
        edit(figures, old, new)
    for number, (old, new) in enumerate(EARLIER_YEAR_EDITS):
        edit(figures if number % 2 == 0 else source, old, new)
    edit(earlier / "site.yaml", "date: 2025-01-15", "date: 2024-01-15")
    edit(earlier / "site.yaml", "第三次会议", "第二次会议")
    shutil.copytree(ROOT / "templates", destination / "templates")
    return destination
