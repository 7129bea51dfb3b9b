"""Two builds into one output folder at once (an editor's double click, a CI job beside a
preview): 50 pairs of real ``zhoukou-report build`` processes, started together.

Each pair builds two projects that differ in one figure into the same ``--out``. After
every pair both have exited 0 (the second waited for the first's lock), and the folder
is exactly one of the two builds, marker included: never a mix, never without its marker,
never a leftover beside it. A test file of its own: pytest-xdist gives it a process of
its own, beside the others.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import copy_site, edit, run_cli, tree_hash
from zhoukou_report.write import MARKER

PAIRS = 50
COMMAND = (sys.executable, "-m", "zhoukou_report", "build")


def test_fifty_pairs_of_simultaneous_builds_leave_one_whole_build_every_time(tmp_path: Path):
    first = copy_site("minimal", tmp_path / "first")
    second = copy_site("minimal", tmp_path / "second")
    edit(second / "content/figures.yaml", "value: ", "value: 1", count=1)
    expected = {}
    for project in (first, second):
        reference = tmp_path / f"{project.name}-alone"
        result = run_cli("build", "--project", str(project), "--out", str(reference))
        assert result.returncode == 0, result.stderr
        expected[tree_hash(reference)] = project.name
    assert len(expected) == 2  # the two builds differ

    out = tmp_path / "site"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    seen = set()
    for pair in range(PAIRS):
        processes = [
            subprocess.Popen(
                [*COMMAND, "--project", str(project), "--out", str(out)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for project in (first, second)
        ]
        results = [(process.wait(60), *process.communicate()) for process in processes]
        for code, _stdout, stderr in results:
            assert code == 0, f"pair {pair}: {stderr}"
            assert "Removed" not in _stdout, f"pair {pair}: {_stdout}"
        assert (out / MARKER).is_file(), f"pair {pair}: the marker is gone"
        built = tree_hash(out)
        assert built in expected, f"pair {pair}: the folder is no one build"
        seen.add(expected[built])
        beside = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site."))
        assert beside == [], f"pair {pair}: {beside}"
    assert seen  # each pair ended with one of the two builds in place
