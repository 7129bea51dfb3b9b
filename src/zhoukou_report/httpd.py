"""The preview server's HTTP side: what a request is answered (paths checked, files found,
the reload script added to each page, the page shown when a build fails), and the
threaded HTTP server that answers it for a ``Preview`` (serve.py's ``PreviewServer``).

Request paths are checked segment by segment, then looked up among the output paths of
the build held in memory (nothing is read from disk). A path longer than ``MAX_PATH_CHARS`` or of
more than ``MAX_SEGMENTS`` segments is refused (414) before it is looked at: looking up
the nearest 404 page costs a lookup per segment, each as long as the path.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import socket
import sys
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import quote, unquote

from .errors import ContentError
from .i18n import _, language_tag, ngettext

log = logging.getLogger(__name__)

PREFIX = "/__zhoukou__/"
SCRIPT_PATH = PREFIX + "reload.js"
EVENTS_PATH = PREFIX + "events"
HTML = "text/html; charset=utf-8"
CONTENT_TYPES = {
    ".html": HTML,
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DEFAULT_TYPE = "application/octet-stream"

RELOAD_JS = """\
// Served by `zhoukou-report serve` only: never part of a build.
(() => {
  "use strict";
  const script = document.currentScript;
  const version = script ? script.dataset.version : "";
  let events = null;
  const connect = () => {
    events = new EventSource("/__zhoukou__/events");
    events.onmessage = (message) => {
      if (message.data !== version) {
        events.close();
        window.location.reload();
      }
    };
  };
  window.addEventListener("pagehide", () => events && events.close());
  window.addEventListener("pageshow", (event) => event.persisted && connect());
  connect();
})();
"""

ERROR_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; "
    "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
ERROR_PAGE = """\
<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · zhoukou-report</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
       padding: 0 1rem; color: #1a1a1a; background: #fff8f6; }}
