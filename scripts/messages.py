"""Bring the message catalogs up to date with the source, in one step:

    python scripts/messages.py

Extracts every message marked ``_()``, ``ngettext()``, ``N_()`` or ``N_plural()`` from
src/zhoukou_report into a template, merges it into each language's ``.po`` file (new
messages arrive with an empty translation, removed ones are dropped), and compiles the
``.mo`` files the package ships. Then translate the new entries in the ``.po`` file and run
it again. tests/test_i18n.py fails while an entry is untranslated or the catalog is stale.

Needs Babel (in the test extras); the installed tool uses only stdlib gettext.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "zhoukou_report"
LOCALE = PACKAGE / "locale"
DOMAIN = "zhoukou_report"
KEYWORDS = ["_", "ngettext:1,2", "N_", "N_plural:1,2"]
LANGUAGES = ["zh_CN"]


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        template = str(Path(folder) / f"{DOMAIN}.pot")
        keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
        pybabel(
            "extract", "--no-default-keywords", *keywords, "--no-location", "--sort-output",
            "--project", "zhoukou-report", "-o", template, str(PACKAGE),
        )  # fmt: skip
        for language in LANGUAGES:
            po = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            command = "update" if po.exists() else "init"
            extra = ["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else []
            pybabel(
                command, "-D", DOMAIN, "-i", template, "-d", str(LOCALE), "-l", language,
                "--no-wrap", *extra,
            )  # fmt: skip
    pybabel("compile", "-D", DOMAIN, "-d", str(LOCALE), "--statistics")


if __name__ == "__main__":
    main()
