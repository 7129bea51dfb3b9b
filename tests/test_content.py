"""The real report's own tests: its content, built end to end, against the source text and
the glossary's figures. The tool's tests use the fixture sites under tests/sites/; these
are the only tests that read content/, and an editor's correction may change them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from helpers import ROOT, copy_report, run_cli
from zhoukou_report.fields import Problems
from zhoukou_report.load import load_content
from zhoukou_report.render import SiteRenderer
from zhoukou_report.source import clean_source
from zhoukou_report.typed import typed_numbers
from zhoukou_report.validate import validate_content

# The glossary's 44 statistics, by the page they belong to, as each language's prose must show
# them (English running text spells out one to nine: content/TRANSLATION.md).
STATISTICS = [
    ("index", 8, "8", "eight"), ("index", 17, "17", "17"), ("index", 1, "1", "one"),
    ("index", 26, "26", "26"), ("index", 7, "7", "seven"), ("index", 4, "4", "four"),
    ("index", 103, "103", "103"),
    ("highlight-2", 3, "3", "three"), ("highlight-2", 12, "12", "12"),
    ("highlight-2", 127, "127", "127"), ("highlight-2", 86, "86", "86"),
    ("highlight-2", 100, "100", "100"), ("highlight-2", 5, "5", "five"),
    ("highlight-3", 80, "80", "80"), ("highlight-3", 240, "240", "240"),
    ("highlight-3", 110, "110多", "more than 110"), ("highlight-3", 70, "70多", "more than 70"),
    ("highlight-3", 15, "15", "15"), ("highlight-3", 4, "4", "four"), ("highlight-3", 95, "95", "95"),
    ("highlight-3", 94, "94", "94"), ("highlight-3", 478, "478", "478"),
    ("highlight-3", "92.1", "92.1%", "92.1%"),
    ("highlight-4", 12, "12", "12"), ("highlight-4", 52, "52", "52"), ("highlight-4", 13, "13", "13"),
    ("highlight-4", 4, "4", "four"), ("highlight-4", 63, "63", "63"),
    ("highlight-4", 1975, "1975", "1,975"), ("highlight-4", 43, "43", "43"),
    ("highlight-4", 18000, "1.8万", "18,000"), ("highlight-4", 232, "232", "232"),
    ("highlight-4", 877, "877", "877"), ("highlight-4", 195000, "19.5万", "195,000"),
    ("highlight-4", 394, "394", "394"),
    ("highlight-5", 68, "68", "68"),
    ("highlight-6", 3, "3", "three"), ("highlight-6", 5, "5", "five"),
    ("highlight-6", 7, "7", "seven"),
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
    source = [p.get_text() for p in soup(report / "source.html").select(".source-text > *")]
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
    """Statistics come from figures.yaml; only dates, ordinals and the phrases site.yaml
    lists are typed (the build's own check, typed.py)."""
    allowed = yaml.safe_load((ROOT / "content" / "site.yaml").read_text(encoding="utf-8"))
    for file in sorted((ROOT / "content" / lang).glob("*.md")):
        text = file.read_text(encoding="utf-8")
        assert list(typed_numbers(text, allowed.get("typed_numbers", []))) == [], file.name


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


# The round trip of ``import`` ---------------------------------------------------------------


def _shown(page: str, figures: dict[str, dict]) -> str:
    """A Chinese page with each [[id]] written as the page shows it (ids may differ)."""
    from zhoukou_report.numbers import format_number

    def number(match: re.Match) -> str:
        figure = figures[match.group(1)]
        unit = figure["unit"]["zh"]
        return format_number(figure["value"], "zh", figure.get("qualifier"), unit)

    return re.sub(r"\[\[([a-z0-9-]+)\]\]", number, page)


def test_importing_the_source_text_gives_back_the_chinese_pages_and_all_44_figures(tmp_path):
    import yaml

    done = run_cli("import", str(ROOT / "content/source/report.zh.txt"), "--project", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Imported 12 pages and 44 figures" in done.stdout
    content = tmp_path / "content"

    def figures(folder: Path) -> dict[str, dict]:
        data = yaml.safe_load((folder / "figures.yaml").read_text(encoding="utf-8"))
        return {figure["id"]: figure for figure in data["figures"]}

    today, imported = figures(ROOT / "content"), figures(content)
    assert len(imported) == len(today) == 44
    pages = sorted(p.name for p in (ROOT / "content" / "zh").iterdir())
    assert sorted(p.name for p in (content / "zh").iterdir()) == pages
    order: list[tuple[str, str]] = []  # (today's id, the imported id) in reading order
    for name in pages:
        old = (ROOT / "content" / "zh" / name).read_text(encoding="utf-8")
        new = (content / "zh" / name).read_text(encoding="utf-8")
        assert _shown(new, imported) == _shown(old, today), name
        ids = re.compile(r"\[\[([a-z0-9-]+)\]\]")
        order += zip(ids.findall(old), ids.findall(new), strict=True)
    assert sorted(old for old, _ in order) == sorted(today)
    mismatched = []
    for old_id, new_id in order:
        old, new = today[old_id], imported[new_id]
        for field in ("section", "value", "qualifier"):
            assert old.get(field) == new.get(field), (old_id, field)
        assert old["unit"] == new["unit"], old_id
        mismatched.append((old_id, old["source"], new["source"])) if old["source"] != new[
            "source"
        ] else None
    assert mismatched == [], "\n".join(map(str, mismatched))
    source = (content / "source" / "report.zh.txt").read_text(encoding="utf-8")
    assert source == (ROOT / "content/source/report.zh.txt").read_text(encoding="utf-8")


# House style (content/TRANSLATION.md) -------------------------------------------------------


def built_pages(report: Path) -> list[Path]:
    return sorted(report.rglob("*.html"))


def english_pages(report: Path) -> list[Path]:
    return sorted((report / "en").glob("*.html"))


def chinese_pages(report: Path) -> list[Path]:
    return sorted(report.glob("*.html"))


def visible_text(path: Path) -> str:
    """What a reader sees of a page, its title included."""
    return soup(path).get_text()


def test_no_page_or_data_file_says_person_times(report: Path):
    files = [*built_pages(report), *report.rglob("*.json"), *report.rglob("*.csv")]
    assert len(files) > 27
    for file in files:
        assert "person-time" not in file.read_text(encoding="utf-8-sig").lower(), file


def test_the_byline_puts_the_name_first_in_english_and_the_office_first_in_chinese(
    report: Path,
):
    english = (
        "Wu Gang, Director of the Standing Committee of the Zhoukou Municipal People's Congress"
    )
    assert soup(report / "en" / "index.html").select_one(".byline").get_text() == english
    assert soup(report / "index.html").select_one(".byline").get_text() == "市人大常委会主任吴刚"
    # The footer of every page: who delivered the report, and on which day.
    for page in english_pages(report):
        footer = soup(page).select_one(".site-footer").get_text(" ")
        assert f"Report delivered by {english}, on 4 February 2024." in footer, page
    for page in chinese_pages(report):
        footer = soup(page).select_one(".site-footer").get_text()
        assert "市人大常委会主任吴刚于2024年2月4日作报告。" in footer, page


def test_quotation_marks_are_curly_and_paired(report: Path):
    css = (report / "assets" / "site.css").read_text(encoding="utf-8")
    assert "「" not in css and "」" not in css
    for page in built_pages(report):
        html = soup(page)
        text = html.get_text()
        assert "「" not in text and "」" not in text, page
        for paragraph in html.select(".prose p, .source-text p, .intro"):
            words = paragraph.get_text()
            assert '"' not in words, (page, words)
            assert words.count("“") == words.count("”"), (page, words)
    for lang in LANGUAGES.values():
        sources = soup(report / f"{lang[0]}figures.html").select("tr[id] td:nth-of-type(2)")
        assert len(sources) == 44
        for source in sources:
            assert re.fullmatch("“[^“”]*(?:“[^“”]*”[^“”]*)*”", source.get_text()), source


# A number, then a space of any kind, then a measure word or 万/亿.
NUMBER_SPACE_MEASURE = re.compile(r"\d[\s\u00a0\u3000]+[次个部项件名家条篇类人万亿周年月日%]")


def test_no_space_between_a_number_and_its_measure_word_or_around_a_title(report: Path):
    for page in chinese_pages(report):
        html = soup(page)
        for element in html.select("p, li, td, th, h1, h2, figcaption, title"):
            text = element.get_text()
            assert not NUMBER_SPACE_MEASURE.search(text), (page, text)
            assert not re.search(r"\S[\s\u3000]+《|》[\s\u3000]+\S", text), (page, text)
            assert not re.search(r"主任\s+吴刚", text), (page, text)
    # The figures page and the chart tables show a number and its measure word as one.
    figures = soup(report / "figures.html")
    assert figures.select_one("#fig-sc-sessions td").get_text() == "8次"
    table = soup(report / "highlight-4.html").select(".chart-data td")
    assert "52个" in [cell.get_text() for cell in table]


SMALL_NUMBER = re.compile(
    r"(?<![\d.,])[1-9](?![\d.,%])(?! (?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December))"
)


def test_english_prose_spells_out_one_to_nine(report: Path):
    """Running text: words for one to nine (the figures as well as typed numbers), digits
    in the tiles beside it."""
    for page in english_pages(report):
        for prose in soup(page).select(".prose:not(.source-text)"):
            for chinese in prose.select('[lang|="zh"]'):  # a figure's source phrase, quoted
                chinese.decompose()
            found = SMALL_NUMBER.findall(prose.get_text())
            assert found == [], (page, prose.get_text())
    landing = soup(report / "en" / "index.html")
    prose = landing.select_one(".prose").get_text()
    assert "held eight sessions" in prose and "promulgated one local regulation" in prose
    tiles = {d["value"]: d.get_text() for d in landing.select(".tiles data")}
    assert tiles["8"] == "8" and tiles["1"] == "1"
    # A label of a figure whose value is 1 is in the singular.
    labels = [label.get_text() for label in landing.select(".tile-label")]
    assert "Local regulation promulgated" in labels


def names_never_used() -> dict[str, list[str]]:
    """The "never" column of the table of names in content/TRANSLATION.md, by its English."""
    text = (ROOT / "content" / "TRANSLATION.md").read_text(encoding="utf-8")
    section = text.split("\n## Names\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    table = {
        cells[1].strip(): [w.strip() for w in cells[2].split(";") if w.strip()]
        for cells in rows[1:]
        if len(cells) == 3
    }
    assert len(table) >= 15, "the table of names in content/TRANSLATION.md"
    return table


def test_each_institution_has_one_english_name(report: Path):
    never = names_never_used()
    texts = {page: visible_text(page) for page in english_pages(report)}
    texts[report / "data" / "figures.json"] = (report / "data" / "figures.json").read_text(
        encoding="utf-8"
    )
    for name, wrong in never.items():
        for page, text in texts.items():
            for words in wrong:
                assert words not in text, f"{page.name}: {words!r} for {name!r}"
    # And the names in use are the table's.
    overview = visible_text(report / "en" / "index.html")
    assert "the people's congress system" in visible_text(report / "en" / "goal-1.html")
    assert "meetings of its Council of Directors" in overview
    assert "CPC Zhoukou Municipal Committee" in overview


def test_zhoukou_daily_is_in_italics_wherever_english_shows_it(report: Path):
    for page in english_pages(report):
        body = soup(page).body
        shown = [s for s in body.find_all(string=re.compile("Zhoukou Daily"))]
        assert shown, page  # the footer names it on every page
        for string in shown:
            assert string.find_parent(["cite", "em", "i"]) is not None, (page, string)


def test_the_source_is_named_as_the_newspapers_account(report: Path):
    for page in built_pages(report):
        text = visible_text(page)
        for wrong in ("报告原文", "报告全文以", "in the original Chinese", "Original text"):
            assert wrong not in text, (page, wrong)
    for prefix in ("", "en/"):
        page = soup(report / f"{prefix}source.html")
        # No title of our own above the newspaper's text: it opens with its first words.
        assert page.select(".source-text h1, .source-text > h2:first-child") == []
        assert page.select_one(".source-text > p").get_text().startswith("2月4日上午")
        assert "②22" in page.select_one(".intro").get_text()


def test_each_source_phrase_is_a_whole_phrase_of_the_source():
    """The figures page quotes each phrase: it starts and ends at a punctuation mark or a
    paragraph's edge, and is never a level without its noun ("发挥3个省级")."""
    source = clean_source(
        (ROOT / "content" / "source" / "report.zh.txt").read_text(encoding="utf-8"),
        "content/source/report.zh.txt",
    )
    paragraphs = [text for _, text in source.blocks]
    marks = "、，。；：！？“”（）《》"
    figures = yaml.safe_load((ROOT / "content" / "figures.yaml").read_text(encoding="utf-8"))
    for figure in figures["figures"]:
        phrase = figure["source"]
        places = [(p, p.find(phrase)) for p in paragraphs if phrase in p]
        assert places, phrase
        for paragraph, start in places:
            end = start + len(phrase)
            before = paragraph[start - 1] if start else "。"
            after = paragraph[end] if end < len(paragraph) else "。"
            assert before in marks and after in marks, (figure["id"], phrase)
            assert not (after == "、" and phrase.endswith("级")), (figure["id"], phrase)


def test_the_readmes_correction_example_builds_strict_and_marks_the_figure(
    tmp_path: Path,
) -> None:
    """README.md's example of an official correction, put in place of its figure."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- correction-example -->")[1].split("<!-- /correction-example -->")[0]
    example = block.split("```yaml\n")[1].split("```")[0]
    figure_id = re.search(r"- id: (\S+)", example).group(1)
    project = copy_report(tmp_path / "project")
    figures = project / "content" / "figures.yaml"
    text = figures.read_text(encoding="utf-8")
    entry = re.search(rf"  - id: {figure_id}\n(?:    .*\n)*", text)
    figures.write_text(text.replace(entry.group(0), example), encoding="utf-8")
    value = re.search(r"value: (\d+)", example).group(1)
    result = run_cli("build", "--project", str(project), "--strict")
    assert result.returncode == 0, result.stderr
    for name in ("highlight-4.html", "en/highlight-4.html", "figures.html", "en/figures.html"):
        html = (project / "build" / name).read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        shown = soup.select(f'.fig data[value="{value}"], #fig-{figure_id} data')
        assert shown, name
        assert all(d["value"] == value for d in shown), name
        numbers = [d.find_parent(class_="num") or d for d in shown]  # with its unit
        assert all(n.find_next_sibling("sup", class_="correction-mark") for n in numbers), name


# Page weight (README, "Opening and publishing the result") ------------------------------------

PAGE_BUDGET = 40_000  # bytes: a page and everything it loads, uncompressed
REQUESTS_BUDGET = 3  # the page, its stylesheet and the icon of its tab
# The whole report holds the text of every other page: its own, documented budget.
REPORT_BUDGET = 52_000
# What makes a browser ask for a file when it opens a page (data: URLs are part of the page).
LOADED_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload",
                "modulepreload", "manifest", "prefetch"}  # fmt: skip


PUBLISHED_AT = "https://www.example.gov.cn/renda/gongzuobaogao/2024/"


def requested(page: Path, site: Path) -> list[Path]:
    """The files a browser asks for to show ``page``: what its HTML loads, and what the
    stylesheets load (url(), @import); an address outside the site fails the test."""
    html = soup(page)
    addresses = [tag["src"] for tag in html.find_all(src=True)]
    addresses += [tag["data"] for tag in html.find_all("object", data=True)]
    addresses += [tag["poster"] for tag in html.find_all(poster=True)]
    for tag in html.find_all(srcset=True):
        addresses += [part.split()[0] for part in tag["srcset"].split(",")]
    addresses += [
        link["href"]
        for link in html.find_all("link", href=True)
        if LOADED_LINKS & set(link.get("rel", []))
    ]
    if not html.find("link", rel="icon"):
        addresses.append("/favicon.ico")  # asked for by every browser when none is named
    styles = [*(tag.get_text() for tag in html.find_all("style")),
              *(tag["style"] for tag in html.find_all(style=True))]  # fmt: skip
    files = [
        (site / a.removeprefix(PUBLISHED_AT).lstrip("/") if a.startswith(("/", PUBLISHED_AT))
         else page.parent / a.split("#")[0].split("?")[0]).resolve()
        for a in addresses
        if not a.startswith("data:")
    ]  # fmt: skip
    for file in list(files):
        if file.suffix == ".css" and file.is_file():
            styles.append(file.read_text(encoding="utf-8"))
    for style in styles:
        assert not re.search(r"url\(\s*['\"]?(?!data:)|@import", style), (page, style[:200])
    for file in files:
        assert file.is_relative_to(site.resolve()) and file.is_file(), (page, file)
    return files


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real report built with its address, as it is published: each page's footer then
    carries a QR code, and the pages their canonical links."""
    project = copy_report(tmp_path_factory.mktemp("published"))
    out = project / "build"
    args = ["--project", str(project), "--out", str(out), "--base-url", PUBLISHED_AT]
    result = run_cli("build", *args)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("addressed", [False, True], ids=["no-base-url", "base-url"])
def test_every_page_with_what_it_loads_is_within_the_weight_budget(
    addressed: bool, report: Path, published: Path
) -> None:
    site = published if addressed else report
    pages = built_pages(site)
    assert len(pages) == len(PAGES) * len(LANGUAGES) - 1  # one 404 page for both
    problems = []
    for page in pages:
        files = requested(page, site)
        weight = page.stat().st_size + sum(file.stat().st_size for file in files)
        budget = REPORT_BUDGET if page.name == "report.html" else PAGE_BUDGET
        name = page.relative_to(site).as_posix()
        if weight > budget:
            problems.append(f"{name}: {weight:,} bytes > {budget:,}")
        if len(files) + 1 > REQUESTS_BUDGET:
            problems.append(f"{name}: {len(files) + 1} requests > {REQUESTS_BUDGET}: {files}")
    assert not problems, "\n".join(problems)
