"""incremental.py: the preview's rebuilds equal a full build of the same content, byte for
byte, after any sequence of edits; and they render again only what an edit changed."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import copy_site, edit
from zhoukou_report import files, incremental, load, model, pages, yamldoc
from zhoukou_report.build import assemble_site
from zhoukou_report.errors import BuildFailed
from zhoukou_report.incremental import IncrementalSite, SiteOutput
from zhoukou_report.render import SiteRenderer
from zhoukou_report.yamldoc import parse_yaml_items

PAGES = ["overview", "highlight-1", "highlight-2", "closing", "goal-1", "goal-2"]
TITLED = ["highlight-1", "highlight-2", "goal-1", "goal-2"]
FIGURES = ["sessions", "visits", "stations", "companies", "satisfaction"]
CHARTED = ["stations", "points"]  # the bars of one chart
STRINGS = ["nav_home", "keyword", "goal_label"]
ADDED = {"zh": "另有[[{id}]]。", "en": "Also [[{id}]]."}  # a reference, in its own paragraph


def outcome(build: object) -> tuple[str, object]:
    """A build's files (path -> bytes), or the lines of its errors."""
    try:
        files = build()  # type: ignore[operator]
    except BuildFailed as failure:
        return "failed", [error.format() for error in failure.errors]
    return "built", files


def whole_outcome(build: object) -> tuple[str, object, list[str]]:
    """A build's files, or the lines of its errors; and the lines of its warnings."""
    try:
        files, warnings = build()  # type: ignore[operator]
    except BuildFailed as failure:
        warnings = failure.warnings
        return "failed", [error.format() for error in failure.errors], warnings
    return "built", files, [warning.format() for warning in warnings]


def full_build(project: Path) -> dict[str, bytes]:
    """A clean full build of the project, as ``build`` makes it."""
    built = assemble_site(project, jobs=1, renderer=SiteRenderer(project))
    return dict(built.files())  # type: ignore[arg-type]


def incremental_build(site: IncrementalSite, changed: list[str]) -> dict[str, bytes]:
    return dict(site.update(changed).files)


def full_with_warnings(project: Path) -> tuple[dict[str, bytes], list]:
    built = assemble_site(project, jobs=1, renderer=SiteRenderer(project))
    return dict(built.files()), built.warnings  # type: ignore[arg-type]


def incremental_with_warnings(site: IncrementalSite, changed: list[str]) -> tuple[dict, list]:
    output = site.update(changed)
    return dict(output.files), output.warnings


# The edits: each changes the project and returns the paths it saved.


def paragraph(project: Path, page: str, lang: str) -> list[str]:
    rel = f"content/{lang}/{page}.md"
    words = "补充说明文字。" if lang == "zh" else "A further sentence."
    with (project / rel).open("a", encoding="utf-8") as file:
        file.write(f"\n{words}\n")
    return [rel]


def typed_number(project: Path, page: str, lang: str) -> list[str]:
    """A number typed into the prose: an error, until the paragraph is taken out again."""
    rel = f"content/{lang}/{page}.md"
    words = "另有12个。" if lang == "zh" else "Another 12."
    text = (project / rel).read_text(encoding="utf-8")
    if words in text:
        text = text.replace(f"\n{words}\n", "")
    else:
        text += f"\n{words}\n"
    (project / rel).write_text(text, encoding="utf-8")
    return [rel]


def figure_value(project: Path, figure: str, value: int) -> list[str]:
    rel = "content/figures.yaml"
    text = (project / rel).read_text(encoding="utf-8")
    pattern = rf"(  - id: {figure}\n(?:    .*\n)*?    value: )[^\n]*"
    (project / rel).write_text(re.sub(pattern, rf"\g<1>{value}", text, count=1), encoding="utf-8")
    return [rel]


def title(project: Path, page: str, lang: str) -> list[str]:
    rel = f"content/{lang}/{page}.md"
    text = (project / rel).read_text(encoding="utf-8")
    suffix = "新" if lang == "zh" else " anew"
    text = re.sub(r"^((?:keyword|title): .*)$", rf"\g<1>{suffix}", text, count=1, flags=re.M)
    (project / rel).write_text(text, encoding="utf-8")
    return [rel]


