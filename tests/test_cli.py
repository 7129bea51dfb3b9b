"""The ``build`` and ``check`` commands: exit codes, what they print, what they touch.

Most tests run the CLI as a real process, the way an editor types it; the ones that
inject a failure into the write stage use click's CliRunner in this process.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import edit, run_cli, tree_hash
from zhoukou_report import write
from zhoukou_report.cli import main
from zhoukou_report.write import MARKER

REFUSAL_END = (
    "nothing was changed. Choose a new or empty folder with --out, or one a previous build wrote."
)


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def numbered_lines(stderr: str) -> list[str]:
    return re.findall(r"^ *\d+\. (.*)$", stderr, re.M)


# check -------------------------------------------------------------------------------------


def test_check_on_clean_content_exits_0_and_writes_nothing(project: Path):
    before = tree_hash(project)
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"Checked \d+ pages in \d+ ms: no errors\.\n", result.stdout)
    assert result.stderr == ""
    assert tree_hash(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["content", "templates"]


def test_check_reports_every_content_error_and_exits_1(project: Path):
    edit(project / "content/figures.yaml", "    value: 6\n", "    value: six\n")
    edit(project / "content/en/goal-1.md", "title: ", "titel: ")
    before = tree_hash(project)
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert result.stdout == ""
    errors = numbered_lines(result.stderr)
    assert [error.split(":")[0] for error in errors] == [
        "content/en/goal-1.md",
        "content/en/goal-1.md",
        "content/figures.yaml",
    ]
    assert 'expected a number, got "six"' in errors[2]
    assert "Traceback" not in result.stderr
    assert tree_hash(project) == before


def test_check_runs_the_link_check(project: Path):
    page = project / "content/en/highlight-1.md"
    edit(page, "\n\n", "\n\nSee [the figures](figures.html#fig-nothing).\n\n")
    line = page.read_text().split("\n").index("See [the figures](figures.html#fig-nothing).") + 1
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert numbered_lines(result.stderr) == [
        f'content/en/highlight-1.md:{line}: broken link "figures.html#fig-nothing": '
        'en/figures.html has no element with id "fig-nothing"'
    ]
    assert not (project / "build").exists()


def test_check_strict_fails_on_a_warning(project: Path):
    edit(
        project / "content/figures.yaml", "source: 召开常委会会议6次", "source: 召开常委会会议的6次"
    )
    assert run_cli("check", "--project", str(project)).returncode == 0
    result = run_cli("check", "--project", str(project), "--strict")
    assert result.returncode == 1
    assert "is not in the source text" in numbered_lines(result.stderr)[0]


def test_a_missing_project_is_a_plain_error(tmp_path: Path):
    result = run_cli("check", "--project", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert numbered_lines(result.stderr) == [
        "content: there is no content folder here "
        "(run the command in the project folder, or give --project)"
    ]


# build: the output folder ------------------------------------------------------------------


def test_build_defaults_to_build_in_the_project_and_marks_it(project: Path):
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "build" / MARKER).is_file()
    assert (project / "build" / "index.html").is_file()
    assert leftovers(project / "build") == []


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        (".", "it holds the project itself"),
        ("content", "it is inside the project's content folder"),
        ("templates", "it is inside the project's templates folder"),
        ("content/zh", "it is inside the project's content folder"),
        ("/", "it is the root of the file system"),
        ("..", "it holds the project itself"),
    ],
    ids=["dot", "content", "templates", "content-zh", "root", "parent"],
)
def test_build_refuses_folders_of_the_project_and_the_system(project: Path, out: str, reason):
    before = tree_hash(project)
    result = run_cli("build", "--out", out, cwd=project)
    assert result.returncode == 1
    assert (
        result.stderr == f"Error: refusing to write the site into {out}: {reason}; {REFUSAL_END}\n"
    )
    assert tree_hash(project) == before


def test_build_refuses_the_home_folder(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "letter.txt").write_text("dear")
    (home / MARKER).write_text("even with a marker")  # someone copied one there
    before = tree_hash(home)
    command = [sys.executable, "-m", "zhoukou_report", "build", "--project", str(project)]
    cache = tmp_path / "cache"  # the renderer keeps compiled templates in ~/.cache otherwise
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(cache)}
    result = subprocess.run(
        [*command, "--out", "~"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 1
    assert (
        result.stderr
        == f"Error: refusing to write the site into ~: it is your home folder; {REFUSAL_END}\n"
    )
    assert tree_hash(home) == before
    assert leftovers(home) == []


def test_build_refuses_a_folder_holding_other_files(project: Path, tmp_path: Path):
    out = tmp_path / "site"
    (out / "photos").mkdir(parents=True)
    (out / "index.html").write_text("my own site")
    before = tree_hash(out)
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: refusing to write the site into {out}: it holds files that zhoukou-report "
        f"did not write (index.html, photos); {REFUSAL_END}\n"
    )
    assert tree_hash(out) == before
    assert leftovers(out) == []


def test_build_refuses_a_file(project: Path, tmp_path: Path):
    out = tmp_path / "site.zip"
    out.write_bytes(b"PK")
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: refusing to write the site into {out}: it is a file, not a folder; {REFUSAL_END}\n"
    )
    assert out.read_bytes() == b"PK"


@pytest.mark.parametrize("state", ["missing", "empty", "marked"])
def test_build_accepts_a_missing_empty_or_marked_folder(project: Path, tmp_path: Path, state):
    out = tmp_path / "site"
    if state != "missing":
        out.mkdir()
    if state == "marked":
        (out / MARKER).write_text("")
        (out / "stale.html").write_text("from a previous build")
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file()
    assert not (out / "stale.html").exists()
    assert leftovers(out) == []


# build: failures in the write stage --------------------------------------------------------


@pytest.fixture
def previous(project: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def fail_writes(monkeypatch, error: BaseException, after: int = 3) -> None:
    """Every file the write stage opens for writing after the first ``after`` raises
    ``error``; so does every link of an unchanged file to the previous build's."""
    real_open, real_link = builtins.open, os.link
    calls = []

    def open_file(file, mode="r", *args, **kwargs):
        if "w" in mode:
            calls.append(file)
            if len(calls) > after:
                raise error
        return real_open(file, mode, *args, **kwargs)

    def link(source, target, **kwargs) -> None:
        calls.append(target)
        if len(calls) > after:
            raise error
        real_link(source, target, **kwargs)

    monkeypatch.setattr(write, "open", open_file, raising=False)
    monkeypatch.setattr(os, "link", link)


