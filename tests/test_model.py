"""The site as data: where each page is written, and how one page links to another."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from zhoukou_report.layout import page_output
from zhoukou_report.model import Page

ids = st.sampled_from(["overview", "highlight-1", "goal-4", "figures", "source", "404"])
prefixes = st.sampled_from(["", "en/", "fr/"])
files = st.one_of(
    st.builds(page_output, ids, prefixes),
    st.sampled_from(["assets/site.css", "assets/fonts/a.woff2", "data/figures.json"]),
)
anchors = st.sampled_from(["", "#fig-units", "#top"])


@given(page_id=ids, prefix=prefixes, target=files, anchor=anchors)
def test_a_link_leads_from_the_page_to_its_target(page_id, prefix, target, anchor):
    page = Page(page_id, "x", "landing", "T", lang_prefix=prefix)
    link = page.href(target + anchor)
    path, _, fragment = link.partition("#")
    assert not link.startswith("/") and "//" not in link
    assert posixpath.normpath(posixpath.join(posixpath.dirname(page.output), path)) == target
    assert fragment == anchor[1:]


@given(page_id=ids, prefix=prefixes)
def test_an_anchor_alone_stays_on_the_page(page_id, prefix):
    page = Page(page_id, "x", "landing", "T", lang_prefix=prefix)
    assert page.href("#fig-units") == f"{page.output.rpartition('/')[2]}#fig-units"
    assert page.href(page.output) == page.output.rpartition("/")[2]
