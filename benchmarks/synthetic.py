"""Synthetic projects of the same shape as the real report, at any number of pages.

The real site has, per language, a landing page, six highlights, four goals, a
figures page and a source page, and one shared 404 page. A synthetic site keeps
that shape and grows the highlights and goals (four highlights to one goal), each
with the real report's paragraphs in both languages and figures of its own, so
that Markdown, figure references, tiles, charts and the figures page all scale.

    python benchmarks/synthetic.py DEST --pages 1000
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES_PER_HIGHLIGHT = 3
REFERENCE = re.compile(r"\[\[[^\]]*\]\]")


def _paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _corpus(base: Path, lang: str) -> list[str]:
    """The highlight paragraphs of a project, without their figure references."""
    paragraphs = []
    for file in sorted((base / "content" / lang).glob("highlight-*.md")):
        paragraphs += [REFERENCE.sub("", p) for p in _paragraphs(file)]
    return paragraphs


def _figures(base: Path) -> list[tuple[str, str]]:
    """(value, source phrase) of each figure of a project that is a whole number."""
    text = (base / "content" / "figures.yaml").read_text(encoding="utf-8")
    return re.findall(r"value: (\d+)\n.*?source: (\S+)", text, re.S)


def split(pages: int) -> tuple[int, int]:
    """Highlights and goals per language for a site of about ``pages`` pages."""
    per_language = max(4, (pages - 1) // 2 - 3)  # landing, figures and source pages
    goals = max(1, per_language // 5)
    return per_language - goals, goals


def generate(dest: Path, pages: int, base: Path = ROOT) -> Path:
    """Write a synthetic project of about ``pages`` pages into ``dest`` and return it, made
    of the texts and figures of the project ``base`` (by default, the real report)."""
    if dest.exists():
        shutil.rmtree(dest)
    content = dest / "content"
    shutil.copytree(ROOT / "templates", dest / "templates")
    (content / "source").mkdir(parents=True)
    for name in ("site.yaml", "strings.yaml", "source/report.zh.txt"):
        shutil.copy(base / "content" / name, content / name)
    if (base / "content" / "images").is_dir():  # the images site.yaml names
        shutil.copytree(base / "content" / "images", content / "images")
    highlights, goals = split(pages)
    corpus = {"zh": _corpus(base, "zh"), "en": _corpus(base, "en")}
    real = _figures(base)

    figures = ["figures:"]
    charts = ["charts:"]
    for number in range(1, highlights + 1):
        ids = [f"h{number}-f{k}" for k in range(1, FIGURES_PER_HIGHLIGHT + 1)]
        for k, figure_id in enumerate(ids, start=1):
            # Values, units and source phrases are the real report's, so that the
            # checks of the source phrases pass as they do for the real content.
            value, source = real[(number * FIGURES_PER_HIGHLIGHT + k) % len(real)]
            figures += [
                f"  - id: {figure_id}",
                f"    section: highlight-{number}",
                f"    value: {value}",
                "    unit:",
                "      zh: 个",
                "    label:",
                f"      zh: 第{number}项亮点的第{k}个数据",
                f"      en: Figure {k} of highlight {number}",
                f"    source: {source}",
            ]
        charts += [
            f"  - id: chart-{number}",
            f"    section: highlight-{number}",
            "    kind: bars",
            "    title:",
            f"      zh: 亮点{number}数据",
            f"      en: Highlight {number} figures",
            "    figures: [" + ", ".join(ids[:2]) + "]",
        ]
        for lang, paragraphs in corpus.items():
            keyword = f"关键词{number}" if lang == "zh" else f"Keyword {number}"
            body = []
            for k, figure_id in enumerate(ids):
                text = paragraphs[(number * 3 + k) % len(paragraphs)]
                body.append(f"{text} [[{figure_id}]]")
            _page(content / lang / f"highlight-{number}.md", {"keyword": keyword}, body)
    for number in range(1, goals + 1):
        for lang, paragraphs in corpus.items():
            title = f"目标{number}" if lang == "zh" else f"Goal title {number}"
            body = [paragraphs[(number * 5 + k) % len(paragraphs)] for k in range(2)]
            _page(content / lang / f"goal-{number}.md", {"title": title}, body)
    for lang in corpus:
        for name in ("overview.md", "goals-intro.md"):
            overview = (base / "content" / lang / name).read_text(encoding="utf-8")
            (content / lang / name).write_text(REFERENCE.sub("1", overview), encoding="utf-8")
    (content / "figures.yaml").write_text("\n".join(figures) + "\n", encoding="utf-8")
    (content / "charts.yaml").write_text("\n".join(charts) + "\n", encoding="utf-8")
    return dest


def _page(path: Path, meta: dict[str, str], paragraphs: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    front = "".join(f"{key}: {value}\n" for key, value in meta.items())
    path.write_text(f"---\n{front}---\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    generate(args.dest, args.pages)
    print(args.dest)


if __name__ == "__main__":
    main()
