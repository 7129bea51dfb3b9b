"""The link check reads pages with a regular expression: it must see what an HTML parser sees."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zhoukou_report.errors import ContentError
from zhoukou_report.links import check_anchors, has_capital_names, page_links
from zhoukou_report.render import RenderedPage, SiteRenderer

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


def test_every_built_page_reads_the_same_as_with_an_html_parser(built: Path):
    pages = sorted(built.rglob("*.html"))
    assert len(pages) == 27
    for file in pages:
        html = file.read_text(encoding="utf-8")
        reference = Reference()
        reference.feed(html)
        assert not has_capital_names(html), file
        for lower_case in (False, True):
            found = page_links(html, lower_case)
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
    found = page_links(html)
    assert found.ids == ids
    assert found.links == links
    if not has_capital_names(html):  # the quicker reading, where it applies, finds the same
        quick = page_links(html, lower_case=True)
        assert (quick.ids, quick.links) == (ids, links)


@pytest.mark.parametrize(
    ("html", "capitals"),
    [
        ('<a href="x.html" id="y"><img src="i.png">', False),
        ('<div class="A B" title="ID 1">Some Text</div>', False),
        ("<!DOCTYPE html>", False),
        ('<A href="x.html">', True),
        ('<svg><linearGradient id="g">', True),
        ('<a HREF="x.html">', True),
        ('<p Id="y">', True),
        ('<img\nSrc="i.png">', True),
    ],
    ids=["lower", "capitals-elsewhere", "doctype", "tag", "camel-case-tag", "href", "id", "src"],
)
def test_has_capital_names(html, capitals):
    assert has_capital_names(html) is capitals


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
def test_both_readings_of_lower_case_html_match_an_html_parser(parts):
    html = "".join(parts)
    reference = Reference()
    reference.feed(html)
    reference.close()
    for lower_case in (False, True):
        found = page_links(html, lower_case)
        assert found.ids == reference.ids
        assert found.links == reference.links


def test_the_link_check_reports_missing_files_and_anchors():
    """Each page's own part (RenderedPage.checked), then the site-wide part (check_anchors),
    as a build does them."""
    files = {
        "index.html": '<a href="en/a.html#here">x</a><a href="gone.html">y</a>',
        "en/a.html": '<p id="there"></p><a href="../index.html">z</a><a href="/root.html">r</a>',
    }
    pages = [RenderedPage.checked(path, html, set(files)) for path, html in files.items()]
    found = [error for page in pages for error in page.broken]
    found += check_anchors(
        [anchor for page in pages for anchor in page.anchors],
        {page.output: page.ids for page in pages},
    )
    errors = [e.format() for e in sorted(found, key=ContentError.sort_key)]
    assert errors == [
        'build/en/a.html:1: broken link "/root.html": links must be relative to the page, not to the root of a host (build/en/a.html is the page as built: the link comes from a template)',
        'build/index.html:1: broken link "en/a.html#here": en/a.html has no element with id "here" (build/index.html is the page as built: the link comes from a template)',
        'build/index.html:1: broken link "gone.html": there is no file gone.html (build/index.html is the page as built: the link comes from a template)',
    ]


def test_an_html_asset_is_checked_like_a_page(project):
    from helpers import run_cli

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
    asset.write_text('<a href="../en/figures.html#fig-liaison-stations">x</a>\n', encoding="utf-8")
    assert run_cli("check", "--project", str(project)).returncode == 0


def test_pages_of_templates_with_capital_names_are_read_the_careful_way(project):
    from helpers import run_cli

    renderer = SiteRenderer(project)
    renderer.check_templates()
    assert renderer.lower_case  # the project's own templates: the quicker reading
    base = project / "templates" / "base.html"
    html = base.read_text(encoding="utf-8")
    old = '<a class="skip-link" href="#main">'
    assert old in html
    base.write_text(html.replace(old, '<A class="skip-link" HREF="#nowhere">'), encoding="utf-8")
    renderer.check_templates()
    assert not renderer.lower_case
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert "Found 26 errors" in result.stderr  # every page but 404.html
    line = (
        'build/index.html:26: broken link "#nowhere": index.html has no element with id "nowhere"'
    )
    assert line in result.stderr
