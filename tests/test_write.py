"""write.py: refusing folders that are not ours, and replacing the output atomically.

``write_site`` takes the files as (path in the site, bytes) pairs, as build.py gives them;
``Staging`` writes them one by one into a new folder beside the output, swapped in on
success. Every refusal and failure is checked as the whole message the user reads.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
import stat
import sys
import threading
from pathlib import Path

import pytest

from helpers import tree_hash
from zhoukou_report import write
from zhoukou_report.errors import OutputRefused, WriteFailed
from zhoukou_report.files import same_file
from zhoukou_report.write import (
    MANIFEST_HEADING,
    MARKER,
    MARKER_TEXT,
    Staging,
    check_output,
    output_lock,
    previous_build,
    read_previous,
    write_site,
    write_staged,
)

FILES = {
    "index.html": b"<p>zh</p>",
    "en/index.html": b"<p>en</p>",
    "assets/site.css": b"body{}",
}
NEW_FILES = {"index.html": b"<p>new</p>", "en/other.html": b"<p>other</p>"}
CHOOSE = "Choose a new or empty folder with --out, or one a previous build wrote."


def refusal(out: Path | str, reason: str) -> str:
    """The whole message of a refused output folder."""
    return f"refusing to write the site into {out}: {reason}; nothing was changed. {CHOOSE}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project of its own (not the fixture sites'): write.py only needs its folders."""
    folder = tmp_path / "project"
    for name in ("content", "templates"):
        (folder / name).mkdir(parents=True)
        (folder / name / "keep.txt").write_text("keep")
    return folder


def beside(out: Path) -> list[str]:
    """What lies next to the output folder, other than the project and the output."""
    return sorted(p.name for p in out.parent.iterdir() if p.name not in ("project", out.name))


def files_in(out: Path) -> dict[str, bytes]:
    """Every file's bytes; the marker's without its list of files (``listed`` reads it)."""
    return {
        p.relative_to(out).as_posix(): (
            p.read_bytes().partition(MANIFEST_HEADING.encode())[0]
            if p.name == MARKER
            else p.read_bytes()
        )
        for p in sorted(out.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def listed(out: Path) -> list[str]:
    """The files the marker of ``out`` says its build wrote."""
    return (out / MARKER).read_text().partition(MANIFEST_HEADING)[2].splitlines()


def inodes(out: Path) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): p.stat().st_ino
        for p in out.rglob("*")
        if p.is_file() and p.name != MARKER
    }


# A new site --------------------------------------------------------------------------------


def test_a_missing_folder_is_created_with_every_file_and_the_marker(project: Path):
    out = project.parent / "sites" / "2025" / "report"
    assert write_site(FILES.items(), out, project) == out.resolve()
    assert files_in(out) == {**FILES, MARKER: MARKER_TEXT.encode()}
    assert beside(out) == []


def test_the_marker_says_what_the_folder_is():
    assert MARKER == ".zhoukou-report"
    assert MARKER_TEXT == (
        "This folder was written by zhoukou-report.\n"
        "It is replaced as a whole on every build: keep nothing else in it.\n"
    )


def test_the_files_may_come_from_a_generator_and_nest_deeply(project: Path):
    out = project.parent / "site"
    names = ["a/b/c/d.html", "a/b/e.html", "a/f.html", "a/b/c/g.html", "h.html"]
    write_site(((name, name.encode()) for name in names), out, project)
    assert files_in(out) == {MARKER: MARKER_TEXT.encode(), **{n: n.encode() for n in names}}


def test_the_output_folder_gets_the_usual_permissions(project: Path):
    umask = os.umask(0o022)
    try:
        out = project.parent / "site"
        write_site(FILES.items(), out, project)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755  # not mkdtemp's 0o700
    assert stat.S_IMODE((out / "index.html").stat().st_mode) == 0o644


def test_an_empty_folder_is_accepted(project: Path):
    out = project.parent / "site"
    out.mkdir()
    write_site(FILES.items(), out, project)
    assert files_in(out) == {**FILES, MARKER: MARKER_TEXT.encode()}