def interface_string(project: Path, key: str) -> list[str]:
    rel = "content/strings.yaml"
    text = (project / rel).read_text(encoding="utf-8")
    text = re.sub(rf"^({key}: \{{zh: \"?[^,\"]*)", r"\g<1>甲", text, count=1, flags=re.M)
    (project / rel).write_text(text, encoding="utf-8")
    return [rel]


def add_reference(project: Path, page: str, figure: str) -> list[str]:
    changed = []
    for lang, words in ADDED.items():
        rel = f"content/{lang}/{page}.md"
        with (project / rel).open("a", encoding="utf-8") as file:
            file.write("\n" + words.format(id=figure) + "\n")
        changed.append(rel)
    return changed


def reference_in_one_language(project: Path, page: str, figure: str) -> list[str]:
    """A reference the other language lacks: an error."""
    rel = f"content/zh/{page}.md"
    with (project / rel).open("a", encoding="utf-8") as file:
        file.write("\n" + ADDED["zh"].format(id=figure) + "\n")
    return [rel]


def remove_references(project: Path, page: str) -> list[str]:
    """Remove the references ``add_reference`` added to a page."""
    changed = []
    for lang, words in ADDED.items():
        rel = f"content/{lang}/{page}.md"
        text = (project / rel).read_text(encoding="utf-8")
        start = re.escape(words.partition("[[")[0])
        (project / rel).write_text(re.sub(rf"\n{start}\[\[.*\n", "", text), encoding="utf-8")
        changed.append(rel)
    return changed


def figure_section(project: Path, figure: str, page: str) -> list[str]:
    rel = "content/figures.yaml"
    text = (project / rel).read_text(encoding="utf-8")
    pattern = rf"(  - id: {figure}\n    section: )[^\n]*"
    (project / rel).write_text(re.sub(pattern, rf"\g<1>{page}", text, count=1), encoding="utf-8")
    return [rel]


def broken_figure(project: Path, figure: str) -> list[str]:
    return figure_value(project, figure, '"many"')


def figure_counts(project: Path, figure: str) -> list[str]:
    """What a figure counts, changed: a chart's bars then count different things, until
    the other's is changed alike."""
    rel = "content/figures.yaml"
    text = (project / rel).read_text(encoding="utf-8")
    pattern = rf"(  - id: {figure}\n(?:    .*\n)*?    counts: [^\n]*)"
    (project / rel).write_text(re.sub(pattern, r"\g<1>甲", text, count=1), encoding="utf-8")
    return [rel]


EDITS = st.one_of(
    st.tuples(st.just(paragraph), st.sampled_from(PAGES), st.sampled_from(["zh", "en"])),
    st.tuples(st.just(typed_number), st.sampled_from(PAGES), st.sampled_from(["zh", "en"])),
    st.tuples(st.just(figure_value), st.sampled_from(FIGURES), st.integers(1, 99)),
    st.tuples(st.just(title), st.sampled_from(TITLED), st.sampled_from(["zh", "en"])),
    st.tuples(st.just(interface_string), st.sampled_from(STRINGS)),
    st.tuples(st.just(add_reference), st.sampled_from(PAGES), st.sampled_from(FIGURES)),
    st.tuples(st.just(remove_references), st.sampled_from(PAGES)),
    st.tuples(st.just(figure_section), st.sampled_from(FIGURES), st.sampled_from(TITLED)),
    st.tuples(st.just(broken_figure), st.sampled_from(FIGURES)),
    st.tuples(st.just(figure_counts), st.sampled_from(CHARTED)),
)


