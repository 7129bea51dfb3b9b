"""The benchmark suite: whole-process timings against baselines measured in the same run.

    python benchmarks/run.py [--runs 7] [--sizes 100 1000 10000] [--out benchmarks/results.md]

Measures, each as a separate process run several times (median, min, max; and from
``wait4``, the peak memory of the largest process and the CPU time of all of them):

- the import baseline: ``python -c "import jinja2, markdown, yaml, click"``;
- the build of the real site in a cold process: as it is run again (nothing is kept
  between runs but Jinja2's compiled templates, in the cache folder), after a figure is
  corrected, and without even those (``ZHOUKOU_REPORT_NO_CACHE=1``); and ``check``;
- ``zhoukou-report --help`` against ``python -c "import click"``;
- builds of synthetic sites of the same shape at each size (benchmarks/synthetic.py),
  with nothing kept between runs but the output folder (a build links the files that
  did not change from the previous one); at the largest size, also into an empty
  folder, and after a figure is corrected;
- in one warm process, the rebuild ``serve`` does after one figure is edited;
- 200 clients asking ``serve`` for pages at the same moment (benchmarks/serve_clients.py):
  the 99th percentile of each round's request times;
- from saving a file to the new text being served over HTTP by ``zhoukou-report serve``
  (benchmarks/serve_edits.py), a paragraph and a figure edit, for the real site and the
  synthetic sites of 1,000 and 10,000 pages; beside it, where Hugo is installed, ``hugo
  server`` on a Hugo site of the same pages, texts and figures.

A baseline and the commands compared with it take turns, run by run, so that the ratios
hold when the shared machine slows down for a while. Every run uses a cache folder of its
own, made for the benchmark, never the user's.
Before the synthetic builds, it times how long this machine's disk takes to create files,
since a build of thousands of pages spends part of its time doing that, and it varies from
one minute to the next on a shared machine. The CPU time of a build shows how much of
it was the tool's own work (and, above its time, that both cores were used).

Prints a table, checks it against the targets of the project, and writes it as
Markdown (and the raw numbers as JSON beside it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import serve_clients  # noqa: E402
import serve_edits  # noqa: E402
import synthetic  # noqa: E402

PYTHON = sys.executable


@dataclass
class Timing:
    name: str
    runs: list[float]
    peak_mb: float
    pages: int | None = None
    cpu: list[float] | None = None  # user + system seconds of each run, workers included

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def row(self) -> str:
        rate = f"{self.pages / self.median:,.0f}" if self.pages else ""
        pages = f"{self.pages:,}" if self.pages else ""
        peak = f"{self.peak_mb:,.0f}" if self.peak_mb else "–"  # not measured in-process
        cpu = f"{statistics.median(self.cpu) * 1000:,.0f}" if self.cpu else "–"
        return (
            f"| {self.name} | {pages} | {self.median * 1000:,.0f} | {min(self.runs) * 1000:,.0f} "
            f"| {max(self.runs) * 1000:,.0f} | {cpu} | {rate} | {peak} |"
        )


HEADER = [
    "| measurement | pages | median ms | min ms | max ms | CPU ms | pages/s | peak MB |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]


class Run(NamedTuple):
    seconds: float
    peak_mb: float
    cpu: float  # user + system seconds, of the process and the workers it waited for


def run_once(
    command: list[str], env: dict[str, str] | None = None, before: Callable[[], None] = lambda: None
) -> Run:
    """Seconds, peak resident memory (MB) and CPU time of one run of a command, as its own process;
    ``before`` is done first, untimed. Each run starts once the disk has caught up with the
    writes of the one before (``os.sync``, untimed): a run is not charged for flushing the
    thousands of files its predecessor wrote."""
    before()
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{errors}")
    # ru_maxrss is in KB on Linux; wait4 counts the workers the process has waited for.
    return Run(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


class Command(NamedTuple):
    """One row of the table: a command, run as its own process."""

    name: str
    command: list[str]
    pages: int | None = None
    env: dict[str, str] | None = None
    before: Callable[[], None] = lambda: None


def measure_together(commands: dict[str, Command], runs: int) -> dict[str, Timing]:
    """Each command run ``runs`` times, taking turns (A B C A B C …): a baseline and the
    commands compared with it meet the same moments of a shared machine, so that a slow
    minute cannot fall on one of them only."""
    results: dict[str, list[Run]] = {key: [] for key in commands}
    for _ in range(runs):
        for key, row in commands.items():
            results[key].append(run_once(row.command, row.env, row.before))
    timings = {}
    for key, row in commands.items():
        timings[key] = _timing(row.name, results[key], row.pages)
        print(timings[key].row(), flush=True)
    return timings


def _timing(name: str, runs: list[Run], pages: int | None) -> Timing:
    return Timing(
        name, [run.seconds for run in runs], max(run.peak_mb for run in runs), pages,
        [run.cpu for run in runs],
    )  # fmt: skip


def measure(
    name: str,
    command: list[str],
    runs: int,
    pages: int | None = None,
    env: dict[str, str] | None = None,
    before: Callable[[], None] = lambda: None,
) -> Timing:
    timing = _timing(name, [run_once(command, env, before) for _ in range(runs)], pages)
    print(timing.row(), flush=True)
    return timing


def disk_probe(folder: Path, files: int = 2000) -> float:
    """Milliseconds this machine's disk takes, now, to create ``files`` files of 10 KB in
    two folders (as a build writes its pages) and to flush them."""
    probe = folder / "disk-probe"
    data = os.urandom(10_000)
    os.sync()
    started = time.perf_counter()
    for sub in ("a", "b"):
        (probe / sub).mkdir(parents=True)
        for i in range(files // 2):
            (probe / sub / f"{i}.html").write_bytes(data)
    os.sync()
    elapsed = time.perf_counter() - started
    shutil.rmtree(probe)
    os.sync()
    return elapsed * 1000


class FigureEditor:
    """Corrects the first figure of a project, to a new value each time it is called."""

    VALUE = re.compile(r"^(\s+value: )(\d+)$", re.M)

    def __init__(self, figures: Path):
        self.file = figures
        self.text = figures.read_text(encoding="utf-8")
        self.edits = 0
        self.first = self.VALUE.search(self.text)
        assert self.first is not None, f"no figure value in {figures}"

    def next(self) -> None:
        self.edits += 1
        value = int(self.first.group(2)) + self.edits
        start, end = self.first.span(2)
        self.file.write_text(f"{self.text[:start]}{value}{self.text[end:]}", encoding="utf-8")


def count_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def measure_serve_rebuild(runs: int, work: Path, env: dict[str, str]) -> Timing:
    """The rebuild serve does after one figure edit, in a warm process (no import cost)."""
    project = work / "serve-project"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "templates", project / "templates")
    code = f"""
