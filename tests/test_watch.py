"""``watch``: which saved files matter, and bursts of saves coming out as one batch."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

import pytest

from zhoukou_report.watch import (
    KIND_ASSET,
    KIND_CONTENT,
    KIND_TEMPLATE,
    classify,
    relative,
    watch_project,
)

DEADLINE = 30.0


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("content/figures.yaml", KIND_CONTENT),
        ("content/zh/highlight-1.md", KIND_CONTENT),
        ("content/en/goal-2.md", KIND_CONTENT),
        ("content/source/report.zh.txt", KIND_CONTENT),
        ("content/zh", KIND_CONTENT),
        ("2025/content/figures.yaml", KIND_CONTENT),  # a site of several years
        ("2025/content/zh/overview.md", KIND_CONTENT),
        ("templates/base.html", KIND_TEMPLATE),
        ("templates/partials/nav.html", KIND_TEMPLATE),
        ("templates/static/site.css", KIND_ASSET),
        ("templates/static/img/logo.svg", KIND_ASSET),
        ("templates/static", KIND_ASSET),
        ("content/.figures.yaml.swp", None),
        ("content/figures.yaml.swx", None),
        ("content/figures.yaml~", None),
        ("content/zh/#overview.md#", None),
        ("content/zh/.#overview.md", None),
        ("content/4913", None),
        ("content/figures.yaml.tmp", None),
        ("content/figures.yaml___jb_tmp___", None),
        ("content/.DS_Store", None),
        ("content/.git/index", None),
        ("templates/__pycache__/x.pyc", None),
        ("build/index.html", None),
        ("src/zhoukou_report/cli.py", None),
        ("README.md", None),
        ("content", None),
        ("2025/content/figures.yaml~", None),
        ("2025/notes.txt", None),
        ("2025-draft/content/figures.yaml", None),
        ("../content/figures.yaml", None),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_classify(path: str, kind: str | None) -> None:
    assert classify(path) == kind
    assert classify(PurePosixPath(path)) == kind


def test_relative(tmp_path: Path) -> None:
    assert relative(tmp_path / "content" / "a.md", tmp_path) == "content/a.md"
    assert relative(tmp_path.parent / "elsewhere.md", tmp_path) is None


class Watching:
    """``watch_project`` running in a thread; its batches collected in order."""

    def __init__(self, project: Path, step_ms: int, debounce_ms: int):
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.batches: list[list[str]] = []
        self.arrived = threading.Condition()
        self.thread = threading.Thread(target=self._run, args=(project, step_ms, debounce_ms))

    def _run(self, project: Path, step_ms: int, debounce_ms: int) -> None:
        batches = watch_project(project, self.stop, self.ready, step_ms, debounce_ms)
        for batch in batches:
            with self.arrived:
                self.batches.append(batch)
                self.arrived.notify_all()

    def wait_until(self, condition: Callable[[list[list[str]]], bool]) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: condition(self.batches), DEADLINE), self.batches

    def wait_for(self, count: int) -> list[list[str]]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.batches) >= count, DEADLINE)
            return list(self.batches)


@pytest.fixture
def watching(project: Path) -> Iterator[Watching]:
    # A long step, so that the writes of one test land in one batch even on a busy machine.
    watcher = Watching(project, step_ms=300, debounce_ms=5000)
    watcher.thread.start()
    try:
        assert watcher.ready.wait(DEADLINE)
        yield watcher
    finally:
        watcher.stop.set()
        watcher.thread.join(DEADLINE)
        assert not watcher.thread.is_alive()


def test_a_burst_of_saves_is_one_batch(watching: Watching, project: Path) -> None:
    (project / "content" / "zh" / ".overview.md.swp").write_text("swap")
    (project / "content" / "zh" / "overview.md").write_text("x", encoding="utf-8")
    (project / "content" / "en" / "overview.md").write_text("x", encoding="utf-8")
    (project / "templates" / "static" / "site.css").write_text("x", encoding="utf-8")
    (project / "content" / "figures.yaml~").write_text("backup")
    scratch = project / "content" / "sedX1b2c3"  # sed -i: written, then renamed over the file
    scratch.write_text("new", encoding="utf-8")
    scratch.replace(project / "content" / "site.yaml")
    assert watching.wait_for(1) == [
        [
            "content/en/overview.md",
            "content/site.yaml",
            "content/zh/overview.md",
            "templates/static/site.css",
        ]
    ]


def test_each_save_after_a_pause_is_its_own_batch(watching: Watching, project: Path) -> None:
    (project / "content" / "figures.yaml").write_text("a", encoding="utf-8")
    assert watching.wait_for(1) == [["content/figures.yaml"]]
    (project / "templates" / "base.html").write_text("b", encoding="utf-8")
    assert watching.wait_for(2)[1] == ["templates/base.html"]


def test_ignored_files_are_left_out(watching: Watching, project: Path) -> None:
    (project / "content" / "4913").write_text("probe")
    (project / "content" / ".figures.yaml.swp").write_text("swap")
    (project / "content" / "figures.yaml").write_text("real", encoding="utf-8")
    assert watching.wait_for(1) == [["content/figures.yaml"]]


def test_a_project_without_sources_is_watched_for_them_to_appear(tmp_path: Path) -> None:
    watcher = Watching(tmp_path, step_ms=50, debounce_ms=5000)
    watcher.thread.start()
    try:
        assert watcher.ready.wait(DEADLINE)
        (tmp_path / "content").mkdir()
        assert watcher.wait_for(1) == [["content"]]
        (tmp_path / "content" / "figures.yaml").write_text("a", encoding="utf-8")
        assert watcher.wait_for(2)[1] == ["content/figures.yaml"]
    finally:
        watcher.stop.set()
        watcher.thread.join(DEADLINE)
    assert not watcher.thread.is_alive()


@pytest.mark.parametrize("how", ["deleted-and-restored", "replaced-by-a-rename"])
def test_a_folder_deleted_restored_or_replaced_is_watched_again(
    watching: Watching, project: Path, how: str
) -> None:
    content = project / "content"
    if how == "deleted-and-restored":
        saved = project.parent / "saved"
        shutil.copytree(content, saved)
        shutil.rmtree(content)
        watching.wait_until(lambda batches: ["content"] in batches)
        seen = len(watching.batches)
        shutil.copytree(saved, content)
        watching.wait_until(lambda batches: ["content"] in batches[seen:])
    else:
        shutil.copytree(content, project / "content.tmp")
        content.rename(project / "content.old")
        (project / "content.tmp").rename(content)
        watching.wait_until(lambda batches: ["content"] in batches)
    (content / "zh" / "goal-9.md").write_text("saved after", encoding="utf-8")
    watching.wait_until(lambda batches: ["content/zh/goal-9.md"] in batches)
