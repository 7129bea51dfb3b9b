"""render.py: templates compiled with the strings they use, pages rendered in memory, in one
process or in several, byte for byte the same."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from helpers import ROOT, SITES, copy_site, edit, run_cli, tree_hash
from zhoukou_report import render, strings
from zhoukou_report.build import assemble_site, build_site, check_site
from zhoukou_report.errors import BuildFailed
from zhoukou_report.fields import Problems
from zhoukou_report.processes import PARALLEL_FROM
from zhoukou_report.render import SiteRenderer

sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic


def large_site(destination: Path, pages: int = PARALLEL_FROM + 50) -> Path:
    """A project of the full fixture's texts and figures, grown to ``pages`` pages."""
    return synthetic.generate(destination, pages, base=SITES / "full")


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project big enough to be read and rendered by several processes by default."""
    return large_site(tmp_path_factory.mktemp("large") / "project")


# Templates ------------------------------------------------------------------------------


def load_templates(project: Path) -> tuple[dict[str, strings.Use], list[str]]:
    problems = Problems()
    uses = SiteRenderer(project).load_templates(problems)
    return uses, [error.format() for error in problems.errors]


@pytest.fixture
def no_theme(monkeypatch: pytest.MonkeyPatch) -> None:
    """The project's templates alone, without the packaged theme behind them."""
    monkeypatch.setattr(render, "default_theme", lambda: None)


def test_the_strings_a_template_uses_are_found_as_it_is_compiled(tmp_path: Path, no_theme):
    templates = tmp_path / "templates"
    (templates / "static").mkdir(parents=True)
    for name in render.TEMPLATE_OF.values():
        (templates / name).write_text("{{ page.title }}\n", encoding="utf-8")
    (templates / "a.html").write_text(
        "{{ t.one }}\n{{ t['two'] }}\n{{ t.cite.format(name=x) }}\n{{ t.items() }}\n"
        "{{ t.dyn.format(**kw) }}\n{{ other.three }}\n{{ t.one }}\n"
        "{{ (t.marked | e).format(paper=p) }}\n{{ (t.upper | upper).format(x=1) }}\n",
        encoding="utf-8",
    )
    (templates / "static" / "x.html").write_text("{{ t.five }}", encoding="utf-8")
    uses, errors = load_templates(tmp_path)
    assert errors == []
    code = {"highlight_label", "goal_label", "closing_title", "report_title", "figure_source"}
    code |= {"figure_corrected"}
    assert set(uses) == code | {"figures_title", "one", "two", "cite", "dyn", "marked", "upper"}
    assert (uses["one"].path, uses["one"].line) == ("templates/a.html", 1)  # its first use
    assert (uses["two"].path, uses["two"].line) == ("templates/a.html", 2)
    assert uses["cite"].placeholders == {"name"} and not uses["cite"].dynamic
    assert uses["one"].placeholders is None
    assert uses["dyn"].dynamic
    assert uses["highlight_label"].placeholders == {"number"}
    # Escaped before it is formatted (so that markup arguments stay markup): still checked.
    assert uses["marked"].placeholders == {"paper"}
    assert uses["upper"].placeholders is None  # another filter: only named


