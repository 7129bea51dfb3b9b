"""Mutation testing of one module: one small change to its code at a time, then its tests.

    python scripts/mutation.py src/zhoukou_report/numbers.py tests/test_numbers.py
    python scripts/mutation.py src/zhoukou_report/validate.py \
        tests/test_validate.py tests/test_load_content.py
    python scripts/mutation.py src/zhoukou_report/write.py tests/test_write.py
    options: --jobs 2 (test runs at once), --lines 40-60 (only mutants there),
             --list (print the mutants, run nothing), --killed (print the killed ones too),
             --src DIR (test a copy of src/ instead, when src/ changes meanwhile)

(after the README's test command has installed the project and its test dependencies).

Each mutant is the module with one change made to its syntax tree (written back with
``ast.unparse``, so comments and layout are lost, not the meaning):

- a comparison flipped: ``==``/``!=``, ``<``/``<=``, ``>``/``>=``, ``in``/``not in``,
  ``is``/``is not``;
- ``and``/``or`` swapped; a ``not`` removed; ``True``/``False`` swapped;
- ``+``/``-`` swapped; a number made one larger and one smaller;
- a text changed (``"abc"`` becomes ``"XXabcXX"``);
- ``return value`` made ``return None``;
- a statement deleted (replaced by ``pass``): an expression, an assignment, ``raise``,
  ``continue``, ``break``, ``del``, ``assert``.

Docstrings, annotations, imports and ``if TYPE_CHECKING:`` blocks are left alone. The
tests run as the project's rule says (``PYTHONPATH=src python -m pytest -q -p
no:cacheprovider``), stopping at the first failure (``-x``), without the hypothesis
plugin (a second of every run), with ``PYTHONPATH`` pointing at a copy of src/ that holds
the mutant, in a temporary folder: src/ itself is never touched. A mutant is killed when
the tests fail (or run five times as long as without it, and ten seconds more); it
survived when they pass. The tests must pass on the module as ``ast.unparse`` writes it,
or nothing is run.

Mutants that cannot be told from the original by any test (equivalent ones) are listed in
``EQUIVALENT`` with the reason, and left out of the kill rate.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]

# Mutants no test can tell from the original, and why: (module file name, the line as
# written, stripped, the mutation as printed) -> the reason. A line that changes drops out
# of this list, and its mutants are judged again.
_FOLDERS = "os.makedirs(exist_ok=True) once more per file: the same folders, only slower"
_CHUNK = "the size of a chunk only sets how much is read at once"
_POSIX_FLAG = "the default for a platform without the flag: this one has O_NOFOLLOW and O_NONBLOCK"
_BINARY = "only Windows has O_BINARY: on this platform the line adds 0 either way"
_SUFFIX = "any length of random suffix names the folder as well"
_TYPING = "an assert for the type checker: the folder is set on entering the with block"
_LOCK_FLAGS = (  # the line of write.py's output_lock that opens the lock file
    'flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)'
)
_PLATFORM = (
    "the default of an os flag this platform has (O_NOFOLLOW), or lacks either way (O_BINARY)"
)
_RETRY = "how often a waiting build tries the lock again: only time tells, and no test is timed"
_FALSY = "the caller only asks whether it is true: None is as false as False"
_HOLDER_ROOM = "any place past the holder's text (some 40 bytes) leaves it readable on Windows"
_READ_PAST = (
    "the file's size was just found equal to the data's: reading past its end finds nothing "
    "(whatever the count), unless the file grows in between"
)
EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("numbers.py", "whole = f\"{int(whole.lstrip('-')):,}\"", "`'-'` → `'XX-XX'`"): (
        "lstrip takes a set of characters: 'XX-XX' strips the '-' as before, and digits are no X"
    ),
    (
        "numbers.py",
        'unit: str = "",',
        "`''` → `'XXXX'`",
    ): "the default unit is only looked for among SYMBOL_UNITS, where 'XXXX' is not, as '' is not",
    ("write.py", "assert self.folder is not None", "delete `assert self.folder is not None`"): (
        _TYPING
    ),
    (
        "write.py",
        'if not rel or rel.startswith("/") or "\\\\" in rel or {"", ".", ".."} & set(parts):',
        "`'/'` → `'XX/XX'`",
    ): "a path that starts with / has an empty first part, which the next test refuses",
    ("write.py", "if parent and parent not in self._folders:", "`and` → `or`"): _FOLDERS,
    ("write.py", "self._folders.add(parent)", "delete `self._folders.add(parent)`"): _FOLDERS,
    ("write.py", "os.link(previous, file, follow_symlinks=False)", "`False` → `True`"): (
        "the previous file was just opened with O_NOFOLLOW and found a regular file, not a "
        "link (unless it is swapped for one in between)"
    ),
    (
        "write.py",
        "del data  # before the next file is made: a site's largest files are not held twice",
        "delete `del data`",
    ): "it frees memory sooner; what is written is the same",
    ("files.py", "_CHUNK = 1 << 20", "`1` → `2`"): _CHUNK,
    ("files.py", "_CHUNK = 1 << 20", "`20` → `21`"): _CHUNK,
    ("files.py", "_CHUNK = 1 << 20", "`20` → `19`"): _CHUNK,
    (
        "files.py",
        '_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)',
        "`0` → `1`",
    ): _POSIX_FLAG,
    (
        "files.py",
        '_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)',
        "`0` → `-1`",
    ): _POSIX_FLAG,
    (
        "files.py",
        '_READ |= getattr(os, "O_BINARY", 0)',
        "delete `_READ |= getattr(os, 'O_BINARY', 0)`",
    ): _BINARY,
    ("files.py", '_READ |= getattr(os, "O_BINARY", 0)', "`'O_BINARY'` → `'XXO_BINARYXX'`"): (
        _BINARY
    ),
    (
        "files.py",
        "return None if os.read(fd, 1) else Same(info.st_ino, info.st_mtime_ns)",
        "`1` → `2`",
    ): _READ_PAST,
    (
        "files.py",
        "return None if os.read(fd, 1) else Same(info.st_ino, info.st_mtime_ns)",
        "`1` → `0`",
    ): _READ_PAST,
    (
        "write.py",
        'folder = target.parent / f".{target.name}.new-{os.urandom(4).hex()}"',
        "`4` → `5`",
    ): _SUFFIX,
    (
        "write.py",
        'folder = target.parent / f".{target.name}.new-{os.urandom(4).hex()}"',
        "`4` → `3`",
    ): _SUFFIX,
    (
        "write.py",
        'retired = target.parent / f".{target.name}.old-{os.urandom(4).hex()}"',
        "`4` → `5`",
    ): _SUFFIX,
    (
        "write.py",
        'retired = target.parent / f".{target.name}.old-{os.urandom(4).hex()}"',
        "`4` → `3`",
    ): _SUFFIX,
    (
        "write.py",
        _LOCK_FLAGS,
        "`0` → `1`",
    ): _PLATFORM,
    (
        "write.py",
        _LOCK_FLAGS,
        "`0` → `-1`",
    ): _PLATFORM,
    (
        "write.py",
        _LOCK_FLAGS,
        "`'O_BINARY'` → `'XXO_BINARYXX'`",
    ): _PLATFORM,
    ("write.py", "if time.monotonic() >= deadline:", "`>=` → `>`"): (
        "the clock moves on: at most one more try, and the wait ends the same"
    ),
    ("write.py", "time.sleep(0.05)", "delete `time.sleep(0.05)`"): _RETRY,
    ("write.py", "time.sleep(0.05)", "`0.05` → `1.05`"): _RETRY,
    ("write.py", "os.ftruncate(fd, 0)", "`0` → `1`"): (
        "the holder's text, written from the start, is longer than one byte either way"
    ),
    (
        "write.py",
        "HOLDER_BYTES = 200  # the holder's text is shorter; Windows locks the byte after it",
        "`200` → `201`",
    ): _HOLDER_ROOM,
    (
        "write.py",
        "HOLDER_BYTES = 200  # the holder's text is shorter; Windows locks the byte after it",
        "`200` → `199`",
    ): _HOLDER_ROOM,
    ("write.py", "return False  # another process holds it", "`return False` → `return None`"): (
        _FALSY
    ),
    ("write.py", "return False  # removed since it was opened", "`return False` → `return None`"): (
        _FALSY
    ),
    (
        "write.py",
        "return os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino",
        "`False` → `True`",
    ): "the file was opened with O_NOFOLLOW: it is no link (unless replaced by one since)",
}

COMPARISONS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
SYMBOLS = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    ast.And: "and", ast.Or: "or", ast.Add: "+", ast.Sub: "-",
}  # fmt: skip
DELETABLE = (
    ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Raise, ast.Continue, ast.Break,
    ast.Delete, ast.Assert,
)  # fmt: skip


class Mutant(NamedTuple):
    number: int  # the position of the mutated node in the walk (see ``walk``)
    line: int
    what: str  # "`==` → `!=`"
    apply: Callable[[ast.AST, Place], None]


class Place(NamedTuple):
    """Where a node hangs in the tree: its parent's field, and its index in it (if a list)."""

    parent: ast.AST
    field: str
    index: int | None


