"""The names of things: the project's folders and files, and the files of the built site.

Every other module takes these names from here, so that the layout an editor sees in
the README is written down once.
"""

from __future__ import annotations

import re

# The project ------------------------------------------------------------------------------

CONTENT = "content"
TEMPLATES = "templates"
STATIC = "static"  # inside templates/: copied into the site's assets/ as they are

SITE_FILE = f"{CONTENT}/site.yaml"
STRINGS_FILE = f"{CONTENT}/strings.yaml"
FIGURES_FILE = f"{CONTENT}/figures.yaml"
CHARTS_FILE = f"{CONTENT}/charts.yaml"
SOURCE_FILE = f"{CONTENT}/source/report.zh.txt"
# The Markdown pages, one folder per language (content/zh/, content/en/).
PAGE_FILE = re.compile(r"^(?:overview|goals-intro|(?:highlight|goal)-[1-9][0-9]*)\.md$")


def language_folder(code: str) -> str:
    """The folder of a language's pages: ``content/zh``."""
    return f"{CONTENT}/{code}"


# The built site ---------------------------------------------------------------------------

ASSETS = "assets"
STYLESHEET = f"{ASSETS}/site.css"
STYLESHEET_SOURCE = f"{STATIC}/site.css"  # inside templates/
# The site's mark, as the browser's tab shows it, and the picture of a link shared on social
# media: the templates' own (from templates/static/), unless site.yaml names the editor's.
DEFAULT_ICON = f"{ASSETS}/icon.svg"
DEFAULT_SHARE_IMAGE = f"{ASSETS}/share.png"
SITE_LOGO = f"{ASSETS}/site-logo.{{ext}}"  # the editor's logo: .svg or .png
SHARE_IMAGE = f"{ASSETS}/site-share.png"
DATA = "data"
JSON_FILE = f"{DATA}/figures.json"
SCHEMA_FILE = f"{DATA}/figures.schema.json"
CSV_FILE = f"{DATA}/figures.csv"
XLSX_FILE = f"{DATA}/figures.xlsx"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"


def page_output(page_id: str, prefix: str) -> str:
    """Where a page is written in the site: ``index.html``, ``en/goal-1.html``."""
    name = "index" if page_id == "overview" else page_id
    return f"{prefix}{name}.html"
