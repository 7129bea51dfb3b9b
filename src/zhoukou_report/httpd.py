"""The preview server's HTTP side: what a request is answered (paths checked, files found,
the reload script added to each page, the page shown when a build fails), and the
HTTP/1.0 server that answers it for a ``Preview`` (serve.py's ``PreviewServer``): one
thread with a selector for every connection, a thread for each event stream.

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
import selectors
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import NamedTuple, Protocol
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


class PreviewHTTPServer:
    """The preview's HTTP/1.0 server: one thread with a selector for every connection, and
    a thread of its own for each event stream (one per open tab).

    The loop accepts, reads each request's head as it arrives, asks the preview for the
    response, sends it in one piece (or as fast as the client takes it) and closes the
    connection. A slow client holds no thread: one that has not sent its whole head, or has
    taken nothing of its response, for ``REQUEST_TIMEOUT_SECONDS`` is dropped (slowloris).
    A thread per connection (``ThreadingHTTPServer``) took 0.7 ms of CPU a request, most of
    it starting the thread and parsing headers with ``email``; this loop takes 0.16 ms: the
    200-client row of benchmarks/serve_clients.py fails without.

    The listen backlog holds the connections of 200 clients at once (socketserver's 5
    times out 1 % of them): the same row fails without.
    """

    request_queue_size = 256

    def __init__(self, address: tuple[str, int], preview: Preview):
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind(address)
            self.socket.listen(self.request_queue_size)
        except BaseException:
            self.socket.close()
            raise
        self.socket.setblocking(False)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self.connections: dict[socket.socket, _Connection] = {}  # the loop's, in its thread
        self.streams: dict[socket.socket, threading.Thread] = {}
        self.streams_lock = threading.Lock()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.socket, selectors.EVENT_READ)
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    # Lifecycle ------------------------------------------------------------------------

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Answer requests until ``shutdown``; the loop's connections are closed at its end."""
        self._stopped.clear()
        swept = time.monotonic()
        try:
            while not self._stopping.is_set():
                for key, _events in self._selector.select(poll_interval):
                    if key.fileobj is self.socket:
                        self._accept()
                    else:
                        self._serve(key.data)
                if time.monotonic() - swept > poll_interval:
                    swept = time.monotonic()
                    self._expire(swept)
        finally:
            for connection in list(self.connections.values()):
                self._close(connection)
            self._stopping.clear()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop ``serve_forever`` and wait for it to end (from another thread)."""
        self._stopping.set()
        self._stopped.wait()

    def close_connections(self) -> None:
        """Wake every thread blocked on a client (an event stream) by closing its socket."""
        with self.streams_lock:
            for connection in self.streams:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def server_close(self) -> None:
        """Stop listening, and wait for the event streams' threads to end."""
        self._selector.close()
        self.socket.close()
        with self.streams_lock:
            threads = list(self.streams.values())
        for thread in threads:
            thread.join()

    # The loop -------------------------------------------------------------------------

    def _accept(self) -> None:
        for _waiting in range(self.request_queue_size):  # those waiting, then the others
            try:
                request, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:  # e.g. out of file descriptors: the client waits
                log.debug("could not accept a connection: %s", e)
                return
            self.process_request(request, address)

    def process_request(self, request: socket.socket, client_address: object) -> None:
        """Take a new connection: refused while stopping, else read at once (the request
        is usually there already) and watched until it is answered."""
        if self.preview.stopping:
            request.close()
            return
        request.setblocking(False)
        connection = _Connection(request, client_address)
        self.connections[request] = connection
        self._selector.register(request, selectors.EVENT_READ, connection)
        self._serve(connection)

    def _serve(self, connection: _Connection) -> None:
        """Read what the client sent, or send what it is owed, as far as it goes now."""
        try:
            if connection.outgoing is None:
                chunk = connection.socket.recv(READ_SIZE)
                if not chunk:  # the client went away before asking
                    self._close(connection)
                    return
                request = connection.read(chunk)
                if request is None:
                    return  # the head is not complete yet
                if self._streamed(connection, request):
                    return
                connection.outgoing = memoryview(self._answer(connection, request))
                self._selector.modify(connection.socket, selectors.EVENT_WRITE, connection)
            if sent := connection.socket.send(connection.outgoing):
                connection.outgoing = connection.outgoing[sent:]
                connection.active = time.monotonic()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:  # ConnectionError and the like: the client went away
            log.debug("client %s went away: %s", connection.address, e)
            self._close(connection)
            return
        except Exception:  # a mistake of ours: that request fails, not the server
            log.exception(_("error while answering %s"), connection.address)
            self._close(connection)
            return
        if not connection.outgoing:
            self._close(connection)

    def _streamed(self, connection: _Connection, request: Request | Response) -> bool:
        """Hand an event stream to a thread of its own: it stays open until the server stops."""
        if not (
            isinstance(request, Request)
            and request.method == "GET"
            and request.target.partition("?")[0] == EVENTS_PATH
            and self.preview.allowed_host(request.host)
        ):
            return False
        self._selector.unregister(connection.socket)
        del self.connections[connection.socket]
        connection.socket.settimeout(REQUEST_TIMEOUT_SECONDS)  # a send that never ends
        thread = threading.Thread(
            target=self._stream, args=(connection,), name="preview-events", daemon=True
        )
        with self.streams_lock:
            self.streams[connection.socket] = thread
        thread.start()
        return True

    def _answer(self, connection: _Connection, request: Request | Response) -> bytes:
        """The whole response to a request (not an event stream), head and body."""
        if isinstance(request, Response):  # a request the server could not read
            return encode(request, send_body=True)
        if not self.preview.allowed_host(request.host):
            response = plain(400, _("Bad Request: unknown Host"))
        else:
            response = self.preview.respond(request.target)
        log.debug(
            "%s %s %s: %d", connection.address, request.method, request.target, response.status
        )
        return encode(response, send_body=request.method == "GET")

    def _stream(self, connection: _Connection) -> None:
        client = connection.socket
        try:
            client.sendall(head(200, STREAM_HEADERS))
            self.preview.stream_events(client.sendall)
        except OSError as e:  # the tab went away, or the server closed the stream
            log.debug("event stream of %s ended: %s", connection.address, e)
        finally:
            with self.streams_lock:
                del self.streams[client]
            client.close()

    def _expire(self, now: float) -> None:
        """Drop the connections that have not sent their head, or taken any of their
        response, for ``REQUEST_TIMEOUT_SECONDS`` (slowloris)."""
        for connection in list(self.connections.values()):
            if now - connection.active > REQUEST_TIMEOUT_SECONDS:
                log.debug("client %s timed out", connection.address)
                self._close(connection)

    def _close(self, connection: _Connection) -> None:
        self._selector.unregister(connection.socket)
        del self.connections[connection.socket]
        connection.socket.close()


