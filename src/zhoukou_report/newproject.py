"""A new project's files: ``new`` writes the example content of skeleton/, ``import`` a
report's own (with skeleton/'s site.yaml and strings.yaml). A project needs only
content/: the templates are the packaged theme's unless it has its own templates/.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ContentError
from .i18n import _
from .layout import CONTENT

SKELETON = "skeleton"  # the example project, inside the package


def skeleton_files() -> dict[str, str]:
    """Every file of the example project, by its path in the project."""
    root = resources.files(__package__).joinpath(SKELETON)
    files: dict[str, str] = {}
    folders = [(root, "")]
    while folders:
        folder, prefix = folders.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                folders.append((entry, f"{prefix}{entry.name}/"))
            elif not entry.name.startswith("."):
                files[prefix + entry.name] = entry.read_text(encoding="utf-8")
    return dict(sorted(files.items()))


def skeleton_file(name: str) -> str:
    """One file of the example project (``content/site.yaml``), as text."""
    return resources.files(__package__).joinpath(SKELETON, name).read_text(encoding="utf-8")


def write_project(project: Path, files: dict[str, str]) -> None:
    """Write the files into a project whose content/ does not exist yet or is empty."""
    content = project / CONTENT
    if content.exists() and (not content.is_dir() or any(content.iterdir())):
        raise ContentError(
            _("the project already has content: give a new, empty folder"),
            path=f"{CONTENT}/",
            hint=_("nothing was written"),
        )
    for name, text in files.items():
        target = project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
