"""The command line: ``build``, ``check`` and ``serve``.

The only place that prints errors and picks exit codes. Heavy modules (pathlib among
them) are imported inside the commands, so that ``--help`` starts as fast as click itself:
the row "--help" of benchmarks/run.py (≤ 1.3× importing click) fails without.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from . import __version__

if TYPE_CHECKING:
    from pathlib import Path

EXIT_CONTENT = 1
EXIT_INTERRUPTED = 130

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="The project folder, holding content/ and templates/.",
)
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
debug_option = click.option("--debug", is_flag=True, help="Show Python tracebacks of failures.")
jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help=(
        "Processes that read the content and render the pages  "
        "[default: 1 for a small site, every core for a large one]"
    ),
)


def _help_width() -> int:
    """The width click gives its help: the terminal's, at most 78 columns. Asked of ``os``
    here because click asks ``shutil``, whose import costs more than the rest of --help."""
    columns = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 80
    return max(min(columns, 80) - 2, 50)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "terminal_width": _help_width()}
)
@click.version_option(__version__, prog_name="zhoukou-report")
def main() -> None:
    """Build the Zhoukou work report microsite in Chinese and English."""


def run() -> None:
    """The installed ``zhoukou-report`` command: ``main``, then a quick exit. The process ends
    there and the system frees its memory at once, so Python's last garbage collection
    need not walk every object first (it costs the row "real site, cold build" of
    benchmarks/run.py 7 % of the import baseline)."""
    import gc

    try:
        main()
    finally:
        gc.freeze()


@main.command()
@project_option
@click.option(
    "--out",
    type=click.Path(),
    default=None,
    help="The output folder  [default: build/ in the project]",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="The address the site is published at, e.g. https://example.org/report/ "
    "(adds sitemap.xml, robots.txt and canonical links; default: base_url in site.yaml).",
)
@jobs_option
@strict_option
@debug_option
def build(
    project: str,
    out: str | None,
    base_url: str | None,
    jobs: int | None,
    strict: bool,
    debug: bool,
) -> None:
    """Build the site into the output folder, replacing the previous build only on success."""
    from pathlib import Path

    from .build import build_site
    from .load import BASE_URL

    if base_url is not None and not BASE_URL.match(base_url):
        raise click.BadParameter("expected an address like https://example.org/report/")
    folder = Path(project)
    output = Path(out) if out is not None else folder / "build"
    summary = _run(
        lambda: build_site(folder, output, strict=strict, base_url=base_url, jobs=jobs), debug
    )
    _print_warnings(summary.warnings)
    for note in summary.notes:
        click.echo(note)
    click.echo(f"Built {summary.pages} pages into {_shown(summary.out)} in {_ms(summary.seconds)}.")


@main.command()
@project_option
@jobs_option
@strict_option
@debug_option
def check(project: str, jobs: int | None, strict: bool, debug: bool) -> None:
    """Run every check of a build, render in memory and check every link; write nothing."""
    from pathlib import Path

    from .build import check_site

    summary = _run(lambda: check_site(Path(project), strict=strict, jobs=jobs), debug)
    _print_warnings(summary.warnings)
    click.echo(f"Checked {summary.pages} pages in {_ms(summary.seconds)}: no errors.")


# serve ---------------------------------------------------------------------------------


@main.command()
@project_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on (0: any free port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in the web browser.")
def serve(project: str, host: str, port: int, open_browser: bool) -> None:
    """Preview the site: build it into a temporary folder, serve it, rebuild on every save.

    Open tabs reload by themselves after each build; errors are shown in the terminal
    and, in place of the site, in the browser. Ctrl-C stops.
    """
    import logging
    from pathlib import Path

    from .serve import PreviewServer, is_loopback

    if not Path(project).is_dir():
        raise click.BadParameter(f"{project} is not a folder", param_hint="--project")
    if not is_loopback(host):
        click.echo(
            f"Warning: listening on {host}, not on loopback: "
            "anyone who can reach this machine can read the preview.",
            err=True,
        )
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # our own line per rebuild
    preview = PreviewServer(Path(project), host, port, on_build=_print_build)
    saved = _stop_on_signals()  # SIGTERM, or the terminal closed: stop as cleanly as on Ctrl-C
    try:
        preview.start()
        click.echo(f"Serving {_shown(preview.project)} at {preview.url} (Ctrl-C to stop)")
        if open_browser:
            _open_browser(preview.url)
        preview.wait()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    except OSError as e:
        click.echo(f"Error: cannot serve on {host}:{port}: {e.strerror or e}", err=True)
        sys.exit(EXIT_CONTENT)
    finally:
        preview.stop()
        _restore_signals(saved)


def _print_build(report) -> None:
    import time

    click.echo(f"{time.strftime('%H:%M:%S')} {report.summary()}", err=not report.ok)
    _print_warnings(report.warnings)
    if report.errors:
        _print_errors(report.errors)


def _open_browser(url: str) -> None:
    import webbrowser

    webbrowser.open(url)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> dict:
    """Make SIGTERM (a CI job cancelled, ``docker stop``) and SIGHUP (the terminal closed)
    stop the command as Ctrl-C does, cleaning up; the handlers they replace, to restore."""
    import signal

    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            saved[number] = signal.signal(number, _interrupt)
    return saved


def _restore_signals(saved: dict) -> None:
    import signal

    for number, handler in saved.items():
        signal.signal(number, handler)


def _run(action, debug: bool):
    """Run a build or check; print any failure as plain words and exit, never a traceback.

    ``--debug`` lets the exception through, so Python shows where it came from.
    """
    from .errors import BuildFailed, ContentError, OutputRefused, WriteFailed

    saved = _stop_on_signals()
    try:
        return action()
    except BuildFailed as failure:
        _print_warnings(failure.warnings)
        _print_errors(failure.errors)
        if debug:
            raise
    except ContentError as error:  # one that escaped its stage: still the editor's to fix
        _print_errors([error])
        if debug:
            raise
    except (OutputRefused, WriteFailed) as failure:
        click.echo(f"Error: {failure}", err=True)
        if isinstance(failure, WriteFailed):
            click.echo("The previous site was left as it was.", err=True)
        if debug:
            raise
    except KeyboardInterrupt:
        click.echo("Interrupted: no half-written site was left behind.", err=True)
        if debug:
            raise
        sys.exit(EXIT_INTERRUPTED)
    except Exception as e:
        if debug:
            raise
        if _interrupted(e):  # the interruption broke the code cleaning up: still one
            click.echo("Interrupted: no half-written site was left behind.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        if isinstance(e, OSError):  # a file or folder the system refused: named, with why
            where = e.filename if e.filename is not None else "a file or folder"
            click.echo(
                f"Error: {where}: {e.strerror or e}. No half-written site was left behind.",
                err=True,
            )
        else:
            click.echo(
                f"Error: an unexpected problem stopped the run ({type(e).__name__}: {e}). "
                "No half-written site was left behind. "
                "Run the command again with --debug to see where it happened, and report it.",
                err=True,
            )
    finally:
        _restore_signals(saved)
    sys.exit(EXIT_CONTENT)


def _interrupted(error: BaseException) -> bool:
    """Whether an error was raised while an interruption (Ctrl-C, SIGTERM) was handled:
    e.g. a process pool interrupted as it started fails to shut down."""
    seen = error.__context__
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__context__
    return False


def _print_errors(errors) -> None:
    count = len(errors)
    click.echo(f"Found {count} error{'s' if count != 1 else ''}; nothing was written:", err=True)
    width = len(str(count))
    for number, error in enumerate(errors, start=1):
        click.echo(f"{number:>{width}}. {error.format()}", err=True)


def _print_warnings(warnings) -> None:
    if not warnings:
        return
    count = len(warnings)
    click.echo(f"{count} warning{'s' if count != 1 else ''}:", err=True)
    for warning in warnings:
        click.echo(f"  warning: {warning.format()}", err=True)


def _shown(path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        return str(path.relative_to(os.getcwd())) + "/"
    except ValueError:
        return str(path) + "/"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"
