"""Faults and hostile inputs, as a user meets them through the CLI: an output folder that
is a mount point, files someone added to the output, a second build waiting for a first.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import ROOT, SITES, copy_site, edit, run_cli, tree_hash
from zhoukou_report import write
from zhoukou_report.cli import main
from zhoukou_report.processes import PARALLEL_FROM
from zhoukou_report.write import MARKER, output_lock

sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic


def in_mount_namespace(script: str, *args: str) -> subprocess.CompletedProcess:
    """A shell script run where it may mount file systems that no one else sees: as root in
    a mount namespace of its own, otherwise as root of a user namespace too."""
    unshare = ["unshare", "--mount"]
    if os.geteuid() != 0:
        unshare = ["unshare", "--user", "--map-root-user", "--mount"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHON": sys.executable}
    return subprocess.run(
        [*unshare, "sh", "-ec", script, "sh", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_an_output_folder_that_is_a_mount_point_is_replaced_by_its_contents(tmp_path: Path):
    """A bind-mounted web root cannot be renamed ("Device or resource busy"): its contents
    are swapped instead, files of the previous build reused, a stranger's removed and named."""
    assert shutil.which("unshare"), "unshare (util-linux) is needed"
    first = copy_site("minimal", tmp_path / "first")
    second = copy_site("minimal", tmp_path / "second")
    edit(second / "content/figures.yaml", "value: ", "value: 1", count=1)
    reference = tmp_path / "reference"
    assert run_cli("build", "--project", str(second), "--out", str(reference)).returncode == 0
    out, copy = tmp_path / "site", tmp_path / "copy"
    out.mkdir()
    script = """
        mount -t tmpfs zhoukou-test "$1"
        mountpoint -q "$1"
        "$PYTHON" -m zhoukou_report build --project "$2" --out "$1"
        echo "someone's" > "$1/notes.txt"
        "$PYTHON" -m zhoukou_report build --project "$3" --out "$1"
        mountpoint -q "$1"
        cp -a "$1/." "$4"
    """
    result = in_mount_namespace(script, str(out), str(first), str(second), str(copy))
    assert result.returncode == 0, result.stderr
    assert f"Removed 1 file the previous build did not write: {out}/notes.txt\n" in result.stdout
    assert "Figures: 1 change since the previous build:" in result.stdout
    assert tree_hash(copy) == tree_hash(reference)  # the marker too: nothing left inside
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")) == []


def test_a_build_names_the_files_it_removed_that_the_previous_build_did_not_write(
    minimal: Path,
):
    out = minimal / "build"
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    (out / "notes.txt").write_text("someone's")
    (out / "data" / "extra.csv").write_text("someone's")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 0, result.stderr
    shown = f"{minimal.as_posix()}/build"
    assert (
        f"Removed 2 files the previous build did not write: {shown}/data/extra.csv, "
        f"{shown}/notes.txt\n"
    ) in result.stdout
    assert not (out / "notes.txt").exists() and (out / MARKER).is_file()
    result = run_cli("build", "--project", str(minimal))
    assert "Removed" not in result.stdout


def test_a_second_build_into_a_folder_being_written_waits_then_says_who_holds_it(
    minimal: Path, monkeypatch
):
    out = minimal / "build"
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    before = tree_hash(out)
    monkeypatch.setattr(write, "LOCK_WAIT_SECONDS", 0.3)
    with output_lock(out):  # another build, holding the lock
        result = CliRunner().invoke(main, ["build", "--project", str(minimal)])
    assert result.exit_code == 1
    lock = minimal / ".build.lock"
    assert re.fullmatch(
        rf"Error: another build is writing into {re.escape(str(out))} \(process {os.getpid()}, "
        rf"since \d\d:\d\d:\d\d, holding {re.escape(str(lock))}\); nothing was changed\. "
        r"Wait until it has finished, then build again\.\n",
        result.output,
    )
    assert tree_hash(out) == before


