"""The site's title has one home, site.yaml's ``title``: changing it changes the masthead,
the ``<title>``, the landing page's heading and the footer of every page. An optional
``short_title`` takes its place in the masthead alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import edit, run_cli

NEW = {"zh": "新的标题", "en": "A New Title"}


SHORT_TITLE = """short_title:
  zh: 样例市人大常委会报告
  en: Sample City Standing Committee Report
"""
TITLE = {
    "zh": "样例市人大常委会工作报告",
    "en": "Work Report of the Standing Committee of the Sample City People's Congress",
}
SHORT = {"zh": "样例市人大常委会报告", "en": "Sample City Standing Committee Report"}


def test_changing_the_title_changes_every_page(project: Path) -> None:
    site = project / "content" / "site.yaml"
    edit(site, SHORT_TITLE, "")  # without a short title, the masthead shows the title too
    edit(site, "  zh: 样例市人大常委会工作报告\n", f"  zh: {NEW['zh']}\n")
    edit(
        site,
        "  en: Work Report of the Standing Committee of the Sample City People's Congress\n",
        f"  en: {NEW['en']}\n",
    )
    out = project / "out"
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 19  # every page of the full fixture, both languages, and 404.html
    for page in pages:
        lang = "en" if page.parent.name == "en" else "zh"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.title.get_text().endswith(NEW[lang]), page
        assert soup.select_one(".site-footer .footer-title").get_text() == NEW[lang], page
        brand = soup.select_one(".masthead .brand-name")
        if page.name == "index.html":
            # The home page shows the title once, as its heading: the masthead names the
            # organiser (the full fixture gives one) instead of repeating it.
            assert soup.h1.get_text() == NEW[lang], page
            assert brand is not None and brand.get_text() != NEW[lang], page
        else:
            assert brand.get_text() == NEW[lang], page
        site_name = soup.find("meta", property="og:site_name")
        assert site_name is None or site_name["content"] == NEW[lang], page


def _pages(out: Path) -> list[tuple[str, BeautifulSoup]]:
    return [
        (
            "en" if page.parent.name == "en" else "zh",
            BeautifulSoup(page.read_bytes(), "html.parser"),
        )
        for page in sorted(out.rglob("*.html"))
        if page.name != "index.html"  # the home page's masthead names the organiser
    ]


def test_the_short_title_is_the_masthead_s_alone(project: Path) -> None:
    out = project / "out"
    result = run_cli("build", "--strict", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    pages = _pages(out)
    assert len(pages) == 17
    for lang, soup in pages:
        assert soup.select_one(".masthead .brand-name").get_text() == SHORT[lang]
        assert soup.title.get_text().endswith(TITLE[lang])
        assert soup.select_one(".site-footer .footer-title").get_text() == TITLE[lang]
        assert soup.find("meta", property="og:site_name")["content"] == TITLE[lang]
    for lang, prefix in (("zh", ""), ("en", "en/")):
        home = BeautifulSoup((out / f"{prefix}index.html").read_bytes(), "html.parser")
        assert home.h1.get_text() == TITLE[lang]
        report = BeautifulSoup((out / f"{prefix}report.html").read_bytes(), "html.parser")
        assert report.h1.get_text() == TITLE[lang]


@pytest.mark.parametrize(
    ("short_title", "offset", "message"),
    [
        ("short_title: 短标题\n", 0, "short_title: expected a text for each language (zh, en), "
         'got "短标题" (write it as short_title: {zh: …, en: …})'),
        ("short_title:\n  zh: 短标题\n", 0, 'short_title.en: "en" is missing: it should be the en text'),
        ("short_title:\n  zh: 短标题\n  en: [Short]\n", 2,
         "short_title.en: expected the en text, got a list"),
    ],
    ids=["not-per-language", "a-language-missing", "not-a-text"],
)  # fmt: skip
def test_a_wrong_short_title_is_named_at_its_line(
    project: Path, short_title: str, offset: int, message: str
) -> None:
    """``offset``: the error's line, counted from the line of ``short_title:``."""
    site = project / "content" / "site.yaml"
    edit(site, SHORT_TITLE, short_title)
    line = site.read_text(encoding="utf-8").split("\n").index(short_title.split("\n")[0]) + 1
    result = run_cli("build", "--project", str(project), "--out", str(project / "out"))
    assert result.returncode == 1
    assert f"1. content/site.yaml:{line + offset}: {message}\n" in result.stderr, result.stderr
