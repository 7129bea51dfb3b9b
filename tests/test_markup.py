"""markup.py: Markdown to HTML, figure references, Chinese line breaks, sanitising."""

from __future__ import annotations

import nh3
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from zhoukou_report.errors import ContentError
from zhoukou_report.markup import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_SCHEMES,
    ALLOWED_TAGS,
    FIGURE_REF,
    FigureContext,
    Renderer,
    _converter,
    figure_references,
    join_lines,
)
from zhoukou_report.model import Figure

FIGURES = {
    "deputies": Figure.make("deputies", "highlight-4", 18000, {"zh": "名", "en": ""},
                            {"zh": "代表", "en": "Deputies"}, "1.8万名"),
    "units": Figure.make("units", "highlight-3", 110, {"zh": "家", "en": ""},
                         {"zh": "单位", "en": "Units"}, "110多家", qualifier="more-than"),
    "visits": Figure.make("visits", "highlight-1", 68, {"zh": "人次", "en": "person-times"},
                          {"zh": "宪法宣誓", "en": "Oaths"}, "68人次"),
}  # fmt: skip


def render(text: str, lang: str) -> str:
    context = FigureContext(FIGURES, lang, lambda figure: f"figures.html#fig-{figure.id}")
    return Renderer().convert(text, context)


def test_a_reference_renders_the_number_of_its_language_as_data():
    """The number with the measure word that follows it in the text: one unbreakable piece."""
    assert render("把[[deputies]]名代表编组。", "zh") == (
        '<p>把<a class="fig" href="figures.html#fig-deputies" id="ref-deputies">'
        '<span class="num"><data value="18000">1.8万</data><span class="unit">名</span></span>'
        "</a>代表编组。</p>"
    )
    assert render("We grouped [[deputies]] deputies.", "en") == (
        '<p>We grouped <a class="fig" href="figures.html#fig-deputies" id="ref-deputies">'
        '<data class="num" value="18000">18,000</data></a> deputies.</p>'
    )


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("[[visits]]人次，", "zh", '<span class="unit">人次</span></span></a>，'),
        ("[[visits]] person-times.", "en", ' <span class="unit">person-times</span></span></a>.'),
        ("[[visits]]次", "zh", "</data></a>次"),  # another measure word: not the figure's
        ("[[visits]] person-timesheets", "en", "</data></a> person-timesheets"),
        ("[[visits]] persons", "en", "</data></a> persons"),
    ],
    ids=["zh", "en", "zh-other-word", "en-longer-word", "en-other-word"],
)
def test_the_unit_that_follows_a_figure_in_the_text_is_kept_with_it(
    text: str, lang: str, expected: str
):
    assert expected in render(text, lang)


def test_with_a_note_a_figure_opens_its_label_and_source_without_leaving_the_page():
    """A button and a popover (no script): one per reference, each with its own id."""
    context = FigureContext(
        FIGURES, "zh", lambda figure: "f.html", set(), note=lambda figure: f"({figure.label['zh']})"
    )
    html = Renderer().convert("[[deputies]]名，又[[deputies]]名", context)
    assert html == (
        '<p><span class="keep"><button type="button" class="fig" popovertarget="note-deputies"'
        ' id="ref-deputies">'
        '<span class="num"><data value="18000">1.8万</data><span class="unit">名</span></span>'
        "</button>，</span>又"
        '<button type="button" class="fig" popovertarget="note-deputies-2">'
        '<span class="num"><data value="18000">1.8万</data><span class="unit">名</span></span>'
        "</button></p>"
    )
    assert context.notes == [  # placed after the text, outside its paragraphs
        '<div class="fig-note" id="note-deputies" popover>(代表)</div>',
        '<div class="fig-note" id="note-deputies-2" popover>(代表)</div>',
    ]


@pytest.mark.parametrize(
    ("text", "lang", "kept"),
    [
        ("[[visits]]人次。后", "zh", "</button>。</span>后"),
        ("[[visits]]人次、后", "zh", "</button>、</span>后"),
        ("[[visits]]人次）后", "zh", "</button>）</span>后"),
        ("[[visits]] person-times, then", "en", "</button>,</span> then"),
        ("[[deputies]]).", "en", "</button>)</span>."),
    ],
)
def test_a_closing_mark_after_a_figure_never_starts_a_line(text: str, lang: str, kept: str):
    """A button is an atomic inline: the browser may break after it even before "，", so
    the mark goes with it into a piece that does not wrap."""
    context = FigureContext(FIGURES, lang, lambda figure: "f.html", set(), note=lambda f: "")
    html = Renderer().convert(text, context)
    assert html.startswith('<p><span class="keep"><button')
    assert kept in html


@pytest.mark.parametrize("text", ["[[visits]]人次的", "[[visits]] person-times and", "[[visits]]"])
def test_a_figure_before_a_word_or_nothing_is_not_wrapped(text: str):
    context = FigureContext(FIGURES, "zh", lambda figure: "f.html", set(), note=lambda f: "")
    assert 'class="keep"' not in Renderer().convert(text, context)


