"""The preview server: build into a temporary folder, serve it, rebuild on every save.

``PreviewServer`` holds all of its state on the instance: the folder of the last good
build, the errors of the last failed one, a version that changes with every build, and
the set of changed files still waiting for a build. Three threads share it:

- the HTTP server (one thread per request), which answers from a snapshot of that state;
- the builder, which takes every pending change at once, so changes that arrive while a
  build runs lead to exactly one more build, never a queue of stale ones;
- the watcher (``watch.run_watcher``), which only adds changed paths to the pending set.

Every HTML response gets a ``<script src="/__zhoukou__/reload.js">`` before ``</body>``
as it is served (the built files stay identical to ``build``'s); the script listens to
``/__zhoukou__/events`` (Server-Sent Events) and reloads the tab when the version changes.
Request paths are checked segment by segment before the disk is touched, and the file
found must resolve inside the build folder.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import logging
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

from .build import render_project
from .cache import FileCache
from .errors import BuildFailed, ContentError, OutputRefused, WriteFailed
from .render import SiteRenderer
from .write import write_site

log = logging.getLogger(__name__)

PREFIX = "/__zhoukou__/"
SCRIPT_PATH = PREFIX + "reload.js"
EVENTS_PATH = PREFIX + "events"
KEEPALIVE_SECONDS = 15.0
REQUEST_TIMEOUT_SECONDS = 30.0
WATCH_START_SECONDS = 10.0

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
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>构建失败 · Build failed · zhoukou-report</title>
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
<h1>网站未能生成 · The site could not be built</h1>
<p>{summary}</p>
<ol class="errors">
{items}
</ol>
<p>修改并保存文件后，本页会自动刷新。 · Fix the file and save it: this page reloads by itself.</p>
</main>
</body>
</html>
"""


class BadPath(ValueError):
    """A request path that is malformed or tries to leave the site: answered with 400."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildReport:
    """One build while serving: what changed, how long it took, what went wrong."""

    changed: list[str]
    seconds: float
    pages: int = 0
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One short line: ``content/figures.yaml changed: rebuilt 28 pages in 95 ms``."""
        took = f"{self.seconds * 1000:.0f} ms"
        what = describe_changes(self.changed)
        count = len(self.errors)
        if self.ok:
            result = f"rebuilt {self.pages} pages in {took}"
        else:
            result = f"{count} error{'s' if count != 1 else ''}, shown in the browser ({took})"
        if what:
            return f"{what}: {result}"
        return f"Built {self.pages} pages in {took}" if self.ok else f"Build failed: {result}"


@dataclass(frozen=True)
class _Snapshot:
    root: Path | None  # the folder of the last good build
    version: str
    errors: list[ContentError]  # of the last build, if it failed


def describe_changes(changed: list[str], shown: int = 2) -> str:
    if not changed:
        return ""
    names = ", ".join(changed[:shown])
    more = len(changed) - shown
    return f"{names} and {more} more changed" if more > 0 else f"{names} changed"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# Paths ---------------------------------------------------------------------------------


def split_path(target: str) -> tuple[list[str], bool]:
    """A request target's decoded segments and whether it ends in ``/``; ``BadPath`` if unsafe.

    Each segment is percent-decoded on its own, so ``%2f`` cannot make a new segment; a
    decoded segment may hold no slash, backslash or NUL, and may not be ``.`` or ``..``.
    """
    path = target.partition("?")[0].partition("#")[0]
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


def locate(root: Path, segments: list[str]) -> Path | None:
    """The file or folder those segments name inside ``root`` (symlinks resolved), or None."""
    if any(segment.startswith(".") for segment in segments):
        return None  # hidden files (the build marker) are not part of the site
    base = root.resolve()
    try:
        found = base.joinpath(*segments).resolve()
        if not found.is_relative_to(base) or not found.exists():
            return None
    except (OSError, ValueError):
        return None
    return found


def index_of(folder: Path, root: Path) -> Path | None:
    try:
        page = (folder / "index.html").resolve()
        return page if page.is_relative_to(root.resolve()) and page.is_file() else None
    except OSError:
        return None


def not_found_page(root: Path, segments: list[str]) -> Path | None:
    """The nearest ``404.html`` above a missing path: ``/en/x`` gets ``en/404.html``."""
    for depth in range(len(segments) - 1, -1, -1):
        page = locate(root, [*segments[:depth], "404.html"])
        if page is not None and page.is_file():
            return page
    return None


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), DEFAULT_TYPE)