def sequences(examples: int) -> settings:
    """Hypothesis's settings for ``examples`` random sequences of edits, each on a copy of
    the module's project (function-scoped fixtures are fine: each example copies it)."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@contextlib.contextmanager
def copied(project: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(project, Path(folder) / "project")
        yield Path(folder) / "project"


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_site("full", tmp_path_factory.mktemp("incremental") / "project")


@sequences(12)
@given(edits=st.lists(EDITS, min_size=1, max_size=5))
def test_incremental_equals_a_full_build_after_every_edit(
    fixture_project: Path, edits: list[tuple]
) -> None:
    with copied(fixture_project) as project:
        site = IncrementalSite(project)
        assert same(site, project, [])
        holds_after_each(site, project, edits)


def same(site: IncrementalSite, project: Path, changed: list[str]) -> bool:
    """Whether the update after ``changed`` gives a clean full build's files (or errors)
    and warnings."""
    incremental = whole_outcome(lambda: incremental_with_warnings(site, changed))
    return incremental == whole_outcome(lambda: full_with_warnings(project))


def holds_after_each(site: IncrementalSite, project: Path, edits: list[tuple]) -> None:
    for change, *arguments in edits:
        assert same(site, project, change(project, *arguments)), (change, arguments)
        if change is broken_figure:  # and its fix
            assert same(site, project, figure_value(project, arguments[0], 7)), "the fix"


# What is rendered again --------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_site("full", tmp_path / "project")


def test_a_paragraph_renders_its_page_and_the_whole_report_again(project: Path) -> None:
    site = IncrementalSite(project)
    first = site.update([])
    changed = paragraph(project, "highlight-1", "en")
    second = site.update(changed)
    assert second.rendered == 2  # the page, and the English whole report
    assert second.pages == first.pages == first.rendered
    assert b"A further sentence." in second.files["en/highlight-1.html"]
    assert b"A further sentence." in second.files["en/report.html"]
    for path in ("en/goal-1.html", "highlight-1.html", "data/figures.json", "assets/site.css"):
        assert second.files[path] is first.files[path]  # kept, not made again
    assert b"A further sentence." not in first.files["en/highlight-1.html"]  # never changed


def test_a_paragraph_reads_only_the_file_saved_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nor are the figures read again from figures.yaml as parsed (only its save does), nor
    the figures each page refers to found again but in the page saved."""
    site = IncrementalSite(project)
    site.update([])
    reads: list[str] = []
    figures_read: list[int] = []
    bodies: list[str] = []
    read_text, read_figures = files.read_text, load.read_figures
    figure_references = pages.figure_references
    monkeypatch.setattr(
        pages,
        "figure_references",
        lambda text, r: bodies.append(text) or figure_references(text, r),
    )
    monkeypatch.setattr(
        files, "read_text", lambda f, rel, root=None: reads.append(rel) or read_text(f, rel, root)
    )
    monkeypatch.setattr(
        load, "read_figures", lambda *args: figures_read.append(1) or read_figures(*args)
    )
    site.update(paragraph(project, "highlight-1", "en"))
    assert (reads, figures_read) == (["content/en/highlight-1.md"], [])
    assert len(bodies) == 1 and bodies[0].endswith("A further sentence.\n")
    second = site.update(figure_value(project, "visits", 17000))
    assert (reads[1:], figures_read) == (["content/figures.yaml"], [1])
    assert second.files == full_build(project)


def test_a_paragraph_makes_one_section_of_the_whole_report_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other sections are kept from the last build, while what they show is the same."""
    site = IncrementalSite(project)
    site.update([])
    converted: list[str] = []
    convert = site.renderer.markdown.convert
    monkeypatch.setattr(
        site.renderer.markdown,
        "convert",
        lambda text, c: converted.append(text) or convert(text, c),
    )
    output = site.update(paragraph(project, "highlight-1", "en"))
    # the page's text, and its section of the English whole report
    assert len(converted) == 2 and all("A further sentence." in t for t in converted)
    converted.clear()
    output = site.update(figure_value(project, "visits", 17000))
    assert sum("[[visits]]" in text for text in converted) == len(converted) > 0
    assert output.files == full_build(project)


def test_a_figure_renders_the_pages_that_show_it_and_the_data_again(project: Path) -> None:
    site = IncrementalSite(project)
    first = site.update([])
    changed = figure_value(project, "visits", 17000)
    second = site.update(changed)
    assert second.files == full_build(project)
    # highlight-1, the whole report and the figures page, in both languages
    assert second.rendered == 6
    assert second.files["data/figures.json"] != first.files["data/figures.json"]
    for path in ("en/goal-1.html", "highlight-2.html", "index.html"):
        assert second.files[path] is first.files[path]


def test_the_open_data_is_made_again_when_first_asked_for(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a figure edit, once, by the first request for any of its files."""
    site = IncrementalSite(project)
    site.update([])
    made: list[int] = []
    data_files = incremental.data_files
    monkeypatch.setattr(
        incremental, "data_files", lambda *args: made.append(1) or data_files(*args)
    )
    second = site.update(figure_value(project, "visits", 17000))
    third = site.update(paragraph(project, "goal-1", "en"))  # before anyone asked
    assert made == []
    assert "data/figures.csv" in third.files and len(third.files) == len(second.files)
    assert b"17000" in third.files["data/figures.csv"]
    assert second.files["data/figures.json"] is third.files["data/figures.json"]
    assert made == [1]
    assert third.files == full_build(project)


