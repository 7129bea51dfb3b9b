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

from . import __version__, i18n
from .i18n import N_, _, ngettext

if TYPE_CHECKING:
    from pathlib import Path

EXIT_CONTENT = 1
EXIT_INTERRUPTED = 130


class _TranslatedHelp:
    """``help`` in the editor's language whenever click shows it (the texts are marked with
    ``N_`` where the commands are declared, before the language is known)."""

    _help: str | None = None

    @property
    def help(self) -> str | None:
        return _(self._help) if self._help else self._help

    @help.setter
    def help(self, text: str | None) -> None:
        self._help = text


class Option(_TranslatedHelp, click.Option):
    pass


class PathType(click.Path):
    """click's, naming what it wants (file, directory) in the editor's language in its errors
    (click names it when the command is declared, before the language is known)."""

    _name = "path"

    @property
    def name(self) -> str:  # type: ignore[override]
        return _(self._name)

    @name.setter
    def name(self, value: str) -> None:
        self._name = value


class _TranslatedCommand(_TranslatedHelp):
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # Click makes --help once per command, in the language of that moment.
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _("Show this message and exit.")
        return option


class Command(_TranslatedCommand, click.Command):
    pass


class Group(_TranslatedCommand, click.Group):
    """The ``zhoukou-report`` command: in the editor's language from its first word."""

    command_class = Command

    def main(self, *args, **kwargs):  # type: ignore[override]
        previous = i18n.use_catalog()
        try:
            return super().main(*args, **kwargs)
        finally:
            i18n.restore(previous)


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        i18n.use_catalog(value)


