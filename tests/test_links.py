"""links.py: the link check reads pages with regular expressions, and must see what an HTML
parser sees; a page's own part of the check, then the site's."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import run_cli
from zhoukou_report.errors import ContentError
from zhoukou_report.links import PageCheck, check_links, check_page, page_links
from zhoukou_report.model import Page, Site, SiteMeta, SourceText, Text

LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
                   ("source", "src"), ("use", "href")}  # fmt: skip


class Reference(HTMLParser):
    """The standard library's HTML parser, collecting the same things."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag, attrs):
        seen = set()
        for name, value in attrs:
            if value is None or name in seen:
                continue  # a browser keeps the first of an attribute given twice
            seen.add(name)
            if name == "id":
                self.ids.add(value)
            elif (tag, name) in LINK_ATTRIBUTES:
                self.links.append((value, self.getpos()[0]))


def read(html: str):
    """What page_links reads of a page, given as text."""
    return page_links(html.encode("utf-8"))


def test_every_built_page_reads_the_same_as_with_an_html_parser(built: Path):
    pages = sorted(built.rglob("*.html"))
    assert len(pages) == 19
    for file in pages:
        reference = Reference()
        reference.feed(file.read_text(encoding="utf-8"))
        found = page_links(file.read_bytes())
        assert found.ids == reference.ids, file
        assert found.links == reference.links, file


@pytest.mark.parametrize(
    ("html", "ids", "links"),
    [
        ('<a href="a.html" id="x">', {"x"}, [("a.html", 1)]),
        ("<a id='y' href='b.html?x=1&amp;y=2'>", {"y"}, [("b.html?x=1&y=2", 1)]),
        (
            '\n\n<link rel="stylesheet" href="s.css">\n<img src="i.png" alt="">',
            set(),
            [("s.css", 3), ("i.png", 4)],
        ),
        ('<!-- <a href="commented.html"> -->\n<a href="real.html">', set(), [("real.html", 2)]),
        ('<div data-href="no.html" id=plain><p src="no.html">', {"plain"}, []),
        ('<A HREF="upper.html">', set(), [("upper.html", 1)]),
        ('<a hreflang="en" data-id="n" href="en.html" id="m">', {"m"}, [("en.html", 1)]),
        ('<a href="first.html" href="second.html" id="a" id="b">', {"a"}, [("first.html", 1)]),
        ('<a\n  id="w"\n  href="wrapped.html">', {"w"}, [("wrapped.html", 1)]),
    ],
    ids=[
        "double",
        "single-and-entity",
        "lines",
        "comment",
        "not-links",
        "upper-case",
        "look-alike-names",
        "first-of-two",
        "wrapped-tag",
    ],
)
def test_page_links(html, ids, links):
    found = read(html)
    assert found.ids == ids
    assert found.links == links


_NAMES = st.sampled_from(["id", "href", "src", "class", "data-id", "hreflang", "title", "alt"])
_VALUES = st.text(alphabet="ab#./=&;i d", max_size=6)


@st.composite
def _start_tag(draw) -> str:
    tag = draw(st.sampled_from(["a", "link", "img", "script", "source", "use", "div", "p", "i"]))
    attributes = []
    for name, value in draw(st.lists(st.tuples(_NAMES, _VALUES), max_size=4)):
        space = draw(st.sampled_from([" ", "\n", "  ", "\t"]))
        quoted = '"' in value or "'" in value or any(c in value for c in " =&")
        quote = draw(st.sampled_from(['"', "'"] if quoted or not value else ['"', "'", ""]))
        attributes.append(f"{space}{name}={quote}{value}{quote}")
    end = "</script>" if tag == "script" else ""  # its content is not read as HTML
    return f"<{tag}{''.join(attributes)}>{end}"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(_start_tag(), st.sampled_from(["text", ' id="t" ', "\n", " href=x ", "</a>"])),
        max_size=12,
    )
)
@example(['<a href="a" href="b" id="c" id="d">'])
@example(['<p data-id="x">', ' id="text" '])
def test_the_reading_matches_an_html_parser(parts):
    html = "".join(parts)
    reference = Reference()
    reference.feed(html)
    reference.close()
    found = read(html)
    assert found.ids == reference.ids
    assert found.links == reference.links


def _site(pages: list[Page]) -> Site:
    meta = SiteMeta(*({"x": ""} for _ in range(6)), date=date(2025, 1, 1))
    return Site(
        meta=meta, languages=(), figures=(), pages=tuple(pages), goals_intro={}, strings={},
        source=SourceText((), "s"),
    )  # fmt: skip


