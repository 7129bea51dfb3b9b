"""The tool's own words in the editor's language: stdlib gettext, with the catalogs in
``locale/`` (``locale/zh_CN/LC_MESSAGES/zhoukou_report.po``, compiled to ``.mo``).

The language follows gettext's conventions: ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
``LANG`` (``zh_CN.UTF-8`` gives Chinese, ``C`` English); ``ZHOUKOU_REPORT_LANG=zh|en`` or
the ``--lang`` option overrides them. Click translates its own messages ("Usage:",
"No such option") through stdlib gettext's global domain, so ``use_catalog`` makes that
domain this package's: the catalog holds click's messages too (``CLICK_MESSAGES``).

Messages are translated when they are made (a ``ContentError`` holds its message in the
editor's language); field paths, file names and YAML keys stay as they are.
``python scripts/messages.py`` extracts, updates and compiles the catalog after a message
is added or changed.
"""

from __future__ import annotations

import gettext as _gettext
import os
import sys

DOMAIN = "zhoukou_report"
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")
LANG_VARIABLE = "ZHOUKOU_REPORT_LANG"
# The languages of the option and variable, as gettext's LANGUAGE names them.
LANGUAGES = {"zh": "zh_CN", "en": "en"}
_ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _(message: str) -> str:
    """``message`` in the editor's language."""
    return _translation().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form of a message, in the editor's language."""
    return _translation().ngettext(singular, plural, count)


def language_tag() -> str:
    """The language of the messages as an HTML ``lang`` tag: ``zh-CN``, or ``en``."""
    return _translation().info().get("language", "en").replace("_", "-")


def N_(message: str) -> str:
    """Marks a message for the catalog, translated later where it is shown (help texts)."""
    return message


def _translation() -> _gettext.NullTranslations:
    # gettext reads the environment and looks for the catalog's file on every call (a
    # millisecond: reading figures.yaml asks thousands of times at 10,000 pages, serve's
    # rows of benchmarks/run.py fail without): the catalog found is kept for the values
    # of the variables that chose it, so a changed environment is always followed.
    chosen = tuple(os.environ.get(name) for name in _ENVIRONMENT)
    found = _found.get(chosen)
    if found is None:
        found = _found[chosen] = _gettext.translation(DOMAIN, LOCALE_DIR, fallback=True)
    return found


_found: dict[tuple[str | None, ...], _gettext.NullTranslations] = {}


def use_catalog(language: str | None = None) -> str | None:
    """Make this package's catalog gettext's global domain (click's messages follow it) and
    apply an explicit ``language`` (``zh`` or ``en``, else ``ZHOUKOU_REPORT_LANG``) by
    setting ``LANGUAGE``, which gettext reads first (and worker processes inherit).
    Returns the previous ``LANGUAGE``, for ``restore``."""
    _gettext.bindtextdomain(DOMAIN, LOCALE_DIR)
    _gettext.textdomain(DOMAIN)
    previous = os.environ.get("LANGUAGE")
    language = language or os.environ.get(LANG_VARIABLE, "").strip().lower() or None
    if language in LANGUAGES:
        os.environ["LANGUAGE"] = LANGUAGES[language]
    elif sys.platform == "win32" and not any(os.environ.get(name) for name in _ENVIRONMENT):
        windows = _windows_language()
        if windows:
            os.environ["LANGUAGE"] = windows
    return previous


def restore(previous: str | None) -> None:
    """``LANGUAGE`` as it was before ``use_catalog``."""
    if previous is None:
        os.environ.pop("LANGUAGE", None)
    else:
        os.environ["LANGUAGE"] = previous


def _windows_language() -> str | None:
    """Windows sets none of the variables: its display language, e.g. ``zh_CN``."""
    import ctypes
    import locale

    try:
        code = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return None
    return locale.windows_locale.get(code)


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with a plural form for the catalog (click's, looked up by click)."""
    return singular, plural


# Click's own messages that editors meet, so that the catalog holds them (click looks them
# up in gettext's global domain; tests/test_i18n.py checks that click still uses each).
CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("%(prog)s, version %(version)s"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Missing command."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("default: {default}"),
    N_("required"),
    N_("Aborted!"),
    N_plural("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    N_plural("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    N_plural(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."
    ),
)