def inject_script(page: bytes, version: str) -> bytes:
    """The page with the reload script before its last ``</body>`` (or at its end)."""
    tag = f'<script src="{SCRIPT_PATH}" data-version="{html.escape(version)}" async></script>\n'
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + tag.encode()
    return page[:at] + tag.encode() + page[at:]


def error_page(errors: list[ContentError], version: str) -> bytes:
    count = len(errors)
    summary = f"发现 {count} 处错误 · Found {count} error{'s' if count != 1 else ''}:"
    items = "\n".join(f"<li><code>{html.escape(error.format())}</code></li>" for error in errors)
    page = ERROR_PAGE.format(summary=html.escape(summary), items=items)
    return inject_script(page.encode("utf-8"), version)


def plain(status: int, text: str) -> Response:
    return Response(status, f"{status} {text}\n".encode(), "text/plain; charset=utf-8")


# The server ----------------------------------------------------------------------------


class PreviewServer:
    """Build, serve and rebuild one project; use as a context manager or ``start``/``stop``."""

    def __init__(
        self,
        project: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        on_build: Callable[[BuildReport], None] | None = None,
        watch: bool = True,
    ):
        self.project = project.resolve()
        self.host = host
        self.port = port
        self.on_build = on_build or _log_report
        self.watch = watch
        self.renderer = SiteRenderer(self.project, watching=True)
        self.files = FileCache()  # content files parsed, kept while unchanged
        self.builds = 0  # builds started, the first included
        self.streams = 0  # event streams open
        self.folder: Path | None = None  # the temporary folder holding every build
        self._token = secrets.token_hex(4)
        self._state = threading.Condition()
        self._snapshot = _Snapshot(None, f"{self._token}-0", [])
        self._queue = threading.Condition()
        self._pending: set[str] = set()
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._serving = False
        self._threads: list[threading.Thread] = []

    # Lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Listen, build once, then serve, build and watch in background threads."""
        try:
            self._httpd = _HTTPServer((self.host, self.port), self)
            self.port = self._httpd.server_address[1]
            self.folder = Path(tempfile.mkdtemp(prefix="zhoukou-report-serve-"))
            if self.watch:  # before the first build, so that no save goes unseen
                self._spawn("watcher", self._watch)
                if not self._watching.wait(WATCH_START_SECONDS):
                    log.warning("the watcher is slow to start: early saves may be missed")
            self._report(self.build([]))
            httpd = self._httpd
            self._spawn("http", lambda: httpd.serve_forever(poll_interval=0.1))
            self._serving = True
            self._spawn("builder", self._build_loop)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every thread, close every connection and remove the temporary folder."""
        self._stop.set()
        for condition in (self._state, self._queue):
            with condition:
                condition.notify_all()
        if self._httpd is not None:
            if self._serving:
                self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def wait(self) -> None:
        """Block until stopped (Ctrl-C raises ``KeyboardInterrupt`` here)."""
        while not self._stop.wait(1.0):
            pass

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def root(self) -> Path | None:
        """The folder of the build being served (the last one that succeeded)."""
        return self._snapshot.root

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=f"zhoukou-report-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _watch(self) -> None:
        from .watch import run_watcher

        try:
            run_watcher(self.project, self._stop, self.request_rebuild, self._watching)
        except Exception:
            log.exception("watching %s failed: saves are no longer seen", self.project)
        finally:
            self._watching.set()

    # Building -------------------------------------------------------------------------

    def request_rebuild(self, changed: list[str]) -> None:
        """Add changed paths to the next build (thread-safe; never waits for a build)."""
        with self._queue:
            self._pending.update(changed)
            self._queue.notify_all()

    def _build_loop(self) -> None:
        while True:
            with self._queue:
                self._queue.wait_for(lambda: self._pending or self._stop.is_set())
                if self._stop.is_set():
                    return
                changed = sorted(self._pending)
                self._pending.clear()
            self._report(self.build(changed))

    def _report(self, report: BuildReport) -> None:
        try:
            self.on_build(report)
        except Exception:  # the terminal may be gone; the preview goes on
            log.exception("could not report a build")

    def build(self, changed: list[str]) -> BuildReport:
        """Build now, publish the result to every open tab, and say how it went."""
        started = time.perf_counter()
        assert self.folder is not None
        self.builds += 1
        root, errors, warnings, pages = self._snapshot.root, [], [], 0
        try:
            built = render_project(self.project, renderer=self.renderer, cache=self.files)
            warnings = built.warnings
            root = write_site(built.files, self.folder / f"site-{self.builds}", self.project)
            pages = built.pages
        except BuildFailed as failure:
            errors, warnings = failure.errors, failure.warnings
        except (OutputRefused, WriteFailed) as failure:  # e.g. the disk is full
            errors = [ContentError(f"the preview could not be written: {failure}")]
        except Exception as e:
            log.exception("unexpected error while building the preview")
            errors = [ContentError(f"internal error: {type(e).__name__}: {e}")]
        self._publish(_Snapshot(root, f"{self._token}-{self.builds}", errors))
        return BuildReport(changed, time.perf_counter() - started, pages, errors, warnings)

    def _publish(self, snapshot: _Snapshot) -> None:
        with self._state:
            self._snapshot = snapshot
            self._state.notify_all()
        self._prune(keep=snapshot.root)

    def _prune(self, keep: Path | None) -> None:
        """Remove old builds, keeping the one served and the one before (still being read)."""
        assert self.folder is not None
        builds = sorted(
            (p for p in self.folder.glob("site-*") if p != keep),
            key=lambda p: int(p.name.partition("-")[2] or 0),
        )
        for old in builds[:-1]:
            shutil.rmtree(old, ignore_errors=True)

    # Answering ------------------------------------------------------------------------

    def respond(self, target: str) -> Response:
        """The response to a GET of ``target`` (anything but the event stream)."""
        if target.partition("?")[0] == SCRIPT_PATH:
            return Response(200, RELOAD_JS.encode(), CONTENT_TYPES[".js"])
        try:
            segments, trailing = split_path(target)
        except BadPath as e:
            log.debug("refused %r: %s", target, e)
            return plain(400, "Bad Request")
        snapshot = self._snapshot
        found = locate(snapshot.root, segments) if snapshot.root else None
        if found is not None and found.is_dir():
            if not trailing:
                return _redirect(segments, target)
            found = index_of(found, snapshot.root)
        if snapshot.errors and (found is None or found.suffix == ".html"):
            page = error_page(snapshot.errors, snapshot.version)
            return Response(500, page, HTML, {"Content-Security-Policy": ERROR_CSP})
        if found is None or not found.is_file():
            return self._not_found(snapshot, segments)
        return self._file(found, snapshot.version, 200)

    def _file(self, file: Path, version: str, status: int) -> Response:
        try:
            body = file.read_bytes()
        except OSError:
            return plain(404, "Not Found")
        kind = content_type(file)
        if kind == HTML:
            body = inject_script(body, version)
        return Response(status, body, kind)

    def _not_found(self, snapshot: _Snapshot, segments: list[str]) -> Response:
        page = not_found_page(snapshot.root, segments) if snapshot.root else None
        if page is None:
            return plain(404, "Not Found")
        return self._file(page, snapshot.version, 404)

    def allowed_host(self, header: str | None) -> bool:
        """Bound to loopback, only loopback names may be asked for (no DNS rebinding)."""
        if not is_loopback(self.host):
            return True
        if not header:
            return False
        name = header.rsplit(":", 1)[0] if not header.endswith("]") else header
        return is_loopback(name)

    def stream_events(self, send: Callable[[bytes], None]) -> None:
        """Send the current version, then every new one, until the server stops."""
        with self._state:
            self.streams += 1
        try:
            send(b"retry: 1000\n\n")
            seen: str | None = None
            while not self._stop.is_set():
                version = self._snapshot.version
                if version != seen:
                    send(f"data: {version}\n\n".encode())
                    seen = version
                elif not self._wait_for_change(version, KEEPALIVE_SECONDS):
                    send(b": keepalive\n\n")
        finally:
            with self._state:
                self.streams -= 1

    def _wait_for_change(self, seen: str, timeout: float) -> bool:
        """Wait until the version differs from ``seen`` or the server stops; False on timeout."""
        with self._state:
            return self._state.wait_for(
                lambda: self._snapshot.version != seen or self._stop.is_set(), timeout=timeout
            )


def _redirect(segments: list[str], target: str) -> Response:
    query = target.partition("?")[2]
    location = "/" + "/".join(quote(s) for s in segments) + "/" + (f"?{query}" if query else "")
    return Response(301, b"", "text/plain; charset=utf-8", {"Location": location})


def _log_report(report: BuildReport) -> None:
    log.info("%s", report.summary())


# HTTP ----------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    """One thread per request; remembers open connections so ``stop`` can close them."""

    daemon_threads = True
    block_on_close = True

    def __init__(self, address: tuple[str, int], preview: PreviewServer):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

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
        log.exception("error while answering %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
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
            response = plain(400, "Bad Request: unknown Host")
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
