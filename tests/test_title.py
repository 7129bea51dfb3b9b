"""The site's title has one home, site.yaml's ``title``: changing it changes the masthead,
the ``<title>``, the landing page's heading and the footer of every page."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from helpers import edit, run_cli

NEW = {"zh": "新的标题", "en": "A New Title"}


def test_changing_the_title_changes_every_page(project: Path) -> None:
    site = project / "content" / "site.yaml"
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