def test_a_previous_build_is_replaced_as_a_whole(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    assert write_site(NEW_FILES.items(), out, project) == out.resolve()
    assert files_in(out) == {**NEW_FILES, MARKER: MARKER_TEXT.encode()}
    assert beside(out) == []


def test_a_previous_build_with_files_added_by_hand_is_still_ours(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    (out / "notes.txt").write_text("added")
    write_site(NEW_FILES.items(), out, project)
    assert not (out / "notes.txt").exists()


def test_an_output_given_from_home_is_expanded(project: Path, tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert write_site(FILES.items(), Path("~/site"), project) == home / "site"
    assert (home / "site" / "index.html").read_bytes() == FILES["index.html"]
    assert read_previous(Path("~/site"), "index.html") == FILES["index.html"]


# Refused folders ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        (lambda project: Path("/"), "it is the root of the file system"),
        (lambda project: project, "it holds the project itself"),
        (lambda project: project.parent, "it holds the project itself"),
        (lambda project: project / "content", "it is inside the project's content folder"),
        (lambda project: project / "templates", "it is inside the project's templates folder"),
        (lambda project: project / "templates" / "new", "it is inside the project's templates folder"),
        (lambda project: project / "content" / "keep.txt", "it is inside the project's content folder"),
        (lambda project: project / "src", "it is inside the project's src folder"),
        (lambda project: project / "tests" / "out", "it is inside the project's tests folder"),
        (lambda project: project / ".git", "it is inside the project's .git folder"),
    ],
    ids=["root", "project", "above-project", "content", "templates", "in-templates",
         "in-content", "src", "in-tests", "git"],
)  # fmt: skip
def test_folders_of_the_system_and_the_project_are_refused(project, where, reason):
    before = tree_hash(project.parent)
    out = where(project)
    with pytest.raises(OutputRefused) as caught:
        write_site(FILES.items(), out, project)
    assert str(caught.value) == refusal(out, reason)
    assert tree_hash(project.parent) == before


def test_the_home_folder_is_refused(project: Path, tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(OutputRefused) as caught:
        write_site(FILES.items(), Path("~"), project)
    assert str(caught.value) == refusal("~", "it is your home folder")
    assert list(home.iterdir()) == []


def test_without_a_home_folder_there_is_none_to_protect(project: Path, monkeypatch):
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)
    out = project.parent / "site"
    assert check_output(out, project) == out.resolve()


def test_a_file_is_refused(project: Path):
    file = project.parent / "site.html"
    file.write_text("mine")
    with pytest.raises(OutputRefused) as caught:
        write_site(FILES.items(), file, project)
    assert str(caught.value) == refusal(file, "it is a file, not a folder")
    assert file.read_text() == "mine"


@pytest.mark.parametrize(
    ("names", "shown"),
    [
        (["notes.txt"], "notes.txt"),
        ([".hidden", "notes.txt"], ".hidden, notes.txt"),
        (["c", "a", "b"], "a, b, c"),
        (["d", "c", "a", "b"], "a, b, c, …"),
        ([MARKER + "-not"], MARKER + "-not"),
    ],
    ids=["one", "two", "three", "four", "marker-like"],
)
def test_a_folder_holding_other_files_is_refused_and_named(
    project: Path, names: list[str], shown: str
):
    out = project.parent / "site"
    out.mkdir()
    for name in names:
        (out / name).write_text("mine")
    before = tree_hash(out)
    with pytest.raises(OutputRefused) as caught:
        write_site(FILES.items(), out, project)
    assert str(caught.value) == refusal(
        out, f"it holds files that zhoukou-report did not write ({shown})"
    )
    assert tree_hash(out) == before
    assert beside(out) == []


def test_a_marker_that_is_a_folder_is_no_marker(project: Path):
    out = project.parent / "site"
    (out / MARKER).mkdir(parents=True)
    with pytest.raises(OutputRefused) as caught:
        write_site(FILES.items(), out, project)
    assert str(caught.value) == refusal(
        out, f"it holds files that zhoukou-report did not write ({MARKER})"
    )


@pytest.mark.parametrize(
    ("error", "shown"),
    [(PermissionError(13, "Permission denied"), "Permission denied"), (OSError("gone"), "gone")],
    ids=["with-strerror", "without"],
)
def test_a_folder_that_cannot_be_read_is_refused(project, monkeypatch, error, shown):
    out = project.parent / "site"
    out.mkdir()

    def unreadable(folder: Path):
        raise error

    monkeypatch.setattr(Path, "iterdir", unreadable)
    with pytest.raises(OutputRefused) as caught:
        check_output(out, project)
    assert str(caught.value) == refusal(out, f"it cannot be read ({shown})")


def test_a_sibling_with_a_longer_name_is_not_inside_the_project(project: Path):
    """``/x/project2`` starts with ``/x/project`` as a string, yet is another folder."""
    out = project.parent / "project2"
    write_site(FILES.items(), out, project)
    assert (out / "index.html").is_file()


# Paths inside the site ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    ["../escape.html", "en/../../a.html", "en/./a.html", "en//a.html", "/a.html", "a\\b.html",
     "", ".", "..", "en/", "en/.."],
    ids=["parent", "climbs", "dot", "empty-part", "absolute", "backslash", "empty", "only-dot",
         "only-dots", "trailing-slash", "ends-in-dots"],
)  # fmt: skip
def test_a_path_that_is_not_plain_is_refused_and_nothing_is_left(project: Path, rel: str):
    out = project.parent / "site"
    with pytest.raises(OutputRefused) as caught:
        write_site([("index.html", b"x"), (rel, b"y")], out, project)
    assert str(caught.value) == f"refusing to write {rel}: it lies outside the output folder"
    assert beside(out) == [] and not out.exists()


@pytest.mark.parametrize(
    "rel", ["a..b.html", "..a.html", ".well-known/x"], ids=["dots-inside", "leading-dots", "hidden"]
)
def test_a_name_with_dots_is_plain(project: Path, rel: str):
    out = project.parent / "site"
    write_site([(rel, b"y")], out, project)
    assert (out / rel).read_bytes() == b"y"


