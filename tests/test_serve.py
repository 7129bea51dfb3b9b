"""``serve``: pages, live rebuilds, error pages, coalesced builds, path safety, clean stops.

The server runs in-process on a free port; every check is made over a real socket.
Nothing is timed: tests poll with a generous deadline for what must eventually be served.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import edit, tree_hash
from zhoukou_report import serve as serve_module
from zhoukou_report.build import build_site
from zhoukou_report.cli import main
from zhoukou_report.errors import ContentError
from zhoukou_report.httpd import (
    EVENTS_PATH,
    MAX_PATH_CHARS,
    MAX_SEGMENTS,
    SCRIPT_PATH,
    BadPath,
    PreviewHTTPServer,
    error_page,
    folders_of,
    inject_script,
    locate,
    not_found_page,
    split_path,
)
from zhoukou_report.httpd import content_type as httpd_content_type
from zhoukou_report.serve import BuildReport, PreviewServer, is_loopback

DEADLINE = 30.0  # seconds: generous, only reached when something is wrong
SECRET = "SECRET-6f1d2c-do-not-serve"
FIGURE_OLD = "    value: 120\n"  # stations, shown on highlight-1
FIGURE_NEW = "    value: 121\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Helpers ------------------------------------------------------------------------------


def request(port: int, target: str, method: str = "GET", host: str | None = None) -> Response:
    """Send a raw request line (no client-side normalising) and read the whole response."""
    host = host if host is not None else f"127.0.0.1:{port}"
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as sock:
        sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(int(lines[0].split()[1]), headers, body)


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def poll(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


def serves(port: int, target: str, text: str, status: int = 200) -> Callable[[], bool]:
    def check() -> bool:
        response = request(port, target)
        return response.status == status and text in response.text

    return check


class Recorder:
    """Collects build reports from the builder thread."""

    def __init__(self) -> None:
        self.reports: list[BuildReport] = []
        self.lock = threading.Lock()

    def __call__(self, report: BuildReport) -> None:
        with self.lock:
            self.reports.append(report)

    def count(self) -> int:
        with self.lock:
            return len(self.reports)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def preview(project: Path, recorder: Recorder) -> Iterator[PreviewServer]:
    """The full fixture site, served on a free port, without the watcher (builds on request)."""
    with PreviewServer(project, port=0, on_build=recorder, watch=False) as server:
        yield server


@pytest.fixture
def live(project: Path, recorder: Recorder) -> Iterator[PreviewServer]:
    """The full fixture site, served on a free port, watching its files."""
    with PreviewServer(project, port=0, on_build=recorder) as server:
        yield server


# Pages ---------------------------------------------------------------------------------


def test_serves_both_languages_with_the_reload_script(preview: PreviewServer) -> None:
    zh = request(preview.port, "/")
    en = request(preview.port, "/en/")
    assert zh.status == 200 and '<html lang="zh-CN">' in zh.text
    assert en.status == 200 and '<html lang="en">' in en.text
    for page in (zh, en):
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-store"
        tag = f'<script src="{SCRIPT_PATH}" data-version="'
        assert page.text.count(tag) == 1
        assert page.text.index(tag) < page.text.rindex("</body>")


def test_the_served_files_are_those_of_build(preview: PreviewServer, project: Path) -> None:
    out = project.parent / "out"
    build_site(project, out)
    built = {
        file.relative_to(out).as_posix(): file.read_bytes()
        for file in out.rglob("*")
        if file.is_file() and file.name != ".zhoukou-report"
    }
    assert preview.files == built
    assert SCRIPT_PATH.encode() not in built["index.html"]
    for name in ("data/figures.json", "assets/site.css"):  # as they are, to the byte
        assert request(preview.port, f"/{name}").body == built[name]
    served = request(preview.port, "/highlight-1.html").body
    assert served == inject_script((out / "highlight-1.html").read_bytes(), _version(served))


def test_build_never_touches_the_project_build_folder(project: Path, recorder: Recorder) -> None:
    before = tree_hash(project)
    with PreviewServer(project, port=0, on_build=recorder, watch=False) as server:
        assert request(server.port, "/").status == 200
    assert not (project / "build").exists()
    assert tree_hash(project) == before


def test_a_folder_without_slash_redirects(preview: PreviewServer) -> None:
    response = request(preview.port, "/en?x=1")
    assert response.status == 301
    assert response.headers["location"] == "/en/?x=1"


def test_head_sends_headers_only(preview: PreviewServer) -> None:
    get = request(preview.port, "/figures.html")
    head = request(preview.port, "/figures.html", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == str(len(get.body))


def test_the_reload_script_is_served(preview: PreviewServer) -> None:
    script = request(preview.port, SCRIPT_PATH)
    assert script.status == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert b"EventSource" in script.body and EVENTS_PATH.encode() in script.body


@pytest.mark.parametrize(
    ("target", "pages"),
    [
        ("/no-such-page.html", ["404.html"]),
        ("/no/such/folder/", ["404.html"]),
        ("/en/no-such-page.html", ["en/404.html", "404.html"]),
        ("/en/deeper/still", ["en/404.html", "404.html"]),
        ("/.zhoukou-report", ["404.html"]),
    ],
    ids=["zh", "zh-folder", "en", "en-deeper", "build-marker"],
)
def test_unknown_paths_get_the_sites_own_404(
    preview: PreviewServer, target: str, pages: list[str]
) -> None:
    """The nearest 404.html above the path: the English one for en/… if the site has one."""
    assert preview.files is not None
    page = next(preview.files[name] for name in pages if name in preview.files)
    response = request(preview.port, target)
    assert response.status == 404
    assert response.body == inject_script(page, _version(response.body))


@pytest.mark.parametrize(
    ("files", "segments", "page"),
    [
        ({"404.html", "en/404.html"}, ["en", "deeper", "still"], "en/404.html"),
        ({"404.html", "en/404.html"}, ["deeper", "still"], "404.html"),
        ({"404.html", "en/404.html"}, ["en"], "404.html"),
        ({"404.html"}, ["en", "x.html"], "404.html"),
        ({"index.html"}, ["x"], None),
    ],
    ids=["english", "chinese", "the-folder-itself", "no-english-404", "none"],
)
def test_the_nearest_404_page(files: set[str], segments: list[str], page: str | None) -> None:
    assert not_found_page(files, segments) == page


@pytest.mark.parametrize(
    ("segments", "found"),
    [
        ([], ""),
        (["en"], "en/"),
        (["en", "index.html"], "en/index.html"),
        (["en", "nope.html"], None),
        (["nope"], None),
        ([".zhoukou-report"], None),
        (["en", ".hidden"], None),
    ],
    ids=["top", "folder", "file", "missing-file", "missing-folder", "marker", "hidden"],
)
def test_locate(segments: list[str], found: str | None) -> None:
    files = {"index.html", "en/index.html", ".zhoukou-report", "en/.hidden"}
    assert locate(files, folders_of(files), segments) == found


def test_folders_of() -> None:
    assert folders_of(["a.html", "en/b.html", "en/x/y/c.png"]) == {"en", "en/x", "en/x/y"}


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("assets/site.css", "text/css; charset=utf-8"),
        ("extra/data.json", "application/json; charset=utf-8"),
        ("extra/chart.svg", "image/svg+xml; charset=utf-8"),
        ("extra/figures.csv", "text/csv; charset=utf-8"),
        ("extra/sitemap.xml", "application/xml; charset=utf-8"),
        ("extra/app.js", "text/javascript; charset=utf-8"),
        ("extra/UPPER.CSS", "text/css; charset=utf-8"),
        ("extra/blob.bin", "application/octet-stream"),
        ("data/figures.xlsx", XLSX),
    ],
    ids=lambda value: value.rsplit(".", 1)[-1] if "/" in value or "." in value else value,
)
def test_content_types(name: str, content_type: str) -> None:
    assert httpd_content_type(name) == content_type


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("assets/site.css", "text/css; charset=utf-8"),
        ("data/figures.json", "application/json; charset=utf-8"),
        ("data/figures.csv", "text/csv; charset=utf-8"),
        ("data/figures.xlsx", XLSX),
    ],
    ids=["html", "css", "json", "csv", "xlsx"],
)
def test_content_types_served(preview: PreviewServer, name: str, content_type: str) -> None:
    response = request(preview.port, f"/{name}")
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"


def test_concurrent_requests(preview: PreviewServer) -> None:
    stream = socket.create_connection(("127.0.0.1", preview.port), timeout=DEADLINE)
    with stream:
        stream.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        targets = ["/", "/en/", "/figures.html", "/assets/site.css", "/nope"] * 8
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(lambda t: request(preview.port, t).status, targets))
    assert statuses == [200, 200, 200, 200, 404] * 8


# Path safety ---------------------------------------------------------------------------


@pytest.fixture
def planted(preview: PreviewServer, tmp_path: Path) -> Path:
    """Secrets outside the site, beside the project and in the folder a request would
    reach by climbing out of the site."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (preview.project.parent / "secret.txt").write_text(SECRET)
    (preview.project / "secret.txt").write_text(SECRET)
    return outside


