"""The real site, built end to end and read back as HTML."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from helpers import ROOT, edit, run_cli, tree_hash

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

PAGES = ["index", *(f"highlight-{n}" for n in range(1, 7)), *(f"goal-{n}" for n in range(1, 5)),
         "figures", "source", "404"]  # fmt: skip
LANGUAGES = {"zh": ("", "zh-CN"), "en": ("en/", "en")}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def prose_figures(page: BeautifulSoup) -> list[tuple[str, str]]:
    """(value, text) of every figure reference in the page's prose."""
    return [(data["value"], data.get_text()) for data in page.select(".prose a.fig > data")]


def test_every_page_exists_in_both_languages(built: Path):
    for prefix, _ in LANGUAGES.values():
        for name in PAGES[:-1]:
            assert (built / f"{prefix}{name}.html").is_file(), f"{prefix}{name}.html"
    assert (built / "404.html").is_file()
    assert not (built / "en" / "404.html").exists()
    assert (built / "assets" / "site.css").is_file()


def test_the_44_statistics_show_in_both_languages_on_their_own_page(built: Path):
    assert len(STATISTICS) + sum(n - 1 for n in REPEATS.values()) == 44
    for lang, (prefix, _) in LANGUAGES.items():
        found: dict[str, list[tuple[str, str]]] = {}
        for page, value, zh, en in STATISTICS:
            if page not in found:
                found[page] = prose_figures(soup(built / f"{prefix}{page}.html"))
            expected = (str(value), zh if lang == "zh" else en)
            assert expected in found[page], f"{expected} missing from {prefix}{page}.html"
            count = REPEATS.get((page, value), 1)
            assert found[page].count(expected) >= count, f"{expected} × {count} in {page}"
        total = sum(len(figures) for figures in found.values())
        assert total == 44, f"{lang}: {total} figure references in the prose"


def test_tiles_show_each_pages_figures(built: Path):
    landing = soup(built / "index.html")
    tiles = landing.select(".tiles .tile data")
    assert [t["value"] for t in tiles] == ["8", "17", "1", "1", "17", "4", "26", "7", "103"]
    english = soup(built / "en" / "highlight-4.html")
    values = [t.get_text() for t in english.select(".tiles .tile data")]
    assert "18,000" in values and "195,000" in values and "1,975" in values


def test_every_internal_link_and_anchor_resolves(built: Path):
    ids: dict[Path, set[str]] = {}
    checked = 0
    for file in sorted(built.rglob("*.html")):
        if file.name == "404.html":
            continue
        page = soup(file)
        for element in page.select("[href], [src]"):
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
    assert checked > 500


def test_every_page_has_its_language_and_both_hreflang_links(built: Path):
    for lang, (prefix, tag) in LANGUAGES.items():
        for name in PAGES[:-1]:
            file = built / f"{prefix}{name}.html"
            page = soup(file)
            assert page.html["lang"] == tag
            alternates = {
                link["hreflang"]: link["href"]
                for link in page.select('link[rel="alternate"][hreflang]')
            }
            other = "en" if lang == "zh" else "zh"
            assert (file.parent / alternates["zh-CN"]).resolve() == (
                built / f"{name}.html"
            ).resolve()
            assert (file.parent / alternates["en"]).resolve() == (
                built / f"en/{name}.html"
            ).resolve()
            switch = page.select_one(f'.languages a[hreflang="{LANGUAGES[other][1]}"]')
            target = (file.parent / switch["href"]).resolve()
            assert target == (built / f"{LANGUAGES[other][0]}{name}.html").resolve()


def test_no_page_links_to_this_machine(built: Path):
    for file in built.rglob("*"):
        if file.is_file():
            text = file.read_bytes()
            for needle in (b"file://", str(ROOT).encode(), str(built).encode(), b"/tmp/"):
                assert needle not in text, f"{needle!r} in {file}"


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path):
    again = tmp_path / "again"
    result = run_cli("build", "--project", str(ROOT), "--out", str(again))
    assert result.returncode == 0, result.stderr
    assert tree_hash(again) == tree_hash(built)


def test_build_prints_one_summary_line(tmp_path: Path):
    result = run_cli("build", "--project", str(ROOT), "--out", str(tmp_path / "out"))
    assert result.returncode == 0
    assert re.fullmatch(r"(?:.*\n)*Built 27 pages into .+ in \d+ ms\.\n", result.stdout), (
        result.stdout
    )


def test_build_defaults_to_content_in_the_current_folder(project: Path):
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "build" / "index.html").is_file()
    assert (project / "build" / "en" / "index.html").is_file()


def test_changing_one_value_changes_it_everywhere_in_both_languages(project: Path):
    edit(project / "content" / "figures.yaml", "value: 18000", "value: 21500")
    result = run_cli("build", "--project", str(project), "--out", str(project / "out"))
    assert result.returncode == 0, result.stderr
    out = project / "out"
    for prefix, old, new in (("", "1.8万", "2.15万"), ("en/", "18,000", "21,500")):
        for name in ("highlight-4", "figures"):
            html = (out / f"{prefix}{name}.html").read_text(encoding="utf-8")
            assert f'<data value="21500">{new}</data>' in html, f"{prefix}{name}"
            assert 'value="18000"' not in html and f">{old}<" not in html


def test_chinese_pages_hold_the_whole_source_text(built: Path):
    """The Chinese pages, read in order, are the cleaned source: nothing dropped, nothing added."""
    source = [
        p.get_text()
        for p in soup(built / "source.html").select(".source-text > :not(.source-title)")
    ]
    landing = soup(built / "index.html")
    proses = landing.select(".prose")
    pages_text = [p.get_text() for p in proses[0].select("p")]
    for n in range(1, 7):
        page = soup(built / f"highlight-{n}.html")
        pages_text.append(page.select_one(".kicker").get_text().split(" · ")[0])
        pages_text.append(f"关键词：{page.h1.get_text()}")
        pages_text += [p.get_text() for p in page.select(".prose p")]
    pages_text += [p.get_text() for p in proses[1].select("p")]
    for n in range(1, 5):
        page = soup(built / f"goal-{n}.html")
        pages_text.append(f"{page.select_one('.kicker').get_text()}：{page.h1.get_text()}")
        pages_text += [p.get_text() for p in page.select(".prose p")]
    assert pages_text == source
    assert len(source) == 68


def test_english_pages_translate_every_paragraph(built: Path):
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for name in PAGES[:-3]:
        zh = soup(built / f"{name}.html").select(".prose p")
        en = soup(built / "en" / f"{name}.html").select(".prose p")
        assert len(en) == len(zh), name
        for paragraph in en:
            assert not cjk.search(paragraph.get_text()), paragraph.get_text()
            assert len(paragraph.get_text()) > 40


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