def test_the_same_file_twice_is_refused(project: Path):
    out = project.parent / "site"
    with (
        pytest.raises(OutputRefused) as caught,
        Staging(out, project) as staging,
    ):
        staging.write("en/a.html", b"1")
        staging.write("en/a.html", b"2")
    assert str(caught.value) == "refusing to write en/a.html twice"
    assert beside(out) == [] and not out.exists()


# Failures ----------------------------------------------------------------------------------


class FailingOpen:
    """``open`` in write.py that fails on the n-th file opened for writing."""

    def __init__(self, monkeypatch, error: BaseException, after: int):
        self.calls = 0
        self.error = error
        self.after = after
        monkeypatch.setattr(write, "open", self, raising=False)

    def __call__(self, file, mode="r", *args, **kwargs):
        if "w" in mode:
            self.calls += 1
            if self.calls > self.after:
                raise self.error
        return builtins.open(file, mode, *args, **kwargs)


@pytest.mark.parametrize(
    "error",
    [OSError(28, "No space left on device"), OSError("disk gone"), KeyboardInterrupt(), RuntimeError("bug")],
    ids=["disk-full", "no-strerror", "ctrl-c", "exception"],
)  # fmt: skip
def test_a_write_that_fails_part_way_leaves_the_previous_site(project, monkeypatch, error):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    before = tree_hash(out)
    FailingOpen(monkeypatch, error, after=1)
    expected = WriteFailed if isinstance(error, OSError) else type(error)
    with pytest.raises(expected) as caught:
        write_site(NEW_FILES.items(), out, project)
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        assert str(caught.value) == f"could not write the site into {out}: {reason}"
        assert caught.value.__cause__ is error
    assert tree_hash(out) == before
    assert beside(out) == []


