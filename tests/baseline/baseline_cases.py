"""The runs the regression baseline records, and how a run is reduced to a record.

Each bundled scenario runs at a small replicate count, and so does a 12-state synthetic world;
each run is reduced to its ``summary.json`` values (flattened to ``path: value``) and a hash of
every outcome array. ``update.py`` writes ``baseline.json`` from these; ``test_baseline.py``
compares a fresh run with it.

What is promised: on one platform (NumPy version, CPU features) the outcome arrays are equal to
the bit, with the compiled kernels and without. Across platforms NumPy's vectorised functions
may differ in the last bit, so there the test compares the summary values only, within
``RTOL`` (relative) and ``ATOL``: far below any change of a model constant (which moves
continuous outcomes by orders of magnitude more), far above rounding.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from secdilemma import load_scenario, run_ensemble, summarize
from secdilemma.model.scenario import Scenario, bundled_names, parse_scenario
from secdilemma.model.synth import synthetic_world
from secdilemma.numerics.fast import numba_available, use_numba

HERE = Path(__file__).parent
BASELINE = HERE / "baseline.json"
REPLICATES = 100
RTOL, ATOL = 1e-9, 1e-12


def _bundled(name: str) -> Callable[[], Scenario]:
    return lambda: load_scenario(name, [f"replicates={REPLICATES}"])


def _synthetic() -> Scenario:
    raw = synthetic_world(12, seed=12, replicates=REPLICATES // 2, steps=30)
    return parse_scenario(raw, "synthetic-12")


CASES: dict[str, Callable[[], Scenario]] = {name: _bundled(name) for name in bundled_names()}
CASES["synthetic-12"] = _synthetic


def platform_key() -> str:
    """What the bits depend on: NumPy's version and the CPU features its loops dispatch on."""
    from numpy._core._multiarray_umath import __cpu_features__

    features = ",".join(sorted(k for k, on in __cpu_features__.items() if on))
    digest = hashlib.sha256(features.encode()).hexdigest()[:12]
    return f"numpy {np.__version__} {platform.machine()} cpu:{digest}"


def outcome_hash(outcomes: Any) -> str:
    h = hashlib.sha256()
    for field in sorted(f.name for f in fields(outcomes)):
        x = getattr(outcomes, field)
        if isinstance(x, np.ndarray):
            h.update(f"{field}:{x.dtype}:{x.shape}".encode())
            h.update(np.ascontiguousarray(x).tobytes())
    return h.hexdigest()


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"p_war_pair": {"A-B": 0.1}}`` -> ``{"p_war_pair.A-B": 0.1}``; lists by index."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((f"[{n}]", v) for n, v in enumerate(value))
    else:
        return {prefix: value}
    flat = {}
    for key, v in items:
        sep = "" if not prefix or str(key).startswith("[") else "."
        flat.update(flatten(v, f"{prefix}{sep}{key}"))
    return flat


def record(case: str, compiled: bool) -> dict[str, Any]:
    """One case's run, with the compiled kernels or without, reduced to its record."""
    with use_numba(compiled):
        ens = run_ensemble(CASES[case](), trajectories=False)
    summary = json.loads(json.dumps(summarize(ens)))  # as summary.json holds it
    return {"outcomes_sha256": outcome_hash(ens.outcomes), "summary": flatten(summary)}


def forms() -> list[bool]:
    """The kernels' forms this machine can run: NumPy always, compiled with Numba."""
    return [False, True] if numba_available() else [False]


def moved(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """The summary values that differ beyond the tolerance, as ``key: old -> new``."""
    lines = []
    for key in sorted(set(expected) | set(found)):
        old, new = expected.get(key, "<absent>"), found.get(key, "<absent>")
        same = old == new
        if isinstance(old, float | int) and isinstance(new, float | int):
            same = math.isclose(old, new, rel_tol=RTOL, abs_tol=ATOL)
        if not same:
            lines.append(f"{key}: {old} -> {new}")
    return lines
