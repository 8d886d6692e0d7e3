"""What the counterfactual tools share: running many copies of a scenario (each the same
seed with one thing changed) in order or in worker processes, and the mean and standard error
of their paired differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

import numpy as np

Job = TypeVar("Job")


def run_jobs(
    evaluate: Callable[[Job], Any],
    jobs: Sequence[Job],
    workers: int,
    tick: Callable[[], None],
    chunksize: int = 1,
) -> list[Any]:
    """``[evaluate(job) for job in jobs]``, in ``workers`` processes when more than one (the
    results, in the jobs' order, do not depend on it); ``tick()`` after each. ``evaluate`` is
    a module-level function, so that a worker process can import it."""
    if workers <= 1:
        out = []
        for job in jobs:
            out.append(evaluate(job))
            tick()
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool:
        out = []
        for result in pool.map(evaluate, jobs, chunksize=chunksize):
            out.append(result)
            tick()
        return out


def mean_se(values: np.ndarray) -> tuple[float, float]:
    """The mean of the finite values and its standard error (nan where there are too few)."""
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return float("nan"), float("nan")
    se = float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return float(values.mean()), se
