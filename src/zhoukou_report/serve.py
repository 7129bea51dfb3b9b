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
What is answered to a request (paths, files, the reload script, the error page) is in
httpd.py.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .build import assemble_site
from .errors import BuildFailed, ContentError, OutputRefused, WriteFailed
from .files import Kept
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
    index_of,
    inject_script,
    locate,
    not_found_page,
    plain,
    redirect,
    split_path,
)
from .i18n import _, ngettext
from .render import SiteRenderer
from .write import write_site

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


@dataclass(frozen=True)
class _Snapshot:
    """What the preview serves: the last good build, and the errors of the last one."""

    root: Path | None  # the folder of the last good build
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
        self.renderer = SiteRenderer(self.project, watching=True)
        self.parsed: Kept = {}  # each content file as parsed, while its text stays the same
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
            self.folder = Path(tempfile.mkdtemp(prefix="zhoukou-report-serve-"))
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
        assert self.folder is not None
        self.builds += 1
        root, errors, warnings, pages = self._snapshot.root, [], [], 0
        try:
            built = assemble_site(
                self.project, jobs=1, renderer=self.renderer, previous=root, kept=self.parsed
            )
            warnings = built.warnings
            root = write_site(
                built.files(), self.folder / f"site-{self.builds}", self.project, previous=root
            )  # the files that have not changed are linked from the build now served
            pages = len(built.pages)
        except BuildFailed as failure:
            errors, warnings = failure.errors, failure.warnings
        except (OutputRefused, WriteFailed) as failure:  # e.g. the disk is full
            errors = [
                ContentError(_("the preview could not be written: {reason}").format(reason=failure))
            ]
        except Exception as e:
            log.exception(_("unexpected error while building the preview"))
            errors = [
                ContentError(
                    _("internal error: {problem}").format(problem=f"{type(e).__name__}: {e}")
                )
            ]
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
        except PathTooLong as e:
            log.debug("refused a path of %d characters: %s", len(target), e)
            return plain(414, _("URI Too Long"))
        except BadPath as e:
            log.debug("refused %r: %s", target, e)
            return plain(400, _("Bad Request"))
        snapshot = self._snapshot
        found = locate(snapshot.root, segments) if snapshot.root else None
        if found is not None and found.is_dir():
            if not trailing:
                return redirect(segments, target)
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
            return plain(404, _("Not Found"))
        kind = content_type(file)
        if kind == HTML:
            body = inject_script(body, version)
        return Response(status, body, kind)

    def _not_found(self, snapshot: _Snapshot, segments: list[str]) -> Response:
        page = not_found_page(snapshot.root, segments) if snapshot.root else None
        if page is None:
            return plain(404, _("Not Found"))
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


def _log_report(report: BuildReport) -> None:
    log.info("%s", report.summary())