def traversal_cases(outside: Path) -> list[str]:
    absolute = (outside / "secret.txt").as_posix()
    return [
        "/../secret.txt",
        "/en/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/en/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/en%2f..%2f..%2fsecret.txt",
        "/%2e%2e%5csecret.txt",
        "/..\\secret.txt",
        "/en\\..\\..\\secret.txt",
        "/%5c..%5c..%5csecret.txt",
        absolute,
        "/" + absolute,
        "//" + absolute.lstrip("/"),
        "/%2f" + absolute.lstrip("/"),
        "/%2F" + absolute.lstrip("/"),
        "/en//../../secret.txt",
        "/index.html%00",
        "/%00/../secret.txt",
        "/secret.txt%00.html",
        "/%c0%ae%c0%ae/secret.txt",
        "/%252e%252e/secret.txt",
        "/link-out.txt",
        "/dir-out/secret.txt",
        "/dir-out/",
        "http://127.0.0.1/../secret.txt",
        "secret.txt",
        "*",
    ]


def test_no_path_leaves_the_site(preview: PreviewServer, planted: Path) -> None:
    for target in traversal_cases(planted):
        response = request(preview.port, target)
        assert response.status in (400, 404), target
        assert SECRET.encode() not in response.body, target


@pytest.mark.parametrize(
    "target",
    ["/../x", "/%2e%2e/x", "/a%2fb", "/a%5cb", "/a\\b", "/a//b", "/a%00", "/%ff", "x", ""],
    ids=[
        "dots",
        "encoded-dots",
        "encoded-slash",
        "encoded-backslash",
        "backslash",
        "double-slash",
        "nul",
        "not-utf8",
        "relative",
        "empty",
    ],
)
def test_split_path_refuses(target: str) -> None:
    with pytest.raises(BadPath):
        split_path(target)


