"""How much the vectorised ensemble gains over running the same replicates one at a time.

Both runs use the same engine in the same process; one-at-a-time is what a user gets from a
per-replicate loop (and it gives the same results, which is checked here).

    python -m benchmarks.vectorisation [--replicates 200] [--steps 50] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np

from secdilemma import load_scenario, run_ensemble


def _time(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="two-security-seekers")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    spec = load_scenario(args.scenario, [f"replicates={args.replicates}", f"steps={args.steps}"])
    whole_t, whole = _time(lambda: run_ensemble(spec, trajectories=False), args.repeats)
    single_t, single = _time(
        lambda: run_ensemble(spec, chunk_size=1, trajectories=False), args.repeats
    )
    assert np.array_equal(whole.outcomes.actions, single.outcomes.actions)
    report = {
        "scenario": args.scenario,
        "replicates": args.replicates,
        "steps": args.steps,
        "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}",
        "vectorised_s": round(whole_t, 4),
        "one_at_a_time_s": round(single_t, 4),
        "speedup": round(single_t / whole_t, 1),
        "replicate_steps_per_s": round(args.replicates * args.steps / whole_t),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
