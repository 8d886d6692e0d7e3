"""How much the vectorised ensemble gains over running the same replicates one at a time.

Both runs use the same engine in the same process; one-at-a-time is what a user gets from a
per-replicate loop (and it gives the same results, which is checked here).

    python -m benchmarks.vectorisation [--quick] [--replicates 200] [--steps 50] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from benchmarks.common import machine, row, timed, warm_up
from secdilemma import load_scenario, run_ensemble


def run(
    quick: bool = False,
    repeats: int | None = None,
    scenario: str = "two-security-seekers",
    replicates: int | None = None,
    steps: int | None = None,
) -> dict[str, Any]:
    replicates = replicates or (20 if quick else 200)
    steps = steps or (5 if quick else 50)
    warm_up()
    repeats = repeats or (1 if quick else 3)
    spec = load_scenario(scenario, [f"replicates={replicates}", f"steps={steps}"])
    whole_t, whole = timed(lambda: run_ensemble(spec, trajectories=False), repeats)
    single_t, single = timed(lambda: run_ensemble(spec, chunk_size=1, trajectories=False), repeats)
    if not np.array_equal(whole.outcomes.actions, single.outcomes.actions):
        raise SystemExit("one block and one replicate at a time disagree")
    return {
        "scenario": scenario,
        "replicates": replicates,
        "steps": steps,
        "repeats": repeats,
        "machine": machine(),
        "vectorised_s": round(whole_t, 4),
        "one_at_a_time_s": round(single_t, 4),
        "speedup": round(single_t / whole_t, 1),
        "replicate_steps_per_s": round(replicates * steps / whole_t),
        "rows": [
            row(
                "vectorisation",
                f"{scenario}, R={replicates}, T={steps}",
                round(whole_t, 4),
                "one replicate at a time",
                round(single_t, 4),
            )
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scenario", default="two-security-seekers")
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    report = run(args.quick, args.repeats, args.scenario, args.replicates, args.steps)
    report.pop("rows")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
