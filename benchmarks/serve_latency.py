"""How long from saving a figure to seeing it: ``zhoukou-report serve`` measured from outside.

    python benchmarks/serve_latency.py [--edits 15] [--mode both|http|browser] [--atomic]

Starts ``zhoukou-report serve`` as a process on a private copy of the real project, then
saves a new value of one figure (``liaison-stations``, shown on highlight-4) again and
again, and measures, for each save:

- http: the time until a poller (a GET every 5 ms) is served the page with the new value;
- browser: with Chromium (the distribution's, through Playwright) showing the page,
  the time until the tab has reloaded by itself and painted the new value (the
  document's first contentful paint, on the same wall clock as the save).

Prints every measurement, the median and the maximum, and the server's own build times.
The target is a median under 150 ms; ``--check`` exits 1 when it is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = Path("content") / "figures.yaml"
FIGURE_ID = "id: liaison-stations"
FIGURE_LINE = "    value: {}\n"  # the first value line after FIGURE_ID
PAGE = "highlight-4.html"
TARGET_MS = 150.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]  # fmt: skip
TIMEOUT = 30.0
POLL_SECONDS = 0.005  # between the poller's requests: polling flat out would slow the build
SERVE = [sys.executable, "-m", "zhoukou_report", "serve"]

# The new document's first contentful paint (or, failing that, the end of its parsing), in
# milliseconds since the epoch.
PAINTED_AT = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return performance.timeOrigin + (paint ? paint.startTime : nav.domContentLoadedEventEnd);
}"""


class Server:
    """``zhoukou-report serve`` in a process; its rebuild times collected as it prints them."""

    def __init__(self, project: Path, tmp: Path):
        env = {**os.environ, "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1"}
        self.process = subprocess.Popen(
            [*SERVE, "--project", str(project), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.url = self._address()
        self.builds_ms: list[float] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _address(self) -> str:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("Serving "):
                return line.split(" at ")[1].split()[0]
        raise SystemExit("serve did not start")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(r"rebuilt \d+ pages in (\d+) ms", line)
            if found:
                self.builds_ms.append(float(found.group(1)))
            elif "error" in line.lower():
                print(f"  server: {line.rstrip()}", file=sys.stderr)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(TIMEOUT)


@contextmanager
def serving() -> Iterator[tuple[Server, Path]]:
    with tempfile.TemporaryDirectory(prefix="serve-latency-") as folder:
        base = Path(folder)
        project = base / "project"
        for name in ("content", "templates"):
            shutil.copytree(ROOT / name, project / name)
        (base / "tmp").mkdir()
        server = Server(project, base / "tmp")
        try:
            yield server, project
        finally:
            server.stop()


def save_value(project: Path, old: int, new: int, atomic: bool) -> None:
    """Save the figure's new value the way an editor does: in place, or by rename."""
    file = project / FIGURES
    text = file.read_text(encoding="utf-8")
    at = text.index(FIGURE_ID)
    head, block = text[:at], text[at:]
    assert block.startswith(f"{FIGURE_ID}\n") and FIGURE_LINE.format(old) in block
    text = head + block.replace(FIGURE_LINE.format(old), FIGURE_LINE.format(new), 1)
    if atomic:
        temporary = file.with_name(file.name + ".saving.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(file)
    else:
        file.write_text(text, encoding="utf-8")


def shows(url: str, value: int) -> bool:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        return f'<data value="{value}">'.encode() in response.read()


def measure_http(
    server: Server, project: Path, edits: int, pause: float, atomic: bool
) -> list[float]:
    url = server.url + PAGE
    start = current_value(project)
    assert shows(url, start)
    results = []
    for old, new in values(start, edits):
        started = time.perf_counter()
        save_value(project, old, new, atomic)
        deadline = started + TIMEOUT
        while not shows(url, new):
            if time.perf_counter() > deadline:
                raise SystemExit(f"value {new} never served")
            time.sleep(POLL_SECONDS)
        results.append((time.perf_counter() - started) * 1000)
        time.sleep(pause)
    return results


def measure_browser(
    server: Server, project: Path, edits: int, pause: float, atomic: bool
) -> list[float]:
    from playwright.sync_api import sync_playwright

    results = []
    start = current_value(project)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server.url + PAGE, wait_until="load")
        page.wait_for_selector(f'data[value="{start}"]', state="attached")
        time.sleep(pause)  # let the event stream connect
        for old, new in values(start, edits):
            saved_at = time.time() * 1000
            save_value(project, old, new, atomic)
            page.wait_for_selector(f'data[value="{new}"]', state="attached", timeout=TIMEOUT * 1000)
            results.append(page.evaluate(PAINTED_AT) - saved_at)
            time.sleep(pause)
        browser.close()
    return results


def current_value(project: Path) -> int:
    text = (project / FIGURES).read_text(encoding="utf-8")
    block = text[text.index(FIGURE_ID) :]
    found = re.search(r"value: (\d+)", block)
    assert found is not None, "liaison-stations has no value"
    return int(found.group(1))


def values(start: int, edits: int) -> Iterator[tuple[int, int]]:
    for step in range(edits):
        yield start + step, start + step + 1


def summary(name: str, results: list[float]) -> str:
    runs = " ".join(f"{r:.0f}" for r in results)
    return (
        f"  {name:<14} median {statistics.median(results):4.0f} ms   max {max(results):4.0f} ms"
        f"   min {min(results):4.0f} ms   ({len(results)} saves: {runs})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=15, help="saves per mode")
    parser.add_argument("--mode", choices=["both", "http", "browser"], default="both")
    parser.add_argument("--pause", type=float, default=0.4, help="seconds between saves")
    parser.add_argument("--atomic", action="store_true", help="save by writing and renaming")
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args()

    modes: dict[str, Callable[..., list[float]]] = {}
    if args.mode in ("both", "http"):
        modes["http poller"] = measure_http
    if args.mode in ("both", "browser"):
        modes["chromium tab"] = measure_browser
    how = "write and rename" if args.atomic else "in place"
    print(f"serve: save -> visible, content/figures.yaml saved {how}, {args.edits} saves each")
    medians = []
    with serving() as (server, project):
        for name, measure in modes.items():
            results = measure(server, project, args.edits, args.pause, args.atomic)
            medians.append(statistics.median(results))
            print(summary(name, results), flush=True)
        if server.builds_ms:
            print(summary("server rebuild", server.builds_ms))
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    met = all(m < TARGET_MS for m in medians)
    print(f"target: median under {TARGET_MS:.0f} ms: {'met' if met else 'MISSED'}")
    if args.check and not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
