"""charts.yaml read again in the preview only for the charts that name a figure that
changed: the charts and problems (in their order) are those of a fresh read, after any
sequence of figure edits."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from zhoukou_report import charts as charts_module
from zhoukou_report.charts import read_charts
from zhoukou_report.fields import Problems
from zhoukou_report.files import ContentFiles, Kept
from zhoukou_report.load import _read_charts
from zhoukou_report.model import Figure, Page
from zhoukou_report.yamldoc import parse_yaml

IDS = ["a", "b", "c", "d", "e"]
PAGES = [Page("p1", "zh", "p1", "一"), Page("p2", "zh", "p2", "二")]


def make_figure(figure_id: str, unit: str, counts: str | None, value: int) -> Figure:
    return Figure.make(
        figure_id, "p1", value, {"zh": unit}, {"zh": "标签", "en": "Label"}, "x", counts=counts
    )


FIGURES = st.builds(
    make_figure,
    st.sampled_from(IDS),
    st.sampled_from(["个", "%"]),
    st.sampled_from([None, "数据", "项目"]),
    st.integers(1, 9),
)
CHART = st.tuples(
    st.sampled_from(["c1", "c2", "c3", ""]),  # ids used twice, or none
    st.sampled_from(["p1", "p2", "p3"]),
    st.sampled_from(["bars", "share", "pie"]),
    st.booleans(),  # with an English title
    st.one_of(st.lists(st.sampled_from([*IDS, "f"]), min_size=1, max_size=3), st.just(None)),
)


def charts_text(charts: list[tuple]) -> str:
    lines = ["charts:"]
    for chart_id, section, kind, english, members in charts:
        lines += [f"  - id: {chart_id}", f"    section: {section}", f"    kind: {kind}"]
        lines += ["    title:", "      zh: 图"] + (["      en: Chart"] if english else [])
        if members is not None:
            lines.append(f"    figures: [{', '.join(members)}]")
    return "\n".join(lines) + "\n"


def outcome(read) -> tuple:
    problems = Problems()
    problems.drafts = {"en": "zh"}
    charts = read(problems)
    return charts, problems.errors, list(problems.fallbacks.items())


@settings(max_examples=200, deadline=None, database=None)
@given(
    charts=st.lists(CHART, min_size=1, max_size=5),
    first=st.lists(FIGURES, min_size=5, max_size=5),
    edits=st.lists(st.tuples(st.lists(FIGURES, max_size=3), st.booleans()), min_size=1, max_size=5),
)
def test_charts_read_again_by_figure_are_a_fresh_read(charts, first, edits):
    doc = parse_yaml(charts_text(charts), "content/charts.yaml")
    files = ContentFiles(Path("."), kept=Kept())
    codes = ("zh", "en")
    figures = {figure.id: figure for figure in first}
    for changed, renamed in [([], False), *edits]:
        for figure in changed:  # a new figure in the place of the one of its id
            figures[figure.id] = figure
        if renamed:  # as many figures, one of them of another id
            gone = next(iter(figures))
            figures = {("f" if i == gone else i): figure for i, figure in figures.items()}
            figures["f"] = make_figure("f", "个", "数据", 5)
        listed = list(figures.values())
        kept = outcome(lambda p: _read_charts(files, doc, listed, PAGES, codes, p))  # noqa: B023
        fresh = outcome(lambda p: read_charts(doc, dict(figures), PAGES, codes, p))  # noqa: B023
        assert kept == fresh


def test_only_the_charts_naming_a_changed_figure_are_read_again(monkeypatch):
    text = charts_text(
        [("c1", "p1", "bars", True, ["a", "b"]), ("c2", "p1", "bars", True, ["c", "d"])]
    )
    doc = parse_yaml(text, "content/charts.yaml")
    files = ContentFiles(Path("."), kept=Kept())
    figures = [make_figure(i, "个", "数据", 3) for i in IDS]
    first = outcome(lambda p: _read_charts(files, doc, figures, PAGES, ("zh", "en"), p))
    read: list[str] = []
    read_chart = charts_module._read_chart
    monkeypatch.setattr(
        charts_module,
        "_read_chart",
        lambda doc, path, *args: read.append(path) or read_chart(doc, path, *args),
    )
    figures = [*figures]  # each build's own list, as load makes it
    figures[2] = make_figure("c", "个", "数据", 4)
    second = outcome(lambda p: _read_charts(files, doc, figures, PAGES, ("zh", "en"), p))
    assert read == ["charts[1]"]
    assert second[0][0] is first[0][0] and second[0][1] == first[0][1]
    figures = [*figures]
    figures[2] = make_figure("c", "个", "项目", 4)  # counts another thing than "d"
    third = outcome(lambda p: _read_charts(files, doc, figures, PAGES, ("zh", "en"), p))
    assert [chart.id for chart in third[0]] == ["c1"]
    assert [error.field for error in third[1]] == ["charts[1].figures"]


def test_a_title_without_its_draft_language_text_falls_back_once_a_chart():
    text = charts_text(
        [("c1", "p1", "bars", False, ["a", "b"]), ("c2", "p1", "bars", False, ["c", "d"])]
    )
    doc = parse_yaml(text, "content/charts.yaml")
    figures = {i: make_figure(i, "个", "数据", 3) for i in IDS}
    charts, errors, fallbacks = outcome(lambda p: read_charts(doc, figures, PAGES, ("zh", "en"), p))
    assert [chart.title for chart in charts] == [{"zh": "图", "en": "图"}] * 2
    assert (errors, fallbacks) == ([], [(("content/charts.yaml", "en"), 2)])
