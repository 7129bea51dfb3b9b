"""Rewrite the golden output of the full fixture site (tests/sites/full.golden/).

    python tests/update_golden.py

Run it after a change that is meant to change the built site (a template, the way a
figure is written, …), then read ``git diff tests/sites/full.golden`` as the review of
what every reader will see changed; test_golden.py fails until the two agree.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import SITES, copy_site, run_cli

GOLDEN = SITES / "full.golden"


def build_full(out: Path) -> None:
    """The full fixture site, built by the CLI into ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_site("full", Path(tmp) / "project")
        result = run_cli("build", "--project", str(project), "--out", str(out))
        if result.returncode != 0:
            raise SystemExit(f"the full fixture site did not build:\n{result.stderr}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        build_full(out)
        (out / ".zhoukou-report").unlink()  # the marker: not part of the site
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    files = sum(1 for path in GOLDEN.rglob("*") if path.is_file())
    print(f"Wrote {files} files into {GOLDEN.relative_to(SITES.parent.parent)}/")


if __name__ == "__main__":
    main()
