"""Whatever an editor types into a content file, the result is a site or clean content errors.

Hypothesis feeds arbitrary text, and small edits of valid files, into each kind of
content file of a copy of the full fixture site (tests/sites/full, never the real
report's content). Every run must end in a successful render or a ``BuildFailed`` whose
errors each name a file of the project and, when they give a line, a line that
exists: never another exception, never a hang.
"""

from __future__ import annotations

import re
import signal
import string
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import copy_site, run_cli
from zhoukou_report.build import assemble_site
from zhoukou_report.errors import BuildFailed, ContentError
from zhoukou_report.render import SiteRenderer

FILES = {  # the full fixture's files, one of each kind
    "site": "content/site.yaml",
    "strings": "content/strings.yaml",
    "figures": "content/figures.yaml",
    "charts": "content/charts.yaml",
    "page": "content/en/highlight-2.md",
    "source": "content/source/report.zh.txt",
}
HANG = 30  # seconds: far beyond any one render; only a real hang reaches it

# Text rich in the characters that mean something to YAML and Markdown.
SYNTAX = string.ascii_letters[:6] + string.digits[:3] + ":-[]{}#&*!|>'\"%@`,?<>/\\=_ \t\n\r"
texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=SYNTAX, max_size=300),
    st.text(
        alphabet=st.sampled_from([*SYNTAX, "周", "口", "\ufeff", "\x00", "\u2028"]), max_size=300
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the full fixture for the module: each example restores what it replaced."""
    return copy_site("full", tmp_path_factory.mktemp("properties") / "project")


@pytest.fixture(scope="module")
def renderer(project: Path) -> SiteRenderer:
    """One renderer for every example, as ``serve`` keeps one between builds."""
    return SiteRenderer(project)


@contextmanager
def replaced(file: Path, data: bytes) -> Iterator[None]:
    """The file holds ``data`` inside the block, and its own bytes again after it."""
    original = file.read_bytes()
    file.write_bytes(data)
    try:
        yield
    finally:
        file.write_bytes(original)


@contextmanager
def hang_guard() -> Iterator[None]:
    """A TimeoutError if the block runs for HANG seconds."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"no result after {HANG} s: a hang")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(HANG)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_site_or_content_errors(project: Path, renderer: SiteRenderer) -> None:
    """Stages 1 to 4 end in a site, or in content errors that each point into the project."""
    try:
        with hang_guard():
            assemble_site(project, renderer=renderer)
    except BuildFailed as failure:
        assert failure.errors, "a failure without errors"
        for error in failure.errors:
            assert_points_into_the_project(error, project)


def assert_points_into_the_project(error: ContentError, project: Path) -> None:
    """One line of text naming a file of the project and, if it gives one, a line of it."""
    assert isinstance(error, ContentError)
    assert error.message.strip()
    text = error.format()
    assert "\n" not in text and "\r" not in text, text  # one numbered line per error
    assert error.path, text
    assert error.path.split("/")[0] in ("content", "templates", "build"), text
    if error.line is not None and error.path.split("/")[0] != "build":
        file = project / error.path
        assert file.is_file(), text
        lines = file.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n")
        assert 1 <= error.line <= lines + 1, text


RUN = settings(
    max_examples=8,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize("kind", FILES, ids=list(FILES))
@RUN
@given(text=texts)
def test_arbitrary_text_in_a_content_file(project: Path, renderer: SiteRenderer, kind, text):
    """Any text at all in place of a whole file."""
    with replaced(project / FILES[kind], text.encode("utf-8")):
        assert_site_or_content_errors(project, renderer)


@pytest.mark.parametrize("kind", FILES, ids=list(FILES))
@RUN
@given(data=st.data())
def test_a_small_edit_of_a_valid_content_file(project: Path, renderer: SiteRenderer, kind, data):
    """Text inserted, deleted or replaced somewhere in the fixture's file: near-valid content."""
    file = project / FILES[kind]
    original = file.read_text(encoding="utf-8")
    start = data.draw(st.integers(0, len(original)), label="start")
    end = data.draw(st.integers(start, min(len(original), start + 40)), label="end")
    edited = original[:start] + data.draw(texts, label="inserted") + original[end:]
    with replaced(file, edited.encode("utf-8")):
        assert_site_or_content_errors(project, renderer)


YAML_FILES = {kind: rel for kind, rel in FILES.items() if rel.endswith(".yaml")}


@pytest.mark.parametrize("kind", YAML_FILES, ids=list(YAML_FILES))
@RUN
@given(data=st.data())
def test_valid_yaml_holding_the_wrong_things(project: Path, renderer: SiteRenderer, kind, data):
    """One value of the fixture's file, anywhere in its tree, replaced by any other value."""
    file = project / YAML_FILES[kind]
    document = yaml.safe_load(file.read_text(encoding="utf-8"))
    holder, key = document, None
    while True:
        keys = list(holder) if isinstance(holder, dict) else list(range(len(holder)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys), label="key")
        if not isinstance(holder[key], dict | list) or data.draw(st.booleans(), label="stop"):
            break
        holder = holder[key]
    if key is not None:
        holder[key] = data.draw(values, label="value")
    edited = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    with replaced(file, edited.encode("utf-8")):
        assert_site_or_content_errors(project, renderer)


@settings(max_examples=4, deadline=None)
@given(kind=st.sampled_from(sorted(FILES)), text=texts)
def test_arbitrary_text_from_the_command_line(
    tmp_path_factory: pytest.TempPathFactory, kind: str, text: str
):
    """The same, as an editor runs it: status 0 or 1, never a traceback."""
    project = copy_site("full", tmp_path_factory.mktemp("cli") / "project")
    (project / FILES[kind]).write_bytes(text.encode("utf-8"))
    result = run_cli("check", "--project", str(project), timeout=HANG)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    if result.returncode == 1:
        assert re.search(r"^Found \d+ errors?; nothing was written:$", result.stderr, re.M)