# Figures are read as a person reads them ------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "published"),
    [("017", 17), ("010", 10), ("08", 8), ("-012", -12), ("09.5", 9.5), ("0", 0)],
    ids=["017", "010", "08", "negative", "decimal-point", "zero"],
)
def test_a_figure_with_leading_zeros_is_the_decimal_number_as_written(
    minimal: Path, written: str, published: float
):
    edit(minimal / "content/figures.yaml", "value: 4\n", f"value: {written}\n")
    result = CliRunner().invoke(main, ["build", "--project", str(minimal)])
    assert result.exit_code == 0, result.output
    data = json.loads((minimal / "build/data/figures.json").read_text(encoding="utf-8"))
    assert data["figures"][0]["value"] == published


@pytest.mark.parametrize(
    "written",
    ["0x1F", "0o17", "0b101", "12:30", "1:30.5", "1_000", "-0x1F", ".inf"],
    ids=["hexadecimal", "octal", "binary", "base-60", "base-60-decimal", "underscore",
         "negative-hexadecimal", "infinity"],
)  # fmt: skip
def test_another_yaml_number_form_is_refused_saying_so(minimal: Path, written: str):
    edit(minimal / "content/figures.yaml", "value: 4\n", f"value: {written}\n")
    result = CliRunner().invoke(main, ["build", "--project", str(minimal)])
    assert result.exit_code == 1
    assert (
        f'1. content/figures.yaml:4: figures[0].value: "{written}" is not a number written in '
        "decimal digits (write it in digits, e.g. 31 or 12.5; put it in quotes if it is meant "
        'as text: "…")\n'
    ) in result.output
    assert not (minimal / "build").exists()


# Nothing outside the project is read; no file is waited on ----------------------------------


@pytest.mark.parametrize(
    ("link", "shown"),
    [
        ("content/source/report.zh.txt", "content/source/report.zh.txt"),
        ("content/zh/overview.md", "content/zh/overview.md"),
        ("templates/static/x.css", "templates/static/x.css"),
        ("templates/base.html", "templates/base.html"),
    ],
    ids=["source-text", "markdown-page", "static-file", "template"],
)
def test_a_file_linked_from_outside_the_project_is_refused(
    minimal: Path, tmp_path: Path, link: str, shown: str
):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:secret\n")
    (minimal / link).unlink(missing_ok=True)
    (minimal / link).symlink_to(secret)
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1
    assert (
        f"{shown}: {link} is a link to {secret}, outside the project: it is not read "
        "(copy the file into the project instead of linking to it)\n"
    ) in result.stderr
    assert not (minimal / "build").exists()


@pytest.mark.parametrize(
    "folder", ["content/zh", "templates/static"], ids=["pages-folder", "static-folder"]
)
def test_a_folder_linked_from_outside_the_project_is_refused(
    minimal: Path, tmp_path: Path, folder: str
):
    outside = tmp_path / "outside"
    shutil.move(minimal / folder, outside)
    (minimal / folder).symlink_to(outside)
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1
    assert f"{folder} is a link to {outside}, outside the project: it is not read" in result.stderr
    assert not (minimal / "build").exists()


@pytest.mark.parametrize(
    "place",
    ["templates/extra.html", "templates/static/pipe.css", "content/zh/goal-1.md"],
    ids=["template", "static", "markdown"],
)
def test_a_named_pipe_in_the_project_is_refused_without_waiting(minimal: Path, place: str):
    os.mkfifo(minimal / place)
    result = run_cli("build", "--project", str(minimal), timeout=60)
    assert result.returncode == 1
    assert (
        f"{place}: this is a named pipe (FIFO), not a file: it is not read "
        "(replace it with a regular file)\n"
    ) in result.stderr