def walk(tree: ast.AST) -> Iterator[tuple[ast.AST, Place]]:
    """Every node that may be mutated, in a fixed order, with its place in the tree."""

    def children(node: ast.AST) -> Iterator[tuple[ast.AST, Place]]:
        for field, value in ast.iter_fields(node):
            if field in ("annotation", "returns", "type_comment"):
                continue
            if isinstance(value, list):
                for index, child in enumerate(value):
                    if isinstance(child, ast.AST):
                        yield child, Place(node, field, index)
            elif isinstance(value, ast.AST):
                yield value, Place(node, field, None)

    stack = [(tree, Place(tree, "", None))]
    while stack:
        node, place = stack.pop()
        if _is_docstring(node, place) or _is_type_checking(node) or _is_import(node):
            continue
        yield node, place
        stack.extend(reversed(list(children(node))))


def _is_docstring(node: ast.AST, place: Place) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and place.field == "body"
        and place.index == 0
        and isinstance(place.parent, ast.Module | ast.FunctionDef | ast.ClassDef)
    )


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _is_import(node: ast.AST) -> bool:
    return isinstance(node, ast.Import | ast.ImportFrom)


def mutants(tree: ast.AST) -> list[Mutant]:
    """Every mutant of a module, in the order of its code."""
    found: list[Mutant] = []
    for number, (node, place) in enumerate(walk(tree)):
        for what, apply in _mutations(node, place):
            found.append(Mutant(number, getattr(node, "lineno", 0), what, apply))
    return found


