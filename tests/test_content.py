"""The real report's own tests: its content, built end to end, against the source text and
the glossary's figures. The tool's tests use the fixture sites under tests/sites/; these
are the only tests that read content/, and an editor's correction may change them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import ROOT, copy_report, run_cli
from zhoukou_report.fields import Problems
from zhoukou_report.load import load_content
from zhoukou_report.render import SiteRenderer
from zhoukou_report.source import clean_source
from zhoukou_report.validate import validate_content

# The glossary's 44 statistics, by the page they belong to, as each language must show them.
STATISTICS = [
    ("index", 8, "8", "8"), ("index", 17, "17", "17"), ("index", 1, "1", "1"),
    ("index", 26, "26", "26"), ("index", 7, "7", "7"), ("index", 4, "4", "4"),
    ("index", 103, "103", "103"),
    ("highlight-2", 3, "3", "3"), ("highlight-2", 12, "12", "12"),
    ("highlight-2", 127, "127", "127"), ("highlight-2", 86, "86", "86"),
    ("highlight-2", 100, "100", "100"), ("highlight-2", 5, "5", "5"),
    ("highlight-3", 80, "80", "80"), ("highlight-3", 240, "240", "240"),
    ("highlight-3", 110, "110多", "more than 110"), ("highlight-3", 70, "70多", "more than 70"),
    ("highlight-3", 15, "15", "15"), ("highlight-3", 4, "4", "4"), ("highlight-3", 95, "95", "95"),
    ("highlight-3", 94, "94", "94"), ("highlight-3", 478, "478", "478"),
    ("highlight-3", "92.1", "92.1%", "92.1%"),
    ("highlight-4", 12, "12", "12"), ("highlight-4", 52, "52", "52"), ("highlight-4", 13, "13", "13"),
    ("highlight-4", 4, "4", "4"), ("highlight-4", 63, "63", "63"),
    ("highlight-4", 1975, "1975", "1,975"), ("highlight-4", 43, "43", "43"),
    ("highlight-4", 18000, "1.8万", "18,000"), ("highlight-4", 232, "232", "232"),
    ("highlight-4", 877, "877", "877"), ("highlight-4", 195000, "19.5万", "195,000"),
    ("highlight-4", 394, "394", "394"),
    ("highlight-5", 68, "68", "68"),
    ("highlight-6", 3, "3", "3"), ("highlight-6", 5, "5", "5"), ("highlight-6", 7, "7", "7"),
    ("highlight-6", 13, "13", "13"),
]  # fmt: skip
# Counts per page, for values that occur more than once on the same page.
REPEATS = {("index", 17): 2, ("index", 1): 2, ("highlight-3", 80): 2, ("highlight-6", 13): 2}

PAGES = ["index", *(f"highlight-{n}" for n in range(1, 7)), "closing",
         *(f"goal-{n}" for n in range(1, 5)), "report", "figures", "source", "404"]  # fmt: skip
LANGUAGES = {"zh": ("", "zh-CN"), "en": ("en/", "en")}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real report, built once by the CLI."""
    project = copy_report(tmp_path_factory.mktemp("report"))
    out = project / "build"
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def prose_figures(page: BeautifulSoup) -> list[tuple[str, str]]:
    """(value, text) of every figure reference in the page's prose."""
    found = []
    for figure in page.select(".prose .fig"):
        for unit in figure.select(".unit"):  # the measure word kept with the number
            unit.decompose()
        found.append((figure.select_one("data")["value"], figure.get_text()))
    return found


def prose_paragraphs(prose: BeautifulSoup) -> list[str]:
    """The text of every paragraph of the prose, without the notes its figures open."""
    return [p.get_text() for p in prose.select("p") if not p.find_parent(class_="fig-notes")]


def test_the_44_statistics_show_in_both_languages_on_their_own_page(report: Path):
    assert len(STATISTICS) + sum(n - 1 for n in REPEATS.values()) == 44
    for lang, (prefix, _) in LANGUAGES.items():
        found: dict[str, list[tuple[str, str]]] = {}
        for page, value, zh, en in STATISTICS:
            if page not in found:
                found[page] = prose_figures(soup(report / f"{prefix}{page}.html"))
            expected = (str(value), zh if lang == "zh" else en)
            assert expected in found[page], f"{expected} missing from {prefix}{page}.html"
            count = REPEATS.get((page, value), 1)
            assert found[page].count(expected) >= count, f"{expected} × {count} in {page}"
        total = sum(len(figures) for figures in found.values())
        assert total == 44, f"{lang}: {total} figure references in the prose"


