"""The preview's HTTP server (httpd.py's ``PreviewHTTPServer``) on its own, before a stand-in
preview that answers from memory: requests however they arrive, many clients at once, slow
clients that hold up nobody and are dropped, malformed requests, failures of the preview.

Every check is made over a real socket. Nothing is timed: a deadline only ends a test that
has already failed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from zhoukou_report import httpd
from zhoukou_report.httpd import (
    EVENTS_PATH,
    MAX_HEAD_BYTES,
    PreviewHTTPServer,
    Request,
    Response,
    encode,
    head_end,
    parse_head,
)

DEADLINE = 30.0  # seconds: generous, only reached when something is wrong
PAGE = b"<!doctype html><p>page</p>"


class StandIn:
    """A preview that answers from memory, as serve's answers from its last build."""

    def __init__(self) -> None:
        self.stopping = False
        self.files = {"/": PAGE, "/big.bin": b"x" * (16 << 20)}
        self.stream_ended = threading.Event()
        self.stream_stop = threading.Event()

    def allowed_host(self, header: str | None) -> bool:
        return header is not None and header.startswith("127.0.0.1")

    def respond(self, target: str) -> Response:
        if target == "/fail":
            raise RuntimeError("a mistake of the preview's")
        if target not in self.files:
            return Response(404, b"404 Not Found\n", "text/plain; charset=utf-8")
        return Response(200, self.files[target])

    def stream_events(self, send: Callable[[bytes], None]) -> None:
        try:
            send(b"data: v1\n\n")
            self.stream_stop.wait(DEADLINE)
        finally:
            self.stream_ended.set()


@pytest.fixture
def preview() -> StandIn:
    return StandIn()


@pytest.fixture
def server(preview: StandIn) -> Iterator[PreviewHTTPServer]:
    httpd_server = PreviewHTTPServer(("127.0.0.1", 0), preview)
    thread = threading.Thread(target=httpd_server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield httpd_server
    finally:
        preview.stopping = True
        preview.stream_stop.set()
        httpd_server.shutdown()
        httpd_server.close_connections()
        httpd_server.server_close()
        thread.join(DEADLINE)


def connect(server: PreviewHTTPServer) -> socket.socket:
    return socket.create_connection(server.server_address, timeout=DEADLINE)


def read_all(client: socket.socket) -> bytes:
    data = b""
    while chunk := client.recv(65536):
        data += chunk
    return data


def ask(server: PreviewHTTPServer, raw: bytes) -> bytes:
    with connect(server) as client:
        client.sendall(raw)
        return read_all(client)


GET = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


# Requests ------------------------------------------------------------------------------


def test_a_page_is_answered_in_http_1_0_with_its_headers_and_body(server: PreviewHTTPServer):
    answer = ask(server, GET)
    top, _, body = answer.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.0 200 OK"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Length"] == str(len(PAGE))
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Server"] == "zhoukou-report"
    assert headers["Date"].endswith(" GMT")
    assert body == PAGE


def test_a_head_sent_a_byte_at_a_time_is_answered(server: PreviewHTTPServer):
    with connect(server) as client:
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in GET:
            client.send(bytes([byte]))
            time.sleep(0.001)  # each byte its own segment, mostly
        answer = read_all(client)
    assert status(answer) == 200 and answer.endswith(PAGE)


def test_lines_ending_in_lf_alone_are_read(server: PreviewHTTPServer):
    assert status(ask(server, b"GET / HTTP/1.0\nHost: 127.0.0.1\n\n")) == 200


def test_head_answers_the_headers_only(server: PreviewHTTPServer):
    answer = ask(server, b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert answer.endswith(b"\r\n\r\n")
    assert f"Content-Length: {len(PAGE)}\r\n".encode() in answer


def test_an_unknown_host_is_refused(server: PreviewHTTPServer):
    assert status(ask(server, b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n")) == 400
    assert status(ask(server, b"GET / HTTP/1.1\r\n\r\n")) == 400  # none at all


def test_the_event_stream_is_refused_to_an_unknown_host(
    server: PreviewHTTPServer, preview: StandIn
):
    raw = f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: evil.example\r\n\r\n".encode()
    assert status(ask(server, raw)) == 400
    assert not server.streams and not preview.stream_ended.is_set()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", Request("GET", "/", "a")),
        (b"HEAD /x?y HTTP/1.0\r\n\r\n", Request("HEAD", "/x?y", None)),
        (b"GET / HTTP/1.1\r\nhOsT:  b:8000 \r\nHost: c\r\n\r\n", Request("GET", "/", "b:8000")),
        (b"GET / HTTP/1.1\nX-Host: d\nHost: e\n\n", Request("GET", "/", "e")),
        (b"GET /\xe5 HTTP/1.1\r\n\r\n", Request("GET", "/\xe5", None)),
    ],
    ids=["plain", "head-no-host", "first-host-any-case", "lf-only", "latin-1"],
)
def test_parse_head_reads_what_the_preview_needs(raw: bytes, expected: Request):
    assert parse_head(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\r\n\r\n", 400),
        (b"GET /\r\n\r\n", 400),
        (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
        (b"GET / FTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/1\r\n\r\n", 400),
        (b"GET / HTTP/x.y\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"POST / HTTP/1.1\r\n\r\n", 501),
        (b"get / HTTP/1.1\r\n\r\n", 501),
    ],
    ids=["empty", "no-version", "four-words", "not-http", "no-minor", "letters", "http-2",
         "post", "lowercase-method"],
)  # fmt: skip
def test_a_malformed_request_gets_its_error(server: PreviewHTTPServer, raw: bytes, code: int):
    response = parse_head(raw)
    assert isinstance(response, Response) and response.status == code
    assert status(ask(server, raw)) == code


@pytest.mark.parametrize(
    ("raw", "end"),
    [(b"GET / HTTP/1.1\r\nA: b\r\n\r\nrest", 24), (b"GET / HTTP/1.1\n\nrest", 16),
     (b"GET / HTTP/1.1\r\nA: b\r\n", -1)],
    ids=["crlf", "lf", "not-yet"],
)  # fmt: skip
def test_head_end(raw: bytes, end: int):
    assert head_end(raw) == end


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"GET /" + b"a" * MAX_HEAD_BYTES, 414),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * MAX_HEAD_BYTES, 431),
    ],
    ids=["request-line", "headers"],
)
def test_a_head_longer_than_any_browsers_is_refused(
    server: PreviewHTTPServer, raw: bytes, code: int
):
    with connect(server) as client:
        client.sendall(raw)  # never ends its head: answered all the same
        assert status(read_all(client)) == code