def _replace(new: ast.AST) -> Callable[[ast.AST, Place], None]:
    """A mutation that puts ``new`` in the node's place."""

    def apply(node: ast.AST, place: Place) -> None:
        replacement = ast.copy_location(copy.deepcopy(new), node)
        if place.index is None:
            setattr(place.parent, place.field, replacement)
        else:
            getattr(place.parent, place.field)[place.index] = replacement

    return apply


def _mutations(node: ast.AST, place: Place) -> Iterator[tuple[str, Callable]]:
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in COMPARISONS:
                new = COMPARISONS[type(op)]

                def flip(node: ast.AST, place: Place, i: int = i, new: type = new) -> None:
                    node.ops[i] = new()

                yield f"`{SYMBOLS[type(op)]}` → `{SYMBOLS[new]}`", flip
    elif isinstance(node, ast.BoolOp):
        new = ast.Or if isinstance(node.op, ast.And) else ast.And

        def swap(node: ast.AST, place: Place, new: type = new) -> None:
            node.op = new()

        yield f"`{SYMBOLS[type(node.op)]}` → `{SYMBOLS[new]}`", swap
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield (
            f"`not {ast.unparse(node.operand)}` → `{ast.unparse(node.operand)}`",
            _replace(node.operand),
        )
    elif isinstance(node, ast.BinOp | ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub):
        new = ast.Sub if isinstance(node.op, ast.Add) else ast.Add

        def arithmetic(node: ast.AST, place: Place, new: type = new) -> None:
            node.op = new()

        yield f"`{SYMBOLS[type(node.op)]}` → `{SYMBOLS[new]}`", arithmetic
    elif isinstance(node, ast.Constant):
        yield from _constant_mutations(node)
    elif isinstance(node, ast.Return) and _returns_a_value(node):
        yield (
            f"`return {ast.unparse(node.value)}` → `return None`",
            _replace(ast.Return(ast.Constant(None))),
        )
    if isinstance(node, DELETABLE) and place.field in ("body", "orelse", "finalbody"):
        shown = ast.unparse(node).split("\n")[0]
        yield f"delete `{shown}`", _replace(ast.Pass())


def _returns_a_value(node: ast.Return) -> bool:
    """``return x``, not ``return`` nor ``return None``."""
    return node.value is not None and not (
        isinstance(node.value, ast.Constant) and node.value.value is None
    )


def _constant_mutations(node: ast.Constant) -> Iterator[tuple[str, Callable]]:
    value = node.value
    if isinstance(value, bool):
        yield f"`{value}` → `{not value}`", _replace(ast.Constant(not value))
    elif isinstance(value, int | float):
        for new in (value + 1, value - 1):
            yield f"`{value!r}` → `{new!r}`", _replace(ast.Constant(new))
    elif isinstance(value, str):
        new = f"XX{value}XX"
        yield f"`{value!r}` → `{new!r}`"[:90], _replace(ast.Constant(new))


