"""Per-file work on every free core: a process pool for a pure function whose results pickle cheaply (plain data).

Workers are forked (Linux) or come from a fork server (elsewhere) so they start in milliseconds with what the
parent has already imported; where neither exists (Windows), or the pool cannot start, the work runs here.
Workers run without the cyclic GC: they build short-lived trees and return plain data.
"""
from __future__ import annotations

import gc
import os
import sys
from typing import Any, Callable, Iterator, Sequence, TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")


def available_cores() -> int:
    """The cores this process may run on (its affinity where the platform tells it)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(len(affinity(0)), 1)
    return max(os.cpu_count() or 1, 1)


def idle_cores() -> int:
    """The cores not busy with other work (the last minute's load average): a pool on a machine already
    saturated only adds the cost of sending results between processes."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # not known here
        return available_cores()
    return max(1, min(available_cores(), int(available_cores() - load + 0.5)))


def _context() -> Any:
    import multiprocessing  # here, not at import: most runs parse a handful of files and never start a pool

    methods = multiprocessing.get_all_start_methods()
    # fork only on Linux: macOS's system libraries are not fork-safe (CPython's own default there is spawn)
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return None


def _worker_start(initializer: Callable[..., None] | None, arguments: tuple[Any, ...]) -> None:
    gc.disable()
    if initializer is not None:
        initializer(*arguments)


def parallel_map(function: Callable[[_T], _R], items: Sequence[_T], workers: int,
                 initializer: Callable[..., None] | None = None,
                 arguments: tuple[Any, ...] = ()) -> Iterator[_R] | None:
    """`function(item)` for each item, computed by `workers` processes and yielded in order as they come (the
    caller works on the first while the workers compute the rest); None when no pool can run here. When the
    pool breaks (a worker killed, out of memory), the results stop early: the caller does the rest itself.
    `function` and `initializer` must be module-level functions."""
    workers = min(workers, idle_cores())
    if workers < 2 or len(items) < 2:
        return None
    context = _context()
    if context is None:
        return None
    return _results(context, function, items, workers, initializer, arguments)


def _results(context: Any, function: Callable[[_T], _R], items: Sequence[_T], workers: int,
             initializer: Callable[..., None] | None, arguments: tuple[Any, ...]) -> Iterator[_R]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunk = max(1, min(16, len(items) // (workers * 4)))  # a few chunks per worker: balanced, few round trips
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                                 initargs=(initializer, arguments)) as pool:
            yield from pool.map(function, items, chunksize=chunk)
    except (BrokenProcessPool, OSError):  # no processes allowed, or a worker killed
        return
