"""The site's official identity, from content/site.yaml: who runs it (主办单位, 承办单位),
its filing numbers (ICP 备案, 公安备案, 网站标识码), its logo and its share image.

Every field is optional. The images are files the editor puts in the content folder, named
by their path there; without them the site shows its own mark (templates/static/).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .errors import ContentError
from .fields import Problems, text_field, translated, wrong
from .files import read_bytes
from .i18n import _
from .layout import CONTENT, DEFAULT_SHARE_IMAGE, SHARE_IMAGE, SITE_LOGO, STATIC, TEMPLATES
from .model import Identity, Image
from .yamldoc import YamlDoc

IDENTITY_KEYS = (
    "organiser",
    "operator",
    "icp_filing",
    "police_filing",
    "website_code",
    "logo",
    "share_image",
    "share_image_alt",
)
ICP_FILING = re.compile(r"ICP[备證证]\s*\d+号(-\d+)?$", re.IGNORECASE)
POLICE_FILING = re.compile(r"\d{14}")  # the record's number, which its page is found by
WEBSITE_CODE = re.compile(r"^[0-9]{10}$")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Every page carries the logo in its HTML (no request of its own: the page weight budget).
LOGO_MAX_BYTES = 12_000
# The least size social media show a share image at (Facebook, WeChat: 200 × 200).
SHARE_MIN_PIXELS = 200


def read_identity(
    doc: YamlDoc, codes: tuple[str, ...], project: Path, problems: Problems
) -> Identity | None:
    """The identity fields of site.yaml, each checked; None if one of them is wrong."""
    data = doc.data
    before = len(problems.errors)
    texts: dict[str, Any] = {}
    for key in ("organiser", "operator", "share_image_alt"):
        if data.get(key) is not None or doc.has(key):
            texts[key] = translated(doc, key, data.get(key), codes, problems)
    filings = {
        "icp_filing": (ICP_FILING, _("an ICP filing number like 豫ICP备12345678号")),
        "police_filing": (POLICE_FILING, _("a filing number like 豫公网安备41160202000001号")),
        "website_code": (WEBSITE_CODE, _("a website code of 10 digits, like 4116000001")),
    }
    for key, (pattern, what) in filings.items():
        if data.get(key) is None and not doc.has(key):
            continue
        value = data.get(key)
        text = text_field(doc, key, value, problems, what)
        if text is not None and not pattern.search(text.strip()):
            problems.errors.append(wrong(doc, key, value, what))
        texts[key] = text.strip() if text else None
    logo = _image(doc, "logo", project, ("svg", "png"), problems)
    if logo is not None and len(logo.data) > LOGO_MAX_BYTES:
        message = _(
            "the logo is {size} bytes: every page carries it, so it may be {most} at most"
        ).format(size=f"{len(logo.data):,}", most=f"{LOGO_MAX_BYTES:,}")
        hint = _("save it as an SVG, or as a PNG of about 128 × 128 pixels")
        problems.errors.append(doc.error("logo", message, hint=hint))
    share = _image(doc, "share_image", project, ("png",), problems)
    if share is None and not doc.has("share_image"):
        share = _default_share_image(project)
    elif share is not None and min(share.width or 0, share.height or 0) < SHARE_MIN_PIXELS:
        message = _(
            "the share image is {width} × {height} pixels: social media show it only from "
            "{least} × {least}"
        ).format(width=share.width, height=share.height, least=SHARE_MIN_PIXELS)
        hint = _("1200 × 630 pixels suits most of them")
        problems.errors.append(doc.error("share_image", message, hint=hint))
    if len(problems.errors) > before:
        return None
    return Identity(logo=logo, share_image=share, **texts)


def _image(
    doc: YamlDoc, key: str, project: Path, kinds: tuple[str, ...], problems: Problems
) -> Image | None:
    """An image the editor named by its path in the content folder: it must be there, and be
    of one of the ``kinds`` ("svg", "png") by its name and its bytes."""
    value = doc.data.get(key)
    if value is None and not doc.has(key):
        return None
    names = _("an SVG or PNG") if kinds[0] == "svg" else _("a PNG")
    what = _("the path of {kinds} file in the content folder, like {example}").format(
        kinds=names, example=f"images/{key}.{kinds[0]}"
    )
    if not isinstance(value, str) or not value.strip():
        problems.errors.append(wrong(doc, key, value, what))
        return None
    rel = value.strip().replace("\\", "/")
    folder = project / CONTENT
    file = folder / rel
    shown = f"{CONTENT}/{rel}"
    kind = file.suffix.lower().lstrip(".")
    if not file.resolve().is_relative_to(folder.resolve()):
        message = _("{file} is outside the content folder").format(file=shown)
        problems.errors.append(doc.error(key, message))
        return None
    if not os.path.lexists(file):
        hint = _("the path is relative to the content folder, like images/logo.png")
        message = _("there is no file {file}").format(file=shown)
        problems.errors.append(doc.error(key, message, hint=hint))
        return None
    if kind not in kinds:
        message = _("{file} is not {kinds} file").format(file=shown, kinds=names)
        problems.errors.append(doc.error(key, message))
        return None
    try:  # as every content file is read: not a named pipe, not too large, not a link out
        data = read_bytes(file, shown, project)
    except ContentError as e:
        problems.errors.append(e)
        return None
    image = _recognised(data, kind, _output(key, kind))
    if image is None:
        image_kind = _("an SVG image") if kind == "svg" else _("a PNG image")
        message = _("{file} is named .{kind} but does not hold {image}").format(
            file=shown, kind=kind, image=image_kind
        )
        problems.errors.append(doc.error(key, message))
    return image


def _output(key: str, kind: str) -> str:
    return SITE_LOGO.format(ext=kind) if key == "logo" else SHARE_IMAGE


def _recognised(data: bytes, kind: str, output: str) -> Image | None:
    """The image, if its bytes are of its ``kind``: a PNG's signature and header (which
    gives its size), an SVG's root element."""
    if kind == "png":
        if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
            return None
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return Image(output, data, "png", width, height)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if not re.search(r"<svg[\s>]", text[:4000]):
        return None
    return Image(output, data, "svg")


def _default_share_image(project: Path) -> Image | None:
    """The share image the templates ship (static/share.png), if they do: found as a
    template is, the project's templates/ first, then the theme's; read as render.py reads
    the static files it copies (a mistake there is its error, at the copy)."""
    from .render import template_file  # here: the renderer's imports are heavy

    rel = f"{STATIC}/{DEFAULT_SHARE_IMAGE.partition('/')[2]}"
    file = template_file(project, rel)
    if file is None:
        return None
    try:
        if file.is_relative_to(project / TEMPLATES):
            data = read_bytes(file, f"{TEMPLATES}/{rel}", project)
        else:
            data = read_bytes(file, str(file))  # the installed theme's
    except ContentError:
        return None  # the copy of the static files names it
    return _recognised(data, "png", DEFAULT_SHARE_IMAGE)
