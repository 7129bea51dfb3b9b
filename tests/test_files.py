"""files.py: reading text files, Markdown with front matter, files parsed ahead."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhoukou_report import files
from zhoukou_report.errors import ContentError
from zhoukou_report.files import ContentFiles, Kept, parse_markdown, read_text


def test_a_bom_and_crlf_line_endings_are_accepted(tmp_path: Path):
    file = tmp_path / "a.yaml"
    file.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: \xe5\x91\xa8\xe5\x8f\xa3\r\nc: 3\rd: 4\r\n")
    assert read_text(file, "a.yaml") == "a: 1\nb: 周口\nc: 3\nd: 4\n"


def test_text_that_is_not_utf8_is_an_error_at_its_line(tmp_path: Path):
    file = tmp_path / "a.md"
    file.write_bytes("第一行\r\n第二行\r\n".encode() + "周口".encode("gbk") + b"\r\n")
    with pytest.raises(ContentError) as caught:
        read_text(file, "content/zh/a.md")
    assert caught.value.format() == (
        "content/zh/a.md:3: the file is not UTF-8 text (save it as UTF-8 in your editor)"
    )


@pytest.mark.parametrize(("data", "line"), [(b"one\ntwo\x00\n", 2), (b"\n\n\x00", 3)])
def test_a_nul_byte_is_an_error_at_its_line(tmp_path: Path, data: bytes, line: int):
    file = tmp_path / "a.md"
    file.write_bytes(data)
    with pytest.raises(ContentError) as caught:
        read_text(file, "a.md")
    assert caught.value.format() == f"a.md:{line}: the file holds a NUL byte: is it a text file?"


def test_a_file_that_cannot_be_read_is_an_error(tmp_path: Path):
    with pytest.raises(ContentError) as caught:
        read_text(tmp_path, "content/site.yaml")  # a folder, not a file
    assert caught.value.format() == (
        "content/site.yaml: this is a folder, not a file: it is not read "
        "(replace it with a regular file)"
    )


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path):
    os.mkfifo(tmp_path / "site.yaml")
    with pytest.raises(ContentError) as caught:
        read_text(tmp_path / "site.yaml", "content/site.yaml", tmp_path)
    assert caught.value.format() == (
        "content/site.yaml: this is a named pipe (FIFO), not a file: it is not read "
        "(replace it with a regular file)"
    )


def test_a_device_is_refused(tmp_path: Path):
    with pytest.raises(ContentError) as caught:
        read_text(Path("/dev/zero"), "content/site.yaml")
    assert caught.value.format() == (
        "content/site.yaml: this is a device, not a file: it is not read "
        "(replace it with a regular file)"
    )


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 2 * 1024 * 1024)
    (tmp_path / "big.md").write_bytes(b"x" * (3 * 1024 * 1024))
    with pytest.raises(ContentError) as caught:
        read_text(tmp_path / "big.md", "content/zh/big.md", tmp_path)
    assert caught.value.format() == (
        "content/zh/big.md: the file is 3 MB, more than the 2 MB a file may have "
        "(split it, or make it smaller)"
    )


def test_a_file_without_permission_to_read_says_so(tmp_path: Path, monkeypatch):
    (tmp_path / "site.yaml").write_text("a: 1")
    (tmp_path / "site.yaml").chmod(0)
    if os.geteuid() == 0:  # root reads anything: the system's refusal is made here

        def refused(path, *args, **kwargs):
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(files.os, "open", refused)
    with pytest.raises(ContentError) as caught:
        read_text(tmp_path / "site.yaml", "content/site.yaml", tmp_path)
    assert caught.value.format() == (
        "content/site.yaml: cannot read the file: permission denied "
        "(let the account that runs zhoukou-report read it)"
    )


@pytest.mark.parametrize(
    ("link", "rel", "message"),
    [
        ("content/source/report.zh.txt", "content/source/report.zh.txt",
         "content/source/report.zh.txt is a link to {outside}/passwd"),
        ("content/zh", "content/zh/overview.md", "content/zh is a link to {outside}"),
    ],
    ids=["file", "folder-on-the-way"],
)  # fmt: skip
def test_a_link_leading_out_of_the_project_is_refused_naming_it(
    tmp_path: Path, link: str, rel: str, message: str
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0")
    (outside / "overview.md").write_text("secret")
    project = tmp_path / "project"
    (project / link).parent.mkdir(parents=True)
    target = outside / "passwd" if link.endswith(".txt") else outside
    (project / link).symlink_to(target)
    with pytest.raises(ContentError) as caught:
        read_text(project / rel, rel, project)
    assert caught.value.format() == (
        f"{rel}: {message.format(outside=outside)}, outside the project: it is not read "
        "(copy the file into the project instead of linking to it)"
    )


def test_a_link_inside_the_project_is_followed(tmp_path: Path):
    (tmp_path / "content").mkdir()
    (tmp_path / "shared.md").write_text("text")
    (tmp_path / "content" / "a.md").symlink_to(tmp_path / "shared.md")
    assert read_text(tmp_path / "content/a.md", "content/a.md", tmp_path) == "text"


# parse_markdown --------------------------------------------------------------------------


def test_front_matter_lines_count_from_the_line_after_the_dashes():
    doc = parse_markdown("---\ntitle: A\nkeyword: B\n---\n\nBody [[x]]\n", "p.md")
    assert doc.meta.data == {"title": "A", "keyword": "B"}
    assert doc.meta.lines["keyword"] == 3
    assert doc.body == "\nBody [[x]]\n"
    assert doc.body_line == 5
    assert doc.meta.line_of("missing") == 1


def test_a_page_without_front_matter_is_all_body():
    doc = parse_markdown("Just text\n---\nmore\n", "p.md")
    assert doc.meta.data == {}
    assert doc.body == "Just text\n---\nmore\n"
    assert doc.body_line == 1
    # A field it lacks is reported at the first line, where front matter would be.
    missing = doc.meta.error("keyword", "missing")
    assert (missing.path, missing.line, missing.field) == ("p.md", 1, "keyword")
    assert doc.meta.line_of("") == 1


def test_empty_front_matter_is_no_field():
    doc = parse_markdown("---\n---\nBody\n", "p.md")
    assert doc.meta.data == {}
    assert (doc.body, doc.body_line) == ("Body\n", 3)


def test_front_matter_that_is_not_closed_is_an_error():
    with pytest.raises(ContentError) as caught:
        parse_markdown("---\ntitle: A\n\nBody\n", "p.md")
    assert caught.value.format() == (
        'p.md:1: the front matter is not closed (end it with a line holding only "---")'
    )


def test_errors_in_front_matter_count_lines_of_the_whole_file():
    with pytest.raises(ContentError) as caught:
        parse_markdown("---\ntitle: A\ntitle: B\n---\nBody\n", "p.md")
    assert caught.value.format() == (
        'p.md:3: title: the field "title" is given twice (first on line 2) (keep one of them)'
    )
    with pytest.raises(ContentError) as caught:
        parse_markdown("---\ntitle: A\nkeyword: x: y\n---\nBody\n", "p.md")
    assert caught.value.line == 3


def test_a_file_parsed_ahead_is_taken_once_and_its_error_raised(tmp_path: Path):
    (tmp_path / "a.md").write_text("---\nkeyword: x\n---\nBody\n", encoding="utf-8")
    error = ContentError("unreadable", path="b.md")
    files = ContentFiles(tmp_path, {"a.md": "parsed ahead", "b.md": error})
    assert files.parsed("a.md", parse_markdown) == "parsed ahead"
    assert files.parsed("a.md", parse_markdown).body == "Body\n"  # then read from the disk
    with pytest.raises(ContentError) as caught:
        files.parsed("b.md", parse_markdown)
    assert caught.value is error


def test_a_kept_file_is_parsed_again_only_when_its_text_changes(tmp_path: Path):
    """What serve keeps from one build to the next."""
    page = tmp_path / "a.md"
    page.write_text("---\nkeyword: x\n---\nBody\n", encoding="utf-8")
    kept = Kept()
    first = ContentFiles(tmp_path, kept=kept).parsed("a.md", parse_markdown)
    assert ContentFiles(tmp_path, kept=kept).parsed("a.md", parse_markdown) is first
    page.write_text("---\nkeyword: y\n---\nBody\n", encoding="utf-8")
    again = ContentFiles(tmp_path, kept=kept).parsed("a.md", parse_markdown)
    assert again is not first and again.meta.data == {"keyword": "y"}
    page.write_text("---\nkeyword: [\n---\nBody\n", encoding="utf-8")
    with pytest.raises(ContentError):
        ContentFiles(tmp_path, kept=kept).parsed("a.md", parse_markdown)
    assert kept.files["a.md"].parsed is again  # a file that fails to parse is not kept


def test_a_kept_file_not_saved_is_read_again_only_when_its_stat_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The files the watcher did not report saved are not read again while os.stat says
    the same; a saved one always is, and so is one whose stat changed."""
    page = tmp_path / "a.md"
    page.write_text("---\nkeyword: x\n---\nBody\n", encoding="utf-8")
    kept = Kept()
    first = ContentFiles(tmp_path, kept=kept).parsed("a.md", parse_markdown)
    reads: list[str] = []
    real = files.read_text
    monkeypatch.setattr(
        files, "read_text", lambda f, rel, root=None: reads.append(rel) or real(f, rel, root)
    )

    kept.saved = set()
    assert ContentFiles(tmp_path, kept=kept).parsed("a.md", parse_markdown) is first
    assert reads == []
    kept.saved = {"a.md"}
    assert ContentFiles(tmp_path, kept=kept).parsed("a.md", parse_markdown) is first
    assert reads == ["a.md"]
    kept.saved = set()  # not reported, but its size and times changed
    page.write_text("---\nkeyword: yy\n---\nBody\n", encoding="utf-8")
    again = ContentFiles(tmp_path, kept=kept).parsed("a.md", parse_markdown)
    assert reads == ["a.md", "a.md"] and again.meta.data == {"keyword": "yy"}