h1 {{ color: #a4161a; font-size: 1.5rem; }}
ol {{ padding-left: 2rem; }}
li {{ margin: .5rem 0; }}
code {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
</style>
</head>
<body>
<main>
<h1>{heading}</h1>
<p>{summary}</p>
<ol class="errors">
{items}
</ol>
<p>{reload}</p>
</main>
</body>
</html>
"""


MAX_PATH_CHARS = 1024  # the site's longest path is some 30 characters
MAX_SEGMENTS = 32


class BadPath(ValueError):
    """A request path that is malformed or tries to leave the site: answered with 400."""


class PathTooLong(BadPath):
    """A request path longer than any of the site's: answered with 414."""


@dataclass(frozen=True)
class Response:
    """An answer of the preview server, before it is sent."""

    status: int
    body: bytes
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)


# Paths ---------------------------------------------------------------------------------


def split_path(target: str) -> tuple[list[str], bool]:
    """A request target's decoded segments and whether it ends in ``/``; ``BadPath`` if unsafe.

    Each segment is percent-decoded on its own, so ``%2f`` cannot make a new segment; a
    decoded segment may hold no slash, backslash or NUL, and may not be ``.`` or ``..``.
    """
    path = target.partition("?")[0].partition("#")[0]
    if len(path) > MAX_PATH_CHARS or path.count("/") > MAX_SEGMENTS:
        raise PathTooLong(f"more than {MAX_PATH_CHARS} characters or {MAX_SEGMENTS} segments")
    if not path.startswith("/"):
        raise BadPath("the path must start with /")
    if "\\" in path:
        raise BadPath("backslashes are not allowed")
    raw = path[1:].split("/")
    trailing = raw[-1] == ""
    if trailing:
        raw.pop()
    segments = []
    for part in raw:
        try:
            segment = unquote(part, errors="strict")
        except UnicodeDecodeError as e:
            raise BadPath("the path is not UTF-8") from e
        if not segment:
            raise BadPath("empty path segment")
        if segment in (".", "..") or any(c in segment for c in "/\\\0"):
            raise BadPath(f"forbidden path segment {part!r}")
        segments.append(segment)
    return segments, trailing


def locate(files: Collection[str], folders: Collection[str], segments: list[str]) -> str | None:
    """The output path those segments name among the site's ``files``, or, for one of its
    ``folders``, the folder's path ending in ``/`` (``""`` for the site's top); else None.

    The site is in memory: a path names a file only if the build made it, so no path can
    lead outside it. Hidden names are not part of the site."""
    if any(segment.startswith(".") for segment in segments):
        return None
    path = "/".join(segments)
    if path in files:
        return path
    if not segments or path in folders:
        return path + "/" if segments else ""
    return None


def folders_of(files: Iterable[str]) -> frozenset[str]:
    """Every folder holding one of these output paths: ``en/404.html`` gives ``en``."""
    found: set[str] = set()
    for path in files:
        while "/" in path:
            path = path.rpartition("/")[0]
            if path in found:
                break
            found.add(path)
    return frozenset(found)


def not_found_page(files: Collection[str], segments: list[str]) -> str | None:
    """The nearest ``404.html`` above a missing path: ``/en/x`` gets ``en/404.html``."""
    for depth in range(len(segments) - 1, -1, -1):
        page = "/".join([*segments[:depth], "404.html"])
        if page in files:
            return page
    return None


def content_type(path: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(path)[1].lower(), DEFAULT_TYPE)


def inject_script(page: bytes, version: str) -> bytes:
    """The page with the reload script before its last ``</body>`` (or at its end)."""
    tag = f'<script src="{SCRIPT_PATH}" data-version="{html.escape(version)}" async></script>\n'
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + tag.encode()
    return page[:at] + tag.encode() + page[at:]


def error_page(errors: list[ContentError], version: str) -> bytes:
    count = len(errors)
    summary = ngettext("Found {count} error:", "Found {count} errors:", count).format(count=count)
    items = "\n".join(f"<li><code>{html.escape(error.format())}</code></li>" for error in errors)
    page = ERROR_PAGE.format(
        lang=language_tag(),
        title=html.escape(_("Build failed")),
        heading=html.escape(_("The site could not be built")),
        summary=html.escape(summary),
        items=items,
        reload=html.escape(_("Fix the file and save it: this page reloads by itself.")),
    )
    return inject_script(page.encode("utf-8"), version)


def plain(status: int, text: str) -> Response:
    return Response(status, f"{status} {text}\n".encode(), "text/plain; charset=utf-8")


def redirect(segments: list[str], target: str) -> Response:
    query = target.partition("?")[2]
    location = "/" + "/".join(quote(s) for s in segments) + "/" + (f"?{query}" if query else "")
    return Response(301, b"", "text/plain; charset=utf-8", {"Location": location})


REQUEST_TIMEOUT_SECONDS = 30.0


# HTTP ----------------------------------------------------------------------------------


class Preview(Protocol):
    """What the HTTP server asks of the preview it serves."""

    @property
    def stopping(self) -> bool: ...

    def allowed_host(self, header: str | None) -> bool: ...

    def respond(self, target: str) -> Response: ...

    def stream_events(self, send: Callable[[bytes], None]) -> None: ...


class PreviewHTTPServer(ThreadingHTTPServer):
    """One thread per request; remembers open connections so ``stop`` can close them.

    The listen backlog holds the connections of 200 clients at once (socketserver's 5
    times out 1 % of them): the 200-client row of benchmarks/serve_clients.py fails without.
    """

    daemon_threads = True
    block_on_close = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], preview: Preview):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's fully qualified name: slow, and unused.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()[:2]
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request: socket.socket, client_address: object) -> None:
        with self.connections_lock:
            refused = self.preview.stopping
            if not refused:
                self.connections.add(request)
        if refused:  # outside the lock: shutdown_request takes it too
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake every handler blocked on a client (an idle browser socket, an event stream)."""
        with self.connections_lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError) or (
            isinstance(error, OSError) and self.preview.stopping
        ):
            log.debug("client %s went away: %s", client_address, error)
            return
        log.exception(_("error while answering %s"), client_address)


class Handler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer
    server_version = "zhoukou-report"
    sys_version = ""
    timeout = REQUEST_TIMEOUT_SECONDS

    def version_string(self) -> str:
        return self.server_version

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError as e:
            log.debug("client went away: %s", e)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        preview = self.server.preview
        if not preview.allowed_host(self.headers.get("Host")):
            response = plain(400, _("Bad Request: unknown Host"))
        elif self.path.partition("?")[0] == EVENTS_PATH and send_body:
            self._stream()
            return
        else:
            response = preview.respond(self.path)
        self._send(response, send_body)

    def _send(self, response: Response, send_body: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def _stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True

        def send(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        self.server.preview.stream_events(send)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)