def test_tiles_show_each_pages_figures(report: Path):
    landing = soup(report / "index.html")
    tiles = landing.select(".tiles .tile data")
    assert [t["value"] for t in tiles] == ["8", "17", "1", "1", "17", "4", "26", "7", "103"]
    english = soup(report / "en" / "highlight-4.html")  # the figures the page leads with
    values = [t.get_text() for t in english.select(".tiles .tile data")]
    assert values == ["18,000", "232", "195,000"]


def test_chinese_pages_hold_the_whole_source_text(report: Path):
    """The Chinese pages, read in order, are the cleaned source: nothing dropped, nothing added."""
    source = [
        p.get_text()
        for p in soup(report / "source.html").select(".source-text > :not(.source-title)")
    ]
    landing = soup(report / "index.html")
    proses = landing.select(".prose")
    pages_text = prose_paragraphs(proses[0])
    for n in range(1, 7):
        page = soup(report / f"highlight-{n}.html")
        pages_text.append(page.select_one(".kicker").get_text().split(" · ")[0])
        pages_text.append(f"关键词：{page.h1.get_text()}")
        pages_text += prose_paragraphs(page.select_one(".prose"))
    pages_text += prose_paragraphs(soup(report / "closing.html").select_one(".prose"))
    for n in range(1, 5):
        page = soup(report / f"goal-{n}.html")
        pages_text.append(f"{page.select_one('.kicker').get_text()}：{page.h1.get_text()}")
        pages_text += prose_paragraphs(page.select_one(".prose"))
    assert pages_text == source
    assert len(source) == 68


def test_english_pages_translate_every_paragraph(report: Path):
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for name in PAGES[:-4]:
        zh = prose_paragraphs(soup(report / f"{name}.html").select_one(".prose"))
        en = prose_paragraphs(soup(report / "en" / f"{name}.html").select_one(".prose"))
        assert len(en) == len(zh), name
        for paragraph in en:
            assert not cjk.search(paragraph), paragraph
            assert len(paragraph) > 40


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_number_is_typed_into_the_prose(lang: str):
    """Statistics come from figures.yaml; only dates and ordinals are typed."""
    allowed = {
        "zh": {"2月4日", "2024年3月1日", "70周年"},
        "en": {"4 February", "1 March 2024", "14th", "20th", "70th"},
    }[lang]
    pattern = re.compile(
        r"\d+年\d+月\d+日|\d+月\d+日|\d+周年|\d+\s(?:January|February|March)(?:\s\d{4})?|\d+(?:st|nd|rd|th)\b|[\d,.]+"
    )
    found = set()
    for file in (ROOT / "content" / lang).glob("*.md"):
        text = re.sub(r"\[\[[^\]]*\]\]", "", file.read_text(encoding="utf-8"))
        found |= set(pattern.findall(text)) - {",", ".", ",.", "..."}
    found = {token for token in found if re.search(r"\d", token)}
    assert found == allowed


def test_the_real_source_cleans_into_the_report_structure():
    source = clean_source(
        (ROOT / "content" / "source" / "report.zh.txt").read_text(encoding="utf-8"),
        "content/source/report.zh.txt",
    )
    kinds = [kind for kind, _ in source.blocks]
    headings = [text for kind, text in source.blocks if kind == "heading"]
    assert headings == [
        "亮点一", "亮点二", "亮点三", "亮点四", "亮点五", "亮点六",
        "目标一：提高政治站位", "目标二：提高履职效能", "目标三：丰富民主形式", "目标四：提高能力素质",
    ]  # fmt: skip
    assert kinds.count("keyword") == 6
    text = source.plain
    assert "\ufffd" not in text and "②" not in text
    assert " " not in text and "\u3000" not in text
    assert text.startswith("2月4日上午，在周口市五届人大二次会议第二次全体会议上")
    assert text.endswith("共同推动新时代我市地方人大工作迈上新台阶。")
    # A paragraph the OCR split with a blank line is whole again.
    assert "把习近平新时代中国特色社会主义思想和习近平总书记重要讲话" in text
    # Numbers lose their OCR spaces.
    assert "定于2024年3月1日施行" in text and "整改率92.1%" in text
    assert all(text.endswith("。") for kind, text in source.blocks if kind == "paragraph")


def test_the_content_loads_and_validates_without_errors_or_warnings():
    problems = Problems()
    content = load_content(ROOT, problems)
    validate_content(content, SiteRenderer(ROOT).load_templates(problems), problems)
    assert problems.errors == []
    assert problems.warnings == []
    assert len(content.figures) == 44
