"""How many processes a stage runs in, and how they start.

A large site is read and rendered by several processes (load.py, render.py): one per
core, from a few hundred files or pages on (the 10,000-page row of benchmarks/run.py
fails in one). Below that, starting processes costs more than it saves.

A worker dies with the process that started it (``pool``): on Linux the system kills it
when its parent ends, however it ends (``kill -9`` included), so that no worker is left
waiting forever for work that will never come.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import ProcessPoolExecutor

PARALLEL_FROM = 400  # files or pages
CHUNKS_PER_PROCESS = 16  # small enough chunks of work that the processes finish together


def default_jobs(count: int) -> int:
    """One process for a few files or pages; every core for many."""
    if count < PARALLEL_FROM:
        return 1
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def fork_context() -> multiprocessing.context.BaseContext | None:
    """Fork where the platform has it: workers start at once, sharing this process's memory
    (its site, its compiled templates); elsewhere they are spawned and make their own."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """A pool of ``jobs`` worker processes (forked where the platform can), each dying with
    this process, and each first running ``initializer(*initargs)``."""
    from concurrent.futures import ProcessPoolExecutor  # here: a small site never needs it

    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=fork_context(),
        initializer=_start,
        initargs=(os.getpid(), initializer, initargs),
    )


_PR_SET_PDEATHSIG = 1


def _start(parent: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def die_with_parent(parent: int) -> None:
    """Have the system kill this process when its parent (``parent``) ends: Linux's
    ``prctl(PR_SET_PDEATHSIG)``. Elsewhere nothing: a worker there ends when it finds
    its queue closed."""
    if not hasattr(os, "sched_getaffinity"):  # not Linux
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)
