"""The site's official identity (content/site.yaml): organisers and filing numbers in the
footer, the logo or the site's own mark, the favicon, the share image, the QR code of each
page's address; and each field's mistakes, located. The full fixture sets every field,
the minimal one none."""

from __future__ import annotations

import base64
import os
import struct
import zlib
from pathlib import Path

import pytest
import segno
from bs4 import BeautifulSoup

from helpers import SITES, edit, line, run_cli
from zhoukou_report import files
from zhoukou_report.fields import Problems
from zhoukou_report.load import load_content

SITE = "content/site.yaml"
BASE = "https://example.org/sample/report/"
TITLE = {
    "zh": "样例市人大常委会工作报告",
    "en": "Work Report of the Standing Committee of the Sample City People's Congress",
}
ORGANISER = {
    "zh": "样例市人大常委会",
    "en": "Standing Committee of the Sample City People's Congress",
}
PAGES = ["index", "highlight-1", "highlight-2", "goal-1", "goal-2", "figures", "source"]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def build(project: Path, *args: str) -> Path:
    out = project / "out"
    result = run_cli("build", "--project", str(project), "--out", str(out), *args)
    assert result.returncode == 0, result.stderr
    return out


def meta(page: BeautifulSoup) -> dict[str, str]:
    return {m.get("property") or m.get("name"): m["content"] for m in page.select("meta[content]")}