READ_SIZE = 65536
MAX_HEAD_BYTES = 65536  # the request line and every header: http.server's limit for a line
SUPPORTED_METHODS = ("GET", "HEAD")
STREAM_HEADERS = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store"}


class Request(NamedTuple):
    """What the preview needs of a request: the method, the target and the Host header."""

    method: str
    target: str
    host: str | None


class _Connection:
    """A client's connection while the loop reads its request and sends the response."""

    __slots__ = ("active", "address", "head", "outgoing", "socket")

    def __init__(self, client: socket.socket, address: object):
        self.socket = client
        self.address = address
        self.head = bytearray()
        self.outgoing: memoryview | None = None  # the part of the response not yet sent
        self.active = time.monotonic()  # accepted, or last took some of its response

    def read(self, chunk: bytes) -> Request | Response | None:
        """Add what arrived; the request (or the error response) once the head is complete.
        Each byte is searched once, however the head arrives (a byte at a time, say)."""
        searched = max(0, len(self.head) - 2)
        self.head += chunk
        end = head_end(self.head, searched)
        if end < 0:
            if len(self.head) <= MAX_HEAD_BYTES:
                return None
            if b"\n" not in self.head:
                return plain(414, _("URI Too Long"))  # the request line alone
            return plain(431, HTTPStatus(431).phrase)
        return parse_head(bytes(self.head[:end]))


def head_end(data: bytes | bytearray, start: int = 0) -> int:
    """Where the head ends (after its blank line, ``\r\n`` or ``\n``), searching from
    ``start``; -1 if it has not arrived yet."""
    ends = [
        at + len(blank) for blank in (b"\n\r\n", b"\n\n") if (at := data.find(blank, start)) >= 0
    ]
    return min(ends) if ends else -1


def parse_head(head: bytes) -> Request | Response:
    """The request a head holds, or the error response it gets (400, 501, 505)."""
    lines = head.decode("latin-1").split("\n")
    words = lines[0].split()
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return plain(400, _("Bad Request"))
    method, target, version = words
    major, dot, minor = version[5:].partition(".")
    if not (dot and major.isdecimal() and minor.isdecimal() and version.isascii()):
        return plain(400, _("Bad Request"))
    if int(major) != 1:
        return plain(505, HTTPStatus(505).phrase)
    if method not in SUPPORTED_METHODS:
        return plain(501, HTTPStatus(501).phrase)
    host = None
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon and name.strip().lower() == "host":
            host = value.strip()
            break  # the first, as http.server took it
    return Request(method, target, host)


def head(status: int, headers: dict[str, str]) -> bytes:
    """The status line and headers of a response, as sent."""
    lines = [
        f"HTTP/1.0 {status} {HTTPStatus(status).phrase}",
        "Server: zhoukou-report",
        f"Date: {formatdate(usegmt=True)}",
        *(f"{name}: {value}" for name, value in headers.items()),
        "\r\n",
    ]
    return "\r\n".join(lines).encode("latin-1")


def encode(response: Response, send_body: bool) -> bytes:
    """A response as sent, in one piece: the head, and the body unless the request was a
    HEAD (its Content-Length is still the body's)."""
    headers = {
        "Content-Type": response.content_type,
        "Content-Length": str(len(response.body)),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        **response.headers,
    }
    return head(response.status, headers) + (response.body if send_body else b"")
