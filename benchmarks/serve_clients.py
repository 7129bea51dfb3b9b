"""200 readers of the preview at once: ``zhoukou-report serve`` measured from outside.

    python benchmarks/serve_clients.py [--clients 200] [--requests 5] [--rounds 5] [--check]

Starts ``zhoukou-report serve`` as a process on a private copy of the real project, on
127.0.0.1 only, then, in each round, opens ``--clients`` connections at the same moment,
each asking in turn for ``--requests`` pages and files of the site (a new connection for
each request, as the preview answers HTTP/1.0). Each request is timed from the start of
its connection to the last byte of its answer; a request that fails or takes longer than
``TIMEOUT`` seconds counts as failed.

Prints, per round, the median, 99th percentile and maximum, and the failures; then the
median of the rounds' 99th percentiles, the figure the target is set on (p99 < 100 ms).
``--check`` exits 1 when it is missed or a request failed. The loops are bounded (rounds
× clients × requests) and nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
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


async def fetch(port: int, target: str) -> float | None:
    """One request on a connection of its own: its time in ms, or None if it failed."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(TIMEOUT):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            head = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            writer.write(f"{head}Connection: close\r\n\r\n".encode())
            await writer.drain()
            answer = await reader.read()  # to the end: the server closes the connection
            writer.close()
            await writer.wait_closed()
    except (OSError, TimeoutError):
        return None
    if not answer.startswith((b"HTTP/1.0 200", b"HTTP/1.0 404", b"HTTP/1.1 200", b"HTTP/1.1 404")):
        return None
    return (time.perf_counter() - started) * 1000


async def client(port: int, first: int, requests: int, start: asyncio.Event) -> list[float | None]:
    await start.wait()
    return [await fetch(port, TARGETS[(first + i) % len(TARGETS)]) for i in range(requests)]


async def one_round(port: int, clients: int, requests: int) -> Round:
    start = asyncio.Event()
    tasks = [asyncio.create_task(client(port, n, requests, start)) for n in range(clients)]
    await asyncio.sleep(0.05)  # every client waiting on the start
    start.set()
    results = [time for task in tasks for time in await task]
    return Round([t for t in results if t is not None], sum(t is None for t in results))


def start_serve(project: Path, tmp: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [*SERVE, "--project", str(project), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Serving "):
            url = line.split(" at ")[1].split()[0]
            return process, int(url.rstrip("/").rsplit(":", 1)[1])
    raise SystemExit("serve did not start")


def measure(clients: int, requests: int, rounds: int) -> list[Round]:
    """The rounds, against a preview of a private copy of the real project."""
    with tempfile.TemporaryDirectory(prefix="zhoukou-clients-") as tmp:
        work = Path(tmp)
        project = work / "project"
        for name in ("content", "templates"):
            shutil.copytree(ROOT / name, project / name)
        process, port = start_serve(project, work)
        try:
            asyncio.run(one_round(port, min(clients, 20), 1))  # warm: pages read once
            return [asyncio.run(one_round(port, clients, requests)) for _ in range(rounds)]
        finally:
            process.terminate()
            process.communicate(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=5, help="per client and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args()
    rounds = measure(args.clients, args.requests, args.rounds)
    for number, result in enumerate(rounds, start=1):
        print(result.line(number))
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
