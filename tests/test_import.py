"""``zhoukou-report import``: a report's text made into a project that builds.

The fixture texts under tests/import/ are invented reports of the same genre as the
real one, each with its own structure: qinghe.zh.txt (UTF-8 with a byte-order mark;
一、 headings, then 目标一： goals; numbers in Chinese numerals, 万/亿, 余/近/超过,
百分之) and liuhe.gbk.txt (GBK; OCR spaces and broken lines, leading debris and a page
mark; 一是… sections, then 第一，… goals). The real report's round trip is in
test_content.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner

from helpers import ROOT, copy_site, run_cli
from zhoukou_report.cli import main
from zhoukou_report.errors import ContentError
from zhoukou_report.importer import decode_text, import_report
from zhoukou_report.newproject import write_project
from zhoukou_report.statistics import find_numbers

FIXTURES = ROOT / "tests" / "import"
SITE_NOTE = (
    "content/site.yaml:1: the title, meeting, date, speaker and publication are examples: "
    "fill them in from the report"
)

# (page id, title) in order, and every figure: (section, value, qualifier, unit, source).
EXPECTED = {
    "qinghe.zh.txt": (
        "UTF-8 with BOM",
        [
            ("overview", ""),
            ("highlight-1", "立法工作"),
            ("highlight-2", "监督工作"),
            ("highlight-3", "代表工作"),
            ("closing", ""),
            ("goal-1", "加强立法"),
            ("goal-2", "强化监督"),
        ],
        [
            ("overview", 6, None, "次", "市人大常委会召开常委会会议六次"),
            ("overview", 12, None, "次", "主任会议十二次"),
            ("overview", 2, None, "部", "制定地方性法规2部"),
            ("overview", 20, None, "项", "听取审议专项工作报告二十项"),
            ("overview", 120, None, "人次", "任免国家机关工作人员一百二十人次"),
            ("highlight-1", 300, "more-than", "条", "征集立法建议300余条"),
            ("highlight-1", 3, None, "场", "召开立法听证会3场"),
            ("highlight-2", 20000, "nearly", "家", "走访企业近2万家"),
            ("highlight-2", 12000, None, "个", "督促整改问题1.2万个"),
            ("highlight-2", 95, "over", "%", "整改率超过95%"),
            ("highlight-2", 120000000, None, "元", "审查预算资金1.2亿元"),
            ("highlight-2", 98, None, "%", "推动民生实事项目完成率达到百分之九十八"),
            ("highlight-3", 23000, None, "名", "全市2.3万名人大代表进站履职"),
            ("highlight-3", 35000, None, "人次", "接待群众3.5万人次"),
            ("goal-2", 4, None, "次", "开展执法检查四次"),
        ],
    ),
    "liuhe.gbk.txt": (
        "GBK",
        [
            ("overview", ""),
            ("highlight-1", "坚持党的领导"),
            ("highlight-2", "加强立法工作"),
            ("highlight-3", "增强监督实效"),
            ("closing", ""),
            ("goal-1", "提高立法质量"),
            ("goal-2", "增强监督刚性"),
        ],
        [
            ("overview", 15, None, "次", "常委会共召开会议15次"),
            ("overview", 8, None, "件", "审议议案8件"),
            ("highlight-1", 21, None, "件", "全年向市委请示报告重要事项21件"),
            ("highlight-1", 9, None, "次", "组织集中学习9次"),
            ("highlight-2", 4, None, "部", "修改地方性法规4部"),
            ("highlight-2", 560, "more-than", "条", "征集意见560多条"),
            ("highlight-3", 5, None, "次", "开展执法检查5次"),
            ("highlight-3", 2, None, "次", "专题询问2次"),
            ("highlight-3", 48, None, "条", "提出审议意见48条"),
            ("highlight-3", 236, None, "件", "督办代表建议236件"),
            ("highlight-3", 100, None, "%", "办结率100%"),
            ("goal-1", 3, None, "件", "完成立法项目3件"),
            ("goal-1", 1, None, "次", "开展立法后评估1次"),
            ("goal-2", 10, None, "项", "听取审议专项工作报告10项"),
        ],
    ),
}


# The paragraph just before the first goal: the closing paragraph.
INTROS = {
    "qinghe.zh.txt": "坚持以习近平新时代中国特色社会主义思想为指导，认真落实中央八项规定精神，"
    "奋力谱写清河发展新篇章。\n",
    "liuhe.gbk.txt": "新的一年，常委会将紧扣全市中心工作，依法履职尽责。\n",
}


def _import(name: str, project: Path) -> str:
    result = CliRunner().invoke(
        main, ["import", str(FIXTURES / name), "--project", str(project)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_fixture_text_gives_its_pages_and_figures_with_nothing_unexplained(name, tmp_path):
    encoding, pages, figures = EXPECTED[name]
    output = _import(name, tmp_path)
    assert f"read as {encoding}" in output
    # The only thing for an editor is site.yaml's examples: every number is explained.
    assert output.split("Things for an editor to look at (1):\n")[1] == f"  {SITE_NOTE}\n"
    content = tmp_path / "content"
    found = []
    for page_id, _ in pages:
        for lang in ("zh", "en"):
            assert (content / lang / f"{page_id}.md").is_file()
        text = (content / "zh" / f"{page_id}.md").read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---")[1]) if text.startswith("---") else {}
        found.append((page_id, meta.get("keyword") or meta.get("title") or ""))
    assert found == pages
    intro = (content / "zh" / "closing.md").read_text(encoding="utf-8")
    assert intro == INTROS[name]
    assert sorted(p.stem for p in (content / "zh").iterdir()) == sorted(p for p, _ in pages)
    data = yaml.safe_load((content / "figures.yaml").read_text(encoding="utf-8"))["figures"]
    got = [
        (f["section"], f["value"], f.get("qualifier"), f["unit"]["zh"], f["source"]) for f in data
    ]
    assert got == figures
    # Each figure is referenced, in place of its number, on its own page.
    for figure in data:
        page = (content / "zh" / f"{figure['section']}.md").read_text(encoding="utf-8")
        assert f"[[{figure['id']}]]" in page
        assert figure["label"]["en"].startswith("translate: ")
    source = (content / "source" / "report.zh.txt").read_text(encoding="utf-8")
    assert not source.startswith("\ufeff")


def test_an_imported_text_builds_with_draft_english_pages_and_strict_refuses(tmp_path):
    project = tmp_path / "qinghe"
    _import("qinghe.zh.txt", project)
    shutil.copytree(ROOT / "templates", project / "templates")
    built = run_cli("build", "--project", str(project))
    assert built.returncode == 0, built.stderr
    warnings = [line for line in built.stderr.splitlines() if line.startswith("  warning:")]
    # Every warning is a draft page's or an English label's to write (no figure, phrase or
    # reference is wrong): one a page, one a figure.
    drafts = [w for w in warnings if "this page is a draft: its translation is in progress" in w]
    labels = [w for w in warnings if "the label is not translated yet" in w]
    assert (len(drafts), len(labels), len(warnings)) == (7, 15, 22)
    assert (
        "  warning: content/figures.yaml:16: figures[1].label.en: the label is not translated "
        'yet (write it in place of "translate: 主任会议")'
    ) in warnings
    assert "content/en/highlight-2.md:2: draft:" in built.stderr
    english = (project / "build" / "en" / "highlight-2.html").read_text(encoding="utf-8")
    # The notice is strings.yaml's draft_notice, in the page's language.
    notice = (
        '<p class="draft-notice" role="note">This page is still being translated: '
        "some of it may not be in English yet.</p>"
    )
    assert notice in english
    # The Chinese to translate, its figures in place (written as English writes them).
    figure = BeautifulSoup(english, "html.parser").find(class_="fig", id="ref-highlight-2-1")
    assert figure.previous_sibling.endswith("走访企业")
    chinese = (project / "build" / "highlight-2.html").read_text(encoding="utf-8")
    assert "draft-notice" not in chinese
    share = BeautifulSoup(chinese, "html.parser").find("data", attrs={"value": "95"})
    assert share.get_text() == "超过95%" and share.find_parent(class_="fig").next_sibling == "。"
    assert notice in (project / "build" / "en" / "index.html").read_text(encoding="utf-8")
    strict = run_cli("build", "--strict", "--project", str(project), "--out", str(tmp_path / "o"))
    assert strict.returncode == 1
    assert "content/en/goal-1.md:2: draft: this page is a draft" in strict.stderr
    assert not (tmp_path / "o").exists()


def test_what_needs_an_editor_is_said_as_file_and_line(tmp_path):
    text = (
        "市人大常委会召开会议5次。\n"
        "\n"
        "亮点一\n"
        "开通12345热线，受理来电\n"
        "8000件。\n"
        "\n"
        "亮点二\n"
        "关键词：加强监督\n"
        "开展检查3次。\n"
    )
    imported = import_report(text.encode(), "next.txt")
    assert imported.attention == [
        "next.txt:3: highlight-1: the text gives this section no keyword: "
        "write one in content/zh/highlight-1.md (it says 待填写)",
        "next.txt:1: no goals were found (目标一：…): closing.md is empty",
        "next.txt:4: 12345: a number with no measure word after it, "
        "left as text in content/zh/highlight-1.md: check it",
        SITE_NOTE,
    ]
    page = imported.files["content/zh/highlight-1.md"]
    assert page == "---\nkeyword: 待填写\n---\n\n开通12345热线，受理来电[[highlight-1-1]]件。\n"
    assert imported.files["content/en/highlight-2.md"].startswith(
        "---\ndraft: true\nkeyword: 加强监督\n---\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年3月1日施行", [("2024年", "date"), ("3月", "date"), ("1日", "date")]),
        ("庆祝成立70周年", [("70周", "date")]),
        ("两年内完成", [("两年", "date")]),
        ("第二次全体会议", [("第二次", "ordinal")]),
        ("市五届人大二次会议", [("二次", "session")]),
        ("市委五届五次全会", [("五次", "session")]),
        ("《清河市2024年立法计划》", [("2024", "name")]),
        ("“三个一批”项目", [("三个", "name"), ("一批", "name")]),
        ("落实中央八项规定", [("八项", "set-phrase")]),
        ("形成一批代表建议", [("一批", "article")]),
        ("一网通办、千家万户", []),
        ("统一部署", [("一部", "article")]),
        ("拨打12345热线", [("12345", "unclassified")]),
        ("会议六次", [("六", "statistic", 6, "次", None)]),
        ("代表一百二十名", [("一百二十", "statistic", 120, "名", None)]),
        ("代表两千零五名", [("两千零五", "statistic", 2005, "名", None)]),
        ("走访110多家", [("110多", "statistic", 110, "家", "more-than")]),
        ("建议300余条", [("300余", "statistic", 300, "条", "more-than")]),
        ("企业近2万家", [("近2万", "statistic", 20000, "家", "nearly")]),
        ("整改率超过95%", [("超过95%", "statistic", 95, "%", "over")]),
        ("增长超12.5%", [("超12.5%", "statistic", 12.5, "%", "over")]),
        ("完成率百分之九十八", [("百分之九十八", "statistic", 98, "%", None)]),
        ("资金1.2亿元", [("1.2亿", "statistic", 120000000, "元", None)]),
        ("登录19.5万人次", [("19.5万", "statistic", 195000, "人次", None)]),
        ("代表1,975名", [("1,975", "statistic", 1975, "名", None)]),
        ("代表１９７５名", [("１９７５", "statistic", 1975, "名", None)]),
        ("3至5次", [("3", "unclassified"), ("5", "statistic", 5, "次", None)]),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_numbers_are_statistics_or_text_for_a_reason(text, expected):
    found = []
    for number in find_numbers(text):
        shown = text[number.start : number.end]
        if number.kind == "statistic":
            found.append((shown, number.kind, number.value, number.unit, number.qualifier))
        else:
            found.append((shown, number.kind))
    assert found == expected


def test_utf8_with_a_bom_and_gbk_are_read_and_said():
    assert decode_text("报告".encode(), "a.txt") == ("报告", "UTF-8")
    assert decode_text("\ufeff报告".encode(), "a.txt") == ("报告", "UTF-8 with BOM")
    assert decode_text("报告".encode("gbk"), "a.txt") == ("报告", "GBK")


def test_a_text_that_is_neither_utf8_nor_gbk_is_refused_at_its_line(tmp_path):
    text = tmp_path / "report.txt"
    text.write_bytes("第一行\n第二行\n".encode() + b"\xff\xfe\xff\n")
    result = CliRunner().invoke(main, ["import", str(text), "--project", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert (
        f"{text}:3: the text is neither UTF-8 nor GBK: it could not be read "
        "(save it as UTF-8 (in Notepad: Save as, Encoding: UTF-8))" in result.output
    )
    assert not (tmp_path / "p").exists()


def test_import_refuses_a_project_that_has_content(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "figures.yaml").write_text("keep me", encoding="utf-8")
    with pytest.raises(ContentError, match="already has content"):
        write_project(tmp_path, {"content/figures.yaml": "new"})
    assert (tmp_path / "content" / "figures.yaml").read_text(encoding="utf-8") == "keep me"


def test_draft_must_be_true_or_false(tmp_path):
    project = copy_site("minimal", tmp_path / "site")
    page = project / "content" / "zh" / "overview.md"
    page.write_text("---\ndraft: maybe\n---\n\n" + page.read_text(encoding="utf-8"), "utf-8")
    result = run_cli("check", "--project", str(project))
    assert result.returncode == 1
    assert 'content/zh/overview.md:2: draft: expected true or false, got "maybe"' in result.stderr


def _structure(text: str) -> list[tuple[str, str, list[str]]]:
    imported = import_report(text.encode(), "t.txt")
    found = []
    for name, page in imported.files.items():
        if name.startswith("content/zh/"):
            meta, _, body = page.rpartition("---\n\n")
            title = meta.split(": ", 1)[1].strip().removesuffix("\n---") if meta else ""
            found.append((name.removeprefix("content/zh/"), title, body.split("\n\n")))
    return found


def test_numbered_headings_that_start_again_at_one_are_the_goals():
    text = "开场。\n一、立法\n甲。\n二、监督\n乙。\n结语。\n一、目标甲\n丙。\n二、目标乙\n丁。\n"
    assert _structure(text) == [
        ("overview.md", "", ["开场。\n"]),
        ("highlight-1.md", "立法", ["甲。\n"]),
        ("highlight-2.md", "监督", ["乙。\n"]),
        ("closing.md", "", ["结语。\n"]),
        ("goal-1.md", "目标甲", ["丙。\n"]),
        ("goal-2.md", "目标乙", ["丁。\n"]),
    ]


def test_within_a_highlight_a_list_numbered_one_two_stays_in_it():
    text = (
        "开场。\n亮点一：坚持党的领导\n一是学习。\n二是调研。\n"
        "亮点二\n关键词：监督\n第一，检查。\n结语。\n目标一：立法\n丙。\n"
    )
    assert _structure(text) == [
        ("overview.md", "", ["开场。\n"]),
        ("highlight-1.md", "坚持党的领导", ["一是学习。", "二是调研。\n"]),
        ("highlight-2.md", "监督", ["第一，检查。\n"]),
        ("closing.md", "", ["结语。\n"]),
        ("goal-1.md", "立法", ["丙。\n"]),
    ]


def test_a_figure_in_the_goals_intro_belongs_to_the_overview_which_shows_it():
    text = "开场召开会议3次。\n一、立法\n甲。\n乙。\n结语，完成8项。\n目标一：甲\n丙。\n"
    imported = import_report(text.encode(), "t.txt")
    assert imported.files["content/zh/closing.md"] == "结语，完成[[overview-2]]项。\n"
    assert [(f.id, f.section, f.page) for f in imported.figures] == [
        ("overview-1", "overview", "overview"),
        ("overview-2", "overview", "closing"),
    ]
    assert "t.txt:5: closing: paragraphs: 1, figures: 1" in imported.found


def test_a_gbk_text_with_windows_line_ends_gives_the_same_project():
    text = (FIXTURES / "qinghe.zh.txt").read_text(encoding="utf-8-sig")
    windows = import_report(text.replace("\n", "\r\n").encode("gbk"), "qinghe.txt")
    plain = import_report(text.encode(), "qinghe.txt")
    assert windows.encoding == "GBK"
    assert windows.files == plain.files
    assert windows.found[1:] == plain.found[1:]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"LANG": "zh_CN.UTF-8"},
            [
                "tests/import/qinghe.zh.txt: 编码：UTF-8（带 BOM）",
                "tests/import/qinghe.zh.txt:1: overview: 段落2个，数据5项",
                "tests/import/qinghe.zh.txt:5: highlight-1 “立法工作”: 段落2个，数据2项",
                "已导入 7个页面、15项数据，保存在 {content}",
                "英文页面是草稿，目前是中文原文：请把它们译成英文。",
                "需要编辑核对的地方（1处）：",
                "  content/site.yaml:1: title、meeting、date、speaker 和 publication 是示例："
                "请按报告填写",
            ],
        ),
        (
            {"LANG": "C"},
            [
                "tests/import/qinghe.zh.txt: read as UTF-8 with BOM",
                "tests/import/qinghe.zh.txt:1: overview: paragraphs: 2, figures: 5",
                "tests/import/qinghe.zh.txt:5: highlight-1 “立法工作”: paragraphs: 2, figures: 2",
                "Imported 7 pages and 15 figures into {content}",
                "The English pages are drafts that hold the Chinese text: translate them.",
                "Things for an editor to look at (1):",
                f"  {SITE_NOTE}",
            ],
        ),
    ],
    ids=["zh_CN", "C"],
)
def test_import_speaks_the_language_of_the_system_keeping_file_and_line(env, expected, tmp_path):
    project = tmp_path / "p"
    result = run_cli(
        "import", "tests/import/qinghe.zh.txt", "--project", str(project), cwd=ROOT, env=env
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    content = f"{project / 'content'}{os.sep}"
    for line in expected:
        assert line.format(content=content) in lines


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"LANG": "zh_CN.UTF-8"},
            "1. content/: 项目中已有内容：请指定一个新的空文件夹（没有写入任何文件）",
        ),
        (
            {"LANG": "C"},
            "1. content/: the project already has content: give a new, empty folder "
            "(nothing was written)",
        ),
    ],
    ids=["zh_CN", "C"],
)
def test_new_refuses_a_project_with_content_in_the_language_of_the_system(env, expected, tmp_path):
    (tmp_path / "content").mkdir(parents=True)
    (tmp_path / "content" / "site.yaml").write_text("title: x\n", encoding="utf-8")
    result = run_cli("new", str(tmp_path), env=env)
    assert result.returncode == 1
    assert expected in result.stderr.splitlines()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["tests/import/qinghe.zh.txt"], "错误：缺少选项 '--project'."),
        (
            ["tests/import/none.txt", "--project", "p"],
            "错误：'TEXT' 的值无效：文件 'tests/import/none.txt' 不存在。",
        ),
        (
            ["tests/import", "--project", "p"],
            "错误：'TEXT' 的值无效：文件 'tests/import' 是文件夹。",
        ),
    ],
    ids=["no project", "no text", "a folder"],
)
def test_imports_usage_errors_are_in_the_language_of_the_system(args, expected):
    result = run_cli("import", *args, cwd=ROOT, env={"LANG": "zh_CN.UTF-8"})
    assert result.returncode == 2
    assert expected in result.stderr.splitlines()
