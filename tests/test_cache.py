"""What is kept between runs and between serve's rebuilds never shows a stale result."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from helpers import ROOT, edit
from zhoukou_report import cache as cache_module
from zhoukou_report.cache import FileCache, cached_json, digest, kept_files, prune
from zhoukou_report.fields import Problems
from zhoukou_report.markup import FigureContext, Renderer
from zhoukou_report.model import Figure
from zhoukou_report.render import SiteRenderer
from zhoukou_report.strings import template_uses


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("ZHOUKOU_REPORT_NO_CACHE", raising=False)
    return folder


def test_a_file_is_parsed_again_only_when_its_text_changes():
    cache, calls = FileCache(), []

    def parse(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert cache.parsed("a.yaml", "yaml", "x: 1", parse) == "X: 1"
    assert cache.parsed("a.yaml", "yaml", "x: 1", parse) == "X: 1"
    assert cache.parsed("a.yaml", "yaml", "x: 2", parse) == "X: 2"
    assert cache.parsed("b.yaml", "yaml", "x: 2", parse) == "X: 2"
    assert calls == ["x: 1", "x: 2", "x: 2"]


def test_a_failed_parse_is_not_kept():
    cache = FileCache()

    def fail(text: str) -> str:
        raise ValueError(text)

    for _ in range(2):
        with pytest.raises(ValueError):
            cache.parsed("a.yaml", "yaml", "bad", fail)


def test_kept_files_last_from_one_build_to_the_next(project: Path, private_cache: Path):
    """What a build parsed is there for the next build of the project; only the files it
    asked for are kept, and the store is written again only when one was parsed afresh."""

    def fail(text: str) -> str:
        raise AssertionError(f"parsed again: {text}")

    with kept_files(project) as cache:
        assert cache is not None and cache.entries == {}
        cache.parsed("a.yaml", "yaml", "x: 1", str.upper)
        cache.parsed("b.yaml", "yaml", "y: 2", str.upper)
    (store,) = (private_cache / "zhoukou-report" / "parsed").glob("*.pickle")
    with kept_files(project) as cache:
        assert cache.parsed("a.yaml", "yaml", "x: 1", fail) == "X: 1"
        assert cache.parsed("b.yaml", "yaml", "y: 2", fail) == "Y: 2"
    written = store.stat().st_mtime_ns
    with kept_files(project) as cache:
        assert cache.parsed("a.yaml", "yaml", "x: 3", str.upper) == "X: 3"
    assert store.stat().st_mtime_ns >= written
    with kept_files(project) as cache:
        assert cache.entries == {("a.yaml", "yaml"): ("x: 3", "X: 3")}  # b.yaml not asked


def test_kept_files_of_other_code_another_user_or_a_damaged_store_are_not_used(
    project: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    kept = {("a.yaml", "yaml"): ("x: 1", "X: 1")}
    with kept_files(project) as cache:
        cache.parsed("a.yaml", "yaml", "x: 1", str.upper)
    (store,) = (private_cache / "zhoukou-report" / "parsed").glob("*.pickle")
    with monkeypatch.context() as patched:
        patched.setattr(cache_module, "code_version", lambda *names: "another version")
        with kept_files(project) as cache:
            assert cache.entries == {}  # the parsers changed: every file is parsed afresh
    with monkeypatch.context() as patched:
        patched.setattr(os, "geteuid", lambda: store.stat().st_uid + 1)
        with kept_files(project) as cache:
            assert cache.entries == {}  # written by another user: not unpickled
    with kept_files(project) as cache:
        assert cache.entries == kept  # the store itself was fine all along
    store.write_bytes(b"not a pickle")
    with kept_files(project) as cache:
        assert cache.entries == {}
        cache.parsed("a.yaml", "yaml", "x: 1", str.upper)
    with kept_files(project) as cache:
        assert cache.entries == kept


def test_cached_json_computes_once_and_survives_a_damaged_file(private_cache: Path):
    calls = []
    key = digest("k")
    assert cached_json("kind", key, lambda: calls.append(1) or {"a": [1, 2]}) == {"a": [1, 2]}
    assert cached_json("kind", key, lambda: calls.append(1) or {"a": "other"}) == {"a": [1, 2]}
    assert len(calls) == 1
    (private_cache / "zhoukou-report" / "kind" / f"{key}.json").write_text("{not json")
    assert cached_json("kind", key, lambda: {"b": 3}) == {"b": 3}


def test_no_cache_when_asked(private_cache: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ZHOUKOU_REPORT_NO_CACHE", "1")
    calls = []
    for _ in range(2):
        cached_json("kind", "key", lambda: calls.append(1) or 1)
    assert len(calls) == 2
    with kept_files(ROOT) as cache:
        assert cache is None
    assert not (private_cache / "zhoukou-report").exists()


def test_an_edited_template_is_read_afresh(project: Path):
    first = template_uses(project, Problems())
    assert "skip_link" in first
    edit(project / "templates" / "base.html", "{{ t.skip_link }}", "{{ t.skip_link_text }}")
    second = template_uses(project, Problems())
    assert "skip_link_text" in second and second["skip_link_text"].path == "templates/base.html"


def figure(value: int) -> Figure:
    return Figure("f", "highlight-1", value, {"zh": "个", "en": ""}, {"zh": "数", "en": "F"}, "x")


def test_converted_markdown_is_reused_only_for_the_same_figures_and_place():
    renderer = Renderer()
    text = "We held [[f]] meetings and [[f]] more."

    def convert(value: int, link: str = "figures.html", anchored: set[str] | None = None):
        context = FigureContext(
            {"f": figure(value)}, "en", lambda f: f"{link}#fig-f", anchored or set()
        )
        return renderer.convert(text, context), context.anchored

    first, anchored = convert(8)
    assert first.count('id="ref-f"') == 1 and anchored == {"f"}
    again, anchored = convert(8)
    assert again == first and anchored == {"f"}  # the anchor is still recorded
    assert ">9<" in convert(9)[0] and ">8<" not in convert(9)[0]
    assert 'href="../figures.html#fig-f"' in convert(8, link="../figures.html")[0]
    assert 'id="ref-f"' not in convert(8, anchored={"f"})[0]


LIST = "Work done:\n\n* [[f]] meetings\n* more *visits*\n"  # needs Python-Markdown


def context(value: int, lang: str = "en") -> FigureContext:
    return FigureContext({"f": figure(value)}, lang, lambda f: "figures.html#fig-f")


def test_markdown_kept_between_runs_is_used_without_python_markdown(private_cache: Path):
    folder = private_cache / "markdown"
    folder.mkdir(parents=True)
    first = Renderer(folder).convert(LIST, context(8))
    assert "<li>" in first and "<em>visits</em>" in first and ">8<" in first
    assert len(list(folder.glob("*.html"))) == 1

    later = Renderer(folder)  # the next run
    assert later.convert(LIST, context(8)) == first
    corrected = later.convert(LIST, context(9))  # a figure corrected: the text is the same
    assert corrected == first.replace('"8">8<', '"9">9<')
    assert later.converters == {}  # Python-Markdown was not needed

    edited = later.convert(LIST.replace("more", "many"), context(9))
    assert "many <em>visits</em>" in edited and later.converters != {}
    assert len(list(folder.glob("*.html"))) == 2


def test_kept_markdown_depends_on_the_language_and_a_damaged_file_is_converted_again(
    private_cache: Path,
):
    folder = private_cache / "markdown"
    folder.mkdir(parents=True)
    text = "* 第一\n  行\n* second"
    chinese = Renderer(folder).convert(text, context(8, "zh"))
    english = Renderer(folder).convert(text, context(8, "en"))
    assert "第一行" in chinese and "第一\n  行" in english
    for file in folder.iterdir():
        file.write_bytes(b"\xff\xfe not UTF-8")
    assert Renderer(folder).convert(text, context(8, "zh")) == chinese


def test_the_site_keeps_markdown_only_when_caching_is_on(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    assert SiteRenderer(ROOT).markdown.folder == private_cache / "zhoukou-report" / "markdown"
    monkeypatch.setenv("ZHOUKOU_REPORT_NO_CACHE", "1")
    assert SiteRenderer(ROOT).markdown.folder is None


def test_entries_written_a_month_ago_are_removed_at_most_once_a_day(private_cache: Path):
    folder = private_cache / "kind"
    folder.mkdir(parents=True)
    month = 31 * 24 * 60 * 60

    def entry(name: str, age: float) -> Path:
        file = folder / name
        file.write_text(name)
        os.utime(file, (time.time() - age, time.time() - age))
        return file

    old, recent = entry("old.html", month), entry("recent.html", 60)
    prune(folder)
    assert not old.exists() and recent.exists()
    again = entry("again.html", month)
    prune(folder)  # looked at today already
    assert again.exists()
    os.utime(folder / ".pruned", (time.time() - 2 * 24 * 60 * 60,) * 2)
    prune(folder)
    assert not again.exists() and recent.exists()


def test_keeping_a_new_text_prunes_the_markdown_folder(private_cache: Path):
    folder = private_cache / "markdown"
    folder.mkdir(parents=True)
    stale = folder / "stale.html"
    stale.write_text("<p>gone</p>")
    os.utime(stale, (time.time() - 40 * 24 * 60 * 60,) * 2)
    Renderer(folder).convert(LIST, context(8))
    assert not stale.exists()
    assert len(list(folder.glob("*.html"))) == 1