def test_the_uses_are_kept_with_the_compiled_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A second build finds the compiled templates in Jinja2's bytecode cache: their uses come
    with them, and no template is looked through again."""
    project = copy_site("minimal", tmp_path / "project")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first, _ = load_templates(project)
    looked: list[object] = []
    real = strings.found_uses
    monkeypatch.setattr(render, "found_uses", lambda tree: looked.append(tree) or real(tree))
    again, _ = load_templates(project)
    assert looked == []
    assert {name: (u.path, u.line) for name, u in again.items()} == {
        name: (u.path, u.line) for name, u in first.items()
    }
    edit(project / "templates" / "404.html", "{{", "{{ t.added }}{{", count=1)
    edited, _ = load_templates(project)
    assert len(looked) == 1  # the edited template only
    assert edited["added"].path == "templates/404.html"


def test_template_mistakes_are_reported_at_their_file_and_line(minimal: Path, no_theme):
    templates = minimal / "templates"
    (templates / "broken.html").write_text("line one\n{{ t.four \n", encoding="utf-8")
    (templates / "figures.html").unlink()
    latin = templates / "latin.html"
    latin.write_bytes("a\nb\n\u00e9".encode("latin-1"))
    _, errors = load_templates(minimal)
    assert errors == [
        "templates/broken.html:2: template error: unexpected end of template, expected 'end of print statement'.",
        "templates/latin.html:3: the file is not UTF-8 text (save it as UTF-8 in your editor)",
        "templates/figures.html: the template for figures pages is missing",
    ]


def test_without_templates_or_theme_the_build_is_one_error(minimal: Path, tmp_path: Path, no_theme):
    import shutil

    shutil.rmtree(minimal / "templates")
    with pytest.raises(BuildFailed) as failure:
        build_site(minimal, tmp_path / "out")
    assert [e.format() for e in failure.value.errors] == [
        "templates: the templates folder is missing"
    ]


# Rendering in several processes -----------------------------------------------------------


def test_several_processes_read_and_render_the_same_bytes_as_one(project: Path, tmp_path: Path):
    one = build_site(project, tmp_path / "one", jobs=1)
    two = build_site(project, tmp_path / "two", jobs=2)
    assert one.pages == two.pages == 19
    assert tree_hash(tmp_path / "one") == tree_hash(tmp_path / "two")


def test_a_large_site_is_rendered_by_several_processes_by_default(
    large: Path, project: Path, monkeypatch: pytest.MonkeyPatch
):
    processes: list[int] = []
    real = render._render_in_workers

    def spy(site, renderer, existing, jobs, previous):
        processes.append(jobs)
        return real(site, renderer, existing, jobs, previous)

    monkeypatch.setattr(render, "_render_in_workers", spy)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)  # 2 cores
    summary = check_site(large)
    assert processes == [2]
    assert summary.pages > PARALLEL_FROM
    assemble_site(project, jobs=None)  # a small site: one process
    assert processes == [2]


def test_an_error_met_by_a_worker_is_reported_once_and_the_previous_site_kept(tmp_path: Path):
    project = copy_site("full", tmp_path / "broken")
    out = tmp_path / "site"
    build_site(project, out, jobs=2)
    before = tree_hash(out)
    edit(project / "templates" / "section.html", "{{ page.title }}</h1>", "{{ page.nope.x }}</h1>")
    with pytest.raises(BuildFailed) as failure:
        build_site(project, out, jobs=2)
    messages = {error.format() for error in failure.value.errors}
    line = next(
        n
        for n, text in enumerate((project / "templates/section.html").read_text().split("\n"), 1)
        if "page.nope.x" in text
    )
    assert messages == {
        f"templates/section.html:{line}: template error: "
        "'zhoukou_report.model.Page object' has no attribute 'nope'"
    }
    assert tree_hash(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "site"]
    result = run_cli("check", "--project", str(project), "--jobs", "2")
    assert result.returncode == 1
    assert f"templates/section.html:{line}: template error:" in result.stderr


def test_content_errors_read_by_other_processes_are_reported_as_by_one(
    project: Path, tmp_path: Path
):
    edit(project / "content" / "zh" / "highlight-2.md", "keyword: ", "keyword: [")
    edit(project / "content" / "figures.yaml", "    value: ", "    value: [")
    reports = []
    for jobs in (1, 2):
        with pytest.raises(BuildFailed) as failure:
            build_site(project, tmp_path / f"out-{jobs}", jobs=jobs)
        reports.append([error.format() for error in failure.value.errors])
    assert reports[0] == reports[1]
    lines = (project / "content" / "figures.yaml").read_text(encoding="utf-8").split("\n")
    opened = next(n for n, text in enumerate(lines, 1) if "value: [" in text)
    # YAML finds the flow sequence unclosed on the line after it opens, in both files.
    assert [line.split(": invalid YAML")[0] for line in reports[0]] == [
        f"content/figures.yaml:{opened + 1}",
        "content/zh/highlight-2.md:3",
    ]
