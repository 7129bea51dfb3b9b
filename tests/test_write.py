"""write.py: refusing folders that are not ours, and replacing the output atomically."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from helpers import tree_hash
from zhoukou_report import write
from zhoukou_report.errors import OutputRefused, WriteFailed
from zhoukou_report.write import MARKER, Staging, check_output, read_previous, write_site

FILES = {
    "index.html": b"<p>zh</p>",
    "en/index.html": b"<p>en</p>",
    "assets/site.css": b"body{}",
}
NEW_FILES = {"index.html": b"<p>new</p>", "en/other.html": b"<p>other</p>"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    for name in ("content", "templates"):
        (folder / name).mkdir(parents=True)
        (folder / name / "keep.txt").write_text("keep")
    return folder


def beside(out: Path) -> list[str]:
    """What lies next to the output folder, other than the project and the output."""
    return sorted(p.name for p in out.parent.iterdir() if p.name not in ("project", out.name))


def test_a_missing_folder_is_created_with_every_file_and_the_marker(project: Path):
    out = project.parent / "site" / "deeper"
    assert write_site(FILES, out, project) == out.resolve()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        MARKER,
        "assets/site.css",
        "en/index.html",
        "index.html",
    ]
    assert (out / "en" / "index.html").read_bytes() == b"<p>en</p>"
    assert beside(out) == []


def test_the_output_folder_gets_the_usual_permissions(project: Path):
    umask = os.umask(0o022)
    try:
        out = project.parent / "site"
        write_site(FILES, out, project)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755  # not mkdtemp's 0o700
    assert stat.S_IMODE((out / "index.html").stat().st_mode) == 0o644


def test_an_empty_folder_is_accepted(project: Path):
    out = project.parent / "site"
    out.mkdir()
    write_site(FILES, out, project)
    assert (out / MARKER).is_file()


def test_a_previous_build_is_replaced_as_a_whole(project: Path):
    out = project.parent / "site"
    write_site(FILES, out, project)
    write_site(NEW_FILES, out, project)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [MARKER, "en/other.html", "index.html"]
    assert (out / "index.html").read_bytes() == b"<p>new</p>"
    assert beside(out) == []


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        (lambda project: Path("/"), "it is the root of the file system"),
        (lambda project: project, "it holds the project itself"),
        (lambda project: project.parent, "it holds the project itself"),
        (lambda project: project / "content", "it is inside the project's content folder"),
        (lambda project: project / "templates", "it is inside the project's templates folder"),
        (
            lambda project: project / "templates" / "new",
            "it is inside the project's templates folder",
        ),
        (lambda project: project / "content" / "keep.txt", "it is inside the project's content"),
    ],
    ids=["root", "project", "above-project", "content", "templates", "in-templates", "in-content"],
)
def test_folders_of_the_system_and_the_project_are_refused(project, where, reason):
    before = tree_hash(project)
    with pytest.raises(OutputRefused, match=reason):
        write_site(FILES, where(project), project)
    assert tree_hash(project) == before


def test_the_home_folder_is_refused(project: Path, tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(OutputRefused, match="it is your home folder"):
        check_output(Path("~"), project)
    assert list(home.iterdir()) == []


def test_a_file_is_refused(project: Path):
    file = project.parent / "site.html"
    file.write_text("mine")
    with pytest.raises(OutputRefused, match="it is a file, not a folder"):
        write_site(FILES, file, project)
    assert file.read_text() == "mine"


def test_a_folder_holding_other_files_is_refused_and_named(project: Path):
    out = project.parent / "site"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / ".hidden").write_text("mine too")
    before = tree_hash(out)
    with pytest.raises(OutputRefused) as caught:
        write_site(FILES, out, project)
    assert str(caught.value) == (
        f"refusing to write the site into {out}: it holds files that zhoukou-report did not "
        "write (.hidden, notes.txt); nothing was changed. Choose a new or empty folder with "
        "--out, or one a previous build wrote."
    )
    assert tree_hash(out) == before
    assert beside(out) == []


def test_a_sibling_with_a_longer_name_is_not_inside_the_project(project: Path):
    """``/x/project2`` starts with ``/x/project`` as a string, yet is another folder."""
    out = project.parent / "project2"
    write_site(FILES, out, project)
    assert (out / "index.html").is_file()


def test_a_path_outside_the_output_is_refused_and_nothing_is_left(project: Path):
    out = project.parent / "site"
    with pytest.raises(OutputRefused, match=r"refusing to write \.\./escape\.html"):
        write_site({"index.html": b"x", "../escape.html": b"x"}, out, project)
    assert not out.exists()
    assert beside(out) == []


def test_the_same_file_twice_is_refused(project: Path):
    out = project.parent / "site"
    with (
        pytest.raises(OutputRefused, match=r"refusing to write en/a\.html twice"),
        Staging(out, project) as staging,
    ):
        staging.write("en/a.html", b"1")
        staging.write("en/a.html", b"2")
    assert beside(out) == [] and not out.exists()


@pytest.mark.parametrize("rel", ["en/./a.html", "en//a.html", "/a.html", "a\\..\\b.html", ""])
def test_a_path_that_is_not_plain_is_refused(project: Path, rel: str):
    out = project.parent / "site"
    with pytest.raises(OutputRefused, match="it lies outside the output folder"):
        write_site({"index.html": b"x", rel: b"y"}, out, project)
    assert beside(out) == [] and not out.exists()


class Boom:
    """``Path.write_bytes`` that fails on the n-th call, with the given exception."""

    def __init__(self, monkeypatch, error: BaseException, after: int):
        self.calls = 0
        self.error = error
        self.after = after
        self.real = Path.write_bytes
        monkeypatch.setattr(Path, "write_bytes", self)

    def __call__(self, path: Path, data: bytes) -> int:
        self.calls += 1
        if self.calls > self.after:
            raise self.error
        return self.real(path, data)

    def __get__(self, instance, owner):
        return lambda data: self(instance, data)


@pytest.mark.parametrize(
    "error",
    [OSError(28, "No space left on device"), KeyboardInterrupt(), RuntimeError("bug")],
    ids=["disk-full", "ctrl-c", "exception"],
)
def test_a_write_that_fails_part_way_leaves_the_previous_site(project, monkeypatch, error):
    out = project.parent / "site"
    write_site(FILES, out, project)
    before = tree_hash(out)
    Boom(monkeypatch, error, after=1)
    expected = WriteFailed if isinstance(error, OSError) else type(error)
    with pytest.raises(expected) as caught:
        write_site(NEW_FILES, out, project)
    if isinstance(error, OSError):
        assert str(caught.value) == (
            f"could not write the site into {out}: No space left on device"
        )
    assert tree_hash(out) == before
    assert beside(out) == []


def test_a_failing_swap_puts_the_previous_site_back(project: Path, monkeypatch):
    out = project.parent / "site"
    write_site(FILES, out, project)
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
        write_site(NEW_FILES, out, project)
    assert len(calls) == 3  # aside, (interrupted), back
    assert tree_hash(out) == before
    assert beside(out) == []


def test_folders_a_killed_build_left_behind_are_removed(project: Path):
    out = project.parent / "site"
    write_site(FILES, out, project)
    for name in (".site.new-dead0001", ".site.old-dead0002"):
        (project.parent / name / "en").mkdir(parents=True)
        (project.parent / name / MARKER).write_text("")
    (project.parent / ".site.new-dead0003").mkdir()  # killed before its marker
    stranger = project.parent / ".site.new-notours"
    stranger.mkdir()
    (stranger / "data.txt").write_text("someone's")
    write_site(NEW_FILES, out, project)
    assert beside(out) == [".site.new-notours"]
    assert (stranger / "data.txt").read_text() == "someone's"


def test_read_previous_reads_only_from_a_build_of_ours(project: Path):
    out = project.parent / "site"
    assert read_previous(out, "index.html") is None
    write_site(FILES, out, project)
    assert read_previous(out, "en/index.html") == b"<p>en</p>"
    assert read_previous(out, "missing.json") is None
    assert read_previous(out, "../project/content/keep.txt") is None
    (out / MARKER).unlink()
    assert read_previous(out, "index.html") is None


def _inodes(out: Path) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): p.stat().st_ino
        for p in out.rglob("*")
        if p.is_file() and p.name != MARKER
    }


def test_an_unchanged_file_is_linked_from_the_previous_build_and_a_changed_one_written(
    project: Path,
):
    out = project.parent / "site"
    write_site(FILES, out, project)
    before = _inodes(out)
    changed = {**FILES, "index.html": b"<p>zh, corrected</p>", "en/new.html": b"<p>new</p>"}
    write_site(changed, out, project)
    after = _inodes(out)
    assert after["en/index.html"] == before["en/index.html"]  # the same file, kept
    assert after["assets/site.css"] == before["assets/site.css"]
    assert after["index.html"] != before["index.html"]
    for rel, data in changed.items():
        assert (out / rel).read_bytes() == data
        assert (out / rel).stat().st_nlink == 1  # the previous build's name is gone
    assert beside(out) == []


def test_a_failed_build_leaves_the_files_it_linked_as_they_were(project: Path):
    out = project.parent / "site"
    write_site(FILES, out, project)
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
    ["same-size", "symlink", "missing"],
    ids=["same-size-other-bytes", "symbolic-link", "missing"],
)
def test_a_file_is_written_afresh_unless_the_previous_one_is_a_plain_file_with_its_bytes(
    project: Path, tmp_path: Path, previous: str
):
    out = project.parent / "site"
    write_site(FILES, out, project)
    page = out / "en" / "index.html"
    page.unlink()
    if previous == "same-size":
        page.write_bytes(b"<p>EN</p>")
    elif previous == "symlink":
        elsewhere = tmp_path / "elsewhere.html"
        elsewhere.write_bytes(FILES["en/index.html"])
        page.symlink_to(elsewhere)
    write_site(FILES, out, project)
    assert not page.is_symlink()
    assert page.read_bytes() == FILES["en/index.html"]
    if previous == "symlink":
        assert page.stat().st_ino != elsewhere.stat().st_ino


def test_without_hard_links_every_file_is_written(project: Path, monkeypatch):
    out = project.parent / "site"
    write_site(FILES, out, project)
    before = _inodes(out)

    def refuse(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(write.os, "link", refuse)
    write_site(FILES, out, project)
    after = _inodes(out)
    assert all(after[rel] != before[rel] for rel in FILES)
    assert all((out / rel).read_bytes() == data for rel, data in FILES.items())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_named_pipe_in_place_of_a_previous_file_does_not_hold_up_the_build(project: Path):
    out = project.parent / "site"
    write_site(FILES, out, project)
    page = out / "en" / "index.html"
    page.unlink()
    os.mkfifo(page)
    done = threading.Event()

    def build() -> None:
        write_site(FILES, out, project)
        done.set()

    threading.Thread(target=build, daemon=True).start()
    if not done.wait(10):
        os.close(os.open(page, os.O_WRONLY | os.O_NONBLOCK))  # let the stuck open go
        pytest.fail("the build waited for a writer of the named pipe")
    assert page.read_bytes() == FILES["en/index.html"]
