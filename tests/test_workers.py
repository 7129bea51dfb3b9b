"""Rendering in several processes gives exactly what one process gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from helpers import ROOT, edit, run_cli, tree_hash
from zhoukou_report import build as build_module
from zhoukou_report.build import build_site, check_site, assemble_site
from zhoukou_report.errors import BuildFailed
from zhoukou_report.validate import content_files
from zhoukou_report.workers import PARALLEL_FROM_PAGES, default_jobs, parse_ahead

sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic project big enough to be rendered in parallel by default."""
    return synthetic.generate(
        tmp_path_factory.mktemp("large") / "project", PARALLEL_FROM_PAGES + 100
    )


def test_a_parallel_build_writes_the_same_bytes_as_one_process(large: Path, tmp_path: Path):
    one = build_site(large, tmp_path / "one", jobs=1)
    two = build_site(large, tmp_path / "two", jobs=2)
    assert one.pages == two.pages > PARALLEL_FROM_PAGES
    assert tree_hash(tmp_path / "one") == tree_hash(tmp_path / "two")


def test_a_parallel_rebuild_links_the_pages_that_did_not_change(tmp_path: Path):
    project = tmp_path / "project"
    synthetic.generate(project, PARALLEL_FROM_PAGES + 10)
    out = tmp_path / "out"
    build_site(project, out, jobs=2)
    inode = {p: p.stat().st_ino for p in out.rglob("*.html")}
    edit(project / "content" / "en" / "goal-3.md", "title: Goal title 3", "title: Goal three")
    build_site(project, out, jobs=2)
    changed = {p.relative_to(out).as_posix() for p in inode if p.stat().st_ino != inode[p]}
    # The page itself, and the pages that link to it by its title: its neighbours, and the
    # landing page that lists every goal.
    assert changed == {"en/goal-2.html", "en/goal-3.html", "en/goal-4.html", "en/index.html"}
    one = tmp_path / "one"
    build_site(project, one, jobs=1)
    assert tree_hash(out) == tree_hash(one)


def test_the_cli_renders_a_large_site_in_parallel_by_default(large: Path, tmp_path: Path):
    result = run_cli("build", "--project", str(large), "--out", str(tmp_path / "cli"))
    assert result.returncode == 0, result.stderr
    one = build_site(large, tmp_path / "one", jobs=1)
    assert tree_hash(tmp_path / "cli") == tree_hash(tmp_path / "one")
    assert f"Built {one.pages} pages" in result.stdout


def test_an_error_in_a_worker_is_reported_and_the_previous_site_kept(large: Path, tmp_path: Path):
    project = tmp_path / "broken"
    synthetic.generate(project, PARALLEL_FROM_PAGES + 10)
    out = tmp_path / "site"
    build_site(project, out, jobs=2)
    before = tree_hash(out)
    edit(
        project / "templates" / "section.html",
        "{{ page.title }}</h1>",
        "{{ page.nonexistent.x }}</h1>",
    )
    with pytest.raises(BuildFailed) as failure:
        build_site(project, out, jobs=2)
    messages = {error.format() for error in failure.value.errors}
    assert len(messages) == 1, messages
    (message,) = messages
    assert message.startswith("templates/section.html:")
    assert "nonexistent" in message
    assert tree_hash(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "site"]


def test_small_sites_stay_in_one_process():
    assert default_jobs(27) == 1
    assert default_jobs(PARALLEL_FROM_PAGES - 1) == 1
    assert default_jobs(10_000) >= 1


def test_the_content_of_a_large_project_is_parsed_ahead_by_workers(large: Path):
    ahead = parse_ahead(large, jobs=2)
    assert ahead is not None
    files = content_files(large)
    assert len(files) > PARALLEL_FROM_PAGES
    assert set(ahead.ahead) == {(rel, parse.__name__) for rel, parse in files}
    assert parse_ahead(ROOT, jobs=2) is None  # the real site is too small to gain


def test_content_errors_read_ahead_are_reported_as_in_one_process(tmp_path: Path):
    project = tmp_path / "broken"
    synthetic.generate(project, PARALLEL_FROM_PAGES + 10)
    edit(project / "content" / "zh" / "highlight-3.md", "keyword: ", "keyword: [")
    edit(project / "content" / "figures.yaml", "    value: ", "    value: [")
    reports = []
    for jobs in (1, 2):
        with pytest.raises(BuildFailed) as failure:
            build_site(project, tmp_path / f"out-{jobs}", jobs=jobs)
        reports.append([error.format() for error in failure.value.errors])
    assert reports[0] == reports[1]
    assert any(line.startswith("content/zh/highlight-3.md:3: invalid YAML") for line in reports[0])
    assert any(line.startswith("content/figures.yaml:5: invalid YAML") for line in reports[0])


def test_check_reads_and_renders_a_large_site_in_parallel_and_keeps_no_page(
    large: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    built = build_site(large, tmp_path / "out", jobs=1)
    jobs_seen = []
    real_render_all = build_module.render_all

    def spy(*args, **kwargs):
        jobs_seen.append((kwargs.get("jobs"), kwargs.get("keep")))
        return real_render_all(*args, **kwargs)

    monkeypatch.setattr(build_module, "render_all", spy)
    checked = assemble_site(large, jobs=None, keep=False)
    assert jobs_seen == [(None, False)]
    assert checked.pages == built.pages and checked.total == built.files
    assert not any(name.endswith(".html") for name in checked.files)  # pages let go
    summary = check_site(large)
    assert (summary.pages, summary.files) == (built.pages, built.files)


def test_check_reports_an_error_of_a_worker_like_build(tmp_path: Path):
    project = tmp_path / "broken"
    synthetic.generate(project, PARALLEL_FROM_PAGES + 10)
    edit(project / "templates" / "section.html", "{{ page.title }}</h1>", "{{ page.nope.x }}</h1>")
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert "templates/section.html:" in result.stderr and "nope" in result.stderr