def test_encode_sends_head_and_body_in_one_piece():
    response = Response(301, b"moved", "text/plain", {"Location": "/en/"})
    data = encode(response, send_body=True)
    top, _, body = data.partition(b"\r\n\r\n")
    assert top.startswith(b"HTTP/1.0 301 Moved Permanently\r\n")
    assert b"\r\nLocation: /en/" in top and b"\r\nContent-Length: 5" in top
    assert body == b"moved"
    assert encode(response, send_body=False) == top + b"\r\n\r\n"


# Many clients, slow clients -------------------------------------------------------------


def test_many_clients_at_once_are_all_answered(server: PreviewHTTPServer):
    """300 connections open at the same moment (more than the listen backlog of 256)."""
    clients = [connect(server) for _ in range(300)]
    try:
        for client in clients:
            client.sendall(GET)
        answers = [read_all(client) for client in clients]
    finally:
        for client in clients:
            client.close()
    assert [status(answer) for answer in answers] == [200] * 300
    assert all(answer.endswith(PAGE) for answer in answers)


def test_slow_clients_hold_up_nobody(server: PreviewHTTPServer):
    """Clients that send half a head, or stop reading a large answer, do not keep others
    waiting; each of them is answered in full when it goes on."""
    halves = [connect(server) for _ in range(50)]
    readers = [connect(server) for _ in range(5)]
    try:
        for client in halves:
            client.sendall(GET[:10])
        for client in readers:
            client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert client.recv(1) == b"H"  # then nothing more is read for now
        for _ in range(20):
            assert status(ask(server, GET)) == 200
        halves[0].sendall(GET[10:])
        assert read_all(halves[0]).endswith(PAGE)
        answer = read_all(readers[0])
        assert len(answer.partition(b"\r\n\r\n")[2]) == 16 << 20
    finally:
        for client in halves + readers:
            client.close()


def test_an_event_stream_holds_up_nobody(server: PreviewHTTPServer, preview: StandIn):
    with connect(server) as stream:
        stream.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        received = b""
        while b"data: v1" not in received:
            received += stream.recv(65536)
        assert received.startswith(b"HTTP/1.0 200 OK\r\n")
        assert b"Content-Type: text/event-stream; charset=utf-8\r\n" in received
        assert status(ask(server, GET)) == 200
        assert len(server.streams) == 1
        preview.stream_stop.set()  # the preview ends the stream: the server closes it
        assert read_all(stream) == b""
    assert preview.stream_ended.is_set()


@pytest.mark.parametrize("how", ["silent", "a-byte-at-a-time"])
def test_a_client_that_never_finishes_its_head_is_dropped(
    server: PreviewHTTPServer, monkeypatch: pytest.MonkeyPatch, how: str
):
    """Slowloris: a head not complete within the timeout loses its connection, even if
    its bytes keep coming."""
    monkeypatch.setattr(httpd, "REQUEST_TIMEOUT_SECONDS", 0.3)
    with connect(server) as client:
        client.sendall(b"GET / HTTP/1.1\r\n")
        closed = False
        for _ in range(int(DEADLINE / 0.05)):
            if how == "a-byte-at-a-time":
                try:
                    client.send(b"X")
                except OSError:  # reset: the server closed it
                    closed = True
                    break
            client.settimeout(0.05)
            try:
                if client.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
    assert closed, "the server kept the connection"
    assert status(ask(server, GET)) == 200


def test_a_client_that_stops_reading_its_answer_is_dropped(
    server: PreviewHTTPServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(httpd, "REQUEST_TIMEOUT_SECONDS", 0.3)
    with connect(server) as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        deadline = time.monotonic() + DEADLINE
        while server.connections and time.monotonic() < deadline:
            time.sleep(0.05)  # reading nothing
        assert not server.connections, "the server kept the connection"
    assert status(ask(server, GET)) == 200


def test_a_failure_of_the_preview_costs_one_request(
    server: PreviewHTTPServer, caplog: pytest.LogCaptureFixture
):
    assert ask(server, b"GET /fail HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") == b""
    assert "RuntimeError: a mistake of the preview's" in caplog.text
    assert status(ask(server, GET)) == 200


def test_a_client_that_goes_away_unanswered_is_forgotten(server: PreviewHTTPServer):
    for _ in range(10):
        connect(server).close()
    with connect(server) as client:
        client.sendall(GET[:5])
        deadline = time.monotonic() + DEADLINE
        while len(server.connections) != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(server.connections) == 1  # only the one still open