@pytest.mark.parametrize(
    ("target", "segments", "trailing"),
    [
        ("/", [], True),
        ("/en/", ["en"], True),
        ("/en/index.html?v=1#top", ["en", "index.html"], False),
        ("/%E5%91%A8%E5%8F%A3.html", ["周口.html"], False),
        ("/a%20b", ["a b"], False),
    ],
    ids=["root", "folder", "query", "utf8", "space"],
)
def test_split_path_accepts(target: str, segments: list[str], trailing: bool) -> None:
    assert split_path(target) == (segments, trailing)


@pytest.mark.parametrize(
    "target",
    ["/" + "a/" * 2000, "/" + "a/" * (MAX_SEGMENTS + 1), "/" + "x" * (MAX_PATH_CHARS + 1)],
    ids=["2000-segments", "one-segment-too-many", "one-character-too-many"],
)
def test_a_path_longer_than_any_of_the_sites_is_refused_before_it_is_looked_up(
    preview: PreviewServer, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up = []
    monkeypatch.setattr(serve_module, "locate", lambda *args: looked_up.append(args))
    response = request(preview.port, target)
    assert (response.status, response.text) == (414, "414 URI Too Long\n")
    assert looked_up == []


def test_the_longest_path_allowed_is_looked_up(preview: PreviewServer) -> None:
    target = "/" + "a/" * (MAX_SEGMENTS - 1) + "b"
    assert len(split_path(target)[0]) == MAX_SEGMENTS
    assert request(preview.port, target).status == 404


def test_the_listen_backlog_holds_the_connections_of_many_clients(project: Path) -> None:
    """A hundred clients connect while the server is busy (here: not accepting at all);
    each is held in the backlog (socketserver's 5 would leave the seventh waiting)."""
    server = PreviewHTTPServer(("127.0.0.1", 0), preview=None)  # listening, not accepting
    clients = []
    try:
        for _ in range(100):
            clients.append(socket.create_connection(server.server_address, timeout=DEADLINE / 10))
    finally:
        for client in clients:
            client.close()
        server.server_close()
    assert len(clients) == 100


def test_unknown_host_is_refused(preview: PreviewServer) -> None:
    assert request(preview.port, "/", host="attacker.example").status == 400
    assert request(preview.port, "/", host=f"localhost:{preview.port}").status == 200
    assert request(preview.port, "/", host=f"[::1]:{preview.port}").status == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# Live rebuilds ------------------------------------------------------------------------


def test_a_saved_figure_is_served(live: PreviewServer, project: Path, recorder: Recorder) -> None:
    assert '<data value="120">' in request(live.port, "/highlight-1.html").text
    edit(project / "content" / "figures.yaml", FIGURE_OLD, FIGURE_NEW)
    poll(serves(live.port, "/highlight-1.html", '<data value="121">'), "the new value")
    poll(serves(live.port, "/en/highlight-1.html", ' value="121">'), "the new value (en)")
    assert any(r.changed == ["content/figures.yaml"] and r.ok for r in recorder.reports)


@pytest.mark.parametrize("how", ["deleted-and-restored", "replaced-by-a-rename"])
@pytest.mark.parametrize("folder", ["content", "templates"])
def test_the_preview_stays_current_when_a_folder_is_deleted_restored_or_replaced(
    live: PreviewServer, project: Path, tmp_path: Path, how: str, folder: str
) -> None:
    """After ``content/`` or ``templates/`` is deleted and restored, or replaced by a
    rename, saves are still seen: the preview serves them, never the old page with 200."""
    source = project / folder
    if how == "deleted-and-restored":
        saved = tmp_path / "saved"
        shutil.copytree(source, saved)
        shutil.rmtree(source)
        poll(lambda: request(live.port, "/highlight-1.html").status == 500, "the error page")
        shutil.copytree(saved, source)
    else:
        shutil.copytree(source, tmp_path / "copy")
        source.rename(tmp_path / "old")
        (tmp_path / "copy").rename(source)
    poll(serves(live.port, "/highlight-1.html", '<data value="120">'), "the site again")
    if folder == "content":  # a save in the folder that was swapped, and nothing else
        edit(project / "content" / "figures.yaml", FIGURE_OLD, FIGURE_NEW)
        poll(serves(live.port, "/highlight-1.html", '<data value="121">'), "the new value")
    else:
        edit(source / "section.html", "{% block main %}", "{% block main %}<p>edited</p>")
        poll(serves(live.port, "/highlight-1.html", "<p>edited</p>"), "the new template")


def test_a_burst_of_saves_is_one_rebuild(
    live: PreviewServer, project: Path, recorder: Recorder
) -> None:
    """An editor saving several files at once: one batch, so one build (two at most, if
    the machine stalls the writer past the watch step; never one per file)."""
    names = ["content/zh/overview.md", "content/en/overview.md", "content/figures.yaml"]
    before = recorder.count()
    for name in names:
        file = project / name
        file.write_bytes(file.read_bytes())
    poll(
        lambda: set(names) <= {n for r in recorder.reports[before:] for n in r.changed},
        "a build of the saved files",
    )
    live.request_rebuild(["sentinel"])  # queued behind anything still pending
    poll(lambda: recorder.reports[-1].changed == ["sentinel"], "the sentinel build")
    burst = recorder.reports[before:-1]
    assert 1 <= len(burst) <= 2 and all(r.ok for r in burst)
    assert all(set(r.changed) <= set(names) for r in burst)


def test_an_error_page_is_shown_then_the_site_again(
    live: PreviewServer, project: Path, recorder: Recorder
) -> None:
    template = project / "templates" / "broken.html"
    template.write_text("<p>{{ <b>broken }}</p>\n", encoding="utf-8")
    poll(serves(live.port, "/", "The site could not be built", status=500), "the error page")
    # The tab sees the failure as the build ends; its report follows on the builder thread.
    poll(lambda: any(not r.ok for r in recorder.reports), "the failed build's report")
    failed = [r for r in recorder.reports if not r.ok][-1]
    assert failed.changed == ["templates/broken.html"]
    lines = [error.format() for error in failed.errors]
    assert any("templates/broken.html:1:" in line and "<" in line for line in lines)
    page = request(live.port, "/en/highlight-1.html")
    assert page.status == 500
    for line in lines:
        assert f"<code>{html.escape(line)}</code>" in page.text
        assert line not in page.text  # every line is escaped
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert f'<script src="{SCRIPT_PATH}"' in page.text
    assert request(live.port, "/assets/site.css").status == 200  # assets of the last good build

    template.unlink()
    poll(serves(live.port, "/", '<html lang="zh-CN">'), "the site again")
    assert recorder.reports[-1].ok


def test_an_error_in_the_first_build_is_shown(project: Path, recorder: Recorder) -> None:
    edit(project / "content" / "figures.yaml", FIGURE_OLD, '    value: "many"\n')
    with PreviewServer(project, port=0, on_build=recorder, watch=False) as server:
        assert not recorder.reports[0].ok
        for target in ("/", "/en/", "/nope"):
            response = request(server.port, target)
            assert response.status == 500 and "content/figures.yaml:" in response.text
        edit(project / "content" / "figures.yaml", '    value: "many"\n', FIGURE_OLD)
        server.request_rebuild(["content/figures.yaml"])
        poll(serves(server.port, "/highlight-1.html", '<data value="120">'), "the fixed site")


def test_an_unexpected_failure_keeps_the_server_running(
    preview: PreviewServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom <now>")

    monkeypatch.setattr(preview.site, "update", crash)
    report = preview.build(["content/figures.yaml"])
    assert [e.format() for e in report.errors] == [
        "<unknown file>: internal error: RuntimeError: boom <now>"
    ]
    assert "RuntimeError: boom" in caplog.text  # the traceback goes to the terminal
    page = request(preview.port, "/")
    assert page.status == 500 and "boom &lt;now&gt;" in page.text


def test_changes_during_a_build_lead_to_exactly_one_more(
    preview: PreviewServer, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    real = preview.site.update

    def slow(*args: object, **kwargs: object) -> object:
        if not release.is_set():
            entered.set()
            assert release.wait(DEADLINE)
        return real(*args, **kwargs)

    monkeypatch.setattr(preview.site, "update", slow)
    preview.request_rebuild(["content/zh/overview.md"])
    assert entered.wait(DEADLINE)
    for name in ("content/en/overview.md", "content/figures.yaml", "content/en/overview.md"):
        preview.request_rebuild([name])
    release.set()
    poll(lambda: recorder.count() == 3, "the second build")
    preview.request_rebuild(["templates/base.html"])
    poll(lambda: recorder.count() == 4, "the third build")
    assert [r.changed for r in recorder.reports] == [
        [],
        ["content/zh/overview.md"],
        ["content/en/overview.md", "content/figures.yaml"],
        ["templates/base.html"],
    ]


def test_events_announce_each_new_build(preview: PreviewServer) -> None:
    with socket.create_connection(("127.0.0.1", preview.port), timeout=DEADLINE) as stream:
        stream.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        reader = stream.makefile("rb")
        assert reader.readline().startswith(b"HTTP/1.0 200")
        first = _next_event(reader)
        page_version = _version(request(preview.port, "/").body)
        assert first == page_version
        preview.request_rebuild(["content/figures.yaml"])
        second = _next_event(reader)
        assert second != first
        assert _version(request(preview.port, "/").body) == second
        reader.close()


def test_a_client_that_goes_away_is_no_error(
    preview: PreviewServer, caplog: pytest.LogCaptureFixture
) -> None:
    for target in (EVENTS_PATH, "/figures.html"):
        stream = socket.create_connection(("127.0.0.1", preview.port), timeout=DEADLINE)
        stream.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        stream.recv(1)
        stream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        stream.close()  # a reset, mid-response
    preview.request_rebuild(["content/figures.yaml"])  # written to the stream that is gone
    poll(lambda: preview.streams == 0, "the stream to end")
    poll(lambda: preview.builds == 2, "the rebuild")
    assert request(preview.port, "/").status == 200
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_stop_closes_everything(project: Path, recorder: Recorder) -> None:
    server = PreviewServer(project, port=0, on_build=recorder)
    server.start()
    stream = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE)
    stream.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE)
    poll(lambda: server.streams == 1, "the event stream")
    server.stop()
    with stream, idle:
        stream.settimeout(DEADLINE)
        while stream.recv(65536):
            pass  # the server closed the stream
    assert not [t for t in threading.enumerate() if t.name.startswith("zhoukou-report")]


def test_a_connection_accepted_while_stopping_is_closed_without_a_deadlock(
    project: Path, recorder: Recorder
) -> None:
    """A request that arrives as stop begins is refused; refusing it once took the lock twice."""
    server = PreviewServer(project, port=0, on_build=recorder, watch=False)
    server.start()
    assert server._httpd is not None
    ours, theirs = socket.socketpair()
    server._stop.set()  # stopping, as stop() sets it first
    refusing = threading.Thread(
        target=server._httpd.process_request, args=(ours, ("127.0.0.1", 1)), daemon=True
    )
    refusing.start()
    refusing.join(DEADLINE)
    # Stopping needs the same lock: with the thread stuck, stop() would hang too.
    assert not refusing.is_alive(), "process_request hung while stopping"
    server.stop()
    theirs.settimeout(DEADLINE)
    assert theirs.recv(1) == b""  # closed, not answered
    theirs.close()


# Unit pieces ---------------------------------------------------------------------------


def test_inject_script_goes_before_the_last_body_end() -> None:
    page = b"<html><body><p>a</p></BODY></html>"
    tag = b'<script src="/__zhoukou__/reload.js" data-version="v1" async></script>\n'
    assert inject_script(page, "v1") == b"<html><body><p>a</p>" + tag + b"</BODY></html>"
    assert inject_script(b"<p>x</p>", "v").endswith(b"</script>\n")


def test_error_page_escapes_every_line() -> None:
    error = ContentError('<script>alert("x")</script>', path="content/zh/a&b.md", line=3)
    page = error_page([error], "v2").decode()
    assert "<script>alert" not in page
    assert "content/zh/a&amp;b.md:3: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<script src="/__zhoukou__/reload.js" data-version="v2" async></script>' in page


@pytest.mark.parametrize(
    ("report", "line"),
    [
        (BuildReport([], 0.1204, pages=28), "Built 28 pages in 120 ms"),
        (
            BuildReport(["content/figures.yaml"], 0.095, pages=28),
            "content/figures.yaml changed: rebuilt 28 pages in 95 ms",
        ),
        (
            BuildReport(["a", "b", "c", "d"], 0.09, pages=28),
            "a, b and 2 more changed: rebuilt 28 pages in 90 ms",
        ),
        (
            BuildReport(["templates/base.html"], 0.03, errors=[ContentError("x")] * 2),
            "templates/base.html changed: 2 errors, shown in the browser (30 ms)",
        ),
        (
            BuildReport([], 0.03, errors=[ContentError("x")]),
            "Build failed: 1 error, shown in the browser (30 ms)",
        ),
    ],
    ids=["first", "one-file", "many-files", "failed", "first-failed"],
)
def test_report_summary(report: BuildReport, line: str) -> None:
    assert report.summary() == line


# The command, as a process --------------------------------------------------------------


def start_serve(
    project: Path, tmp: Path, *args: str
) -> tuple[subprocess.Popen[str], str, list[str]]:
    """``zhoukou-report serve`` in a process whose temporary folders go to ``tmp``.

    Returns the process, the address it printed and the lines printed before it.
    """
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "zhoukou_report", "serve", "--project", str(project), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # Ctrl-C as a terminal sends it: a test run started in the background (a shell's
        # ``&``) has SIGINT ignored, which its children would inherit.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        if line.startswith("Serving "):
            return process, line.split(" at ")[1].split()[0], lines
        lines.append(line)
    process.kill()
    _, err = process.communicate()
    pytest.fail(f"serve did not start: {err}")


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"]
)
def test_serve_stops_cleanly(project: Path, tmp_path: Path, signum: int) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process, url, before = start_serve(project, tmp, "--port", "0")
    try:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert url == f"http://127.0.0.1:{port}/"
        assert request(port, "/en/").status == 200
        assert list(tmp.iterdir()) == []  # the preview is in memory: nothing written
        process.send_signal(signum)
        _, err = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Stopped." in err
    assert re.fullmatch(r"\d\d:\d\d:\d\d Built \d+ pages in \d+ ms\n", before[-1])
    assert list(tmp.iterdir()) == []


