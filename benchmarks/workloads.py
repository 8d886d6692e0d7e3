"""The engine's standard workloads beyond the Mesa comparison (``benchmarks/mesa.py``): a world
of 193 states, every UN member, and a sweep of 100 parameter points.

- ``large_world``: a synthetic 193-state world (``secdilemma synth --states 193``), R = 100,
  T = 100, in replicate blocks sized to the default 2 GiB budget. It reports seconds,
  replicate-steps per second, NumPy's peak allocation (``tracemalloc``, on a run of 10 steps:
  the tracer slows a run) and the process's peak resident size. The alternatives are the same
  run one replicate at a time (the vectorisation gain at this size), and the run with its
  blocks in two worker processes (``run_ensemble(..., workers=2)``) against one.
- ``sweep``: a Latin hypercube of 100 points over four parameters of ``two-security-seekers``,
  100 replicates and 100 steps each, through ``secdilemma.experiments.sweep.Sweep`` (Parquet
  parts, a manifest), on 2 worker processes against 1.

    python -m benchmarks.workloads [--quick] [--only large_world|sweep] [--out PATH]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import (
    HERE,
    machine,
    resident_peak_mib,
    row,
    timed,
    warm_up,
    with_peak_memory,
    write_json,
)
from secdilemma.engine.pipeline import block_size, run_ensemble
from secdilemma.experiments.spec import SweepSpec
from secdilemma.experiments.sweep import Sweep
from secdilemma.model.scenario import parse_scenario
from secdilemma.model.synth import synthetic_world

RESULTS = HERE / "results_workloads.json"


def large_world(quick: bool = False) -> dict[str, Any]:
    R, T = (2, 2) if quick else (100, 100)
    spec = parse_scenario(synthetic_world(193, seed=1, replicates=R, steps=T), "synthetic-193")
    block = block_size(spec, spec.action_catalog())
    seconds, _ = timed(lambda: run_ensemble(spec, trajectories=False), 1)
    # The same run with its blocks in two worker processes (the same bits), side by side.
    two_workers, _ = timed(lambda: run_ensemble(spec, trajectories=False, workers=2), 1)
    # The peak allocation, under tracemalloc (which slows the run), over fewer steps: the
    # arrays a step holds do not grow with the steps run without trajectories.
    short = parse_scenario(
        synthetic_world(193, seed=1, replicates=R, steps=min(T, 10)), "synthetic-193"
    )
    _, peak, _ = with_peak_memory(lambda: run_ensemble(short, trajectories=False))
    # One replicate at a time, on a few replicates and steps only: it is the slow side.
    r1, t1 = (1, 2) if quick else (4, 10)
    small = parse_scenario(synthetic_world(193, seed=1, replicates=r1, steps=t1), "synthetic-193")
    single, _ = timed(lambda: run_ensemble(small, chunk_size=1, trajectories=False), 1)
    per_step = seconds / (R * T)
    single_per_step = single / (r1 * t1)
    return {
        "states": 193,
        "replicates": R,
        "steps": T,
        "block": block,
        "seconds": round(seconds, 2),
        "replicate_steps_per_s": round(R * T / seconds, 2),
        "peak_mib": round(peak, 1),
        "resident_peak_mib": round(resident_peak_mib(), 1),
        "one_at_a_time_s_per_replicate_step": round(single_per_step, 4),
        "seconds_2_workers": round(two_workers, 2),
        "rows": [
            row(
                "workloads",
                f"193 states, R={R}, T={T}, blocks in 2 worker processes (s)",
                round(two_workers, 2),
                "the same run in one process",
                round(seconds, 2),
            ),
            row(
                "workloads",
                f"193 states, R={R}, T={T} (s per replicate-step)",
                round(per_step, 4),
                f"one replicate at a time (R={r1}, T={t1})",
                round(single_per_step, 4),
                note=f"peak {peak:.0f} MiB (NumPy), blocks of {block}",
            ),
        ],
    }


def sweep_spec(quick: bool) -> SweepSpec:
    return SweepSpec(
        scenario="two-security-seekers",
        replicates=10 if quick else 100,
        steps=10 if quick else 100,
        seed=7,
        design="lhs",
        points=4 if quick else 100,
        parameters={
            "world.offense_defense_balance": {"low": 0.5, "high": 3.0},
            "world.distinguishability": {"low": 0.0, "high": 1.0},
            "states.A.greed": {"low": 0.0, "high": 0.5},
            "states.A.charity": {"low": 0.0, "high": 1.0},
        },
        outcomes=["p_war", "p_spiral", "p_tragic_spiral"],
    )


def sweep(quick: bool = False) -> dict[str, Any]:
    spec = sweep_spec(quick)
    seconds = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as directory:
            run = Sweep(spec, Path(directory) / "sweep")
            seconds[workers], report = timed(lambda run=run, n=workers: run.run(workers=n), 1)
            if report["points"]["done"] != spec.points:
                raise SystemExit(f"the sweep finished {report['points']} points")
    replicate_steps = spec.points * spec.replicates * spec.steps
    return {
        "points": spec.points,
        "replicates": spec.replicates,
        "steps": spec.steps,
        "seconds_1_worker": round(seconds[1], 2),
        "seconds_2_workers": round(seconds[2], 2),
        "replicate_steps_per_s_2_workers": round(replicate_steps / seconds[2]),
        "rows": [
            row(
                "workloads",
                f"sweep {spec.points} points x {spec.replicates} replicates x {spec.steps} steps",
                round(seconds[2], 2),
                "the same sweep on 1 worker",
                round(seconds[1], 2),
                note="2 worker processes; ratio = parallel speed-up",
            )
        ],
    }


WORKLOADS = {"large_world": large_world, "sweep": sweep}


def run(quick: bool = False, repeats: int | None = None, only: list[str] | None = None) -> dict:
    """Each workload once (they are long; ``repeats`` is accepted for a uniform interface)."""
    warm_up()
    results: dict[str, Any] = {"machine": machine(), "quick": quick}
    rows = []
    for name, fn in WORKLOADS.items():
        if only and name not in only:
            continue
        results[name] = fn(quick)
        rows += results[name].pop("rows")
    results["rows"] = rows
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--only", action="append", choices=sorted(WORKLOADS))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    results = run(args.quick, only=args.only)
    for line in results["rows"]:
        print(line)
    write_json(
        args.out or (HERE / "results_workloads_quick.json" if args.quick else RESULTS), results
    )


if __name__ == "__main__":
    main()