def test_a_title_renders_every_page_again(project: Path) -> None:
    site = IncrementalSite(project)
    first = site.update([])
    second = site.update(title(project, "goal-1", "zh"))
    assert second.rendered == first.pages


def test_a_broken_save_keeps_the_last_good_site_to_build_on(project: Path) -> None:
    site = IncrementalSite(project)
    site.update([])
    with pytest.raises(BuildFailed) as failure:
        site.update(broken_figure(project, "visits"))
    assert [e.format() for e in failure.value.errors] == [
        'content/figures.yaml:25: figures[2].value: expected a number, got "many" '
        "(write it in digits, without separators or 万: 18000, 92.1)"
    ]
    with pytest.raises(BuildFailed):
        site.update(paragraph(project, "goal-1", "zh"))  # while the figure is still broken
    fixed = site.update(figure_value(project, "visits", 18000))
    assert fixed.files == full_build(project)


def test_a_chart_is_read_again_when_its_figures_change(project: Path) -> None:
    site = IncrementalSite(project)
    site.update(paragraph(project, "goal-1", "zh"))  # charts.yaml read, then kept
    with pytest.raises(BuildFailed) as failure:
        site.update(figure_counts(project, "points"))
    assert [e.format() for e in failure.value.errors] == outcome(lambda: full_build(project))[1]
    assert "count the same thing" in failure.value.errors[0].format()
    fixed = site.update(figure_counts(project, "stations"))
    assert fixed.files == full_build(project)


def test_a_template_renders_everything_again(project: Path) -> None:
    site = IncrementalSite(project)
    first = site.update([])
    base = project / "templates" / "base.html"
    edit(base, "</body>", "<!-- edited --></body>")
    second = site.update(["templates/base.html"])
    assert second.rendered == first.pages
    assert b"<!-- edited -->" in second.files["en/goal-2.html"]


def test_a_link_to_an_anchor_that_goes_away_is_found_broken(project: Path) -> None:
    """A page that is not rendered again is checked again when an anchor it links to on
    another page goes away."""
    site = IncrementalSite(project)
    site.update([])
    rel = "content/zh/highlight-2.md"
    with (project / rel).open("a", encoding="utf-8") as file:
        file.write("\n详见[走访](highlight-1.html#ref-visits)。\n")
    assert site.update([rel]).files == full_build(project)
    changed = []
    for lang in ("zh", "en"):
        changed.append(f"content/{lang}/highlight-1.md")
        edit(project / changed[-1], "[[visits]]", "")
    with pytest.raises(BuildFailed) as failure:
        site.update(changed)
    assert outcome(lambda: full_build(project)) == (
        "failed",
        [error.format() for error in failure.value.errors],
    )
    assert 'broken link "highlight-1.html#ref-visits"' in failure.value.errors[0].message