def test_serve_warns_when_not_on_loopback(project: Path, tmp_path: Path) -> None:
    process, url, _ = start_serve(project, tmp_path, "--host", "0.0.0.0", "--port", "0")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=DEADLINE)
    assert url.startswith("http://0.0.0.0:")
    assert "Warning: listening on 0.0.0.0, not on loopback" in err


def test_serve_opens_the_browser_and_stops_on_ctrl_c(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def interrupted(server: PreviewServer) -> None:
        assert request(server.port, "/").status == 200
        raise KeyboardInterrupt

    monkeypatch.setattr("webbrowser.open", opened.append)
    monkeypatch.setattr(PreviewServer, "wait", interrupted)
    terminate = signal.getsignal(signal.SIGTERM)
    result = CliRunner().invoke(main, ["serve", "--project", str(project), "--port", "0", "--open"])
    assert result.exit_code == 0, result.output
    url = re.search(r"^Serving .* at (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)$",
                    result.stdout, re.MULTILINE)  # fmt: skip
    assert url is not None and opened == [url.group(1)]
    assert result.stderr.strip() == "Stopped."
    assert signal.getsignal(signal.SIGTERM) == terminate


def test_serve_refuses_a_missing_project(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--project", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "Invalid value for --project:" in result.stderr
    assert "nope is not a folder" in result.stderr


def test_serve_reports_a_busy_port(project: Path, tmp_path: Path, cli: Callable) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("serve", "--project", str(project), "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        f"Error: cannot serve on 127.0.0.1:{port}: Address already in use"
    )
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------------


def _version(page: bytes) -> str:
    marker = b'data-version="'
    start = page.index(marker) + len(marker)
    return page[start : page.index(b'"', start)].decode()


def _next_event(reader: object) -> str:
    """The data of the next event on an open event stream (comments and retry skipped)."""
    while True:
        line = reader.readline()  # type: ignore[attr-defined]
        if not line:
            pytest.fail("the event stream ended")
        if line.startswith(b"data: "):
            return line[len(b"data: ") :].strip().decode()
