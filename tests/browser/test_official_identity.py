"""The site's identity as a browser shows it: the QR code of the page's address on wide
screens and on paper but not on a phone, and the deep red of the rules in a dark scheme.

The full fixture, built with a base URL (a QR code needs the page's address), from disk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browsing import DESKTOP, PHONE

from helpers import copy_site, run_cli

QR_SHOWN = """() => {
  const qr = document.querySelector(".footer-qr svg");
  const box = qr.getBoundingClientRect();
  return {shown: qr.checkVisibility(), width: box.width, height: box.height,
          right: box.right, page: document.documentElement.clientWidth};
}"""
RULES = """() => ({
  footer: getComputedStyle(document.querySelector(".site-footer")).borderTopColor,
  heading: getComputedStyle(document.querySelector(".block > h2")).borderBottomColor,
  number: getComputedStyle(document.querySelector(".tile data")).color,
})"""
DEEP_RED = "rgb(168, 35, 28)"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_site("full", tmp_path_factory.mktemp("identity") / "project")
    out = project / "out"
    result = run_cli("build", "--project", str(project), "--out", str(out), "--base-url",
                     "https://example.org/sample/report/")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("name", ["index.html", "en/goal-1.html"])
def test_the_qr_code_shows_on_a_wide_screen_and_on_paper_not_on_a_phone(
    published: Path, new_context: Callable[..., Any], name: str
):
    url = (published / name).as_uri()
    desktop = new_context(viewport=DESKTOP).new_page()
    desktop.goto(url)
    shown = desktop.evaluate(QR_SHOWN)
    assert shown["shown"] and shown["width"] >= 100 and shown["width"] == shown["height"]
    assert shown["right"] <= shown["page"]
    phone = new_context(viewport=PHONE).new_page()
    phone.goto(url)
    assert not phone.evaluate(QR_SHOWN)["shown"]
    phone.emulate_media(media="print")
    printed = phone.evaluate(QR_SHOWN)
    assert printed["shown"] and printed["width"] >= 80  # 2.5 cm


def test_a_dark_scheme_keeps_the_rules_deep_red_and_the_numbers_light(
    published: Path, new_context: Callable[..., Any]
):
    page = new_context(color_scheme="dark").new_page()
    page.goto((published / "index.html").as_uri())
    colours = page.evaluate(RULES)
    assert colours["footer"] == colours["heading"] == DEEP_RED
    assert colours["number"] != DEEP_RED  # text keeps the light accent, for its contrast
    light = new_context(color_scheme="light").new_page()
    light.goto((published / "index.html").as_uri())
    assert light.evaluate(RULES)["footer"] == "rgb(163, 22, 26)"  # the accent, #a3161a