def png(width: int, height: int) -> bytes:
    """A PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\0" + b"\x80\x10\x10" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))


# What the pages show ------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "lang"), [("", "zh"), ("en/", "en")])
def test_the_footer_shows_the_organisers_and_the_filings_linked_to_their_registries(
    built: Path, prefix: str, lang: str
):
    for name in PAGES:
        footer = soup(built / f"{prefix}{name}.html").select_one("footer.site-footer")
        organisers = [span.get_text() for span in footer.select(".footer-organisers span")]
        if lang == "zh":
            assert organisers == ["主办单位：样例市人大常委会", "承办单位：样例市人大常委会办公室"]
        else:
            assert organisers == [
                f"Organiser: {ORGANISER['en']}",
                "Operator: General Office of the Standing Committee of the Sample City People's Congress",
            ]
        filings = footer.select(".footer-filings li")
        icp, police, code = filings
        assert icp.a["href"] == "https://beian.miit.gov.cn/"
        assert icp.a.get_text() == "样ICP备00000000号-1" and icp.a["lang"] == "zh-CN"
        assert police.a["href"] == (
            "https://beian.mps.gov.cn/#/query/webSearch?code=00000000000000"
        )
        assert police.a.get_text() == "样公网安备00000000000000号"
        label = "网站标识码：" if lang == "zh" else "Website code: "
        assert code.get_text() == f"{label}9900000000"


def test_the_editors_logo_is_in_every_page_and_is_the_favicon(built: Path):
    logo = (SITES / "full" / "content" / "images" / "logo.svg").read_bytes()
    assert (built / "assets" / "site-logo.svg").read_bytes() == logo
    for prefix, up in (("", ""), ("en/", "../")):
        for name in PAGES:
            page = soup(built / f"{prefix}{name}.html")
            image = page.select_one("header.masthead .brand img.brand-logo")
            scheme, _, data = image["src"].partition(",")
            assert scheme == "data:image/svg+xml;base64" and base64.b64decode(data) == logo
            assert image["alt"] == ""  # the link's text names it
            assert not page.select(".brand-mark")
            icon = page.select_one('link[rel="icon"]')
            assert (icon["href"], icon["type"]) == (f"{up}assets/site-logo.svg", "image/svg+xml")


def test_the_home_page_shows_the_title_once_and_the_others_in_the_masthead(built: Path):
    for prefix, lang in (("", "zh"), ("en/", "en")):
        home = soup(built / f"{prefix}index.html")
        assert home.select_one("main h1").get_text() == TITLE[lang]
        masthead = home.select_one("header.masthead")
        assert TITLE[lang] not in masthead.get_text()
        assert masthead.select_one(".brand-name").get_text() == ORGANISER[lang]
        other = soup(built / f"{prefix}goal-1.html").select_one("header.masthead .brand-name")
        assert other.get_text(strip=True) not in ("", ORGANISER[lang])


def test_the_editors_share_image_with_its_size_and_description(built: Path):
    assert (built / "assets" / "site-share.png").read_bytes() == (
        SITES / "full" / "content" / "images" / "share.png"
    ).read_bytes()
    for prefix, lang, up in (("", "zh", ""), ("en/", "en", "../")):
        tags = meta(soup(built / f"{prefix}highlight-1.html"))
        assert tags["og:image"] == f"{up}assets/site-share.png"  # no address: the page's link
        assert (tags["og:image:width"], tags["og:image:height"]) == ("600", "315")
        assert tags["og:image:type"] == "image/png"
        assert tags["og:image:alt"] == TITLE[lang]


def test_without_a_base_url_there_is_no_qr_code(built: Path):
    for file in built.rglob("*.html"):
        assert "qr-code" not in file.read_text(encoding="utf-8"), file


def test_with_a_base_url_each_page_has_a_qr_code_of_its_address_and_a_full_share_image(
    project: Path,
):
    out = build(project, "--base-url", BASE)
    for prefix, caption in (
        ("", "扫码在手机上阅读"),
        ("en/", "Scan to read this page on your phone"),
    ):
        for name in PAGES:
            page = soup(out / f"{prefix}{name}.html")
            address = page.select_one('link[rel="canonical"]')["href"]
            assert address == f"{BASE}{prefix}{name}.html"
            figure = page.select_one("footer figure.footer-qr")
            assert figure.figcaption.get_text() == caption
            svg = figure.svg
            assert svg["aria-hidden"] == "true"
            # The code holds this page's address: the modules segno draws for it.
            expected = BeautifulSoup(
                segno.make(address, error="m").svg_inline(border=2), "html.parser"
            )
            assert svg.path["d"] == expected.path["d"]
            assert meta(page)["og:image"] == f"{BASE}assets/site-share.png"
    assert "qr-code" not in (out / "404.html").read_text(encoding="utf-8")


def test_without_identity_fields_the_site_shows_its_own_mark_icon_and_share_image(
    minimal: Path,
):
    out = build(minimal)
    page = soup(out / "index.html")
    assert not page.select(".footer-organisers, .footer-filings, .brand-logo")
    mark = page.select_one("header.masthead .brand svg.brand-mark")
    assert mark["aria-hidden"] == "true"
    brand = page.select_one("header.masthead .brand")
    assert brand["aria-label"] == "首页" and not brand.select(".brand-name")  # the H1 is the title
    icon = page.select_one('link[rel="icon"]')
    assert icon["href"] == "assets/icon.svg" and (
        out / "assets" / "icon.svg"
    ).read_bytes().startswith(b"<svg")
    tags = meta(page)
    assert tags["og:image"] == "assets/share.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"] == "最小报告"  # the site's title
    assert (out / "assets" / "share.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (out / "assets" / "site-share.png").exists()
    assert not list((out / "assets").glob("site-logo.*"))


def test_a_png_logo_is_carried_as_a_png(project: Path):
    (project / "content" / "images" / "seal.png").write_bytes(png(64, 64))
    edit(project / "content" / "site.yaml", "logo: images/logo.svg", "logo: images/seal.png")
    out = build(project)
    image = soup(out / "goal-1.html").select_one(".brand-logo")
    assert image["src"].startswith("data:image/png;base64,")
    assert base64.b64decode(image["src"].partition(",")[2]) == png(64, 64)
    assert (out / "assets" / "site-logo.png").read_bytes() == png(64, 64)
    assert not (out / "assets" / "site-logo.svg").exists()


# Mistakes ---------------------------------------------------------------------------------


def errors(project: Path) -> list[str]:
    problems = Problems()
    load_content(project, problems)
    return [error.format() for error in problems.errors]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "icp_filing: 样ICP备00000000号-1",
            "icp_filing: 12345678",
            "icp_filing: expected an ICP filing number like 豫ICP备12345678号, got 12345678",
        ),
        (
            "police_filing: 样公网安备00000000000000号",
            "police_filing: 样公网安备123号",
            'police_filing: expected a filing number like 豫公网安备41160202000001号, got "样公网安备123号"',
        ),
        (
            "website_code: 9900000000",
            "website_code: 99-00",
            'website_code: expected a website code of 10 digits, like 4116000001, got "99-00"',
        ),
        (
            "website_code: 9900000000",
            "website_code: [1, 2]",
            "website_code: expected a website code of 10 digits, like 4116000001, got a list",
        ),
        (
            "  zh: 样例市人大常委会\n",
            "  zh: 样例市人大常委会\n  fr: Comité\n",
            'organiser.fr: "fr" is not one of the site\'s languages (zh, en)',
        ),
        (
            "operator:\n  zh: 样例市人大常委会办公室\n",
            "operator: 5\nx_operator:\n  zh: 样例市人大常委会办公室\n",
            None,  # two errors: see below
        ),
        (
            "logo: images/logo.svg",
            "logo: images/emblem.svg",
            "logo: there is no file content/images/emblem.svg "
            "(the path is relative to the content folder, like images/logo.png)",
        ),
        (
            "logo: images/logo.svg",
            "logo: source/report.zh.txt",
            "logo: content/source/report.zh.txt is not an SVG or PNG file",
        ),
        (
            "logo: images/logo.svg",
            "logo: ../../outside.svg",
            "logo: content/../../outside.svg is outside the content folder",
        ),
        (
            "logo: images/logo.svg",
            "logo: images/share.svg",
            "logo: content/images/share.svg is named .svg but does not hold an SVG image",
        ),
        (
            "logo: images/logo.svg",
            "logo: true",
            "logo: expected the path of an SVG or PNG file in the content folder, "
            'like images/logo.svg, got true (put it in quotes if it is meant as text: "…")',
        ),
        (
            "share_image: images/share.png",
            "share_image: images/logo.svg",
            "share_image: content/images/logo.svg is not a PNG file",
        ),
        (
            "share_image: images/share.png",
            "share_image: images/small.png",
            "share_image: the share image is 300 × 150 pixels: social media show it only "
            "from 200 × 200 (1200 × 630 pixels suits most of them)",
        ),
        (
            "share_image: images/share.png",
            "share_image: images/fake.png",
            "share_image: content/images/fake.png is named .png but does not hold a PNG image",
        ),
        (
            "logo: images/logo.svg",
            "logo: images/big.svg",
            "logo: the logo is 12,001 bytes: every page carries it, so it may be 12,000 at most "
            "(save it as an SVG, or as a PNG of about 128 × 128 pixels)",
        ),
    ],
    ids=[
        "icp-number",
        "police-digits",
        "website-code-text",
        "website-code-list",
        "organiser-language",
        "operator-type",
        "logo-missing",
        "logo-kind",
        "logo-outside",
        "logo-not-svg",
        "logo-bool",
        "share-kind",
        "share-small",
        "share-not-png",
        "logo-big",
    ],
)
def test_a_wrong_identity_field_is_a_located_error(project: Path, old, new, expected):
    images = project / "content" / "images"
    (images / "share.svg").write_text("<html>not a drawing</html>", encoding="utf-8")
    (images / "small.png").write_bytes(png(300, 150))
    (images / "fake.png").write_text("not a picture", encoding="utf-8")
    (images / "big.svg").write_text("<svg>" + " " * (12_001 - 11) + "</svg>", encoding="utf-8")
    (project / "outside.svg").write_text("<svg></svg>", encoding="utf-8")
    site = project / SITE
    edit(site, old, new)
    at = line(site, "fr: Comité" if "fr:" in new else new.split("\n")[0])
    if expected is None:  # an operator that is not a text per language, and an unknown field
        assert errors(project) == [
            f'{SITE}:{at + 1}: x_operator: unknown field "x_operator" (did you mean "operator"?)',
            f"{SITE}:{at}: operator: expected a text for each language (zh, en), got 5 "
            "(write it as operator: {zh: …, en: …})",
        ]
        return
    assert errors(project) == [f"{SITE}:{at}: {expected}"]


@pytest.mark.parametrize("key", ["logo", "share_image"])
def test_an_image_is_read_as_every_content_file_is_a_named_pipe_refused(project: Path, key):
    os.mkfifo(project / "content" / "images" / "pipe.png")  # read, it would hold the build up
    old = "logo: images/logo.svg" if key == "logo" else "share_image: images/share.png"
    edit(project / SITE, old, f"{key}: images/pipe.png")
    assert errors(project) == [
        "content/images/pipe.png: this is a named pipe (FIFO), not a file: it is not read "
        "(replace it with a regular file)"
    ]


def test_an_image_larger_than_any_content_file_may_be_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1024 * 1024)
    (project / "content" / "images" / "huge.png").write_bytes(png(1200, 630) + bytes(2 * 1024**2))
    edit(project / SITE, "share_image: images/share.png", "share_image: images/huge.png")
    assert errors(project) == [
        "content/images/huge.png: the file is 2 MB, more than the 1 MB a file may have "
        "(split it, or make it smaller)"
    ]


def test_a_wrong_identity_field_fails_the_build_as_a_user_sees_it(project: Path):
    edit(project / SITE, "website_code: 9900000000", "website_code: 12345")
    result = run_cli("build", "--project", str(project), "--out", str(project / "out"))
    assert result.returncode == 1
    at = line(project / SITE, "website_code: 12345")
    assert result.stderr == (
        "Found 1 error; nothing was written:\n"
        f"1. {SITE}:{at}: website_code: expected a website code of 10 digits, like 4116000001, "
        "got 12345\n"
    )
    assert not (project / "out").exists()