def test_a_failure_is_reported_at_the_folder_as_given(project, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    FailingOpen(monkeypatch, OSError(28, "No space left on device"), after=0)
    with pytest.raises(WriteFailed) as caught:
        write_site(FILES.items(), Path("~/site"), project)
    assert str(caught.value) == "could not write the site into ~/site: No space left on device"


def test_a_folder_that_cannot_be_made_is_a_write_failure(project: Path):
    """Its parent is a file: nothing is made, nothing is left."""
    parent = project.parent / "site.txt"
    parent.write_text("mine")
    out = parent / "site"
    with pytest.raises(WriteFailed) as caught:
        write_site(FILES.items(), out, project)
    assert str(caught.value) == f"could not write the site into {out}: File exists"
    assert parent.read_text() == "mine"
    assert beside(parent) == []


def test_a_marker_that_cannot_be_written_leaves_nothing(project: Path, monkeypatch):
    out = project.parent / "site"
    real = Path.write_text

    def full(path: Path, *args, **kwargs):
        if path.name == MARKER:
            raise OSError(28, "No space left on device")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(WriteFailed) as caught:
        write_site(FILES.items(), out, project)
    assert str(caught.value) == f"could not write the site into {out}: No space left on device"
    assert beside(out) == [] and not out.exists()


def test_a_failing_swap_puts_the_previous_site_back(project: Path, monkeypatch):
    """Where folders cannot be exchanged in one step, the swap is two renames."""
    monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    before = tree_hash(out)
    real = os.rename
    calls = []

    def rename(source, destination):
        calls.append((source, destination))
        if len(calls) == 2:  # the new build into place: after the old one was moved aside
            raise KeyboardInterrupt
        return real(source, destination)

    monkeypatch.setattr(write.os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        write_site(NEW_FILES.items(), out, project)
    assert len(calls) == 3  # aside, (interrupted), back
    assert tree_hash(out) == before
    assert beside(out) == []


@pytest.mark.parametrize("previous", [False, True], ids=["new-folder", "replacing"])
def test_a_swap_refused_by_the_system_is_a_write_failure(project, monkeypatch, previous):
    monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    out = project.parent / "site"
    if previous:
        write_site(FILES.items(), out, project)
    before = tree_hash(out)

    def rename(source, destination):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(write.os, "rename", rename)
    with pytest.raises(WriteFailed) as caught:
        write_site(NEW_FILES.items(), out, project)
    assert str(caught.value) == f"could not write the site into {out}: Permission denied"
    assert tree_hash(out) == before
    assert beside(out) == []


@pytest.mark.parametrize("removed", [False, True], ids=["before-removing", "after-removing"])
def test_a_failed_build_interrupted_while_cleaning_up_still_cleans_up(
    project, monkeypatch, removed
):
    """Ctrl-C during the removal of the new folder (before it is gone, or just as it is
    gone): it is removed all the same, and the Ctrl-C goes on."""
    out = project.parent / "site"
    real = shutil.rmtree
    calls = []

    def interrupted(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 1:
            if removed:
                real(path)
            raise KeyboardInterrupt
        return real(path, *args, **kwargs)

    monkeypatch.setattr(write.shutil, "rmtree", interrupted)
    with pytest.raises(KeyboardInterrupt), Staging(out, project) as staging:
        staging.write("index.html", b"x")
        raise RuntimeError("a later stage fails")
    assert len(calls) == 2
    assert beside(out) == [] and not out.exists()


def test_a_new_folder_already_gone_does_not_hide_why_the_build_failed(project: Path):
    out = project.parent / "site"
    with pytest.raises(RuntimeError, match="a later stage fails"), Staging(out, project) as staging:
        shutil.rmtree(staging.folder)  # by someone else, meanwhile
        raise RuntimeError("a later stage fails")
    assert beside(out) == [] and not out.exists()


# Leftovers of killed builds ----------------------------------------------------------------


def test_folders_a_killed_build_left_behind_are_removed(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    for name in (".site.new-dead0001", ".site.old-dead0002"):
        (project.parent / name / "en").mkdir(parents=True)
        (project.parent / name / MARKER).write_text("")
    (project.parent / ".site.new-dead0003").mkdir()  # killed before its marker
    stranger = project.parent / ".site.new-notours"
    stranger.mkdir()
    (stranger / "data.txt").write_text("someone's")
    (project.parent / ".site.old-file").write_text("a file, not a folder")
    (project.parent / ".site.other-dead0004").mkdir()  # not one of ours by its name
    (project.parent / ".other.new-dead0005").mkdir()
    (project.parent / ".other.new-dead0005" / MARKER).write_text("")
    linked = project.parent / ".site.old-link"
    linked.symlink_to(project.parent / ".other.new-dead0005")
    write_site(NEW_FILES.items(), out, project)
    assert beside(out) == [
        ".other.new-dead0005",
        ".site.new-notours",
        ".site.old-file",
        ".site.old-link",
        ".site.other-dead0004",
    ]
    assert (stranger / "data.txt").read_text() == "someone's"
    assert (project.parent / ".other.new-dead0005" / MARKER).is_file()


def test_the_folders_beside_the_output_are_named_as_the_leftovers_they_may_become(
    project: Path, monkeypatch
):
    """What a killed build leaves is what the next one removes: .site.new-* and .site.old-*
    (the two renames of a system that cannot exchange two folders in one step)."""
    monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    real = os.rename
    renamed = []

    def rename(source, destination):
        renamed.append((Path(source).name, Path(destination).name))
        return real(source, destination)

    monkeypatch.setattr(write.os, "rename", rename)
    with Staging(out, project) as staging:
        assert staging.folder.parent == out.parent
        assert re.fullmatch(r"\.site\.new-[0-9a-f]+", staging.folder.name)
        staging.write("index.html", b"x")
    (aside, old), (new, site) = renamed
    assert (aside, new, site) == ("site", staging.folder.name, "site")
    assert re.fullmatch(r"\.site\.old-[0-9a-f]+", old)


def test_a_leftover_that_cannot_be_removed_does_not_stop_the_build(project, monkeypatch):
    out = project.parent / "site"
    leftover = project.parent / ".site.old-dead0001"
    leftover.mkdir()
    (leftover / MARKER).write_text("")
    (leftover / "stuck.html").write_text("x")
    real = os.unlink

    def unlink(path, *args, **kwargs):
        if os.fspath(path).endswith("stuck.html"):
            raise PermissionError(1, "Operation not permitted")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink)
    write_site(FILES.items(), out, project)
    assert files_in(out) == {**FILES, MARKER: MARKER_TEXT.encode()}
    assert beside(out) == [".site.old-dead0001"]


def test_a_new_folder_never_takes_an_existing_name(project: Path, monkeypatch):
    """A file of someone else's with the name the new folder would get is left alone."""
    out = project.parent / "site"
    taken = project.parent / ".site.new-00000000"
    taken.write_text("someone's")
    draws = iter([b"\0\0\0\0", b"\0\0\0\0", b"\1\1\1\1"])
    monkeypatch.setattr(write.os, "urandom", lambda size: next(draws))
    write_site(FILES.items(), out, project)
    assert files_in(out) == {**FILES, MARKER: MARKER_TEXT.encode()}
    assert taken.read_text() == "someone's"
    assert beside(out) == [".site.new-00000000"]


# The previous build ------------------------------------------------------------------------


def test_read_previous_reads_only_from_a_build_of_ours(project: Path, tmp_path: Path):
    out = project.parent / "site"
    assert read_previous(out, "index.html") is None
    write_site(FILES.items(), out, project)
    assert read_previous(out, "en/index.html") == b"<p>en</p>"
    assert read_previous(out, "missing.json") is None
    assert read_previous(out, "en") is None  # a folder cannot be read as a file
    assert read_previous(out, "../project/content/keep.txt") is None
    (tmp_path / "secret.txt").write_text("secret")
    (out / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert read_previous(out, "link.txt") is None
    (out / MARKER).unlink()
    assert read_previous(out, "index.html") is None


def test_an_unchanged_file_is_linked_from_the_previous_build_and_a_changed_one_written(
    project: Path,
):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    before = inodes(out)
    changed = {**FILES, "index.html": b"<p>zh, corrected</p>", "en/new.html": b"<p>new</p>"}
    write_site(changed.items(), out, project)
    after = inodes(out)
    assert after["en/index.html"] == before["en/index.html"]  # the same file, kept
    assert after["assets/site.css"] == before["assets/site.css"]
    assert after["index.html"] != before["index.html"]
    for rel, data in changed.items():
        assert (out / rel).read_bytes() == data
        assert (out / rel).stat().st_nlink == 1  # the previous build's name is gone
    assert beside(out) == []


def test_a_previous_build_elsewhere_lends_its_unchanged_files(project: Path):
    """``previous``: serve writes into a folder of its own, from the build before."""
    previous = project.parent / "before"
    write_site(FILES.items(), previous, project)
    out = project.parent / "site"
    write_site(FILES.items(), out, project, previous=previous)
    assert inodes(out) == inodes(previous)


def test_a_previous_folder_that_is_not_a_build_lends_nothing(project: Path):
    previous = project.parent / "before"
    write_site(FILES.items(), previous, project)
    (previous / MARKER).unlink()
    out = project.parent / "site"
    write_site(FILES.items(), out, project, previous=previous)
    assert not set(inodes(out).values()) & set(inodes(previous).values())


def test_a_failed_build_leaves_the_files_it_linked_as_they_were(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    before = tree_hash(out)
    with pytest.raises(RuntimeError), Staging(out, project) as staging:
        staging.write("en/index.html", FILES["en/index.html"])  # linked
        assert (out / "en" / "index.html").stat().st_nlink == 2
        raise RuntimeError("a later stage fails")
    assert tree_hash(out) == before
    assert (out / "en" / "index.html").stat().st_nlink == 1
    assert beside(out) == []


@pytest.mark.parametrize(
    "previous",
    ["same-size", "longer", "shorter", "symlink", "folder", "missing"],
    ids=["same-size-other-bytes", "longer", "shorter", "symbolic-link", "folder", "missing"],
)
def test_a_file_is_written_afresh_unless_the_previous_one_is_a_plain_file_with_its_bytes(
    project: Path, tmp_path: Path, previous: str
):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    page = out / "en" / "index.html"
    page.unlink()
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_bytes(FILES["en/index.html"])
    if previous == "same-size":
        page.write_bytes(b"<p>EN</p>")
    elif previous == "longer":
        page.write_bytes(FILES["en/index.html"] + b"\n")
    elif previous == "shorter":
        page.write_bytes(FILES["en/index.html"][:-1])
    elif previous == "symlink":
        page.symlink_to(elsewhere)
    elif previous == "folder":
        page.mkdir()
    write_site(FILES.items(), out, project)
    assert not page.is_symlink()
    assert page.read_bytes() == FILES["en/index.html"]
    assert page.stat().st_nlink == 1
    assert page.stat().st_ino != elsewhere.stat().st_ino


@pytest.mark.parametrize(
    ("size", "changed_at"),
    [((1 << 20) * 2 + 5, None), ((1 << 20) * 2 + 5, (1 << 20) * 2 + 1), (1 << 20, (1 << 20) - 1)],
    ids=["unchanged", "last-chunk", "exactly-one-chunk"],
)  # fmt: skip
def test_a_large_file_is_compared_to_its_last_byte(project: Path, size: int, changed_at):
    out = project.parent / "site"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    write_site([("big.bin", data)], out, project)
    before = inodes(out)["big.bin"]
    if changed_at is not None:
        data = data[:changed_at] + b"!" + data[changed_at + 1 :]
    write_site([("big.bin", data)], out, project)
    assert (out / "big.bin").read_bytes() == data
    assert (inodes(out)["big.bin"] == before) == (changed_at is None)


def test_an_empty_file_is_linked_when_unchanged(project: Path):
    out = project.parent / "site"
    write_site([("empty.txt", b"")], out, project)
    before = inodes(out)
    write_site([("empty.txt", b"")], out, project)
    assert inodes(out) == before


def test_without_hard_links_every_file_is_written(project: Path, monkeypatch):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    before = inodes(out)

    def refuse(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(write.os, "link", refuse)
    write_site(FILES.items(), out, project)
    after = inodes(out)
    assert all(after[rel] != before[rel] for rel in FILES)
    assert all((out / rel).read_bytes() == data for rel, data in FILES.items())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_named_pipe_in_place_of_an_empty_file_is_not_linked(project: Path):
    """A pipe reads as empty, as the file was: it is still no file to share."""
    out = project.parent / "site"
    write_site([("empty.txt", b"")], out, project)
    (out / "empty.txt").unlink()
    os.mkfifo(out / "empty.txt")
    write_site([("empty.txt", b"")], out, project)
    assert stat.S_ISREG((out / "empty.txt").lstat().st_mode)


def test_a_previous_file_that_cannot_be_read_is_written_afresh(project: Path, monkeypatch):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    before = inodes(out)

    def failing(fd: int, size: int) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "read", failing)
    write_site(FILES.items(), out, project)
    monkeypatch.undo()
    after = inodes(out)
    assert all(after[rel] != before[rel] for rel in FILES)
    assert files_in(out) == {**FILES, MARKER: MARKER_TEXT.encode()}


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="no /proc/self/fd here")
def test_comparing_with_the_previous_build_leaves_no_file_open(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    changed = {**FILES, "index.html": b"<p>zh, corrected</p>"}  # one of each outcome
    open_before = len(os.listdir("/proc/self/fd"))
    write_site(changed.items(), out, project)
    assert len(os.listdir("/proc/self/fd")) == open_before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_named_pipe_in_place_of_a_previous_file_does_not_hold_up_the_build(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    page = out / "en" / "index.html"
    page.unlink()
    os.mkfifo(page)
    done = threading.Event()

    def build() -> None:
        write_site(FILES.items(), out, project)
        done.set()

    threading.Thread(target=build, daemon=True).start()
    if not done.wait(10):
        os.close(os.open(page, os.O_WRONLY | os.O_NONBLOCK))  # let the stuck open go
        pytest.fail("the build waited for a writer of the named pipe")
    assert page.read_bytes() == FILES["en/index.html"]


# Files found the same as they were rendered -----------------------------------------------


def test_a_file_found_the_same_is_linked_from_the_previous_build(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    before = inodes(out)
    same = same_file(str(out / "en/index.html"), FILES["en/index.html"])
    assert same is not None and same.inode == before["en/index.html"]
    assert same_file(str(out / "en/index.html"), b"<p>other</p>") is None
    assert same_file(str(out / "en/missing.html"), b"") is None
    write_site([("en/index.html", same), ("index.html", b"<p>new</p>")], out, project)
    assert files_in(out) == {
        MARKER: MARKER_TEXT.encode(),
        "en/index.html": FILES["en/index.html"],
        "index.html": b"<p>new</p>",
    }
    assert inodes(out)["en/index.html"] == before["en/index.html"]


def test_a_file_replaced_since_it_was_found_the_same_fails_the_write(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    same = same_file(str(out / "index.html"), FILES["index.html"])
    (out / "index.html").unlink()
    (out / "index.html").write_bytes(FILES["index.html"])  # the same bytes, another file
    before = tree_hash(out)
    with pytest.raises(WriteFailed) as failure:
        write_site([("index.html", same)], out, project)
    assert str(failure.value) == (
        f"could not write the site into {out}: index.html of the previous build changed "
        "while this build ran; build again"
    )
    assert tree_hash(out) == before
    assert beside(out) == []


def test_a_file_found_the_same_is_copied_where_there_are_no_hard_links(project, monkeypatch):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    same = same_file(str(out / "index.html"), FILES["index.html"])

    def no_links(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    write_site([("index.html", same)], out, project)
    assert (out / "index.html").read_bytes() == FILES["index.html"]


@pytest.mark.parametrize("replacement", ["removed", "link"])
def test_a_file_found_the_same_but_gone_or_a_link_since_fails_the_write(
    project: Path, replacement: str
):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    same = same_file(str(out / "index.html"), FILES["index.html"])
    kept = project.parent / "kept.html"
    os.rename(out / "index.html", kept)  # the same file, elsewhere
    if replacement == "link":
        (out / "index.html").symlink_to(kept)
    with pytest.raises(WriteFailed, match=r"index\.html of the previous build changed"):
        write_site([("index.html", same)], out, project)
    assert (out / "index.html").is_symlink() == (replacement == "link")


def test_the_previous_build_is_a_folder_of_ours_given_as_it_is_typed(project, monkeypatch):
    out = project.parent / "site"
    assert previous_build(out) is None  # none yet
    out.mkdir()
    (out / "index.html").write_text("not ours")
    assert previous_build(out) is None
    (out / "index.html").unlink()
    write_site(FILES.items(), out, project)
    assert previous_build(out) == out
    monkeypatch.setenv("HOME", str(project.parent))
    assert previous_build(Path("~/site")) == out


# Reliability: one step swaps, leftovers, foreign files, the lock ------------------------------


def test_a_previous_build_is_exchanged_in_one_step_never_leaving_no_folder(project, monkeypatch):
    """Linux exchanges the two folders in one step (renameat2): no rename at all, so no
    moment without an output folder, for a kill to make lasting."""
    out = project.parent / "site"
    write_site(FILES.items(), out, project)

    def rename(source, destination):
        raise AssertionError(f"renamed {source} to {destination}")

    monkeypatch.setattr(write.os, "rename", rename)
    write_site(NEW_FILES.items(), out, project)
    assert files_in(out) == {**NEW_FILES, MARKER: MARKER_TEXT.encode()}
    assert beside(out) == []


def test_a_leftover_half_removed_is_removed_by_its_name(project: Path):
    """A kill during the removal of an old build can take its marker first: the name
    (.site.old- and eight hex digits) still says whose it is."""
    out = project.parent / "site"
    for name in (".site.old-0123abcd", ".site.new-fedc3210"):
        (project.parent / name / "en").mkdir(parents=True)
        (project.parent / name / "en" / "index.html").write_text("old")
    write_site(FILES.items(), out, project)
    assert beside(out) == []


def test_the_marker_lists_every_file_written(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    assert listed(out) == sorted(FILES)


def test_files_the_previous_build_did_not_write_are_named_as_they_are_removed(project: Path):
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    (out / "notes.txt").write_text("someone's")
    (out / "en" / "draft.html").write_text("someone's")
    (out / "linked").symlink_to(project / "content")  # a folder of links: not followed
    staging = write_staged(NEW_FILES.items(), out, project)
    assert staging.foreign == ["en/draft.html", "linked", "notes.txt"]  # not assets/…: ours
    assert (project / "content" / "keep.txt").read_text() == "keep"
    assert files_in(out) == {**NEW_FILES, MARKER: MARKER_TEXT.encode()}
    assert write_staged(NEW_FILES.items(), out, project).foreign == []


def test_a_marker_without_a_list_of_files_names_no_foreign_file(project: Path):
    """A folder of an earlier version of the tool: what it wrote is not known."""
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    (out / MARKER).write_text(MARKER_TEXT)
    assert write_staged(NEW_FILES.items(), out, project).foreign == []


def test_a_second_build_waits_for_the_lock_then_is_refused_naming_its_holder(project: Path):
    out = project.parent / "site"
    with output_lock(out), pytest.raises(OutputRefused) as caught, output_lock(out, wait=0.2):
        pass
    lock = project.parent / ".site.lock"
    assert re.fullmatch(
        rf"another build is writing into {re.escape(str(out))} \(process {os.getpid()}, "
        rf"since \d\d:\d\d:\d\d, holding {re.escape(str(lock))}\); nothing was changed\. "
        r"Wait until it has finished, then build again\.",
        str(caught.value),
    )
    with output_lock(out, wait=0):  # released with its holder
        pass


def test_a_lock_file_a_killed_build_left_is_taken_over_and_removed(project: Path):
    out = project.parent / "site"
    (project.parent / ".site.lock").write_text("process 1, since 00:00:00, of a longer text\n")
    with output_lock(out, wait=0):
        holder = (project.parent / ".site.lock").read_text()
        assert re.fullmatch(rf"process {os.getpid()}, since \d\d:\d\d:\d\d\n", holder)
    assert beside(out) == []


def second_waits_for_first(out: Path) -> None:
    """A build holds the lock a short while; a second one waits for it, then holds it."""
    held, done = threading.Event(), threading.Event()

    def first() -> None:
        with output_lock(out):
            held.set()
            done.wait(0.3)  # a short build

    thread = threading.Thread(target=first)
    thread.start()
    held.wait()
    with output_lock(out, wait=30):  # waits, then holds it
        assert (out.parent / ".site.lock").read_text().startswith(f"process {os.getpid()},")
    thread.join()


def test_a_second_build_waits_for_the_first_to_finish(project: Path):
    out = project.parent / "site"
    second_waits_for_first(out)
    assert beside(out) == []


def test_a_lock_held_before_its_holder_said_who_it_is_names_a_process(project: Path):
    import fcntl

    out = project.parent / "site"
    lock = project.parent / ".site.lock"
    with open(lock, "w") as other:  # locked, nothing written yet
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(OutputRefused, match=r"\(a process, holding "), output_lock(out, 0):
            pass


def test_the_lock_is_made_in_a_folder_that_does_not_exist_yet(project: Path):
    out = project.parent / "new" / "deeper" / "site"
    with output_lock(out, wait=0):
        assert (out.parent / ".site.lock").is_file()


def test_a_lock_file_that_is_a_link_is_refused(project: Path, tmp_path: Path):
    out = project.parent / "site"
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not to be written")
    (project.parent / ".site.lock").symlink_to(elsewhere)
    with pytest.raises(WriteFailed) as caught, output_lock(out, wait=0):
        pass
    lock = project.parent / ".site.lock"
    assert str(caught.value) == (
        f"could not write the site into {out}: cannot make its lock file {lock}: "
        "Too many levels of symbolic links"
    )
    assert elsewhere.read_text() == "not to be written"


def open_descriptors() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_the_lock_leaves_no_file_open_however_it_goes(project: Path, monkeypatch):
    """Held and released, refused after waiting, or its file replaced while it was opened:
    every descriptor the lock opened is closed."""
    out = project.parent / "site"
    before = open_descriptors()
    with output_lock(out, wait=0):
        pass
    assert open_descriptors() == before
    with output_lock(out), pytest.raises(OutputRefused), output_lock(out, wait=0.2):
        pass
    assert open_descriptors() == before
    real, checked = write._same_inode, []

    def replaced_once(fd: int, path: Path) -> bool:
        checked.append(fd)  # the first file opened was removed by its holder meanwhile
        return len(checked) > 1 and real(fd, path)

    monkeypatch.setattr(write, "_same_inode", replaced_once)
    with output_lock(out, wait=0):
        pass
    assert len(checked) == 2
    assert open_descriptors() == before


def test_a_lock_file_removed_as_it_was_locked_is_made_again(project: Path, monkeypatch):
    """The build that held it removed the file between our opening and locking it: the
    lock of a file no longer there keeps nobody out, so a new file is made and locked."""
    out = project.parent / "site"
    lock = project.parent / ".site.lock"
    real, removed = write._lock_function(), []

    def removed_once(fd: int) -> bool:
        if not removed:
            removed.append(fd)
            lock.unlink()  # as the build that held it does when it ends
        return real(fd)

    monkeypatch.setattr(write, "_lock_function", lambda: removed_once)
    with output_lock(out, wait=0):
        assert lock.read_text().startswith(f"process {os.getpid()},")
    assert removed


def test_the_lock_file_is_readable_by_others(project: Path):
    out = project.parent / "site"
    umask = os.umask(0o022)
    try:
        with output_lock(out, wait=0):
            mode = stat.S_IMODE((project.parent / ".site.lock").stat().st_mode)
    finally:
        os.umask(umask)
    assert mode == 0o644


def test_a_holder_that_is_not_utf8_is_named_as_well_as_it_can_be(project: Path):
    import fcntl

    out = project.parent / "site"
    with open(project.parent / ".site.lock", "wb") as other:
        other.write(b"process \xff\n")
        other.flush()
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(OutputRefused, match="\\(process \ufffd, holding "), output_lock(out, 0):
            pass


class FakeMsvcrt:
    """Windows' ``msvcrt.locking`` as Windows behaves (a lock of the bytes from the file's
    position, released when the file is closed; ``PermissionError`` if another holds it),
    made of ``flock``; records every call."""

    LK_NBLCK = 2

    def __init__(self) -> None:
        import fcntl

        self.flock = fcntl.flock
        self.exclusive = fcntl.LOCK_EX | fcntl.LOCK_NB
        self.calls: list[tuple[int, int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        self.calls.append((mode, os.lseek(fd, 0, os.SEEK_CUR), nbytes))
        try:
            self.flock(fd, self.exclusive)
        except BlockingIOError:
            raise PermissionError(13, "Permission denied") from None


@pytest.fixture
def windows(monkeypatch) -> FakeMsvcrt:
    """No fcntl, and msvcrt (faked) in its place."""
    fake = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    return fake


def test_without_fcntl_the_lock_is_msvcrts_past_the_holders_text(
    project: Path, windows: FakeMsvcrt
):
    out = project.parent / "site"
    with output_lock(out, wait=0):
        assert windows.calls == [(FakeMsvcrt.LK_NBLCK, write.HOLDER_BYTES, 1)]
        holder = (project.parent / ".site.lock").read_text()
        assert re.fullmatch(rf"process {os.getpid()}, since \d\d:\d\d:\d\d\n", holder)
        assert len(holder.encode()) < write.HOLDER_BYTES  # the locked byte is past it
    assert beside(out) == []


def test_without_fcntl_a_second_build_is_refused_naming_its_holder(
    project: Path, windows: FakeMsvcrt
):
    out = project.parent / "site"
    with output_lock(out), pytest.raises(OutputRefused) as caught, output_lock(out, wait=0.2):
        pass
    assert f"(process {os.getpid()}, since " in str(caught.value)
    assert len(windows.calls) > 2  # the second tried again while it waited
    with output_lock(out, wait=0):  # released with its holder
        pass


def test_without_fcntl_a_second_build_waits_for_the_first(project: Path, windows: FakeMsvcrt):
    second_waits_for_first(project.parent / "site")


@pytest.mark.parametrize("exchange", [True, False], ids=["exchanged", "renamed-twice"])
def test_an_output_folder_that_cannot_be_renamed_gets_its_contents_swapped(
    project: Path, monkeypatch, exchange: bool
):
    """A mount point (here: a folder made to act as one) cannot be renamed: the new build
    is written inside it and swapped in entry by entry; a stranger's file is removed and
    named, the previous build's unchanged files are reused (tests/test_reliability.py
    has a real tmpfs)."""
    out = project.parent / "site"
    write_site(FILES.items(), out, project)
    (out / "notes.txt").write_text("someone's")
    before = inodes(out)
    (out / ".site.old-0123abcd" / "en").mkdir(parents=True)  # a killed build's, inside
    target = out.resolve()
    real_rename = os.rename

    def rename(source, destination):
        if target in (Path(source), Path(destination)):
            raise OSError(16, "Device or resource busy")
        return real_rename(source, destination)

    monkeypatch.setattr(write.os.path, "ismount", lambda path: Path(path) == target)
    monkeypatch.setattr(write.os, "rename", rename)
    if not exchange:
        monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    files = {**NEW_FILES, "assets/site.css": FILES["assets/site.css"]}
    staging = write_staged(files.items(), out, project)
    assert staging.foreign == ["notes.txt"]
    assert files_in(out) == {**files, MARKER: MARKER_TEXT.encode()}
    assert listed(out) == sorted(files)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "assets", "en", "index.html"]
    assert inodes(out)["assets/site.css"] == before["assets/site.css"]  # linked, not copied
    assert beside(out) == []


def test_exchange_says_when_the_system_cannot_exchange(tmp_path: Path, monkeypatch):
    import ctypes
    import errno

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    assert write._exchange(tmp_path / "a", tmp_path / "b") is True
    assert (tmp_path / "b" / "x").read_text() == "a"
    with pytest.raises(FileNotFoundError):  # a real failure is one
        write._exchange(tmp_path / "a", tmp_path / "missing")

    def unsupported(*args):  # a file system without RENAME_EXCHANGE
        ctypes.set_errno(errno.EINVAL)
        return -1

    monkeypatch.setattr(write, "_renameat2", lambda: unsupported)
    assert write._exchange(tmp_path / "a", tmp_path / "b") is False
    monkeypatch.setattr(write, "_renameat2", lambda: None)  # not Linux
    assert write._exchange(tmp_path / "a", tmp_path / "b") is False
    assert (tmp_path / "b" / "x").read_text() == "a"