def test_a_named_pipe_in_place_of_the_previous_builds_figures_is_not_waited_on(minimal: Path):
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    figures = minimal / "build/data/figures.json"
    figures.unlink()
    os.mkfifo(figures)
    result = run_cli("build", "--project", str(minimal), timeout=60)
    assert result.returncode == 0, result.stderr
    assert figures.is_file()


# Messages that name the real cause ----------------------------------------------------------


def refuse(monkeypatch, name: str, path: Path) -> None:
    """The system refuses ``os.NAME`` on ``path`` (permission denied), even to root."""
    real = getattr(os, name)

    def refused(target, *args, **kwargs):
        if os.fspath(target) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(target, *args, **kwargs)

    monkeypatch.setattr(os, name, refused)


def test_an_unreadable_asset_is_named_with_the_permission(minimal: Path, monkeypatch):
    asset = minimal / "templates/static/site.css"
    asset.chmod(0)
    refuse(monkeypatch, "open", asset)
    result = CliRunner().invoke(main, ["build", "--project", str(minimal)])
    assert result.exit_code == 1
    assert (
        "1. templates/static/site.css: cannot read the file: permission denied "
        "(let the account that runs zhoukou-report read it)\n"
    ) in result.output
    assert "could not write" not in result.output and "unexpected" not in result.output


@pytest.mark.parametrize(
    ("folder", "listing"),
    [("content/zh", "scandir"), ("templates", "listdir"), ("content", "listdir"),
     ("templates/static", "scandir")],
    ids=["pages", "templates", "content", "static"],
)  # fmt: skip
def test_an_unreadable_folder_is_named_with_the_permission(
    minimal: Path, monkeypatch, folder: str, listing: str
):
    (minimal / folder).chmod(0)
    try:
        refuse(monkeypatch, listing, minimal / folder)
        result = CliRunner().invoke(main, ["check", "--project", str(minimal)])
    finally:
        (minimal / folder).chmod(0o755)
    assert result.exit_code == 1
    assert (
        f". {folder}/: cannot read the folder: permission denied "
        "(let the account that runs zhoukou-report read and open it)\n"
    ) in result.output
    assert "unexpected" not in result.output


def test_a_stylesheet_that_is_not_utf8_is_named_at_its_line(minimal: Path):
    (minimal / "templates/static/site.css").write_bytes(b"body {}\n/* \xb0 */\n")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1
    assert (
        "1. templates/static/site.css:2: the file is not UTF-8 text "
        "(save it as UTF-8 in your editor)\n"
    ) in result.stderr
    assert "unexpected" not in result.stderr


@pytest.mark.parametrize(
    ("typed", "link"),
    [("goal&#45;9.html", "goal-9.html"), ("goal\\_9.html", "goal_9.html"),
     ("goal-9.html?a=1&amp;b=2", "goal-9.html?a=1&b=2")],
    ids=["entity", "backslash-escape", "escaped-ampersand"],
)  # fmt: skip
def test_a_broken_markdown_link_is_reported_where_it_is_typed(minimal: Path, typed: str, link: str):
    page = minimal / "content/zh/overview.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n[下文]({typed})\n", encoding="utf-8")
    result = run_cli("check", "--project", str(minimal))
    assert result.returncode == 1
    target = link.partition("?")[0]
    assert (
        f'1. content/zh/overview.md:3: broken link "{link}": there is no file {target}\n'
    ) in result.stderr


def test_a_file_the_system_refuses_anywhere_else_is_named_not_an_unexpected_problem(
    minimal: Path, monkeypatch
):
    from zhoukou_report import build

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/srv/www/site")

    monkeypatch.setattr(build, "assemble_site", refused)
    result = CliRunner().invoke(main, ["build", "--project", str(minimal)])
    assert result.exit_code == 1
    assert result.output == (
        "Error: /srv/www/site: Permission denied. No half-written site was left behind.\n"
    )


# Worker processes die with the build ------------------------------------------------------


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{pid}$", status, re.M):
                found.add(int(entry))
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie, killed and not yet reaped, is not)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


