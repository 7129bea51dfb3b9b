"""The preview server: build the site in memory, serve it, rebuild what changed on every save.

``PreviewServer`` holds all of its state on the instance: the files of the last good
build (incremental.py keeps the site between builds and rebuilds only what a save
changed), the errors of the last failed one, a version that changes with every build, and
the set of changed files still waiting for a build. Three threads share it:

- the HTTP server (one thread with a selector for every connection, and a thread for each
  event stream), which answers from a snapshot of that state;
- the builder, which takes every pending change at once, so changes that arrive while a
  build runs lead to exactly one more build, never a queue of stale ones;
- the watcher (``watch.run_watcher``), which only adds changed paths to the pending set.

Every HTML response gets a ``<script src="/__zhoukou__/reload.js">`` before ``</body>``
as it is served, once per build and page (the built files stay identical to ``build``'s);
the script listens to ``/__zhoukou__/events`` (Server-Sent Events) and reloads the tab when
the version changes.
What is answered to a request (paths, files, the reload script, the error page) is in
httpd.py.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildFailed, ContentError
from .httpd import (
    CONTENT_TYPES,
    ERROR_CSP,
    HTML,
    RELOAD_JS,
    SCRIPT_PATH,
    BadPath,
    PathTooLong,
    PreviewHTTPServer,
    Response,
    content_type,
    error_page,
    inject_script,
    locate,
    not_found_page,
    plain,
    redirect,
    split_path,
)
from .i18n import _, ngettext
from .incremental import IncrementalSite

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15.0
WATCH_START_SECONDS = 10.0


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
            result = ngettext(
                "rebuilt {pages} page in {time}", "rebuilt {pages} pages in {time}", self.pages
            ).format(pages=self.pages, time=took)
        else:
            result = ngettext(
                "{count} error, shown in the browser ({time})",
                "{count} errors, shown in the browser ({time})",
                count,
            ).format(count=count, time=took)
        if what:
            return _("{changes}: {result}").format(changes=what, result=result)
        if self.ok:
            return ngettext(
                "Built {pages} page in {time}", "Built {pages} pages in {time}", self.pages
            ).format(pages=self.pages, time=took)
        return _("Build failed: {result}").format(result=result)


class _Served:
    """The files of a good build, as served: each HTML page with the reload script of the
    build's ``version``, made when the page is first asked for and kept with the build."""

    def __init__(self, files: Mapping[str, bytes], folders: Collection[str], version: str):
        self.files = files
        self.folders = folders
        self.version = version
        self._ready: dict[str, bytes] = {}  # path -> the page with the script

    def body(self, path: str) -> bytes:
        ready = self._ready.get(path)
        if ready is None:  # two threads may make it at once: the same bytes
            ready = self.files[path]
            if content_type(path) == HTML:
                ready = inject_script(ready, self.version)
            self._ready[path] = ready
        return ready


@dataclass(frozen=True)
class _Snapshot:
    """What the preview serves: the last good build, and the errors of the last one."""

    served: _Served | None  # the last good build
    version: str
    errors: list[ContentError]  # of the last build, if it failed


def describe_changes(changed: list[str], shown: int = 2) -> str:
    if not changed:
        return ""
    names = ", ".join(changed[:shown])
    more = len(changed) - shown
    if more > 0:
        return _("{files} and {count} more changed").format(files=names, count=more)
    return _("{files} changed").format(files=names)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
        self.site = IncrementalSite(self.project)
        self.builds = 0  # builds started, the first included
        self.streams = 0  # event streams open
        self._token = secrets.token_hex(4)
        self._state = threading.Condition()
        self._snapshot = _Snapshot(None, f"{self._token}-0", [])
        self._queue = threading.Condition()
        self._pending: set[str] = set()
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._httpd: PreviewHTTPServer | None = None
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
            self._httpd = PreviewHTTPServer((self.host, self.port), self)
            self.port = self._httpd.server_address[1]
            if self.watch:  # before the first build, so that no save goes unseen
                self._spawn("watcher", self._watch)
                if not self._watching.wait(WATCH_START_SECONDS):
                    log.warning(_("the watcher is slow to start: early saves may be missed"))
            self._report(self.build([]))
            httpd = self._httpd
            self._spawn("http", lambda: httpd.serve_forever(poll_interval=0.1))
            self._serving = True
            self._spawn("builder", self._build_loop)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every thread and close every connection."""
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

    def wait(self) -> None:
        """Block until stopped (Ctrl-C raises ``KeyboardInterrupt`` here)."""
        while not self._stop.wait(1.0):
            pass

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def files(self) -> Mapping[str, bytes] | None:
        """The files of the build being served (the last one that succeeded), by output
        path, as ``build`` would write them."""
        served = self._snapshot.served
        return served.files if served is not None else None

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
            log.exception(_("watching %s failed: saves are no longer seen"), self.project)
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
            log.exception(_("could not report a build"))

    def build(self, changed: list[str]) -> BuildReport:
        """Build now, publish the result to every open tab, and say how it went."""
        started = time.perf_counter()
        self.builds += 1
        version = f"{self._token}-{self.builds}"
        served, errors, warnings, pages = self._snapshot.served, [], [], 0
        try:
            output = self.site.update(changed)
            warnings, pages = output.warnings, output.rendered
            served = _Served(output.files, output.folders, version)
        except BuildFailed as failure:
            errors, warnings = failure.errors, failure.warnings
        except Exception as e:
            log.exception(_("unexpected error while building the preview"))
            errors = [
                ContentError(
                    _("internal error: {problem}").format(problem=f"{type(e).__name__}: {e}")
                )
            ]
        self._publish(_Snapshot(served, version, errors))
        return BuildReport(changed, time.perf_counter() - started, pages, errors, warnings)

    def _publish(self, snapshot: _Snapshot) -> None:
        with self._state:  # one reference swapped: a request sees one build or the other
            self._snapshot = snapshot
            self._state.notify_all()

    # Answering ------------------------------------------------------------------------

    def respond(self, target: str) -> Response:
        """The response to a GET of ``target`` (anything but the event stream)."""
        if target.partition("?")[0] == SCRIPT_PATH:
            return Response(200, RELOAD_JS.encode(), CONTENT_TYPES[".js"])
        try:
            segments, trailing = split_path(target)
        except PathTooLong as e:
            log.debug("refused a path of %d characters: %s", len(target), e)
            return plain(414, _("URI Too Long"))
        except BadPath as e:
            log.debug("refused %r: %s", target, e)
            return plain(400, _("Bad Request"))
        snapshot = self._snapshot
        served = snapshot.served
        found = locate(served.files, served.folders, segments) if served else None
        if served is not None and found is not None and (found == "" or found.endswith("/")):
            if not trailing:
                return redirect(segments, target)
            index = f"{found}index.html"
            found = index if index in served.files else None
        if snapshot.errors and (found is None or found.endswith(".html")):
            page = error_page(snapshot.errors, snapshot.version)
            return Response(500, page, HTML, {"Content-Security-Policy": ERROR_CSP})
        if served is None or found is None:
            return self._not_found(served, segments)
        return Response(200, served.body(found), content_type(found))

    def _not_found(self, served: _Served | None, segments: list[str]) -> Response:
        page = not_found_page(served.files, segments) if served else None
        if served is None or page is None:
            return plain(404, _("Not Found"))
        return Response(404, served.body(page), HTML)

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


def _log_report(report: BuildReport) -> None:
    log.info("%s", report.summary())
