"""How the engine's time and peak memory grow with replicates R, states N and steps T.

Each measurement runs one ensemble of a synthetic world (``secdilemma.model.synth``) in this
process; peak memory is what NumPy allocated at most (``tracemalloc``, which NumPy reports to),
not the process's resident size, and is measured in a run apart from the timed ones. Exponents are
least-squares slopes on log-log axes.

    python -m benchmarks.scaling [--quick] [--plot benchmarks/scaling.png]
"""

from __future__ import annotations

import argparse
import json
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import machine, row, timed, warm_up, write_json
from secdilemma.engine.pipeline import run_ensemble
from secdilemma.model.scenario import parse_scenario
from secdilemma.model.synth import synthetic_world

HERE = Path(__file__).parent


def measure(states: int, replicates: int, steps: int, repeats: int) -> tuple[float, float]:
    """Median seconds of ``repeats`` ensembles, and the peak MiB of one more.

    The peak is measured in a run of its own: ``tracemalloc`` traces every allocation, Python's
    included, and would add its own cost to each of the engine's per-step calls, inflating the
    fixed part of the time (by 75% at R = 100, N = 10, T = 20)."""
    spec = parse_scenario(synthetic_world(states, 1, replicates, steps), "synthetic")
    seconds, _ = timed(lambda: run_ensemble(spec, trajectories=False), repeats)
    tracemalloc.start()
    try:
        run_ensemble(spec, trajectories=False)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return seconds, peak


def exponent(x: list[int], y: list[float]) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def run(quick: bool = False, repeats: int | None = None) -> dict[str, Any]:
    warm_up()
    repeats = repeats or (1 if quick else 3)
    base = {"states": 10, "replicates": 100, "steps": 20}
    axes = {
        "replicates": [50, 100, 200] if quick else [100, 400, 1600, 6400],
        "steps": [10, 20, 40] if quick else [20, 40, 80, 160],
        "states": [4, 8, 16] if quick else [5, 10, 20, 40, 80],
    }
    if quick:
        base = {"states": 6, "replicates": 50, "steps": 10}
    results = {}
    for axis, values in axes.items():
        runs = []
        for value in values:
            size = {**base, axis: value}
            seconds, mib = measure(size["states"], size["replicates"], size["steps"], repeats)
            runs.append({**size, "seconds": round(seconds, 4), "peak_mib": round(mib, 1)})
            print(f"{axis:>10} = {value:>4}: {seconds:8.3f} s {mib:8.1f} MiB", flush=True)
        seconds = [r["seconds"] for r in runs]
        results[axis] = {
            "runs": runs,
            "time_exponent": round(exponent(values, seconds), 2),
            "time_exponent_upper_half": round(exponent(values[-2:], seconds[-2:]), 2),
            "memory_exponent": round(exponent(values, [r["peak_mib"] for r in runs]), 2),
            # seconds = fixed + per_unit * value: the fixed part is the per-step cost of a
            # block's NumPy calls, which more replicates share
            "linear_fit": dict(
                zip(("per_unit_s", "fixed_s"), np.polyfit(values, seconds, 1).tolist(), strict=True)
            ),
        }
    return {
        "machine": machine(),
        "repeats": repeats,
        "quick": quick,
        "base": base,
        "scaling": results,
        "rows": [
            row(
                "scaling",
                f"time exponent in {axis} ({data['runs'][0][axis]}-{data['runs'][-1][axis]})",
                data["time_exponent"],
                unit="",
                note=f"top two sizes {data['time_exponent_upper_half']}; "
                f"memory exponent {data['memory_exponent']}",
            )
            for axis, data in results.items()
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--plot", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON")
    args = parser.parse_args()
    report = run(args.quick, args.repeats)
    report.pop("rows")
    results = report["scaling"]
    print(json.dumps({k: {m: v[m] for m in ("time_exponent", "memory_exponent")}
                      for k, v in results.items()}, indent=2))  # fmt: skip
    name = "results_scaling_quick.json" if args.quick else "results_scaling.json"
    write_json(args.out or HERE / name, report)
    if args.plot:
        plot(results, args.plot)


def plot(results: dict[str, Any], path: Path) -> None:
    """Time and peak memory against each axis, log-log, with the fitted exponents."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for ax, (axis, data) in zip(axes, results.items(), strict=True):
        x = [r[axis] for r in data["runs"]]
        ax.loglog(x, [r["seconds"] for r in data["runs"]], "o-", label="time (s)")
        ax.loglog(x, [r["peak_mib"] / 1000 for r in data["runs"]], "s--", label="peak (GiB)")
        ax.set_xticks(x, [str(v) for v in x])
        ax.minorticks_off()
        ax.set_xlabel(axis)
        ax.set_title(
            f"time ~ {axis}^{data['time_exponent']}, memory ~ {axis}^{data['memory_exponent']}",
            fontsize=8,
        )
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