def wait_until(condition, tries: int = 600) -> bool:
    """Whether ``condition()`` comes true, asked every 50 ms, a bounded number of times."""
    for _ in range(tries):
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site large enough to be built by several processes; do not modify it."""
    folder = tmp_path_factory.mktemp("large")
    return synthetic.generate(folder / "project", PARALLEL_FROM + 50, base=SITES / "full")


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP],
                         ids=["SIGKILL", "SIGTERM", "SIGHUP"])  # fmt: skip
def test_the_workers_of_a_parallel_build_die_with_it(large: Path, tmp_path: Path, signum: int):
    project = large
    out = tmp_path / "site"
    command = [sys.executable, "-m", "zhoukou_report", "build", "--jobs", "2"]
    process = subprocess.Popen(
        [*command, "--project", str(project), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    workers: set[int] = set()
    try:
        assert wait_until(lambda: len(workers.update(children(process.pid)) or workers) >= 2)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
        assert wait_until(lambda: not alive(workers)), f"workers left: {alive(workers)}"
    finally:
        for pid in alive(workers):
            os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.communicate()
    if signum != signal.SIGKILL:
        assert process.returncode == 130, err
        assert err.endswith("Interrupted: no half-written site was left behind.\n"), err
        assert list(tmp_path.iterdir()) == []  # nothing left


def test_a_parallel_build_killed_leaves_what_the_next_build_removes(large: Path, tmp_path: Path):
    """Killed with its staging folder half written, its lock file held: the next build
    takes the lock, removes the folder and writes the site."""
    project = large
    out = tmp_path / "site"
    command = [sys.executable, "-m", "zhoukou_report", "build", "--jobs", "2"]
    command += ["--project", str(project), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: any(p.name.startswith(".site.new-") for p in tmp_path.iterdir()))
        process.kill()
        process.communicate()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# Limits: no text takes more than a few seconds ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("".join("  " * depth + "- a\n" for depth in range(1_000)),
         "content/zh/goals-intro.md:33: lists or quotes are nested 17 deep here, more than "
         "the 16 allowed (nest them less deeply)"),
        ("> " * 20 + "引文\n",
         "content/zh/goals-intro.md:1: lists or quotes are nested 17 deep here, more than "
         "the 16 allowed (nest them less deeply)"),
        ("正文。\n\n" + "[a](" * 250_000 + "\n",
         "content/zh/goals-intro.md:3: the line is 1,000,000 characters long, more than the "
         "2,000 a line may have (break it into paragraphs with an empty line between them)"),
        ("*a* [b](c.html)\n\n" * 2_000,
         "content/zh/goals-intro.md: the page is 34,000 characters long, more than the 20,000 a "
         "page may have (split it into several pages, or shorten it)"),
    ],
    ids=["list-1000-deep", "quotes-20-deep", "line-of-1-MB", "page-of-34000-characters"],
)  # fmt: skip
def test_a_text_too_large_or_deep_to_convert_is_refused_at_its_line(
    minimal: Path, text: str, expected: str
):
    (minimal / "content/zh/goals-intro.md").write_text(text, encoding="utf-8")
    result = run_cli("check", "--project", str(minimal), timeout=60)
    assert result.returncode == 1
    assert f". {expected}\n" in result.stderr


def test_an_interruption_that_breaks_the_clean_up_is_still_an_interruption(
    minimal: Path, monkeypatch
):
    """A process pool interrupted as it starts fails to shut down (RuntimeError: cannot
    join thread before it is started): the run was interrupted all the same."""
    from zhoukou_report import build

    def interrupted(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        finally:
            raise RuntimeError("cannot join thread before it is started")

    monkeypatch.setattr(build, "assemble_site", interrupted)
    result = CliRunner().invoke(main, ["build", "--project", str(minimal)])
    assert result.exit_code == 130
    assert result.output == "Interrupted: no half-written site was left behind.\n"
