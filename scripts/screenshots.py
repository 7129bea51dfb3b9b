"""Screenshots of every page of a built site, in both languages, at phone and desktop widths.

    python scripts/screenshots.py [--site build] [--out screenshots] [--page index] [--full]
                                  [--dark] [--width 320 …] [--text 200]

Uses Playwright for Python with the distribution's Chromium (/usr/bin/chromium); it
never downloads a browser. Writes one PNG per page and width, named like
``en-highlight-4-390.png``, and prints their paths. ``--text 200`` enlarges the text to
200 % as a phone's large-text setting does (the root font size, which every size of
site.css follows), and adds ``-text200`` to the names.
"""

from __future__ import annotations

import argparse
from pathlib import Path

WIDTHS = {320: 640, 390: 844, 1280: 800}
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def pages(site: Path, only: list[str]) -> list[Path]:
    found = sorted(site.glob("*.html")) + sorted(site.glob("*/*.html"))
    return [page for page in found if not only or page.stem in only]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("build"))
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--page", action="append", default=[], help="only pages with this name")
    parser.add_argument("--full", action="store_true", help="the whole page, not only the screen")
    parser.add_argument("--dark", action="store_true", help="emulate a dark colour scheme")
    parser.add_argument("--width", type=int, action="append", choices=sorted(WIDTHS))
    parser.add_argument("--text", type=int, default=100, help="text size in percent")
    args = parser.parse_args()
    widths = {width: WIDTHS[width] for width in args.width or (390, 1280)}
    suffix = ("-dark" if args.dark else "") + (f"-text{args.text}" if args.text != 100 else "")

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width, height in widths.items():
            context = browser.new_context(
                viewport={"width": width, "height": height},
                color_scheme="dark" if args.dark else "light",
            )
            page = context.new_page()
            for file in pages(args.site, args.page):
                lang = file.parent.name if file.parent != args.site else "zh"
                page.goto(file.resolve().as_uri())
                if args.text != 100:
                    size = f"{args.text}%"
                    page.evaluate(
                        "(size) => { document.documentElement.style.fontSize = size; }", size
                    )
                name = f"{lang}-{file.stem}-{width}{suffix}.png"
                page.screenshot(path=args.out / name, full_page=args.full)
                print(args.out / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
