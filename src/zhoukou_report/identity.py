"""The site's official identity, from content/site.yaml: who runs it (主办单位, 承办单位),
its filing numbers (ICP 备案, 公安备案, 网站标识码), its logo and its share image.

Every field is optional. The images are files the editor puts in the content folder, named
by their path there; without them the site shows its own mark (templates/static/).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .fields import Problems, text_field, translated, wrong
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
        "icp_filing": (ICP_FILING, "an ICP filing number like 豫ICP备12345678号"),
        "police_filing": (POLICE_FILING, "a filing number like 豫公网安备41160202000001号"),
        "website_code": (WEBSITE_CODE, "a website code of 10 digits, like 4116000001"),
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
        message = (
            f"the logo is {len(logo.data):,} bytes: every page carries it, "
            f"so it may be {LOGO_MAX_BYTES:,} at most"
        )
        hint = "save it as an SVG, or as a PNG of about 128 × 128 pixels"
        problems.errors.append(doc.error("logo", message, hint=hint))
    share = _image(doc, "share_image", project, ("png",), problems)
    if share is None and not doc.has("share_image"):
        share = _default_share_image(project)
    elif share is not None and min(share.width or 0, share.height or 0) < SHARE_MIN_PIXELS:
        message = (
            f"the share image is {share.width} × {share.height} pixels: social media show "
            f"it only from {SHARE_MIN_PIXELS} × {SHARE_MIN_PIXELS}"
        )
        hint = "1200 × 630 pixels suits most of them"
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
    names = " or ".join(kind.upper() for kind in kinds)
    names = ("an " if kinds[0] == "svg" else "a ") + names  # an SVG or PNG, a PNG
    what = f"the path of {names} file in the content folder, like images/{key}.{kinds[0]}"
    if not isinstance(value, str) or not value.strip():
        problems.errors.append(wrong(doc, key, value, what))
        return None
    rel = value.strip().replace("\\", "/")
    folder = (project / CONTENT).resolve()
    file = (folder / rel).resolve()
    shown = f"{CONTENT}/{rel}"
    kind = file.suffix.lower().lstrip(".")
    if not file.is_relative_to(folder):
        problems.errors.append(doc.error(key, f"{shown} is outside the content folder"))
        return None
    if not file.is_file():
        hint = "the path is relative to the content folder, like images/logo.png"
        problems.errors.append(doc.error(key, f"there is no file {shown}", hint=hint))
        return None
    if kind not in kinds:
        problems.errors.append(doc.error(key, f"{shown} is not {names} file"))
        return None
    try:
        data = file.read_bytes()
    except OSError as e:
        problems.errors.append(doc.error(key, f"{shown} cannot be read: {e.strerror}"))
        return None
    image = _recognised(data, kind, _output(key, kind))
    if image is None:
        article = "an" if kind == "svg" else "a"
        message = f"{shown} is named .{kind} but does not hold {article} {kind.upper()} image"
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
    """The share image the templates ship (templates/static/share.png), if they do."""
    file = project / TEMPLATES / STATIC / DEFAULT_SHARE_IMAGE.partition("/")[2]
    try:
        data = file.read_bytes()
    except OSError:
        return None
    return _recognised(data, "png", DEFAULT_SHARE_IMAGE)
