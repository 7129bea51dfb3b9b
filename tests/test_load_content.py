"""load.py's load_content: site.yaml and its languages, checked field by field, and a large
project read by several processes.

The projects are copies of the fixture sites (tests/sites/full through ``project``,
tests/sites/minimal through ``minimal``); site.yaml's mistakes are written into them.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import os
from pathlib import Path
from typing import ClassVar

import pytest

from helpers import edit, line
from zhoukou_report.errors import BuildFailed
from zhoukou_report.fields import Problems
from zhoukou_report.load import load_content
from zhoukou_report.processes import PARALLEL_FROM, default_jobs

SITE = "content/site.yaml"
SITE_FIELDS = (
    "base_url, date, description, icp_filing, languages, logo, meeting, operator, organiser, "
    "police_filing, publication, share_image, share_image_alt, short_title, speaker, speaker_role, title, "
    "typed_numbers, website_code"
)
LANGUAGES = """\
languages:
  - code: zh
    tag: zh-CN
    name: 中文
    locale: zh_CN
  - code: en
    tag: en
    name: English
    locale: en_US
"""


def errors(project: Path) -> list[str]:
    problems = Problems()
    load_content(project, problems)
    return [error.format() for error in problems.errors]


def with_languages(project: Path, languages: str) -> Path:
    """site.yaml of the full fixture with its languages: block replaced."""
    edit(project / SITE, LANGUAGES, languages)
    return project / SITE


@pytest.mark.parametrize(
    ("name", "prefixes", "date"),
    [("full", {"zh": "", "en": "en/"}, dt.date(2025, 1, 15)), ("minimal", {"zh": ""}, dt.date(2025, 3, 1))],
    ids=["full", "minimal"],
)  # fmt: skip
def test_the_fixture_sites_load_without_problems(project, minimal, name, prefixes, date):
    """The first language is the default one, at the top of the site; the others in folders."""
    problems = Problems()
    content = load_content(project if name == "full" else minimal, problems)
    assert problems.errors == [] and problems.warnings == []
    assert {lang.code: lang.prefix for lang in content.languages} == prefixes
    assert content.meta.date == date


def test_a_folder_without_content_is_refused(tmp_path: Path):
    with pytest.raises(BuildFailed) as caught:
        load_content(tmp_path, Problems())
    assert [error.format() for error in caught.value.errors] == [
        "content: there is no content folder here "
        "(run the command in the project folder, or give --project)"
    ]


# site.yaml ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "hint"),
    [("titel", 'did you mean "title"?'), ("colour", f"known fields: {SITE_FIELDS}")],
    ids=["typo", "unknown"],
)
def test_an_unknown_field_of_site_yaml_is_an_error(project: Path, key: str, hint: str):
    site = project / SITE
    site.write_text(site.read_text(encoding="utf-8") + f"\n{key}: x\n", encoding="utf-8")
    assert errors(project) == [
        f'{SITE}:{line(site, f"{key}: x")}: {key}: unknown field "{key}" ({hint})'
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("date: 2025-01-15", "date: someday", 'date: expected a date like 2024-02-04, got "someday"'),
        ("date: 2025-01-15", "date: 2025-01-15 10:00:00", "date: expected a date like 2024-02-04, got 2025-01-15 10:00:00"),
        ("date: 2025-01-15", "base_url: www.example.org\ndate: 2025-01-15", 'base_url: expected an address like https://example.org/report/, got "www.example.org"'),
        ("date: 2025-01-15", "base_url: 5\ndate: 2025-01-15", "base_url: expected an address like https://example.org/report/, got 5"),
    ],
    ids=["date", "date-and-time", "base-url", "base-url-number"],
)  # fmt: skip
def test_a_wrong_date_or_address_is_an_error(project: Path, old: str, new: str, expected: str):
    edit(project / SITE, old, new)
    n = line(project / SITE, new.split("\n")[0])
    assert errors(project) == [f"{SITE}:{n}: {expected}"]


def test_a_base_url_is_read(project: Path):
    edit(project / SITE, "date: ", "base_url: https://example.org/report/\ndate: ")
    problems = Problems()
    content = load_content(project, problems)
    assert problems.errors == []
    assert content.meta.base_url == "https://example.org/report/"


# Languages ---------------------------------------------------------------------------------


def test_an_empty_list_of_languages_is_an_error(project: Path):
    """Not a build that fails with no error to show."""
    site = with_languages(project, "languages: []\n")
    assert errors(project) == [
        f'{SITE}:{line(site, "languages: []")}: languages: "languages" is empty: '
        "it should be a list of languages"
    ]


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ("languages: zh\n", 'languages: expected a list of languages, got "zh"'),
        ("languages:\n", 'languages: "languages" is empty: it should be a list of languages'),
        ("", '"languages" is missing: it should be a list of languages'),
    ],
    ids=["text", "empty", "missing"],
)
def test_languages_must_be_a_list(project: Path, languages: str, expected: str):
    site = with_languages(project, languages)
    where = f"{SITE}:{line(site, 'languages:')}: " if languages else f"{SITE}: languages: "
    assert errors(project) == [where + expected]


def test_a_language_code_listed_twice_is_refused(project: Path):
    site = with_languages(project, LANGUAGES.replace("code: en", "code: zh"))
    lines = site.read_text(encoding="utf-8").split("\n")
    _, second = [n for n, text in enumerate(lines, 1) if text == "  - code: zh"]
    assert errors(project) == [
        f'{SITE}:{second}: languages[1].code: the language "zh" is listed twice'
    ]


@pytest.mark.parametrize(
    ("old", "new", "at", "expected"),
    [
        ("code: en", "code: EN", "code: EN", 'languages[1].code: "EN" is not a language code like zh or en'),
        ("code: en", "code: english", "code: english", 'languages[1].code: "english" is not a language code like zh or en'),
        ("name: English", "name: ''", "name: ''", 'languages[1].name: "name" is empty: it should be text'),
        ("    tag: en\n", "", "- code: en", 'languages[1].tag: "tag" is missing: it should be text'),
        ("locale: en_US", "locale: en_US\n    flag: uk", "flag: uk", 'languages[1].flag: unknown field "flag" (known fields: code, draft, locale, name, tag)'),
        ("  - code: en\n    tag: en\n    name: English\n    locale: en_US\n", "  - en\n", "- en", 'languages[1]: expected a language: code, tag, name and locale, got "en"'),
    ],
    ids=["upper-case", "too-long", "empty", "missing", "unknown-field", "not-a-mapping"],
)  # fmt: skip
def test_each_language_is_checked(project: Path, old: str, new: str, at: str, expected: str):
    """``at``: the text of the line the error is on."""
    site = with_languages(project, LANGUAGES.replace(old, new))
    assert errors(project) == [f"{SITE}:{line(site, at)}: {expected}"]


# Several processes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "jobs"),
    [(1, 1), (PARALLEL_FROM - 1, 1), (PARALLEL_FROM, 3), (10_000, 3)],
    ids=["one", "just-below", "from", "many"],
)
def test_a_large_site_uses_every_core_and_a_small_one_one_process(monkeypatch, count, jobs):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    assert default_jobs(count) == jobs


@pytest.mark.parametrize(("cpus", "jobs"), [(4, 4), (None, 1)], ids=["four", "unknown"])
def test_without_an_affinity_the_count_of_cpus_is_used(monkeypatch, cpus, jobs):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    assert default_jobs(10_000) == jobs


class CountingPool(concurrent.futures.ProcessPoolExecutor):
    """The process pool, recording how many processes each pool is given."""

    sizes: ClassVar[list[int | None]] = []

    def __init__(self, max_workers: int | None = None, **options):
        CountingPool.sizes.append(max_workers)
        super().__init__(max_workers, **options)


def test_a_large_project_is_parsed_by_a_process_per_core(minimal: Path, monkeypatch):
    """PARALLEL_FROM pages and more: one process per core (two here), the same content."""
    for number in range(1, PARALLEL_FROM + 1):
        page = minimal / "content" / "zh" / f"highlight-{number}.md"
        page.write_text(f"---\nkeyword: 关键词{number}\n---\n\n第{number}项。\n", encoding="utf-8")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingPool)
    monkeypatch.setattr(CountingPool, "sizes", [])
    problems = Problems()
    content = load_content(minimal, problems)
    assert CountingPool.sizes == [2]
    assert problems.errors == []
    alone = load_content(minimal, Problems(), jobs=1)
    assert CountingPool.sizes == [2]
    for doc in ("strings_doc", "figures_doc"):  # YamlDoc has no ==
        parallel, serial = getattr(content, doc), getattr(alone, doc)
        assert (parallel.data, parallel.lines) == (serial.data, serial.lines)
    assert content._replace(strings_doc=None, figures_doc=None) == alone._replace(
        strings_doc=None, figures_doc=None
    )
    assert len(content.pages) == PARALLEL_FROM + 1


def test_a_small_project_is_parsed_in_this_process(minimal: Path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingPool)
    monkeypatch.setattr(CountingPool, "sizes", [])
    load_content(minimal, Problems())
    assert CountingPool.sizes == []


def test_a_mistake_of_site_yaml_is_reported_even_without_languages(project: Path):
    """One run reports every mistake: an unknown field beside an empty list of languages."""
    site = with_languages(project, "languages: []\n")
    site.write_text(site.read_text(encoding="utf-8") + "titel: x\n", encoding="utf-8")
    assert sorted(errors(project), key=lambda error: int(error.split(":")[1])) == [
        f'{SITE}:{line(site, "languages: []")}: languages: "languages" is empty: '
        "it should be a list of languages",
        f'{SITE}:{line(site, "titel: x")}: titel: unknown field "titel" (did you mean "title"?)',
    ]
