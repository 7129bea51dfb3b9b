"""From saving a file to the new text being served over HTTP, by ``zhoukou-report serve``
and, on an equivalent site, by ``hugo server`` (where Hugo is installed).

Each run saves one edit, then asks for the page it changes every few milliseconds until
the new text is served; the time from the save to that answer is the run's. Two edits:
a paragraph added to a page, and a figure's value changed in figures.yaml (for Hugo, in
a data file its pages show through a shortcode).

    python benchmarks/serve_edits.py PROJECT [--runs 10]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

POLL_SECONDS = 0.002
DEADLINE_SECONDS = 120.0
REFERENCE = re.compile(r"\[\[([a-z0-9-]+)\]\]")


def _get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_SECONDS)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        return b""
    finally:
        connection.close()


def _served_after(port: int, path: str, text: bytes, save: Callable[[], None]) -> float:
    """Seconds from ``save()`` to ``path`` being served with ``text`` in it."""
    started = time.perf_counter()
    save()
    while text not in _get(port, path):
        if time.perf_counter() - started > DEADLINE_SECONDS:
            raise SystemExit(f"{path} never showed {text!r}")
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started


def _word(number: int, prefix: str = "zq") -> str:
    """A word made of letters only (a number typed into the prose is an error)."""
    return prefix + "".join(chr(ord("a") + int(digit)) for digit in str(number))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(command: list[str], ready: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert process.stdout is not None
    for line in process.stdout:
        if ready in line:
            return process
    raise SystemExit(f"{command[0]} did not start: {process.wait()}")


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


# zhoukou-report serve -------------------------------------------------------------------


def zhoukou_page(project: Path) -> tuple[str, str]:
    """The English page a paragraph is added to: (its Markdown, its path in the site)."""
    return "content/en/highlight-1.md", "/en/highlight-1.html"


def first_figure(text: str) -> re.Match[str]:
    found = re.search(r"^  - id: (.*)\n    section: (.*)\n    value: (\d+)$", text, re.M)
    assert found is not None, "no figure with a whole value"
    return found


def measure_zhoukou(
    cli: list[str], project: Path, runs: int, env: dict[str, str] | None = None
) -> dict[str, list[float]]:
    """``serve``'s times for each edit, on a copy it may edit (``project``)."""
    port = _free_port()
    command = [*cli, "serve", "--project", str(project), "--port", str(port)]
    process = _start(command, "Serving ", env)
    times: dict[str, list[float]] = {"paragraph": [], "figure": []}
    try:
        markdown, page = zhoukou_page(project)
        file = project / markdown
        figures = project / "content" / "figures.yaml"
        text = figures.read_text(encoding="utf-8")
        figure = first_figure(text)
        section = figure.group(2)
        figure_page = "/index.html" if section == "overview" else f"/{section}.html"
        for run in range(runs):
            word = _word(run)

            def add(word: str = word) -> None:
                with file.open("a", encoding="utf-8") as out:
                    out.write(f"\nA paragraph {word}.\n")

            times["paragraph"].append(_served_after(port, page, word.encode(), add))
            value = 100000 + run
            edited = text[: figure.start(3)] + str(value) + text[figure.end(3) :]
            times["figure"].append(
                _served_after(
                    port,
                    figure_page,
                    f'<data value="{value}">'.encode(),
                    lambda edited=edited: figures.write_text(edited, encoding="utf-8"),
                )
            )
    finally:
        _stop(process)
    return times


# hugo server ------------------------------------------------------------------------------


