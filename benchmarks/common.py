"""What every benchmark shares: timing by the median of repeats, peak memory, the machine, and
the rows of the summary table that ``python -m benchmarks`` prints."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def warm_up() -> None:
    """Compile (or load from Numba's cache) the engine's kernels before anything is timed."""
    from secdilemma.engine.pipeline import run_ensemble
    from secdilemma.model.scenario import load_scenario, parse_scenario
    from secdilemma.model.synth import synthetic_world

    run_ensemble(load_scenario("two-security-seekers", ["replicates=2", "steps=2"]))
    run_ensemble(parse_scenario(synthetic_world(4, seed=0, replicates=2, steps=2), "warm-up"))
    # A larger world reaches branches of the kernels a four-state one does not (with an empty
    # Numba cache, the first 20-state run otherwise compiled them inside the timed region).
    run_ensemble(parse_scenario(synthetic_world(20, seed=0, replicates=2, steps=3), "warm-up"))


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall-clock seconds of ``repeats`` calls, and the last call's result."""
    times, result = [], None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def with_peak_memory(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds, and the peak MiB that Python and NumPy allocated (``tracemalloc``) in one call."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = fn()
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return seconds, peak, result


def resident_peak_mib() -> float:
    """The process's largest resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, Any]:
    import numpy
    import scipy

    cpu = platform.processor() or platform.machine()
    memory_gib = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    from secdilemma.numerics.fast import numba, numba_enabled

    return {
        "numba": None if numba is None else numba.__version__,
        "kernels": "numba" if numba_enabled() else "numpy",
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
    }


def row(
    benchmark: str,
    workload: str,
    ours_s: float,
    alternative: str | None = None,
    alternative_s: float | None = None,
    unit: str = "s",
    note: str = "",
) -> dict[str, Any]:
    """One line of the summary table: our time, the alternative's in the same run, the ratio."""
    ratio = None if not alternative_s else round(alternative_s / ours_s, 1)
    return {
        "benchmark": benchmark,
        "workload": workload,
        "unit": unit,
        "secdilemma": ours_s,
        "alternative": alternative,
        "alternative_value": alternative_s,
        "ratio": ratio,
        "note": note,
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")
