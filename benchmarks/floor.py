"""The engine against the memory-bandwidth floor: how much of the machine's streaming bandwidth
the engine's own state moves per second, at 2, 20, 60 and 193 states.

- **Bandwidth**, measured in the same run: NumPy's add of two 256 MiB arrays into a third (the
  STREAM "add" kernel: two arrays read, one written), the best of the repeats, in bytes moved
  per second.
- **Bytes per pair-step**, by the engine's own count: every ``(R, N, N)`` array of the world
  (``WorldState``) read once and written once a step, at its item size. A step must at least
  do that; everything else it does (the options, the readings) is work beyond the floor.
- **Pair-steps per second**: ``R * N * N * T / seconds`` of one ensemble (no trajectories),
  a synthetic world (``secdilemma synth``) at each size, or ``two-security-seekers`` at 2.

The achieved fraction is ``pair-steps per second * bytes per pair-step / bandwidth``: 1 would
be an engine that does nothing but stream its state. ``python -m benchmarks --only floor``
records it in ``benchmarks/results.json`` as ``floor_fraction`` (state count to fraction).

    python -m benchmarks.floor [--quick]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import fields
from typing import Any

import numpy as np

from benchmarks.common import machine, row, timed, warm_up
from secdilemma.engine.pipeline import run_ensemble
from secdilemma.model.scenario import Scenario, load_scenario, parse_scenario
from secdilemma.model.synth import synthetic_world
from secdilemma.model.world import WorldState, initial_world
from secdilemma.numerics.rng import Streams

# (states, replicates, steps): each run some seconds on the development machine.
SIZES = ((2, 4000, 50), (20, 400, 30), (60, 40, 20), (193, 4, 10))
QUICK_SIZES = ((2, 20, 3), (20, 4, 2), (60, 2, 2), (193, 1, 1))


def streaming_bandwidth(mib: int = 256, repeats: int = 5) -> float:
    """Bytes per second of NumPy's ``add`` over arrays of ``mib`` MiB (two read, one written),
    the best of ``repeats``."""
    n = mib * 2**20 // 8
    a, b, c = np.ones(n), np.ones(n), np.empty(n)
    np.add(a, b, out=c)  # touch every page before timing
    best, _ = min(
        (timed(lambda: np.add(a, b, out=c), 1) for _ in range(repeats)), key=lambda t: t[0]
    )
    return 3 * 8 * n / best


def bytes_per_pair_step(scenario: Scenario) -> int:
    """The world's ``(R, N, N)`` arrays, each read and written once a step, per pair."""
    w, _ = initial_world(scenario, Streams(scenario.seed, range(1)), scenario.action_catalog())
    R, N = w.shape
    total = 0
    for f in fields(WorldState):
        value = getattr(w, f.name)
        if isinstance(value, np.ndarray) and value.shape == (R, N, N):
            total += 2 * value.itemsize
    return total


def world(states: int, replicates: int, steps: int) -> Scenario:
    if states == 2:
        return load_scenario("two-security-seekers", [f"replicates={replicates}", f"steps={steps}"])
    raw = synthetic_world(states, seed=1, replicates=replicates, steps=steps)
    return parse_scenario(raw, f"synthetic-{states}")


def run(quick: bool = False, repeats: int | None = None) -> dict[str, Any]:
    warm_up()
    repeats = repeats or (1 if quick else 3)
    bandwidth = streaming_bandwidth(16 if quick else 256)
    sizes, rows, fraction = {}, [], {}
    for states, replicates, steps in QUICK_SIZES if quick else SIZES:
        spec = world(states, replicates, steps)
        seconds, _ = timed(lambda spec=spec: run_ensemble(spec, trajectories=False), repeats)
        pair_steps = replicates * states * states * steps / seconds
        per_pair = bytes_per_pair_step(spec)
        achieved = pair_steps * per_pair / bandwidth
        fraction[str(states)] = round(achieved, 4)
        sizes[str(states)] = {
            "replicates": replicates,
            "steps": steps,
            "seconds": round(seconds, 3),
            "pair_steps_per_second": round(pair_steps),
            "bytes_per_pair_step": per_pair,
            "floor_pair_steps_per_second": round(bandwidth / per_pair),
            "fraction": round(achieved, 4),
        }
        line = row(
            "floor",
            f"{states} states, R = {replicates}, T = {steps}",
            round(1e9 / pair_steps, 2),
            "the bandwidth floor",
            round(1e9 * per_pair / bandwidth, 2),
            unit="ns per pair-step",
            note=f"{achieved:.1%} of the floor",
        )
        line["ratio"] = round(achieved, 4)  # the fraction of the floor achieved, not a speed-up
        rows.append(line)
    return {
        "machine": machine(),
        "bandwidth_bytes_per_second": round(bandwidth),
        "sizes": sizes,
        "floor_fraction": fraction,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    result = run(quick=args.quick)
    result.pop("rows")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
