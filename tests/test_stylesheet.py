"""The stylesheet as the site ships it: compact, and the same rules."""

from __future__ import annotations

import pytest

from helpers import ROOT
from zhoukou_report.stylesheet import compact_css

CASES = [
    ("body {\n  margin: 0;\n  color: red;\n}\n", "body{margin:0;color:red}"),
    ("/* a note */\na { color: red; } /* another */", "a{color:red}"),
    ("h1,\nh2 {\n  margin: 0 0 0.5em;\n}", "h1,h2{margin:0 0 0.5em}"),
    # A space that separates stays: descendant selectors, values, calc().
    (".x :lang(en) > b { width: calc(100% - 2rem); }", ".x :lang(en) > b{width:calc(100% - 2rem)}"),
    ("a/* x */b { }", "a b{}"),
    # Quoted strings are kept as written, also what looks like a comment or a colon in them.
    ('a::after {\n  content: " ▾ /* : */ ";\n}', 'a::after{content:" ▾ /* : */ "}'),
    ("a { content: 'it\\'s : { }'; }", "a{content:'it\\'s : { }'}"),
    ("/* it's a \"quote\" */ a { b: c }", "a{b:c}"),
    ('@page { @bottom-center { content: counter(page) " / " counter(pages); } }',
     '@page{@bottom-center{content:counter(page) " / " counter(pages)}}'),
    ("@media (min-width: 48rem) {\n  a { b: c; }\n}", "@media (min-width:48rem){a{b:c}}"),
    ("a { b: c } /* unclosed", "a{b:c}"),
]  # fmt: skip


@pytest.mark.parametrize(("css", "compact"), CASES, ids=[c[1][:40] for c in CASES])
def test_compact_css(css: str, compact: str) -> None:
    assert compact_css(css) == compact


def test_the_theme_s_stylesheet_keeps_every_rule_and_sheds_a_third() -> None:
    css = (ROOT / "templates" / "static" / "site.css").read_text(encoding="utf-8")
    compact = compact_css(css)
    assert compact.count("{") == css.count("{") and compact.count("}") == css.count("}")
    assert "/*" not in compact and "\n" not in compact
    assert len(compact) < 0.7 * len(css)
    assert compact_css(compact) == compact
