"""How many processes a stage runs in, and how they start.

A large site is read and rendered by several processes (load.py, render.py): one per
core, from a few hundred files or pages on (the 10,000-page row of benchmarks/run.py
fails in one). Below that, starting processes costs more than it saves.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import multiprocessing.context

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
