"""200 readers of the preview at once: ``zhoukou-report serve`` measured from outside.

    python benchmarks/serve_clients.py [--clients 200] [--requests 5] [--rounds 5] [--check]
                                       [--stand-in]

Starts ``zhoukou-report serve`` as a process on a private copy of the real project, on
127.0.0.1 only, then, in each round, opens ``--clients`` connections at the same moment,
each asking in turn for ``--requests`` pages and files of the site (a new connection for
each request, as the preview answers HTTP/1.0). Each request is timed from the start of
its connection to the last byte of its answer; a request that fails or takes longer than
``TIMEOUT`` seconds counts as failed.

The client runs on the same two cores as the server, so it is lean (one thread, a
selector, non-blocking sockets) and says what CPU it took: it measures the server, not
itself. ``--stand-in`` serves the site from memory with the preview's HTTP server and a
stand-in for its ``PreviewServer``: what the HTTP side alone costs.

Prints, per round, the median, 99th percentile and maximum, and the failures; the CPU a
request took the server and the client (Linux); then the median of the rounds' 99th
percentiles, the figure the target is set on (p99 < 100 ms).
``--check`` exits 1 when it is missed or a request failed. The loops are bounded (rounds
× clients × requests) and nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 100.0
TIMEOUT = 10.0  # seconds: a request not answered by then has failed
TARGETS = ["/", "/en/", "/figures.html", "/highlight-1.html", "/en/goal-2.html",
           "/assets/site.css", "/source.html", "/nope.html"]  # fmt: skip
SERVE = [sys.executable, "-m", "zhoukou_report", "serve"]


class Round:
    """The times of one round's requests, in milliseconds, and how many failed."""

    def __init__(self, times: list[float], failed: int):
        self.times = sorted(times)
        self.failed = failed

    def percentile(self, share: float) -> float:
        if not self.times:
            return float("inf")
        return self.times[min(len(self.times) - 1, int(share * len(self.times)))]

    def line(self, number: int) -> str:
        return (
            f"round {number}: {len(self.times)} answered, {self.failed} failed; "
            f"median {statistics.median(self.times):.1f} ms, p99 {self.percentile(0.99):.1f} ms, "
            f"max {self.times[-1]:.1f} ms"
        )


class Fetch:
    """One request on a connection of its own, driven by ``one_round``'s selector."""

    def __init__(self, port: int, client: int, number: int):
        self.client, self.number = client, number
        target = TARGETS[(client + number) % len(TARGETS)]
        self.request = (
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        ).encode()
        self.answer: list[bytes] = []
        self.started = time.perf_counter()
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setblocking(False)
        self.socket.connect_ex(("127.0.0.1", port))

    def close(self) -> None:
        self.socket.close()

    def result(self) -> float | None:
        """The request's time in ms, or None if it failed (answered with neither 200 nor 404)."""
        answer = b"".join(self.answer)
        if not answer.startswith(
            (b"HTTP/1.0 200", b"HTTP/1.0 404", b"HTTP/1.1 200", b"HTTP/1.1 404")
        ):
            return None
        return (time.perf_counter() - self.started) * 1000


def one_round(port: int, clients: int, requests: int) -> Round:
    """``clients`` connections opened at once, each client asking for ``requests`` pages in
    turn. A lean client: one thread, a selector and non-blocking sockets (asyncio's streams
    took 0.5 ms of CPU a request, as much as the server, on the same two cores)."""
    times: list[float] = []
    failed = 0
    selector = selectors.DefaultSelector()
    open_fetches: set[Fetch] = set()

    def begin(client: int, number: int) -> None:
        fetch = Fetch(port, client, number)
        open_fetches.add(fetch)
        selector.register(fetch.socket, selectors.EVENT_WRITE, fetch)

    def end(fetch: Fetch, time_ms: float | None) -> None:
        nonlocal failed
        selector.unregister(fetch.socket)
        fetch.close()
        open_fetches.discard(fetch)
        if time_ms is None:
            failed += 1
        else:
            times.append(time_ms)
        if fetch.number + 1 < requests:
            begin(fetch.client, fetch.number + 1)

    for client in range(clients):
        begin(client, 0)
    while open_fetches:
        for key, events in selector.select(timeout=1.0):
            fetch = key.data
            try:
                if events & selectors.EVENT_WRITE:
                    fetch.socket.send(fetch.request)  # a few bytes: sent whole
                    selector.modify(fetch.socket, selectors.EVENT_READ, fetch)
                    continue
                chunk = fetch.socket.recv(65536)
            except OSError:
                end(fetch, None)
                continue
            if chunk:
                fetch.answer.append(chunk)
            else:  # to the end: the server closes the connection
                end(fetch, fetch.result())
        now = time.perf_counter()
        for fetch in [f for f in open_fetches if now - f.started > TIMEOUT]:
            end(fetch, None)
    selector.close()
    return Round(times, failed)