def test_a_save_of_prose_alone_reads_and_checks_only_that_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not the rest of the content: unless the save did more than change the prose (a
    figure referred to, a number typed in, a title), which reads and checks it all."""
    site = IncrementalSite(project)
    site.update([])
    whole: list[int] = []
    read_site = incremental.read_site
    monkeypatch.setattr(
        incremental, "read_site", lambda *a, **k: whole.append(1) or read_site(*a, **k)
    )
    output = site.update(paragraph(project, "highlight-1", "en"))
    assert (whole, output.rendered) == ([], 2)
    assert output.files == full_build(project)
    assert [w.format() for w in output.warnings] == [
        w.format() for w in full_with_warnings(project)[1]
    ]
    for edit_more in (
        lambda: typed_number(project, "goal-1", "zh"),
        lambda: reference_in_one_language(project, "goal-1", "visits"),
        lambda: title(project, "goal-2", "en"),
    ):
        whole.clear()
        assert outcome(lambda e=edit_more: incremental_build(site, e())) == outcome(
            lambda: full_build(project)
        )
        assert whole == [1]


def test_a_figure_moved_to_another_page_is_found_there(project: Path) -> None:
    """Where each figure appears (its tile, or its first reference) is found again."""
    site = IncrementalSite(project)
    site.update([])
    for page in ("highlight-2", "goal-1", "highlight-1"):
        output = site.update(figure_section(project, "visits", page))
        assert output.files == full_build(project), page


# A large site's whole-report and figures pages in parts ----------------------------------
# The full fixture's five sections split as a site of thousands of pages is (model.PARTED):
# the whole report in parts of two sections (highlights 1 and 2, the closing and goal 1,
# goal 2), the figures page in parts of two sections with figures (the overview and
# highlight 1, highlight 2 and goal 1, goal 2).


@pytest.fixture
def parted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "PARTED", 2)
    monkeypatch.setattr(model, "REPORT_PART", 2)
    monkeypatch.setattr(model, "FIGURES_PART", 2)


PARTS = ["report.html", "report-2.html", "report-3.html"]
PARTS += ["figures.html", "figures-2.html", "figures-3.html"]


def renders(first: SiteOutput, second: SiteOutput) -> set[str]:
    """The pages an update rendered: those it holds as new bytes."""
    return {
        path
        for path in second.files
        if path.endswith(".html") and second.files[path] is not first.files.get(path)
    }


@sequences(10)
@given(edits=st.lists(EDITS, min_size=1, max_size=5))
def test_incremental_equals_a_full_build_of_a_site_in_parts(
    fixture_project: Path, parted: None, edits: list[tuple]
) -> None:
    with copied(fixture_project) as project:
        site = IncrementalSite(project)
        first = outcome(lambda: incremental_build(site, []))
        assert first == outcome(lambda: full_build(project))
        assert {f"en/{part}" for part in PARTS} <= first[1].keys()  # type: ignore[union-attr]
        holds_after_each(site, project, edits)


def test_a_paragraph_renders_its_page_and_its_part_of_the_whole_report(
    project: Path, parted: None
) -> None:
    site = IncrementalSite(project)
    first = site.update([])
    second = site.update(paragraph(project, "goal-1", "en"))
    assert renders(first, second) == {"en/goal-1.html", "en/report-2.html"}
    assert second.rendered == 2
    assert b"A further sentence." in second.files["en/report-2.html"]
    third = site.update(paragraph(project, "overview", "zh"))  # in the first part
    assert renders(second, third) == {"index.html", "report.html"}
    assert third.files == full_build(project)


def test_a_figure_renders_its_pages_and_its_part_of_the_figures_page(
    project: Path, parted: None
) -> None:
    site = IncrementalSite(project)
    first = site.update([])
    second = site.update(figure_value(project, "hearings", 31))
    # goal 1, which shows it, and its part of the whole report; the part that lists it
    pages = {"goal-1.html", "report-2.html", "figures-2.html"}
    assert renders(first, second) == pages | {f"en/{page}" for page in pages}
    assert second.files == full_build(project)
    third = site.update(figure_value(project, "sessions", 5))  # the overview's: the first parts
    pages = {"index.html", "report.html", "figures.html"}
    assert renders(second, third) == pages | {f"en/{page}" for page in pages}
    assert third.files == full_build(project)


def test_a_figure_moved_to_a_section_in_another_part_renders_both_parts(
    project: Path, parted: None
) -> None:
    site = IncrementalSite(project)
    first = site.update([])
    second = site.update(figure_section(project, "visits", "goal-1"))
    assert {"figures.html", "figures-2.html"} <= renders(first, second)
    assert b'id="fig-visits"' in second.files["figures-2.html"]
    assert b'id="fig-visits"' not in second.files["figures.html"]
    assert second.files == full_build(project)


FIGURE_EDITS = st.one_of(
    st.tuples(st.just(figure_value), st.sampled_from(FIGURES), st.integers(1, 99)),
    st.tuples(st.just(figure_section), st.sampled_from(FIGURES), st.sampled_from(TITLED)),
    st.tuples(st.just(broken_figure), st.sampled_from(FIGURES)),
    st.tuples(st.just(figure_counts), st.sampled_from(CHARTED)),
    st.tuples(st.just(add_reference), st.sampled_from(PAGES), st.sampled_from(FIGURES)),
)


@sequences(8)
@given(edits=st.lists(FIGURE_EDITS, min_size=1, max_size=5))
def test_figure_edits_parsed_by_item_equal_a_full_build(
    fixture_project: Path, edits: list[tuple]
) -> None:
    """As above, with figures.yaml laid out as the preview parses it again item by item
    (without the fixture's comment, which has it parsed whole)."""
    with copied(fixture_project) as project:
        rel = project / "content/figures.yaml"
        text = rel.read_text(encoding="utf-8")
        rel.write_text(text[text.index("\nfigures:") + 1 :], encoding="utf-8")
        assert parse_yaml_items(rel.read_text(encoding="utf-8"), "f").listed  # split
        site = IncrementalSite(project)
        assert outcome(lambda: incremental_build(site, [])) == outcome(lambda: full_build(project))
        holds_after_each(site, project, edits)


def test_the_figures_phrases_are_checked_again_when_the_source_text_changes(
    project: Path,
) -> None:
    site = IncrementalSite(project)
    first = site.update([])
    rel = "content/source/report.zh.txt"
    text = (project / rel).read_text(encoding="utf-8")
    (project / rel).write_text(text.replace("走访", "看望"), encoding="utf-8")
    second = site.update([rel])
    expected = [w.format() for w in full_with_warnings(project)[1]]
    assert [w.format() for w in second.warnings] == expected
    assert len(expected) > len(first.warnings)  # a phrase no longer in the source text


def test_a_figure_save_after_the_file_was_seen_empty_parses_only_what_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor's save may be seen as the file emptied, then written: the save after the
    error is parsed by item against the last file that had its items, not whole."""
    rel = project / "content/figures.yaml"
    text = rel.read_text(encoding="utf-8")
    rel.write_text(text[text.index("\nfigures:") + 1 :], encoding="utf-8")  # by item
    site = IncrementalSite(project)
    site.update([])
    rel.write_text("", encoding="utf-8")
    with pytest.raises(BuildFailed):
        site.update(["content/figures.yaml"])
    rel.write_text(text[text.index("\nfigures:") + 1 :], encoding="utf-8")
    parsed: list[int] = []  # how many items each parse of a run of items gave
    items = yamldoc._Reader.items
    monkeypatch.setattr(
        yamldoc._Reader,
        "items",
        lambda reader, *a: parsed.append(len(found := items(reader, *a))) or found,
    )
    output = site.update(figure_value(project, "visits", 17000))
    assert parsed == [1]
    assert output.files == full_build(project)


def test_what_a_save_of_prose_read_is_kept_for_the_saves_after_it(project: Path) -> None:
    """The page as read again, not as first read, when a later save reads its language's
    other pages again, or checks the references of every page again."""
    site = IncrementalSite(project)
    site.update([])
    rel = "content/en/highlight-1.md"
    text = (project / rel).read_text(encoding="utf-8")
    end = text.index("---\n", 4) + len("---\n")  # a first paragraph: the references move down
    (project / rel).write_text(text[:end] + "\nA first sentence.\n" + text[end:], encoding="utf-8")
    assert site.update([rel]).rendered == 2  # prose alone
    # a figure renamed: every reference to it is an error, at its line
    figures = project / "content/figures.yaml"
    edit(figures, "  - id: visits\n", "  - id: visitors\n")
    assert outcome(lambda: incremental_build(site, ["content/figures.yaml"])) == outcome(
        lambda: full_build(project)
    )
    edit(figures, "  - id: visitors\n", "  - id: visits\n")
    assert site.update(["content/figures.yaml"]).files == full_build(project)
    # figures.yaml and the Chinese page saved together: the Chinese pages are read again
    changed = figure_value(project, "visits", 17000) + paragraph(project, "highlight-1", "zh")
    assert site.update(changed).files == full_build(project)