def test_only_the_first_reference_on_a_page_carries_the_anchor():
    context = FigureContext(FIGURES, "en", lambda figure: "f.html", set())
    renderer = Renderer()
    first = renderer.convert("[[deputies]] and [[deputies]]", context)
    second = renderer.convert("again [[deputies]]", context)
    assert first.count('id="ref-deputies"') == 1
    assert "id=" not in second


def test_a_qualifier_is_written_the_way_each_language_writes_it():
    assert '<data value="110">110多</data>' in render("走访[[units]]家单位", "zh")
    # "more than" may wrap; the number may not
    assert 'more than <data class="num" value="110">110</data>' in render(
        "visited [[units]] units", "en"
    )


def test_an_unknown_reference_is_a_content_error():
    with pytest.raises(ContentError, match='unknown figure "nope"'):
        render("[[nope]]", "zh")


def test_a_line_break_in_chinese_is_not_a_space():
    html = render("在市委坚强领导下，市人大\n常委会召开会议\n[[deputies]]\n名。", "zh")
    assert "市人大常委会召开会议<a" in html
    assert '<span class="unit">名</span></span></a>。' in html
    assert "\n" not in html.removeprefix("<p>").removesuffix("</p>")


def test_a_line_break_in_english_stays_a_space():
    html = render("We held\nsessions and\n[[deputies]] deputies.", "en")
    assert "We held\nsessions and\n<a" in html


def test_latin_words_inside_chinese_keep_their_space():
    assert render("使用 Python\nMarkdown 写作", "zh") == "<p>使用 Python Markdown 写作</p>"


def test_figure_references_report_their_lines():
    text = "first [[a]]\nsecond\nthird [[b]] and [[ c ]]\n"
    assert list(figure_references(text)) == [("a", 0), ("b", 2), ("c", 2)]


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="https://example.org"></iframe>',
        "<style>body{display:none}</style>",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    ],
    ids=["script", "onerror", "javascript-url", "iframe", "style", "data-url"],
)
def test_raw_html_is_cleaned_to_the_allowlist(raw):
    html = render(f"text\n\n{raw}\n", "en").lower()
    for banned in ("<script", "onerror", "javascript:", "<iframe", "<style", "data:"):
        assert banned not in html


def test_a_reference_in_code_or_in_an_attribute_stays_as_typed():
    html = render("Type `[[deputies]]` to show [[deputies]].", "en")
    assert "<code>[[deputies]]</code>" in html
    assert html.count("<data") == 1
    linked = render('<abbr title="[[deputies]]">NPC</abbr> [[units]]', "en")
    assert 'title="[[deputies]]"' in linked
    assert 'value="110">' in linked


@pytest.mark.parametrize(
    "text",
    [
        "Type `[[nope]]` for a figure.",
        "A figure:\n\n    [[nope]]\n",
        "See [the list](figures.html#[[nope]]).",
        "See [the list][l].\n\n[l]: figures.html#[[nope]]\n",
        '<abbr title="[[nope]]">NPC</abbr>',
        "<!-- [[nope]] -->",
    ],
    ids=["code-span", "code-block", "link-address", "link-definition", "attribute", "comment"],
)
def test_a_reference_shown_as_typed_is_no_reference(text):
    """Not checked against the figures (an example of the syntax is no error), nor counted
    as a use of a figure, nor given its anchor."""
    assert list(figure_references(f"{text}\n\n[[units]] units")) == [
        ("units", 2 + text.count("\n"))
    ]
    html = render(f"{text}\n\n[[units]] units", "en")
    assert "[[nope]]" in html or "nope" not in html  # as typed, or gone (a comment)
    assert html.count("<data") == 1


# Prose with a little Markdown syntax here and there: words (English and Chinese), spaces
# and line breaks, then one or two pieces of syntax alone (so that each is not always in
# the company of another that sends the text the slow way anyway): the starts of blocks,
# indents, tabs, trailing spaces, special characters, and each inline syntax.
_PLAIN = ["ab", "中文", "。", " ", "\n", "\n\n"]
_SYNTAX = ["  ", "\t", "\n \n", "    ", " \n", "- ", "+ ", "* ", "1. ", "1) ", "2023.", "# ", "> ",
           "===", "---", "|", ":", "\u00a0", "\x0b", "\x02", "\x03", "\r", "\u2028", "*a*", "_a_", "**a**",
           "`a`", "[a](b)", "[a]", "![a](b)", "<b>", "<http://a.b>", "&amp;", "&", "  \n",
           "\\*", "\\.", "!"]  # fmt: skip


@st.composite
def prose(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(_PLAIN), max_size=5))
    for piece in draw(st.lists(st.sampled_from(_SYNTAX), max_size=2)):
        pieces.insert(draw(st.integers(0, len(pieces))), piece)
    return "".join(pieces)