HUGO_CONFIG = """\
baseURL = "http://127.0.0.1/"
title = "Synthetic report"
defaultContentLanguage = "zh"
disableKinds = ["taxonomy", "term", "RSS", "sitemap"]
[languages.zh]
weight = 1
contentDir = "content/zh"
[languages.en]
weight = 2
contentDir = "content/en"
"""
# Each page lists 25 pages, as each of ours lists the 25 sections around it (context.py's
# NEARBY): not every page, which makes a large site's every page grow with it.
HUGO_BASEOF = """\
<!doctype html>
<html lang="{{ .Language.Lang }}"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><nav>{{ range first 25 .Site.RegularPages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
HUGO_SINGLE = '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n'
HUGO_LIST = '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n'
HUGO_FIGURE = (
    '{{ $value := index site.Data.figures (.Get 0) }}<data value="{{ $value }}">{{ $value }}</data>'
)


def hugo_site(project: Path, dest: Path) -> Path:
    """A Hugo site of the same pages, texts and figures as the zhoukou-report ``project``:
    each ``[[id]]`` a shortcode that shows the figure's value from a data file."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "layouts" / "_default").mkdir(parents=True)
    (dest / "layouts" / "shortcodes").mkdir()
    (dest / "data").mkdir()
    (dest / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (dest / "layouts" / "_default" / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (dest / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (dest / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (dest / "layouts" / "shortcodes" / "fig.html").write_text(HUGO_FIGURE, encoding="utf-8")
    figures = yaml.safe_load((project / "content" / "figures.yaml").read_text(encoding="utf-8"))
    values = {figure["id"]: figure["value"] for figure in figures["figures"]}
    (dest / "data" / "figures.yaml").write_text(yaml.safe_dump(values), encoding="utf-8")
    for lang in ("zh", "en"):
        (dest / "content" / lang).mkdir(parents=True)
        for file in sorted((project / "content" / lang).glob("*.md")):
            text = file.read_text(encoding="utf-8")
            body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
            title = re.search(r"^(?:keyword|title): (.*)$", text, re.M)
            name = title.group(1) if title else file.stem
            body = REFERENCE.sub(r'{{< fig "\1" >}}', body)
            page = f'---\ntitle: "{name}"\n---\n{body}'
            (dest / "content" / lang / file.name).write_text(page, encoding="utf-8")
    return dest


def measure_hugo(project: Path, work: Path, runs: int) -> dict[str, list[float]] | None:
    """``hugo server``'s times for each edit on the Hugo site made like ``project``; None
    where Hugo is not installed."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    site = hugo_site(project, work / f"hugo-{project.name}")
    port = _free_port()
    command = [hugo, "server", "--source", str(site), "--port", str(port), "--bind", "127.0.0.1"]
    process = _start([*command, "--disableLiveReload"], "Web Server is available")
    times: dict[str, list[float]] = {"paragraph": [], "figure": []}
    try:
        file = site / "content" / "en" / "highlight-1.md"
        data = site / "data" / "figures.yaml"
        values = yaml.safe_load(data.read_text(encoding="utf-8"))
        figure = first_figure((project / "content" / "figures.yaml").read_text(encoding="utf-8"))
        figure_page = f"/{figure.group(2)}/"  # Hugo's address of the page: /overview/ too
        for run in range(runs):
            word = _word(run, "hg")  # not among the words serve was measured with

            def add(word: str = word) -> None:
                with file.open("a", encoding="utf-8") as out:
                    out.write(f"\nA paragraph {word}.\n")

            times["paragraph"].append(_served_after(port, "/en/highlight-1/", word.encode(), add))
            value = 100000 + run
            edited = yaml.safe_dump({**values, figure.group(1): value})
            times["figure"].append(
                _served_after(
                    port,
                    figure_page,
                    f'<data value="{value}">'.encode(),
                    lambda edited=edited: data.write_text(edited, encoding="utf-8"),
                )
            )
    finally:
        _stop(process)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a project to copy and edit")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--work", type=Path, default=Path("/tmp/serve-edits"))
    parser.add_argument(
        "--without-hugo", action="store_true", help="measure zhoukou-report serve only"
    )
    args = parser.parse_args()
    copy = args.work / "project"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(args.project / "content", copy / "content")
    shutil.copytree(args.project / "templates", copy / "templates")
    cli = [sys.executable, "-m", "zhoukou_report"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for tool, times in (
        ("zhoukou-report serve", measure_zhoukou(cli, copy, args.runs, env)),
        ("hugo server", None if args.without_hugo else measure_hugo(copy, args.work, args.runs)),
    ):
        if times is None:
            print(f"{tool}: {'not measured' if args.without_hugo else 'not installed'}")
            continue
        for edit, seconds in times.items():
            print(f"{tool}, {edit} edit: median {statistics.median(seconds) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
