"""No script from the content can run in the built pages.

Raw HTML in Markdown is cleaned to an allowlist; text from YAML is escaped; every
page carries a Content-Security-Policy that forbids inline script. Checked on a
real build of a copy of the full fixture site (tests/sites/full), with hostile
content in every place an editor can type.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import copy_site, edit, run_cli

HOSTILE_MARKDOWN = """

<script>alert('XSS-script')</script>

<style>body { display: none } /* XSS-style */</style>

<iframe src="https://evil.example/XSS-iframe"></iframe>

<p onclick="alert('XSS-onclick')">kept paragraph</p>

<img src="x" onerror="alert('XSS-onerror')">

<a href="javascript:alert('XSS-js')">js link</a> <a href="JaVaScRiPt:alert('XSS-js2')">js2</a>
<a href="&#106;avascript:alert('XSS-js3')">js3</a>
<a href="data:text/html;base64,WFNTLWRhdGE=">data link XSS-data</a>

[markdown link](javascript:alert('XSS-mdjs')) and ![image](data:image/svg+xml,XSS-mdimg)

<svg onload="alert('XSS-svg')"><circle r="1"/></svg>

<form action="https://evil.example/XSS-form"><input name="q"></form>

<object data="https://evil.example/XSS-object"></object>
<embed src="https://evil.example/XSS-embed">
<base href="https://evil.example/XSS-base">
<meta http-equiv="refresh" content="0;url=https://evil.example/XSS-meta">

<b>bold stays</b> and <a href="https://example.org/ok" title="fine">a safe link</a>.

"""
HOSTILE_TEXT = (
    "<script>alert('XSS-yaml')</script> & \"quoted\" <img src=x onerror=alert('XSS-img')>"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    project = copy_site("full", base / "project")
    for lang in ("zh", "en"):
        page = project / f"content/{lang}/highlight-1.md"
        page.write_text(page.read_text(encoding="utf-8") + HOSTILE_MARKDOWN, encoding="utf-8")
    yaml_text = HOSTILE_TEXT.replace("\\", "\\\\").replace('"', '\\"')
    edit(project / "content/site.yaml", "  en: Zhang Ming", f'  en: "Zhang Ming {yaml_text}"')
    edit(project / "content/en/goal-1.md", "title: Lawmaking by law",
         f'title: "Lawmaking {yaml_text}"')  # fmt: skip
    edit(project / "content/figures.yaml", "      en: Standing Committee sessions",
         f'      en: "Sessions {yaml_text}"')  # fmt: skip
    edit(project / "content/strings.yaml", "nav_home: {zh: 首页, en: Home}",
         f'nav_home: {{zh: 首页, en: "Home {yaml_text}"}}')  # fmt: skip
    out = base / "out"
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert len(found) == 19  # the fixture's 9 pages in 2 languages, and 404.html
    return found


def test_no_page_has_an_inline_script_or_an_event_handler(site: Path):
    for file in pages(site):
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        for script in soup.find_all("script"):
            assert script.get("src") and not script.get_text().strip(), file
        for element in soup.find_all(True):
            handlers = [name for name in element.attrs if name.lower().startswith("on")]
            assert handlers == [], f"{file}: <{element.name} {handlers}>"


def test_no_hostile_markup_survives(site: Path):
    for file in pages(site):
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        for tag in ("iframe", "object", "embed", "form", "input", "base", "svg"):
            for element in soup.find_all(tag):
                assert "XSS" not in str(element), f"{file}: {element}"
        for element in soup.find_all("style"):
            assert "XSS" not in str(element), f"{file}: {element}"
        for meta in soup.find_all("meta", attrs={"http-equiv": True}):
            assert meta["http-equiv"] == "Content-Security-Policy", f"{file}: {meta}"
        assert soup.body.find("meta") is None, file
        for element in soup.find_all(True):
            # Escaped text may show in a title or og:title; a URL must never carry it.
            for name in ("href", "src", "action", "data", "formaction", "srcdoc"):
                url = element.get(name, "")
                assert "XSS" not in url, f"{file}: {name}={url!r}"
                assert not url.lower().lstrip().startswith("javascript:"), file


def test_raw_html_in_markdown_is_reduced_to_its_safe_part(site: Path):
    for page in (site / "highlight-1.html", site / "en" / "highlight-1.html"):
        prose = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(".prose")
        text = prose.get_text()
        assert "kept paragraph" in text
        assert "bold stays" in text
        assert prose.find("b").get_text() == "bold stays"
        safe = prose.find("a", string="a safe link")
        assert safe["href"] == "https://example.org/ok" and safe["title"] == "fine"
        for label in ("js link", "js2", "js3", "data link XSS-data", "markdown link"):
            link = prose.find("a", string=label)
            assert link is not None and "href" not in link.attrs, label
        assert prose.find("img") is None
        assert prose.find("p", string="kept paragraph").attrs == {}


def test_text_from_yaml_is_escaped_wherever_it_shows(site: Path):
    html = (site / "en" / "goal-1.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;XSS-yaml&#39;)&lt;/script&gt; &amp; &#34;quoted&#34;" in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text() == f"Lawmaking {HOSTILE_TEXT}"
    assert HOSTILE_TEXT in soup.title.get_text()
    footer = soup.select_one(".site-footer").get_text()
    assert f"Zhang Ming {HOSTILE_TEXT}" in footer
    nav = soup.select_one(".site-nav").get_text()
    assert f"Home {HOSTILE_TEXT}" in nav
    index = BeautifulSoup((site / "en" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert f"Sessions {HOSTILE_TEXT}" in index.get_text()


def csp_of(file: Path) -> dict[str, list[str]]:
    soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
    metas = soup.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert len(metas) == 1, f"{file}: {len(metas)} CSP meta tags"
    assert metas[0].find_parent("head") is not None, f"{file}: the CSP is not in <head>"
    directives = {}
    for part in metas[0]["content"].split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_every_page_forbids_inline_script(site: Path):
    for file in pages(site):
        csp = csp_of(file)
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts is not None, f"{file}: no script-src or default-src"
        for allowed in scripts:
            assert allowed in ("'self'", "'none'"), f"{file}: script-src allows {allowed}"
        assert csp.get("object-src") == ["'none'"], file
        assert csp.get("base-uri") == ["'none'"], file
