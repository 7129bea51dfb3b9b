"""The packaged default theme and ``zhoukou-report new``: a project needs only content/.

The repository's templates/ is shipped inside the package (pyproject.toml's force-include);
a project's own templates/ overrides it file by file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from helpers import ROOT, edit, run_cli
from zhoukou_report import render, strings
from zhoukou_report.fields import Problems
from zhoukou_report.render import SiteRenderer
from zhoukou_report.stylesheet import compact_css

THEME = ROOT / "templates"


def _new(folder: Path) -> Path:
    made = run_cli("new", str(folder))
    assert made.returncode == 0, made.stderr
    assert f"Made a new project in {folder}/" in made.stdout
    return folder


def test_new_makes_a_project_of_content_alone_that_builds_with_the_theme(tmp_path):
    project = _new(tmp_path / "report")
    assert sorted(p.name for p in project.iterdir()) == ["content"]
    built = run_cli("build", "--strict", "--project", str(project))
    assert built.returncode == 0, built.stderr
    site = project / "build"
    css = (THEME / "static/site.css").read_text(encoding="utf-8")
    assert (site / "assets" / "site.css").read_text(encoding="utf-8") == compact_css(css)
    index = (site / "index.html").read_text(encoding="utf-8")
    # The figure in the text, with its measure word in one piece.
    assert '<span class="num"><data value="6">6</data><span class="unit">次</span></span>' in index
    assert (site / "en" / "index.html").is_file()
    again = run_cli("new", str(project))
    assert again.returncode == 1
    assert "content/: the project already has content: give a new, empty folder" in again.stderr


def _share_image(page: Path) -> tuple[str, str, str]:
    html = page.read_text(encoding="utf-8")
    tags = {name: re.search(rf'<meta property="og:image{name}" content="([^"]*)"', html)
            for name in ("", ":width", ":height")}  # fmt: skip
    assert all(tags.values()), html[:2000]
    return tags[""].group(1), tags[":width"].group(1), tags[":height"].group(1)


def test_the_theme_s_share_image_is_the_default_and_a_project_s_own_replaces_it(tmp_path):
    """Found as templates are: the project's templates/static/share.png, else the theme's."""
    project = _new(tmp_path / "report")
    assert run_cli("build", "--project", str(project)).returncode == 0
    site = project / "build"
    assert _share_image(site / "index.html") == ("assets/share.png", "1200", "630")
    theme_png = (THEME / "static" / "share.png").read_bytes()
    assert (site / "assets" / "share.png").read_bytes() == theme_png
    own = project / "templates" / "static"
    own.mkdir(parents=True)
    (own / "share.png").write_bytes(theme_png[:16] + (600).to_bytes(4, "big") * 2 + theme_png[24:])
    assert run_cli("build", "--project", str(project)).returncode == 0
    assert _share_image(site / "en" / "index.html") == ("../assets/share.png", "600", "600")


def test_a_project_template_or_static_file_overrides_the_theme_file_by_file(tmp_path):
    project = _new(tmp_path / "report")
    own = project / "templates"
    (own / "static").mkdir(parents=True)
    source = (THEME / "source.html").read_text(encoding="utf-8")
    (own / "source.html").write_text(
        source.replace("{% block main %}", "{% block main %}<!-- own -->"), "utf-8"
    )
    (own / "static" / "site.css").write_text("/* own */\nbody { color: teal; }\n", "utf-8")
    (own / "static" / "logo.svg").write_text("<svg/>\n", encoding="utf-8")
    built = run_cli("build", "--project", str(project))
    assert built.returncode == 0, built.stderr
    site = project / "build"
    assert "<!-- own -->" in (site / "source.html").read_text(encoding="utf-8")
    assert "<!-- own -->" not in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "assets" / "site.css").read_text(encoding="utf-8") == "body{color:teal}"
    assert (site / "assets" / "logo.svg").is_file()
    # The 404 page carries the stylesheet inline: the project's too.
    assert "<style>body{color:teal}</style>" in (site / "404.html").read_text(encoding="utf-8")


def test_the_theme_s_strings_are_checked_and_kept_with_its_compiled_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    project = _new(tmp_path / "report")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = SiteRenderer(project).load_templates(Problems())
    assert first["nav_source"].path == str(render.default_theme() / "base.html")
    looked: list[object] = []
    real = strings.found_uses
    monkeypatch.setattr(render, "found_uses", lambda tree: looked.append(tree) or real(tree))
    again = SiteRenderer(project).load_templates(Problems())
    assert looked == []  # every template came from the bytecode cache, with its uses
    assert {n: (u.path, u.line) for n, u in again.items()} == {
        n: (u.path, u.line) for n, u in first.items()
    }
    edit(project / "content" / "strings.yaml", "nav_source: ", "nav_sources: ")
    checked = run_cli("check", "--project", str(project))
    assert checked.returncode == 1
    line = first["nav_source"].line
    assert (
        f'{render.default_theme() / "base.html"}:{line}: t.nav_source: there is no "nav_source"'
        in checked.stderr
    )


def test_the_installed_wheel_alone_makes_and_builds_a_project(tmp_path):
    """The wheel, installed into a fresh virtual environment, away from this checkout.

    Its dependencies are this environment's (a .pth file), so that the test needs no
    network; the package itself comes from the wheel only."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(wheels)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = wheels.glob("zhoukou_report-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    # The dependencies (jinja2, …) from this environment; not its zhoukou_report, which is
    # an editable install whose own .pth file a path added this way does not run.
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    empty = tmp_path / "elsewhere"
    empty.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "ZHOUKOU_REPORT_NO_CACHE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.run(
            [python, "-m", "zhoukou_report", *args],
            cwd=empty, capture_output=True, text=True, env=env,
        )  # fmt: skip

    where = subprocess.run(
        [python, "-c", "import zhoukou_report; print(zhoukou_report.__file__)"],
        capture_output=True, text=True, cwd=empty, check=True,
    ).stdout  # fmt: skip
    assert Path(where).is_relative_to(venv)
    assert run("new", "report").returncode == 0
    built = run("build", "--strict", "--project", "report")
    assert built.returncode == 0, built.stderr
    css = (empty / "report" / "build" / "assets" / "site.css").read_text(encoding="utf-8")
    assert css == compact_css((THEME / "static" / "site.css").read_text(encoding="utf-8"))
