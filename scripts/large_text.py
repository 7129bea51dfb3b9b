"""The large-text check of tests/browser/test_large_text.py on any built site, such as the
real report's (the tests run it on the fixture site only).

    python scripts/large_text.py [--site build] [--page highlight-4 …]

Every page of both languages at 320 and 390 pixels, with text at 100, 150 and 200 %, then
again with its details open: prints each number split from its unit, each word broken
inside and each overflow, and exits 1 if there is any. Uses Playwright for Python with the
distribution's Chromium (/usr/bin/chromium); it never downloads a browser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("build"))
    parser.add_argument("--page", action="append", default=[], help="only pages with this name")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "tests" / "browser"), str(ROOT / "tests")]
    from playwright.sync_api import sync_playwright
    from test_large_text import text_problems

    pages = sorted(args.site.glob("*.html")) + sorted(args.site.glob("*/*.html"))
    pages = [file for file in pages if not args.page or file.stem in args.page]
    problems: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_context(viewport={"width": 320, "height": 640}).new_page()
        for file in pages:
            page.goto(file.resolve().as_uri())
            problems += text_problems(page, file.relative_to(args.site).as_posix())
        browser.close()
    for line in dict.fromkeys(problems):
        print(line)
    print(f"{len(pages)} pages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