def test_the_link_check_reports_missing_files_and_anchors_in_a_template():
    """Each page's own part (check_page, as it is rendered), then the site's (check_links)."""
    files = {
        "index.html": '<a href="en/a.html#here">x</a>\n<a href="gone.html">y</a><a href="#top">t</a>',
        "en/a.html": '<p id="there"></p><a href="../index.html">z</a><a href="/root.html">r</a>',
    }
    checks = [check_page(path, html.encode(), set(files)) for path, html in files.items()]
    assert checks[1].ids == "there"
    assert checks[0].wanted == "en/a.html#here"
    found = check_links(checks, _site([]), set(files), lambda path: files[path].encode())
    errors = [e.format() for e in sorted(found, key=ContentError.sort_key)]
    template = "(build/{0} is the page as built: the link comes from a template)"
    assert errors == [
        'build/en/a.html:1: broken link "/root.html": links must be relative to the page, '
        "not to the root of a host " + template.format("en/a.html"),
        'build/index.html:1: broken link "en/a.html#here": en/a.html has no element with id '
        '"here" ' + template.format("index.html"),
        'build/index.html:2: broken link "#top": index.html has no element with id "top" '
        + template.format("index.html"),
        'build/index.html:2: broken link "gone.html": there is no file gone.html '
        + template.format("index.html"),
    ]


def test_a_broken_link_typed_in_markdown_is_reported_where_it_is_typed():
    body = Text(
        "First line.\n\nSee [the goal](goal-9.html#x) and [top](#nowhere).\n", "content/en/a.md", 5
    )
    page = Page("highlight-1", "en", "highlight", "T", 1, body, "en/")
    html = '<main>\n<p>See <a href="goal-9.html#x">the goal</a></p>\n<a href="figures.html#gone">f</a>\n<a href="#nowhere">top</a>\n'
    files = {"en/highlight-1.html": html, "en/figures.html": '<p id="here">'}
    checks = [
        check_page(path, text.encode(), set(files), [body] if path.endswith("1.html") else [])
        for path, text in files.items()
    ]
    found = check_links(checks, _site([page]), set(files), lambda path: files[path].encode())
    assert sorted(e.format() for e in found) == [
        'build/en/highlight-1.html:3: broken link "figures.html#gone": en/figures.html has no '
        'element with id "gone" (build/en/highlight-1.html is the page as built: the link '
        "comes from a template)",
        'content/en/a.md:7: broken link "#nowhere": en/highlight-1.html has no element with id "nowhere"',
        'content/en/a.md:7: broken link "goal-9.html#x": there is no file en/goal-9.html',
    ]


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("https://example.org/x", None),
        ("mailto:a@b.cn", None),
        ("data:,", None),
        ("ftp://example.org/x", "links must be relative to the page"),
        ("//example.org/x", "links must be relative to the page"),
        ("/index.html", "links must be relative to the page, not to the root of a host"),
        ("../../index.html", "it leads outside the site"),
        ("../index.html", None),
        ("sub/../index.html", "there is no file en/index.html"),
        ("%69ndex.html", "there is no file en/index.html"),
    ],
    ids=[
        "https",
        "mailto",
        "data",
        "ftp",
        "scheme-relative",
        "root",
        "outside",
        "up",
        "dots",
        "quoted",
    ],
)
def test_what_is_wrong_with_a_link(link: str, problem: str | None):
    files = {"index.html", "en/a.html"}
    check = check_page("en/a.html", f'<a href="{link}">x</a>'.encode(), files)
    assert [e.message.split(": ", 1)[1] for e in check.broken] == ([problem] if problem else [])


def test_a_page_without_links_to_other_anchors_wants_nothing():
    check = check_page(
        "a.html", b'<p id="x"><a href="#x">here</a><a href="b.html">b</a>', {"a.html", "b.html"}
    )
    assert check == PageCheck("a.html", "x", [], "")


def test_the_404_page_is_not_checked_for_links():
    check = check_page("404.html", b'<a href="/anything">x</a><p id="i">', set())
    assert (check.broken, check.wanted, check.ids) == ([], "", "i")


def test_an_html_asset_is_checked_like_a_page(project: Path):
    asset = project / "templates" / "static" / "about.html"
    asset.write_text(
        '<!doctype html>\n<a href="../index.html#main">home</a>\n<a href="../missing.html">x</a>\n',
        encoding="utf-8",
    )
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert (
        'build/assets/about.html:3: broken link "../missing.html": there is no file missing.html'
        in result.stderr
    )
    assert "index.html#main" not in result.stderr  # an anchor of a page is found from an asset
    asset.write_text('<a href="../en/figures.html#fig-stations">x</a>\n', encoding="utf-8")
    assert run_cli("check", "--project", str(project)).returncode == 0


def test_a_template_link_written_in_capitals_is_read(project: Path, built: Path):
    base = project / "templates" / "base.html"
    html = base.read_text(encoding="utf-8")
    old = '<a class="skip-link" href="#main">'
    assert old in html
    base.write_text(html.replace(old, '<A class="skip-link" HREF="#nowhere">'), encoding="utf-8")
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert "Found 18 errors" in result.stderr  # every page but 404.html
    page = (built / "index.html").read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(page, 1) if 'class="skip-link"' in text)
    assert (
        f'build/index.html:{line}: broken link "#nowhere": index.html has no element with id "nowhere"'
        in result.stderr
    )
