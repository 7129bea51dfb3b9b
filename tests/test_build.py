"""build.py: the pipeline end to end, on the fixture sites, read back as HTML."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from helpers import ROOT, SITES, edit, run_cli, tree_hash
from zhoukou_report.build import NO_BASE_URL, build_site, check_site
from zhoukou_report.errors import BuildFailed
from zhoukou_report.stylesheet import compact_css

# The full fixture's pages in each language, and the page made once for every language.
PAGES = [
    "index", "highlight-1", "highlight-2", "closing", "goal-1", "goal-2", "report", "figures",
    "source",
]  # fmt: skip
LANGUAGES = {"zh": ("", "zh-CN"), "en": ("en/", "en")}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_page_exists_in_every_language(built: Path):
    pages = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html"))
    expected = [f"{prefix}{name}.html" for prefix, _ in LANGUAGES.values() for name in PAGES]
    assert pages == sorted([*expected, "404.html"])
    css = (ROOT / "templates" / "static" / "site.css").read_text(encoding="utf-8")
    assert (built / "assets" / "site.css").read_text(encoding="utf-8") == compact_css(css)
    data = sorted(p.name for p in (built / "data").iterdir())
    assert data == ["figures.csv", "figures.json", "figures.schema.json", "figures.xlsx"]
    assert not (built / "sitemap.xml").exists() and not (built / "robots.txt").exists()


def test_every_internal_link_and_anchor_resolves(built: Path):
    """Read with an HTML parser, not with the link check's own reader."""
    ids: dict[Path, set[str]] = {}
    checked = 0
    for file in sorted(built.rglob("*.html")):
        if file.name == "404.html":
            continue
        for element in soup(file).select("[href], [src]"):
            link = element.get("href") or element.get("src")
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "data"):
                continue
            assert not parts.scheme and not parts.netloc, f"{file}: absolute link {link}"
            assert not link.startswith("/"), f"{file}: root-relative link {link}"
            target = (file.parent / unquote(parts.path)).resolve() if parts.path else file
            assert target.is_relative_to(built.resolve()), f"{file}: {link} leaves the site"
            assert target.is_file(), f"{file}: {link} -> missing {target}"
            if parts.fragment:
                if target not in ids:
                    ids[target] = {tag["id"] for tag in soup(target).select("[id]")}
                assert parts.fragment in ids[target], f"{file}: no #{parts.fragment} in {target}"
            checked += 1
    assert checked > 300


def test_every_page_has_its_language_and_its_alternates(built: Path):
    for lang, (prefix, tag) in LANGUAGES.items():
        other = "en" if lang == "zh" else "zh"
        for name in PAGES:
            file = built / f"{prefix}{name}.html"
            page = soup(file)
            assert page.html["lang"] == tag
            alternates = {
                link["hreflang"]: (file.parent / link["href"]).resolve()
                for link in page.select('link[rel="alternate"][hreflang]')
            }
            assert alternates == {
                "zh-CN": (built / f"{name}.html").resolve(),
                "en": (built / f"en/{name}.html").resolve(),
                "x-default": (built / f"{name}.html").resolve(),
            }
            switch = page.select_one(f'.languages a[hreflang="{LANGUAGES[other][1]}"]')
            target = (file.parent / switch["href"]).resolve()
            assert target == (built / f"{LANGUAGES[other][0]}{name}.html").resolve()


def test_a_section_page_leads_with_its_chosen_figures_and_keeps_the_others_in_its_text(
    built: Path,
):
    """highlight-1 leads with visits and suggestions (lead: true); stations and points stay
    in the text, where a tap opens a note with their label, source and row of the figures
    page (a popover: no script)."""
    for prefix in ("", "en/"):
        page = soup(built / f"{prefix}highlight-1.html")
        main = page.select_one("main")
        first = main.select_one("h1").find_next(["section", "div"])
        assert "lead-figures" in first["class"]  # right under the heading
        assert [tile["id"] for tile in first.select(".tile")] == ["tile-visits", "tile-suggestions"]
        button = page.select_one("#ref-points")
        assert button.name == "button" and button["type"] == "button"
        note = page.select_one(f"#{button['popovertarget']}")
        assert note.has_attr("popover") and note.find_parent("p") is None
        assert note.select_one("[lang]").get_text() == "“乡镇代表联络站340个”"
        assert note.select_one("a")["href"] == "figures.html#fig-points"
        assert not page.select("script")