def converted_in_full(text: str, lang: str) -> str:
    """The reference: Python-Markdown, then the sanitiser."""
    md = _converter(chinese=lang == "zh")
    return nh3.clean(
        md.convert(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=None,
    )


@settings(max_examples=1000, deadline=None)
@given(prose(), st.sampled_from(["en", "zh"]))
@example("ab  \x02\nab", "en")  # Markdown removes STX: the two spaces become a line break
@example("ab\t\nab", "en")  # Markdown expands the tab: a line break again
@example("a\n*  \nb", "en")  # not a list marker: a line break
@example("  \n*  \n*  \n", "en")  # not list markers: emphasis
def test_plain_paragraphs_are_converted_as_python_markdown_converts_them(text, lang):
    """Texts of plain paragraphs are converted without Python-Markdown: only where the
    output is the same."""
    assert render(text, lang) == converted_in_full(text, lang)


def test_plain_paragraphs_are_converted_the_quick_way():
    renderer = Renderer()
    html = renderer.convert(
        "第一段\n续行。\n\nSecond [[units]].\n", FigureContext(FIGURES, "zh", str)
    )
    assert html.startswith('<p>第一段续行。</p>\n<p>Second <a class="fig"')
    assert renderer.converters == {}  # Python-Markdown was not needed


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("市人大\n常委会", "市人大常委会"),  # ideographs
        ("会议。\nWe", "会议。We"),  # CJK punctuation
        ("“报告”\n通过", "“报告”通过"),  # quotation marks shared with Latin text
        ("ｶﾀ\nｶﾅ", "ｶﾀｶﾅ"),  # halfwidth forms
        ("Python\nMarkdown", "Python Markdown"),  # Latin words keep their space
        ("第\ue000x\ue001\n次", "第\ue000x\ue001次"),  # beside a figure reference
    ],
)
def test_which_line_breaks_chinese_text_drops(text, joined):
    assert join_lines(text) == joined


# Short texts of single characters that matter to Markdown, in any order.
_CHARACTERS = [*"ab中。 \t\n\r\x02\x03\x0b\xa0\u2028*_`[]()!<>&\\#=-+|:.1", "  \n", "\n\n", "* "]


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from(_CHARACTERS), max_size=14).map("".join), st.sampled_from(["en", "zh"])
)
def test_the_plain_way_agrees_with_python_markdown_on_any_mix_of_characters(text, lang):
    assume(FIGURE_REF.search(text) is None)  # [[…]] is a figure reference
    assert render(text, lang) == converted_in_full(text, lang)


_REFERENCE_PIECES = ["[[deputies]]", "[[units]]", "[[nope]]", "`", "    ", "\t", "<", ">",
                     "](", "]:", "[", "]", "(", ")", "a", " ", "\n", "\n\n", "*", "#"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_REFERENCE_PIECES), max_size=12).map("".join))
@example("`[[nope]]` [[units]]")
@example("[[deputies]] `[[deputies]]`")
@example("[a](b[[nope]])")
@example(" \t[[deputies]]")  # a space and a tab: four columns, a code block
@example(">\t\t[[deputies]]")  # a code block in a quote
def test_the_references_of_a_text_are_the_figures_it_shows(text):
    """What validation calls a text's references is what rendering shows as figures: an
    unknown one is an error exactly when rendering would fail on it."""
    ids = {figure_id for figure_id, _ in figure_references(text)}
    nope = Figure.make("nope", "highlight-3", 777, {"zh": "家"}, {"zh": "无", "en": "Nope"}, "x")
    every = {**FIGURES, "nope": nope}
    assume(ids <= every.keys())  # an empty [[]] is validation's own error
    html = Renderer().convert(text, FigureContext(every, "en", lambda figure: "f.html"))
    shown = {key for key, figure in every.items() if f' value="{figure.value}">' in html}
    assert ids == shown
    if "nope" in ids:
        with pytest.raises(ContentError, match='unknown figure "nope"'):
            render(text, "en")
    else:
        render(text, "en")


def count_conversions(renderer: Renderer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts ``renderer`` sends through Python-Markdown from now on."""
    done: list[str] = []
    real = renderer._converted
    monkeypatch.setattr(renderer, "_converted", lambda t, c: done.append(t) or real(t, c))
    return done


@pytest.mark.parametrize(("keeps", "conversions"), [(True, 2), (False, 3)], ids=["keeps", "not"])
def test_a_renderer_that_keeps_converts_each_text_once(
    monkeypatch: pytest.MonkeyPatch, keeps: bool, conversions: int
):
    """serve's renderer: an edit converts again only the texts it changed."""
    text, other = "*Emphasis* and [[units]].", "*Other* text."
    renderer = Renderer(keeps=keeps)
    done = count_conversions(renderer, monkeypatch)

    def convert(markdown: str) -> str:
        return renderer.convert(markdown, FigureContext(FIGURES, "en", lambda figure: "f.html"))

    assert convert(text) == convert(text)  # its figures placed afresh each time
    convert(other)
    assert len(done) == conversions
    assert convert("plain prose") == "<p>plain prose</p>"
    assert len(done) == conversions  # plain paragraphs need no conversion, nor keeping