def test_a_disk_error_while_writing_keeps_the_previous_site(project, previous, monkeypatch):
    edit(project / "content/figures.yaml", "    value: 6\n", "    value: 9\n")
    before = tree_hash(previous)
    fail_writes(monkeypatch, OSError(28, "No space left on device"))
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--out", str(previous)])
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Error: could not write the site into {previous}: No space left on device\n"
        "The previous site was left as it was.\n"
    )
    assert "Traceback" not in result.output
    assert tree_hash(previous) == before
    assert leftovers(previous) == []


def test_ctrl_c_while_writing_keeps_the_previous_site(project, previous, monkeypatch):
    before = tree_hash(previous)
    fail_writes(monkeypatch, KeyboardInterrupt())
    result = CliRunner().invoke(main, ["build", "--project", str(project), "--out", str(previous)])
    assert result.exit_code == 130
    assert result.stderr == "Interrupted: no half-written site was left behind.\n"
    assert tree_hash(previous) == before
    assert leftovers(previous) == []


def test_an_unexpected_exception_is_one_plain_line_and_keeps_the_previous_site(
    project, previous, monkeypatch
):
    before = tree_hash(previous)

    def broken_swap(staging: Path, target: Path) -> None:
        raise RuntimeError("a bug in the swap")

    monkeypatch.setattr(write, "_swap", broken_swap)
    args = ["build", "--project", str(project), "--out", str(previous)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: an unexpected problem stopped the run (RuntimeError: a bug in the swap). "
        "No half-written site was left behind. "
        "Run the command again with --debug to see where it happened, and report it.\n"
    )
    assert tree_hash(previous) == before
    assert leftovers(previous) == []

    debug = CliRunner().invoke(main, [*args, "--debug"])
    assert isinstance(debug.exception, RuntimeError)  # --debug lets it through, traceback and all
    assert tree_hash(previous) == before


