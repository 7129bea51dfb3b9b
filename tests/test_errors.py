"""errors.py: one content-error type that keeps its data, and the failure that holds them."""

from __future__ import annotations

import contextlib

import pytest

from zhoukou_report.errors import BuildFailed, ContentError


def test_a_failure_reports_each_error_once_in_file_and_line_order():
    a = ContentError("m", path="b.yaml", line=3)
    b = ContentError("m", path="a.yaml", line=9, field="x")
    c = ContentError("n", path="a.yaml", line=2)
    failure = BuildFailed([a, b, a, c, b], [a, a])
    assert failure.errors == [c, b, a]
    assert failure.warnings == [a]
    assert str(failure) == "3 error(s)"


def test_a_content_error_formats_only_the_parts_it_knows():
    assert ContentError("m").format() == "<unknown file>: m"
    assert ContentError("m", path="p", hint="h").format() == "p: m (h)"
    assert ContentError("m", path="p", line=2, field="f").format() == "p:2: f: m"
    located = ContentError("m", line=5).located("p.md", 1)
    assert (located.path, located.line) == ("p.md", 5)


def test_a_content_error_can_pass_through_a_with_block():
    """contextlib sets ``__traceback__`` on the way out: the error must allow it."""

    @contextlib.contextmanager
    def nothing():
        yield

    error = ContentError("m", path="p")
    with pytest.raises(ContentError) as caught, nothing():
        raise error
    assert caught.value is error
    assert error.with_traceback(None) is error