def test_every_page_reaches_every_section_from_its_contents(built: Path):
    """The contents (details/summary, no script) lead to the home page, every highlight, the
    closing, every goal, the whole report, the figures and the source; the pager goes from
    the last highlight to the closing, and from the closing to the first goal."""
    expected = [
        "index.html", "highlight-1.html", "highlight-2.html", "closing.html", "goal-1.html",
        "goal-2.html", "report.html", "figures.html", "source.html",
    ]  # fmt: skip
    for prefix in ("", "en/"):
        for name in PAGES:
            page = soup(built / f"{prefix}{name}.html")
            menu = page.select_one("header nav details.contents")
            assert menu.select_one("summary").get_text(strip=True)
            assert [a["href"] for a in menu.select("a")] == expected, name
            current = menu.select('a[aria-current="page"]')
            assert [a["href"] for a in current] == [f"{name}.html"], name
        closing = soup(built / f"{prefix}closing.html")
        assert closing.select_one('a[rel="prev"]')["href"] == "highlight-2.html"
        assert closing.select_one('a[rel="next"]')["href"] == "goal-1.html"
        last = soup(built / f"{prefix}highlight-2.html")
        assert last.select_one('a[rel="next"]')["href"] == "closing.html"
    closing = soup(built / "closing.html")
    assert closing.h1.get_text() == "结语"  # strings.yaml's closing_title
    assert (
        closing.select_one(".prose p").get_text()
        == "过去一年的成绩来之不易，市人大常委会将继续努力。"
    )


def test_the_whole_report_holds_every_section_in_order_with_its_figures(built: Path):
    for prefix, (overview, closing) in (
        ("", ("一年工作概览", "结语")),
        ("en/", ("The year at a glance", "Closing")),
    ):
        page = soup(built / f"{prefix}report.html")
        headings = [h["id"] for h in page.select(".report-section > :is(h2, h3)")]
        assert headings == ["overview", "highlight-1", "highlight-2", "closing", "goal-1", "goal-2"]
        assert page.select_one("#overview").get_text() == overview
        assert page.select_one("#closing").get_text() == closing
        toc = [a["href"] for a in page.select(".report-toc a")]
        assert toc == [f"#{h}" for h in headings]
        values = [d["value"] for d in page.select(".report-section .fig data")]
        assert values[:3] == ["6", "3", "18000"]  # the overview's, then highlight 1's
        assert "2.5" in values  # a goal's
        intro = page.select_one("#goal-1").find_previous("div", class_="prose")
        assert intro.get_text(strip=True) in (
            "新的一年，市人大常委会将重点做好以下工作。",
            "In the year ahead, the Standing Committee will focus on the following work.",
        )


def test_no_file_names_this_machine(built: Path):
    for file in built.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            for needle in (b"file://", str(ROOT).encode(), str(built).encode(), b"/tmp/"):
                assert needle not in data, f"{needle!r} in {file}"


def test_two_builds_are_byte_identical(built: Path, project: Path, tmp_path: Path):
    again = tmp_path / "again"
    build_site(project, again)
    assert tree_hash(again) == tree_hash(built)


def test_build_prints_its_notes_and_one_summary_line(project: Path):
    out = project / "out"
    first = run_cli("build", "--project", str(project), "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    assert first.stdout.split("\n")[:2] == [
        "Figures: no previous build to compare with.",
        NO_BASE_URL,
    ]
    assert re.fullmatch(r"Built 19 pages into .+/out/ in \d+ ms\.", first.stdout.split("\n")[2])
    assert first.stdout.count("\n") == 3
    edit(project / "content" / "figures.yaml", "value: 120", "value: 125")
    again = run_cli(
        "build", "--project", str(project), "--out", str(out), "--base-url", "https://e.org/r"
    )
    assert again.stdout.split("\n")[:2] == [
        "Figures: 1 change since the previous build:",
        "  changed  stations: 120 → 125",
    ]
    assert NO_BASE_URL not in again.stdout


def test_build_defaults_to_the_project_in_the_current_folder(project: Path):
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert tree_hash(project / "build") != "missing"
    assert (project / "build" / "en" / "index.html").is_file()
    assert (project / "build" / ".zhoukou-report").is_file()