def test_debug_shows_the_traceback_of_a_content_error(project: Path):
    edit(project / "content/site.yaml", "date: 2025-01-15", "date: soon")
    quiet = run_cli("check", "--project", str(project))
    loud = run_cli("check", "--project", str(project), "--debug")
    assert quiet.returncode == loud.returncode == 1
    assert "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr and "BuildFailed" in loud.stderr
    assert numbered_lines(loud.stderr) == numbered_lines(quiet.stderr)


def test_a_template_error_keeps_the_previous_site(project: Path, previous: Path):
    """Templates fail after the content passed: still nothing is written."""
    before = tree_hash(previous)
    shutil.copy(project / "templates/base.html", project / "templates/extra.html")
    edit(project / "templates/extra.html", "{% block main %}{% endblock %}", "{% block main %}")
    result = run_cli("build", "--project", str(project), "--out", str(previous))
    assert result.returncode == 1
    assert numbered_lines(result.stderr)[0].startswith("templates/extra.html:")
    assert tree_hash(previous) == before
    assert leftovers(previous) == []


def test_files_written_by_a_build_are_readable_by_others(project: Path, tmp_path: Path):
    """A web server running as another user must be able to read the site."""
    old = os.umask(0o022)
    try:
        out = tmp_path / "site"
        CliRunner().invoke(main, ["build", "--project", str(project), "--out", str(out)])
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o005 == 0o005
    assert (out / "en").stat().st_mode & 0o005 == 0o005
    assert (out / "index.html").stat().st_mode & 0o004 == 0o004


def test_build_refuses_a_link_that_leads_into_the_project(project: Path, tmp_path: Path):
    """The folder a path leads to counts, not how it is spelt: /x/../content is content."""
    link = tmp_path / "site"
    link.symlink_to(project / "content", target_is_directory=True)
    before = tree_hash(project)
    for out in (str(link), f"{tmp_path / 'elsewhere'}/../project/templates"):
        result = run_cli("build", "--project", str(project), "--out", out)
        assert result.returncode == 1
        assert "it is inside the project's" in result.stderr
    assert tree_hash(project) == before


HELP_IMPORTS = """
import sys
from zhoukou_report.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(sorted(name for name in {NAMES} if name in sys.modules))
"""


@pytest.mark.parametrize(
    ("args", "unwanted"),
    [
        (
            ["--help"],
            ["jinja2", "yaml", "markdown", "nh3", "logging", "watchfiles", "pathlib", "shutil"],
        ),
        (
            ["build", "--help"],
            ["jinja2", "yaml", "markdown", "nh3", "logging", "watchfiles", "pathlib", "shutil"],
        ),
    ],
)
def test_help_imports_nothing_it_does_not_need(args, unwanted):
    """Start-up is part of every command's time: --help pays for click and no more."""
    code = HELP_IMPORTS.replace("{NAMES}", repr(set(unwanted)))
    env = {**os.environ, "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    assert "Usage: " in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert max(len(line) for line in result.stdout.splitlines()[:-1]) <= 78  # COLUMNS honoured


def test_the_installed_command_skips_the_collectors_last_pass(monkeypatch):
    """``zhoukou-report`` is ``run``: main's exit status, with every object the process made
    left out of Python's last garbage collection (the system frees them at once)."""
    import gc
    from importlib.metadata import entry_points

    from zhoukou_report.cli import run

    (script,) = entry_points(group="console_scripts", name="zhoukou-report")
    assert script.value == "zhoukou_report.cli:run"
    monkeypatch.setattr(sys, "argv", ["zhoukou-report", "check", "--project", "/nowhere"])
    try:
        with pytest.raises(SystemExit) as exited:
            run()
        assert exited.value.code == 1
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