project_option = click.option(
    "--project",
    cls=Option,
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help=N_("The project folder, holding content/ and templates/."),
)
strict_option = click.option(
    "--strict", cls=Option, is_flag=True, help=N_("Treat warnings as errors.")
)
debug_option = click.option(
    "--debug", cls=Option, is_flag=True, help=N_("Show Python tracebacks of failures.")
)
jobs_option = click.option(
    "--jobs",
    cls=Option,
    type=click.IntRange(min=1),
    default=None,
    help=N_(
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
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"], "terminal_width": _help_width()},
    help=N_("Build the Zhoukou work report microsite in Chinese and English."),
)
@click.version_option(
    __version__, prog_name="zhoukou-report", cls=Option, help=N_("Show the version and exit.")
)
@click.option(
    "--lang",
    cls=Option,
    type=click.Choice(sorted(i18n.LANGUAGES)),
    default=None,
    is_eager=True,
    expose_value=False,
    callback=_set_language,
    help=N_(
        "The language of the tool's messages  "
        "[default: ZHOUKOU_REPORT_LANG, else LANGUAGE, LC_ALL, LC_MESSAGES or LANG]"
    ),
)
def main() -> None:
    pass


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


@main.command(
    help=N_("Build the site into the output folder, replacing the previous build only on success.")
)
@project_option
@click.option(
    "--out",
    cls=Option,
    type=click.Path(),
    default=None,
    help=N_("The output folder  [default: build/ in the project]"),
)
@click.option(
    "--base-url",
    cls=Option,
    default=None,
    metavar="URL",
    help=N_(
        "The address the site is published at, e.g. https://example.org/report/ "
        "(adds sitemap.xml, robots.txt and canonical links; default: base_url in site.yaml)."
    ),
)
@jobs_option
@strict_option
@click.option(
    "--verbose",
    "-v",
    cls=Option,
    is_flag=True,
    help=N_("Show every note, also those shown by the previous build."),
)
@debug_option
def build(
    project: str,
    out: str | None,
    base_url: str | None,
    jobs: int | None,
    strict: bool,
    verbose: bool,
    debug: bool,
) -> None:
    from pathlib import Path

    from .build import build_site
    from .load import BASE_URL

    if base_url is not None and not BASE_URL.match(base_url):
        raise click.BadParameter(_("expected an address like https://example.org/report/"))
    folder = Path(project)
    output = Path(out) if out is not None else folder / "build"
    summary = _run(
        lambda: build_site(
            folder, output, strict=strict, base_url=base_url, jobs=jobs, verbose=verbose
        ),
        debug,
    )
    _print_warnings(summary.warnings)
    for note in summary.notes:
        click.echo(note)
    click.echo(
        ngettext(
            "Built {pages} page into {out} in {time}.",
            "Built {pages} pages into {out} in {time}.",
            summary.pages,
        ).format(pages=summary.pages, out=_shown(summary.out), time=_ms(summary.seconds))
    )


@main.command(
    help=N_("Run every check of a build, render in memory and check every link; write nothing.")
)
@project_option
@jobs_option
@strict_option
@debug_option
def check(project: str, jobs: int | None, strict: bool, debug: bool) -> None:
    from pathlib import Path

    from .build import check_site

    summary = _run(lambda: check_site(Path(project), strict=strict, jobs=jobs), debug)
    _print_warnings(summary.warnings)
    click.echo(
        ngettext(
            "Checked {pages} page in {time}: no errors.",
            "Checked {pages} pages in {time}: no errors.",
            summary.pages,
        ).format(pages=summary.pages, time=_ms(summary.seconds))
    )


# import and new ------------------------------------------------------------------------


@main.command(
    "import", help=N_("Make a new project's content from a report's text (UTF-8 or GBK).")
)
@click.argument("text", type=PathType(exists=True, dir_okay=False))
@click.option(
    "--project",
    cls=Option,
    type=click.Path(file_okay=False),
    required=True,
    help=N_("The new project folder: its content/ must not exist yet, or be empty."),
)
@debug_option
def import_command(text: str, project: str, debug: bool) -> None:
    from pathlib import Path

    from .importer import import_report
    from .newproject import write_project

    def run():
        imported = import_report(Path(text).read_bytes(), text)
        write_project(Path(project), imported.files)
        return imported

    imported = _run(run, debug)
    for line in imported.found:
        click.echo(line)
    pages = sum(1 for name in imported.files if name.startswith("content/zh/"))
    folder = _shown(Path(project) / "content")
    click.echo(
        _("Imported {pages} pages and {figures} figures into {folder}").format(
            pages=pages, figures=len(imported.figures), folder=folder
        )
    )
    click.echo(_("The English pages are drafts that hold the Chinese text: translate them."))
    if imported.attention:
        count = len(imported.attention)
        click.echo(_("Things for an editor to look at ({count}):").format(count=count))
        for line in imported.attention:
            click.echo("  " + line)


@main.command(
    help=N_("Make a new project in FOLDER: an example content/ that builds with the default theme.")
)
@click.argument("folder", type=click.Path(file_okay=False))
@debug_option
def new(folder: str, debug: bool) -> None:
    from pathlib import Path

    from .newproject import skeleton_files, write_project

    _run(lambda: write_project(Path(folder), skeleton_files()), debug)
    click.echo(_("Made a new project in {folder}").format(folder=_shown(Path(folder))))
    click.echo(_("Replace the example content/ with the report's, or start from its text with:"))
    click.echo(f"  zhoukou-report import TEXT --project {folder}")
    click.echo(_("The site's look is the default theme; a file in templates/ replaces its own."))


# serve ---------------------------------------------------------------------------------


@main.command(
    help=N_(
        "Preview the site: build it in memory, serve it, rebuild what changed on every save."
        "\n\n"
        "Open tabs reload by themselves after each build; errors are shown in the terminal "
        "and, in place of the site, in the browser. Ctrl-C stops."
    )
)
@project_option
@click.option(
    "--host",
    cls=Option,
    default="127.0.0.1",
    show_default=True,
    help=N_("The address to listen on."),
)
@click.option(
    "--port",
    cls=Option,
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help=N_("The port to listen on (0: any free port)."),
)
@click.option(
    "--open",
    "open_browser",
    cls=Option,
    is_flag=True,
    help=N_("Open the site in the web browser."),
)
def serve(project: str, host: str, port: int, open_browser: bool) -> None:
    import logging
    from pathlib import Path

    from .serve import PreviewServer, is_loopback

    if not Path(project).is_dir():
        raise click.BadParameter(
            _("{project} is not a folder").format(project=project), param_hint="--project"
        )
    if not is_loopback(host):
        click.echo(
            _(
                "Warning: listening on {host}, not on loopback: "
                "anyone who can reach this machine can read the preview."
            ).format(host=host),
            err=True,
        )
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # our own line per rebuild
    preview = PreviewServer(Path(project), host, port, on_build=_print_build)
    saved = _stop_on_signals()  # SIGTERM, or the terminal closed: stop as cleanly as on Ctrl-C
    try:
        preview.start()
        click.echo(
            _("Serving {project} at {url} (Ctrl-C to stop)").format(
                project=_shown(preview.project), url=preview.url
            )
        )
        if open_browser:
            _open_browser(preview.url)
        preview.wait()
    except KeyboardInterrupt:
        click.echo(_("Stopped."), err=True)
    except OSError as e:
        click.echo(
            _("Error: cannot serve on {host}:{port}: {reason}").format(
                host=host, port=port, reason=e.strerror or e
            ),
            err=True,
        )
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
        click.echo(_("Error: {message}").format(message=failure), err=True)
        if isinstance(failure, WriteFailed):
            click.echo(_("The previous site was left as it was."), err=True)
        if debug:
            raise
    except KeyboardInterrupt:
        click.echo(_("Interrupted: no half-written site was left behind."), err=True)
        if debug:
            raise
        sys.exit(EXIT_INTERRUPTED)
    except Exception as e:
        if debug:
            raise
        if _interrupted(e):  # the interruption broke the code cleaning up: still one
            click.echo(_("Interrupted: no half-written site was left behind."), err=True)
            sys.exit(EXIT_INTERRUPTED)
        if isinstance(e, OSError):  # a file or folder the system refused: named, with why
            where = e.filename if e.filename is not None else _("a file or folder")
            click.echo(
                _("Error: {where}: {reason}. No half-written site was left behind.").format(
                    where=where, reason=e.strerror or e
                ),
                err=True,
            )
        else:
            click.echo(
                _(
                    "Error: an unexpected problem stopped the run ({problem}). "
                    "No half-written site was left behind. "
                    "Run the command again with --debug to see where it happened, and report it."
                ).format(problem=f"{type(e).__name__}: {e}"),
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
    message = ngettext(
        "Found {count} error; nothing was written:",
        "Found {count} errors; nothing was written:",
        count,
    )
    click.echo(message.format(count=count), err=True)
    width = len(str(count))
    for number, error in enumerate(errors, start=1):
        click.echo(f"{number:>{width}}. {error.format()}", err=True)


def _print_warnings(warnings) -> None:
    if not warnings:
        return
    count = len(warnings)
    click.echo(
        ngettext("{count} warning:", "{count} warnings:", count).format(count=count), err=True
    )
    for warning in warnings:
        click.echo("  " + _("warning: {message}").format(message=warning.format()), err=True)


def _shown(path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        return str(path.relative_to(os.getcwd())) + "/"
    except ValueError:
        return str(path) + "/"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"