def test_the_minimal_site_has_one_language_and_no_switch(minimal: Path, tmp_path: Path):
    summary = build_site(minimal, tmp_path / "out")
    assert summary.pages == 5
    pages = sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.html")
    )
    assert pages == ["404.html", "figures.html", "index.html", "report.html", "source.html"]
    index = soup(tmp_path / "out" / "index.html")
    assert index.select(".languages a") == []
    assert index.select_one(".fig data").get_text() == "4"


def test_check_runs_every_stage_but_writing(project: Path, tmp_path: Path):
    built = build_site(project, tmp_path / "out")
    checked = check_site(project)
    assert (checked.pages, checked.files, checked.out) == (built.pages, built.files, None)
    assert sorted(p.name for p in project.iterdir()) == ["content", "templates"]


@pytest.mark.parametrize(
    ("stage", "file", "old", "new", "expected"),
    [
        (
            "load",
            "content/en/goal-1.md",
            "title: Lawmaking by law",
            "title:",
            'content/en/goal-1.md:{line}: title: "title" is empty: it should be text',
        ),
        (
            "validate",
            "content/zh/goal-1.md",
            "[[hearings]]",
            "[[hearing]]",
            'content/zh/goal-1.md:{line}: [[hearing]]: unknown figure "hearing" (did you mean "hearings"?)',
        ),
        (
            "render",
            "templates/section.html",
            "{{ page.title }}",
            "{{ page.title.nope }}",
            "templates/section.html:{line}: template error: 'str object' has no attribute 'nope'",
        ),
        (
            "check links",
            "content/en/highlight-1.md",
            "(goal-1.html)",
            "(goal-9.html)",
            'content/en/highlight-1.md:{line}: broken link "goal-9.html": '
            "there is no file en/goal-9.html",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and " " not in value else None,
)
def test_a_failure_at_any_stage_writes_nothing(
    project: Path, tmp_path: Path, stage: str, file: str, old: str, new: str, expected: str
):
    out = tmp_path / "out"
    build_site(project, out)
    before = tree_hash(out)
    edit(project / file, old, new)
    line = next(
        n for n, text in enumerate((project / file).read_text().split("\n"), 1) if new in text
    )
    with pytest.raises(BuildFailed) as failure:
        build_site(project, out)
    assert [e.format() for e in failure.value.errors] == [expected.format(line=line)], stage
    assert tree_hash(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "project"]  # nothing beside


def test_the_fixture_sites_are_whole(built: Path):
    """Every fixture file is there as the tests expect (a guard for the tests themselves)."""
    assert sorted(p.name for p in (SITES / "full" / "content").iterdir()) == [
        "charts.yaml", "en", "figures.yaml", "images", "site.yaml", "source", "strings.yaml", "zh",
    ]  # fmt: skip


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rebuild_writes_only_the_pages_that_changed(project: Path, tmp_path: Path, jobs: int):
    """The others are the previous build's files, linked: an upload tool sends only what
    changed. A goal's text shows on its page and on the whole report's page; its title
    would show on every page of its language too (in the contents)."""
    out = tmp_path / "out"
    build_site(project, out, jobs=jobs)
    inode = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    edit(project / "content" / "en" / "goal-2.md", "We will carry out", "We carry out")
    build_site(project, out, jobs=jobs)
    changed = {p.relative_to(out).as_posix() for p in inode if p.stat().st_ino != inode[p]}
    assert changed == {
        ".zhoukou-report",
        "en/goal-2.html",
        "en/report.html",
    }
    assert tree_hash(out) == tree_hash(build_site(project, tmp_path / "fresh").out)


def test_the_base_url_note_is_shown_once_per_output_folder_or_with_verbose(project: Path):
    out = project / "out"
    args = ("build", "--project", str(project), "--out", str(out))
    assert NO_BASE_URL in run_cli(*args).stdout.splitlines()  # a new folder
    again = run_cli(*args)
    assert again.returncode == 0
    assert NO_BASE_URL not in again.stdout
    assert again.stdout.splitlines()[0] == "Figures: no changes since the previous build."
    assert NO_BASE_URL in run_cli(*args, "--verbose").stdout.splitlines()
    assert NO_BASE_URL in run_cli(*args, "-v").stdout.splitlines()
    # After a build with a base URL, a build without one is told again.
    assert run_cli(*args, "--base-url", "https://example.org/r/").returncode == 0
    assert NO_BASE_URL in run_cli(*args).stdout.splitlines()