# Running ---------------------------------------------------------------------------------


def mutated_source(source: str, mutant: Mutant) -> str:
    tree = ast.parse(source)
    for number, (node, place) in enumerate(walk(tree)):
        if number == mutant.number:
            mutant.apply(node, place)
            return ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    raise AssertionError(f"no node {mutant.number}")


def run_tests(work: Path, tests: list[str], timeout: float | None) -> tuple[str, float]:
    """``killed``, ``survived`` or ``timeout``, and the seconds the tests took."""
    env = {**os.environ, "PYTHONPATH": str(work / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider"]
    command += ["-p", "no:hypothesispytest"]  # a second of every run, unused by these tests
    command += [f"--basetemp={work / 'tmp'}", *tests]
    started = time.perf_counter()
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - started
    seconds = time.perf_counter() - started
    if result.returncode == 0:
        return "survived", seconds
    if result.returncode == 5:  # no tests ran: the command is wrong, not the mutant
        raise SystemExit(f"no tests ran:\n{result.stdout}{result.stderr}")
    return "killed", seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", type=Path, help="e.g. src/zhoukou_report/numbers.py")
    parser.add_argument("tests", nargs="+", help="the test files (or node ids) to run")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="a copy of src/ to test (if src/ changes)"
    )
    parser.add_argument("--lines", help="only the mutants on these lines: 40-60")
    parser.add_argument("--list", action="store_true", help="print the mutants; run nothing")
    parser.add_argument("--killed", action="store_true", help="print killed mutants too")
    args = parser.parse_args()

    rel = args.module.resolve().relative_to(ROOT / "src")
    module = args.src.resolve() / rel
    source = module.read_text(encoding="utf-8")
    lines = source.split("\n")
    found = mutants(ast.parse(source))
    if args.lines:
        first, _, last = args.lines.partition("-")
        found = [m for m in found if int(first) <= m.line <= int(last or first)]

    def key(mutant: Mutant) -> tuple[str, str, str]:
        return (module.name, lines[mutant.line - 1].strip(), mutant.what)

    if args.list:
        for mutant in found:
            print(f"{module.name}:{mutant.line}: {mutant.what}")
        print(f"{len(found)} mutants")
        return

    with tempfile.TemporaryDirectory(prefix="mutation-") as temp:
        # One copy of src/ per test run at once; each holds one mutant at a time.
        works: queue.Queue[Path] = queue.Queue()
        for i in range(args.jobs):
            work = Path(temp) / f"w{i}"
            shutil.copytree(args.src, work / "src", ignore=shutil.ignore_patterns("__pycache__"))
            (work / "src" / rel).write_text(ast.unparse(ast.parse(source)) + "\n", "utf-8")
            works.put(work)

        work = works.get()
        outcome, baseline = run_tests(work, args.tests, None)
        works.put(work)
        if outcome != "survived":
            raise SystemExit("the tests fail without any mutant: fix them first")
        print(f"tests without mutants: {baseline:.1f} s; {len(found)} mutants", flush=True)

        def run(mutant: Mutant) -> str:
            work = works.get()
            try:
                (work / "src" / rel).write_text(mutated_source(source, mutant), "utf-8")
                outcome, _ = run_tests(work, args.tests, baseline * 5 + 10)
            finally:
                works.put(work)
            return outcome

        counts = {"killed": 0, "timeout": 0, "survived": 0, "equivalent": 0}
        with ThreadPoolExecutor(args.jobs) as pool:
            for mutant, outcome in zip(found, pool.map(run, found), strict=True):
                reason = EQUIVALENT.get(key(mutant))
                if outcome == "survived" and reason:
                    outcome = "equivalent"
                counts[outcome] += 1
                if outcome != "killed" or args.killed:
                    note = f"  [{reason}]" if outcome == "equivalent" else ""
                    code = lines[mutant.line - 1].strip()
                    print(
                        f"{outcome:10} {module.name}:{mutant.line}: {mutant.what}   | {code}{note}",
                        flush=True,
                    )
    total = len(found) - counts["equivalent"]
    killed = counts["killed"] + counts["timeout"]
    rate = 100 * killed / total if total else 100.0
    print(
        f"{module.name}: {killed}/{total} killed ({rate:.1f} %), "
        f"{counts['survived']} survived, {counts['timeout']} by timeout, "
        f"{counts['equivalent']} equivalent left out"
    )


if __name__ == "__main__":
    main()