import json, re, time
from pathlib import Path
from zhoukou_report.serve import PreviewServer
project = Path({str(project)!r})
figures = project / "content" / "figures.yaml"
text = figures.read_text(encoding="utf-8")
first = re.search(r"^  - id: .*\\n    section: (.*)\\n    value: (\\d+)$", text, re.M)
page = "index.html" if first.group(1) == "overview" else first.group(1) + ".html"
times = []
with PreviewServer(project, port=0, on_build=lambda report: None, watch=False) as server:
    for i in range({runs}):
        value = 100000 + i  # the first figure, corrected
        edited = text[: first.start(2)] + str(value) + text[first.end(2) :]
        figures.write_text(edited, encoding="utf-8")
        started = time.perf_counter()
        report = server.build(["content/figures.yaml"])
        times.append(time.perf_counter() - started)
        assert report.ok, report.errors
        html = server.files[page].decode("utf-8")
        assert f'<data value="{{value}}">' in html, "the edit did not reach the page"
print(json.dumps(times))
"""
    result = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, check=False, env=env
    )
    if result.returncode != 0:
        raise SystemExit(f"serve rebuild benchmark failed:\n{result.stderr}")
    timing = Timing("serve: rebuild after a figure edit (warm)", json.loads(result.stdout), 0)
    print(timing.row(), flush=True)
    return timing


EDITS_TARGET_MS = {"real": 100, 1000: 150, 10000: 300}  # save → served, either edit


def measure_serve_edits(
    size: int | str, cli: list[str], project: Path, work: Path, runs: int, env: dict[str, str]
) -> dict[str, Timing]:
    """Save → served by ``serve`` (and by ``hugo server``, where installed), each edit."""
    label = "the real site" if size == "real" else f"{size:,} pages"
    timings = {}
    measured = {"serve": serve_edits.measure_zhoukou(cli, project, runs, env)}
    hugo = serve_edits.measure_hugo(project, work, runs)
    if hugo is None:
        print(f"hugo server, {label}: skipped, hugo is not installed", flush=True)
    else:
        measured["hugo"] = hugo
    for tool, times in measured.items():
        command = "zhoukou-report serve" if tool == "serve" else "hugo server"
        for edit, seconds in times.items():
            name = f"{command}, {label}: save → served, {edit} edit"
            timing = Timing(name, seconds, 0, size if isinstance(size, int) else None)
            timings[f"serve-edits-{tool}-{size}-{edit}"] = timing
            print(timing.row(), flush=True)
    return timings


def measure_serve_clients(runs: int) -> Timing:
    """200 clients asking ``serve`` for pages at once: each run a round, its p99."""
    rounds, _server_cpu, _client_cpu = serve_clients.measure(clients=200, requests=5, rounds=runs)
    failed = sum(result.failed for result in rounds)
    if failed:
        print(f"serve: {failed} requests of 200 clients failed", flush=True)
    p99 = [result.percentile(0.99) / 1000 for result in rounds]
    timing = Timing("serve: 200 clients at once, p99 of a round", p99, 0)
    print(timing.row(), flush=True)
    return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each small measurement")
    parser.add_argument("--large-runs", type=int, default=3, help="runs of the largest size")
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()

    # Compiled bytecode, as pip leaves it when it installs the package: an editable install
    # under PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every run.
    import zhoukou_report

    package = Path(zhoukou_report.__file__).parent
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(package)], check=True)
    script = Path(PYTHON).with_name("zhoukou-report")
    cli = [str(script)] if script.exists() else [PYTHON, "-m", "zhoukou_report"]
    timings: dict[str, Timing] = {}
    print("\n".join(HEADER))
    with tempfile.TemporaryDirectory(prefix="zhoukou-bench-") as tmp:
        work = Path(tmp)
        cached = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}  # compiled templates
        uncached = {**cached, "ZHOUKOU_REPORT_NO_CACHE": "1"}
        project = work / "real-project"  # a copy, so that a figure can be edited
        shutil.copytree(ROOT / "content", project / "content")
        shutil.copytree(ROOT / "templates", project / "templates")
        real_out = work / "real"
        build = [*cli, "build", "--project", str(project), "--out", str(real_out)]
        run_once(build, cached)  # warm the disk, and the cache folder
        pages = count_pages(real_out)
        check = [*cli, "check", "--project", str(project)]
        editor = FigureEditor(project / "content" / "figures.yaml")
        timings |= measure_together(
            {
                "imports": Command(
                    "baseline: import jinja2, markdown, yaml, click",
                    [PYTHON, "-c", "import jinja2, markdown, yaml, click"],
                ),
                "build": Command("build the real site (cold process)", build, pages, cached),
                "build-edited": Command(
                    "build the real site after a figure is corrected (cold process)",
                    build,
                    pages,
                    cached,
                    editor.next,
                ),
                "build-uncached": Command(
                    "build the real site, not even compiled templates kept", build, pages, uncached
                ),
                "check": Command("check the real site", check, pages, cached),
            },
            args.runs,
        )
        timings |= measure_together(
            {
                "click": Command("baseline: import click", [PYTHON, "-c", "import click"]),
                "help": Command("zhoukou-report --help", [*cli, "--help"]),
            },
            args.runs,
        )
        timings["serve"] = measure_serve_rebuild(args.runs, work, cached)
        timings["serve-clients"] = measure_serve_clients(args.runs)
        timings |= measure_serve_edits("real", cli, project, work, args.runs, cached)
        disk = [disk_probe(work)] if args.sizes else []
        for size in args.sizes:
            synthetic_project = synthetic.generate(work / f"synthetic-{size}", size)
            out = work / f"synthetic-{size}-out"
            command = [*cli, "build", "--project", str(synthetic_project), "--out", str(out)]
            run_once(command, uncached)
            runs = args.large_runs if size >= 10000 else args.runs
            pages = count_pages(out)
            name = f"build a synthetic site of {size:,} pages"
            timings[f"synthetic-{size}"] = measure(name, command, runs, pages, uncached)
            if size == max(args.sizes):
                # A first build has no previous files to link; a correction changes some.
                timings[f"synthetic-{size}-empty"] = measure(
                    f"{name}, into an empty folder", command, runs, pages, uncached,
                    before=lambda out=out: shutil.rmtree(out, ignore_errors=True),
                )  # fmt: skip
                editor = FigureEditor(synthetic_project / "content" / "figures.yaml")
                timings[f"synthetic-{size}-edited"] = measure(
                    f"{name}, after a figure is corrected", command, runs, pages, uncached,
                    editor.next,
                )  # fmt: skip
            if size in EDITS_TARGET_MS:
                timings |= measure_serve_edits(size, cli, synthetic_project, work, runs, uncached)
            shutil.rmtree(synthetic_project)
            shutil.rmtree(out)

            disk.append(disk_probe(work))
    notes = [_disk_note(disk)] if disk else []
    checks = targets(timings, args.sizes)
    print()
    for line in notes + checks:
        print(line)
    write_results(args.out, timings, checks, notes)
    print(
        f"\nWritten to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    if any(line.startswith("FAIL") for line in checks):
        sys.exit(1)


def targets(timings: dict[str, Timing], sizes: list[int]) -> list[str]:
    """Each target of the project, met or not, with the numbers it rests on."""
    lines = []

    def check(ok: bool, text: str) -> None:
        lines.append(f"{'PASS' if ok else 'FAIL'}  {text}")

    ratio = timings["build"].median / timings["imports"].median
    check(ratio <= 1.6, f"real-site build / import baseline = {ratio:.2f} (target ≤ 1.6)")
    for name, what in (
        ("build-edited", "after a figure is corrected"),
        ("build-uncached", "without compiled templates kept"),
    ):
        if name in timings:
            ratio = timings[name].median / timings["imports"].median
            lines.append(f"INFO  real-site build {what} / import baseline = {ratio:.2f}")
    ratio = timings["help"].median / timings["click"].median
    check(ratio <= 1.3, f"--help / import click = {ratio:.2f} (target ≤ 1.3)")
    serve = timings["serve"].median * 1000
    check(
        serve <= 50, f"serve rebuild after a figure edit = {serve:.0f} ms median (target ≤ 50 ms)"
    )
    clients = timings["serve-clients"].median * 1000
    check(
        clients < serve_clients.TARGET_MS,
        f"serve, 200 clients at once: p99 {clients:.0f} ms, median of the rounds "
        f"(target < {serve_clients.TARGET_MS:.0f} ms)",
    )
    for size, target in EDITS_TARGET_MS.items():
        for edit in ("paragraph", "figure"):
            ours = timings.get(f"serve-edits-serve-{size}-{edit}")
            if ours is None:
                continue
            ms = ours.median * 1000
            hugo = timings.get(f"serve-edits-hugo-{size}-{edit}")
            beside = (
                f", hugo server {hugo.median * 1000:.0f} ms" if hugo else ", hugo not installed"
            )
            check(ms <= target, f"{ours.name} = {ms:.0f} ms median (target ≤ {target} ms){beside}")
    large = timings.get("synthetic-10000")
    if large:
        check(large.median < 8, f"10,000 pages in {large.median:.1f} s (target < 8 s)")
        # The 8 s were set when this machine imported the baseline in 121 ms: the same time
        # in units of the baseline, for a run on a slower or faster day.
        times = large.median / timings["imports"].median
        lines.append(f"INFO  10,000 pages in {times:.0f}× the import baseline (8 s was 66×)")
        for name, what in (("empty", "into an empty folder"), ("edited", "after a correction")):
            if f"synthetic-10000-{name}" in timings:
                seconds = timings[f"synthetic-10000-{name}"].median
                lines.append(f"INFO  10,000 pages {what} in {seconds:.1f} s")
        check(
            large.peak_mb < 150,
            f"10,000 pages: peak memory {large.peak_mb:.0f} MB (target < 150 MB)",
        )
        medium = timings.get("synthetic-1000")
        if medium:
            growth = large.median / medium.median
            check(growth <= 11, f"1,000 → 10,000 pages: {growth:.1f}× the time (target ≤ 11×)")
    return lines


def _disk_note(probes: list[float]) -> str:
    times = ", ".join(f"{ms:,.0f}" for ms in probes)
    return (
        f"The disk, before the synthetic builds and after each size: creating 2,000 files of "
        f"10 KB and flushing them took {times} ms."
    )


def write_results(
    path: Path, timings: dict[str, Timing], checks: list[str], notes: list[str]
) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        "# Benchmark results",
        "",
        f"Measured by `python benchmarks/run.py` on {machine}. Every row is a whole process",
        "(except the warm serve rebuild), run several times; each baseline takes turns with the",
        "commands compared with it, so the ratios hold on a noisy, shared machine. Nothing is",
        "kept between runs but Jinja2's compiled templates, in a cache folder of the run's own",
        "(and not even those in the row that says so, nor by the synthetic builds); the",
        "synthetic builds keep their output folder, whose unchanged files a build links",
        "instead of writing them again.",
        "",
        "CPU ms is the user and system time of the process and of its workers: above the",
        "median time, both cores were used.",
        "",
        *HEADER,
        *(timing.row() for timing in timings.values()),
        "",
        *(f"{note}\n" for note in notes),
        "## Targets",
        "",
        *(f"- {line}" for line in checks),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    raw = {name: {**asdict(timing), "median": timing.median} for name, timing in timings.items()}
    path.with_suffix(".json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