def start_serve(
    project: Path, tmp: Path, stand_in: bool = False
) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, __file__, "--serve-stand-in"] if stand_in else SERVE
    process = subprocess.Popen(
        [*command, "--project", str(project), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    said = []
    for line in process.stdout:
        if line.startswith("Serving "):
            url = line.split(" at ")[1].split()[0]
            return process, int(url.rstrip("/").rsplit(":", 1)[1])
        said.append(line)
    raise SystemExit("serve did not start:\n" + "".join(said))


def cpu_seconds(pid: int) -> float:
    """The user and system time of a process so far (Linux: /proc; elsewhere 0)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    clients: int, requests: int, rounds: int, stand_in: bool = False
) -> tuple[list[Round], float, float]:
    """The rounds, against a preview of a private copy of the real project; and the CPU
    seconds the server and this client spent on them."""
    with tempfile.TemporaryDirectory(prefix="zhoukou-clients-") as tmp:
        work = Path(tmp)
        project = work / "project"
        for name in ("content", "templates"):
            shutil.copytree(ROOT / name, project / name)
        process, port = start_serve(project, work, stand_in)
        try:
            one_round(port, min(clients, 20), 1)  # warm: pages read once
            server, client = cpu_seconds(process.pid), time.process_time()
            results = [one_round(port, clients, requests) for _ in range(rounds)]
            server, client = cpu_seconds(process.pid) - server, time.process_time() - client
            return results, server, client
        finally:
            process.terminate()
            process.communicate(timeout=30)


class MemoryPreview:
    """A stand-in for serve's ``PreviewServer`` that answers every file from memory: what
    the HTTP layer alone costs (``--stand-in``)."""

    stopping = False

    def __init__(self, files: dict[str, bytes]):
        self.files = files

    def allowed_host(self, header: str | None) -> bool:
        return header is not None and header.startswith("127.0.0.1")

    def respond(self, target: str):  # a Response (httpd is imported where used)
        from zhoukou_report.httpd import Response, content_type, split_path

        segments, trailing = split_path(target)
        path = "/".join([*segments, "index.html"] if trailing else segments)
        body = self.files.get(path)
        if body is None:
            return Response(404, self.files["404.html"])
        return Response(200, body, content_type(Path(path)))

    def stream_events(self, send) -> None:
        send(b"retry: 1000\n\n")


def serve_stand_in(project: Path) -> None:
    """Build the project once, then serve it from memory with the preview's HTTP server."""
    from zhoukou_report.build import build_site
    from zhoukou_report.httpd import PreviewHTTPServer, inject_script

    out = project.parent / "out"
    build_site(project, out)
    files = {}
    for file in out.rglob("*"):
        if file.is_file():
            body = file.read_bytes()
            files[file.relative_to(out).as_posix()] = (
                inject_script(body, "v") if file.suffix == ".html" else body
            )
    server = PreviewHTTPServer(("127.0.0.1", 0), MemoryPreview(files))
    print(f"Serving {project} at http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=5, help="per client and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    parser.add_argument(
        "--stand-in", action="store_true", help="serve from memory: the HTTP layer alone"
    )
    parser.add_argument("--serve-stand-in", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_stand_in:
        serve_stand_in(args.project)
        return
    rounds, server, client = measure(args.clients, args.requests, args.rounds, args.stand_in)
    for number, result in enumerate(rounds, start=1):
        print(result.line(number))
    requests = sum(len(result.times) + result.failed for result in rounds)
    print(
        f"CPU per request: server {server / requests * 1000:.2f} ms, "
        f"this client {client / requests * 1000:.2f} ms"
    )
    p99 = statistics.median(result.percentile(0.99) for result in rounds)
    failed = sum(result.failed for result in rounds)
    ok = p99 < TARGET_MS and failed == 0
    verdict = "PASS" if ok else "FAIL"
    print(
        f"{args.clients} clients at once: p99 {p99:.1f} ms (median of {len(rounds)} rounds), "
        f"{failed} failed: {verdict} (target p99 < {TARGET_MS:.0f} ms, none failed)"
    )
    if args.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
