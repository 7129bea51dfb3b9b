"""Publishing metadata: sitemap.xml and robots.txt, which need the site's public address
(without a base URL the site stays entirely relative and these are left out); and the
images of the site's identity that the editor gives (its logo, its share image).
"""

from __future__ import annotations

from .layout import DEFAULT_SHARE_IMAGE, ROBOTS, SITEMAP
from .model import Site


def normalise_base_url(url: str) -> str:
    """The base URL with exactly one trailing slash, so that page paths can be appended."""
    return url.rstrip("/") + "/"


def publishing_files(site: Site) -> dict[str, bytes]:
    identity = site.meta.identity
    files = {
        image.output: image.data
        for image in (identity.logo, identity.share_image)
        if image is not None and image.output != DEFAULT_SHARE_IMAGE  # that one is an asset
    }
    base = site.meta.base_url
    if base:
        files[SITEMAP] = sitemap(site, base).encode("utf-8")
        files[ROBOTS] = robots(base).encode("utf-8")
    return files


def sitemap(site: Site, base: str) -> str:
    """Every page of every language, each with its alternates in the other languages."""
    from html import escape  # here: only a site with a base URL has a sitemap

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for page in site.pages:
        if page.kind == "404":
            continue
        lines.append("  <url>")
        lines.append(f"    <loc>{escape(base + page.output)}</loc>")
        for lang in site.languages:
            other = site.page(page.id, lang.code)
            href = escape(base + other.output)
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{lang.tag}" href="{href}"/>')
        default = escape(base + site.page(page.id, site.default_language.code).output)
        lines.append(f'    <xhtml:link rel="alternate" hreflang="x-default" href="{default}"/>')
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(base: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base}{SITEMAP}\n"
